"""``POST /v2/notifications/sms`` and ``/email`` in Notify's pipeline order (§5.1, §5.2, §13)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from notify_emulator.api.checks import (
    FILE_ONLY_BY_EMAIL,
    Prepared,
    begin_send,
    check_permission,
    check_recipient_allowed,
    count_channels,
    pending_send,
    refuse_surrogates,
    refuse_unstorable,
    template_for_sending,
)
from notify_emulator.api.common import chosen_option, stored_fields
from notify_emulator.api.documents import process_uploads
from notify_emulator.clock import utc_naive
from notify_emulator.present.rendering import render, template_placeholders
from notify_emulator.present.serialise import as_mapping, notification_uri, post_template_reference
from notify_emulator.rules.constants import DEFAULT_SMS_SENDER
from notify_emulator.rules.data.delivery_receipts import records_delivery
from notify_emulator.rules.email import check_email, is_message_empty
from notify_emulator.rules.email_addresses import (
    email_local_part,
    is_simulated_email_address,
    normalise_email_address,
    validate_email_address,
)
from notify_emulator.rules.errors import MessageEmpty
from notify_emulator.rules.lifecycle import plan_delivery
from notify_emulator.rules.phone_numbers import (
    PhoneNumber,
    try_normalise_phone_number,
    validate_recipient_phone_number,
)
from notify_emulator.rules.placeholders import (
    NON_BREAKING_SPACES,
    ZERO_WIDTH_CHARACTERS,
    require_personalisation,
    sanitise_content_for,
)
from notify_emulator.rules.sms import check_sms, render_sms
from notify_emulator.store.admissions import DailyCheck, NotificationWrite, SendAdmission
from notify_emulator.store.ids import new_notification_id
from notify_emulator.web.auth import Caller
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import BadRequest
from notify_emulator.web.handlers import Result
from notify_emulator.web.schemas import (
    POST_EMAIL_REQUEST,
    POST_SMS_REQUEST,
    canonical_uuid,
    is_file_upload,
    validate,
)

# What Notify removes from a recipient as supplied before storing it (utils
# strip_and_remove_obscure_whitespace): the zero-width characters and the two no-break spaces
# wherever they are, then ASCII whitespace at the ends only. Ordinary spaces inside stay, so
# "07723 456 789" is kept as it is, and "07723\u00a0456\u00a0789" becomes "07723456789".
_REMOVED_ANYWHERE = str.maketrans(dict.fromkeys(ZERO_WIDTH_CHARACTERS + NON_BREAKING_SPACES))


def supplied_recipient(value: str) -> str:
    """The recipient as Notify stores it: invisible characters and no-break spaces removed,
    ASCII whitespace trimmed from the ends, case and inner spaces kept."""
    return value.translate(_REMOVED_ANYWHERE).strip(string.whitespace)


def check_no_files(personalisation: Mapping[str, Any]) -> None:
    """Files can only be sent by email (§5.1 step 10)."""
    if any(is_file_upload(value) for value in personalisation.values()):
        raise BadRequest(FILE_ONLY_BY_EMAIL)


def post_sms(emulator: Emulator, request: ApiRequest) -> Result:
    """Send a text message."""
    caller, admission = begin_send(emulator, request, "sms")
    return pending_send(admission, lambda: _prepare_sms(emulator, request, caller, admission))


def _prepare_sms(
    emulator: Emulator, request: ApiRequest, caller: Caller, admission: SendAdmission
) -> Prepared:
    clock = emulator.settings.clock
    data = request.json_body()
    validate(data, POST_SMS_REQUEST, clock)
    refuse_surrogates(request, data)
    body = as_mapping(data)
    service = caller.service
    check_permission(service, "sms")
    template = template_for_sending(emulator, service, canonical_uuid(body["template_id"]), "sms")
    personalisation = dict(as_mapping(body.get("personalisation")))
    require_personalisation(template_placeholders(template), personalisation)
    prefix = service.name if service.prefix_sms else None
    message = render_sms(template.body, personalisation, prefix=prefix)
    if message.is_empty:
        raise MessageEmpty()
    check_no_files(personalisation)
    sender_text = _sms_sender(emulator, caller, body.get("sms_sender_id"))
    recipient = supplied_recipient(str(body["phone_number"]))
    number = _checked_phone_number(caller, recipient)
    if not number.is_uk and caller.key_type != "test":
        limit = service.international_sms_message_limit
        admission.daily_checks.append(DailyCheck("international_sms", limit))
    check_sms(message)
    refuse_unstorable(request, body)

    notification_id = new_notification_id()
    write = None
    if not number.is_simulated:
        now = utc_naive(clock.now())
        status, steps = plan_delivery(
            notification_type="sms",
            key_type=caller.key_type,
            recipient=recipient,
            is_international=number.international,
            created_at=now,
            delays=emulator.settings.delivery_delays,
            delivery_receipts=not number.international or records_delivery(number.prefix),
        )
        write = NotificationWrite(
            {
                **stored_fields(
                    caller,
                    template,
                    notification_id=notification_id,
                    notification_type="sms",
                    reference=body.get("reference"),
                    created_at=now,
                    status=status,
                    steps=steps,
                ),
                "recipient": recipient,
                "normalised_recipient": number.normalised,
                "personalisation": personalisation,
                "reply_to_text": sender_text,
                "billable_units": message.fragment_count,
                "international": number.international,
                "rate_multiplier": float(number.rate_multiplier),
                "phone_prefix": number.prefix,
            },
            count_channels=count_channels(
                caller, "sms", simulated=False, international=not number.is_uk
            ),
        )
    api_body = message.body if prefix is None else render(template, personalisation).body
    return write, (
        201,
        {
            "content": {"body": api_body, "from_number": try_normalise_phone_number(sender_text)},
            "id": notification_id,
            "reference": body.get("reference"),
            "scheduled_for": None,
            "template": post_template_reference(request.root, service.id, template),
            "uri": notification_uri(request.root, notification_id),
        },
    )


def post_email(emulator: Emulator, request: ApiRequest) -> Result:
    """Send an email."""
    caller, admission = begin_send(emulator, request, "email")
    return pending_send(admission, lambda: _prepare_email(emulator, request, caller))


def _prepare_email(emulator: Emulator, request: ApiRequest, caller: Caller) -> Prepared:
    clock = emulator.settings.clock
    data = request.json_body()
    validate(data, POST_EMAIL_REQUEST, clock)
    refuse_surrogates(request, data)
    body = as_mapping(data)
    service = caller.service
    check_permission(service, "email")
    personalisation = dict(as_mapping(body.get("personalisation")))
    # notify-api.md §8.5: applied before rendering; the report is always in the response.
    personalisation, sanitised_content = sanitise_content_for(
        personalisation, _string_keys(body.get("sanitise_content_for"))
    )
    template = template_for_sending(emulator, service, canonical_uuid(body["template_id"]), "email")
    require_personalisation(template_placeholders(template), personalisation)
    if is_message_empty(template.body, personalisation):
        raise MessageEmpty()
    reply_to_text = _reply_to(emulator, caller, body.get("email_reply_to_id"))
    recipient = validate_email_address(str(body["email_address"]))
    normalised = normalise_email_address(recipient)
    check_recipient_allowed(caller, normalised)
    simulated = is_simulated_email_address(recipient)
    now = utc_naive(clock.now())
    personalisation, documents = process_uploads(
        personalisation, service, root=request.root, simulated=simulated, now=now
    )
    rendered = render(template, personalisation)
    check_email(template.body, personalisation)
    refuse_unstorable(request, body)

    notification_id = new_notification_id()
    unsubscribe_url = body.get("one_click_unsubscribe_url")
    write = None
    if not simulated:
        status, steps = plan_delivery(
            notification_type="email",
            key_type=caller.key_type,
            recipient=recipient,
            is_international=False,
            created_at=now,
            delays=emulator.settings.delivery_delays,
        )
        write = NotificationWrite(
            {
                **stored_fields(
                    caller,
                    template,
                    notification_id=notification_id,
                    notification_type="email",
                    reference=body.get("reference"),
                    created_at=now,
                    status=status,
                    steps=steps,
                ),
                "recipient": recipient,
                "normalised_recipient": normalised,
                "personalisation": personalisation,
                "reply_to_text": reply_to_text,
                "one_click_unsubscribe_url": unsubscribe_url,
            },
            count_channels=count_channels(caller, "email", simulated=False, international=False),
            documents=documents,
        )
    return write, (
        201,
        {
            "content": {
                "body": rendered.body,
                "subject": rendered.subject,
                "from_email": f"{email_local_part(service.name)}@{emulator.settings.email_domain}",
                "one_click_unsubscribe_url": unsubscribe_url,
            },
            "id": notification_id,
            "reference": body.get("reference"),
            "sanitised_content": sanitised_content,
            "scheduled_for": None,
            "template": post_template_reference(request.root, service.id, template),
            "uri": notification_uri(request.root, notification_id),
        },
    )


def _string_keys(value: object) -> list[str]:
    # Notify fails with a 500 on non-string items; they can never match a key, so skip them.
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def _sms_sender(emulator: Emulator, caller: Caller, sender_id: object) -> str:
    service_id = caller.service.id
    sender = chosen_option(
        emulator.store.sms_senders(service_id),
        sender_id,
        field="sms_sender_id",
        service_id=service_id,
    )
    return sender.sms_sender if sender else DEFAULT_SMS_SENDER


def _reply_to(emulator: Emulator, caller: Caller, reply_to_id: object) -> str | None:
    service_id = caller.service.id
    reply_to = chosen_option(
        emulator.store.reply_tos(service_id),
        reply_to_id,
        field="email_reply_to_id",
        service_id=service_id,
    )
    return reply_to.email_address if reply_to else None


def _checked_phone_number(caller: Caller, recipient: str) -> PhoneNumber:
    # notify-api.md §5.1 steps 12-13: team/trial restriction first, then permissions.
    check_recipient_allowed(caller, try_normalise_phone_number(recipient))
    service = caller.service
    return validate_recipient_phone_number(
        recipient,
        allow_international=service.has_permission("international_sms"),
        allow_uk_landline=service.has_permission("sms_to_uk_landlines"),
    )
