"""The web inbox's reads (store/inbox.py) and the change log, on real SQLite."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, tuple_

from notify_emulator.clock import FrozenClock
from notify_emulator.store import Store
from notify_emulator.store import events as events_module
from notify_emulator.store import tables as t
from notify_emulator.store.inbox import (
    InboxFilters,
    events_after,
    latest_event_seq,
    notifications_page,
)
from notify_emulator.store.migrations import INBOX_INDEXES, migrate


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = Store.open(f"sqlite:///{tmp_path / 'inbox.sqlite3'}", FrozenClock())
    # A service for the notifications' foreign key.
    with opened.db.begin() as connection:
        connection.execute(
            t.services.insert().values(
                id="s1",
                name="S",
                rate_limit=1,
                sms_message_limit=1,
                email_message_limit=1,
                letter_message_limit=1,
                international_sms_message_limit=1,
                permissions=[],
                guest_list=[],
                created_at=datetime(2026, 1, 1),
            )
        )
    return opened


def insert(store: Store, number: int, *, notification_type: str = "sms") -> str:
    notification_id = f"00000000-0000-4000-8000-{number:012d}"
    store.insert_notification(
        {
            "id": notification_id,
            "service_id": "s1",
            "key_type": "normal",
            "notification_type": notification_type,
            "template_id": "t1",
            "template_version": 1,
            "recipient": "07700900123",
            "normalised_recipient": "447700900123",
            "personalisation": {},
            "status": "created",
            "planned_steps": [],
            # Two at each time: the id breaks the tie.
            "created_at": datetime(2026, 1, 1) + timedelta(seconds=number // 2),
        }
    )
    return notification_id


def plan(store: Store, statement: object) -> str:
    compiled = statement.compile(store.engine, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
    with store.engine.connect() as connection:
        rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return " | ".join(str(row[-1]) for row in rows)


def test_pages_follow_on_exactly_with_ties_in_created_at(store: Store) -> None:
    ids = [insert(store, n) for n in range(25)]
    seen: list[str] = []
    after = None
    while True:
        page = notifications_page(store, InboxFilters(), after=after, limit=7)
        if not page:
            break
        seen += [record.id for record in page]
        after = (page[-1].created_at, page[-1].id)
    assert seen == list(reversed(ids))
    emails = notifications_page(
        store, InboxFilters(notification_types=frozenset({"email"})), after=None, limit=7
    )
    assert emails == []


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (InboxFilters(), "ix_notifications_created"),
        (InboxFilters(notification_types=frozenset({"sms"})), "ix_notifications_created"),
        (InboxFilters(service_id="s1"), "ix_notifications_service_created"),
        (InboxFilters(service_id="s1", key_types=frozenset({"test"})), "ix_notifications_list"),
    ],
)
def test_a_page_is_one_range_read_of_an_index(
    store: Store, filters: InboxFilters, index: str
) -> None:
    # Read in index order, never sorted: the cost of a page does not grow with the table.
    n = t.notifications.c
    statement = (
        select(t.notifications)
        .where(*filters.conditions())
        .where(tuple_(n.created_at, n.id) < tuple_(datetime(2026, 1, 2), "x"))
        .order_by(n.created_at.desc(), n.id.desc())
        .limit(50)
    )
    found = plan(store, statement)
    assert index in found
    assert "TEMP B-TREE" not in found


def test_the_change_log_records_creation_status_changes_and_reset(store: Store) -> None:
    start = latest_event_seq(store)
    sent = insert(store, 1)
    store.force_status(sent, "delivered")
    text_record = store.insert_received_text("s1", "447700900111", "hi", notify_number=None)
    log = events_after(store, start, limit=10)
    assert [(event.kind, event.data.get("id"), event.data.get("status")) for event in log] == [
        ("notification", sent, "created"),
        ("notification", sent, "delivered"),
        ("received_text", text_record.id, None),
    ]
    assert [event.seq for event in log] == sorted(event.seq for event in log)
    # A reset empties the log but for one "reset" event, and the sequence goes on: a stream
    # that has seen seq N never misses what comes next.
    store.reset_activity()
    after_reset = events_after(store, start, limit=10)
    assert [(event.kind, event.data) for event in after_reset] == [("reset", {})]
    assert after_reset[0].seq > log[-1].seq
    insert(store, 2)
    assert events_after(store, after_reset[0].seq, limit=10)[0].kind == "notification"


def test_the_change_log_is_trimmed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_module, "EVENT_TRIM_EVERY", 5)
    monkeypatch.setattr(events_module, "EVENTS_KEPT", 8)
    for number in range(30):
        insert(store, number)
    assert store.count_rows("activity_events") <= 8 + 5


def test_migration_8_is_idempotent_and_creates_the_indexes(store: Store) -> None:
    assert migrate(store.engine) == []
    with store.engine.connect() as connection:
        names = {
            row[0]
            for row in connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'index'")
            )
        }
    assert set(INBOX_INDEXES) <= names
