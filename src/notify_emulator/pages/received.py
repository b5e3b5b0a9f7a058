"""``GET /received-texts`` (every service's received texts, newest first, with a form to send
one in) and ``GET /conversations/{phone}`` (the two-way thread with one number, as the admin
app shows it: received on the left, sent on the right)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from starlette.responses import Response

from notify_emulator.clock import format_timestamp
from notify_emulator.pages import wording
from notify_emulator.pages.inbox import has_control_characters
from notify_emulator.pages.web import PageError, render_page
from notify_emulator.rules.errors import InvalidPhoneNumber, RuleError
from notify_emulator.rules.phone_numbers import normalise_phone_number
from notify_emulator.rules.sms import render_sms
from notify_emulator.store import NotificationRecord, ReceivedTextRecord, ServiceRecord
from notify_emulator.store.inbox import conversation, received_text_position, received_texts_page
from notify_emulator.web.context import ApiRequest, Emulator

__all__ = ["conversation_page", "received_texts"]

PAGE_SIZE = 50
# A conversation shows the latest this many texts each way.
CONVERSATION_LIMIT = 100
MAX_PHONE_LENGTH = 40


@dataclass(frozen=True)
class ReceivedRow:
    """One received text in the list."""

    id: str
    service_name: str
    user_number: str
    user_number_human: str
    conversation_url: str
    content: str
    created_at: str
    created_relative: str
    created_human: str


@dataclass(frozen=True)
class Message:
    """One text of a conversation."""

    id: str
    inbound: bool
    content: str
    created_at: datetime
    created_iso: str
    time_text: str
    status_text: str
    """For a sent text: what the admin app says under it (``delivering``, ``Failed (…)``)."""
    heading: str
    """The text's visually hidden heading, as the admin app words it (``Received …``,
    ``Sent …``, ``Delivering since …``, ``Failed …``)."""
    failed: bool
    url: str | None


def conversation_url(number: str) -> str:
    """The conversation page of a number."""
    return "/conversations/" + quote(number, safe="")


def received_texts(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /received-texts[?service_id=…&older_than=…]``."""
    store = emulator.store
    values = request.query_lists()
    service_id = (values.get("service_id") or [""])[0].strip()
    older_than = (values.get("older_than") or [""])[0].strip()
    if service_id:
        try:
            service_id = str(uuid.UUID(service_id))
        except ValueError:
            raise PageError(400, "Check the address", "service_id must be a service ID") from None
    after = None
    missing_cursor = False
    if older_than:
        try:
            older_than = str(uuid.UUID(older_than))
        except ValueError:
            raise PageError(
                400, "Check the address", "older_than must be a received text id"
            ) from None
        after = received_text_position(store, older_than)
        missing_cursor = after is None
    services = store.list_services()
    names = {service.id: service.name for service in services}
    records: list[ReceivedTextRecord] = []
    if not missing_cursor:
        records = received_texts_page(
            store, service_id=service_id or None, after=after, limit=PAGE_SIZE + 1
        )
    more = len(records) > PAGE_SIZE
    records = records[:PAGE_SIZE]
    now = store.now()
    rows = [_received_row(record, names, now) for record in records]
    next_url = None
    if more and records:
        pairs = [("service_id", service_id)] if service_id else []
        next_url = "/received-texts?" + urlencode([*pairs, ("older_than", records[-1].id)])
    return render_page(
        "received.html",
        rows=rows,
        services=services,
        inbound_services=[service for service in services if service.inbound_number],
        service_id=service_id,
        next_url=next_url,
        missing_cursor=missing_cursor,
        older_than=older_than,
        live_on="received_text",
    )


def _received_row(record: ReceivedTextRecord, names: dict[str, str], now: datetime) -> ReceivedRow:
    return ReceivedRow(
        id=record.id,
        service_name=names.get(record.service_id, record.service_id),
        user_number=record.user_number,
        user_number_human=wording.human_phone_number(record.user_number),
        conversation_url=conversation_url(record.user_number),
        content=record.content,
        created_at=format_timestamp(record.created_at) or "",
        created_relative=wording.format_delta(record.created_at, now),
        created_human=wording.format_datetime_human(record.created_at, now),
    )


def conversation_page(emulator: Emulator, request: ApiRequest) -> Response:
    """``GET /conversations/{phone}``: texts to and from one number, oldest first."""
    store = emulator.store
    raw = request.path_params.get("phone", "").strip()
    not_a_number = PageError(404, "Not a phone number", "The address does not name a phone number.")
    if not raw or len(raw) > MAX_PHONE_LENGTH or has_control_characters(raw):
        raise not_a_number
    try:
        # Nothing can be sent to or from a number that does not parse (the received-texts
        # route refuses it too), so there is no conversation to show.
        number = normalise_phone_number(raw)
    except InvalidPhoneNumber:
        raise not_a_number from None
    store.advance_due_statuses()
    limit = CONVERSATION_LIMIT
    sent, received = conversation(store, number, limit=limit)
    truncated = len(sent) == limit or len(received) == limit
    # Each way is cut at its own oldest text kept: show only what is newer than both cuts,
    # so that the thread has no gap in it.
    cutoffs = [records[-1].created_at for records in (sent, received) if len(records) == limit]
    if cutoffs:
        since = max(cutoffs)
        sent = [record for record in sent if record.created_at >= since]
        received = [record for record in received if record.created_at >= since]
    services = {service.id: service for service in store.list_services()}
    now = store.now()
    messages = [_sent_message(emulator, record, services, now) for record in sent]
    messages += [_received_message(record, now) for record in received]
    messages.sort(key=lambda message: message.created_at)
    reply_services = sorted(
        {record.service_id for record in received} | {record.service_id for record in sent}
    )
    return render_page(
        "conversation.html",
        number=number,
        number_human=wording.human_phone_number(number),
        messages=messages,
        limit=limit,
        truncated=truncated,
        services=list(services.values()),
        reply_service_id=reply_services[0] if reply_services else "",
        live_on="notification received_text",
    )


def _sent_message(
    emulator: Emulator,
    record: NotificationRecord,
    services: dict[str, ServiceRecord],
    now: datetime,
) -> Message:
    template = emulator.store.notification_template(record)
    service = services.get(record.service_id)
    content = ""
    if template is not None:
        prefix = service.name if service is not None and service.prefix_sms else None
        try:
            content = render_sms(template.body, record.personalisation, prefix=prefix).body
        except RuleError:
            content = ""
    relative = wording.format_datetime_human(record.created_at, now)
    failed = False
    # The admin app's conversation page: a delivered text shows when it was sent; one on its
    # way says so; anything else failed.
    if record.status in ("delivered", "sent"):
        status, heading = relative, "Sent"
    elif record.status == "created":
        status, heading = "sending", "Sending since"
    elif record.status in ("pending", "sending"):
        status, heading = "delivering", "Delivering since"
    else:
        status, heading = f"Failed (sent {relative})", "Failed"
        failed = True
    return Message(
        id=record.id,
        inbound=False,
        content=content,
        created_at=record.created_at,
        created_iso=format_timestamp(record.created_at) or "",
        time_text=relative,
        status_text=status,
        heading=f"{heading} {relative}",
        failed=failed,
        url=f"/notifications/{record.id}",
    )


def _received_message(record: ReceivedTextRecord, now: datetime) -> Message:
    relative = wording.format_datetime_human(record.created_at, now)
    return Message(
        id=record.id,
        inbound=True,
        content=record.content,
        created_at=record.created_at,
        created_iso=format_timestamp(record.created_at) or "",
        time_text=relative,
        status_text=relative,
        heading=f"Received {relative}",
        failed=False,
        url=None,
    )
