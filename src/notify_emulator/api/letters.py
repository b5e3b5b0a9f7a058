"""Letters: ``POST /v2/notifications/letter`` (template and precompiled) and the letter PDF
(notify-api.md §5.3, §5.4, §5.6)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from notify_emulator.api.checks import (
    admit_send,
    check_daily_limit,
    check_permission,
    check_rate_limit,
    count_channels,
    refuse_surrogates,
    refuse_unstorable,
    template_for_sending,
)
from notify_emulator.api.common import readable_notification, stored_fields
from notify_emulator.api.send import check_no_files
from notify_emulator.clock import utc_naive
from notify_emulator.letters_pdf import (
    check_precompiled_pdf,
    fewest_pages,
    page_count,
    render_letter_pdf,
)
from notify_emulator.present.rendering import render, template_placeholders
from notify_emulator.present.serialise import as_mapping, notification_uri, post_template_reference
from notify_emulator.rules.email import is_message_empty
from notify_emulator.rules.errors import MessageEmpty
from notify_emulator.rules.letter_template import (
    QrCodeTooLong,
    check_qr_codes,
    letter_body_html,
    letter_contact_block_html,
)
from notify_emulator.rules.letters import (
    LETTER_MAX_PAGES,
    decode_letter_content,
    letter_billable_units,
)
from notify_emulator.rules.lifecycle import plan_delivery
from notify_emulator.rules.placeholders import require_personalisation
from notify_emulator.rules.postal_address import (
    Postage,
    address_keys,
    letter_postage,
    validate_letter_address,
)
from notify_emulator.rules.timings import letter_date
from notify_emulator.store import NotificationRecord, TemplateRecord
from notify_emulator.store.ids import new_notification_id
from notify_emulator.store.seeding import PRECOMPILED_POSTAGE, precompiled_template_id
from notify_emulator.web.auth import Caller
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import ApiError, BadRequest, single
from notify_emulator.web.handlers import Result
from notify_emulator.web.schemas import (
    POST_LETTER_REQUEST,
    POST_PRECOMPILED_LETTER_REQUEST,
    canonical_uuid,
    validate,
)

TEAM_KEY_LETTER = "Cannot send letters with a team api key"
TRIAL_MODE_LETTER = "Cannot send letters when service is in trial mode"


def _check_letter_restrictions(caller: Caller) -> None:
    # notify-api.md §3: both are 403s with the BadRequestError name.
    if caller.key_type == "team":
        raise BadRequest(TEAM_KEY_LETTER, status_code=403)
    if caller.service.trial_mode and caller.key_type != "test":
        raise BadRequest(TRIAL_MODE_LETTER, status_code=403)


def post_letter(emulator: Emulator, request: ApiRequest) -> Result:
    """Send a letter: from a template, or a precompiled PDF when the body has ``content``."""
    clock = emulator.settings.clock
    caller, data = admit_send(emulator, request, "letter")
    if isinstance(data, dict) and "content" in data:
        return _post_precompiled(emulator, request, caller, data)
    # The generic route checks the limits again: a template letter takes two tokens (§5.3).
    check_rate_limit(emulator, caller)
    check_daily_limit(emulator, caller, "letter")
    validate(data, POST_LETTER_REQUEST, clock)
    refuse_surrogates(request, data)
    body = as_mapping(data)
    service = caller.service
    check_permission(service, "letter")
    template = template_for_sending(
        emulator, service, canonical_uuid(body["template_id"]), "letter"
    )
    personalisation = dict(as_mapping(body.get("personalisation")))
    _check_qr_codes(template, personalisation)
    require_personalisation(template_placeholders(template), personalisation)
    if is_message_empty(template.body, personalisation):
        raise MessageEmpty()
    check_no_files(personalisation)
    _check_letter_restrictions(caller)
    address = validate_letter_address(
        personalisation,
        allow_international_letters=service.has_permission("international_letters"),
    )
    refuse_unstorable(request, body, address_keys=address_keys(personalisation))
    rendered = render(template, personalisation)
    now = utc_naive(clock.now())
    contact_block = _contact_block(template, personalisation)
    body_html = letter_body_html(template.body, personalisation)
    subject = _unescaped(rendered.subject or "")
    pdf: bytes | None = None
    pages: int | None = None
    if (
        fewest_pages(
            address_lines=address.lines,
            contact_block=contact_block,
            subject=subject,
            body_html=body_html,
        )
        <= LETTER_MAX_PAGES
    ):
        pdf = _letter_pdf(address.lines, contact_block, subject, body_html, now)
        pages = page_count(pdf)
    # A letter certainly over the page limit is not rendered: Notify accepts it and it fails
    # validation (rules.md §4.8), which is what the plan says; it has no PDF and no pages.
    status, steps = plan_delivery(
        notification_type="letter",
        key_type=caller.key_type,
        recipient=address.normalised,
        is_international=address.international,
        created_at=now,
        delays=emulator.settings.delivery_delays,
        pdf_valid=pages is not None and pages <= LETTER_MAX_PAGES,
    )
    notification_id = new_notification_id()
    emulator.store.insert_notification(
        {
            **stored_fields(
                caller,
                template,
                notification_id=notification_id,
                notification_type="letter",
                reference=body.get("reference"),
                created_at=now,
                status=status,
                steps=steps,
            ),
            "recipient": address.normalised,
            "normalised_recipient": address.normalised,
            "personalisation": personalisation,
            "postage": letter_postage(_postage(template.postage), address),
            "reply_to_text": contact_block,
            # A letter over the page limit gets none (api update_validation_failed_for_
            # templated_letter sets only its status), so it shows no cost while it waits.
            "billable_units": letter_billable_units(
                key_type=caller.key_type, precompiled=False, pages=pages or 0
            )
            if pages is not None and pages <= LETTER_MAX_PAGES
            else 0,
            "page_count": pages,
            "international": address.international,
        },
        count_channels=count_channels(caller, "letter", simulated=False, international=False),
        letter_pdf=pdf,
    )
    return 201, {
        "content": {"body": rendered.body, "subject": rendered.subject},
        "id": notification_id,
        "reference": body.get("reference"),
        "scheduled_for": None,
        "template": post_template_reference(request.root, service.id, template),
        "uri": notification_uri(request.root, notification_id),
    }


def _postage(value: str | None) -> Postage:
    if value == "first":
        return "first"
    if value == "economy":
        return "economy"
    return "second"


def _check_qr_codes(template: TemplateRecord, personalisation: Mapping[str, Any]) -> None:
    # notify-api.md §4.1: this error's entry carries the data and its size.
    try:
        check_qr_codes(template.body, personalisation)
    except QrCodeTooLong as error:
        raise ApiError(
            400,
            [
                {
                    "error": error.error,
                    "message": error.message,
                    "data": error.data,
                    "num_bytes": error.num_bytes,
                    "max_bytes": error.max_bytes,
                }
            ],
        ) from None


def _contact_block(template: TemplateRecord, personalisation: Mapping[str, Any]) -> str | None:
    # The rules give the block as HTML lines joined by <br>; the store and the PDF want text.
    if not template.letter_contact_block:
        return None
    markup = letter_contact_block_html(template.letter_contact_block, personalisation)
    return html.unescape(markup.replace("<br>", "\n"))


def _letter_pdf(
    address_lines: tuple[str, ...],
    contact_block: str | None,
    subject: str,
    body_html: str,
    now: Any,
) -> bytes:
    return render_letter_pdf(
        address_lines=address_lines,
        contact_block=contact_block,
        date=letter_date(now),
        subject=subject,
        body_html=body_html,
    )


def _unescaped(subject: str) -> str:
    # The API's letter subject is HTML-escaped (rules.md §7.1); the PDF prints the text.
    return html.unescape(subject)


def _post_precompiled(
    emulator: Emulator, request: ApiRequest, caller: Caller, data: dict[str, Any]
) -> Result:
    clock = emulator.settings.clock
    validate(data, POST_PRECOMPILED_LETTER_REQUEST, clock)
    refuse_surrogates(request, data)
    service = caller.service
    check_permission(service, "letter")
    _check_letter_restrictions(caller)
    pdf = decode_letter_content(data["content"])
    refuse_unstorable(request, data)
    check = check_precompiled_pdf(pdf)
    now = utc_naive(clock.now())
    status, steps = plan_delivery(
        notification_type="letter",
        key_type=caller.key_type,
        recipient=None,
        is_international=False,
        created_at=now,
        delays=emulator.settings.delivery_delays,
        precompiled=True,
        pdf_valid=check.valid,
    )
    template = emulator.store.get_template(service.id, precompiled_template_id(service.id))
    if template is None:
        raise RuntimeError(f"service {service.id} has no precompiled letter template")
    postage = data.get("postage") or template.postage or PRECOMPILED_POSTAGE
    notification_id = new_notification_id()
    emulator.store.insert_notification(
        {
            **stored_fields(
                caller,
                template,
                notification_id=notification_id,
                notification_type="letter",
                reference=data["reference"],
                created_at=now,
                status=status,
                steps=steps,
            ),
            "recipient": None,
            "normalised_recipient": None,
            "personalisation": {},
            "postage": postage,
            "billable_units": letter_billable_units(
                key_type=caller.key_type, precompiled=True, pages=check.page_count or 0
            )
            if check.valid
            else 0,
            "page_count": check.page_count,
            "is_precompiled": True,
        },
        count_channels=count_channels(caller, "letter", simulated=False, international=False),
        letter_pdf=pdf,
    )
    return 201, {"id": notification_id, "postage": postage, "reference": data["reference"]}


def _pdf_still_being_made(emulator: Emulator, record: NotificationRecord) -> bool:
    """Whether Notify would not have the letter's PDF yet.

    A precompiled letter's PDF is not given out until its virus scan is over. A template letter's
    PDF is made by a task queued after the 201 (for test keys too), ready when the letter would
    have been found too long to print (``delivery_delays.sending`` after it was sent, on the
    emulator's clock); until then Notify answers ``PDFNotReadyError``, which clients poll on.
    """
    if record.status == "pending-virus-check":
        return True
    if record.is_precompiled:
        return False
    made_at = record.created_at + emulator.settings.delivery_delays.sending
    return utc_naive(emulator.settings.clock.now()) < made_at


def get_pdf(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/notifications/{id}/pdf``: the letter's PDF bytes (§5.6)."""
    _caller, record = readable_notification(emulator, request)
    if record.notification_type != "letter":
        raise BadRequest("Notification is not a letter")
    if record.status == "virus-scan-failed":
        raise BadRequest("File did not pass the virus scan")
    if record.status == "technical-failure":
        raise BadRequest("PDF not available for letters in status technical-failure")
    pdf = None if _pdf_still_being_made(emulator, record) else emulator.store.letter_pdf(record.id)
    if pdf is None:
        raise single(400, "PDFNotReadyError", "PDF not available yet, try again later")
    return Response(pdf, media_type="application/pdf")
