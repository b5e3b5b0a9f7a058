"""The emulator's tables (SQLAlchemy Core), portable across SQLite and PostgreSQL.

Timestamps are naive UTC. Ids are canonical UUID strings. Indexes are chosen so that the
list and paging queries of the v2 API read only the rows they return, whatever the table size.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

ID = 36  # a canonical UUID string

services = Table(
    "services",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("name", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("trial_mode", Boolean, nullable=False, default=False),
    Column("rate_limit", Integer, nullable=False),
    Column("sms_message_limit", Integer, nullable=False),
    Column("email_message_limit", Integer, nullable=False),
    Column("letter_message_limit", Integer, nullable=False),
    Column("international_sms_message_limit", Integer, nullable=False),
    Column("permissions", JSON, nullable=False),
    Column("letter_contact_block", Text),
    Column("guest_list", JSON, nullable=False),
    Column("inbound_number", Text),
    Column("contact_link", Text),
    Column("prefix_sms", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    # Added by migration 3: days notifications and received texts stay in v2 reads.
    Column("data_retention_days", Integer, nullable=False, default=7, server_default="7"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("key_type", String(10), nullable=False),
    Column("secret", String(ID), nullable=False),
    Column("expiry_date", DateTime),
    Column("created_at", DateTime, nullable=False),
)

sms_senders = Table(
    "sms_senders",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False, index=True),
    Column("sms_sender", Text, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
)

email_reply_to = Table(
    "email_reply_to",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False, index=True),
    Column("email_address", Text, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
)

templates = Table(
    "templates",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False, index=True),
    Column("template_type", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("hidden", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    # Added by migration 2: the email template's "unsubscribe link" option (rules.md §3.5).
    Column("has_unsubscribe_link", Boolean, nullable=False, default=False, server_default=false()),
)

# Every version of every template, the latest included (templates.version points at it).
template_versions = Table(
    "template_versions",
    metadata,
    Column("template_id", String(ID), ForeignKey("templates.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("subject", Text),
    Column("body", Text, nullable=False),
    Column("letter_contact_block", Text),
    Column("postage", String(20)),
    Column("created_by", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False),
    Column("api_key_id", String(ID)),
    Column("key_type", String(10), nullable=False),
    Column("notification_type", String(10), nullable=False),
    Column("template_id", String(ID), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("recipient", Text),
    Column("normalised_recipient", Text),
    Column("personalisation", JSON, nullable=False),
    Column("reference", Text),
    Column("status", String(30), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Column("updated_at", DateTime),
    Column("completed_at", DateTime),
    # The rest of the planned status lifecycle: [{"status": ..., "at": iso}, ...], oldest first;
    # next_step_at is the time of its first step (indexed, so due rows are found cheaply).
    Column("planned_steps", JSON, nullable=False),
    Column("next_step_at", DateTime),
    Column("postage", String(20)),
    Column("reply_to_text", Text),
    Column("one_click_unsubscribe_url", Text),
    Column("billable_units", Integer, nullable=False, default=0),
    Column("page_count", Integer),
    Column("international", Boolean, nullable=False, default=False),
    Column("rate_multiplier", Float),
    Column("phone_prefix", String(10)),
    Column("job_id", String(ID)),
    Column("is_precompiled", Boolean, nullable=False, default=False),
    Column("created_by_name", Text),
    Index("ix_notifications_list", "service_id", "key_type", "created_at", "id"),
    Index("ix_notifications_reference", "service_id", "reference"),
    Index("ix_notifications_next_step_at", "next_step_at"),
)

letter_pdfs = Table(
    "letter_pdfs",
    metadata,
    Column("notification_id", String(ID), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("filename", Text),
    Column("mimetype", Text, nullable=False),
    Column("confirm_email_before_download", Boolean, nullable=False),
    Column("retention_period", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

received_texts = Table(
    "received_texts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("service_id", String(ID), ForeignKey("services.id"), nullable=False),
    Column("user_number", Text, nullable=False),
    Column("notify_number", Text),
    Column("content", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_received_texts_list", "service_id", "created_at", "id"),
)

# Daily sending counts (notify-api.md §6.2): per service, channel and UTC day.
daily_counts = Table(
    "daily_counts",
    metadata,
    Column("service_id", String(ID), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("count", Integer, nullable=False),
)

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

# Added by migration 4: one row (id 1) whose generation moves on with every change to the
# configuration tables (services, keys, senders, reply-tos, templates), in the same transaction,
# so every process sharing the database knows when its in-memory copy of them is out of date.
config_generation = Table(
    "config_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
)


# Added by migration 5: each service's callback settings, one per (service, type)
# (shared/spec/callbacks.md §6). The bearer token is a secret: never logged or shown.
service_callbacks = Table(
    "service_callbacks",
    metadata,
    Column("service_id", String(ID), ForeignKey("services.id"), primary_key=True),
    Column("callback_type", String(20), primary_key=True),
    Column("url", Text, nullable=False),
    Column("bearer_token", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Added by migration 5: the callback outbox. A row is written in the same transaction as the
# event it reports, holds the exact body sent, and is delivered by whichever process claims it:
# claim_token and lease_until (real time) mark an attempt in flight, so two workers sharing the
# database never make the same attempt. next_attempt_at runs on the emulator's clock.
callbacks = Table(
    "callbacks",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(ID), nullable=False, unique=True),
    Column("service_id", String(ID), nullable=False),
    Column("callback_type", String(20), nullable=False),
    Column("notification_id", String(ID)),
    Column("received_text_id", String(ID)),
    Column("url", Text, nullable=False),
    Column("bearer_token", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(10), nullable=False),
    Column("attempts", JSON, nullable=False),
    Column("attempt_count", Integer, nullable=False),
    Column("attempt_limit", Integer, nullable=False),
    Column("next_attempt_at", DateTime),
    Column("claim_token", String(ID)),
    Column("lease_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Index("ix_callbacks_due", "state", "next_attempt_at"),
    Index("ix_callbacks_notification", "notification_id"),
    Index("ix_callbacks_service", "service_id", "seq"),
)

# Added by migration 5: letters reported back by the printer (POST .../return), one row per
# letter, as Notify's returned_letters table; reported_at is the report's date.
returned_letters = Table(
    "returned_letters",
    metadata,
    Column("notification_id", String(ID), primary_key=True),
    Column("service_id", String(ID), nullable=False),
    Column("reported_at", String(10), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_returned_letters_report", "service_id", "reported_at"),
)

# Added by migration 9: one-click unsubscribe requests (POST /unsubscribe/{id}/{token}), one
# row per notification, as Notify's unsubscribe_request table records them.
unsubscribe_requests = Table(
    "unsubscribe_requests",
    metadata,
    Column("notification_id", String(ID), primary_key=True),
    Column("service_id", String(ID), nullable=False),
    Column("template_id", String(ID), nullable=False),
    Column("template_version", Integer, nullable=False),
    Column("email_address", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_unsubscribe_requests_service_created", "service_id", "created_at"),
)

# Added by migration 6: the faults being rehearsed (shared/spec/emulator.md "Faults"), shared by
# every process; `remaining` is how many more requests a fault hits (NULL: until deleted),
# used up by an atomic UPDATE, and `position` keeps them in the order they were added.
faults = Table(
    "faults",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("match", JSON, nullable=False),
    Column("action", JSON, nullable=False),
    Column("times", Integer),
    Column("rate", Float),
    Column("remaining", Integer),
    Column("created_at", DateTime, nullable=False),
)

# Added by migration 6: one row (id 1), how far the emulator's clock is ahead of the real one.
emulator_clock = Table(
    "emulator_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("offset_microseconds", BigInteger, nullable=False),
)

# Added by migration 8: what the web inbox reads. Every notification and every received text,
# newest first, keyset-paged on (created_at, id); one phone number's conversation.
Index("ix_notifications_created", notifications.c.created_at, notifications.c.id)
Index(
    "ix_notifications_service_created",
    notifications.c.service_id,
    notifications.c.created_at,
    notifications.c.id,
)
Index(
    "ix_notifications_recipient",
    notifications.c.normalised_recipient,
    notifications.c.created_at,
)
Index("ix_received_texts_created", received_texts.c.created_at, received_texts.c.id)
Index("ix_received_texts_user", received_texts.c.user_number, received_texts.c.created_at)

# Added by migration 8: what changed, in order, for the inbox's server-sent events. Written in
# the transaction that makes the change, so every process sharing the database can follow it by
# reading rows after the last seq it has seen. AUTOINCREMENT: a seq is never used twice, even
# after the rows are emptied (SQLite would otherwise reuse the highest rowid).
activity_events = Table(
    "activity_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("data", JSON, nullable=False),
    sqlite_autoincrement=True,
)

# Added by migration 7: the per-minute rate limit's token buckets (notify-api.md §6.1), one per
# (service, key type), kept in the database so that every worker process and every emulator
# sharing it draws from the same bucket, as every Notify API instance shares Notify's Redis.
# last_replenished is seconds since the epoch on the emulator's clock.
rate_limit_buckets = Table(
    "rate_limit_buckets",
    metadata,
    Column("service_id", String(ID), primary_key=True),
    Column("key_type", String(10), primary_key=True),
    Column("tokens", Integer, nullable=False),
    Column("last_replenished", Float, nullable=False),
)

# The tables holding what was sent and received (emptied by POST /_emulator/reset).
ACTIVITY_TABLES = (
    notifications,
    letter_pdfs,
    documents,
    received_texts,
    daily_counts,
    callbacks,
    returned_letters,
    rate_limit_buckets,
    unsubscribe_requests,
)
