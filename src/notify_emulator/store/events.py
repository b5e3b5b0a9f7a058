"""The change log (``activity_events``, migration 8) that the web inbox's live updates follow.

Every write that creates a notification or received text, changes a status, queues or attempts
a callback, or resets everything appends an event in its own transaction, so the events stream
of every process sharing the database sees it (``GET /_emulator/events``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, delete

from notify_emulator.rules.lifecycle import api_status
from notify_emulator.store import statements as st
from notify_emulator.store import tables as t

__all__ = [
    "EVENTS_KEPT",
    "EVENT_TRIM_EVERY",
    "record_callback_event",
    "record_event",
    "record_notification_event",
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
        connection,
        "notification",
        {
            "id": notification_id,
            "status": api_status(notification_type, status),
            "internal_status": status,
            "type": notification_type,
        },
    )


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
