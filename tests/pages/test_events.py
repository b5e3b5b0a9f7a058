"""GET /_emulator/events: server-sent events read from the database's change log."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import requests

from tests.emulator.emulator_harness import Running

from .conftest import PAGES_SMS_TEMPLATE_ID
from .test_list import client
from .test_received import receive

# How long a test waits for an event before failing (the stream polls every 0.25 s).
WAIT_SECONDS = 10


def events(response: requests.Response) -> Iterator[tuple[str, str, dict[str, object]]]:
    """(id, event, data) of each event the stream sends."""
    fields: dict[str, str] = {}
    # One byte at a time: a bigger chunk would wait for more than an event holds.
    for line in response.iter_lines(chunk_size=1, decode_unicode=True):
        if line == "":
            if "event" in fields:
                yield fields.get("id", ""), fields["event"], json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value


def open_stream(base_url: str, **headers: str) -> requests.Response:
    response = requests.get(
        base_url + "/_emulator/events",
        stream=True,
        headers=headers,
        timeout=WAIT_SECONDS,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return response


def test_creation_status_changes_received_texts_and_reset(emulator: Running) -> None:
    with open_stream(emulator.base_url) as response:
        stream = events(response)
        sent = client(emulator).send_sms_notification(
            "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
        )["id"]
        assert next(stream)[1:] == (
            "notification",
            {"id": sent, "status": "created", "internal_status": "created", "type": "sms"},
        )
        # Statuses move on when read: the stream's own poll applies the due steps.
        emulator.clock.advance(1.5)
        assert next(stream)[2]["status"] == "sending"
        emulator.clock.advance(5)
        assert next(stream)[2]["status"] == "delivered"
        forced = requests.post(
            emulator.base_url + f"/_emulator/notifications/{sent}/status",
            json={"status": "permanent-failure"},
            timeout=10,
        )
        assert forced.status_code == 200
        assert next(stream)[2] == {
            "id": sent,
            "status": "permanent-failure",
            "internal_status": "permanent-failure",
            "type": "sms",
        }
        text = receive(emulator, "07700900111", "hi")
        kind, data = next(stream)[1:]
        assert (kind, data["id"], data["user_number"]) == ("received_text", text, "447700900111")
        assert requests.post(emulator.base_url + "/_emulator/reset", timeout=10).ok
        assert next(stream)[1:] == ("reset", {})


def test_a_reconnecting_browser_carries_on_after_its_last_event(emulator: Running) -> None:
    with open_stream(emulator.base_url) as response:
        stream = events(response)
        client(emulator).send_sms_notification("07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"})
        last_id, _, _ = next(stream)
    # Sent while no stream is open: a reconnect with Last-Event-ID still hears of it.
    missed = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "2"}
    )["id"]
    with open_stream(emulator.base_url, **{"Last-Event-ID": last_id}) as response:
        event_id, kind, data = next(events(response))
        assert (kind, data["id"]) == ("notification", missed)
        assert int(event_id) > int(last_id)


def test_a_new_stream_starts_from_now(emulator: Running) -> None:
    client(emulator).send_sms_notification("07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "old"})
    with open_stream(emulator.base_url) as response:
        stream = events(response)
        received: list[dict[str, object]] = []
        done = threading.Event()

        def read() -> None:
            received.append(next(stream)[2])
            done.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        new = client(emulator).send_sms_notification(
            "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "new"}
        )["id"]
        assert done.wait(WAIT_SECONDS)
        assert received[0]["id"] == new
