"""Admitting sends in groups: their rate-limit tokens, daily limits and rows in one transaction.

A text or email send (notify-api.md §13) takes a token from its key type's bucket, is checked
against its service's daily limits, and, if it passed every other check, is stored and counted.
:func:`admit_sends` does that for every send that arrived together, in arrival order, in one
transaction (group commit): each bucket and each daily counter is read once and written once
for the group, the rows go in with one ``executemany``, and the transaction holds the database's
write lock from its first read (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on PostgreSQL),
so the limits are exact even for sends racing in other processes. A send's verdict is known
only after the commit, so a 201 still means the row is durable.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from notify_emulator.clock import utc_naive
from notify_emulator.rules.limits import daily_limit_exceeded
from notify_emulator.store import statements as st
from notify_emulator.store import tables as t
from notify_emulator.store.direct import DirectStatement, with_column_defaults
from notify_emulator.store.events import record_notification_events
from notify_emulator.store.rate_buckets import BucketKey, lock_database, take_tokens
from notify_emulator.store.records import DocumentRecord

__all__ = [
    "DailyCheck",
    "DailyLimitHit",
    "NotificationWrite",
    "SendAdmission",
    "Verdict",
    "admit_sends",
    "notification_row",
    "store_notifications",
]


@dataclass(frozen=True)
class DailyCheck:
    """One daily limit a send is checked against (§6.2): the channel's counter and its limit.

    ``counted`` is false for test keys, whose sends are checked against a counter that never
    moves (so only a limit of 0 refuses them).
    """

    channel: str
    limit: int
    counted: bool = True


@dataclass(frozen=True)
class NotificationWrite:
    """A notification to store: its row, the daily counters it adds to, and its files."""

    values: Mapping[str, Any]
    count_channels: Sequence[str] = ()
    documents: Sequence[DocumentRecord] = ()
    letter_pdf: bytes | None = None


@dataclass
class SendAdmission:
    """What one send needs decided at its commit, in Notify's order of checks.

    The token is taken first; then each daily check in ``daily_checks`` (the ones the send
    reached before it failed or finished); then ``write``, if the send passed everything else.
    """

    service_id: str
    key_type: str
    rate_limit: int
    day: str
    """The UTC day (``YYYY-MM-DD``) of the daily counters checked."""
    daily_checks: list[DailyCheck] = field(default_factory=list)
    write: NotificationWrite | None = None


@dataclass(frozen=True)
class DailyLimitHit:
    """A send refused by a daily limit."""

    channel: str
    limit: int


_INSERT = DirectStatement(st.INSERT_NOTIFICATION, [c.key for c in t.notifications.columns])
_DAILY_COUNT = DirectStatement(st.DAILY_COUNT)


@functools.cache
def _count_daily(dialect: str) -> DirectStatement:
    return DirectStatement(st.count_daily(dialect), ["service_id", "channel", "day", "count"])


Verdict = Literal["admitted", "rate_limited"] | DailyLimitHit
"""A send's fate: admitted (and stored, if it had a write), or refused by a limit."""


def notification_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """The row stored for a notification: its values and when its first planned step is due."""
    row = dict(values)
    steps = list(row.get("planned_steps") or [])
    row["planned_steps"] = steps
    row["next_step_at"] = step_time(steps[0]) if steps else None
    return row


def step_time(step: Mapping[str, str]) -> datetime:
    """When a planned status step is due (naive UTC)."""
    return utc_naive(datetime.fromisoformat(step["at"]))


def admit_sends(
    connection: Connection, admissions: Sequence[SendAdmission], now: float
) -> list[Verdict]:
    """Decide and store ``admissions`` in order, inside the caller's transaction.

    ``now`` is the emulator's clock in seconds (the buckets' time). The caller commits.
    """
    dialect = lock_database(connection)
    allowed = take_tokens(
        connection,
        dialect,
        [BucketKey(a.service_id, a.key_type, a.rate_limit) for a in admissions],
        now,
    )
    counts: dict[tuple[str, str, str], int] = {}
    writes: list[NotificationWrite] = []
    verdicts: list[Verdict] = []
    for admission, has_token in zip(admissions, allowed, strict=True):
        if not has_token:
            verdicts.append("rate_limited")
            continue
        hit = _daily_limit_hit(connection, admission, counts)
        if hit is not None:
            verdicts.append(hit)
            continue
        verdicts.append("admitted")
        write = admission.write
        if write is None:
            continue
        writes.append(write)
        # Later sends of the group are checked against the counts this one adds to.
        for key in _counted(write):
            if key in counts:
                counts[key] += 1
    store_notifications(connection, writes)
    return verdicts


def store_notifications(connection: Connection, writes: Sequence[NotificationWrite]) -> None:
    """Store notifications with their files, their change-log events and their daily counts,
    inside the caller's transaction: one statement for all the rows, one per counter."""
    if not writes:
        return
    rows = [notification_row(write.values) for write in writes]
    _INSERT.executemany(connection, [with_column_defaults(t.notifications, row) for row in rows])
    record_notification_events(connection, rows)
    increments: dict[tuple[str, str, str], int] = {}
    for row, write in zip(rows, writes, strict=True):
        _store_files(connection, row["id"], write)
        for key in _counted(write):
            increments[key] = increments.get(key, 0) + 1
    count_daily = _count_daily(connection.dialect.name)
    for (service_id, channel, day), count in increments.items():
        count_daily.execute(
            connection, {"service_id": service_id, "channel": channel, "day": day, "count": count}
        )


def _counted(write: NotificationWrite) -> list[tuple[str, str, str]]:
    """The daily counters (service, channel, UTC day) a stored notification adds one to."""
    values = write.values
    day = values["created_at"].strftime("%Y-%m-%d")
    return [(values["service_id"], channel, day) for channel in write.count_channels]


def _daily_limit_hit(
    connection: Connection,
    admission: SendAdmission,
    counts: dict[tuple[str, str, str], int],
) -> DailyLimitHit | None:
    for check in admission.daily_checks:
        count = 0
        if check.counted:
            key = (admission.service_id, check.channel, admission.day)
            if key not in counts:
                counts[key] = _daily_count(connection, key)
            count = counts[key]
        if daily_limit_exceeded(count, check.limit):
            return DailyLimitHit(check.channel, check.limit)
    return None


def _daily_count(connection: Connection, key: tuple[str, str, str]) -> int:
    service_id, channel, day = key
    rows = _DAILY_COUNT.execute(
        connection, {"service_id": service_id, "channel": channel, "day": day}
    )
    return int(rows[0][0] or 0) if rows else 0


def _store_files(connection: Connection, notification_id: str, write: NotificationWrite) -> None:
    # Rare (letters and emails with files), so one statement each rather than batched; after
    # the rows, as their notifications come first.
    if write.letter_pdf is not None:
        connection.execute(
            st.INSERT_LETTER_PDF, {"notification_id": notification_id, "data": write.letter_pdf}
        )
    if write.documents:
        connection.execute(
            t.documents.insert(), [document.__dict__ for document in write.documents]
        )
