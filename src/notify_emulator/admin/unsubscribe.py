"""``GET /_emulator/unsubscribe-requests``: the one-click unsubscribe requests recipients made
(``POST /unsubscribe/{notification_id}/{token}``), newest first."""

from __future__ import annotations

import uuid

from notify_emulator.clock import format_timestamp
from notify_emulator.store.unsubscribe_requests import (
    UnsubscribeRequest,
    list_unsubscribe_requests,
)
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

_FILTERS = ("service_id", "notification_id")


def list_all(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/unsubscribe-requests[?service_id=…&notification_id=…]`` →
    ``{"unsubscribe_requests": [...]}``, newest first."""
    query = request.query_lists()
    # "token" is the local surface's admin token, not a filter.
    unknown = sorted(set(query) - set(_FILTERS) - {"token"})
    if unknown:
        raise AdminError(f"unknown filter {unknown[0]!r}: use {', '.join(_FILTERS)}")
    chosen: dict[str, str] = {}
    for name in _FILTERS:
        if name in query:
            try:
                chosen[name] = str(uuid.UUID(query[name][0]))
            except ValueError:
                raise AdminError(f"{name} must be a UUID", field=name) from None
    records = list_unsubscribe_requests(
        emulator.store,
        service_id=chosen.get("service_id"),
        notification_id=chosen.get("notification_id"),
    )
    return 200, {"unsubscribe_requests": [unsubscribe_request_json(r) for r in records]}


def unsubscribe_request_json(record: UnsubscribeRequest) -> dict[str, object]:
    """One request as the route shows it."""
    return {
        "notification_id": record.notification_id,
        "service_id": record.service_id,
        "template_id": record.template_id,
        "template_version": record.template_version,
        "email_address": record.email_address,
        "created_at": format_timestamp(record.created_at),
    }
