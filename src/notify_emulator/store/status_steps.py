"""Applying due status steps: the planned statuses of notifications whose time has come.

Every text and email takes two steps after its creation (``sending``, then its final status),
so a busy emulator applies two steps for each send it answers. They are applied a group of rows
at a time in one transaction that holds the rows from its first read: on SQLite the write lock
(``BEGIN IMMEDIATE``), on PostgreSQL the rows themselves (``FOR UPDATE SKIP LOCKED``, so two
processes share a backlog instead of queueing for it). With the rows held, every conditional
``UPDATE`` applies, so one ``executemany`` writes the whole group, the change log takes one
more, and only a status that sends a delivery receipt to a service with a callback builds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from notify_emulator.rules.lifecycle import Step, after_steps
from notify_emulator.store import tables as t
from notify_emulator.store.admissions import step_time
from notify_emulator.store.direct import DirectStatement
from notify_emulator.store.events import record_notification_events
from notify_emulator.store.outbox import DeliveryStatusCallbacks
from notify_emulator.store.rate_buckets import lock_database

__all__ = ["StepsNotApplied", "apply_due_steps"]

_n = t.notifications.c

_DUE_COLUMNS = (
    _n.id,
    _n.service_id,
    _n.notification_type,
    _n.status,
    _n.reference,
    _n.recipient,
    _n.created_at,
    _n.sent_at,
    _n.template_id,
    _n.template_version,
    _n.planned_steps,
    _n.next_step_at,
)
_COLUMN_NAMES = tuple(column.key for column in _DUE_COLUMNS)

# The earliest due first, by their index; rows are taken in one order by every process (ties
# by id), so two never deadlock.
_DUE_ROWS = DirectStatement(
    select(*_DUE_COLUMNS)
    .where(_n.next_step_at <= bindparam("now", type_=_n.next_step_at.type))
    .order_by(_n.next_step_at, _n.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)

# A planned step applied to a row still as it was read.
_ADVANCE_STATUS = DirectStatement(
    update(t.notifications)
    .where(
        _n.id == bindparam("row_id", type_=_n.id.type),
        _n.status == bindparam("was_status", type_=_n.status.type),
        _n.next_step_at == bindparam("was_next_step_at", type_=_n.next_step_at.type),
    )
    .values(
        status=bindparam("new_status", type_=_n.status.type),
        updated_at=bindparam("new_updated_at", type_=_n.updated_at.type),
        sent_at=bindparam("new_sent_at", type_=_n.sent_at.type),
        completed_at=bindparam("new_completed_at", type_=_n.completed_at.type),
        planned_steps=bindparam("new_planned_steps", type_=_n.planned_steps.type),
        next_step_at=bindparam("new_next_step_at", type_=_n.next_step_at.type),
    )
)


class StepsNotApplied(RuntimeError):
    """Fewer rows changed than were held: the transaction is rolled back, to be tried again."""


def apply_due_steps(
    connection: Connection, now: datetime, limit: int, callback_delay: timedelta
) -> tuple[int, int]:
    """Apply the due steps of up to ``limit`` rows in the caller's transaction, queueing the
    delivery receipts they fire; returns (rows changed, rows read)."""
    lock_database(connection)
    rows = _DUE_ROWS.execute(connection, {"now": now, "limit": limit})
    receipts = DeliveryStatusCallbacks(connection, callback_delay, now)
    changes: list[dict[str, Any]] = []
    events: list[dict[str, str]] = []
    for values in rows:
        row = dict(zip(_COLUMN_NAMES, values, strict=True))
        steps: list[Mapping[str, str]] = list(row["planned_steps"] or [])
        due = [step for step in steps if step_time(step) <= now]
        if not due:
            continue
        remaining = steps[len(due) :]
        happened = [Step(step["status"], step_time(step)) for step in due]
        status = happened[-1].status
        times = after_steps(row["sent_at"], happened)
        changes.append(
            {
                "row_id": row["id"],
                "was_status": row["status"],
                "was_next_step_at": row["next_step_at"],
                "new_status": status,
                "new_updated_at": times.updated_at,
                "new_sent_at": times.sent_at,
                "new_completed_at": times.completed_at,
                "new_planned_steps": remaining,
                "new_next_step_at": step_time(remaining[0]) if remaining else None,
            }
        )
        events.append(
            {"id": row["id"], "notification_type": row["notification_type"], "status": status}
        )
        if receipts.wanted(row["service_id"], row["notification_type"], status):
            row.update(status=status, updated_at=times.updated_at, sent_at=times.sent_at)
            receipts.status_changed(row)
    if changes:
        changed = _ADVANCE_STATUS.executemany(connection, changes)
        if changed != len(changes):
            # Cannot happen while the rows are held; if it does, nothing of this group stays.
            raise StepsNotApplied(f"{changed} of {len(changes)} status steps applied")
        record_notification_events(connection, events)
    return len(changes), len(rows)
