"""What Notify answers for paths and methods no route takes (notify-api.md §1.1).

Unknown URLs are 404s in the non-v2 shape; a known path with another method is a 405 naming
the allowed methods (Werkzeug's rules); OPTIONS is answered as Flask answers it, after the v2
blueprint's authentication.
"""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from notify_emulator.web.auth import authenticate
from notify_emulator.web.context import Emulator
from notify_emulator.web.errors import ApiError
from notify_emulator.web.responses import (
    error_response,
    method_not_allowed_response,
    not_found_response,
    options_response,
)


class DigitsConvertor(Convertor[str]):
    """A path segment of digits only, kept as text.

    Starlette's ``int`` convertor calls ``int()`` while routing, which fails for more than
    4,300 digits (Python's limit on converting text to int); the handler reads it instead.
    """

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class HyphenatedUUIDConvertor(Convertor[str]):
    """A UUID in its hyphenated form only, in either case, kept as canonical text: Werkzeug's
    ``uuid`` converter (Starlette's also takes the form without hyphens)."""

    regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}"

    def convert(self, value: str) -> str:
        return str(uuid.UUID(value))

    def to_string(self, value: str) -> str:
        return value


def register_convertors() -> None:
    """Make ``{name:digits}`` and ``{name:werkzeug_uuid}`` available to route paths."""
    register_url_convertor("digits", DigitsConvertor())
    register_url_convertor("werkzeug_uuid", HyphenatedUUIDConvertor())


async def http_exception(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = _allowed_methods(request)
        if request.method == "OPTIONS":
            return await _options(request, allowed)
        return method_not_allowed_response(allowed)
    return not_found_response()


def _allowed_methods(request: Request) -> set[str]:
    return route_methods(request.app, request.url.path)


def route_methods(app: Starlette, path: str) -> set[str]:
    # Every route whose path matches counts, as in Werkzeug: DELETE /v2/notifications/sms is
    # refused with GET (the read of a notification "sms") as well as POST.
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.fullmatch(path):
            methods.update(route.methods)
    return methods


async def _options(request: Request, allowed: set[str]) -> Response:
    """Flask answers OPTIONS itself, after the v2 blueprint's authentication (§1.1)."""
    if request.url.path.startswith("/v2/"):
        emulator: Emulator = request.app.state.emulator
        try:
            await run_in_threadpool(
                authenticate,
                request.headers.get("authorization"),
                emulator.store,
                emulator.settings.clock,
            )
        except ApiError as error:
            return error_response(error)
    return options_response(allowed)
