"""The change log (``activity_events``, migration 8) that the web inbox's live updates follow.

Every write that creates a notification or received text, changes a status, queues or attempts
a callback, or resets everything appends an event in its own transaction, so the events stream
of every process sharing the database sees it (``GET /_emulator/events``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select

from notify_emulator.rules.lifecycle import api_status
from notify_emulator.store import statements as st
from notify_emulator.store import tables as t
from notify_emulator.store.direct import DirectStatement

__all__ = [
    "EVENTS_KEPT",
    "EVENT_TRIM_EVERY",
    "record_callback_event",
    "record_event",
    "record_notification_event",
    "record_notification_events",
    "restart_event_log",
]

# The log keeps about this many recent events (the inbox's live updates only need the last few
# seconds'); it is trimmed every EVENT_TRIM_EVERY events.
EVENTS_KEPT = 10_000
EVENT_TRIM_EVERY = 1_000


def record_event(connection: Connection, kind: str, data: Mapping[str, object]) -> None:
    """Append an event to the log in the caller's transaction."""
    result = connection.execute(st.INSERT_ACTIVITY_EVENT, {"kind": kind, "data": dict(data)})
    seq = result.inserted_primary_key[0] if result.inserted_primary_key else None
    if seq is not None and seq % EVENT_TRIM_EVERY == 0:
        connection.execute(
            delete(t.activity_events).where(t.activity_events.c.seq <= seq - EVENTS_KEPT)
        )


def record_notification_event(
    connection: Connection, notification_id: str, notification_type: str, status: str
) -> None:
    """A ``notification`` event: one was created, or its status changed."""
    record_event(
        connection, "notification", _notification_data(notification_id, notification_type, status)
    )


def record_notification_events(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """A ``notification`` event for each new row (``id``, ``notification_type``, ``status``),
    in one statement; the log is trimmed about every :data:`EVENT_TRIM_EVERY` events."""
    global _added_since_trim
    _DIRECT_INSERT.executemany(
        connection,
        [
            {
                "kind": "notification",
                "data": _notification_data(row["id"], row["notification_type"], row["status"]),
            }
            for row in rows
        ],
    )
    _added_since_trim += len(rows)
    if _added_since_trim >= EVENT_TRIM_EVERY:
        _added_since_trim = 0
        newest = select(func.max(t.activity_events.c.seq)).scalar_subquery()
        connection.execute(
            delete(t.activity_events).where(t.activity_events.c.seq <= newest - EVENTS_KEPT)
        )


_DIRECT_INSERT = DirectStatement(st.INSERT_ACTIVITY_EVENT, ["kind", "data"])
_DIRECT_EMPTY = DirectStatement(delete(t.activity_events))
# Events added in groups since this process last trimmed the log (a group's inserts do not
# report their sequence numbers, so the trim cannot follow them as record_event does).
_added_since_trim = 0


def _notification_data(notification_id: str, notification_type: str, status: str) -> dict[str, str]:
    return {
        "id": notification_id,
        "status": api_status(notification_type, status),
        "internal_status": status,
        "type": notification_type,
    }


def record_callback_event(connection: Connection, row: Mapping[Any, Any]) -> None:
    """A ``callback`` event: one was queued, attempted or made due again (``row`` holds the
    callback's id, callback_type, notification_id, received_text_id and state)."""
    record_event(
        connection,
        "callback",
        {
            "id": row["id"],
            "type": row["callback_type"],
            "notification_id": row["notification_id"],
            "received_text_id": row["received_text_id"],
            "state": row["state"],
        },
    )


def restart_event_log(connection: Connection) -> None:
    """Empty the log but for one ``reset`` event, which tells open pages to start afresh (a
    reset before every test runs this, so it runs on the driver's cursor; the log left holds
    one event, so it needs no trimming)."""
    _DIRECT_EMPTY.write(connection, {})
    _DIRECT_INSERT.write(connection, {"kind": "reset", "data": {}})
