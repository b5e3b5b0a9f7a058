"""The application factory: :func:`create_app` returns the emulator as an ASGI app."""

from __future__ import annotations

import codecs
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from notify_emulator.admin import routes as admin
from notify_emulator.admin.inbox import inbox_page
from notify_emulator.api import reads, send
from notify_emulator.config import load_seed_file
from notify_emulator.demo_service import demo_seed
from notify_emulator.settings import Settings
from notify_emulator.store import Store, apply_seed
from notify_emulator.web.auth import authenticate
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import ApiError
from notify_emulator.web.responses import (
    SECURITY_HEADERS,
    error_response,
    json_response,
    method_not_allowed_response,
    not_found_response,
    options_response,
)

logger = logging.getLogger("notify_emulator")
request_logger = logging.getLogger("notify_emulator.requests")

HandlerResult = tuple[int, dict[str, object]] | Response
Handler = Callable[[Emulator, ApiRequest], HandlerResult]


def create_app(settings: Settings | None = None, *, seed: bool = True) -> Starlette:
    """The emulator as an ASGI app: opens (and migrates) the database and loads the seed.

    Raises :class:`~notify_emulator.store.DatabaseError` if the database is unusable and
    :class:`~notify_emulator.config.ConfigError` for a bad seed file. ``seed=False`` skips
    seeding (for extra workers of a server whose first process has seeded already).
    """
    settings = settings if settings is not None else Settings()
    if not isinstance(settings, Settings):
        raise TypeError(f"settings must be a Settings, not {type(settings).__name__}")
    store = Store.open(settings.resolved_database_url, settings.clock)
    try:
        if seed:
            seed_store(store, settings)
    except Exception:
        store.close()
        raise
    emulator = Emulator(settings=settings, store=store)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        store.close()

    app = Starlette(
        routes=_routes(),
        exception_handlers={HTTPException: _http_exception},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # "/v2/notifications/" is a 404, as in Notify
    app.state.emulator = emulator
    app.add_middleware(_SlashesMiddleware)
    app.add_middleware(_HeadersMiddleware, log_requests=settings.log_requests)
    return app


def seed_store(store: Store, settings: Settings) -> None:
    """Load the seed file, or the demo service when there is none."""
    if settings.config_path is not None:
        apply_seed(store, load_seed_file(settings.config_path))
    elif settings.seed_demo:
        apply_seed(store, demo_seed())


def _root(request: Request, settings: Settings) -> str:
    if settings.base_url:
        return settings.base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def _endpoint(
    handler: Handler, *, admin_route: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        api_request = ApiRequest(
            method=request.method,
            path_params={key: str(value) for key, value in request.path_params.items()},
            query=_query_pairs(request.scope.get("query_string", b"")),
            authorization=request.headers.get("authorization"),
            body=await request.body(),
            root=_root(request, emulator.settings),
        )
        try:
            result = await run_in_threadpool(_handle, handler, emulator, api_request)
        except ApiError as error:
            return error_response(error)
        except admin.AdminError as error:
            return JSONResponse({"error": error.message}, status_code=error.status_code)
        except Exception as error:
            logger.exception("error handling %s %s", request.method, request.url.path)
            if admin_route:
                return JSONResponse({"error": "Internal server error"}, status_code=500)
            return error_response(
                ApiError(500, [{"error": type(error).__name__, "message": "Internal server error"}])
            )
        if isinstance(result, Response):
            return result
        status, data = result
        return json_response(data, status) if not admin_route else JSONResponse(data, status)

    return endpoint


def _handle(handler: Handler, emulator: Emulator, api_request: ApiRequest) -> HandlerResult:
    # One request reads the configuration generation once, however many lookups it makes.
    with emulator.store.config.one_check():
        return handler(emulator, api_request)


def _query_pairs(query_string: bytes) -> list[tuple[str, str]]:
    """A query string's pairs as Werkzeug reads them for Notify.

    Percent-escapes that are not UTF-8 stay as their escape text (``%ff`` reads ``%FF``), where
    Starlette would put U+FFFD; blank values are kept.
    """
    return parse_qsl(
        query_string.decode("latin-1"), keep_blank_values=True, errors=_KEEP_BAD_ESCAPES
    )


def _quote_undecodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(f"%{byte:02X}" for byte in bad), error.end


_KEEP_BAD_ESCAPES = "notify_emulator.keep_bad_escapes"
codecs.register_error(_KEEP_BAD_ESCAPES, _quote_undecodable)


def _routes() -> list[BaseRoute]:
    from notify_emulator.api import documents, letters

    v2: list[tuple[str, str, Handler]] = [
        ("/v2/notifications/sms", "POST", send.post_sms),
        ("/v2/notifications/email", "POST", send.post_email),
        ("/v2/notifications/letter", "POST", letters.post_letter),
        ("/v2/notifications", "GET", reads.get_notifications),
        ("/v2/notifications/{notification_id}", "GET", reads.get_notification),
        ("/v2/notifications/{notification_id}/pdf", "GET", letters.get_pdf),
        ("/v2/template/{template_id}", "GET", reads.get_template),
        ("/v2/template/{template_id}/version/{version:int}", "GET", reads.get_template),
        ("/v2/template/{template_id}/preview", "POST", reads.post_template_preview),
        ("/v2/templates", "GET", reads.get_templates),
        ("/v2/received-text-messages", "GET", reads.get_received_texts),
    ]
    emulator_routes: list[tuple[str, str, Handler]] = [
        ("/_emulator/health", "GET", admin.health),
        ("/_emulator/reset", "POST", admin.reset),
        ("/_emulator/config", "POST", admin.load_config),
        ("/_emulator/notifications", "GET", admin.list_notifications),
        ("/_emulator/received-texts", "POST", admin.inject_received_text),
        ("/_emulator/notifications/{notification_id}/status", "POST", admin.force_status),
        ("/_emulator/documents/{document_id}", "GET", documents.get_document),
    ]
    routes: list[BaseRoute] = [
        Route(path, _endpoint(handler), methods=[method]) for path, method, handler in v2
    ]
    # A POST to any other /v2/notifications/<type> is authenticated, then a 404 (§1.1).
    routes.append(
        Route(
            "/v2/notifications/{notification_type}",
            _endpoint(_unknown_notification_type),
            methods=["POST"],
        )
    )
    routes += [
        Route(path, _endpoint(handler, admin_route=True), methods=[method])
        for path, method, handler in emulator_routes
    ]
    routes += [
        Route("/_status", _status, methods=["GET", "POST"]),
        Route("/", _inbox, methods=["GET"]),
    ]
    return routes


def _unknown_notification_type(emulator: Emulator, request: ApiRequest) -> HandlerResult:
    authenticate(request.authorization, emulator.store, emulator.settings.clock)
    return not_found_response()


async def _status(_request: Request) -> Response:
    return json_response({"status": "ok"})


async def _inbox(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    page = await run_in_threadpool(inbox_page, emulator, request.query_params.get("service_id"))
    return HTMLResponse(page)


async def _http_exception(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = _allowed_methods(request)
        if request.method == "OPTIONS":
            return await _options(request, allowed)
        return method_not_allowed_response(allowed)
    return not_found_response()


def _allowed_methods(request: Request) -> set[str]:
    return _route_methods(request.app, request.url.path)


def _route_methods(app: Starlette, path: str) -> set[str]:
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


class _HeadersMiddleware:
    """Adds Notify's headers to every answer and logs one line per request (no secrets)."""

    def __init__(self, app: ASGIApp, *, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
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


class _SlashesMiddleware:
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
            allowed = _route_methods(scope["app"], merged)
            # Flask allows OPTIONS on every route it has.
            if allowed and scope["method"] in {*allowed, "OPTIONS"}:
                request = Request(scope)
                emulator: Emulator = request.app.state.emulator
                location = _root(request, emulator.settings) + merged
                query = scope.get("query_string", b"").decode("latin-1")
                await _redirect(location + (f"?{query}" if query else ""))(scope, receive, send)
                return
            if allowed:
                path = merged  # a wrong method: the 405 names the merged path's methods
        raw_path = scope.get("raw_path") or path.encode()
        raw_path = b"/" + raw_path.lstrip(b"/")
        if path == merged:
            raw_path = re.sub(rb"/{2,}", b"/", raw_path)
        await self.app({**scope, "path": path, "raw_path": raw_path}, receive, send)


def _redirect(location: str) -> Response:
    # Werkzeug's own redirect page (Flask returns routing redirects without error handlers).
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
