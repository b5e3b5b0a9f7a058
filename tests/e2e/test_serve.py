"""End to end: the real client against a real ``notify-emulator serve`` process on loopback."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from notifications_python_client.errors import BadRequestError, PDFNotReadyError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo

pytestmark = pytest.mark.e2e

# How long the server may take to print its address.
STARTUP_LINES = 40
# How long a letter's PDF may take to be made (the server's default is a fifth of a second).
PDF_WAIT_SECONDS = 10


def pdf_when_made(client: NotificationsAPIClient, notification_id: str) -> bytes:
    """A letter's PDF, asking again while the emulator says, as Notify does, it is not made yet."""
    deadline = time.monotonic() + PDF_WAIT_SECONDS
    while True:
        try:
            return client.get_pdf_for_letter(notification_id).read()
        except PDFNotReadyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "notify_emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for _ in range(STARTUP_LINES):
        line = process.stdout.readline()
        if line.startswith("Notify emulator listening on "):
            return process, line.removeprefix("Notify emulator listening on ").strip()
        if not line:
            break
    process.kill()
    raise AssertionError("the server did not start")


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    finally:
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    database = tmp_path / "e2e.sqlite3"
    process, base_url = start("--database", f"sqlite:///{database}")
    try:
        yield base_url, database
    finally:
        stop(process)


def test_send_read_and_fail_like_notify(served: tuple[str, Path]) -> None:
    base_url, _ = served
    assert requests.get(base_url + "/_emulator/health", timeout=10).json() == {"status": "ok"}
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url, max_retries=0)
    sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    email = client.send_email_notification(
        "ada@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "Ada"}
    )
    letter = client.send_letter_notification(
        demo.LETTER_TEMPLATE_ID,
        {
            "name": "Ada",
            "address_line_1": "Ada",
            "address_line_2": "1 Road",
            "postcode": "SW1A 1AA",
        },
    )
    assert client.get_notification_by_id(sms["id"])["body"] == "Hello Ada, this is a demo text."
    listed = [n["id"] for n in client.get_all_notifications()["notifications"]]
    assert listed == [letter["id"], email["id"], sms["id"]]
    assert pdf_when_made(client, letter["id"]).startswith(b"%PDF")
    assert client.get_template(demo.SMS_TEMPLATE_ID)["name"] == "Demo text message"
    with pytest.raises(BadRequestError) as raised:
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID)
    assert raised.value.message == [
        {"error": "BadRequestError", "message": "Missing personalisation: name"}
    ]


def test_idle_connections_outlive_a_five_second_pause_with_one_worker_or_two(
    tmp_path: Path,
) -> None:
    # uvicorn's own keep-alive is 5 s: a client pausing that long could reuse a connection just
    # as it closed. One pause, over both of serve's ways of running uvicorn.
    servers = [
        start("--workers", workers, "--database", f"sqlite:///{tmp_path / workers}.sqlite3")
        for workers in ("1", "2")
    ]
    connections: list[http.client.HTTPConnection] = []
    try:
        for _, base_url in servers:
            wait_until_answering(base_url)  # worker processes bind after the address is printed
            host, port = base_url.removeprefix("http://").rsplit(":", 1)
            connections.append(http.client.HTTPConnection(host, int(port), timeout=10))
            connections[-1].request("GET", "/_emulator/health")
            assert connections[-1].getresponse().read() == b'{"status":"ok"}'
        time.sleep(6)
        for connection in connections:
            connection.request("GET", "/_emulator/health")  # the same socket: no retry
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, b'{"status":"ok"}')
    finally:
        for connection in connections:
            connection.close()
        for process, _ in servers:
            stop(process)


def wait_until_answering(base_url: str) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(base_url + "/_emulator/health", timeout=5)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_demo_keys_are_printed_and_restart_keeps_data(tmp_path: Path) -> None:
    database = tmp_path / "restart.sqlite3"
    process, base_url = start("--database", f"sqlite:///{database}")
    try:
        client = NotificationsAPIClient(demo.TEST_API_KEY, base_url=base_url, max_retries=0)
        sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    finally:
        stop(process)
    process, base_url = start("--database", f"sqlite:///{database}")
    try:
        client = NotificationsAPIClient(demo.TEST_API_KEY, base_url=base_url, max_retries=0)
        assert client.get_notification_by_id(sent["id"])["id"] == sent["id"]
        assert process.stdout is not None
        # After the address: the database, then the demo service's keys and ids.
        printed = [process.stdout.readline() for _ in range(4)]
        assert any(demo.LIVE_API_KEY in line for line in printed)
    finally:
        stop(process)


def test_bad_config_exits_with_one_line(tmp_path: Path) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text("[[services]]\nname = 'A'\n[[services.api_keys]]\nname = 'k'\ntype = 'x'\n")
    result = subprocess.run(
        [sys.executable, "-m", "notify_emulator", "serve", "--config", str(seed)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"notify-emulator: {seed}: services[0] ('A').api_keys[0]: field 'type': "
        "must be one of normal, team, test, not 'x'"
    )


def test_delivery_delays_option_slows_the_lifecycle(tmp_path: Path) -> None:
    database = tmp_path / "slow.sqlite3"
    process, base_url = start("--database", f"sqlite:///{database}", "--delivery-delays", "60")
    try:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url)
        sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        # With the default delays this would be delivered within about a second.
        time.sleep(1.5)
        assert client.get_notification_by_id(sent["id"])["status"] in {"created", "sending"}
    finally:
        stop(process)


def test_a_seed_file_s_services_keys_and_templates_are_printed(tmp_path: Path) -> None:
    seed = tmp_path / "seed.toml"
    seed.write_text(
        """
[[services]]
id = "7c2d4e6f-2222-4b3c-9d4e-000000000001"
name = "First"
  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f1"
  [[services.templates]]
  id = "7c2d4e6f-2222-4b3c-9d4e-000000000002"
  name = "Hello"
  type = "sms"
  body = "Hello ((name))"

[[services]]
id = "7c2d4e6f-2222-4b3c-9d4e-000000000003"
name = "Second"
  [[services.api_keys]]
  name = "other"
  type = "normal"
  secret = "2f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f2"
""",
        encoding="utf-8",
    )
    process, base_url = start("--config", str(seed), "--database", "sqlite:///:memory:")
    try:
        assert process.stdout is not None
        printed = [process.stdout.readline().rstrip("\n") for _ in range(6)]
        first_key = "live-7c2d4e6f-2222-4b3c-9d4e-000000000001-1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f1"
        second_key = (
            "other-7c2d4e6f-2222-4b3c-9d4e-000000000003-2f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f2"
        )
        assert printed[1:] == [
            "Service 'First' (7c2d4e6f-2222-4b3c-9d4e-000000000001)",
            f"  API key   live (live)  {first_key}",
            "  template  sms     7c2d4e6f-2222-4b3c-9d4e-000000000002  Hello",
            "Service 'Second' (7c2d4e6f-2222-4b3c-9d4e-000000000003)",
            f"  API key   other (live)  {second_key}",
        ]
        # The printed key works.
        client = NotificationsAPIClient(second_key, base_url=base_url, max_retries=0)
        assert client.get_all_templates() == {"templates": []}
        client.close()
    finally:
        stop(process)
