"""Callbacks on the emulator's clock: moving it with POST /_emulator/clock brings a retry on,
while the client's tokens and the callback worker's leases stay on real time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from notify_emulator.demo import service as demo

from .callback_harness import Served, fast_settings, receiving, serving


@pytest.fixture
def slow_retries(tmp_path: Path) -> Iterator[Served]:
    # The real clock, and Notify's own five minutes between attempts.
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'retries.sqlite3'}", callback_retry_delay=300.0
    )
    with serving(settings) as served:
        yield served


def test_moving_the_clock_brings_a_callback_retry_on(slow_retries: Served) -> None:
    served = slow_retries
    with receiving(served, 500) as receiver:
        sent = served.client().send_sms_notification(
            "07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"}
        )
        receiver.wait_for(1)
        (pending,) = served.wait_until(
            lambda items: items and items[0]["attempts"], what="the first attempt"
        )
        assert pending["state"] == "pending"
        moved = served.admin("POST", "/_emulator/clock", json={"advance_seconds": 300})
        assert moved.status_code == 200, moved.text
        (delivered,) = served.wait_settled(1)
    assert delivered["notification_id"] == sent["id"]
    assert [attempt["status_code"] for attempt in delivered["attempts"]] == [500, 200]
    assert len(receiver.requests) == 2
