"""The callback worker's question before each tick's writes: is a status step or a callback
attempt due? It must say yes whenever either would do something, on the emulator's clock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import update

from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.server import sqlite_file_url
from notify_emulator.store import Store, tables
from notify_emulator.store.outbox import CallbackSetting, enqueue

from ..emulators import demo_text, emulator_settings

NOON = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOON)


@pytest.fixture
def store(clock: FrozenClock) -> Iterator[Store]:
    # The app's store (its clock shifted by the stored offset), with no worker running.
    app = create_app(emulator_settings(clock=clock))
    store: Store = app.state.emulator.store
    try:
        yield store
    finally:
        store.close()


def _text_with_a_step_at(store: Store, due: datetime) -> None:
    store.insert_notification(
        demo_text(
            "00000000-0000-4000-8000-000000000001",
            store.now(),
            status="created",
            planned_steps=[{"status": "sending", "at": due.isoformat()}],
            next_step_at=due,
        )
    )


def test_nothing_is_due_in_an_empty_store(store: Store) -> None:
    assert store.work_due() is False


def test_a_status_step_is_due_from_its_time_until_it_is_applied(
    store: Store, clock: FrozenClock
) -> None:
    _text_with_a_step_at(store, store.now() + timedelta(seconds=2))
    assert store.work_due() is False
    clock.advance(2)
    assert store.work_due() is True
    assert store.advance_due_statuses() == 1
    assert store.work_due() is False


def test_moving_the_emulators_clock_makes_a_step_due(store: Store) -> None:
    _text_with_a_step_at(store, store.now() + timedelta(hours=1))
    assert store.work_due() is False
    store.clock_offset.advance(timedelta(hours=1))
    assert store.work_due() is True


def test_a_pending_callback_is_due_from_its_attempt_time_until_it_is_settled(
    store: Store, clock: FrozenClock
) -> None:
    setting = CallbackSetting(demo.SERVICE_ID, "delivery_status", "https://example.com/cb", "t")
    with store.db.begin() as connection:
        enqueue(
            connection,
            setting,
            {"id": "x"},
            first_attempt_at=store.now() + timedelta(seconds=5),
            now=store.now(),
        )
    assert store.work_due() is False
    clock.advance(5)
    assert store.work_due() is True
    with store.db.begin() as connection:
        connection.execute(update(tables.callbacks).values(state="delivered"))
    assert store.work_due() is False


def test_a_read_with_no_step_due_answers_while_another_process_holds_the_write_lock(
    tmp_path: Path, clock: FrozenClock
) -> None:
    # Applying due steps takes the write lock; a read that finds none due must not wait for
    # it (the fixture's sent() reads just after each send, before any step is due).
    path = tmp_path / "emulator.sqlite3"
    store: Store = create_app(
        emulator_settings(sqlite_file_url(path), clock=clock)
    ).state.emulator.store
    try:
        notification_id = "00000000-0000-4000-8000-000000000002"
        store.insert_notification(demo_text(notification_id, store.now()))
        other_process = sqlite3.connect(path, timeout=0)
        try:
            other_process.execute("BEGIN IMMEDIATE")
            page = store.notifications_page(None, None, 10)
        finally:
            other_process.rollback()
            other_process.close()
        assert [record.id for record in page] == [notification_id]
    finally:
        store.close()
