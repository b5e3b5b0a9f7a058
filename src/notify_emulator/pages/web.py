"""How a page is served: the Jinja2 environment, the page handler contract, the security headers
every page carries, and HTML error pages.

Jinja2 is imported, and the environment made, when the first page is rendered.

A page handler is a plain synchronous function ``(Emulator, ApiRequest) -> Response``, run in a
worker thread like the JSON handlers; :class:`PageError` becomes an HTML error page with its
status, and anything else a logged 500 page that says nothing about the error.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from notify_emulator.web.context import ApiRequest, Emulator, read_request
from notify_emulator.web.text_checks import UnusableText

if TYPE_CHECKING:
    from jinja2 import Environment

logger = logging.getLogger("notify_emulator")

PageHandler = Callable[[Emulator, ApiRequest], Response]
Endpoint = Callable[[Request], Awaitable[Response]]

STATIC_PREFIX = "/_emulator/static"

# Pages run no inline script and load nothing from elsewhere: scripts, styles and images come
# from the emulator itself, and the only frame is an email, served by its own route.
PAGE_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)

# An email as sent is full of inline styles, and must never run a script: the CSP sandbox
# (like the iframe's own sandbox attribute) gives it an opaque origin and no scripts, while
# letting its links open in a new tab that is not sandboxed (so files sent by email download).
EMAIL_CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' data:",
        "sandbox allow-popups allow-popups-to-escape-sandbox",
        "frame-ancestors 'self'",
    )
)


@functools.cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("notify_emulator.pages", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["static"] = lambda name: f"{STATIC_PREFIX}/{name}"
    return environment


class PageError(Exception):
    """A request a page cannot answer: shown as an HTML page with ``status_code``."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
        self.message = message


def render_page(template_name: str, /, status_code: int = 200, **context: Any) -> Response:
    """A template rendered as a page, with the pages' security headers."""
    html = _environment().get_template(template_name).render(**context)
    return HTMLResponse(
        html, status_code=status_code, headers={"Content-Security-Policy": PAGE_CSP}
    )


def imported_on_first_use(module: str, name: str) -> PageHandler:
    """The page handler ``name`` of ``notify_emulator.pages.<module>``, imported when it is
    first called (in a worker thread, as every page handler runs)."""
    found: list[PageHandler] = []

    def handler(emulator: Emulator, request: ApiRequest) -> Response:
        if not found:  # two threads may both look it up: importing is thread-safe
            imported = importlib.import_module(f"notify_emulator.pages.{module}")
            found.append(cast(PageHandler, getattr(imported, name)))
        return found[0](emulator, request)

    handler.__name__ = name
    handler.__qualname__ = f"{module}.{name}"
    return handler


def page_endpoint(handler: PageHandler) -> Endpoint:
    """A Starlette endpoint that runs a page handler and turns its errors into pages."""

    async def run(request: Request) -> Response:
        emulator: Emulator = request.app.state.emulator
        try:
            api_request = await read_request(request, emulator.settings)
            return await run_in_threadpool(_handle, handler, emulator, api_request)
        except PageError as error:
            return error_page(error)
        except UnusableText as error:  # a NUL or unpaired surrogate in the query or path
            return error_page(PageError(400, "This address cannot be shown", str(error)))
        except Exception:
            logger.exception("error handling %s %s", request.method, request.url.path)
            return error_page(
                PageError(500, "Something went wrong", "The emulator could not show this page.")
            )

    return run


def error_page(error: PageError) -> Response:
    """An HTML page for ``error``."""
    return render_page(
        "error.html",
        status_code=error.status_code,
        title=error.title,
        message=error.message,
        live_on="",
    )


def _handle(handler: PageHandler, emulator: Emulator, api_request: ApiRequest) -> Response:
    with emulator.store.config.one_check():
        return handler(emulator, api_request)
