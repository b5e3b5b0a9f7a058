"""What the pages show of a notification, worked out once: its recipient, a preview of its
content and its status as the admin app words them.

Subjects and bodies come from the same rendering as the v2 API (present/rendering.py); a
letter's subject, which the API returns HTML-escaped (rules.md §7.1), is unescaped here so
that the page escapes it exactly once.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from notify_emulator.clock import format_timestamp
from notify_emulator.pages import letter_images
from notify_emulator.pages.wording import (
    NOTIFICATION_TYPE_LABELS,
    format_datetime_human,
    format_delta,
    status_class,
    status_text,
)
from notify_emulator.present.rendering import Rendered, render
from notify_emulator.rules.errors import RuleError
from notify_emulator.store import NotificationRecord, ServiceRecord, Store, TemplateRecord

__all__ = [
    "NotificationRow",
    "letter_address_lines",
    "notification_row",
    "pdf_address",
    "pdf_address_is_known",
    "rendered_text",
]

PRECOMPILED_RECIPIENT = "Provided as PDF"

# Notify sets a precompiled letter's recipient to the address in its PDF once the PDF has
# passed its checks (api letters_pdf_tasks.update_letter_pdf_status); before, or if it fails
# them, the recipient stays "Provided as PDF".
_ADDRESS_NOT_READ = frozenset({"pending-virus-check", "virus-scan-failed", "validation-failed"})


def pdf_address_is_known(record: NotificationRecord) -> bool:
    """Whether Notify would have read this precompiled letter's address from its PDF yet."""
    return record.is_precompiled and record.status not in _ADDRESS_NOT_READ


@dataclass(frozen=True)
class NotificationRow:
    """One line of the inbox."""

    id: str
    notification_type: str
    type_label: str
    recipient: str
    preview: str
    status: str
    status_text: str
    status_class: str
    key_type: str
    service_id: str
    service_name: str
    template_name: str
    created_at: str
    """ISO 8601, for ``<time datetime>``."""
    created_relative: str
    created_human: str


def rendered_text(template: TemplateRecord | None, record: NotificationRecord) -> Rendered | None:
    """The API's body and subject (a letter's subject unescaped), or None if it cannot be
    rendered any more (e.g. a template version missing from the database)."""
    if template is None:
        return None
    try:
        rendered = render(template, record.personalisation)
    except RuleError:
        return None
    if record.notification_type == "letter" and rendered.subject is not None:
        return Rendered(body=rendered.body, subject=html.unescape(rendered.subject))
    return rendered


def pdf_address(store: Store, record: NotificationRecord) -> tuple[str, ...]:
    """The address in a precompiled letter's PDF, once Notify would have read it (none for
    any other notification)."""
    if not pdf_address_is_known(record):
        return ()
    return letter_images.precompiled_address(record.id, lambda: store.letter_pdf(record.id))


def letter_address_lines(record: NotificationRecord, pdf_address: Sequence[str] = ()) -> list[str]:
    """The address a letter was sent to, one line each; for a precompiled letter,
    ``pdf_address``, the address read from its PDF."""
    if record.is_precompiled:
        return list(pdf_address) if pdf_address_is_known(record) else []
    if not record.recipient:
        return []
    return [line for line in record.recipient.splitlines() if line.strip()]


def _recipient(record: NotificationRecord, pdf_address: Sequence[str]) -> str:
    if record.notification_type == "letter":
        lines = letter_address_lines(record, pdf_address)
        if record.is_precompiled and not lines:
            return PRECOMPILED_RECIPIENT
        return ", ".join(lines)
    return record.recipient or ""


def _preview(record: NotificationRecord, rendered: Rendered | None) -> str:
    # The admin's preview_of_content: a text's body, an email's or letter's subject, and a
    # precompiled letter's reference.
    if record.notification_type == "letter" and record.is_precompiled:
        return record.reference or ""
    if rendered is None:
        return ""
    if record.notification_type == "sms":
        return rendered.body
    return rendered.subject or ""


def notification_row(
    record: NotificationRecord,
    template: TemplateRecord | None,
    service: ServiceRecord | None,
    now: datetime,
    pdf_address: Sequence[str] = (),
) -> NotificationRow:
    """The inbox line of a notification, timed against ``now`` (the emulator's clock);
    ``pdf_address`` is the address read from a precompiled letter's PDF."""
    rendered = rendered_text(template, record)
    return NotificationRow(
        id=record.id,
        notification_type=record.notification_type,
        type_label=NOTIFICATION_TYPE_LABELS.get(record.notification_type, record.notification_type),
        recipient=_recipient(record, pdf_address),
        preview=_preview(record, rendered),
        status=record.status,
        status_text=status_text(
            record.notification_type,
            record.status,
            created_at=record.created_at,
            now=now,
            key_type=record.key_type,
        ),
        status_class=status_class(record.notification_type, record.status),
        key_type=record.key_type,
        service_id=record.service_id,
        service_name=service.name if service else record.service_id,
        template_name=template.name if template else "",
        created_at=format_timestamp(record.created_at) or "",
        created_relative=format_delta(record.created_at, now),
        created_human=format_datetime_human(record.created_at, now),
    )
