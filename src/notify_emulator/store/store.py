"""The store: every read and write the emulator makes, over SQLAlchemy Core."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    bindparam,
    delete,
    exists,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from notify_emulator.clock import Clock, utc_naive
from notify_emulator.rules.callbacks import (
    DEFAULT_CALLBACK_DELAY_SECONDS,
    INBOUND_SMS,
    inbound_sms_body,
)
from notify_emulator.rules.constants import DEFAULT_DATA_RETENTION_DAYS
from notify_emulator.rules.lifecycle import (
    Step,
    after_steps,
)
from notify_emulator.store import statements as st
from notify_emulator.store import tables as t
from notify_emulator.store.admissions import (
    NotificationWrite,
    SendAdmission,
    Verdict,
    admit_sends,
    store_notifications,
)
from notify_emulator.store.clock_offset import ClockOffset
from notify_emulator.store.config_cache import ConfigCache
from notify_emulator.store.direct import DirectStatement
from notify_emulator.store.engine import ConnectionGate, DatabaseError, create_database_engine
from notify_emulator.store.events import (
    record_event,
    record_notification_event,
    restart_event_log,
)
from notify_emulator.store.faults import FaultStore
from notify_emulator.store.migrations import migrate
from notify_emulator.store.outbox import (
    PENDING,
    DeliveryStatusCallbacks,
    callback_setting,
    enqueue,
)
from notify_emulator.store.rate_buckets import lock_database
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
from notify_emulator.store.status_steps import apply_due_steps

# notify-api.md §2.4: keys revoked within about a week are still recognised (as revoked).
_Key = TypeVar("_Key", bound=Hashable)
_Value = TypeVar("_Value")
REVOKED_KEY_WINDOW = timedelta(days=7)
# notify-api.md §11: notifications and received texts leave every v2 read after the service's
# data retention period, 7 days by default.


# How many rows' due status steps one transaction applies (store.advance_due_statuses).
STATUS_STEPS_PER_TRANSACTION = 200


@dataclass(frozen=True)
class NotificationQuery:
    """Filters of ``GET /v2/notifications`` (notify-api.md §5.7), already expanded."""

    service_id: str
    key_type: str
    statuses: frozenset[str] | None = None
    notification_types: frozenset[str] | None = None
    reference: str | None = None
    include_jobs: bool = False
    older_than: str | None = None
    retention_days: int = DEFAULT_DATA_RETENTION_DAYS


class Store:
    """All persistence. Thread-safe: each call uses its own connection and transaction."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        # Every connection the store uses comes through the gate (SQLite's writers take turns).
        self.db = ConnectionGate(engine)
        self.clock = clock
        # Services, keys, senders, reply-tos and templates, kept until the configuration
        # generation in the database moves on (store/config_cache.py).
        self.config = ConfigCache(self.db.read)
        # The faults being rehearsed and the emulator clock's offset, shared by every process.
        self.faults = FaultStore(self.db.connect, self.db.begin, self.config, self.now)
        self.clock_offset = ClockOffset(self.db.connect, self.db.begin, self.config)
        # How long after its event a callback's first attempt is due (Settings.callback_delay).
        self.callback_delay = timedelta(seconds=DEFAULT_CALLBACK_DELAY_SECONDS)

    @classmethod
    def open(cls, url: str, clock: Clock) -> Store:
        """Connect, check the database answers and bring its schema up to date."""
        engine = create_database_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            migrate(engine)
        except SQLAlchemyError as error:
            engine.dispose()
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise DatabaseError(
                f"cannot use the database {engine.url.render_as_string(hide_password=True)}: "
                f"{reason}"
            ) from error
        return cls(engine, clock)

    def close(self) -> None:
        """Release the database connections."""
        self.db.close()

    def now(self) -> datetime:
        """The clock's time, naive UTC as stored."""
        return utc_naive(self.clock.now())

    # --- services, keys, senders -------------------------------------------------------------

    def _cached(
        self,
        cache: dict[_Key, _Value],
        key: _Key,
        load: Callable[[Connection], _Value | None],
    ) -> _Value | None:
        """``cache[key]``, read from the database with ``load`` on a miss. A miss that finds
        nothing is not remembered, so a record added later is found."""
        cached = cache.get(key)
        if cached is not None:
            return cached
        with self.db.connect() as connection:
            loaded = load(connection)
        return None if loaded is None else cache.setdefault(key, loaded)

    def get_service(self, service_id: str) -> ServiceRecord | None:
        """A service by id."""

        def load(connection: Connection) -> ServiceRecord | None:
            row = connection.execute(st.SERVICE_BY_ID, {"service_id": service_id}).first()
            return None if row is None else _service(row._mapping)

        return self._cached(self.config.current().services, service_id, load)

    def list_services(self) -> list[ServiceRecord]:
        """Every service, by name."""
        with self.db.connect() as connection:
            rows = connection.execute(select(t.services).order_by(t.services.c.name)).all()
        return [_service(row._mapping) for row in rows]

    def usable_api_keys(self, service_id: str) -> list[ApiKeyRecord]:
        """Keys that authenticate or report "revoked": unrevoked, or revoked in the last 7 days."""

        def load(connection: Connection) -> tuple[ApiKeyRecord, ...]:
            rows = connection.execute(st.API_KEYS_OF_SERVICE, {"service_id": service_id}).all()
            return tuple(ApiKeyRecord(**row._mapping) for row in rows)

        keys = self._cached(self.config.current().api_keys, service_id, load) or ()
        # Filtered on every call: whether a revoked key is still recognised depends on the time.
        cutoff = self.now() - REVOKED_KEY_WINDOW
        return [key for key in keys if key.expiry_date is None or key.expiry_date > cutoff]

    def sms_senders(self, service_id: str) -> list[SmsSenderRecord]:
        """The service's SMS senders."""

        def load(connection: Connection) -> tuple[SmsSenderRecord, ...]:
            rows = connection.execute(st.SMS_SENDERS_OF_SERVICE, {"service_id": service_id}).all()
            return tuple(SmsSenderRecord(**row._mapping) for row in rows)

        senders = self._cached(self.config.current().sms_senders, service_id, load)
        return list(senders or ())

    def reply_tos(self, service_id: str) -> list[ReplyToRecord]:
        """The service's email reply-to addresses."""

        def load(connection: Connection) -> tuple[ReplyToRecord, ...]:
            rows = connection.execute(st.REPLY_TOS_OF_SERVICE, {"service_id": service_id}).all()
            return tuple(ReplyToRecord(**row._mapping) for row in rows)

        reply_tos = self._cached(self.config.current().reply_tos, service_id, load)
        return list(reply_tos or ())

    # --- templates ---------------------------------------------------------------------------

    def get_template(
        self, service_id: str, template_id: str, version: int | None = None
    ) -> TemplateRecord | None:
        """A template of the service at ``version`` (default: its current one)."""
        key = {"service_id": service_id, "template_id": template_id}

        def load(connection: Connection) -> TemplateRecord | None:
            if version is None:
                row = connection.execute(st.CURRENT_TEMPLATE, key).first()
            else:
                row = connection.execute(st.TEMPLATE_VERSION, {**key, "version": version}).first()
            return None if row is None else _template(row._mapping)

        return self._cached(
            self.config.current().templates, (service_id, template_id, version), load
        )

    def notification_template(self, record: NotificationRecord) -> TemplateRecord | None:
        """The template version a notification was sent with (each version read once)."""
        return self.get_template(record.service_id, record.template_id, record.template_version)

    def notification_templates(
        self, records: Sequence[NotificationRecord]
    ) -> list[TemplateRecord | None]:
        """The template version of each notification; a page of 250 usually shares a handful
        of versions, and the configuration cache reads each from the database once."""
        return [self.notification_template(record) for record in records]

    def list_templates(self, service_id: str, template_type: str | None) -> list[TemplateRecord]:
        """Current, unarchived, unhidden templates, by name then type (notify-api.md §5.9)."""
        query = st.template_select().where(
            t.templates.c.service_id == service_id,
            t.template_versions.c.version == t.templates.c.version,
            t.templates.c.archived.is_(False),
            t.templates.c.hidden.is_(False),
        )
        if template_type is not None:
            query = query.where(t.templates.c.template_type == template_type)
        with self.db.connect() as connection:
            name: ColumnElement[str] = t.template_versions.c.name
            # Names sort by code point on every backend (SQLite's own order, and the reference
            # Notify API's on its C-collated database), not by whatever collation a PostgreSQL
            # database was created with, so the list reads the same on either.
            if connection.dialect.name == "postgresql":
                name = name.collate("C")
            rows = connection.execute(query.order_by(name, t.templates.c.template_type)).all()
        return [_template(row._mapping) for row in rows]

    # --- daily counts ------------------------------------------------------------------------

    def daily_count(self, service_id: str, channel: str, day: str) -> int:
        """Messages counted today (``day`` = UTC ``YYYY-MM-DD``) for a channel."""
        with self.db.connect() as connection:
            value = connection.execute(
                st.DAILY_COUNT, {"service_id": service_id, "channel": channel, "day": day}
            ).scalar()
        return int(value or 0)

    # --- notifications -----------------------------------------------------------------------

    def insert_notification(
        self,
        values: Mapping[str, Any],
        *,
        count_channels: Sequence[str] = (),
        letter_pdf: bytes | None = None,
        documents: Iterable[DocumentRecord] = (),
    ) -> None:
        """Persist a notification with its letter PDF or files, and count it, in one
        transaction: committed when this returns, so before the API answers 201."""
        write = NotificationWrite(
            values,
            count_channels=count_channels,
            documents=tuple(documents),
            letter_pdf=letter_pdf,
        )
        with self.db.begin() as connection:
            store_notifications(connection, [write])

    def admit_sends(self, admissions: Sequence[SendAdmission]) -> list[Verdict | Exception]:
        """Decide and store sends that arrived together, in one transaction (group commit:
        store/admissions.py); committed when this returns.

        Should the group's transaction fail, each send is tried again alone, so one bad send
        cannot fail the others: its place in the answer holds what it failed with.
        """
        try:
            with self.db.begin() as connection:
                return list(admit_sends(connection, admissions, self.clock.now().timestamp()))
        except SQLAlchemyError as error:
            if len(admissions) == 1:
                return [error]
        results: list[Verdict | Exception] = []
        for admission in admissions:
            results.extend(self.admit_sends([admission]))
        return results

    def advance_due_statuses(self) -> int:
        """Apply every planned status step that is due; returns how many rows changed.

        Statuses move only forward along their plan, so reading at any time, before or after
        a restart, gives the same answer. The callback worker calls this regularly too, and
        so may other processes on the same database: each row changes only if it is still as
        it was read (a conditional UPDATE), and its delivery receipt, if one fires, is queued
        in the same transaction, so none is lost or sent twice.

        The rows are taken :data:`STATUS_STEPS_PER_TRANSACTION` at a time, each group in a
        transaction of its own, so a backlog never holds the database's write lock for long
        (sends wait for it). When no step is due (a read made just after a send, say), one
        read that takes no lock says so and nothing is written.
        """
        now = self.now()
        if not self.db.read(_STEPS_DUE, {"now": now})[0][0]:
            return 0
        changed = 0
        while True:
            changed_now, read = self._advance_some(now, STATUS_STEPS_PER_TRANSACTION)
            changed += changed_now
            if read < STATUS_STEPS_PER_TRANSACTION or not changed_now:
                return changed

    def _advance_some(self, now: datetime, limit: int) -> tuple[int, int]:
        """Apply the due steps of up to ``limit`` rows; (rows changed, rows read)."""
        with self.db.begin() as connection:
            return apply_due_steps(connection, now, limit, self.callback_delay)

    def work_due(self) -> bool:
        """Whether any notification has a status step due, or any callback an attempt due, on
        the emulator's clock: one read, which takes no lock.

        The callback worker asks this before each tick's writes (applying the steps takes the
        database's write lock), so an idle tick costs one small query. It reads the database,
        so work that another process on it queued is seen as soon as it is committed.
        """
        rows = self.db.read(_WORK_DUE, {"now": self.now()})
        return any(bool(value) for value in rows[0])

    def force_status(self, notification_id: str, status: str) -> bool:
        """Set a status now and drop the rest of the plan; False if there is no such row.

        A status that sends a delivery receipt queues one, in the same transaction.
        """
        now = self.now()
        with self.db.begin() as connection:
            row = connection.execute(
                select(t.notifications.c.sent_at).where(t.notifications.c.id == notification_id)
            ).first()
            if row is None:
                return False
            times = after_steps(row.sent_at, [Step(status, now)])
            result = connection.execute(
                update(t.notifications)
                .where(t.notifications.c.id == notification_id)
                .values(
                    status=status,
                    updated_at=times.updated_at,
                    sent_at=times.sent_at,
                    completed_at=times.completed_at,
                    planned_steps=[],
                    next_step_at=None,
                )
            )
            if result.rowcount:
                changed = connection.execute(
                    select(t.notifications).where(t.notifications.c.id == notification_id)
                ).first()
                if changed is not None:
                    receipts = DeliveryStatusCallbacks(connection, self.callback_delay, now)
                    receipts.status_changed(changed._mapping)
                    record_notification_event(
                        connection, notification_id, changed.notification_type, status
                    )
        return bool(result.rowcount)

    def get_notification(
        self,
        notification_id: str,
        service_id: str | None = None,
        *,
        retention_days: int = DEFAULT_DATA_RETENTION_DAYS,
    ) -> NotificationRecord | None:
        """A notification by id, with due statuses applied.

        With ``service_id`` (a v2 read) only that service's notifications within its data
        retention period are found; without it (the emulator's own routes), any.
        """
        self.advance_due_statuses()
        query = select(t.notifications).where(t.notifications.c.id == notification_id)
        if service_id is not None:
            query = query.where(
                t.notifications.c.service_id == service_id,
                t.notifications.c.created_at >= self.now() - timedelta(days=retention_days),
            )
        with self.db.connect() as connection:
            row = connection.execute(query).first()
        return _notification(row._mapping) if row else None

    def list_notifications(self, query: NotificationQuery, limit: int) -> list[NotificationRecord]:
        """One page, newest first (notify-api.md §5.7)."""
        self.advance_due_statuses()
        n = t.notifications.c
        statement = select(t.notifications).where(
            n.service_id == query.service_id,
            n.key_type == query.key_type,
            n.created_at >= self.now() - timedelta(days=query.retention_days),
        )
        with self.db.connect() as connection:
            if query.older_than is not None:
                pivot = connection.execute(
                    select(n.created_at, n.id).where(
                        n.id == query.older_than, n.service_id == query.service_id
                    )
                ).first()
                if pivot is None:
                    return []
                statement = statement.where(_after(n.created_at, n.id, pivot))
            if query.statuses is not None:
                statement = statement.where(n.status.in_(sorted(query.statuses)))
            if query.notification_types is not None:
                statement = statement.where(
                    n.notification_type.in_(sorted(query.notification_types))
                )
            if query.reference is not None:
                statement = statement.where(n.reference == query.reference)
            if not query.include_jobs:
                statement = statement.where(n.job_id.is_(None))
            statement = statement.order_by(n.created_at.desc(), n.id.desc()).limit(limit)
            rows = connection.execute(statement).all()
        return [_notification(row._mapping) for row in rows]

    def all_notifications(self, service_id: str | None = None) -> list[NotificationRecord]:
        """Every stored notification (optionally of one service), newest first."""
        self.advance_due_statuses()
        n = t.notifications.c
        statement = select(t.notifications).order_by(n.created_at.desc(), n.id.desc())
        if service_id is not None:
            statement = statement.where(n.service_id == service_id)
        with self.db.connect() as connection:
            rows = connection.execute(statement).all()
        return [_notification(row._mapping) for row in rows]

    def notifications_page(
        self, service_id: str | None, older_than: str | None, limit: int
    ) -> list[NotificationRecord]:
        """Up to ``limit`` stored notifications (optionally of one service), newest first,
        continuing after the notification ``older_than`` (none if it is not stored)."""
        self.advance_due_statuses()
        values: dict[str, Any] = {"limit": limit}
        if service_id is not None:
            values["service_id"] = service_id
        with self.db.connect() as connection:
            if older_than is not None:
                pivot = _PAGE_PIVOT.execute(connection, {"older_than": older_than})
                if not pivot:
                    return []
                values["pivot_created_at"], values["pivot_id"] = pivot[0]
            statement = _PAGES[service_id is not None, older_than is not None]
            rows = statement.execute(connection, values)
        return [_notification(dict(zip(_NOTIFICATION_KEYS, row, strict=True))) for row in rows]

    def save_letter_pdf(self, notification_id: str, data: bytes) -> None:
        """Store (or replace) a letter's PDF."""
        with self.db.begin() as connection:
            connection.execute(
                delete(t.letter_pdfs).where(t.letter_pdfs.c.notification_id == notification_id)
            )
            connection.execute(
                t.letter_pdfs.insert().values(notification_id=notification_id, data=data)
            )

    def letter_pdf(self, notification_id: str) -> bytes | None:
        """A letter's PDF, if one exists."""
        with self.db.connect() as connection:
            value = connection.execute(
                select(t.letter_pdfs.c.data).where(
                    t.letter_pdfs.c.notification_id == notification_id
                )
            ).scalar()
        return bytes(value) if value is not None else None

    # --- documents (send a file by email) ----------------------------------------------------

    def get_document(self, document_id: str) -> DocumentRecord | None:
        """An uploaded file by id."""
        with self.db.connect() as connection:
            row = connection.execute(
                select(t.documents).where(t.documents.c.id == document_id)
            ).first()
        if row is None:
            return None
        values = dict(row._mapping)
        values["data"] = bytes(values["data"])
        return DocumentRecord(**values)

    # --- received texts ----------------------------------------------------------------------

    def insert_received_text(
        self,
        service_id: str,
        user_number: str,
        content: str,
        *,
        notify_number: str | None,
        created_at: datetime | None = None,
        text_id: str | None = None,
        notify_callback: bool = True,
    ) -> ReceivedTextRecord:
        """Record an inbound text, and queue the service's received-text callback if it has
        one (``notify_callback``), in the same transaction."""
        record = ReceivedTextRecord(
            id=text_id or str(uuid.uuid4()),
            service_id=service_id,
            user_number=user_number,
            notify_number=notify_number,
            content=content,
            created_at=utc_naive(created_at) if created_at else self.now(),
        )
        with self.db.begin() as connection:
            connection.execute(t.received_texts.insert().values(**record.__dict__))
            record_event(
                connection,
                "received_text",
                {
                    "id": record.id,
                    "service_id": record.service_id,
                    "user_number": record.user_number,
                },
            )
            if notify_callback:
                setting = callback_setting(connection, service_id, INBOUND_SMS)
                if setting is not None:
                    enqueue(
                        connection,
                        setting,
                        inbound_sms_body(
                            received_text_id=record.id,
                            source_number=record.user_number,
                            destination_number=record.notify_number,
                            message=record.content,
                            date_received=record.created_at,
                        ),
                        first_attempt_at=self.now() + self.callback_delay,
                        now=self.now(),
                        received_text_id=record.id,
                    )
        return record

    def list_received_texts(
        self,
        service_id: str,
        older_than: str | None,
        limit: int,
        *,
        retention_days: int = DEFAULT_DATA_RETENTION_DAYS,
    ) -> list[ReceivedTextRecord]:
        """One page of a service's received texts, newest first (notify-api.md §5.11)."""
        r = t.received_texts.c
        statement = select(t.received_texts).where(
            r.service_id == service_id,
            r.created_at >= self.now() - timedelta(days=retention_days),
        )
        with self.db.connect() as connection:
            if older_than is not None:
                pivot = connection.execute(
                    select(r.created_at, r.id).where(r.id == older_than, r.service_id == service_id)
                ).first()
                if pivot is None:
                    return []
                statement = statement.where(_after(r.created_at, r.id, pivot))
            statement = statement.order_by(r.created_at.desc(), r.id.desc()).limit(limit)
            rows = connection.execute(statement).all()
        return [ReceivedTextRecord(**row._mapping) for row in rows]

    # --- maintenance -------------------------------------------------------------------------

    def reset_activity(self) -> None:
        """Empty notifications, received texts, files, counts and rate-limit buckets; keep
        the configuration."""
        with self.db.begin() as connection:
            # Emptying a table rewrites its pages, empty or not, and a test's reset finds most
            # of these empty: one read says which hold rows, with the write lock already taken
            # so that none can gain a row before the deletes.
            lock_database(connection)
            (holding,) = _ACTIVITY_HELD.execute(connection, {})
            for statement, has_rows in zip(_EMPTY_ACTIVITY, holding, strict=True):
                if has_rows:
                    statement.write(connection, {})
            # The change log goes too, but a "reset" event tells open pages to start afresh.
            restart_event_log(connection)

    def count_rows(self, table_name: str) -> int:
        """How many rows a table holds (for diagnostics and tests)."""
        table = t.metadata.tables[table_name]
        with self.db.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(table)).scalar() or 0)


def _after(created_at: Any, row_id: Any, pivot: Any) -> ColumnElement[bool]:
    """Rows after ``pivot`` in the order ``created_at`` desc, ``id`` desc: older ones, and
    those created at the same moment with a smaller id (so paging never skips or repeats
    rows that share a timestamp). Written as one row-value comparison, which both databases
    answer from a (…, created_at, id) index as a range; the same test spelt with OR is read
    by walking the index from the newest row down to the pivot."""
    return tuple_(created_at, row_id) < tuple_(pivot.created_at, pivot.id)


def _template(values: Mapping[Any, Any]) -> TemplateRecord:
    return TemplateRecord(**values)


def _service(values: Mapping[Any, Any]) -> ServiceRecord:
    data = dict(values)
    data["permissions"] = tuple(data["permissions"] or ())
    data["guest_list"] = tuple(data["guest_list"] or ())
    return ServiceRecord(**data)


def _notification(values: Mapping[Any, Any]) -> NotificationRecord:
    data = dict(values)
    data["personalisation"] = dict(data["personalisation"] or {})
    data["planned_steps"] = list(data["planned_steps"] or [])
    return NotificationRecord(**data)


# Built once, as the fixture resets before every test and reads what it sent after it:
# building a statement costs more than running it on the driver's cursor (store/direct.py).
_EMPTY_ACTIVITY = tuple(DirectStatement(delete(table)) for table in t.ACTIVITY_TABLES)
_ACTIVITY_HELD = DirectStatement(
    select(*(exists().select_from(table) for table in t.ACTIVITY_TABLES))
)
_n = t.notifications.c
_NOTIFICATION_KEYS = tuple(column.key for column in t.notifications.columns)
_PAGE_PIVOT = DirectStatement(select(_n.created_at, _n.id).where(_n.id == bindparam("older_than")))


class _Pivot(NamedTuple):
    created_at: Any
    id: Any


def _page_of_notifications(of_service: bool, after_pivot: bool) -> DirectStatement:
    statement = select(t.notifications)
    if of_service:
        statement = statement.where(_n.service_id == bindparam("service_id"))
    if after_pivot:
        pivot = _Pivot(
            bindparam("pivot_created_at", type_=_n.created_at.type),
            bindparam("pivot_id", type_=_n.id.type),
        )
        statement = statement.where(_after(_n.created_at, _n.id, pivot))
    return DirectStatement(
        statement.order_by(_n.created_at.desc(), _n.id.desc()).limit(bindparam("limit"))
    )


# Store.work_due: whether there is any row advance_due_statuses would step or claim_due look at
# (each answered from its index: ix_notifications_next_step_at, ix_callbacks_due).
_now = bindparam("now", type_=_n.next_step_at.type)
_WORK_DUE = DirectStatement(
    select(
        exists().where(_n.next_step_at <= _now),
        exists().where(t.callbacks.c.state == PENDING, t.callbacks.c.next_attempt_at <= _now),
    )
)
# Store.advance_due_statuses: whether any row has a step due (from the same index).
_STEPS_DUE = DirectStatement(select(exists().where(_n.next_step_at <= _now)))

# By (of one service, after a pivot): Store.notifications_page.
_PAGES = {
    (of_service, after_pivot): _page_of_notifications(of_service, after_pivot)
    for of_service in (False, True)
    for after_pivot in (False, True)
}
