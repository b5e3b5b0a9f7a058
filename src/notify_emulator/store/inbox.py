"""The web inbox's reads: every notification and received text, newest first, keyset-paged, and
the change log its live updates follow.

Each page is one range read of an index in order (``ix_notifications_created``,
``ix_received_texts_created``, ``ix_notifications_recipient``, ``ix_received_texts_user``,
migration 8), so a page costs the same whether the database holds a thousand rows or millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, tuple_

from notify_emulator.store import tables as t
from notify_emulator.store.records import NotificationRecord, ReceivedTextRecord
from notify_emulator.store.store import Store, _notification

__all__ = [
    "ActivityEvent",
    "InboxFilters",
    "Position",
    "conversation",
    "events_after",
    "latest_event_seq",
    "notification_position",
    "notifications_page",
    "received_text_position",
    "received_texts_page",
]

Position = tuple[datetime, str]
"""Where a keyset page starts: the (created_at, id) of the row before it."""


@dataclass(frozen=True)
class InboxFilters:
    """What the inbox list is narrowed to; ``None`` is "any"."""

    notification_types: frozenset[str] | None = None
    statuses: frozenset[str] | None = None
    key_types: frozenset[str] | None = None
    service_id: str | None = None
    template_id: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The WHERE clauses these filters stand for."""
        n = t.notifications.c
        conditions: list[ColumnElement[bool]] = []
        if self.notification_types is not None:
            conditions.append(n.notification_type.in_(sorted(self.notification_types)))
        if self.statuses is not None:
            conditions.append(n.status.in_(sorted(self.statuses)))
        if self.key_types is not None:
            conditions.append(n.key_type.in_(sorted(self.key_types)))
        if self.service_id is not None:
            conditions.append(n.service_id == self.service_id)
        if self.template_id is not None:
            conditions.append(n.template_id == self.template_id)
        return conditions


@dataclass(frozen=True)
class ActivityEvent:
    """One entry of the change log: ``kind`` is ``notification``, ``received_text`` or
    ``reset``; ``data`` is what the events stream sends."""

    seq: int
    kind: str
    data: dict[str, Any]


def notification_position(store: Store, notification_id: str) -> Position | None:
    """The keyset position of a notification (None if there is no such notification)."""
    n = t.notifications.c
    with store.db.connect() as connection:
        row = connection.execute(select(n.created_at, n.id).where(n.id == notification_id)).first()
    return (row.created_at, row.id) if row else None


def notifications_page(
    store: Store, filters: InboxFilters, *, after: Position | None, limit: int
) -> list[NotificationRecord]:
    """Up to ``limit`` notifications older than ``after`` (or the newest), newest first."""
    n = t.notifications.c
    statement = select(t.notifications).where(*filters.conditions())
    statement = _keyset(statement, tuple_(n.created_at, n.id), after)
    statement = statement.order_by(n.created_at.desc(), n.id.desc()).limit(limit)
    with store.db.connect() as connection:
        rows = connection.execute(statement).all()
    return [_notification(row._mapping) for row in rows]


def received_text_position(store: Store, text_id: str) -> Position | None:
    """The keyset position of a received text."""
    r = t.received_texts.c
    with store.db.connect() as connection:
        row = connection.execute(select(r.created_at, r.id).where(r.id == text_id)).first()
    return (row.created_at, row.id) if row else None


def received_texts_page(
    store: Store, *, service_id: str | None, after: Position | None, limit: int
) -> list[ReceivedTextRecord]:
    """Up to ``limit`` received texts (of every service, or one) older than ``after``."""
    r = t.received_texts.c
    statement = select(t.received_texts)
    if service_id is not None:
        statement = statement.where(r.service_id == service_id)
    statement = _keyset(statement, tuple_(r.created_at, r.id), after)
    statement = statement.order_by(r.created_at.desc(), r.id.desc()).limit(limit)
    with store.db.connect() as connection:
        rows = connection.execute(statement).all()
    return [ReceivedTextRecord(**row._mapping) for row in rows]


def conversation(
    store: Store, phone_number: str, *, limit: int
) -> tuple[list[NotificationRecord], list[ReceivedTextRecord]]:
    """The newest ``limit`` texts sent to and received from a number (normalised form), each
    newest first."""
    n = t.notifications.c
    r = t.received_texts.c
    sent_query = (
        select(t.notifications)
        .where(n.normalised_recipient == phone_number, n.notification_type == "sms")
        .order_by(n.created_at.desc())
        .limit(limit)
    )
    received_query = (
        select(t.received_texts)
        .where(r.user_number == phone_number)
        .order_by(r.created_at.desc())
        .limit(limit)
    )
    with store.db.connect() as connection:
        sent = [_notification(row._mapping) for row in connection.execute(sent_query).all()]
        received = [
            ReceivedTextRecord(**row._mapping) for row in connection.execute(received_query).all()
        ]
    return sent, received


def latest_event_seq(store: Store) -> int:
    """The seq of the newest change-log entry (0 when there is none)."""
    with store.db.connect() as connection:
        value = connection.execute(select(func.max(t.activity_events.c.seq))).scalar()
    return int(value or 0)


def events_after(store: Store, seq: int, *, limit: int) -> list[ActivityEvent]:
    """Change-log entries after ``seq``, oldest first (a primary-key range read)."""
    e = t.activity_events.c
    with store.db.connect() as connection:
        rows = connection.execute(
            select(e.seq, e.kind, e.data).where(e.seq > seq).order_by(e.seq).limit(limit)
        ).all()
    return [ActivityEvent(seq=row.seq, kind=row.kind, data=dict(row.data or {})) for row in rows]


def _keyset(statement: Select[Any], key: Any, after: Position | None) -> Select[Any]:
    # A row-value comparison, which SQLite (3.15+) and PostgreSQL both answer from the index.
    if after is None:
        return statement
    return statement.where(key < tuple_(*after))
