"""The callback outbox: rows written with the events they report, claimed and settled by the
delivery worker (notify_emulator.callbacks), safely across processes sharing one database.

Every change is a conditional ``UPDATE`` whose row count says whether it won: a claim only
takes a pending row whose lease is free, and only the claim's holder can record its attempt.
That holds on SQLite (one writer at a time) and on PostgreSQL (a second writer waits, then
re-checks the condition against the committed row) alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, or_, select, update

from notify_emulator.rules.callbacks import (
    DELIVERY_STATUS,
    INBOUND_SMS,
    MAX_ATTEMPTS,
    delivery_status_body,
    encode_body,
    fires_delivery_status,
)
from notify_emulator.store import tables as t
from notify_emulator.store.engine import ConnectionGate
from notify_emulator.store.events import record_callback_event

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
CALLBACK_STATES = (PENDING, DELIVERED, FAILED)


@dataclass(frozen=True)
class CallbackSetting:
    """A service's callback of one type."""

    service_id: str
    callback_type: str
    url: str
    bearer_token: str = field(repr=False)


@dataclass(frozen=True)
class ClaimedCallback:
    """An attempt this process holds the lease for: it alone may make and record it."""

    seq: int
    id: str
    service_id: str
    callback_type: str
    url: str
    bearer_token: str = field(repr=False)
    body: str = field(repr=False)
    claim_token: str = field(repr=False)
    attempts: tuple[Mapping[str, Any], ...]
    attempt_limit: int
    due_at: datetime
    """When this attempt was due (the emulator's clock): retries are spaced from it."""
    receiver: str
    """The URL the outbox row names, which the worker limits its attempts in flight by."""
    setting_missing: bool = False
    """An inbound-SMS callback whose service no longer has that callback set (nothing to send)."""


def callback_setting(
    connection: Connection, service_id: str, callback_type: str
) -> CallbackSetting | None:
    """The service's current callback of ``callback_type``, if it has one."""
    c = t.service_callbacks.c
    row = connection.execute(
        select(c.service_id, c.callback_type, c.url, c.bearer_token).where(
            c.service_id == service_id, c.callback_type == callback_type
        )
    ).first()
    return CallbackSetting(**row._mapping) if row else None


def enqueue(
    connection: Connection,
    setting: CallbackSetting,
    body: Mapping[str, object],
    *,
    first_attempt_at: datetime,
    now: datetime,
    notification_id: str | None = None,
    received_text_id: str | None = None,
) -> str:
    """Add a callback to the outbox inside the caller's transaction; returns its id.

    The URL and token are captured now, as Notify captures them when it queues the task.
    """
    callback_id = str(uuid.uuid4())
    connection.execute(
        t.callbacks.insert().values(
            id=callback_id,
            service_id=setting.service_id,
            callback_type=setting.callback_type,
            notification_id=notification_id,
            received_text_id=received_text_id,
            url=setting.url,
            bearer_token=setting.bearer_token,
            body=encode_body(body),
            state=PENDING,
            attempts=[],
            attempt_count=0,
            attempt_limit=MAX_ATTEMPTS,
            next_attempt_at=first_attempt_at,
            created_at=now,
        )
    )
    record_callback_event(
        connection,
        {
            "id": callback_id,
            "callback_type": setting.callback_type,
            "notification_id": notification_id,
            "received_text_id": received_text_id,
            "state": PENDING,
        },
    )
    return callback_id


class DeliveryStatusCallbacks:
    """Queues delivery receipts for notifications whose status just changed, within one
    transaction; each service's setting is read once per transaction."""

    def __init__(self, connection: Connection, delay: timedelta, now: datetime) -> None:
        self._connection = connection
        self._delay = delay
        self._now = now
        self._settings: dict[str, CallbackSetting | None] = {}

    def wanted(self, service_id: str, notification_type: str, status: str) -> bool:
        """Whether a notification of the service reaching ``status`` sends a receipt."""
        return fires_delivery_status(notification_type, status) and (
            self._setting(service_id) is not None
        )

    def _setting(self, service_id: str) -> CallbackSetting | None:
        if service_id not in self._settings:
            self._settings[service_id] = callback_setting(
                self._connection, service_id, DELIVERY_STATUS
            )
        return self._settings[service_id]

    def status_changed(self, notification: Mapping[Any, Any]) -> None:
        """``notification`` holds the row's values after the change."""
        if not fires_delivery_status(notification["notification_type"], notification["status"]):
            return
        setting = self._setting(notification["service_id"])
        if setting is None:
            return
        body = delivery_status_body(
            notification_id=notification["id"],
            reference=notification["reference"],
            to=notification["recipient"] or "",
            status=notification["status"],
            created_at=notification["created_at"],
            completed_at=notification["updated_at"],
            sent_at=notification["sent_at"],
            notification_type=notification["notification_type"],
            template_id=notification["template_id"],
            template_version=notification["template_version"],
        )
        enqueue(
            self._connection,
            setting,
            body,
            first_attempt_at=notification["updated_at"] + self._delay,
            now=self._now,
            notification_id=notification["id"],
        )


# --- the worker's side ---------------------------------------------------------------------

_DUE_COLUMNS = (
    t.callbacks.c.seq,
    t.callbacks.c.id,
    t.callbacks.c.service_id,
    t.callbacks.c.callback_type,
    t.callbacks.c.url,
    t.callbacks.c.bearer_token,
    t.callbacks.c.body,
    t.callbacks.c.attempts,
    t.callbacks.c.attempt_count,
    t.callbacks.c.attempt_limit,
    t.callbacks.c.next_attempt_at,
)


def _lease_free(real_now: datetime) -> Any:
    c = t.callbacks.c
    return or_(c.lease_until.is_(None), c.lease_until < real_now)


def claim_due(
    db: ConnectionGate,
    *,
    now: datetime,
    real_now: datetime,
    lease: timedelta,
    limit: int,
    skip_urls: Sequence[str] = (),
    one_per_url: bool = False,
    at_most: int | None = None,
) -> list[ClaimedCallback]:
    """Claim due attempts, oldest first, from the ``limit`` oldest due rows.

    ``now`` is the emulator's clock (when attempts are due); ``real_now`` and ``lease`` are
    real time (how long a claim holds if its process dies mid-attempt). Rows whose URL is in
    ``skip_urls`` are left alone (the caller has as many attempts in flight to them as it
    allows); ``one_per_url`` claims only the oldest of each URL, and ``at_most`` caps the
    claims.
    """
    c = t.callbacks.c
    query = (
        select(*_DUE_COLUMNS)
        .where(c.state == PENDING, c.next_attempt_at <= now, _lease_free(real_now))
        .order_by(c.next_attempt_at, c.seq)
        .limit(limit)
    )
    if skip_urls:
        query = query.where(c.url.not_in(sorted(set(skip_urls))))
    with db.connect() as connection:
        rows = connection.execute(query).all()
    if one_per_url:
        seen: set[str] = set()
        first_rows = []
        for row in rows:
            if row.url not in seen:
                seen.add(row.url)
                first_rows.append(row)
        rows = first_rows
    if at_most is not None:
        rows = rows[:at_most]
    if not rows:
        return []
    claimed: list[ClaimedCallback] = []
    with db.begin() as connection:
        for row in rows:
            token = str(uuid.uuid4())
            won = connection.execute(
                update(t.callbacks)
                .where(
                    c.seq == row.seq,
                    c.state == PENDING,
                    c.attempt_count == row.attempt_count,
                    _lease_free(real_now),
                )
                .values(claim_token=token, lease_until=real_now + lease)
            ).rowcount
            if not won:
                continue  # another worker took it first
            url, bearer_token, missing = row.url, row.bearer_token, False
            if row.callback_type == INBOUND_SMS:
                # Notify reads the inbound-SMS setting afresh at each attempt (callbacks.md §1).
                current = callback_setting(connection, row.service_id, INBOUND_SMS)
                if current is None:
                    missing = True
                else:
                    url, bearer_token = current.url, current.bearer_token
            claimed.append(
                ClaimedCallback(
                    seq=row.seq,
                    id=row.id,
                    service_id=row.service_id,
                    callback_type=row.callback_type,
                    url=url,
                    bearer_token=bearer_token,
                    body=row.body,
                    claim_token=token,
                    attempts=tuple(row.attempts or ()),
                    attempt_limit=row.attempt_limit,
                    due_at=row.next_attempt_at,
                    receiver=row.url,
                    setting_missing=missing,
                )
            )
    return claimed


def record_attempt(
    db: ConnectionGate,
    claimed: ClaimedCallback,
    attempt: Mapping[str, Any] | None,
    *,
    state: str,
    next_attempt_at: datetime | None,
) -> bool:
    """Settle a claimed attempt (``attempt`` None: nothing was sent); False if the claim was
    lost (the outbox was reset, or the lease ran out and another worker took over)."""
    c = t.callbacks.c
    attempts = [*claimed.attempts, *([dict(attempt)] if attempt is not None else [])]
    with db.begin() as connection:
        result = connection.execute(
            update(t.callbacks)
            .where(c.seq == claimed.seq, c.claim_token == claimed.claim_token)
            .values(
                attempts=attempts,
                attempt_count=len(attempts),
                state=state,
                next_attempt_at=next_attempt_at,
                url=claimed.url,
                claim_token=None,
                lease_until=None,
            )
        )
        if result.rowcount:
            _callback_changed(connection, claimed.id)
    return bool(result.rowcount)


def retry_now(db: ConnectionGate, callback_id: str, *, now: datetime, real_now: datetime) -> bool:
    """Make a callback due now; a delivered or failed one gets one more attempt.

    False when there is no such callback or an attempt at it is in flight.
    """
    c = t.callbacks.c
    with db.begin() as connection:
        row = connection.execute(
            select(c.state, c.attempt_count, c.attempt_limit).where(c.id == callback_id)
        ).first()
        if row is None:
            return False
        limit = row.attempt_limit if row.state == PENDING else row.attempt_count + 1
        result = connection.execute(
            update(t.callbacks)
            .where(c.id == callback_id, _lease_free(real_now))
            .values(state=PENDING, next_attempt_at=now, attempt_limit=max(limit, 1))
        )
        if result.rowcount:
            _callback_changed(connection, callback_id)
    return bool(result.rowcount)


def _callback_changed(connection: Connection, callback_id: str) -> None:
    c = t.callbacks.c
    row = connection.execute(
        select(c.id, c.callback_type, c.notification_id, c.received_text_id, c.state).where(
            c.id == callback_id
        )
    ).first()
    if row is not None:
        record_callback_event(connection, row._mapping)


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackRecord:
    """A callback as the outbox holds it (the token is kept out of it entirely)."""

    id: str
    service_id: str
    callback_type: str
    notification_id: str | None
    received_text_id: str | None
    url: str
    body: str
    state: str
    attempts: tuple[Mapping[str, Any], ...]
    next_attempt_at: datetime | None
    created_at: datetime


_RECORD_COLUMNS = (
    t.callbacks.c.id,
    t.callbacks.c.service_id,
    t.callbacks.c.callback_type,
    t.callbacks.c.notification_id,
    t.callbacks.c.received_text_id,
    t.callbacks.c.url,
    t.callbacks.c.body,
    t.callbacks.c.state,
    t.callbacks.c.attempts,
    t.callbacks.c.next_attempt_at,
    t.callbacks.c.created_at,
)


def _record(row: Any) -> CallbackRecord:
    values = dict(row._mapping)
    values["attempts"] = tuple(values["attempts"] or ())
    return CallbackRecord(**values)


def list_callbacks(
    db: ConnectionGate,
    *,
    service_id: str | None = None,
    notification_id: str | None = None,
    callback_type: str | None = None,
) -> list[CallbackRecord]:
    """Callbacks, newest first, optionally filtered."""
    c = t.callbacks.c
    query = select(*_RECORD_COLUMNS).order_by(c.seq.desc())
    if service_id is not None:
        query = query.where(c.service_id == service_id)
    if notification_id is not None:
        query = query.where(c.notification_id == notification_id)
    if callback_type is not None:
        query = query.where(c.callback_type == callback_type)
    with db.connect() as connection:
        return [_record(row) for row in connection.execute(query).all()]


def get_callback(db: ConnectionGate, callback_id: str) -> CallbackRecord | None:
    """One callback by id."""
    with db.connect() as connection:
        row = connection.execute(
            select(*_RECORD_COLUMNS).where(t.callbacks.c.id == callback_id)
        ).first()
    return _record(row) if row else None


def set_callback(
    connection: Connection, setting: CallbackSetting | None, *, service_id: str, kind: str, now: Any
) -> None:
    """Set (or with ``setting`` None, remove) one callback of a service."""
    c = t.service_callbacks.c
    connection.execute(
        t.service_callbacks.delete().where(c.service_id == service_id, c.callback_type == kind)
    )
    if setting is not None:
        connection.execute(
            t.service_callbacks.insert().values(
                service_id=service_id,
                callback_type=kind,
                url=setting.url,
                bearer_token=setting.bearer_token,
                updated_at=now,
            )
        )
