"""Who may use the emulator-only surface, and how big a request may be
(shared/spec/emulator.md, "Who may use the emulator-only surface").

Notify's own surface, ``/v2/…`` and ``/_status``, answers anyone as Notify does (its JWT is the
lock). Everything else, the ``/_emulator/`` routes and the web pages, is a local tool that a web
page on another origin, or a DNS-rebinding host name pointed at 127.0.0.1, must not be able
to drive. :class:`GuardMiddleware` checks, in this order, before the request reaches a route:

1. the ``Host`` is one the emulator serves as: ``localhost``, ``127.0.0.1`` or ``[::1]`` with
   the port it listens on, or a name given with ``--allowed-host`` → else ``403``;
2. bound beyond loopback, the admin token: the ``X-Emulator-Token`` header, or the cookie a
   page sets after being opened once with ``?token=TOKEN`` → else ``403``;
3. a state-changing request (POST, PUT, PATCH, DELETE) with an ``Origin`` other than the
   emulator's own, a ``Sec-Fetch-Site`` other than ``same-origin`` or ``none``, or a
   ``Referer`` whose origin is not the emulator's own → ``403`` (the last two catch a browser
   that leaves ``Origin`` out; scripts send none of the three); to a path a route takes, its
   body must be JSON sent as ``application/json`` (a seed to ``/_emulator/config`` may also
   be ``application/toml``), which no cross-site form can send → else ``415``. A path no
   route takes reads no body, so it goes on to its ``404`` whatever the body, as Notify's
   unknown URLs do; so do the paths given as ``any_body_paths``, routes that read no body
   (Notify's one-click unsubscribe, which mail clients post a form to).

On every route, a body over :data:`MAX_BODY_BYTES` is ``413`` (a JSON error in the route's
shape), refused before it is read whole when ``Content-Length`` says so. The body is read
here, once, and handed on. The request line and headers together may be up to
:data:`MAX_HEAD_BYTES` (the servers the emulator starts give uvicorn that limit), room for a
template page's preview, whose address carries the unsaved text.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from starlette.responses import Response
from starlette.routing import Mount, Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify_emulator.settings import Settings
from notify_emulator.web.errors import ApiError
from notify_emulator.web.responses import admin_json_response, error_response

__all__ = [
    "ADMIN_TOKEN_COOKIE",
    "ADMIN_TOKEN_HEADER",
    "MAX_BODY_BYTES",
    "MAX_HEAD_BYTES",
    "GuardMiddleware",
    "is_loopback_host",
    "is_notify_path",
    "valid_admin_token",
]

# Notify's own limit for a precompiled letter is 5 MB of base64; twice that leaves room for
# any request Notify takes.
MAX_BODY_BYTES = 10 * 1024 * 1024
# The longest request head (request line and headers) the emulator's servers read; a longer
# one gets a 431 (``faults/connection.py``). Room for a long template's preview address.
MAX_HEAD_BYTES = 1024 * 1024
ADMIN_TOKEN_HEADER = "x-emulator-token"
ADMIN_TOKEN_COOKIE = "notify_emulator_token"
ADMIN_TOKEN_QUERY = "token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
JSON_TYPES = frozenset({"application/json"})
# POST /_emulator/config takes a seed file: TOML, or the same shape as JSON.
SEED_TYPES = frozenset({"application/json", "application/toml"})
SEED_PATH = "/_emulator/config"
# What an admin token may be made of: cookie-safe characters (RFC 6265 cookie-octet).
_TOKEN_SHAPE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{8,200}")

TOO_LARGE = f"Request bodies are limited to {MAX_BODY_BYTES // (1024 * 1024)} MB"
WRONG_HOST = (
    "this emulator does not serve the host {host!r}: use localhost, 127.0.0.1 or [::1] "
    "with its port, or start it with --allowed-host NAME"
)
NO_TOKEN = (
    "this emulator needs its admin token: send the header X-Emulator-Token: TOKEN, "
    "or open the page once with ?token=TOKEN"
)
WRONG_TOKEN = "the admin token is wrong"
WRONG_ORIGIN = "requests from the origin {origin!r} may not change this emulator"
WRONG_SITE = "requests from another site (Sec-Fetch-Site: {site}) may not change this emulator"
WRONG_REFERER = "requests from a page of {origin!r} may not change this emulator"
# What a browser's Sec-Fetch-Site may say of a state change: from one of the emulator's own
# pages, or from the user (typed in, a bookmark). "same-site" is another port or subdomain of
# the same host (a dev server on localhost:3000), as foreign to the emulator as any site.
OWN_FETCH_SITES = frozenset({"same-origin", "none"})
# Longest piece of a refused header repeated in the error.
_SHOWN_HEADER_LENGTH = 60
WRONG_TYPE = "send the body with Content-Type {expected} (this request has {given})"


def is_notify_path(path: str) -> bool:
    """Whether ``path`` is Notify's own surface (``/v2/…``, ``/_status``) rather than the
    emulator's. Leading repeated slashes do not count, as in routing."""
    path = "/" + path.lstrip("/")
    return path == "/v2" or path.startswith("/v2/") or path == "/_status"


def is_loopback_host(host: str) -> bool:
    """Whether binding to ``host`` keeps the emulator on this machine."""
    name = host.strip().lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def valid_admin_token(token: str) -> bool:
    """An admin token is 8 to 200 characters that a cookie can carry (no spaces, quotes,
    commas, semicolons or backslashes)."""
    return _TOKEN_SHAPE.fullmatch(token) is not None


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    query: bytes
    scheme: str
    port: int | None


class GuardMiddleware:
    """The checks above, as ASGI middleware mounted in ``app.py``."""

    def __init__(
        self, app: ASGIApp, *, settings: Settings, any_body_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.settings = settings
        # Route paths (Starlette's syntax) whose requests may carry any body.
        self.any_body_paths = [compile_path(path)[0] for path in any_body_paths]
        self.token_required = not is_loopback_host(settings.host)
        if self.token_required and settings.admin_token is None:
            raise ValueError(
                f"bound to {settings.host}, beyond loopback, the emulator needs an admin token"
            )
        self.allowed_hosts = [name.strip().lower() for name in settings.allowed_hosts]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = _read(scope)
        notify = is_notify_path(request.path)
        refusal = None if notify else self._refusal(request, self._reads_body(scope, request))
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _too_large(notify)(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        if len(body) > MAX_BODY_BYTES:
            await _too_large(notify)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _reads_body(self, scope: Scope, request: _Request) -> bool:
        """Whether a route takes the path and may read the body (so its type matters)."""
        path = _normal(request.path)
        if any(pattern.fullmatch(path) for pattern in self.any_body_paths):
            return False
        return _routed(scope, path)

    def _refusal(self, request: _Request, reads_body: bool) -> Response | None:
        host = request.headers.get("host", "")
        if not self._serves(host, request.port, request.scheme):
            return _refuse(403, WRONG_HOST.format(host=host))
        if self.token_required:
            answer = self._token_check(request)
            if answer is not None:
                return answer
        if request.method in STATE_CHANGING:
            origin = request.headers.get("origin")
            if origin is not None and not self._own_origin(origin, host, request.scheme):
                return _refuse(403, WRONG_ORIGIN.format(origin=origin))
            # Browsers that leave Origin out still say where a request comes from.
            site = request.headers.get("sec-fetch-site")
            if site is not None and site.strip().lower() not in OWN_FETCH_SITES:
                return _refuse(403, WRONG_SITE.format(site=_shortened(site)))
            referer = request.headers.get("referer", "").strip()
            if referer:
                referer_origin = _origin_of(referer)
                if not self._own_origin(referer_origin, host, request.scheme):
                    return _refuse(403, WRONG_REFERER.format(origin=referer_origin))
            content_type = request.headers.get("content-type")
            has_body = request.headers.get("content-length", "0") != "0" or (
                "transfer-encoding" in request.headers
            )
            if reads_body and (content_type is not None or has_body):
                allowed = SEED_TYPES if _normal(request.path) == SEED_PATH else JSON_TYPES
                media_type = (content_type or "").split(";", 1)[0].strip().lower()
                if media_type not in allowed:
                    expected = " or ".join(sorted(allowed))
                    given = repr(content_type) if content_type is not None else "none"
                    return _refuse(415, WRONG_TYPE.format(expected=expected, given=given))
        return None

    def _serves(self, host: str, port: int | None, scheme: str) -> bool:
        host = host.strip().lower()
        if not host:
            return False
        if port is None:
            port = self.settings.port
        default_port = 443 if scheme == "https" else 80
        for name in LOOPBACK_NAMES:
            if host == f"{name}:{port}" or (host == name and port == default_port):
                return True
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        # A name given with a port must match exactly; one without matches on any port (the
        # emulator may sit behind a proxy or a mapped container port).
        return any(host == allowed or hostname == allowed for allowed in self.allowed_hosts)

    def _token_check(self, request: _Request) -> Response | None:
        expected = self.settings.admin_token or ""
        query = parse_qsl(request.query.decode("latin-1"), keep_blank_values=True)
        offered = [value for name, value in query if name == ADMIN_TOKEN_QUERY]
        if offered and request.method in {"GET", "HEAD"}:
            if not _same(offered[0], expected):
                return _refuse(403, WRONG_TOKEN)
            return _keep_token(request, query, expected)
        given = request.headers.get(ADMIN_TOKEN_HEADER)
        if given is None:
            given = _cookie(request.headers.get("cookie", ""), ADMIN_TOKEN_COOKIE)
        if given is None:
            return _refuse(403, NO_TOKEN)
        if not _same(given, expected):
            return _refuse(403, WRONG_TOKEN)
        return None

    def _own_origin(self, origin: str, host: str, scheme: str) -> bool:
        origin = origin.strip().lower()
        own = {f"{scheme}://{host.strip().lower()}"}
        if self.settings.base_url:
            parts = self.settings.base_url.split("/")
            own.add("/".join(parts[:3]).lower())
        return origin in own


def _read(scope: Scope) -> _Request:
    headers: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        # Repeated headers: a second Host or Origin must not slip past the first.
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    server = scope.get("server")
    return _Request(
        method=scope.get("method", "GET"),
        path=scope.get("path", "/"),
        headers=headers,
        query=scope.get("query_string", b""),
        scheme=scope.get("scheme", "http"),
        port=int(server[1]) if server and server[1] is not None else None,
    )


def _routed(scope: Scope, path: str) -> bool:
    """Whether any route of the app takes ``path`` (with any method), once repeated slashes
    are merged as routing merges them. Without an app to ask, every path counts as taken, so
    the body's type is still checked."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return True
    path = _normal(path)
    for route in router.routes:
        if isinstance(route, Route) and route.path_regex.fullmatch(path):
            return True
        if isinstance(route, Mount) and route.path_regex.match(path):
            return True
    return False


def _origin_of(url: str) -> str:
    """The origin (``scheme://host:port``) of a Referer, without its path, query or any user
    name; what cannot be read as a URL is given back shortened."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _shortened(url)
    if not parts.scheme or not parts.netloc:
        return _shortened(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _shortened(text: str) -> str:
    if len(text) > _SHOWN_HEADER_LENGTH:
        return text[: _SHOWN_HEADER_LENGTH - 1] + "…"
    return text


def _normal(path: str) -> str:
    return re.sub("/{2,}", "/", "/" + path.lstrip("/"))


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


def _keep_token(request: _Request, query: Iterable[tuple[str, str]], token: str) -> Response:
    # The token leaves the address bar (and the history) at once; the cookie carries it on.
    rest = [(name, value) for name, value in query if name != ADMIN_TOKEN_QUERY]
    location = quote("/" + request.path.lstrip("/"), safe="/!$&'()*+,;=:@~")
    if rest:
        location += f"?{urlencode(rest)}"
    secure = "; Secure" if request.scheme == "https" else ""
    response = Response(status_code=303, headers={"Location": location})
    response.headers["Set-Cookie"] = (
        f"{ADMIN_TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
    )
    return response


def _refuse(status: int, message: str) -> Response:
    return admin_json_response({"error": message}, status)


def _too_large(notify: bool) -> Response:
    response = (
        error_response(ApiError(413, [{"error": "RequestEntityTooLarge", "message": TOO_LARGE}]))
        if notify
        else admin_json_response({"error": TOO_LARGE}, 413)
    )
    # The rest of the body is not read: the connection cannot carry another request.
    response.headers["Connection"] = "close"
    return response


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or as much as shows it is too big; None if the client disconnected."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES or not message.get("more_body", False):
            return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
