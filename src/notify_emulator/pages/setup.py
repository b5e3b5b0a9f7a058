"""The set-up pages: services and their settings, API keys and templates, worded as Notify's
admin app words them.

The pages only read; every change is made by ``static/setup.js`` calling the JSON routes of
``admin/setup.py`` and ``admin/callbacks.py`` with ``fetch()``, which answer a refusal with
``{"error", "field"}`` shown next to the field. No page ever shows an API key's secret or a
callback's bearer token: a new key's secret is only in the answer to the request creating it.

A template's page shows its preview as Notify's admin app does (``present/template_preview``):
a text in its message bubble with the count of parts, an email's HTML in a sandboxed frame, a
letter's pages as images. The frame and the images come from this module's preview routes,
which render the unsaved text their query carries and change nothing. Without JavaScript the
form's **Preview** button sends the text the same way, as the page's own query.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from notify_emulator.clock import format_timestamp
from notify_emulator.pages import letter_images
from notify_emulator.pages.web import EMAIL_CSP, PageError, render_page
from notify_emulator.pages.wording import NOTIFICATION_TYPE_LABELS, format_datetime_human
from notify_emulator.present.template_preview import (
    MAX_PREVIEW_CHARACTERS,
    LetterPreview,
    email_preview_document,
    email_preview_subject,
    example_unsubscribe_link,
    letter_preview,
    placeholder_parts,
    preview_address,
    sms_preview,
    too_long_to_preview,
)
from notify_emulator.rules.callbacks import notify_url_warning
from notify_emulator.rules.constants import TEMPLATE_TYPES
from notify_emulator.rules.timings import letter_date
from notify_emulator.store import ServiceRecord
from notify_emulator.store import setup as store_setup
from notify_emulator.store.export import service_callbacks
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = [
    "api_keys_page",
    "email_preview",
    "letter_preview_page",
    "letter_preview_pdf",
    "new_template_page",
    "service_for_page",
    "service_page",
    "services_page",
    "template_page",
    "templates_page",
]

# The admin app's "Type of key" radio buttons, by the API's key type.
KEY_TYPE_LABELS = {
    "normal": "Live – sends to anyone",
    "team": "Team and guest list – limits who you can send to",
    "test": "Test – pretends to send messages",
}
KEY_TYPE_SHORT = {"normal": "Live", "team": "Team and guest list", "test": "Test"}
CALLBACK_LABELS = {
    "delivery_status": "Callbacks for delivery receipts",
    "inbound_sms": "Callbacks for received text messages",
    "returned_letter": "Callbacks for returned letters",
}
POSTAGE_LABELS = {"first": "First class", "second": "Second class", "economy": "Economy"}
# What the template form sends: with ``body`` in a page's query, the form's Preview button sent
# it, and the page shows that text rather than the stored one. ``unsubscribe_link`` is an email
# template's checkbox: ``yes`` when ticked, absent when not.
FORM_FIELDS = ("name", "subject", "body", "postage", "unsubscribe_link")
CHECKED = "yes"


@dataclass(frozen=True)
class KeyRow:
    id: str
    name: str
    type_label: str
    created_at: str
    created_human: str
    revoked_human: str | None


@dataclass(frozen=True)
class TemplateRow:
    id: str
    name: str
    template_type: str
    type_label: str
    version: int
    archived: bool


def _uuid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise PageError(404, "Page not found", f"There is no {what} with that ID.") from None


def service_for_page(emulator: Emulator, request: ApiRequest) -> ServiceRecord:
    """The service the page's address names, or the page's 404."""
    service_id = _uuid(request.path_params["service_id"], "service")
    service = emulator.store.get_service(service_id)
    if service is None:
        raise PageError(404, "Page not found", "There is no service with that ID.")
    return service


def services_page(emulator: Emulator, _request: ApiRequest) -> Response:
    """``GET /services``: every service, and a form to make one."""
    return render_page(
        "services.html", services=emulator.store.list_services(), nav="services", live_on=""
    )


def service_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}``: the service's settings."""
    service = service_for_page(emulator, request)
    store = emulator.store
    entries = service_callbacks(store, service.id)
    # Only the type and URL: the bearer token is never read into a page.
    callbacks = {str(entry["type"]): str(entry["url"]) for entry in entries or []}
    return render_page(
        "service.html",
        service=service,
        section="settings",
        sms_senders=[s for s in store_setup.all_sms_senders(store, service.id) if not s.archived],
        reply_tos=[r for r in store_setup.all_reply_tos(store, service.id) if not r.archived],
        callbacks_supported=entries is not None,
        callbacks=callbacks,
        # The URLs the emulator takes but real Notify's form would refuse (not https, say).
        callback_warnings={kind for kind, url in callbacks.items() if notify_url_warning(url)},
        callback_labels=CALLBACK_LABELS,
        nav="services",
        live_on="",
    )


def api_keys_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/api-keys``: the keys (never their secrets) and a form to create
    one."""
    service = service_for_page(emulator, request)
    now = emulator.store.now()
    keys = [
        KeyRow(
            id=key.id,
            name=key.name,
            type_label=KEY_TYPE_SHORT.get(key.key_type, key.key_type),
            created_at=format_timestamp(key.created_at) or "",
            created_human=format_datetime_human(key.created_at, now),
            revoked_human=(
                format_datetime_human(key.expiry_date, now) if key.expiry_date else None
            ),
        )
        for key in store_setup.all_api_keys(emulator.store, service.id)
    ]
    keys.sort(key=lambda row: (row.revoked_human is not None, row.name.lower()))
    return render_page(
        "api_keys.html",
        service=service,
        section="api-keys",
        keys=keys,
        key_types=KEY_TYPE_LABELS,
        nav="services",
        live_on="",
    )


def _template_rows(emulator: Emulator, service_id: str) -> list[TemplateRow]:
    rows = []
    for template in store_setup.all_templates(emulator.store, service_id):
        versions = store_setup.template_versions(emulator.store, template["id"])
        if not versions:
            continue
        kind = str(template["template_type"])
        rows.append(
            TemplateRow(
                id=str(template["id"]),
                name=versions[-1].name,
                template_type=kind,
                type_label=NOTIFICATION_TYPE_LABELS.get(kind, kind),
                version=versions[-1].version,
                archived=bool(template["archived"]),
            )
        )
    rows.sort(key=lambda row: (row.archived, row.name.lower()))
    return rows


def templates_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates``: the service's templates; deleted (archived) ones
    apart, under their own heading, as they can no longer be used."""
    service = service_for_page(emulator, request)
    rows = _template_rows(emulator, service.id)
    return render_page(
        "templates.html",
        service=service,
        section="templates",
        templates=[row for row in rows if not row.archived],
        deleted_templates=[row for row in rows if row.archived],
        type_labels={kind: NOTIFICATION_TYPE_LABELS[kind] for kind in TEMPLATE_TYPES},
        nav="services",
        live_on="",
    )


def new_template_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/new?type=sms|email|letter``: the form for a template."""
    service = service_for_page(emulator, request)
    kind = (request.query_lists().get("type") or [""])[0]
    if kind not in TEMPLATE_TYPES:
        raise PageError(400, "Check the address", "type must be sms, email or letter")
    values = _form_values(request, None, unsubscribe_link=False)
    # A new letter gets the service's contact block (store/setup.py create_template): its
    # preview shows it as the letters sent from it will.
    contact_block = (service.letter_contact_block or "") if kind == "letter" else ""
    return render_page(
        "template_form.html",
        service=service,
        section="templates",
        template_type=kind,
        type_label=NOTIFICATION_TYPE_LABELS[kind],
        template=None,
        current=None,
        values=values,
        contact_block=contact_block,
        preview=_preview(emulator, service, kind, values, contact_block or None),
        postages=POSTAGE_LABELS,
        nav="services",
        live_on="",
    )


def template_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/{template_id}[?version=n]``: the template, its ID, its
    versions and the form to edit it (an earlier version is shown read-only)."""
    service = service_for_page(emulator, request)
    template_id = _uuid(request.path_params["template_id"], "template")
    template = store_setup.template_row(emulator.store, template_id)
    if template is None or template["service_id"] != service.id:
        raise PageError(404, "Page not found", "There is no template with that ID.")
    versions = store_setup.template_versions(emulator.store, template_id)
    if not versions:
        raise PageError(404, "Page not found", "There is no template with that ID.")
    wanted = (request.query_lists().get("version") or [""])[0]
    shown: store_setup.TemplateVersion = versions[-1]
    if wanted:
        matching = [v for v in versions if str(v.version) == wanted]
        if not matching:
            raise PageError(404, "Page not found", "This template has no such version.")
        shown = matching[0]
    kind = str(template["template_type"])
    now = emulator.store.now()
    history: list[dict[str, Any]] = [
        {
            "version": version.version,
            "name": version.name,
            "created_by": version.created_by,
            "when": format_datetime_human(version.updated_at or version.created_at, now),
        }
        for version in reversed(versions)
    ]
    values = _form_values(request, shown, unsubscribe_link=bool(template["has_unsubscribe_link"]))
    # Deleting a template is itself a save, so its last version says when (store/setup.py).
    latest = versions[-1]
    deleted_when = (
        format_datetime_human(latest.updated_at or latest.created_at, now)
        if template["archived"]
        else None
    )
    return render_page(
        "template_form.html",
        service=service,
        section="templates",
        template_type=kind,
        type_label=NOTIFICATION_TYPE_LABELS.get(kind, kind),
        template=template,
        current=shown,
        values=values,
        contact_block=shown.letter_contact_block or "",
        preview=_preview(emulator, service, kind, values, shown.letter_contact_block),
        latest_version=versions[-1].version,
        deleted_when=deleted_when,
        history=history,
        postages=POSTAGE_LABELS,
        nav="services",
        live_on="",
    )


# --- the preview --------------------------------------------------------------------------


def _form_values(
    request: ApiRequest, shown: store_setup.TemplateVersion | None, *, unsubscribe_link: bool
) -> dict[str, str]:
    """The form's fields: the text the Preview button sent in the query, else the version
    shown (empty for a new template) with the template's unsubscribe option."""
    query = request.query_lists()
    if "body" in query:
        values = {name: (query.get(name) or [""])[0] for name in FORM_FIELDS}
        values["unsubscribe_link"] = CHECKED if values["unsubscribe_link"] == CHECKED else ""
        return values
    ticked = CHECKED if unsubscribe_link else ""
    if shown is None:
        return {
            "name": "",
            "subject": "",
            "body": "",
            "postage": "second",
            "unsubscribe_link": ticked,
        }
    return {
        "name": shown.name,
        "subject": shown.subject or "",
        "body": shown.body,
        "postage": shown.postage or "second",
        "unsubscribe_link": ticked,
    }


def _preview(
    emulator: Emulator,
    service: ServiceRecord,
    kind: str,
    values: Mapping[str, str],
    contact_block: str | None,
) -> dict[str, Any]:
    """What the page's preview shows before any typing, or without JavaScript."""
    shown: dict[str, Any] = {
        "error": None,
        "sms": None,
        "parts": [],
        "subject_parts": [],
        "html_url": None,
        "letter": None,
        "pdf_url": None,
        "page_urls": [],
    }
    subject, body = values["subject"], values["body"]
    if len(body) > MAX_PREVIEW_CHARACTERS:
        shown["error"] = too_long_to_preview("body")
    elif len(subject) > MAX_PREVIEW_CHARACTERS:
        shown["error"] = too_long_to_preview("subject")
    elif kind == "sms":
        sms = sms_preview(body, prefix=service.name if service.prefix_sms else None)
        shown.update(sms=sms, parts=placeholder_parts(sms.body))
    elif kind == "email":
        shown.update(
            subject_parts=placeholder_parts(email_preview_subject(subject)),
            html_url=preview_address(
                service.id,
                "email.html",
                subject,
                body,
                unsubscribe_link=values["unsubscribe_link"] == CHECKED,
            ),
        )
    else:
        letter = _letter(emulator, subject, body, contact_block)
        shown["letter"] = letter
        if letter.pdf is not None:
            shown["pdf_url"] = preview_address(
                service.id, "letter.pdf", subject, body, contact_block
            )
            shown["page_urls"] = [
                preview_address(service.id, f"pages/{n}.png", subject, body, contact_block)
                for n in range(1, letter.page_count + 1)
            ]
    return shown


def _letter(
    emulator: Emulator, subject: str, body: str, contact_block: str | None
) -> LetterPreview:
    return letter_preview(
        subject,
        body,
        contact_block=contact_block or None,
        date=letter_date(emulator.store.now()),
    )


def _preview_text(request: ApiRequest) -> dict[str, str]:
    query = request.query_lists()
    text = {}
    for name in ("subject", "body", "letter_contact_block"):
        value = (query.get(name) or [""])[0]
        if len(value) > MAX_PREVIEW_CHARACTERS:
            raise PageError(400, "Cannot preview this template", too_long_to_preview(name))
        text[name] = value
    return text


def email_preview(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/preview/email.html?subject=&body=[&unsubscribe_link=yes]``:
    the email as its recipient would see it, placeholders highlighted, ending with the
    unsubscribe link as the admin app's preview shows it when the option is on, served with
    the inbox's sandboxing CSP for the template page's frame."""
    service_for_page(emulator, request)
    text = _preview_text(request)
    ticked = (request.query_lists().get("unsubscribe_link") or [""])[0] == CHECKED
    return Response(
        email_preview_document(
            text["subject"],
            text["body"],
            unsubscribe_link=example_unsubscribe_link(request.root) if ticked else None,
        ),
        media_type="text/html",
        headers={"Content-Security-Policy": EMAIL_CSP, "Referrer-Policy": "no-referrer"},
    )


def _drawn_letter(emulator: Emulator, request: ApiRequest) -> tuple[LetterPreview, bytes]:
    service_for_page(emulator, request)
    text = _preview_text(request)
    letter = _letter(emulator, text["subject"], text["body"], text["letter_contact_block"])
    if letter.pdf is None:
        raise PageError(409, "Cannot show this letter", letter.too_long_message or "")
    return letter, letter.pdf


def letter_preview_pdf(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/preview/letter.pdf?subject=&body=``: the letter's PDF,
    to download."""
    _letter_preview, pdf = _drawn_letter(emulator, request)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="letter-preview.pdf"'},
    )


def letter_preview_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/preview/pages/{n}.png?subject=&body=``: page ``n``
    (from 1) of the letter."""
    raw_number = request.path_params.get("page", "")
    # ASCII digits only: str.isdigit also takes "²" (which int() refuses) and "１".
    if not (raw_number.isascii() and raw_number.isdigit()) or len(raw_number) > 3:
        raise PageError(404, "No such page", "Pages are numbered from 1.")
    letter, pdf = _drawn_letter(emulator, request)
    try:
        png = letter_images.page_png(f"preview-{letter.key}", pdf, int(raw_number))
    except letter_images.LetterImageError as error:
        raise PageError(404, "No such page", str(error)) from None
    return Response(png, media_type="image/png")
