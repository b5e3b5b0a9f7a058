"""A notification's callbacks on its page, their events, and a returned letter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from notify_emulator.callbacks.receiver import CallbackReceiver
from tests.emulator.emulator_harness import Running

from .conftest import PAGES_LETTER_TEMPLATE_ID, PAGES_SERVICE_ID, PAGES_SMS_TEMPLATE_ID, get
from .test_events import events, open_stream
from .test_list import client
from .test_notification import ADDRESS

TOKEN = "a-bearer-token-never-shown"


@pytest.fixture
def receiver(emulator: Running) -> Iterator[CallbackReceiver]:
    """A receiver the service's delivery receipts go to, for one test."""
    path = f"/_emulator/services/{PAGES_SERVICE_ID}/callbacks"
    with CallbackReceiver() as running:
        answer = requests.post(
            emulator.base_url + path,
            json={"type": "delivery_status", "url": running.url, "bearer_token": TOKEN},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        try:
            yield running
        finally:
            requests.post(
                emulator.base_url + path, json={"type": "delivery_status", "url": ""}, timeout=10
            )


def test_a_delivery_receipt_on_the_page_and_in_the_events(
    emulator: Running, receiver: CallbackReceiver
) -> None:
    with open_stream(emulator.base_url) as response:
        stream = events(response)
        sent = client(emulator).send_sms_notification(
            "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
        )["id"]
        emulator.clock.advance(5)  # delivered: the receipt is queued and, once due, sent
        seen: list[tuple[str, object]] = []
        while ("callback", "delivered") not in seen:
            kind, data = next(stream)[1:]
            if kind == "callback":
                assert data["notification_id"] == sent
                assert data["type"] == "delivery_status"
                seen.append((kind, data["state"]))
                emulator.clock.advance(1)  # the callback delay runs on the emulator's clock
        assert ("callback", "pending") in seen
    [delivered] = receiver.wait_for(1)
    assert delivered.json["id"] == sent
    page = get(emulator, f"/notifications/{sent}").text
    assert "Delivery receipt" in page
    assert receiver.url in page
    assert "HTTP 200" in page
    assert 'callback__state--delivered">delivered' in page
    assert "&#34;status&#34;: &#34;delivered&#34;" in page  # the body sent, as JSON
    assert 'data-json-post="/_emulator/callbacks/' in page
    assert TOKEN not in page


def test_a_page_without_callbacks_says_so(emulator: Running) -> None:
    sent = client(emulator).send_sms_notification(
        "07700900123", PAGES_SMS_TEMPLATE_ID, {"code": "1"}
    )["id"]
    assert "the service has no callback set" in get(emulator, f"/notifications/{sent}").text


def test_a_returned_letter(emulator: Running) -> None:
    sent = client(emulator).send_letter_notification(
        PAGES_LETTER_TEMPLATE_ID, {**ADDRESS, "name": "Ada"}
    )["id"]
    emulator.clock.advance(2 * 24 * 3600)  # past the letter's print run: it can come back
    with open_stream(emulator.base_url) as response:
        stream = events(response)
        answer = requests.post(
            emulator.base_url + f"/_emulator/notifications/{sent}/return", json={}, timeout=10
        )
        assert answer.status_code == 200, answer.text
        # Statuses that fell due before the return may come first.
        data = next(
            event
            for _, kind, event in stream
            if kind == "notification" and event["internal_status"] == "returned-letter"
        )
        assert data["id"] == sent
        assert data["status"] == "received"  # as the v2 API shows it
    page = get(emulator, f"/notifications/{sent}").text
    assert '<span class="status status--done">Returned</span>' in page
    assert "This letter was returned to the sender." in page
