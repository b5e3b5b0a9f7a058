"""Response bodies of the v2 API, with every field Notify sends (notify-api.md §5)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from notify_emulator.clock import format_timestamp
from notify_emulator.present.rendering import render, template_placeholders
from notify_emulator.rules.cost import cost_fields
from notify_emulator.rules.data.delivery_receipts import records_delivery
from notify_emulator.rules.lifecycle import COMPLETED_STATUSES, api_status
from notify_emulator.rules.placeholders import normalise_key
from notify_emulator.rules.timings import estimated_delivery
from notify_emulator.store import NotificationRecord, ReceivedTextRecord, TemplateRecord

ADDRESS_KEYS = (
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "address_line_6",
    "postcode",
)
PRECOMPILED_LINE_1 = "Provided as PDF"
# Namespace of the tokens in generated unsubscribe URLs.
UNSUBSCRIBE_NAMESPACE = uuid.UUID("0b5e6c1e-8f0d-4a53-a1f6-6a3c8f1e2d47")


def notification_uri(root: str, notification_id: str) -> str:
    """``<root>/v2/notifications/<id>``."""
    return f"{root}/v2/notifications/{notification_id}"


def post_template_reference(
    root: str, service_id: str, template: TemplateRecord
) -> dict[str, object]:
    """The ``template`` of a POST response: its uri really is the admin one (§5.1)."""
    return {
        "id": template.id,
        "uri": f"{root}/services/{service_id}/templates/{template.id}",
        "version": template.version,
    }


def notification_json(
    record: NotificationRecord, template: TemplateRecord | None, root: str
) -> dict[str, object]:
    """``GET /v2/notifications/{id}``: every key, nulls where not applicable (§5.5)."""
    personalisation = record.personalisation
    if template is not None:
        rendered = render(template, personalisation)
        body, subject = rendered.body, rendered.subject
    else:
        body, subject = "", None
    is_letter = record.notification_type == "letter"
    lines: dict[str, object] = {f"line_{n}": None for n in range(1, 7)}
    postcode: object = None
    if is_letter and record.is_precompiled:
        lines["line_1"] = PRECOMPILED_LINE_1
    elif is_letter:
        values = {normalise_key(str(key)): value for key, value in personalisation.items()}
        for n in range(1, 7):
            lines[f"line_{n}"] = values.get(normalise_key(f"address_line_{n}"))
        postcode = values.get("postcode")
    completed = record.status in COMPLETED_STATUSES
    data: dict[str, object] = {
        "id": record.id,
        "reference": record.reference,
        "email_address": record.recipient if record.notification_type == "email" else None,
        "phone_number": record.recipient if record.notification_type == "sms" else None,
        **lines,
        "postcode": postcode,
        "type": record.notification_type,
        "status": api_status(record.notification_type, record.status),
        "template": {
            "id": record.template_id,
            "version": record.template_version,
            "uri": f"{root}/v2/template/{record.template_id}/version/{record.template_version}",
        },
        "body": body,
        "subject": subject,
        "created_at": format_timestamp(record.created_at),
        "created_by_name": record.created_by_name,
        "sent_at": format_timestamp(record.sent_at),
        "completed_at": format_timestamp(record.updated_at) if completed else None,
        "scheduled_for": None,
        "postage": record.postage if is_letter else None,
        "one_click_unsubscribe_url": unsubscribe_url(record, template, root),
        **cost_data(record),
    }
    if is_letter:
        data["estimated_delivery"] = format_timestamp(
            estimated_delivery(record.created_at, record.postage or "second")
        )
    return data


def unsubscribe_url(
    record: NotificationRecord, template: TemplateRecord | None, root: str
) -> str | None:
    """The URL supplied when sending; else, for an email whose template has the unsubscribe
    link option, one generated for the notification (§5.5)."""
    if record.one_click_unsubscribe_url:
        return record.one_click_unsubscribe_url
    if record.notification_type == "email" and template and template.has_unsubscribe_link:
        return root + unsubscribe_path(record.id)
    return None


def unsubscribe_path(notification_id: str) -> str:
    """The path of a notification's generated one-click unsubscribe URL."""
    return f"/unsubscribe/{notification_id}/{unsubscribe_token(notification_id)}"


def unsubscribe_token(notification_id: str) -> str:
    """The token of a notification's generated unsubscribe URL (``POST /unsubscribe/{id}/
    {token}`` takes only this one). Notify signs the recipient's address instead; the emulator
    derives it from the id, so the same URL is shown on every read."""
    return uuid.uuid5(UNSUBSCRIBE_NAMESPACE, notification_id).hex


def cost_data(record: NotificationRecord) -> dict[str, object]:
    """``is_cost_data_ready``, ``cost_in_pounds`` and ``cost_details`` (§10.1).

    Notify records a text's fragments when it is handed on, so a text still in ``created`` has
    none yet. A letter's sheets are recorded once its PDF is made, which here is when it is
    sent, so a letter waiting for the print run in ``created`` already has them (as in Notify
    seconds after sending); test-key letters are never printed, so never have sheets.
    """
    units = record.billable_units
    is_letter = record.notification_type == "letter"
    if (record.status == "created" and not is_letter) or (is_letter and record.key_type == "test"):
        units = 0
    if _unreceipted_test_text(record):
        units = 0
    return cost_fields(
        notification_type=record.notification_type,
        status=record.status,
        billable_units=units,
        rate_multiplier=record.rate_multiplier,
        postage=record.postage,
        created_at=record.created_at,
    )


def template_json(template: TemplateRecord) -> dict[str, object]:
    """A template as ``GET /v2/template/{id}`` shows it (§5.8)."""
    is_letter = template.template_type == "letter"
    return {
        "id": template.id,
        "name": template.name,
        "type": template.template_type,
        "created_at": format_timestamp(template.created_at),
        "updated_at": format_timestamp(template.updated_at),
        "created_by": template.created_by,
        "version": template.version,
        "body": template.body,
        "subject": template.subject if template.template_type != "sms" else None,
        "letter_contact_block": template.letter_contact_block if is_letter else None,
        "postage": template.postage if is_letter else None,
        "personalisation": {name: {"required": True} for name in template_placeholders(template)},
    }


def received_text_json(record: ReceivedTextRecord) -> dict[str, object]:
    """A received text message (§5.11)."""
    return {
        "id": record.id,
        "service_id": record.service_id,
        "user_number": record.user_number,
        "notify_number": record.notify_number,
        "content": record.content,
        "created_at": format_timestamp(record.created_at),
    }


def page_links(current: str, next_url: str | None) -> dict[str, str]:
    """``links`` of a list response: ``next`` only when there is one."""
    links = {"current": current}
    if next_url is not None:
        links["next"] = next_url
    return links


def as_mapping(value: object) -> Mapping[str, Any]:
    """A JSON object from the request as a mapping (others read as empty)."""
    return value if isinstance(value, Mapping) else {}


# The statuses a delivery receipt gives a text (api _process_for_status).
_RECEIPTED_STATUSES = frozenset({"pending", "delivered", "permanent-failure", "temporary-failure"})


def _unreceipted_test_text(record: NotificationRecord) -> bool:
    """A test-key text whose simulated receipt has not (or will never) set its fragments.

    Notify hands a test-key text on without recording its fragments (api
    ``send_sms_to_provider``), so in ``sending`` or ``sent`` it costs 0 with its cost data
    ready; the simulated receipt records them (``_process_for_status``), except for countries
    without delivery receipts, whose receipt Notify ignores. A live text has them from the
    moment it is handed on.
    """
    if record.notification_type != "sms" or record.key_type != "test":
        return False
    if record.status not in _RECEIPTED_STATUSES:
        return True
    return record.international and not records_delivery(record.phone_prefix or "")
