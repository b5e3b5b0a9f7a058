"""The outbox shared: two emulators (each with its own store and worker, as two processes
would have) on one database deliver each attempt once; the emulator's clock drives retries."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from notify_emulator.callbacks import CallbackReceiver
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.store import tables
from notify_emulator.store.engine import create_database_engine

from .callback_harness import Served, fast_settings, receiving, serving

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")
MESSAGES = 24


def deliver_through_two_workers(database_url: str) -> None:
    with ExitStack() as stack:
        first = stack.enter_context(serving(fast_settings(database_url)))
        second = stack.enter_context(serving(fast_settings(database_url)))
        receiver = stack.enter_context(CallbackReceiver())
        # Some first attempts fail, so retries are claimed by both workers too. Attempts go
        # out concurrently, so which callback meets each 500 is chance: fewer than six in all,
        # so that none can use up its attempts.
        receiver.respond_with(*([500, 200] * 5))
        first.set_callbacks(receiver.url, types=("delivery_status",))
        sent = []
        for index in range(MESSAGES):
            via = first if index % 2 == 0 else second
            answer = via.client().send_sms_notification(
                "07700900123", demo.SMS_TEMPLATE_ID, {"name": str(index)}
            )
            sent.append(answer["id"])
        callbacks = first.wait_until(
            lambda items: len(items) >= MESSAGES and all(i["state"] == "delivered" for i in items),
            what="every receipt delivered",
        )
        # Each notification was queued once, although both workers advanced its status.
        assert sorted(c["notification_id"] for c in callbacks) == sorted(sent)
        assert len(callbacks) == MESSAGES
        received = Counter(request.json["id"] for request in receiver.requests)
        for callback in callbacks:
            # No attempt was made twice: the receiver saw exactly the attempts recorded.
            assert received[callback["notification_id"]] == len(callback["attempts"])
        assert sum(received.values()) == sum(len(c["attempts"]) for c in callbacks)
        second.set_callbacks("", types=("delivery_status",))


def test_two_workers_on_one_sqlite_file_make_each_attempt_once(tmp_path: Path) -> None:
    deliver_through_two_workers(f"sqlite:///{tmp_path / 'shared.sqlite3'}")


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL is not set")
def test_two_workers_on_one_postgres_database_make_each_attempt_once() -> None:
    engine = create_database_engine(POSTGRES_URL)
    tables.metadata.drop_all(engine)
    engine.dispose()
    deliver_through_two_workers(POSTGRES_URL)


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[tuple[Served, FrozenClock]]:
    clock = FrozenClock(datetime.now(timezone.utc))
    settings = fast_settings(
        f"sqlite:///{tmp_path / 'clock.sqlite3'}", clock=clock, callback_retry_delay=300.0
    )
    with serving(settings) as served:
        yield served, clock


def test_the_emulator_clock_drives_statuses_and_retries(
    frozen: tuple[Served, FrozenClock],
) -> None:
    served, clock = frozen
    with receiving(served, 500) as receiver:
        sent = served.client().send_sms_notification(
            "07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"}
        )
        assert served.callbacks() == []  # the clock has not moved: still created
        clock.advance(1)
        # Nobody reads the notification: the worker applies its status and sends the receipt.
        receiver.wait_for(1)
        (pending,) = served.wait_until(
            lambda items: items and items[0]["attempts"], what="the first attempt"
        )
        assert pending["state"] == "pending"
        first_at = datetime.strptime(pending["attempts"][0]["at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        next_at = datetime.strptime(pending["next_attempt_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        assert next_at - first_at == timedelta(seconds=300)
        clock.advance(300)
        (delivered,) = served.wait_settled(1)
    assert delivered["notification_id"] == sent["id"]
    assert [a["status_code"] for a in delivered["attempts"]] == [500, 200]
    assert len(receiver.requests) == 2
