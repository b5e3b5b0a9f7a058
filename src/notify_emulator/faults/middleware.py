"""The ASGI middleware that makes requests meet the faults being rehearsed.

For a request to Notify's API (never the emulator's own routes or pages) it reads the faults in
force (from memory, checked against the configuration generation once for the whole request),
keeps those whose method and path fit, and only then, if one of them needs it, authenticates the
token or reads the body for the recipient. The first fault, in the order they were added, whose
conditions all hold, whose ``rate`` comes up and of whose ``times`` one is left, is used up and
decides what happens:

- ``status`` / ``error``: Notify's error answer, without the request being processed;
- ``delay_ms``: the request is processed, and its answer held back that long;
- ``drop: before``: the request is read but not processed, and the connection closed;
- ``drop: after``: the request is processed (and stored), its answer thrown away, and the
  connection closed.

With no faults, a request costs one look at the generation, which the handler then reuses.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify_emulator.faults.connection import close_without_answer, connection_closer
from notify_emulator.faults.rules import (
    RequestFacts,
    daily_limit_answer,
    is_notify_path,
    rate_limit_answer,
    request_recipient,
    send_channel,
    server_error_answer,
)
from notify_emulator.rules.limits import daily_limit_value
from notify_emulator.store.faults import FaultRecord
from notify_emulator.web.auth import Caller, authenticate
from notify_emulator.web.context import Emulator
from notify_emulator.web.errors import ApiError
from notify_emulator.web.guard import MAX_BODY_BYTES
from notify_emulator.web.responses import json_response

__all__ = ["FaultsMiddleware"]

logger = logging.getLogger("notify_emulator.faults")


class FaultsMiddleware:
    """Applies the stored faults to requests to Notify's API (``/v2/…``, ``/_status``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_notify_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        emulator: Emulator = scope["app"].state.emulator
        # One check of the configuration generation for the whole request: the faults read
        # here and the handler's lookups after share it.
        with emulator.store.config.one_check():
            await self._dispatch(emulator, scope, receive, send)

    async def _dispatch(
        self, emulator: Emulator, scope: Scope, receive: Receive, send: Send
    ) -> None:
        method: str = scope["method"]
        path: str = scope["path"]
        # On the event loop: the faults are read from memory (the database only after a change).
        faults = emulator.store.faults.active()
        candidates = [fault for fault in faults if fault.spec.match.matches_route(method, path)]
        if not candidates:
            await self.app(scope, receive, send)
            return
        closer = connection_closer(scope, receive)
        body: bytes | None = None
        if any(fault.spec.match.needs_recipient for fault in candidates):
            if _declared_too_large(scope):
                # The guard refuses it unread (413); no fault looks inside.
                await self.app(scope, receive, send)
                return
            body, receive = await _read_body(receive)
            if len(body) > MAX_BODY_BYTES:
                # Read no further: the guard sees the same start and answers its 413.
                await self.app(scope, receive, send)
                return
        authorization = _header(scope, b"authorization")
        chosen = _choose(emulator, candidates, method, path, authorization, body)
        if chosen is None:
            await self.app(scope, receive, send)
            return
        fault, caller = chosen
        action = fault.spec.action
        logger.info("fault %s hit %s %s: %s", fault.id, method, path, action.as_json())
        if action.kind == "delay_ms":
            await self.app(scope, receive, _held_back(send, int(action.value) / 1000))
            return
        if action.kind == "drop":
            if closer is None:
                # An ASGI server other than uvicorn: there is no way to hang up.
                logger.error(
                    "fault %s cannot drop the connection under this server; answering 500 "
                    "(serve with notify-emulator serve, or uvicorn)",
                    fault.id,
                )
                await _answer(server_error_answer(500), scope, receive, send)
                return
            if action.value == "after":
                thrown_away: dict[str, int] = {}
                await self.app(scope, receive, _discarding(thrown_away))
                logger.info(
                    "fault %s threw away the answer (%s) to %s %s",
                    fault.id,
                    thrown_away.get("status", "none"),
                    method,
                    path,
                )
            else:
                await _drain(receive)
            await close_without_answer(closer, receive)
            return
        if action.kind == "status":
            await _answer(server_error_answer(int(action.value)), scope, receive, send)
            return
        await _answer(_limit_answer(str(action.value), caller, path), scope, receive, send)


def _choose(
    emulator: Emulator,
    candidates: Sequence[FaultRecord],
    method: str,
    path: str,
    authorization: str | None,
    body: bytes | None,
) -> tuple[FaultRecord, Caller | None] | None:
    """The fault that hits this request (used up here), with the caller if it was needed."""
    recipient = request_recipient(body) if body is not None else None
    caller: Caller | None = None
    looked_up = False
    for fault in candidates:
        spec = fault.spec
        if spec.needs_caller and not looked_up:
            caller, looked_up = _caller(emulator, authorization), True
        if spec.needs_caller and caller is None:
            # Service and key filters, and the 429s, only meet requests that authenticate:
            # Notify checks the token before anything else.
            continue
        facts = RequestFacts(
            method=method,
            path=path,
            service_id=caller.service.id if caller else None,
            key_type=caller.key_type if caller else None,
            recipient=recipient,
        )
        if not spec.match.matches(facts):
            continue
        if spec.rate is not None and random.random() >= spec.rate:
            continue
        if emulator.store.faults.use(fault):
            return fault, caller
    return None


def _caller(emulator: Emulator, authorization: str | None) -> Caller | None:
    try:
        return authenticate(authorization, emulator.store, emulator.settings.clock)
    except ApiError:
        return None


def _limit_answer(error: str, caller: Caller | None, path: str) -> tuple[int, dict[str, object]]:
    if caller is None:  # never: a 429 fault is only chosen for a caller
        return server_error_answer(500)
    service = caller.service
    if error == "RateLimitError":
        return rate_limit_answer(caller.key_type, service.rate_limit)
    channel = send_channel(path)
    limit = daily_limit_value(
        channel=channel,
        key_type=caller.key_type,
        service_limits={
            "sms": service.sms_message_limit,
            "email": service.email_message_limit,
            "letter": service.letter_message_limit,
            "international_sms": service.international_sms_message_limit,
        },
        trial_mode=service.trial_mode,
    )
    return daily_limit_answer(channel, limit)


async def _answer(
    answer: tuple[int, dict[str, object]], scope: Scope, receive: Receive, send: Send
) -> None:
    status, body = answer
    await json_response(body, status)(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _declared_too_large(scope: Scope) -> bool:
    declared = _header(scope, b"content-length")
    return declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The request body, and a ``receive`` that gives the app the same messages again, then
    the rest. Reading stops once the body is over :data:`MAX_BODY_BYTES` (the guard's limit),
    so that a huge body is never held in memory; such a body is given back incomplete."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return body, replay


async def _drain(receive: Receive) -> None:
    """Read the rest of the request, so that closing the connection is a clean end of stream
    (unread data would make the kernel reset it instead)."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


def _discarding(thrown_away: dict[str, int]) -> Send:
    """A ``send`` that throws the answer away, noting its status."""

    async def discard(message: Message) -> None:
        if message["type"] == "http.response.start":
            thrown_away["status"] = int(message["status"])

    return discard


def _held_back(send: Send, seconds: float) -> Send:
    """A ``send`` that waits ``seconds`` before the answer starts."""

    async def delayed(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)
        await send(message)

    return delayed
