"""``POST /_emulator/templates/preview``: a template being written, rendered as Notify would
send it, for the template pages' live preview.

Nothing is stored. Placeholders with no value stay as ``((name))``, as the admin app's preview
shows them. The answer is text (``body``, ``subject``, the admin app's words under a text
message) and, given the ``service_id`` of the page asking, the addresses of the parts a page
frames: the email's HTML document, the letter's PDF and its page images, served by the
template pages' own routes with the text in their query (``present/template_preview.py``).
The page puts every text in the document as text, so whatever the template holds is never
markup.
"""

from __future__ import annotations

from typing import Any

from notify_emulator.admin.bodies import json_object
from notify_emulator.present.template_preview import (
    MAX_PREVIEW_CHARACTERS,
    email_preview_subject,
    letter_preview,
    preview_address,
    sms_preview,
    too_long_to_preview,
)
from notify_emulator.rules.constants import TEMPLATE_TYPES
from notify_emulator.rules.email import email_body
from notify_emulator.rules.letter_template import letter_body
from notify_emulator.rules.timings import letter_date
from notify_emulator.store import ServiceRecord
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result
from notify_emulator.web.text_checks import problem

__all__ = ["preview_template"]


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AdminError(f"{name} must be a string", field=name)
    if len(value) > MAX_PREVIEW_CHARACTERS:
        raise AdminError(too_long_to_preview(name), field=name)
    # As the preview's own addresses refuse it (a NUL cannot be in a page's query).
    found = problem(value)
    if found is not None:
        raise AdminError(f"{name} must not contain {found}", field=name)
    return value


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise AdminError(f"{name} must be true or false", field=name)
    return value


def _service(emulator: Emulator, data: dict[str, Any]) -> ServiceRecord | None:
    service_id = data.get("service_id")
    if isinstance(service_id, str) and service_id:
        return emulator.store.get_service(service_id)
    return None


def preview_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``{"type", "body", "subject"?, "letter_contact_block"?, "unsubscribe_link"?,
    "service_id"?}`` → ``{"body", "subject", ...}``: a text
    adds ``fragment_count`` and ``count_message`` (with the service's name prefix when the
    service sends one); with a ``service_id``, an email adds ``html_url`` (its document ending
    with the unsubscribe link when ``unsubscribe_link`` is true) and a letter
    ``page_count``, ``page_urls``, ``pdf_url`` and ``too_long`` (the admin app's words, or
    null). An address is null when the text is too long to put in one."""
    # Text no page can carry is refused below, by the field that holds it.
    data = json_object(request.body, empty_is_empty=True, screens_text=False)
    kind = data.get("type")
    if kind not in TEMPLATE_TYPES:
        raise AdminError("Select a type of template", field="type")
    body = _text(data, "body")
    subject = _text(data, "subject")
    unsubscribe_link = _flag(data, "unsubscribe_link")
    service = _service(emulator, data)
    if kind == "sms":
        prefix = service.name if service is not None and service.prefix_sms else None
        sms = sms_preview(body, prefix=prefix)
        return 200, {
            "body": sms.body,
            "subject": None,
            "fragment_count": sms.fragment_count,
            "count_message": sms.count_message,
        }
    if kind == "email":
        answer: dict[str, Any] = {
            "body": email_body(body, {}),
            "subject": email_preview_subject(subject),
        }
        if service is not None:
            answer["html_url"] = preview_address(
                service.id, "email.html", subject, body, unsubscribe_link=unsubscribe_link
            )
        return 200, answer
    answer = {"body": letter_body(body, {}), "subject": subject.strip()}
    if service is not None:
        contact_block = _text(data, "letter_contact_block") or None
        letter = letter_preview(
            subject,
            body,
            contact_block=contact_block,
            date=letter_date(emulator.store.now()),
        )
        drawn = letter.pdf is not None
        answer["page_count"] = letter.page_count
        answer["too_long"] = letter.too_long_message
        answer["pdf_url"] = (
            preview_address(service.id, "letter.pdf", subject, body, contact_block)
            if drawn
            else None
        )
        pages = [
            preview_address(service.id, f"pages/{n}.png", subject, body, contact_block)
            for n in range(1, letter.page_count + 1)
        ]
        answer["page_urls"] = pages if drawn and None not in pages else []
    return 200, answer
