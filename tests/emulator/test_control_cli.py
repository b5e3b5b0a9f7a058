"""``notify-emulator faults …`` and ``notify-emulator clock …`` against a running emulator."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import requests
from click.testing import CliRunner, Result

from notify_emulator.cli import main
from notify_emulator.control import parse_duration

from .emulator_harness import Running

ADMIN_TOKEN = "a-very-secret-admin-token"


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on (bound and released, so no one else has it now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def faults(emulator: Running) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = requests.get(
        emulator.base_url + "/_emulator/faults", timeout=10
    ).json()["faults"]
    return listed


def test_add_list_and_clear_faults(emulator: Running) -> None:
    url = ("--url", emulator.base_url)
    added = run(
        "faults", "add", *url, "--method", "post", "--path", "/v2/notifications/*",
        "--status", "503", "--times", "2",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    (fault,) = faults(emulator)
    assert added.output == (
        f"Added fault {fault['id']}: POST /v2/notifications/* -> status 503 (2 more)\n"
    )
    assert (fault["match"], fault["action"], fault["times"]) == (
        {"method": "POST", "path": "/v2/notifications/*"},
        {"status": 503},
        2,
    )
    assert run("faults", "add", *url, "--drop", "after", "--key-type", "test").exit_code == 0
    assert run("faults", "add", *url, "--delay-ms", "5", "--forever").exit_code == 0
    run("faults", "add", *url, "--error", "RateLimitError", "--rate", "0.5")

    listing = run("faults", "list", *url)
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert len(lines) == 4
    assert lines[1].endswith("every request (key_type test) -> drop after (1 more)")
    assert lines[2].endswith("every request -> delay_ms 5 (until deleted)")
    assert lines[3].endswith("every request -> error RateLimitError (each with chance 0.5)")
    as_json = json.loads(run("faults", "list", *url, "--json").output)
    assert [item["id"] for item in as_json["faults"]] == [item["id"] for item in faults(emulator)]

    one = run("faults", "clear", *url, fault["id"])
    assert one.output == f"Deleted fault {fault['id']}.\n"
    assert run("faults", "clear", *url).output == "Deleted 3 faults.\n"
    assert run("faults", "list", *url).output == "No faults.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one action"),
        (("--status", "503", "--drop", "after"), "give exactly one action"),
        (("--status", "503", "--times", "2", "--forever"), "give --times or --forever"),
        (("--status", "404"), "'404' is not one of"),
    ],
)
def test_a_bad_add_is_a_usage_error(emulator: Running, args: tuple[str, ...], message: str) -> None:
    result = run("faults", "add", "--url", emulator.base_url, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert faults(emulator) == []


def test_the_emulators_refusal_is_one_line(emulator: Running) -> None:
    result = run(
        "faults", "add", "--url", emulator.base_url, "--status", "500", "--path", "/_emulator/x"
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"notify-emulator: the emulator at {emulator.base_url} ")
    assert "faults apply only to Notify's API" in result.output
    assert result.output.count("\n") == 1
    missing = run("faults", "clear", "--url", emulator.base_url, "not-an-id")
    assert missing.exit_code == 1
    assert "404: no fault with id not-an-id" in missing.output


def test_clock_show_and_advance(emulator: Running) -> None:
    shown = run("clock", "show", "--url", emulator.base_url)
    assert shown.exit_code == 0
    now = emulator.clock.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert shown.output == f"{now} (real time + 0s)\n"
    moved = run("clock", "advance", "1d2h30m", "--url", emulator.base_url)
    later = (emulator.clock.now() + timedelta(days=1, hours=2, minutes=30)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    assert moved.output == f"{later} (real time + 1d2h30m)\n"
    bad = run("clock", "advance", "soon", "--url", emulator.base_url)
    assert bad.exit_code == 2
    assert "not a duration: 'soon'" in bad.output


def test_the_url_comes_from_the_environment(emulator: Running) -> None:
    result = run("clock", "advance", "90s", env={"NOTIFY_EMULATOR_URL": emulator.base_url})
    assert result.exit_code == 0, result.output
    assert "(real time + 1m30s)" in result.output


def test_an_emulator_that_is_not_there(unused_port: int) -> None:
    result = run("clock", "show", "--url", f"http://127.0.0.1:{unused_port}")
    assert result.exit_code == 1
    assert result.output == (
        f"notify-emulator: cannot reach the emulator at http://127.0.0.1:{unused_port} "
        "(ConnectionError); is it running? (notify-emulator serve, or give --url)\n"
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("2h", 7200),
        ("1d", 86_400),
        ("1h30m", 5400),
        ("1d 2h", 93_600),
        ("1.5h", 5400),
        ("45", 45),
        ("2w", 1_209_600),
        ("10M", 600),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "h", "1x", "1h 30", "-5s", "1h-"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


# --- the admin token -----------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers.items()))
        body = b'{"now": "2026-12-01T10:00:00.000000Z", "offset_seconds": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.seen.append(dict(self.headers.items()))
        body = b'{"error": "a token is needed"}'
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback HTTP server that records the headers of what it is sent."""
    seen: list[dict[str, str]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_admin_token_is_sent_and_never_printed(
    recorder: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = recorder
    assert run("clock", "show", "--url", url).exit_code == 0
    assert "X-Emulator-Token" not in seen[-1]
    assert run("clock", "show", "--url", url, "--admin-token", ADMIN_TOKEN).exit_code == 0
    assert seen[-1]["X-Emulator-Token"] == ADMIN_TOKEN
    refused = run(
        "clock", "advance", "1h", "--url", url, env={"NOTIFY_EMULATOR_ADMIN_TOKEN": ADMIN_TOKEN}
    )
    assert seen[-1]["X-Emulator-Token"] == ADMIN_TOKEN
    assert refused.exit_code == 1
    assert "403: a token is needed (give the admin token with --admin-token" in refused.output
    assert ADMIN_TOKEN not in refused.output
