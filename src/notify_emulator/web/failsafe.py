"""The answer to an exception no handler turned into one: Notify's JSON 500.

Handlers' errors become answers in :mod:`notify_emulator.web.handlers`; this catches what
escapes everything else (a middleware, the routing, reading the request), so that no
request is ever answered with Starlette's plain-text 500 and a dropped connection. The answer
is Notify's (``{"status_code": 500, "errors": [{"error": "<ExceptionClass>", "message":
"Internal server error"}]}``, notify-api.md §4.1) on its routes, ``{"error": ...}`` on the
emulator's own, with the usual headers; the connection stays usable, since the answer is
complete. When part of an answer had already been sent, nothing honest can follow it: the
exception goes on to the server, which closes the connection.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify_emulator.web.errors import ApiError
from notify_emulator.web.guard import is_notify_path
from notify_emulator.web.responses import admin_json_response, error_response

logger = logging.getLogger("notify_emulator")

INTERNAL_ERROR = "Internal server error"


class FailsafeMiddleware:
    """Turns an unhandled exception into a complete JSON 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except ClientDisconnect:
            return  # nobody to answer
        except Exception as error:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            if is_notify_path(scope.get("path", "")):
                response = error_response(
                    ApiError(500, [{"error": type(error).__name__, "message": INTERNAL_ERROR}])
                )
            else:
                response = admin_json_response({"error": INTERNAL_ERROR}, 500)
            await response(scope, receive, send)
