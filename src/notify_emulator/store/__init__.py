"""Persistence: tables, migrations and queries (SQLAlchemy Core; SQLite or PostgreSQL)."""

from notify_emulator.store.engine import DatabaseError
from notify_emulator.store.records import (
    ApiKeyRecord,
    DocumentRecord,
    NotificationRecord,
    ReceivedTextRecord,
    ReplyToRecord,
    ServiceRecord,
    SmsSenderRecord,
    TemplateRecord,
)
from notify_emulator.store.seeding import apply_seed
from notify_emulator.store.store import NotificationQuery, Store

__all__ = [
    "ApiKeyRecord",
    "DatabaseError",
    "DocumentRecord",
    "NotificationQuery",
    "NotificationRecord",
    "ReceivedTextRecord",
    "ReplyToRecord",
    "ServiceRecord",
    "SmsSenderRecord",
    "Store",
    "TemplateRecord",
    "apply_seed",
]
