"""The store's hot statements, built once with bound parameters.

SQLAlchemy reuses a statement's compiled form from its cache, but building a new statement
object and computing its cache key on every call was a measurable share of each send.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select, update

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
# An UPDATE reserves its columns' names for the SET clause, so its parameters are named apart.
INCREMENT_DAILY_COUNT = (
    update(t.daily_counts)
    .where(
        t.daily_counts.c.service_id == bindparam("counted_service_id"),
        t.daily_counts.c.channel == bindparam("counted_channel"),
        t.daily_counts.c.day == bindparam("counted_day"),
    )
    .values(count=t.daily_counts.c.count + 1)
)
INSERT_DAILY_COUNT = t.daily_counts.insert()
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
