"""Emulator-only routes for callbacks (shared/spec/emulator.md "Callbacks"): see what was sent,
attempt one again, return a letter, and set a service's callback."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from notify_emulator.admin.bodies import json_object
from notify_emulator.callbacks.delivery import safe_url
from notify_emulator.clock import format_timestamp, utc_naive
from notify_emulator.present.serialise import notification_json
from notify_emulator.rules.callbacks import (
    CALLBACK_TYPES,
    CallbackSettingError,
    check_bearer_token,
    check_callback_url,
    notify_url_warning,
)
from notify_emulator.store.config_cache import mark_config_changed
from notify_emulator.store.outbox import (
    CallbackRecord,
    CallbackSetting,
    get_callback,
    list_callbacks,
    retry_now,
    set_callback,
)
from notify_emulator.store.returned_letters import NotReturnable, return_letter
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

logger = logging.getLogger("notify_emulator")

_FILTERS = ("service_id", "notification_id", "type")


def callback_json(record: CallbackRecord) -> dict[str, object]:
    """A callback as ``GET /_emulator/callbacks`` lists it (never with its bearer token)."""
    item: dict[str, object] = {
        "id": record.id,
        "service_id": record.service_id,
        "type": record.callback_type,
    }
    if record.received_text_id is not None:
        item["received_text_id"] = record.received_text_id
    else:
        item["notification_id"] = record.notification_id
    item.update(
        {
            "url": safe_url(record.url),
            "body": record.body,
            "attempts": [dict(attempt) for attempt in record.attempts],
            "state": record.state,
            "next_attempt_at": format_timestamp(record.next_attempt_at),
            "created_at": format_timestamp(record.created_at),
        }
    )
    return item


def list_all(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/callbacks[?service_id=…&notification_id=…&type=…]``: newest first."""
    query = request.query_lists()
    # "token" is the local surface's admin token, not a filter.
    unknown = sorted(set(query) - set(_FILTERS) - {"token"})
    if unknown:
        raise AdminError(f"unknown filter {unknown[0]!r}: use {', '.join(_FILTERS)}")
    chosen = {name: values[0] for name, values in query.items() if name in _FILTERS}
    kind = chosen.get("type")
    if kind is not None and kind not in CALLBACK_TYPES:
        raise AdminError(f"type must be one of {', '.join(CALLBACK_TYPES)}")
    emulator.store.advance_due_statuses()
    records = list_callbacks(
        emulator.store.db,
        service_id=chosen.get("service_id"),
        notification_id=chosen.get("notification_id"),
        callback_type=kind,
    )
    return 200, {"callbacks": [callback_json(record) for record in records]}


def retry(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/callbacks/{id}/retry``: attempt it now (a delivered or failed one
    gets one more attempt)."""
    callback_id = request.path_params["callback_id"]
    store = emulator.store
    if get_callback(store.db, callback_id) is None:
        raise AdminError(f"no callback with id {callback_id}", status_code=404)
    # Leases are on the real clock (they guard processes, not simulated time).
    real_now = utc_naive(datetime.now(timezone.utc))
    if not retry_now(store.db, callback_id, now=store.now(), real_now=real_now):
        raise AdminError("an attempt at this callback is in progress", status_code=409)
    # Read before waking the worker, so the answer shows the attempt as queued, not its result.
    record = get_callback(store.db, callback_id)
    if emulator.callback_worker is not None:
        emulator.callback_worker.wake()
    if record is None:  # emptied by a concurrent reset
        raise AdminError(f"no callback with id {callback_id}", status_code=404)
    return 202, callback_json(record)


def return_notification(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/notifications/{id}/return``: the printer sends the letter back."""
    notification_id = request.path_params["notification_id"]
    store = emulator.store
    store.advance_due_statuses()
    try:
        return_letter(store, notification_id)
    except NotReturnable as error:
        raise AdminError(error.message, status_code=error.status_code) from None
    if emulator.callback_worker is not None:
        emulator.callback_worker.wake()
    record = store.get_notification(notification_id)
    if record is None:  # emptied by a concurrent reset
        raise AdminError(f"no notification with id {notification_id}", status_code=404)
    return 200, notification_json(record, store.notification_template(record), request.root)


def set_service_callback(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/services/{id}/callbacks``: ``{"type", "url", "bearer_token"}`` sets
    one callback of the service (an empty ``url`` removes it), as the seed file's
    ``[[services.callbacks]]`` does."""
    service_id = request.path_params["service_id"]
    data = json_object(request.body)
    unknown = sorted(set(data) - {"type", "url", "bearer_token"})
    if unknown:
        raise AdminError(f"unknown field {unknown[0]!r}: use type, url and bearer_token")
    kind = data.get("type")
    if kind not in CALLBACK_TYPES:
        raise AdminError(f"type must be one of {', '.join(CALLBACK_TYPES)}")
    url = data.get("url")
    if not isinstance(url, str):
        raise AdminError("url is required and must be a string (empty to remove the callback)")
    url = url.strip()
    store = emulator.store
    if store.get_service(service_id) is None:
        raise AdminError(f"no service with id {service_id}", status_code=404)
    setting: CallbackSetting | None = None
    warnings: list[str] = []
    if url:
        token = data.get("bearer_token")
        if not isinstance(token, str):
            raise AdminError("bearer_token is required and must be a string")
        # Each refusal names its field, so that the settings page shows it there.
        try:
            check_callback_url(url)
        except CallbackSettingError as error:
            raise AdminError(f"The callback URL {error}", field="url") from None
        try:
            check_bearer_token(token)
        except CallbackSettingError as error:
            raise AdminError(str(error), field="bearer_token") from None
        setting = CallbackSetting(
            service_id=service_id, callback_type=str(kind), url=url, bearer_token=token
        )
        warning = notify_url_warning(url)
        if warning is not None:
            warnings.append(f"url: {warning}")
            logger.warning("service %s, %s callback: url: %s", service_id, kind, warning)
    with store.db.begin() as connection:
        set_callback(connection, setting, service_id=service_id, kind=str(kind), now=store.now())
        # A callback is configuration: the fixture's reset puts the seeded ones back.
        mark_config_changed(connection)
    store.config.forget()
    return 200, {
        "service_id": service_id,
        "type": kind,
        "url": safe_url(url) if url else None,
        "warnings": warnings,
    }
