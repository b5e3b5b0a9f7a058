"""What every handler needs: settings, the store, the rate limiter, and the request read off
the wire."""

from __future__ import annotations

import codecs
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request

from notify_emulator.rate_limiter import RateLimiter
from notify_emulator.settings import Settings
from notify_emulator.store import Store
from notify_emulator.web.errors import INVALID_JSON, BadRequest

if TYPE_CHECKING:
    from notify_emulator.callbacks.worker import CallbackWorker


@dataclass
class Emulator:
    """The running emulator's shared state (one per app)."""

    settings: Settings
    store: Store
    rate_limiter: RateLimiter = field(init=False)
    callback_worker: CallbackWorker | None = None
    """Delivers the callback outbox (running between the app's start-up and shutdown)."""

    def __post_init__(self) -> None:
        clock = self.settings.clock
        self.rate_limiter = RateLimiter(lambda: clock.now().timestamp())


@dataclass(frozen=True)
class ApiRequest:
    """A request, read off the wire: plain data a synchronous handler can use."""

    method: str
    path_params: dict[str, str]
    query: Sequence[tuple[str, str]]
    authorization: str | None
    body: bytes
    root: str
    """The base URL for URIs in responses, without a trailing slash."""
    raw_query: str = ""
    """The query string exactly as sent (for redirects that keep it)."""

    def query_lists(self) -> dict[str, list[str]]:
        """The query as ``name -> [values]``, names in order of first appearance."""
        result: dict[str, list[str]] = {}
        for name, value in self.query:
            result.setdefault(name, []).append(value)
        return result

    def json_body(self, *, empty_means: object = None) -> object:
        """The body parsed as JSON whatever the Content-Type (notify-api.md §1.2).

        An empty or unparseable body is ``Invalid JSON supplied in POST data`` unless
        ``empty_means`` gives the value to use for an empty body. Falsy JSON values
        (``null``, ``[]``, ``""``, ``0``, ``false``) read as ``{}``.
        """
        if not self.body.strip():
            if empty_means is not None:
                return empty_means
            raise BadRequest(INVALID_JSON)
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadRequest(INVALID_JSON) from None
        return data if data else {}


async def read_request(request: Request, settings: Settings) -> ApiRequest:
    """The parts of a Starlette request a handler may use, as plain data."""
    return ApiRequest(
        method=request.method,
        path_params={key: str(value) for key, value in request.path_params.items()},
        query=query_pairs(request.scope.get("query_string", b"")),
        authorization=request.headers.get("authorization"),
        body=await request.body(),
        root=response_root(request, settings),
        raw_query=request.scope.get("query_string", b"").decode("latin-1"),
    )


def response_root(request: Request, settings: Settings) -> str:
    """The base URL that URIs in answers start with: ``--base-url``, else the request's."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def query_pairs(query_string: bytes) -> list[tuple[str, str]]:
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
