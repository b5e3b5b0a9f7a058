"""Emulator-only routes under ``/_emulator/`` (shared/spec/emulator.md): no JWT, local use.

Answers are plain JSON; errors are ``{"error": "<what went wrong>"}`` with a 4xx status.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from notify_emulator.clock import format_timestamp
from notify_emulator.present.serialise import notification_json, received_text_json
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.lifecycle import FORCEABLE_STATUSES, is_valid_forced_status
from notify_emulator.rules.phone_numbers import try_normalise_phone_number
from notify_emulator.seed import ConfigError, parse_seed, parse_seed_text
from notify_emulator.store import apply_seed
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

logger = logging.getLogger("notify_emulator")


def health(_emulator: Emulator, _request: ApiRequest) -> Result:
    """``GET /_emulator/health``."""
    return 200, {"status": "ok"}


def reset(emulator: Emulator, _request: ApiRequest) -> Result:
    """``POST /_emulator/reset``: forget what was sent and received; keep the configuration."""
    emulator.store.reset_activity()
    emulator.rate_limiter.reset()
    return 200, {"status": "ok"}


def load_config(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/config``: a seed file's content, as TOML or as the same shape in JSON."""
    text = _text(request.body)
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            if not isinstance(data, dict):
                raise AdminError("the JSON body must be an object")
            seed = parse_seed(data, source="request body")
        else:
            seed = parse_seed_text(text, source="request body")
    except ValueError as error:
        # ConfigError and JSON syntax errors alike: one line saying what is wrong.
        message = str(error) if isinstance(error, ConfigError) else f"request body: {error}"
        raise AdminError(message) from None
    apply_seed(emulator.store, seed)
    for warning in seed.warnings:
        logger.warning("%s", warning)
    return 200, {
        "status": "ok",
        "services": [{"id": service.id, "name": service.name} for service in seed.services],
        "warnings": seed.warnings,
    }


def list_notifications(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/notifications[?service_id=…]``: everything stored, newest first."""
    service_id = request.query_lists().get("service_id", [None])[0]
    records = emulator.store.all_notifications(service_id)
    items: list[dict[str, object]] = []
    for record, template in zip(
        records, emulator.store.notification_templates(records), strict=True
    ):
        item = notification_json(record, template, request.root)
        item.update(
            {
                "service_id": record.service_id,
                "key_type": record.key_type,
                "internal_status": record.status,
                "personalisation": record.personalisation,
                "reply_to_text": record.reply_to_text,
                "updated_at": format_timestamp(record.updated_at),
                "html": _email_html(template, record.personalisation),
            }
        )
        items.append(item)
    return 200, {"notifications": items}


def _email_html(template: Any, personalisation: Mapping[str, Any]) -> str | None:
    from notify_emulator.present.rendering import render_email_preview_html

    if template is None or template.template_type != "email":
        return None
    try:
        return render_email_preview_html(template, personalisation)
    except RuleError:
        return None


def inject_received_text(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/received-texts``: ``{service_id, user_number, content}``."""
    data = _json_object(request.body)
    fields = {}
    for name in ("service_id", "user_number", "content"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise AdminError(f"{name} is required and must be a non-empty string")
        fields[name] = value
    service = emulator.store.get_service(fields["service_id"])
    if service is None:
        raise AdminError(f"no service with id {fields['service_id']}", status_code=404)
    record = emulator.store.insert_received_text(
        service.id,
        try_normalise_phone_number(fields["user_number"]),
        fields["content"],
        notify_number=service.inbound_number,
    )
    _wake_callbacks(emulator)
    return 201, received_text_json(record)


def force_status(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/notifications/{id}/status``: ``{"status": "permanent-failure"}``."""
    notification_id = request.path_params["notification_id"]
    data = _json_object(request.body)
    status = data.get("status")
    record = emulator.store.get_notification(notification_id)
    if record is None:
        raise AdminError(f"no notification with id {notification_id}", status_code=404)
    if not isinstance(status, str) or not is_valid_forced_status(record.notification_type, status):
        allowed = ", ".join(sorted(FORCEABLE_STATUSES[record.notification_type]))
        raise AdminError(f"status must be one of {allowed} for a {record.notification_type}")
    emulator.store.force_status(record.id, status)
    _wake_callbacks(emulator)
    updated = emulator.store.get_notification(record.id)
    if updated is None:  # deleted by a concurrent reset
        raise AdminError(f"no notification with id {notification_id}", status_code=404)
    return 200, notification_json(
        updated, emulator.store.notification_template(updated), request.root
    )


def _wake_callbacks(emulator: Emulator) -> None:
    # A callback may have been queued: deliver it without waiting for the next tick.
    if emulator.callback_worker is not None:
        emulator.callback_worker.wake()


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise AdminError("the body must be UTF-8 text") from None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(_text(body) or "null")
    except ValueError:
        raise AdminError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise AdminError("the body must be a JSON object")
    return data
