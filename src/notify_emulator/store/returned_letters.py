"""Returned letters: marking a letter returned (with its callback, in one transaction) and
the reports of ``GET /v2/returned-letters`` (notify-api.md "Returned letters")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from notify_emulator.clock import format_timestamp
from notify_emulator.rules.callbacks import (
    RETURNED_LETTER,
    ReturnedLetterFacts,
    returned_letter_body,
)
from notify_emulator.rules.lifecycle import RETURNED_LETTER as RETURNED_LETTER_STATUS
from notify_emulator.rules.timings import print_run
from notify_emulator.store import tables as t
from notify_emulator.store.events import record_notification_event
from notify_emulator.store.outbox import callback_setting, enqueue
from notify_emulator.store.store import Store

# A letter can come back once it has been sent to the printer: at the print run a letter in
# `created` becomes `sending` (and gets its sent_at), later `delivered`.
RETURNABLE_STATUSES = frozenset({"sending", "delivered"})
NOT_YET_PRINTED_STATUS = "created"
# api app/utils.py DATETIME_FORMAT_NO_TIMEZONE, used by the returned-letters report.
REPORT_CREATED_AT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class NotReturnable(Exception):
    """The notification cannot be returned; ``status_code`` and a message say why."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _facts_query() -> Any:
    n = t.notifications.c
    v = t.template_versions.c
    return select(
        n.id,
        n.service_id,
        n.notification_type,
        n.key_type,
        n.status,
        n.reference,
        n.api_key_id,
        n.created_at,
        n.template_id,
        n.template_version,
        v.name.label("template_name"),
        t.templates.c.hidden,
    ).select_from(
        t.notifications.outerjoin(
            t.template_versions,
            (v.template_id == n.template_id) & (v.version == n.template_version),
        ).outerjoin(t.templates, t.templates.c.id == n.template_id)
    )


def _facts(row: Mapping[Any, Any]) -> ReturnedLetterFacts:
    return ReturnedLetterFacts(
        notification_id=row["id"],
        client_reference=row["reference"],
        sent_with_api_key=row["api_key_id"] is not None,
        created_at=row["created_at"],
        sender_email=None,  # the emulator's letters are all sent through the API
        template_name=row["template_name"],
        template_id=row["template_id"],
        template_version=row["template_version"],
        hidden_template=bool(row["hidden"]),
    )


def return_letter(store: Store, notification_id: str) -> None:
    """Mark a letter returned today: status ``returned-letter``, a row in the report, and
    the service's returned-letter callback queued, all in one transaction.

    Raises :class:`NotReturnable` (and changes nothing) for anything but a printed letter.
    """
    now = store.now()
    n = t.notifications.c
    with store.db.begin() as connection:
        row = connection.execute(_facts_query().where(n.id == notification_id)).first()
        if row is None:
            raise NotReturnable(f"no notification with id {notification_id}", status_code=404)
        values = row._mapping
        if values["notification_type"] != "letter":
            raise NotReturnable(
                f"only letters can be returned; this is a {values['notification_type']}"
            )
        if values["key_type"] == "test":
            raise NotReturnable(
                "letters sent with a test key are never printed, so they cannot be returned"
            )
        if values["status"] == RETURNED_LETTER_STATUS:
            raise NotReturnable("this letter has already been returned", status_code=409)
        if values["status"] == NOT_YET_PRINTED_STATUS:
            run = format_timestamp(print_run(values["created_at"]))
            raise NotReturnable(
                "this letter has not been printed yet, so it cannot be returned: it is printed "
                f"at the print run at {run} (17:50 London time); move the emulator's clock past "
                "it first (POST /_emulator/clock)"
            )
        if values["status"] not in RETURNABLE_STATUSES:
            raise NotReturnable(
                f"a letter in status {values['status']} was never printed, so it cannot be returned"
            )
        changed = connection.execute(
            update(t.notifications)
            .where(n.id == notification_id, n.status == values["status"])
            .values(
                status=RETURNED_LETTER_STATUS,
                updated_at=now,
                completed_at=now,
                planned_steps=[],
                next_step_at=None,
            )
        ).rowcount
        if not changed:
            raise NotReturnable("the letter changed status meanwhile: try again", status_code=409)
        connection.execute(
            t.returned_letters.insert().values(
                notification_id=notification_id,
                service_id=values["service_id"],
                reported_at=now.date().isoformat(),
                created_at=now,
            )
        )
        record_notification_event(connection, notification_id, "letter", RETURNED_LETTER_STATUS)
        setting = callback_setting(connection, values["service_id"], RETURNED_LETTER)
        if setting is not None:
            enqueue(
                connection,
                setting,
                returned_letter_body(_facts(values)),
                first_attempt_at=now + store.callback_delay,
                now=now,
                notification_id=notification_id,
            )


@dataclass(frozen=True)
class ReportDay:
    """How many letters one report date returned."""

    report_date: str
    returned_letter_count: int


def returned_letter_summary(store: Store, service_id: str) -> list[ReportDay]:
    """One row per report date, newest first (api fetch_returned_letter_summary)."""
    r = t.returned_letters.c
    query = (
        select(r.reported_at, func.count(r.notification_id).label("letters"))
        .where(r.service_id == service_id)
        .group_by(r.reported_at)
        .order_by(r.reported_at.desc())
    )
    with store.db.connect() as connection:
        rows = connection.execute(query).all()
    return [
        ReportDay(report_date=row.reported_at, returned_letter_count=row.letters) for row in rows
    ]


def returned_letters_report(store: Store, service_id: str, report_date: str) -> dict[str, object]:
    """The report for one date, as ``GET /v2/returned-letters`` answers it: newest letters
    first, and how many returned letters no longer have a notification (``orphaned_count``)."""
    r = t.returned_letters.c
    n = t.notifications.c
    query = (
        _facts_query()
        .add_columns(r.reported_at)
        .join(t.returned_letters, r.notification_id == n.id)
        .where(r.service_id == service_id, r.reported_at == report_date)
        .order_by(n.created_at.desc(), n.id.desc())
    )
    orphans = (
        select(func.count())
        .select_from(t.returned_letters.outerjoin(t.notifications, r.notification_id == n.id))
        .where(r.service_id == service_id, r.reported_at == report_date, n.id.is_(None))
    )
    with store.db.connect() as connection:
        rows = connection.execute(query).all()
        orphaned = int(connection.execute(orphans).scalar() or 0)
    items: list[dict[str, object]] = []
    for row in rows:
        facts = _facts(row._mapping)
        hidden = facts.hidden_template
        items.append(
            {
                "notification_id": facts.notification_id,
                "reference": facts.reference,
                "report_date": row.reported_at,
                "created_at": facts.created_at.strftime(REPORT_CREATED_AT_FORMAT),
                "email_address": facts.sent_by,
                # str() of a hidden template's None, as Notify's report does.
                "template_name": str(None if hidden else facts.template_name),
                "template_id": str(None if hidden else facts.template_id),
                "template_version": None if hidden else facts.template_version,
                "spreadsheet_file_name": facts.spreadsheet_file_name,
                "spreadsheet_row_number": facts.spreadsheet_row_number,
                "uploaded_letter_file_name": facts.uploaded_letter_file_name,
            }
        )
    return {"returned_letters": items, "orphaned_count": orphaned}
