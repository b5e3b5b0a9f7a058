"""``notify-emulator serve --host 0.0.0.0``: a warning, an admin token, no demo keys printed,
and the emulator-only surface closed to requests without the token.

The server listens on every interface for the few seconds of each test; the requests go to
127.0.0.1 only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo

pytestmark = pytest.mark.e2e

STARTUP_LINES = 40
GIVEN_TOKEN = "a-token-given-by-the-user"
SERVE = [sys.executable, "-m", "notify_emulator", "serve", "--host", "0.0.0.0", "--port", "0"]


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str, str]:
    """The process, its loopback base URL and everything it printed before the demo service."""
    process = subprocess.Popen(
        [*SERVE, "--database", "sqlite:///:memory:", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert process.stdout is not None
    printed: list[str] = []
    for _ in range(STARTUP_LINES):
        line = process.stdout.readline()
        printed.append(line)
        if line.startswith("  team member"):  # the last line of the demo service's
            port = printed[0].rsplit(":", 1)[1].strip()
            return process, f"http://127.0.0.1:{port}", "".join(printed)
        if not line:
            break
    process.kill()
    raise AssertionError("the server did not start: " + "".join(printed))


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    finally:
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def generated() -> Iterator[tuple[str, str]]:
    process, base_url, printed = start(env={"NOTIFY_EMULATOR_ADMIN_TOKEN": ""})
    try:
        yield base_url, printed
    finally:
        stop(process)


def test_binding_beyond_loopback_warns_and_prints_a_token_but_no_keys(
    generated: tuple[str, str],
) -> None:
    base_url, printed = generated
    assert "WARNING: bound to 0.0.0.0, so other machines can reach this emulator." in printed
    token = printed.split("Admin token (generated for this run): ", 1)[1].split()[0]
    assert len(token) >= 24
    for key in (demo.LIVE_API_KEY, demo.TEAM_API_KEY, demo.TEST_API_KEY):
        assert key not in printed
    assert demo.SMS_TEMPLATE_ID in printed  # ids are still shown
    health = base_url + "/_emulator/health"
    assert requests.get(health, timeout=10).status_code == 403
    assert (
        requests.get(health, headers={"X-Emulator-Token": "wrong-token"}, timeout=10).status_code
        == 403
    )
    answer = requests.get(health, headers={"X-Emulator-Token": token}, timeout=10)
    assert answer.json() == {"status": "ok"}
    # A browser: the token once in the address, then the cookie.
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/?token={token}", timeout=10)
        assert page.status_code == 200
        assert page.url == base_url + "/"
        assert browser.get(base_url + "/_emulator/notifications", timeout=10).status_code == 200
    # Notify's own routes need only the API key.
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url, max_retries=0)
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    client.close()


def test_beyond_loopback_the_warning_says_the_demo_keys_are_public(
    generated: tuple[str, str],
) -> None:
    # The demo's keys are fixed and printed in the README: not printing them hides nothing,
    # so the warning says so, and how to have keys of one's own.
    _, printed = generated
    assert "The demo service's API keys are not printed" not in printed
    assert (
        "  The demo service's API keys are public (fixed, and printed in the README): anyone\n"
        "  who can reach this port can send with them. For keys of your own, start with\n"
        "  --config FILE.\n"
    ) in printed


def test_beyond_loopback_with_a_seed_file_the_warning_says_nothing_of_the_demo(
    tmp_path: Path,
) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text('[[services]]\nname = "Mine"\n', encoding="utf-8")
    process = subprocess.Popen(
        [*SERVE, "--database", "sqlite:///:memory:", "--config", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "NOTIFY_EMULATOR_ADMIN_TOKEN": ""},
    )
    assert process.stdout is not None
    printed = ""
    for _ in range(STARTUP_LINES):
        line = process.stdout.readline()
        printed += line
        if not line or line.startswith("API keys are not printed"):
            break
    stop(process)
    assert "WARNING: bound to 0.0.0.0" in printed
    assert "demo service" not in printed
    assert "API keys are not printed when listening beyond loopback" in printed


def test_a_given_token_is_used_and_never_printed() -> None:
    process, base_url, printed = start(env={"NOTIFY_EMULATOR_ADMIN_TOKEN": GIVEN_TOKEN})
    try:
        assert GIVEN_TOKEN not in printed
        assert "Admin token: the one given by --admin-token" in printed
        answer = requests.post(
            base_url + "/_emulator/reset", headers={"X-Emulator-Token": GIVEN_TOKEN}, timeout=10
        )
        assert answer.status_code == 200
        assert requests.post(base_url + "/_emulator/reset", timeout=10).status_code == 403
    finally:
        stop(process)
