"""The one handler contract, and the one place where a handler's exceptions become answers.

A handler is a plain synchronous function ``(Emulator, ApiRequest) -> Result``: it sees the
request as data and returns ``(status, body)`` or a ready Starlette response. It runs in a
worker thread (the store is synchronous). Errors become answers here and nowhere else:

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
from typing import Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from notify_emulator.rules.errors import RuleError
from notify_emulator.web.context import ApiRequest, Emulator, read_request
from notify_emulator.web.errors import AdminError, ApiError, BadRequest, from_rule_error
from notify_emulator.web.responses import admin_json_response, error_response, json_response
from notify_emulator.web.text_checks import UnusableText

logger = logging.getLogger("notify_emulator")

Result = tuple[int, dict[str, object]] | Response
"""What a handler returns: ``(status, JSON body)``, or a response it built itself."""

Handler = Callable[[Emulator, ApiRequest], Result]

Surface = Literal["v2", "admin"]
"""Whose conventions an answer follows: Notify's (v2) or the emulator's own (admin)."""

Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Handler, surface: Surface) -> Endpoint:
    """A Starlette endpoint that reads the request, runs ``handler`` and encodes its result."""

    async def run(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        api_request = await read_request(request, emulator.settings)
        try:
            result = await run_in_threadpool(_handle, handler, emulator, api_request)
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


def _handle(handler: Handler, emulator: Emulator, api_request: ApiRequest) -> Result:
    # One request reads the configuration generation once, however many lookups it makes.
    with emulator.store.config.one_check():
        return handler(emulator, api_request)
