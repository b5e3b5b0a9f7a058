"""The set-up pages: services and their settings, API keys and templates, worded as Notify's
admin app words them.

The pages only read; every change is made by ``static/setup.js`` calling the JSON routes of
``admin/setup.py`` and ``admin/callbacks.py`` with ``fetch()``, which answer a refusal with
``{"error", "field"}`` shown next to the field. No page ever shows an API key's secret or a
callback's bearer token: a new key's secret is only in the answer to the request creating it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from notify_emulator.clock import format_timestamp
from notify_emulator.pages.web import PageError, render_page
from notify_emulator.pages.wording import NOTIFICATION_TYPE_LABELS, format_datetime_human
from notify_emulator.rules.constants import TEMPLATE_TYPES
from notify_emulator.store import ServiceRecord
from notify_emulator.store import setup as store_setup
from notify_emulator.store.export import service_callbacks
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = [
    "api_keys_page",
    "new_template_page",
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


def _service(emulator: Emulator, request: ApiRequest) -> ServiceRecord:
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
    service = _service(emulator, request)
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
        callback_labels=CALLBACK_LABELS,
        nav="services",
        live_on="",
    )


def api_keys_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/api-keys``: the keys (never their secrets) and a form to create
    one."""
    service = _service(emulator, request)
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
    """``GET /services/{id}/templates``: the service's templates, archived ones last."""
    service = _service(emulator, request)
    return render_page(
        "templates.html",
        service=service,
        section="templates",
        templates=_template_rows(emulator, service.id),
        type_labels={kind: NOTIFICATION_TYPE_LABELS[kind] for kind in TEMPLATE_TYPES},
        nav="services",
        live_on="",
    )


def new_template_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/new?type=sms|email|letter``: the form for a template."""
    service = _service(emulator, request)
    kind = (request.query_lists().get("type") or [""])[0]
    if kind not in TEMPLATE_TYPES:
        raise PageError(400, "Check the address", "type must be sms, email or letter")
    return render_page(
        "template_form.html",
        service=service,
        section="templates",
        template_type=kind,
        type_label=NOTIFICATION_TYPE_LABELS[kind],
        template=None,
        current=None,
        postages=POSTAGE_LABELS,
        nav="services",
        live_on="",
    )


def template_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /services/{id}/templates/{template_id}[?version=n]``: the template, its ID, its
    versions and the form to edit it (an earlier version is shown read-only)."""
    service = _service(emulator, request)
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
    return render_page(
        "template_form.html",
        service=service,
        section="templates",
        template_type=kind,
        type_label=NOTIFICATION_TYPE_LABELS.get(kind, kind),
        template=template,
        current=shown,
        latest_version=versions[-1].version,
        history=history,
        postages=POSTAGE_LABELS,
        nav="services",
        live_on="",
    )
