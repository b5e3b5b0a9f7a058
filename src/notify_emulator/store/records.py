"""Plain records read from the store (immutable; secrets kept out of reprs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from notify_emulator.rules.constants import DEFAULT_DATA_RETENTION_DAYS


@dataclass(frozen=True)
class ServiceRecord:
    """A service and its settings."""

    id: str
    name: str
    active: bool
    trial_mode: bool
    rate_limit: int
    sms_message_limit: int
    email_message_limit: int
    letter_message_limit: int
    international_sms_message_limit: int
    permissions: tuple[str, ...]
    letter_contact_block: str | None
    guest_list: tuple[str, ...]
    inbound_number: str | None
    contact_link: str | None
    prefix_sms: bool
    created_at: datetime
    data_retention_days: int = DEFAULT_DATA_RETENTION_DAYS

    def has_permission(self, permission: str) -> bool:
        """Whether the service has ``permission`` (e.g. ``"sms"``)."""
        return permission in self.permissions


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key; ``expiry_date`` is set once it is revoked."""

    id: str
    service_id: str
    name: str
    key_type: str
    secret: str = field(repr=False)
    expiry_date: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class SmsSenderRecord:
    """An SMS sender."""

    id: str
    service_id: str
    sms_sender: str
    is_default: bool
    archived: bool


@dataclass(frozen=True)
class ReplyToRecord:
    """An email reply-to address."""

    id: str
    service_id: str
    email_address: str
    is_default: bool
    archived: bool


@dataclass(frozen=True)
class TemplateRecord:
    """One version of a template, with the template's own state."""

    id: str
    service_id: str
    template_type: str
    version: int
    archived: bool
    hidden: bool
    name: str
    subject: str | None
    body: str
    letter_contact_block: str | None
    postage: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime | None
    has_unsubscribe_link: bool = False


@dataclass(frozen=True)
class NotificationRecord:
    """A stored notification."""

    id: str
    service_id: str
    api_key_id: str | None
    key_type: str
    notification_type: str
    template_id: str
    template_version: int
    recipient: str | None
    normalised_recipient: str | None
    personalisation: dict[str, Any]
    reference: str | None
    status: str
    created_at: datetime
    sent_at: datetime | None
    updated_at: datetime | None
    completed_at: datetime | None
    planned_steps: list[dict[str, str]]
    next_step_at: datetime | None
    postage: str | None
    reply_to_text: str | None
    one_click_unsubscribe_url: str | None
    billable_units: int
    page_count: int | None
    international: bool
    rate_multiplier: float | None
    phone_prefix: str | None
    job_id: str | None
    is_precompiled: bool
    created_by_name: str | None


@dataclass(frozen=True)
class ReceivedTextRecord:
    """A text message received by a service."""

    id: str
    service_id: str
    user_number: str
    notify_number: str | None
    content: str
    created_at: datetime


@dataclass(frozen=True)
class DocumentRecord:
    """A file sent by email, served at ``/_emulator/documents/<id>``."""

    id: str
    service_id: str
    data: bytes = field(repr=False)
    filename: str | None
    mimetype: str
    confirm_email_before_download: bool
    retention_period: str
    created_at: datetime
