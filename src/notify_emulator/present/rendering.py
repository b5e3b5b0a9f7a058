"""Rendering a template with personalisation, by channel, through the rules package.

The same rendering serves POST responses, ``GET /v2/notifications/{id}`` (recomputed from
the stored personalisation and the template version used) and template previews.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notify_emulator.rules.email import email_body, email_html_body, email_subject
from notify_emulator.rules.letter_template import (
    letter_body,
    letter_placeholder_names,
    letter_subject,
)
from notify_emulator.rules.placeholders import placeholder_names
from notify_emulator.rules.sms import render_sms
from notify_emulator.store import TemplateRecord

# notify-api.md §5.5: what a precompiled letter shows.
PRECOMPILED_SUBJECT = "Pre-compiled PDF"


@dataclass(frozen=True)
class Rendered:
    """A rendered message: the API's ``body`` and ``subject`` (None for SMS)."""

    body: str
    subject: str | None


def template_placeholders(template: TemplateRecord) -> list[str]:
    """The template's placeholders in Notify's order (rules.md §1.2, notify-api.md §5.8)."""
    if template.template_type == "sms":
        return placeholder_names(template.body)
    if template.template_type == "email":
        return placeholder_names(template.subject, template.body)
    return letter_placeholder_names(
        content=template.body,
        subject=template.subject or "",
        contact_block=template.letter_contact_block,
    )


def render(template: TemplateRecord, personalisation: Mapping[str, Any]) -> Rendered:
    """The body and subject the API shows (SMS never carries the service-name prefix)."""
    if template.template_type == "sms":
        return Rendered(body=render_sms(template.body, personalisation).body, subject=None)
    if template.template_type == "email":
        return Rendered(
            body=email_body(template.body, personalisation),
            subject=email_subject(template.subject or "", personalisation),
        )
    if template.hidden:
        return Rendered(body="", subject=PRECOMPILED_SUBJECT)
    return Rendered(
        body=letter_body(template.body, personalisation),
        subject=letter_subject(template.subject or "", personalisation),
    )


def render_email_preview_html(template: TemplateRecord, personalisation: Mapping[str, Any]) -> str:
    """The HTML fragment of an email's body (the preview's ``html``)."""
    return email_html_body(template.body, personalisation)
