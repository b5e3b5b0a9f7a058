"""The v2 GET routes and the template preview (notify-api.md §5.5, §5.7-§5.11)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from notify_emulator.api.common import readable_notification
from notify_emulator.present.rendering import (
    render,
    render_email_preview_html,
    template_placeholders,
)
from notify_emulator.present.serialise import (
    as_mapping,
    notification_json,
    page_links,
    received_text_json,
    template_json,
)
from notify_emulator.rules.lifecycle import expand_status_filter
from notify_emulator.rules.placeholders import require_personalisation
from notify_emulator.store import NotificationQuery, TemplateRecord
from notify_emulator.web.auth import Caller, authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import NotFound
from notify_emulator.web.handlers import Result
from notify_emulator.web.schemas import (
    GET_NOTIFICATIONS_REQUEST,
    GET_RECEIVED_TEXTS_REQUEST,
    GET_TEMPLATE_REQUEST,
    GET_TEMPLATES_REQUEST,
    POST_TEMPLATE_PREVIEW_REQUEST,
    stored_uuid,
    validate,
)
from notify_emulator.web.text_checks import check_text

# Query parameters of GET /v2/notifications that take only their first value (§5.7).
_SINGLE_VALUED = ("reference", "include_jobs", "older_than")
# Characters Werkzeug leaves unescaped when Notify's url_for builds the links' query strings
# (werkzeug.urls._urlencode), e.g. a reference "order/12" stays "reference=order/12".
LINK_SAFE_CHARACTERS = "!$'()*,/:;?@"
# Template versions are PostgreSQL integers in Notify; none can be bigger.
MAX_TEMPLATE_VERSION = 2**31 - 1


def _caller(emulator: Emulator, request: ApiRequest) -> Caller:
    return authenticate(request.authorization, emulator.store, emulator.settings.clock)


def get_notification(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/notifications/{notification_id}``: any key of the service may read it."""
    _caller, record = readable_notification(emulator, request)
    return 200, notification_json(
        record, emulator.store.notification_template(record), request.root
    )


def get_notifications(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/notifications``: one page, newest first, of the caller's key type."""
    caller = _caller(emulator, request)
    params: dict[str, object] = dict(request.query_lists())
    for name in _SINGLE_VALUED:
        if name in params:
            params[name] = request.query_lists()[name][0]
    validate(params, GET_NOTIFICATIONS_REQUEST, emulator.settings.clock)
    if "reference" in params:
        # Matched in the database, where Notify's own query fails on a NUL with a 500.
        check_text(str(params["reference"]), "the query parameter reference")
    statuses = expand_status_filter(_strings(params.get("status")))
    types = _strings(params.get("template_type"))
    older_than = params.get("older_than")
    query = NotificationQuery(
        service_id=caller.service.id,
        key_type=caller.key_type,
        statuses=frozenset(statuses) if statuses is not None else None,
        notification_types=frozenset(types) if types else None,
        reference=str(params["reference"]) if "reference" in params else None,
        include_jobs="include_jobs" in params,
        older_than=stored_uuid(str(older_than)) if older_than is not None else None,
        retention_days=caller.service.data_retention_days,
    )
    records = emulator.store.list_notifications(query, emulator.settings.page_size)
    base = f"{request.root}/v2/notifications"
    current = _with_query(base, _pairs(params))
    next_url = None
    if records:
        next_params = dict(params)
        next_params["older_than"] = records[-1].id  # replaced in place, or appended last
        next_url = _with_query(base, _pairs(next_params))
    templates = emulator.store.notification_templates(records)
    return 200, {
        "notifications": [
            notification_json(record, template, request.root)
            for record, template in zip(records, templates, strict=True)
        ],
        "links": page_links(current, next_url),
    }


def _strings(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _pairs(params: dict[str, object]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values: Sequence[object] = value if isinstance(value, list) else [value]
        pairs.extend((name, str(item)) for item in values)
    return pairs


def _with_query(base: str, pairs: list[tuple[str, str]]) -> str:
    return f"{base}?{urlencode(pairs, safe=LINK_SAFE_CHARACTERS)}" if pairs else base


def get_received_texts(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/received-text-messages``: one page, newest first (§5.11)."""
    caller = _caller(emulator, request)
    params = {name: values[0] for name, values in request.query_lists().items()}
    validate(params, GET_RECEIVED_TEXTS_REQUEST, emulator.settings.clock)
    older_than = params.get("older_than")
    records = emulator.store.list_received_texts(
        caller.service.id,
        stored_uuid(older_than) if older_than is not None else None,
        emulator.settings.page_size,
        retention_days=caller.service.data_retention_days,
    )
    base = f"{request.root}/v2/received-text-messages"
    next_url = f"{base}?{urlencode({'older_than': records[-1].id})}" if records else None
    return 200, {
        "received_text_messages": [received_text_json(record) for record in records],
        "links": page_links(base, next_url),
    }


def _template(
    emulator: Emulator, caller: Caller, template_id: str, version: int | None
) -> TemplateRecord:
    template = emulator.store.get_template(caller.service.id, stored_uuid(template_id), version)
    if template is None or template.hidden:
        raise NotFound()
    return template


def get_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/template/{id}`` and ``…/version/{version}`` (archived ones too; §5.8)."""
    caller = _caller(emulator, request)
    template_id = request.path_params["template_id"]
    raw_version = request.path_params.get("version")
    # The route accepts digits only; version 0 means "latest", as in Notify. Any number of
    # digits is read (leading zeros dropped first: int() refuses more than 4,300 digits).
    digits = raw_version.lstrip("0") if raw_version is not None else ""
    too_big = len(digits) > len(str(MAX_TEMPLATE_VERSION))
    version = None if not digits else MAX_TEMPLATE_VERSION + 1 if too_big else int(digits)
    validate({"id": template_id, "version": version}, GET_TEMPLATE_REQUEST, emulator.settings.clock)
    if version is not None and version > MAX_TEMPLATE_VERSION:
        # No template has that many versions; Notify finds nothing (SQLite could not even
        # compare a number this big).
        stored_uuid(template_id)
        raise NotFound()
    return 200, template_json(_template(emulator, caller, template_id, version))


def get_templates(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /v2/templates[?type=…]``: current, unarchived templates by name (§5.9)."""
    caller = _caller(emulator, request)
    params = {name: values[0] for name, values in request.query_lists().items()}
    validate(params, GET_TEMPLATES_REQUEST, emulator.settings.clock)
    templates = emulator.store.list_templates(caller.service.id, params.get("type"))
    return 200, {"templates": [template_json(template) for template in templates]}


def post_template_preview(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /v2/template/{id}/preview``: an empty body means no personalisation (§5.10)."""
    caller = _caller(emulator, request)
    template_id = request.path_params["template_id"]
    data = request.json_body(empty_means={})
    if isinstance(data, dict):
        data = {**data, "id": template_id}
    validate(data, POST_TEMPLATE_PREVIEW_REQUEST, emulator.settings.clock)
    template = _template(emulator, caller, template_id, None)
    personalisation = dict(as_mapping(as_mapping(data).get("personalisation")))
    require_personalisation(template_placeholders(template), personalisation)
    rendered = render(template, personalisation)
    is_email = template.template_type == "email"
    return 200, {
        "id": template.id,
        "type": template.template_type,
        "version": template.version,
        "body": rendered.body,
        "subject": rendered.subject,
        "postage": template.postage if template.template_type == "letter" else None,
        "html": render_email_preview_html(template, personalisation) if is_email else None,
    }
