"""One-click unsubscribe requests: recording one (``POST /unsubscribe/{id}/{token}``) and
reading them back (``GET /_emulator/unsubscribe-requests``).

Notify keeps one row per notification in its ``unsubscribe_request`` table (api
``app/one_click_unsubscribe/rest.py``): the notification, its template and version, its
service and the recipient's address. A second request for the same notification, while the
first is not yet in a report the service has processed, is answered as a success and not
recorded again; the emulator has no reports, so the first request is the only one kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from notify_emulator.store import tables as t
from notify_emulator.store.store import Store

__all__ = ["UnsubscribeRequest", "list_unsubscribe_requests", "record_unsubscribe_request"]


@dataclass(frozen=True)
class UnsubscribeRequest:
    """A recipient's request to be unsubscribed from a service's emails."""

    notification_id: str
    service_id: str
    template_id: str
    template_version: int
    email_address: str
    created_at: datetime


def record_unsubscribe_request(
    store: Store, notification_id: str
) -> Literal["recorded", "duplicate", "unknown", "not an email"]:
    """Record a request for the notification: ``recorded``, ``duplicate`` (one is kept
    already), ``unknown`` (no such notification) or ``not an email`` (a text or a letter,
    or an email that holds no recipient)."""
    n = t.notifications.c
    u = t.unsubscribe_requests.c
    try:
        with store.db.begin() as connection:
            row = connection.execute(
                select(
                    n.service_id,
                    n.template_id,
                    n.template_version,
                    n.recipient,
                    n.notification_type,
                ).where(n.id == notification_id)
            ).first()
            if row is None:
                return "unknown"
            if row.notification_type != "email" or row.recipient is None:
                return "not an email"
            if connection.execute(
                select(u.notification_id).where(u.notification_id == notification_id)
            ).first():
                return "duplicate"
            connection.execute(
                t.unsubscribe_requests.insert().values(
                    notification_id=notification_id,
                    service_id=row.service_id,
                    template_id=row.template_id,
                    template_version=row.template_version,
                    email_address=row.recipient,
                    created_at=store.now(),
                )
            )
    except IntegrityError:
        # The same request arrived twice at once, and the other one was recorded first (or a
        # reset removed the notification meanwhile, which the next request will find).
        return "duplicate"
    return "recorded"


def list_unsubscribe_requests(
    store: Store, *, service_id: str | None = None, notification_id: str | None = None
) -> list[UnsubscribeRequest]:
    """Every recorded request, newest first, optionally for one service or notification."""
    u = t.unsubscribe_requests.c
    statement = select(t.unsubscribe_requests)
    if service_id is not None:
        statement = statement.where(u.service_id == service_id)
    if notification_id is not None:
        statement = statement.where(u.notification_id == notification_id)
    statement = statement.order_by(u.created_at.desc(), u.notification_id.desc())
    with store.db.connect() as connection:
        rows = connection.execute(statement).all()
    return [UnsubscribeRequest(**row._mapping) for row in rows]
