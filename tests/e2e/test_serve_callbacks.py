"""Callbacks from a real ``notify-emulator serve`` process: a pending retry survives ``kill -9``
and is made once after the restart; ``--workers 2`` make each attempt once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.callbacks import CallbackReceiver

pytestmark = pytest.mark.e2e

SERVICE_ID = "12121212-1212-4121-8121-121212121212"
SECRET = "12121212-aaaa-4aaa-8aaa-000000000001"
TEMPLATE_ID = "12121212-bbbb-4bbb-8bbb-000000000001"
API_KEY = f"live-{SERVICE_ID}-{SECRET}"
WAIT_SECONDS = 30.0


def seed_file(folder: Path, url: str) -> Path:
    path = folder / "seed.toml"
    path.write_text(
        f"""
[[services]]
id = "{SERVICE_ID}"
name = "Callback Service"
  [[services.api_keys]]
  name = "live"
  secret = "{SECRET}"
  [[services.templates]]
  id = "{TEMPLATE_ID}"
  name = "Text"
  type = "sms"
  body = "Hello ((name))"
  [[services.callbacks]]
  type = "delivery_status"
  url = "{url}"
  bearer_token = "e2e-bearer-token"
""",
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(*args: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "notify_emulator", "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if requests.get(base_url + "/_emulator/health", timeout=1).status_code == 200:
                return process, base_url
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    process.kill()
    raise AssertionError("the server did not become healthy")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def callbacks(base_url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = requests.get(
        base_url + "/_emulator/callbacks", timeout=10
    ).json()["callbacks"]
    return items


def wait_for(base_url: str, predicate: Any) -> list[dict[str, Any]]:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        items = callbacks(base_url)
        if predicate(items):
            return items
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox never got there: {items}")
        time.sleep(0.05)


def send(base_url: str, name: str) -> str:
    client = NotificationsAPIClient(API_KEY, base_url=base_url)
    try:
        return client.send_sms_notification("07700900123", TEMPLATE_ID, {"name": name})["id"]
    finally:
        client.close()


def test_a_pending_retry_survives_kill_9_and_is_made_once(tmp_path: Path) -> None:
    with CallbackReceiver() as receiver:
        receiver.respond_with(500)
        args = (
            "--database",
            f"sqlite:///{tmp_path / 'kill.sqlite3'}",
            "--config",
            str(seed_file(tmp_path, receiver.url)),
            "--delivery-delays",
            "sending=0.01,final=0.02",
            "--callback-delay",
            "0",
            "--callback-retry-delay",
            "2",
        )
        process, base_url = start(*args)
        try:
            first = send(base_url, "before")
            receiver.wait_for(1, timeout=WAIT_SECONDS)
            wait_for(base_url, lambda items: items and len(items[0]["attempts"]) == 1)
        finally:
            process.kill()  # SIGKILL: no shutdown of any kind
            process.wait()
        (pending,) = [c for c in callbacks_after_restart(args) if c["notification_id"] == first]
        assert pending["state"] == "delivered"
        assert [a["status_code"] for a in pending["attempts"]] == [500, 200]
        ids = [request.json["id"] for request in receiver.requests]
        # The retry was made once, and a later receipt came after it, in order.
        assert ids[:2] == [first, first]
        assert len(ids) == 3
        assert [request.status_code for request in receiver.requests] == [500, 200, 200]


def callbacks_after_restart(args: tuple[str, ...]) -> list[dict[str, Any]]:
    process, base_url = start(*args)
    try:
        wait_for(base_url, lambda items: items and items[0]["state"] == "delivered")
        later = send(base_url, "after")
        return wait_for(
            base_url,
            lambda items: any(
                c["notification_id"] == later and c["state"] == "delivered" for c in items
            ),
        )
    finally:
        stop(process)


def test_two_worker_processes_make_each_attempt_once(tmp_path: Path) -> None:
    count = 16
    with CallbackReceiver() as receiver:
        receiver.respond_with(*([503] * (count // 2)))
        process, base_url = start(
            "--workers",
            "2",
            "--database",
            f"sqlite:///{tmp_path / 'workers.sqlite3'}",
            "--config",
            str(seed_file(tmp_path, receiver.url)),
            "--delivery-delays",
            "sending=0.01,final=0.02",
            "--callback-delay",
            "0",
            "--callback-retry-delay",
            "0.05",
        )
        try:
            sent = [send(base_url, str(index)) for index in range(count)]
            settled = wait_for(
                base_url,
                lambda items: len(items) == count and all(c["state"] == "delivered" for c in items),
            )
        finally:
            stop(process)
        assert sorted(c["notification_id"] for c in settled) == sorted(sent)
        received = Counter(request.json["id"] for request in receiver.requests)
        for callback in settled:
            assert received[callback["notification_id"]] == len(callback["attempts"])
        assert sum(received.values()) == count + count // 2
