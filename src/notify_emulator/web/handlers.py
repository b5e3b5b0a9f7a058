"""The one handler contract, and the one place where a handler's exceptions become answers.

A handler is a plain synchronous function ``(Emulator, ApiRequest) -> Result``: it sees the
request as data and returns ``(status, body)``, a ready Starlette response, or a
:class:`PendingSend` (a send whose limits and row are decided at its group's commit:
web/group_commit.py). It runs in a worker thread (the store is synchronous), or, for the
handlers the route table marks (quick ones, whose store reads are of memory or an index), on the
event loop itself, saving two thread hand-offs per request. Errors become answers here and
nowhere else:

- :class:`~notify_emulator.web.errors.ApiError` → its v2 error envelope;
- :class:`~notify_emulator.rules.errors.RuleError` (a broken Notify rule) → the v2 envelope with
  the rule's error class and Notify's exact message, as a 400;
- :class:`~notify_emulator.web.errors.AdminError` → ``{"error": message}`` (and ``"field"``);
- :class:`~notify_emulator.web.text_checks.UnusableText` (a NUL or unpaired surrogate in the
  query or path) → a 400 in the route's own shape;
- anything else → a logged 500 in the route's own shape.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.limits import daily_limit_message, rate_limit_message
from notify_emulator.store.admissions import DailyLimitHit, SendAdmission
from notify_emulator.web.context import ApiRequest, Emulator, read_request
from notify_emulator.web.errors import (
    AdminError,
    ApiError,
    BadRequest,
    TooManyRequests,
    from_rule_error,
)
from notify_emulator.web.responses import admin_json_response, error_response, json_response
from notify_emulator.web.text_checks import UnusableText

logger = logging.getLogger("notify_emulator")


@dataclass(frozen=True)
class PendingSend:
    """A send's answer, given once its group's commit has decided its limits.

    ``error`` is what the send failed with after its limit checks (a limit still refuses it
    first, as in Notify's order); otherwise ``answer`` is sent once its row is stored.
    """

    admission: SendAdmission
    answer: tuple[int, dict[str, object]] | None = None
    error: ApiError | RuleError | None = None


Result = tuple[int, dict[str, object]] | Response | PendingSend
"""What a handler returns: ``(status, JSON body)``, a response it built itself, or a pending
send."""

Handler = Callable[[Emulator, ApiRequest], Result]

Surface = Literal["v2", "admin"]
"""Whose conventions an answer follows: Notify's (v2) or the emulator's own (admin)."""

Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, surface: Surface, *, on_event_loop: bool = False) -> Endpoint:
    """A Starlette endpoint that reads the request, runs ``handler`` (in a worker thread, or
    on the event loop with ``on_event_loop``) and encodes its result."""

    async def run(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        api_request = await read_request(
            request, emulator.settings, screens_text=surface == "admin"
        )
        try:
            if on_event_loop:
                result = _handle(handler, emulator, api_request)
            else:
                result = await run_in_threadpool(_handle, handler, emulator, api_request)
            if isinstance(result, PendingSend):
                result = await _admitted(emulator, result)
        except ApiError as error:
            return error_response(error)
        except RuleError as error:
            return error_response(from_rule_error(error))
        except AdminError as error:
            return admin_json_response(error.body(), error.status_code)
        except UnusableText as error:
            if surface == "admin":
                return admin_json_response({"error": str(error)}, 400)
            return error_response(BadRequest(str(error)))
        except Exception as error:
            logger.exception("error handling %s %s", request.method, request.url.path)
            if surface == "admin":
                return admin_json_response({"error": "Internal server error"}, 500)
            return error_response(
                ApiError(500, [{"error": type(error).__name__, "message": "Internal server error"}])
            )
        if isinstance(result, Response):
            return result
        status, data = result
        return json_response(data, status) if surface == "v2" else admin_json_response(data, status)

    return run


async def _admitted(emulator: Emulator, pending: PendingSend) -> tuple[int, dict[str, object]]:
    """The pending send's answer once its group has committed (a 429 if a limit refused it)."""
    admission = pending.admission
    verdict = await emulator.sends.admit(admission)
    if verdict == "rate_limited":
        raise TooManyRequests(
            "RateLimitError", rate_limit_message(admission.key_type, admission.rate_limit)
        )
    if isinstance(verdict, DailyLimitHit):
        raise TooManyRequests(
            "TooManyRequestsError", daily_limit_message(verdict.channel, verdict.limit)
        )
    if pending.error is not None:
        raise pending.error
    if pending.answer is None:
        raise RuntimeError("a pending send has neither an answer nor an error")
    return pending.answer


def _handle(handler: Handler, emulator: Emulator, api_request: ApiRequest) -> Result:
    # One request reads the configuration generation once, however many lookups it makes.
    with emulator.store.config.one_check():
        return handler(emulator, api_request)
