"""The store's hot statements, built once with bound parameters.

SQLAlchemy reuses a statement's compiled form from its cache, but building a new statement
object and computing its cache key on every call was a measurable share of each send.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from sqlalchemy import Select, bindparam, select

from notify_emulator.store import tables as t


def template_select() -> Select[Any]:
    """Every column of a template version joined with its template's own state."""
    v = t.template_versions.c
    return select(
        t.templates.c.id,
        t.templates.c.service_id,
        t.templates.c.template_type,
        v.version,
        t.templates.c.archived,
        t.templates.c.hidden,
        v.name,
        v.subject,
        v.body,
        v.letter_contact_block,
        v.postage,
        v.created_by,
        v.created_at,
        v.updated_at,
        t.templates.c.has_unsubscribe_link,
    ).join(t.template_versions, t.template_versions.c.template_id == t.templates.c.id)


SERVICE_BY_ID = select(t.services).where(t.services.c.id == bindparam("service_id"))
API_KEYS_OF_SERVICE = (
    select(t.api_keys)
    .where(t.api_keys.c.service_id == bindparam("service_id"))
    .order_by(t.api_keys.c.created_at, t.api_keys.c.id)
)
SMS_SENDERS_OF_SERVICE = select(t.sms_senders).where(
    t.sms_senders.c.service_id == bindparam("service_id")
)
REPLY_TOS_OF_SERVICE = select(t.email_reply_to).where(
    t.email_reply_to.c.service_id == bindparam("service_id")
)
DAILY_COUNT = select(t.daily_counts.c.count).where(
    t.daily_counts.c.service_id == bindparam("service_id"),
    t.daily_counts.c.channel == bindparam("channel"),
    t.daily_counts.c.day == bindparam("day"),
)


def _count_daily(dialect_insert: Any) -> Any:
    statement = dialect_insert(t.daily_counts)
    return statement.on_conflict_do_update(
        index_elements=["service_id", "channel", "day"],
        set_={"count": t.daily_counts.c.count + statement.excluded["count"]},
    )


_DIALECTS = ("sqlite", "postgresql")


@functools.cache
def dialect_insert(dialect: str) -> Any:
    """The dialect's own ``insert`` (with ``ON CONFLICT``), imported when that database is
    first used: importing SQLAlchemy's PostgreSQL dialect costs tens of milliseconds, which an
    emulator on SQLite need not pay at start."""
    if dialect not in _DIALECTS:
        raise KeyError(dialect)
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert


@functools.cache
def count_daily(dialect: str) -> Any:
    """Add ``count`` to a day's counter, creating it if needed, in one atomic statement
    (INSERT … ON CONFLICT DO UPDATE, in the dialect's own form: SQLite 3.24+, PostgreSQL 9.5+)."""
    return _count_daily(dialect_insert(dialect))


INSERT_NOTIFICATION = t.notifications.insert()
INSERT_LETTER_PDF = t.letter_pdfs.insert()
CURRENT_TEMPLATE = template_select().where(
    t.templates.c.service_id == bindparam("service_id"),
    t.templates.c.id == bindparam("template_id"),
    t.template_versions.c.version == t.templates.c.version,
)
TEMPLATE_VERSION = template_select().where(
    t.templates.c.service_id == bindparam("service_id"),
    t.templates.c.id == bindparam("template_id"),
    t.template_versions.c.version == bindparam("version"),
)
INSERT_ACTIVITY_EVENT = t.activity_events.insert()
