"""The middlewares every answer passes through: Notify's headers and request logging, and
repeated slashes handled as Werkzeug handles them."""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify_emulator.web.context import Emulator, response_root
from notify_emulator.web.guard import is_notify_path
from notify_emulator.web.responses import CORS_HEADERS, SECURITY_HEADERS
from notify_emulator.web.routing import route_methods

request_logger = logging.getLogger("notify_emulator.requests")


class HeadersMiddleware:
    """Adds Notify's headers to every answer (its CORS headers on its own routes only) and
    logs one line per request (no secrets: the path, never the query)."""

    def __init__(self, app: ASGIApp, *, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {}
        added = (
            {**CORS_HEADERS, **SECURITY_HEADERS}
            if is_notify_path(scope.get("path", ""))
            else SECURITY_HEADERS
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in added.items():
                    if name.lower().encode("latin-1") not in present:
                        headers.append((name.encode("latin-1"), value.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if self.log_requests:
                elapsed = (time.perf_counter() - started) * 1000
                request_logger.info(
                    "%s %s %s %.1fms",
                    scope.get("method", "-"),
                    scope.get("path", "-"),
                    status.get("code", "-"),
                    elapsed,
                )


class SlashesMiddleware:
    """Repeated slashes in a path, handled the way Werkzeug's routing handles them for Notify.

    Leading ones are ignored, so a client whose base URL ends with "/" (``…6011//v2/…``)
    still works. A path with repeated slashes inside that would match a route once they are
    merged is answered with Werkzeug's 308 redirect to the merged path; anything else is
    routed as it is (and ends in a 404).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or "//" not in path:
            await self.app(scope, receive, send)
            return
        path = "/" + path.lstrip("/")
        merged = re.sub("/{2,}", "/", path)
        if merged != path:
            allowed = route_methods(scope["app"], merged)
            # Flask allows OPTIONS on every route it has.
            if allowed and scope["method"] in {*allowed, "OPTIONS"}:
                request = Request(scope)
                emulator: Emulator = request.app.state.emulator
                location = response_root(request, emulator.settings) + _quoted_path(merged)
                query = _quoted_query(scope.get("query_string", b""))
                await redirect_response(location + (f"?{query}" if query else ""))(
                    scope, receive, send
                )
                return
            if allowed:
                path = merged  # a wrong method: the 405 names the merged path's methods
        raw_path = scope.get("raw_path") or path.encode()
        raw_path = b"/" + raw_path.lstrip(b"/")
        if path == merged:
            raw_path = re.sub(rb"/{2,}", b"/", raw_path)
        await self.app({**scope, "path": path, "raw_path": raw_path}, receive, send)


# The characters Werkzeug leaves unquoted when it builds the redirect to the merged path
# (werkzeug.routing.map: quote(path_info, safe="!$&'()*+,/:;=@")); everything else, non-ASCII
# text included, is percent-encoded as UTF-8, so a Location header is always plain ASCII.
_REDIRECT_PATH_SAFE = "!$&'()*+,/:;=@"


def _quoted_path(path: str) -> str:
    return quote(path, safe=_REDIRECT_PATH_SAFE, errors="surrogateescape")


def _quoted_query(query: bytes) -> str:
    # The query goes on as the client sent it, except for bytes a header cannot carry as text
    # (controls, spaces, non-ASCII), which are percent-encoded.
    return "".join(chr(byte) if 0x21 <= byte <= 0x7E else f"%{byte:02X}" for byte in query)


def redirect_response(location: str) -> Response:
    """Werkzeug's 308 to ``location``, with its own page (Flask returns routing redirects
    without error handlers)."""
    shown = _html_escape(location)
    page = (
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
        "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: "
        f'<a href="{shown}">{shown}</a>. If not, click the link.\n'
    )
    return Response(page, status_code=308, headers={"Location": location}, media_type="text/html")


# markupsafe's escaping, which Werkzeug's redirect page uses.
_HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))


def _html_escape(text: str) -> str:
    for raw, escaped in _HTML_ESCAPES:
        text = text.replace(raw, escaped)
    return text
