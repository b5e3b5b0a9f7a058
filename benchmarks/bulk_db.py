"""Filling an emulator database with many notifications quickly.

A real notification is first sent through the emulator (so every column holds what the emulator
itself writes), then cloned inside SQLite by one ``INSERT … SELECT`` over a counting sequence:
fresh random version-4 ids, one creation time per row going back in time, and a finished
lifecycle (``delivered``, nothing planned) so that no background work wakes up for the clones.
Generating the rows in SQL rather than in Python keeps a million-row build to seconds.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

# The clones are this far apart, newest first from just before the real notification:
# a million rows span under three hours, well inside any retention window.
CLONE_SPACING_MICROSECONDS = 10_000
# How SQLAlchemy's SQLite DateTime type stores naive timestamps.
SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
BULK_CACHE_KIB = 1_000_000

# A random RFC 4122 version-4 UUID in canonical lower-case form.
_UUID4_SQL = (
    "lower(printf('%s-%s-4%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)),"
    " substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1),"
    " substr(hex(randomblob(2)), 2), hex(randomblob(6))))"
)


def _timestamp_sql(microseconds: str) -> str:
    """SQL for SQLAlchemy's naive timestamp text from an epoch-microseconds expression."""
    return (
        f"strftime('%Y-%m-%d %H:%M:%S', ({microseconds}) / 1000000, 'unixepoch')"
        f" || printf('.%06d', ({microseconds}) % 1000000)"
    )


def _column_sql(name: str) -> str:
    created = "base.us - seq.i * :spacing"
    finished = f"{created} + 5000000"
    overrides = {
        "id": _UUID4_SQL,
        "created_at": _timestamp_sql(created),
        "status": "'delivered'",
        "planned_steps": "'[]'",
        "next_step_at": "NULL",
        "sent_at": _timestamp_sql(created),
        "updated_at": _timestamp_sql(finished),
        "completed_at": _timestamp_sql(finished),
    }
    return overrides.get(name, f"original.{name}")


def clone_notifications(database: Path, count: int) -> None:
    """Add ``count`` copies of the one notification in ``database``, each older than the last."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    connection = sqlite3.connect(database)
    try:
        originals = connection.execute("SELECT id, created_at FROM notifications").fetchall()
        if len(originals) != 1:
            raise RuntimeError(f"expected one notification to clone, found {len(originals)}")
        original_id, created_at = originals[0]
        newest = datetime.strptime(created_at, SQLITE_DATETIME_FORMAT).replace(tzinfo=timezone.utc)
        newest_us = int(newest.timestamp()) * 1_000_000 + newest.microsecond
        columns = [row[1] for row in connection.execute("PRAGMA table_info(notifications)")]
        insert = (
            f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :count)"
            f" INSERT INTO notifications ({', '.join(columns)})"
            f" SELECT {', '.join(_column_sql(name) for name in columns)}"
            f" FROM seq, (SELECT :newest_us AS us) AS base,"
            f" (SELECT * FROM notifications WHERE id = :original_id) AS original"
        )
        # A bulk load of throw-away data: no need to survive a crash while it is written, and a
        # rollback journal (instead of the WAL) writes every page once, not twice. A large page
        # cache keeps the random-id primary key index in memory while it grows.
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        with connection:
            connection.execute(
                insert,
                {
                    "count": count,
                    "spacing": CLONE_SPACING_MICROSECONDS,
                    "newest_us": newest_us,
                    "original_id": original_id,
                },
            )
        # Hand the file back in the journal mode the emulator uses.
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def notification_at_depth(database: Path, depth: int) -> str:
    """The id of the notification with ``depth`` newer ones before it (newest first)."""
    connection = sqlite3.connect(database)
    try:
        row = connection.execute(
            "SELECT id FROM notifications ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?",
            (depth,),
        ).fetchone()
    finally:
        connection.close()
    if row is None:
        raise RuntimeError(f"no notification at depth {depth}")
    notification_id: str = row[0]
    return notification_id
