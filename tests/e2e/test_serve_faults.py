"""End to end: faults and the clock in a real ``notify-emulator serve`` process, with one worker
and with several, and the commands that drive them from the shell."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result

from notifications_python_client.errors import ResponseNotReceivedError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.cli import main
from notify_emulator.demo import service as demo

from .test_serve import start, stop

pytestmark = pytest.mark.e2e

SEED = f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "Seeded"
  [[services.api_keys]]
  name = "live"
  secret = "{demo.LIVE_KEY_SECRET}"
  [[services.templates]]
  id = "{demo.SMS_TEMPLATE_ID}"
  name = "Text"
  type = "sms"
  body = "Hello ((name))"

[[faults]]
match = {{ path = "/v2/notifications/sms" }}
action = {{ drop = "after" }}
"""


def command(*args: str, url: str) -> Result:
    """``notify-emulator ARGS`` in this process (quicker than a new one), against ``url``."""
    return CliRunner().invoke(main, list(args), env={"NOTIFY_EMULATOR_URL": url})


def shell(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """``notify-emulator ARGS`` run as a user would, against ``url`` from the environment."""
    return subprocess.run(
        [sys.executable, "-m", "notify_emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NOTIFY_EMULATOR_URL": url},
    )


def wait_until_healthy(base_url: str) -> None:
    """The address is printed before the workers start: wait for them to answer."""
    for _ in range(300):
        try:
            if requests.get(base_url + "/_emulator/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        threading.Event().wait(0.1)
    raise AssertionError(f"the workers at {base_url} never answered")


def test_a_seeded_fault_drops_the_answer_under_serve(tmp_path: Path) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text(SEED, encoding="utf-8")
    process, base_url = start("--config", str(seed), "--database", "sqlite:///:memory:")
    try:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url)
        with pytest.raises(ResponseNotReceivedError) as raised:
            client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        assert isinstance(raised.value.__cause__, requests.ConnectionError)
        assert "RemoteDisconnected" in repr(raised.value.__cause__)
        # Sent once, and not again.
        stored = requests.get(base_url + "/_emulator/notifications", timeout=10).json()
        assert len(stored["notifications"]) == 1
        assert client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "B"})
    finally:
        stop(process)


def test_several_workers_share_faults_and_the_clock(tmp_path: Path) -> None:
    database = tmp_path / "workers.sqlite3"
    # Workers bind the port themselves, so it has to be named (port 0 would give each its own).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process, base_url = start(
        "--database", f"sqlite:///{database}", "--workers", "2", "--port", str(port)
    )
    try:
        wait_until_healthy(base_url)
        added = command(
            "faults", "add", "--path", "/_status", "--status", "503", "--times", "6", url=base_url
        )
        assert added.exit_code == 0, added.output
        assert added.output.startswith("Added fault ")
        codes: list[int] = []
        lock = threading.Lock()

        def hit() -> None:
            # A new connection each time, so that both workers take requests.
            with requests.Session() as session:
                code = session.get(base_url + "/_status", timeout=10).status_code
            with lock:
                codes.append(code)

        threads = [threading.Thread(target=hit) for _ in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes) == [200] * 24 + [503] * 6
        assert command("faults", "list", url=base_url).output == "No faults.\n"

        moved = command("clock", "advance", "2h", url=base_url)
        assert moved.exit_code == 0, moved.output
        assert moved.output.endswith("(real time + 2h)\n")
        # Every worker answers with the moved clock.
        offsets = {
            requests.get(base_url + "/_emulator/clock", timeout=10).json()["offset_seconds"]
            for _ in range(10)
        }
        assert offsets == {7200}
        # From a shell, as a user types it.
        assert "(real time + 2h)" in shell("clock", "show", url=base_url).stdout

        # A drop closes the connection under the multi-worker server too.
        command("faults", "add", "--method", "GET", "--path", "/_status", "--drop", "before",
                url=base_url)  # fmt: skip
        with pytest.raises(requests.ConnectionError) as raised:
            requests.get(base_url + "/_status", timeout=10)
        assert "RemoteDisconnected" in repr(raised.value)
    finally:
        stop(process)


def test_the_commands_say_when_no_emulator_is_there() -> None:
    result = shell("clock", "show", url="http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.startswith("notify-emulator: cannot reach the emulator at ")
