"""Emulator-only routes under ``/_emulator/`` (shared/spec/emulator.md): no JWT, local use.

Answers are plain JSON; errors are ``{"error": "<what went wrong>"}`` with a 4xx status.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from notify_emulator.admin.bodies import json_object
from notify_emulator.clock import format_timestamp
from notify_emulator.present.serialise import notification_json, received_text_json
from notify_emulator.rules.errors import InvalidPhoneNumber, RuleError
from notify_emulator.rules.lifecycle import (
    FORCEABLE_STATUSES,
    RETURNED_LETTER,
    is_valid_forced_status,
)
from notify_emulator.rules.phone_numbers import normalise_phone_number, phone_error_message
from notify_emulator.seed import ConfigError, parse_seed, parse_seed_text
from notify_emulator.store import apply_seed
from notify_emulator.store.returned_letters import NotReturnable, return_letter
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result
from notify_emulator.web.text_checks import UnusableText, parse_json

# GET /_emulator/notifications answers at most this many per page unless asked (``limit``);
# large enough that a test suite's callers, which reset between tests, see everything at once.
NOTIFICATIONS_PAGE_DEFAULT = 1000
NOTIFICATIONS_PAGE_MAX = 10_000

logger = logging.getLogger("notify_emulator")


def health(_emulator: Emulator, _request: ApiRequest) -> Result:
    """``GET /_emulator/health``."""
    return 200, {"status": "ok"}


def reset(emulator: Emulator, _request: ApiRequest) -> Result:
    """``POST /_emulator/reset``: forget what was sent and received; keep the configuration.

    Faults are deleted and the clock is put back on real time too, so that each test of a
    suite starts from the same place.
    """
    reset_state(emulator)
    return 200, {"status": "ok"}


def reset_state(emulator: Emulator, *, faults_and_clock: bool = True) -> None:
    """What ``POST /_emulator/reset`` does, in one transaction (the pytest fixture calls it
    in-process before each test).

    Faults and the clock's offset change only with the configuration generation
    (store/config_cache.py), so a caller that has seen the generation stand still since it
    last reset them may leave them out with ``faults_and_clock=False``.
    """
    store = emulator.store
    with store.db.begin():
        store.reset_activity()  # the rate limit's buckets too
        if faults_and_clock:
            store.faults.clear()
            store.clock_offset.reset()


def load_config(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/config``: a seed file's content, as TOML or as the same shape in JSON."""
    text = _text(request.body)
    try:
        if text.lstrip().startswith("{"):
            data = parse_json(text)
            if not isinstance(data, dict):
                raise AdminError("the JSON body must be an object")
            seed = parse_seed(data, source="request body")
        else:
            seed = parse_seed_text(text, source="request body")
    except RecursionError:
        # tomllib reads nested arrays and inline tables recursively.
        raise AdminError("request body: nested too deeply") from None
    except ValueError as error:
        # ConfigError, UnusableText and JSON syntax errors alike: one line saying what is wrong.
        known = isinstance(error, (ConfigError, UnusableText))
        raise AdminError(str(error) if known else f"request body: {error}") from None
    try:
        apply_seed(emulator.store, seed, source="request body")
    except ConfigError as error:
        raise AdminError(str(error)) from None
    for warning in seed.warnings:
        logger.warning("%s", warning)
    return 200, {
        "status": "ok",
        "services": [{"id": service.id, "name": service.name} for service in seed.services],
        "warnings": seed.warnings,
    }


def list_notifications(emulator: Emulator, request: ApiRequest) -> Result:
    """``GET /_emulator/notifications[?service_id=…][&limit=N][&older_than=ID]``.

    Everything stored, newest first (then by id), a page at a time: at most ``limit``
    (default :data:`NOTIFICATIONS_PAGE_DEFAULT`, at most :data:`NOTIFICATIONS_PAGE_MAX`).
    ``links.next`` is there only when more follow: the same query with ``older_than`` set to the
    page's last id, which continues exactly after it (rows with the same ``created_at`` are
    neither skipped nor repeated).
    """
    query = request.query_lists()
    service_id = _single(query, "service_id")
    limit = _limit(_single(query, "limit"))
    older_than = _single(query, "older_than")
    if older_than is not None:
        try:
            older_than = str(uuid.UUID(older_than))
        except ValueError:
            raise AdminError("older_than must be a notification id") from None
    records = emulator.store.notifications_page(service_id, older_than, limit + 1)
    more = len(records) > limit
    records = records[:limit]
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
    answer: dict[str, object] = {"notifications": items}
    if more and records:
        # Only when there is more, so that a complete answer is what it always was.
        base = f"{request.root}/_emulator/notifications"
        pairs = [(name, value) for name, value in request.query if name != "older_than"]
        answer["links"] = {"next": _with_query(base, [*pairs, ("older_than", records[-1].id)])}
    return 200, answer


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _limit(text: str | None) -> int:
    if text is None:
        return NOTIFICATIONS_PAGE_DEFAULT
    if not text.isdigit() or len(text) > 6 or not 1 <= int(text) <= NOTIFICATIONS_PAGE_MAX:
        raise AdminError(f"limit must be a whole number from 1 to {NOTIFICATIONS_PAGE_MAX}")
    return int(text)


def _with_query(base: str, pairs: Any) -> str:
    listed = list(pairs)
    return f"{base}?{urlencode(listed)}" if listed else base


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
    data = json_object(request.body)
    fields = {}
    for name in ("service_id", "user_number", "content"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise AdminError(f"{name} is required and must be a non-empty string", field=name)
        fields[name] = value
    service = emulator.store.get_service(fields["service_id"])
    if service is None:
        raise AdminError(
            f"no service with id {fields['service_id']}", status_code=404, field="service_id"
        )
    if not service.inbound_number:
        # Texts arrive on a service's inbound number (callbacks.md §3): without one there is
        # nothing to send to, and the callback's destination_number would be null. The
        # inbound number stands for the inbound_sms permission (a seed file gives a service an
        # inbound number to have it receive texts: emulator.md "Seed file").
        raise AdminError(
            f"service {service.id} has no inbound number, so it cannot receive text messages: "
            "give it one (inbound_number in the seed file, or "
            f"POST /_emulator/services/{service.id} with an inbound_number)",
            field="service_id",
        )
    try:
        user_number = normalise_phone_number(fields["user_number"])
    except InvalidPhoneNumber as error:
        # The admin app's wording ("Mobile number is too short"), not the v2 API's: it is shown
        # by the field of the inbox's form.
        message = phone_error_message(error.code, legacy_v2_api=False)
        raise AdminError(message, field="user_number") from None
    record = emulator.store.insert_received_text(
        service.id, user_number, fields["content"], notify_number=service.inbound_number
    )
    _wake_callbacks(emulator)
    return 201, received_text_json(record)


def force_status(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/notifications/{id}/status``: ``{"status": "permanent-failure"}``."""
    notification_id = request.path_params["notification_id"]
    data = json_object(request.body)
    status = data.get("status")
    record = emulator.store.get_notification(notification_id)
    if record is None:
        raise AdminError(f"no notification with id {notification_id}", status_code=404)
    if not isinstance(status, str) or not is_valid_forced_status(record.notification_type, status):
        allowed = ", ".join(sorted(FORCEABLE_STATUSES[record.notification_type]))
        raise AdminError(f"status must be one of {allowed} for a {record.notification_type}")
    if status == RETURNED_LETTER:
        # The same as POST /_emulator/notifications/{id}/return (emulator.md "Callbacks"): only
        # a printed letter, with its row in the returned-letters report and its callback.
        emulator.store.advance_due_statuses()
        try:
            return_letter(emulator.store, record.id)
        except NotReturnable as error:
            raise AdminError(error.message, status_code=error.status_code) from None
    else:
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
        # A seed file saved by Notepad starts with a byte order mark, which is not content.
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AdminError("the body must be UTF-8 text") from None
