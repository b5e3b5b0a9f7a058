"""``GET /notifications/{id}``: one notification as its recipient would see it, and what the
emulator knows about it; with the email's HTML, the letter's PDF and its pages as images.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from starlette.responses import Response

from notify_emulator.callbacks.delivery import safe_url
from notify_emulator.clock import format_timestamp
from notify_emulator.pages import letter_images, wording
from notify_emulator.pages.unsubscribes import unsubscribe_view
from notify_emulator.pages.views import (
    letter_address_lines,
    notification_row,
    pdf_address,
    rendered_text,
)
from notify_emulator.pages.web import EMAIL_CSP, PageError, render_page
from notify_emulator.present.serialise import notification_json, unsubscribe_url
from notify_emulator.present.template_preview import viewed_email
from notify_emulator.rules.email import email_plain_text
from notify_emulator.rules.email_addresses import email_local_part
from notify_emulator.rules.email_document import email_document
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.lifecycle import ALL_STATUSES, FORCEABLE_STATUSES
from notify_emulator.rules.sms import RenderedSms, render_sms
from notify_emulator.rules.timings import LONDON, estimated_delivery
from notify_emulator.store import NotificationRecord, ServiceRecord, TemplateRecord
from notify_emulator.store.outbox import CallbackRecord, list_callbacks
from notify_emulator.store.returned_letters import RETURNABLE_STATUSES
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = ["email_html", "letter_page_image", "letter_pdf", "notification_page"]


@dataclass(frozen=True)
class TimelineEntry:
    """A moment in a notification's life; ``planned`` ones have not happened yet."""

    label: str
    at: datetime
    at_text: str
    planned: bool = False


@dataclass(frozen=True)
class SmsView:
    """A text as its recipient's phone shows it."""

    sender: str
    body: str
    characters: int
    fragments: int
    encoding: str
    downgraded: bool
    rate_multiplier: float | None


@dataclass(frozen=True)
class EmailView:
    """An email: its envelope, its plain-text part and its headers."""

    from_header: str
    from_name: str
    reply_to: str | None
    to: str
    subject: str
    plain_text: str
    headers: str


@dataclass(frozen=True)
class CallbackView:
    """A callback Notify would have made about the notification (never its bearer token)."""

    id: str
    type_label: str
    url: str
    state: str
    attempts: list[str]
    next_attempt: str | None
    body: str


_CALLBACK_LABELS = {
    "delivery_status": "Delivery receipt",
    "returned_letter": "Returned letter",
    "inbound_sms": "Received text message",
}


@dataclass(frozen=True)
class LetterView:
    """A letter: its pages, postage and delivery."""

    address_lines: list[str]
    pages: int
    postage: str
    delivery: str | None
    notice: str | None
    notice_is_error: bool
    pdf_available: bool


def _notification(emulator: Emulator, request: ApiRequest) -> NotificationRecord:
    raw = request.path_params.get("notification_id", "")
    try:
        notification_id = str(uuid.UUID(raw))
    except ValueError:
        raise _not_found() from None
    record = emulator.store.get_notification(notification_id)
    if record is None:
        raise _not_found()
    return record


def _not_found() -> PageError:
    return PageError(
        404,
        "Message not found",
        "There is no message with this id. It may have been cleared, or the address is wrong.",
    )


def notification_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /notifications/{id}``."""
    store = emulator.store
    record = _notification(emulator, request)
    template = store.notification_template(record)
    service = store.get_service(record.service_id)
    now = store.now()
    address = pdf_address(store, record)
    row = notification_row(record, template, service, now, address)
    v2 = notification_json(record, template, request.root)
    return render_page(
        "notification.html",
        row=row,
        record=record,
        template=template,
        sent_line=_sent_line(record, template, now),
        sms=_sms_view(record, template, service) if record.notification_type == "sms" else None,
        email=(
            _email_view(emulator, record, template, service, request.root)
            if record.notification_type == "email"
            else None
        ),
        letter=(
            _letter_view(emulator, record, address, now)
            if record.notification_type == "letter"
            else None
        ),
        unsubscribe=unsubscribe_view(store, record, template),
        timeline=_timeline(record, now),
        callbacks=[
            _callback_view(callback, now)
            for callback in list_callbacks(store.db, notification_id=record.id)
        ],
        v2_json=json.dumps(v2, indent=2, sort_keys=True, ensure_ascii=False),
        status_options=_status_options(record, now),
        can_return=_can_be_returned(record),
        waits_for_print=_waits_for_print(record),
        conversation_number=(
            record.normalised_recipient if record.notification_type == "sms" else None
        ),
        live_on="notification callback",
        live_id=record.id,
    )


def _sent_line(record: NotificationRecord, template: TemplateRecord | None, now: datetime) -> str:
    when = wording.format_datetime_human(record.created_at, now)
    if record.is_precompiled:
        return f"Provided as PDF {when}"
    name = template.name if template else "A template no longer stored"
    return f"‘{name}’ was sent {when}"


def _sms_view(
    record: NotificationRecord, template: TemplateRecord | None, service: ServiceRecord | None
) -> SmsView | None:
    if template is None:
        return None
    prefix = service.name if service is not None and service.prefix_sms else None
    try:
        message: RenderedSms = render_sms(template.body, record.personalisation, prefix=prefix)
    except RuleError:
        return None
    return SmsView(
        sender=record.reply_to_text or "",
        body=message.body,
        characters=message.content_count,
        fragments=message.fragment_count,
        encoding="UCS-2 (Unicode)" if message.is_unicode else "GSM 7-bit",
        downgraded=message.body != message.unsanitised,
        rate_multiplier=record.rate_multiplier if record.international else None,
    )


def _body_unsubscribe_link(
    record: NotificationRecord, template: TemplateRecord, root: str
) -> str | None:
    # Notify puts a link in the body only for a template with the unsubscribe option; the
    # URL supplied when sending is for the List-Unsubscribe header (api models.py).
    if not template.has_unsubscribe_link:
        return None
    return unsubscribe_url(
        dataclasses.replace(record, one_click_unsubscribe_url=None), template, root
    )


def _email_view(
    emulator: Emulator,
    record: NotificationRecord,
    template: TemplateRecord | None,
    service: ServiceRecord | None,
    root: str,
) -> EmailView | None:
    if template is None:
        return None
    rendered = rendered_text(template, record)
    subject = rendered.subject if rendered else ""
    name = service.name if service else ""
    address = f"{email_local_part(name)}@{emulator.settings.email_domain}"
    from_header = f'"{name}" <{address}>'
    try:
        plain = email_plain_text(
            template.body,
            record.personalisation,
            unsubscribe_link=_body_unsubscribe_link(record, template, root),
        )
    except RuleError:
        plain = ""
    header_unsubscribe = unsubscribe_url(record, template, root)
    headers = [f"From: {from_header}", f"To: {record.recipient or ''}"]
    if record.reply_to_text:
        headers.append(f"Reply-To: {record.reply_to_text}")
    headers.append(f"Subject: {subject}")
    if header_unsubscribe:
        headers.append(f"List-Unsubscribe: <{header_unsubscribe}>")
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    headers.append("MIME-Version: 1.0")
    headers.append("Content-Type: multipart/alternative (text/plain, text/html; charset=UTF-8)")
    return EmailView(
        from_header=from_header,
        from_name=name,
        reply_to=record.reply_to_text,
        to=record.recipient or "",
        subject=subject or "",
        plain_text=plain,
        headers="\n".join(headers),
    )


def _letter_view(
    emulator: Emulator, record: NotificationRecord, address: tuple[str, ...], now: datetime
) -> LetterView:
    pdf = emulator.store.letter_pdf(record.id)
    pages = record.page_count or 0
    if pdf is not None and not pages:
        try:
            pages = letter_images.page_count(pdf)
        except letter_images.LetterImageError:
            pages = 0
    notice, is_error, delivery = _letter_notice(record, now)
    postage = wording.POSTAGE_LABELS.get(record.postage or "", record.postage or "")
    return LetterView(
        address_lines=letter_address_lines(record, address),
        pages=pages if pdf is not None else 0,
        postage=postage,
        delivery=delivery,
        notice=notice,
        notice_is_error=is_error,
        pdf_available=pdf is not None,
    )


def _letter_notice(
    record: NotificationRecord, now: datetime
) -> tuple[str | None, bool, str | None]:
    """What the admin app says above a letter: (notice, is it an error, estimated delivery)."""
    status = record.status
    if status == "cancelled":
        return f"Cancelled {wording.format_date_short(record.updated_at or now)}", True, None
    if status == "validation-failed":
        return "Validation failed – this letter will not be printed.", True, None
    if status == "permanent-failure":
        return (
            "Permanent failure – The provider cannot print the letter. "
            "Your letter will not be dispatched.",
            True,
            None,
        )
    if status == "technical-failure":
        return "Technical failure – Do not try to send this letter again", True, None
    if status == "virus-scan-failed":
        return "Virus detected – this letter will not be printed.", True, None
    if record.key_type == "test":
        if record.is_precompiled:
            return (
                "This letter passed our checks, but we will not print it because you used a "
                "test key.",
                False,
                None,
            )
        return "We will not print this letter because you used a test key.", False, None
    if status == "returned-letter":
        return "This letter was returned to the sender.", True, None
    delivery = estimated_delivery(record.created_at, record.postage or "second").astimezone(LONDON)
    delivery_text = (
        f"Estimated delivery by {delivery.strftime('%A')} {delivery.day} {delivery.strftime('%B')}"
    )
    # The status line already says when it prints.
    return None, False, delivery_text


def _timeline(record: NotificationRecord, now: datetime) -> list[TimelineEntry]:
    """What has happened and what is planned. Notify keeps no history of statuses; the emulator
    knows when the notification was created and handed on, its last change, and the steps of
    its plan still to come."""

    def entry(label: str, at: datetime, *, planned: bool = False) -> TimelineEntry:
        text = f"{wording.format_datetime_human(at, now)} ({format_timestamp(at)})"
        return TimelineEntry(label=label, at=at, at_text=text, planned=planned)

    def text(status: str) -> str:
        words = wording.status_text(
            record.notification_type, status, created_at=record.created_at, now=now
        )
        return f"{words} ({status})"

    entries = [entry("Created", record.created_at)]
    if record.sent_at is not None:
        handed = (
            "Sent to the printer"
            if record.notification_type == "letter"
            else "Sent to the provider"
        )
        entries.append(entry(handed, record.sent_at))
    if record.updated_at is not None:
        entries.append(entry(text(record.status), record.updated_at))
    else:
        entries[0] = entry(f"Created: {text(record.status)}", record.created_at)
    for step in record.planned_steps:
        at = datetime.fromisoformat(step["at"])
        entries.append(entry(f"{text(step['status'])}, planned", at, planned=True))
    return entries


def _callback_view(callback: CallbackRecord, now: datetime) -> CallbackView:
    attempts = []
    for attempt in callback.attempts:
        outcome = (
            f"HTTP {attempt['status_code']}"
            if attempt.get("status_code") is not None
            else str(attempt.get("error") or "no answer")
        )
        attempts.append(f"{attempt.get('at', '')}: {outcome} in {attempt.get('duration_ms', 0)} ms")
    try:
        body = json.dumps(json.loads(callback.body), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        body = callback.body
    next_attempt = None
    if callback.state == "pending" and callback.next_attempt_at is not None:
        next_attempt = (
            f"{wording.format_datetime_human(callback.next_attempt_at, now)} "
            f"({format_timestamp(callback.next_attempt_at)})"
        )
    return CallbackView(
        id=callback.id,
        type_label=_CALLBACK_LABELS.get(callback.callback_type, callback.callback_type),
        url=safe_url(callback.url),
        state=callback.state,
        attempts=attempts,
        next_attempt=next_attempt,
        body=body,
    )


def _can_be_returned(record: NotificationRecord) -> bool:
    """Whether the letter has been printed (sent to the printer, and not come back yet): only
    then can it be returned (``POST /_emulator/notifications/{id}/return``)."""
    return (
        record.notification_type == "letter"
        and record.key_type != "test"
        and record.sent_at is not None
        and record.status in RETURNABLE_STATUSES
    )


# A letter in these has not gone to the printer yet, but will.
_BEFORE_PRINTING = frozenset({"created", "pending-virus-check"})


def _waits_for_print(record: NotificationRecord) -> bool:
    return (
        record.notification_type == "letter"
        and record.key_type != "test"
        and record.sent_at is None
        and record.status in _BEFORE_PRINTING
    )


def _status_options(record: NotificationRecord, now: datetime) -> list[tuple[str, str]]:
    allowed = FORCEABLE_STATUSES.get(record.notification_type, frozenset())
    options = []
    for status in ALL_STATUSES:
        if status in allowed:
            words = wording.status_text(
                record.notification_type, status, created_at=record.created_at, now=now
            )
            options.append((status, f"{status} – {words}"))
    return options


def email_html(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /notifications/{id}/email.html``: the email's HTML as Notify sends it, served with a
    sandboxing CSP for the page's iframe. Its links open in a new tab."""
    record = _notification(emulator, request)
    template = emulator.store.notification_template(record)
    if record.notification_type != "email" or template is None:
        raise PageError(404, "Not an email", "This message is not an email.")
    try:
        document = email_document(
            template.subject or "",
            template.body,
            record.personalisation,
            unsubscribe_link=_body_unsubscribe_link(record, template, request.root),
        )
    except RuleError as error:
        raise PageError(409, "Cannot show this email", str(error)) from None
    return Response(
        viewed_email(document),
        media_type="text/html",
        headers={"Content-Security-Policy": EMAIL_CSP, "Referrer-Policy": "no-referrer"},
    )


def letter_pdf(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /notifications/{id}/letter.pdf``: the letter's PDF."""
    record = _notification(emulator, request)
    pdf = emulator.store.letter_pdf(record.id) if record.notification_type == "letter" else None
    if pdf is None:
        raise PageError(404, "No PDF", "This message has no PDF.")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="letter-{record.id}.pdf"'},
    )


def letter_page_image(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /notifications/{id}/pages/{n}.png``: page ``n`` (from 1) of the letter's PDF."""
    record = _notification(emulator, request)
    pdf = emulator.store.letter_pdf(record.id) if record.notification_type == "letter" else None
    if pdf is None:
        raise PageError(404, "No PDF", "This message has no PDF.")
    raw_number = request.path_params.get("page", "")
    # ASCII digits only: str.isdigit also takes "²" (which int() refuses) and "１".
    if not (raw_number.isascii() and raw_number.isdigit()) or len(raw_number) > 3:
        raise PageError(404, "No such page", "Pages are numbered from 1.")
    try:
        png = letter_images.page_png(record.id, pdf, int(raw_number))
    except letter_images.LetterImageError as error:
        raise PageError(404, "No such page", str(error)) from None
    return Response(png, media_type="image/png")
