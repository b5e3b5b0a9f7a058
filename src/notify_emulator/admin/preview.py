"""``POST /_emulator/templates/preview``: a template being written, rendered as Notify would
send it, for the template pages' live preview.

Nothing is stored. Placeholders with no value stay as ``((name))``, as the admin app's preview
shows them. The answer is plain text (``body``, ``subject``); the page puts it in the document
as text, so whatever the template holds is never markup.
"""

from __future__ import annotations

import json
from typing import Any

from notify_emulator.rules.constants import TEMPLATE_TYPES
from notify_emulator.rules.email import email_body, email_subject
from notify_emulator.rules.letter_template import letter_body
from notify_emulator.rules.placeholders import placeholder_names
from notify_emulator.rules.sms import render_sms
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

__all__ = ["preview_template"]

# Far above any template Notify accepts (the content limit is checked when saving); a preview
# of more would only cost time.
MAX_PREVIEW_CHARACTERS = 100_000


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AdminError(f"{name} must be a string", field=name)
    if len(value) > MAX_PREVIEW_CHARACTERS:
        raise AdminError(f"{name} is too long to preview", field=name)
    return value


def preview_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``{"type", "body", "subject"?, "service_id"?}`` → ``{"body", "subject",
    "fragment_count"?}``; with a ``service_id`` a text carries the service's name prefix when
    the service sends one."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise AdminError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise AdminError("the body must be a JSON object")
    kind = data.get("type")
    if kind not in TEMPLATE_TYPES:
        raise AdminError("Select a type of template", field="type")
    body = _text(data, "body")
    subject = _text(data, "subject")
    if kind == "sms":
        prefix = None
        service_id = data.get("service_id")
        if isinstance(service_id, str) and service_id:
            service = emulator.store.get_service(service_id)
            if service is not None and service.prefix_sms:
                prefix = service.name
        # Shown with its placeholders as written; counted with them as nothing, as the admin
        # app counts a template's length.
        shown = render_sms(
            body, {name: f"(({name}))" for name in placeholder_names(body)}, prefix=prefix
        )
        measured = render_sms(body, {}, prefix=prefix)
        return 200, {
            "body": shown.body,
            "subject": None,
            "fragment_count": measured.fragment_count,
        }
    if kind == "email":
        return 200, {"body": email_body(body, {}), "subject": email_subject(subject, {})}
    return 200, {"body": letter_body(body, {}), "subject": subject.strip()}
