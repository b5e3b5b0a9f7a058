"""Human-readable output: rich tables and panels for the API's responses.

Each function takes the dict the API returned (exactly what ``--json`` prints) and draws
it; nothing here talks to Notify.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .columns import Column, fit_table

# The notification fields a reader looks for first, in reading order.
_NOTIFICATION_FIELDS = (
    "id",
    "type",
    "status",
    "reference",
    "email_address",
    "phone_number",
    "line_1",
    "line_2",
    "line_3",
    "line_4",
    "line_5",
    "line_6",
    "postcode",
    "postage",
    "created_at",
    "sent_at",
    "completed_at",
    "estimated_delivery",
    "cost_in_pounds",
)


def print_json(console: Console, data: object) -> None:
    """Print ``data`` as indented JSON, unstyled, so that it can be piped to other tools."""
    console.out(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True), highlight=False)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _field_table(data: Mapping[str, Any], fields: Iterable[str]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for name in fields:
        value = data.get(name)
        if value is None or value == "":
            continue
        table.add_row(name.replace("_", " "), _text(value))
    return table


def recipient_of(notification: Mapping[str, Any]) -> str:
    """The recipient of a notification: phone number, email address or first address line."""
    for key in ("phone_number", "email_address", "line_1"):
        value = notification.get(key)
        if value:
            return str(value)
    return ""


def sent_panel(response: Mapping[str, Any], notification_type: str) -> Panel:
    """A sent notification, as ``POST /v2/notifications/*`` answered."""
    content = response.get("content") or {}
    template = response.get("template") or {}
    details = {
        "id": response.get("id"),
        "reference": response.get("reference"),
        "template": f"{template.get('id', '')} (version {template.get('version', '?')})",
        "from": content.get("from_number") or content.get("from_email"),
        "subject": content.get("subject"),
    }
    parts: list[RenderableType] = [_field_table(details, details)]
    body = content.get("body")
    if body:
        parts += [Text(""), Text(str(body))]
    return Panel(
        Group(*parts), title=f"{notification_type} accepted", title_align="left", expand=False
    )


def notification_panel(notification: Mapping[str, Any]) -> Panel:
    """One notification, as ``GET /v2/notifications/{id}`` answered."""
    template = notification.get("template") or {}
    details = {name: notification.get(name) for name in _NOTIFICATION_FIELDS}
    details["template"] = f"{template.get('id', '')} (version {template.get('version', '?')})"
    parts: list[RenderableType] = [_field_table(details, details)]
    if notification.get("subject"):
        parts += [Text(""), Text(str(notification["subject"]), style="bold")]
    if notification.get("body"):
        parts += [Text(""), Text(str(notification["body"]))]
    title = f"{notification.get('type', 'notification')}: {notification.get('status', '')}"
    return Panel(Group(*parts), title=title, title_align="left", expand=False)


#: The most of a message's content a list shows; ``notify status`` shows all of it.
LIST_CONTENT_CHARACTERS = 100


def _content_of(notification: Mapping[str, Any]) -> str:
    # An email's or a letter's subject says what it was; a text has only its body.
    text = " ".join(_text(notification.get("subject") or notification.get("body")).split())
    if len(text) > LIST_CONTENT_CHARACTERS:
        return text[: LIST_CONTENT_CHARACTERS - 1] + "…"
    return text


# Type, recipient, status and content always show; the id, then the time, then the reference
# join as the terminal's width allows.
_NOTIFICATION_COLUMNS = (
    Column("id", lambda item: _text(item.get("id")), minimum=10, rank=1),
    Column("type", lambda item: _text(item.get("type"))),
    Column("recipient", recipient_of, minimum=13),
    Column("status", lambda item: _text(item.get("status"))),
    Column("content", _content_of, minimum=16),
    Column("reference", lambda item: _text(item.get("reference")), minimum=9, rank=3),
    Column("created at", lambda item: _text(item.get("created_at")), rank=2),
)


def notifications_table(notifications: Sequence[Mapping[str, Any]], width: int) -> Table:
    """A list of notifications, newest first as the API sends them, fitted to ``width``."""
    return fit_table("Notifications", _NOTIFICATION_COLUMNS, notifications, width)


# The id (what the other commands take), name, type and placeholders always show; the
# version joins when the terminal is wide enough (at 80 columns it is not).
_TEMPLATE_COLUMNS = (
    Column("id", lambda item: _text(item.get("id"))),
    Column("name", lambda item: _text(item.get("name")), minimum=12),
    Column("type", lambda item: _text(item.get("type"))),
    Column("version", lambda item: _text(item.get("version")), rank=1),
    Column("placeholders", lambda item: ", ".join(item.get("personalisation") or {}), minimum=12),
)


def templates_table(templates: Sequence[Mapping[str, Any]], width: int) -> Table:
    """The service's templates, in the API's order (by name), fitted to ``width``."""
    return fit_table("Templates", _TEMPLATE_COLUMNS, templates, width)


def template_panel(template: Mapping[str, Any]) -> Panel:
    """One template version, as ``GET /v2/template/{id}`` answered."""
    details = {
        "id": template.get("id"),
        "type": template.get("type"),
        "version": template.get("version"),
        "created at": template.get("created_at"),
        "created by": template.get("created_by"),
        "updated at": template.get("updated_at"),
        "postage": template.get("postage"),
        "placeholders": ", ".join(template.get("personalisation") or {}),
    }
    parts: list[RenderableType] = [_field_table(details, details)]
    if template.get("letter_contact_block"):
        parts += [Text(""), Text(str(template["letter_contact_block"]), style="dim")]
    if template.get("subject"):
        parts += [Text(""), Text(str(template["subject"]), style="bold")]
    parts += [Text(""), Text(_text(template.get("body")))]
    return Panel(Group(*parts), title=_text(template.get("name")), title_align="left", expand=False)


def preview_panel(preview: Mapping[str, Any]) -> Panel:
    """A rendered template, as ``POST /v2/template/{id}/preview`` answered."""
    parts: list[RenderableType] = []
    if preview.get("subject"):
        parts += [Text(str(preview["subject"]), style="bold"), Text("")]
    parts.append(Text(_text(preview.get("body"))))
    title = f"{preview.get('type', '')} preview (template version {preview.get('version', '?')})"
    return Panel(Group(*parts), title=title, title_align="left", expand=False)


# Who sent it, when, and what it says always show; the number it was sent to and the id join
# as the terminal's width allows.
_RECEIVED_TEXT_COLUMNS = (
    Column("id", lambda item: _text(item.get("id")), minimum=10, rank=2),
    Column("from", lambda item: _text(item.get("user_number"))),
    Column("to", lambda item: _text(item.get("notify_number")), rank=1),
    Column("received at", lambda item: _text(item.get("created_at"))),
    Column("content", lambda item: _text(item.get("content")), minimum=20),
)


def received_texts_table(texts: Sequence[Mapping[str, Any]], width: int) -> Table:
    """Received text messages, newest first, fitted to ``width``."""
    return fit_table("Received text messages", _RECEIVED_TEXT_COLUMNS, texts, width)
