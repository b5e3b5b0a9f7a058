"""The set-up steps as JSON (shared/spec/emulator.md "Services, keys and templates").

What Notify's admin app lets a team do before it sends anything: make a service, change its
settings and guest list, create and revoke API keys, create, edit and archive templates (each
save a new version), and manage SMS senders and reply-to addresses. The web pages call these
same routes with ``fetch()``, so every answer is JSON and every refusal is
``{"error": message, "field": name}`` with a 4xx status, using the admin app's own message
where it has one (``rules/setup_forms.py``). A refused request changes nothing.

An API key's secret is answered once, when the key is created; nothing else shows it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from notify_emulator.admin.bodies import json_object
from notify_emulator.clock import format_timestamp
from notify_emulator.rules import setup_forms as forms
from notify_emulator.rules.constants import MAX_DATA_RETENTION_DAYS
from notify_emulator.seed import KNOWN_PERMISSIONS, ConfigError, parse_seed
from notify_emulator.store import apply_seed
from notify_emulator.store import setup as store_setup
from notify_emulator.store.export import service_callbacks
from notify_emulator.store.records import ApiKeyRecord, ReplyToRecord, SmsSenderRecord
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

__all__ = ["ROUTES"]

_T = TypeVar("_T")

# "sms" as the admin app names it in messages (the API's get_public_notify_type_text).
_TYPE_TEXT = {"sms": "text message", "email": "email", "letter": "letter"}
_TEMPLATE_FIELDS = frozenset(
    {
        "name",
        "type",
        "body",
        "subject",
        "postage",
        "letter_contact_block",
        "unsubscribe_link",
        "created_by",
    }
)
_TEMPLATE_CHANGES = (_TEMPLATE_FIELDS - {"type"}) | {"archived"}
_COUNT_SETTINGS = (
    "rate_limit",
    "sms_message_limit",
    "email_message_limit",
    "letter_message_limit",
    "international_sms_message_limit",
)
_BOOLEAN_SETTINGS = ("active", "trial_mode", "prefix_sms")
_TEXT_SETTINGS = ("letter_contact_block", "inbound_number", "contact_link")
_CONFIG_FIELD = re.compile(r"field '([^']+)'")


# --- reading the request -------------------------------------------------------------------------


def _body(request: ApiRequest) -> dict[str, Any]:
    return json_object(request.body, empty_is_empty=True)


def _only(data: Mapping[str, Any], allowed: frozenset[str] | tuple[str, ...], what: str) -> None:
    for name in data:
        if name not in allowed:
            raise AdminError(f"{name} is not a field of {what}", field=name)


def _boolean(data: Mapping[str, Any], name: str) -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise AdminError(f"{name} must be true or false", field=name)
    return value


def _optional_text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise AdminError(f"{name} must be a string", field=name)
    return value


def _form(check: Callable[..., _T], *args: Any) -> _T:
    """Run a form check; its refusal is the answer."""
    try:
        return check(*args)
    except forms.FormError as error:
        raise AdminError(error.message, field=error.field) from None


@contextmanager
def _stored() -> Iterator[None]:
    """The store's refusals as answers: an unknown record is a 404, a conflict a 400."""
    try:
        yield
    except store_setup.SetupNotFound as error:
        raise AdminError(str(error), status_code=404) from None
    except store_setup.SetupConflict as error:
        raise AdminError(error.message, field=error.field) from None


def _service(emulator: Emulator, request: ApiRequest) -> Any:
    service_id = request.path_params["service_id"]
    service = emulator.store.get_service(service_id)
    if service is None:
        raise AdminError(f"no service with id {service_id}", status_code=404)
    return service


# --- what the answers show -----------------------------------------------------------------------


def _key_json(key: ApiKeyRecord) -> dict[str, object]:
    return {
        "id": key.id,
        "name": key.name,
        "type": key.key_type,
        "created_at": format_timestamp(key.created_at),
        "revoked_at": format_timestamp(key.expiry_date) if key.expiry_date else None,
    }


def _sender_json(sender: SmsSenderRecord) -> dict[str, object]:
    return {
        "id": sender.id,
        "sms_sender": sender.sms_sender,
        "is_default": sender.is_default,
        "archived": sender.archived,
    }


def _reply_to_json(reply_to: ReplyToRecord) -> dict[str, object]:
    return {
        "id": reply_to.id,
        "email_address": reply_to.email_address,
        "is_default": reply_to.is_default,
        "archived": reply_to.archived,
    }


def _version_json(version: store_setup.TemplateVersion) -> dict[str, object]:
    return {
        "version": version.version,
        "name": version.name,
        "subject": version.subject,
        "body": version.body,
        "letter_contact_block": version.letter_contact_block,
        "postage": version.postage,
        "created_by": version.created_by,
        "created_at": format_timestamp(version.created_at),
        "updated_at": format_timestamp(version.updated_at) if version.updated_at else None,
    }


def _template_json(
    template: Mapping[str, Any], versions: list[store_setup.TemplateVersion]
) -> dict[str, object]:
    latest = _version_json(versions[-1])
    return {
        "id": template["id"],
        "service_id": template["service_id"],
        "type": template["template_type"],
        "archived": template["archived"],
        "unsubscribe_link": template["has_unsubscribe_link"],
        **latest,
        "created_at": format_timestamp(template["created_at"]),
    }


def _service_json(emulator: Emulator, service_id: str) -> dict[str, object]:
    store = emulator.store
    service = store.get_service(service_id)
    if service is None:
        raise AdminError(f"no service with id {service_id}", status_code=404)
    templates = []
    for template in store_setup.all_templates(store, service_id):
        versions = store_setup.template_versions(store, template["id"])
        if versions:
            templates.append(_template_json(template, versions))
    answer: dict[str, object] = {
        "id": service.id,
        "name": service.name,
        "active": service.active,
        "trial_mode": service.trial_mode,
        "rate_limit": service.rate_limit,
        "sms_message_limit": service.sms_message_limit,
        "email_message_limit": service.email_message_limit,
        "letter_message_limit": service.letter_message_limit,
        "international_sms_message_limit": service.international_sms_message_limit,
        "permissions": list(service.permissions),
        "letter_contact_block": service.letter_contact_block,
        "guest_list": list(service.guest_list),
        "inbound_number": service.inbound_number,
        "contact_link": service.contact_link,
        "prefix_sms": service.prefix_sms,
        "data_retention_days": service.data_retention_days,
        "created_at": format_timestamp(service.created_at),
        "api_keys": [_key_json(key) for key in store_setup.all_api_keys(store, service_id)],
        "sms_senders": [
            _sender_json(sender) for sender in store_setup.all_sms_senders(store, service_id)
        ],
        "email_reply_to": [
            _reply_to_json(reply_to) for reply_to in store_setup.all_reply_tos(store, service_id)
        ],
        "templates": templates,
    }
    callbacks = _callbacks(emulator, service_id)
    if callbacks is not None:
        answer["callbacks"] = callbacks
    return answer


def _callbacks(emulator: Emulator, service_id: str) -> list[dict[str, object]] | None:
    """The service's callbacks when this database has them, never with their bearer tokens."""
    entries = service_callbacks(emulator.store, service_id)
    if entries is None:
        return None
    return [{k: v for k, v in entry.items() if k != "bearer_token"} for entry in entries]


# --- services ------------------------------------------------------------------------------------


def list_services(emulator: Emulator, _request: ApiRequest) -> Result:
    """``GET /_emulator/services``: every service's id and name (no keys, no secrets)."""
    return 200, {
        "services": [
            {"id": s.id, "name": s.name, "active": s.active, "trial_mode": s.trial_mode}
            for s in emulator.store.list_services()
        ]
    }


def get_service(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/services/{id}``: the service and everything it owns, keys without
    their secrets."""
    return 200, _service_json(emulator, _service(emulator, request).id)


def _check_unique_name(emulator: Emulator, name: str, service_id: str | None) -> None:
    wanted = forms.service_name_key(name)
    for service in emulator.store.list_services():
        if service.id != service_id and forms.service_name_key(service.name) == wanted:
            raise AdminError(
                "This service name is already in use - enter a unique name", field="name"
            )


def create_service(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services``: ``{"name", ...seed fields}`` (a ``[[services]]`` entry of a
    seed file as JSON, nested keys, templates and senders included) → 201, the service."""
    data = _body(request)
    name = _form(forms.check_service_name, data.get("name"))
    _check_settings(emulator, {k: v for k, v in data.items() if k != "name"}, partial=True)
    service_id = data.get("id") or str(uuid.uuid4())
    entry = {**data, "id": service_id, "name": name}
    try:
        seed = parse_seed({"services": [entry]}, source="request body")
    except ConfigError as error:
        found = _CONFIG_FIELD.search(str(error))
        raise AdminError(str(error), field=found.group(1) if found else None) from None
    (service,) = seed.services
    if emulator.store.get_service(service.id) is not None:
        raise AdminError("A service with this id already exists", field="id")
    _check_unique_name(emulator, name, None)
    _check_nested(service)
    try:
        apply_seed(emulator.store, seed, source="request body")
    except ConfigError as error:
        found = _CONFIG_FIELD.search(str(error))
        raise AdminError(str(error), field=found.group(1) if found else None) from None
    return 201, _service_json(emulator, service.id)


def _check_nested(service: Any) -> None:
    """The admin's checks of what a new service's entry brings with it."""
    for key in service.api_keys:
        _form(forms.check_key_name, key.name, [], "api_keys.name")
    for template in service.templates:
        latest = template.versions[-1]
        _form(forms.check_template_name, latest.name, "templates.name")
        _form(forms.check_subject, template.template_type, latest.subject, "templates.subject")
        _form(forms.check_content, template.template_type, latest.body, "templates.body")
    for sender in service.sms_senders:
        _form(forms.check_sms_sender, sender.sms_sender, "sms_senders.sms_sender")
    for reply_to in service.email_reply_to:
        _form(forms.check_email_address, reply_to.email_address, "email_reply_to.email_address")


def _check_settings(
    emulator: Emulator, data: Mapping[str, Any], *, partial: bool = False
) -> dict[str, Any]:
    """Check service settings; ``partial`` lets other seed fields through (to the parser)."""
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name == "name":
            changes[name] = _form(forms.check_service_name, value)
        elif name in _COUNT_SETTINGS:
            minimum = 1 if name == "rate_limit" else 0  # a rate of 0 would refuse every request
            changes[name] = _form(forms.check_count, value, name, minimum)
        elif name in _BOOLEAN_SETTINGS:
            changes[name] = _boolean(data, name)
            if changes[name] is None:
                raise AdminError(f"{name} must be true or false", field=name)
        elif name in _TEXT_SETTINGS:
            text = _optional_text(data, name)
            changes[name] = (text.strip() or None) if text is not None else None
        elif name == "permissions":
            changes[name] = _permissions(value)
        elif name == "guest_list":
            changes[name] = _guest_list(value)
        elif name == "data_retention_days":
            days = value
            if isinstance(days, bool) or not isinstance(days, int):
                raise AdminError("Enter a number of days in digits", field=name)
            if not 1 <= days <= MAX_DATA_RETENTION_DAYS:
                raise AdminError("The number of days must be between 1 and 90", field=name)
            changes[name] = days
        elif not partial:
            raise AdminError(f"{name} is not a setting of a service", field=name)
    return changes


def _permissions(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AdminError("permissions must be a list of strings", field="permissions")
    for permission in value:
        if permission not in KNOWN_PERMISSIONS:
            raise AdminError(
                f"unknown permission {permission!r} (known: {', '.join(KNOWN_PERMISSIONS)})",
                field="permissions",
            )
    return list(dict.fromkeys(value))


def _guest_list(value: object) -> list[str]:
    if not isinstance(value, list):
        raise AdminError(
            "guest_list must be a list of email addresses and phone numbers", field="guest_list"
        )
    return list(dict.fromkeys(_form(forms.check_guest_list_entry, item) for item in value))


def update_service(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}``: change settings (name, trial_mode, limits,
    permissions, guest_list, letter_contact_block, ...) → 200, the service."""
    service = _service(emulator, request)
    changes = _check_settings(emulator, _body(request))
    if "name" in changes:
        _check_unique_name(emulator, changes["name"], service.id)
    with _stored():
        store_setup.update_service(emulator.store, service.id, changes)
    return 200, _service_json(emulator, service.id)


def set_guest_list(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/guest-list``: ``{"guest_list": [...]}`` replaces it."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("guest_list",), "a guest list")
    guest_list = _guest_list(data.get("guest_list", []))
    with _stored():
        store_setup.update_service(emulator.store, service.id, {"guest_list": guest_list})
    return 200, {"guest_list": guest_list}


# --- API keys ------------------------------------------------------------------------------------


def create_api_key(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/api-keys``: ``{"name", "type"}`` → 201 with ``"key"``,
    the whole key string ``{name}-{service id}-{secret}``, shown this once, its name written as
    the admin app writes it there (``key_string_name``: "CI key" → ``ci_key``)."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("name", "type"), "an API key")
    existing = [
        key.name
        for key in store_setup.all_api_keys(emulator.store, service.id)
        if key.expiry_date is None
    ]
    name = _form(forms.check_key_name, data.get("name"), existing)
    key_type = _form(forms.check_key_type, data.get("type"))
    with _stored():
        key = store_setup.add_api_key(emulator.store, service.id, name, key_type)
    shown_name = forms.key_string_name(key.name)
    return 201, {**_key_json(key), "key": f"{shown_name}-{service.id}-{key.secret}"}


def revoke_api_key(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/api-keys/{key_id}/revoke`` → 200, the key (no secret).
    A revoked key is answered "revoked" for a week (notify-api.md §2.4), then unknown."""
    service = _service(emulator, request)
    with _stored():
        key = store_setup.revoke_api_key(emulator.store, service.id, request.path_params["key_id"])
    return 200, _key_json(key)


# --- templates -----------------------------------------------------------------------------------


def _require_permission(service: Any, template_type: str, action: str) -> None:
    # Notify's template routes: a service may only make and edit the types it may send.
    if not service.has_permission(template_type):
        raise AdminError(
            f"{action} {_TYPE_TEXT[template_type]} templates is not allowed",
            status_code=403,
            field="type",
        )


def _letter_only(template_type: str, data: Mapping[str, Any]) -> None:
    for name in ("postage", "letter_contact_block"):
        if data.get(name) is not None and template_type != "letter":
            raise AdminError(f"{name} is only for letter templates", field=name)
    if data.get("unsubscribe_link") and template_type != "email":
        raise AdminError("unsubscribe_link is only for email templates", field="unsubscribe_link")


def create_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/templates``: ``{"name", "type", "body", "subject"?,
    "postage"?, "letter_contact_block"?, "unsubscribe_link"?, "created_by"?}`` →
    201 ``{"id", "version": 1}``."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, _TEMPLATE_FIELDS, "a template")
    template_type = _form(forms.check_template_type, data.get("type"))
    _require_permission(service, template_type, "Creating")
    _letter_only(template_type, data)
    content = {
        "name": _form(forms.check_template_name, data.get("name")),
        "subject": _form(forms.check_subject, template_type, data.get("subject")),
        "body": _form(forms.check_content, template_type, data.get("body")),
        "letter_contact_block": _optional_text(data, "letter_contact_block"),
        "postage": (
            _form(forms.check_postage, data["postage"]) if data.get("postage") is not None else None
        ),
    }
    created_by = _optional_text(data, "created_by")
    with _stored():
        template_id = store_setup.create_template(
            emulator.store,
            service.id,
            template_type,
            content,
            created_by=created_by,
            unsubscribe_link=bool(_boolean(data, "unsubscribe_link")),
        )
    return 201, {"id": template_id, "version": 1}


def _template(emulator: Emulator, template_id: str) -> Mapping[str, Any]:
    template = store_setup.template_row(emulator.store, template_id)
    if template is None:
        raise AdminError(f"no template with id {template_id}", status_code=404)
    return template


def get_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/templates/{id}``: the template now, and every version, oldest first."""
    template = _template(emulator, request.path_params["template_id"])
    versions = store_setup.template_versions(emulator.store, template["id"])
    return 200, {
        **_template_json(template, versions),
        "versions": [_version_json(version) for version in versions],
    }


def update_template(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/templates/{id}``: the fields to change (``name``, ``subject``,
    ``body``, ``postage``, ``letter_contact_block``, ``unsubscribe_link``, ``created_by``) or
    ``{"archived": true}`` → 200 ``{"id", "version"}``. Each save that changes something is a
    new version; earlier ones stay readable through ``GET /v2/template/{id}/version/{n}``."""
    template = _template(emulator, request.path_params["template_id"])
    data = _body(request)
    _only(data, _TEMPLATE_CHANGES, "a template that can be changed")
    template_type = template["template_type"]
    service = emulator.store.get_service(template["service_id"])
    if service is None:  # removed under us
        raise AdminError(f"no template with id {template['id']}", status_code=404)
    _require_permission(service, template_type, "Updating")
    _letter_only(template_type, data)
    archived = _boolean(data, "archived")
    if archived is False:
        raise AdminError("An archived template cannot be brought back", field="archived")
    changes: dict[str, Any] = {}
    if "name" in data:
        changes["name"] = _form(forms.check_template_name, data["name"])
    if "subject" in data:
        changes["subject"] = _form(forms.check_subject, template_type, data["subject"])
    if "body" in data:
        changes["body"] = _form(forms.check_content, template_type, data["body"])
    if "letter_contact_block" in data:
        changes["letter_contact_block"] = _optional_text(data, "letter_contact_block")
    if data.get("postage") is not None:
        changes["postage"] = _form(forms.check_postage, data["postage"])
    with _stored():
        version = store_setup.update_template(
            emulator.store,
            template["id"],
            changes,
            archived=archived,
            unsubscribe_link=_boolean(data, "unsubscribe_link"),
            created_by=_optional_text(data, "created_by"),
        )
    return 200, {"id": template["id"], "version": version}


# --- SMS senders and reply-to addresses ----------------------------------------------------------


def _sender_lookup(records: list[_T], sender_id: str, get_id: Callable[[_T], str]) -> _T:
    for record in records:
        if get_id(record) == sender_id:
            return record
    raise AdminError(f"no sender with id {sender_id}", status_code=404)


def add_sms_sender(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/sms-senders``: ``{"sms_sender", "is_default"?}`` → 201.
    The service's first sender is its default."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("sms_sender", "is_default"), "an SMS sender")
    text = _form(forms.check_sms_sender, data.get("sms_sender"))
    # As in Notify's admin app (service_add_sms_sender), a service's first sender is its
    # default whatever the form says.
    first = not any(not s.archived for s in store_setup.all_sms_senders(emulator.store, service.id))
    with _stored():
        sender_id = store_setup.add_sms_sender(
            emulator.store, service.id, text, first or bool(_boolean(data, "is_default"))
        )
    senders = store_setup.all_sms_senders(emulator.store, service.id)
    return 201, _sender_json(_sender_lookup(senders, sender_id, lambda s: s.id))


def change_sms_sender(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/sms-senders/{sender_id}``: ``{"sms_sender"?,
    "is_default"?}`` (``true`` makes it the default) → 200."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("sms_sender", "is_default"), "an SMS sender")
    text = _form(forms.check_sms_sender, data["sms_sender"]) if "sms_sender" in data else None
    sender_id = request.path_params["sender_id"]
    with _stored():
        store_setup.change_sms_sender(
            emulator.store, service.id, sender_id, text, _boolean(data, "is_default")
        )
    senders = store_setup.all_sms_senders(emulator.store, service.id)
    return 200, _sender_json(_sender_lookup(senders, sender_id, lambda s: s.id))


def archive_sms_sender(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/sms-senders/{sender_id}/archive`` → 200."""
    service = _service(emulator, request)
    sender_id = request.path_params["sender_id"]
    with _stored():
        store_setup.archive_sms_sender(emulator.store, service.id, sender_id)
    senders = store_setup.all_sms_senders(emulator.store, service.id)
    return 200, _sender_json(_sender_lookup(senders, sender_id, lambda s: s.id))


def add_reply_to(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/email-reply-to``: ``{"email_address", "is_default"?}``
    → 201. The service's first address is its default."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("email_address", "is_default"), "a reply-to address")
    address = _form(forms.check_email_address, data.get("email_address"))
    # As in Notify's admin app (service_add_email_reply_to), a service's first reply-to
    # address is its default whatever the form says.
    first = not any(not r.archived for r in store_setup.all_reply_tos(emulator.store, service.id))
    with _stored():
        reply_to_id = store_setup.add_reply_to(
            emulator.store, service.id, address, first or bool(_boolean(data, "is_default"))
        )
    reply_tos = store_setup.all_reply_tos(emulator.store, service.id)
    return 201, _reply_to_json(_sender_lookup(reply_tos, reply_to_id, lambda r: r.id))


def change_reply_to(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/email-reply-to/{reply_to_id}``: ``{"email_address"?,
    "is_default"?}`` → 200."""
    service = _service(emulator, request)
    data = _body(request)
    _only(data, ("email_address", "is_default"), "a reply-to address")
    address = (
        _form(forms.check_email_address, data["email_address"]) if "email_address" in data else None
    )
    reply_to_id = request.path_params["reply_to_id"]
    with _stored():
        store_setup.change_reply_to(
            emulator.store, service.id, reply_to_id, address, _boolean(data, "is_default")
        )
    reply_tos = store_setup.all_reply_tos(emulator.store, service.id)
    return 200, _reply_to_json(_sender_lookup(reply_tos, reply_to_id, lambda r: r.id))


def archive_reply_to(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/email-reply-to/{reply_to_id}/archive`` → 200."""
    service = _service(emulator, request)
    reply_to_id = request.path_params["reply_to_id"]
    with _stored():
        store_setup.archive_reply_to(emulator.store, service.id, reply_to_id)
    reply_tos = store_setup.all_reply_tos(emulator.store, service.id)
    return 200, _reply_to_json(_sender_lookup(reply_tos, reply_to_id, lambda r: r.id))


_SERVICE = "/services/{service_id}"
ROUTES: list[tuple[str, str, Callable[[Emulator, ApiRequest], Result]]] = [
    ("/services", "GET", list_services),
    ("/services", "POST", create_service),
    (_SERVICE, "GET", get_service),
    (_SERVICE, "POST", update_service),
    (_SERVICE + "/guest-list", "POST", set_guest_list),
    (_SERVICE + "/api-keys", "POST", create_api_key),
    (_SERVICE + "/api-keys/{key_id}/revoke", "POST", revoke_api_key),
    (_SERVICE + "/templates", "POST", create_template),
    ("/templates/{template_id}", "GET", get_template),
    ("/templates/{template_id}", "POST", update_template),
    (_SERVICE + "/sms-senders", "POST", add_sms_sender),
    (_SERVICE + "/sms-senders/{sender_id}", "POST", change_sms_sender),
    (_SERVICE + "/sms-senders/{sender_id}/archive", "POST", archive_sms_sender),
    (_SERVICE + "/email-reply-to", "POST", add_reply_to),
    (_SERVICE + "/email-reply-to/{reply_to_id}", "POST", change_reply_to),
    (_SERVICE + "/email-reply-to/{reply_to_id}/archive", "POST", archive_reply_to),
]
"""The set-up routes (path under ``/_emulator``, method, handler)."""
