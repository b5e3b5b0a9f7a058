"""Response encoding shared by every route (notify-api.md §1.3, §4.4)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from starlette.responses import Response

from notify_emulator.web.errors import ApiError

# Every answer of the real API carries these (api app/__init__.py after_request). The CORS
# ones go on Notify's own routes only (/v2/…, /_status): the emulator's own surface is for
# local tools, never for other origins (web/guard.py).
CORS_HEADERS: Mapping[str, str] = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type,Authorization",
    "Access-Control-Allow-Methods": "GET,PUT,POST,DELETE",
}
SECURITY_HEADERS: Mapping[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Permitted-Cross-Domain-Policies": "none",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "Cache-Control": "no-store, no-cache, private, must-revalidate",
}

NOT_FOUND_MESSAGE = (
    "The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again."
)
METHOD_NOT_ALLOWED_MESSAGE = "The method is not allowed for the requested URL."
# The content type Werkzeug's HTTP exceptions carry (Starlette adds "; charset=utf-8").
WERKZEUG_MEDIA_TYPE = "text/html"


# Made once: json.dumps with options builds a new encoder on every call.
_NOTIFY_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=True, separators=(",", ":"))
_ADMIN_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def encode_json(data: object) -> bytes:
    """Flask's output: sorted keys, compact separators, non-ASCII escaped."""
    return _NOTIFY_ENCODER.encode(data).encode("ascii")


class NotifyJSONResponse(Response):
    """A JSON response encoded the way Notify encodes it (Flask's ``jsonify``: a final newline)."""

    media_type = "application/json"

    def render(self, content: object) -> bytes:
        return encode_json(content) + b"\n"


def json_response(data: object, status_code: int = 200) -> Response:
    """A Notify-encoded JSON answer."""
    return NotifyJSONResponse(data, status_code=status_code)


def admin_json_response(data: object, status_code: int = 200) -> Response:
    """An answer of an emulator-only route: plain JSON, non-ASCII escaped, so that whatever
    text a stored notification holds can always be encoded."""
    body = _ADMIN_ENCODER.encode(data).encode("ascii")
    return Response(body, status_code=status_code, media_type="application/json")


def error_response(error: ApiError) -> Response:
    """The v2 error envelope for ``error``."""
    return NotifyJSONResponse(error.body(), status_code=error.status_code)


def not_found_response() -> Response:
    """The non-v2 404 shape (unknown URL)."""
    return NotifyJSONResponse({"message": NOT_FOUND_MESSAGE, "result": "error"}, status_code=404)


def allow_header(allowed: Iterable[str]) -> str:
    """An ``Allow`` value: the methods given, plus OPTIONS, and HEAD wherever GET is allowed."""
    methods = set(allowed)
    return ", ".join(sorted({*methods, "OPTIONS", *(["HEAD"] if "GET" in methods else [])}))


def method_not_allowed_response(allowed: Iterable[str]) -> Response:
    """The non-v2 405 shape, with an ``Allow`` header.

    Notify's handler passes Werkzeug's own headers on, whose ``text/html`` content type
    replaces the JSON one, although the body is JSON.
    """
    return NotifyJSONResponse(
        {"message": METHOD_NOT_ALLOWED_MESSAGE, "result": "error"},
        status_code=405,
        headers={"Allow": allow_header(allowed)},
        media_type=WERKZEUG_MEDIA_TYPE,
    )


def options_response(allowed: Iterable[str]) -> Response:
    """Flask's automatic answer to OPTIONS: empty, with the allowed methods."""
    return Response(
        b"", status_code=200, headers={"Allow": allow_header(allowed)}, media_type="text/html"
    )
