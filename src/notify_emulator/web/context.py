"""What every handler needs: settings, the store, the rate limiter, and the request read off
the wire."""

from __future__ import annotations

import codecs
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from starlette.requests import Request

from notify_emulator.settings import Settings
from notify_emulator.store import Store
from notify_emulator.store.rate_buckets import SharedRateLimiter
from notify_emulator.web.errors import INVALID_JSON, BadRequest
from notify_emulator.web.group_commit import SendGroups
from notify_emulator.web.text_checks import UnusableText, check_text, parse_json, parse_notify_json

if TYPE_CHECKING:
    from notify_emulator.callbacks.worker import CallbackWorker


@dataclass
class Emulator:
    """The running emulator's shared state (one per app)."""

    settings: Settings
    store: Store
    rate_limiter: SharedRateLimiter = field(init=False)
    sends: SendGroups = field(init=False)
    """Admits text and email sends in groups (web/group_commit.py)."""
    callback_worker: CallbackWorker | None = None
    """Delivers the callback outbox (running between the app's start-up and shutdown)."""

    def __post_init__(self) -> None:
        clock = self.settings.clock
        # In the database, so that every worker sharing it shares each bucket.
        self.rate_limiter = SharedRateLimiter(self.store.db, lambda: clock.now().timestamp())
        self.sends = SendGroups(self.store)


class PathParams(Mapping[str, str]):
    """A route's path parameters; with ``screens_text``, reading one that holds a NUL raises
    :class:`~notify_emulator.web.text_checks.UnusableText` (see that module).

    Checked when read rather than when the request arrives, so that a route still
    authenticates the caller before it looks at the path.
    """

    def __init__(self, values: Mapping[str, str], *, screens_text: bool = True) -> None:
        self._values = dict(values)
        self._screens_text = screens_text

    def __getitem__(self, name: str) -> str:
        value = self._values[name]
        if self._screens_text:
            check_text(value, name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"PathParams({self._values!r})"


@dataclass(frozen=True)
class ApiRequest:
    """A request, read off the wire: plain data a synchronous handler can use."""

    method: str
    path_params: Mapping[str, str]
    query: Sequence[tuple[str, str]]
    authorization: str | None
    body: bytes
    root: str
    """The base URL for URIs in responses, without a trailing slash."""
    raw_query: str = ""
    """The query string exactly as sent (for redirects that keep it)."""
    screens_text: bool = True
    """Whether text no database can store is refused as it is read (see
    :mod:`notify_emulator.web.text_checks`): on the emulator's own routes. Notify's routes run
    Notify's checks on it first, and refuse it only where it would be stored."""
    navigation: bool = False
    """Whether a browser is opening this address as a page (``Sec-Fetch-Dest: document``, or
    an ``Accept`` that names HTML), rather than a script fetching it."""

    def query_lists(self) -> dict[str, list[str]]:
        """The query as ``name -> [values]``, names in order of first appearance.

        With :attr:`screens_text`, a name or value holding a NUL raises
        :class:`~notify_emulator.web.text_checks.UnusableText`.
        """
        result: dict[str, list[str]] = {}
        for name, value in self.query:
            if self.screens_text:
                check_text(name, "a query parameter name")
                check_text(value, f"the query parameter {name}")
            result.setdefault(name, []).append(value)
        return result

    def json_body(self, *, empty_means: object = None) -> object:
        """The body parsed as JSON whatever the Content-Type (notify-api.md §1.2).

        An empty or unparseable body is ``Invalid JSON supplied in POST data`` unless
        ``empty_means`` gives the value to use for an empty body: one of no bytes at all, as
        Notify tests ``request.get_data()`` (a body of whitespace is unparseable). Falsy JSON values
        (``null``, ``[]``, ``""``, ``0``, ``false``) read as ``{}``. JSON nested too deeply,
        and with :attr:`screens_text` a string holding a NUL or an unpaired surrogate, is a
        ``BadRequestError`` saying so (see :mod:`notify_emulator.web.text_checks`); without
        it, the body is read as Notify reads it (``NaN`` and ``Infinity`` are numbers).
        """
        if not self.body and empty_means is not None:
            return empty_means
        if not self.body.strip():
            raise BadRequest(INVALID_JSON)
        try:
            data = parse_json(self.body) if self.screens_text else parse_notify_json(self.body)
        except UnusableText as error:
            raise BadRequest(str(error)) from None
        except ValueError:
            raise BadRequest(INVALID_JSON) from None
        return data if data else {}


async def read_request(
    request: Request, settings: Settings, *, screens_text: bool = True
) -> ApiRequest:
    """The parts of a Starlette request a handler may use, as plain data (``screens_text``: see
    :attr:`ApiRequest.screens_text`)."""
    path_params = {key: str(value) for key, value in request.path_params.items()}
    return ApiRequest(
        method=request.method,
        path_params=PathParams(path_params, screens_text=screens_text),
        query=query_pairs(request.scope.get("query_string", b"")),
        authorization=request.headers.get("authorization"),
        body=await request.body(),
        root=response_root(request, settings),
        raw_query=request.scope.get("query_string", b"").decode("latin-1"),
        screens_text=screens_text,
        # Only the emulator's own pages ask; Notify's routes (the send path) skip the lookups.
        navigation=screens_text and _is_navigation(request),
    )


def _is_navigation(request: Request) -> bool:
    headers = request.headers
    destination = headers.get("sec-fetch-dest")
    if destination is not None:
        return destination == "document"
    return "text/html" in headers.get("accept", "")


def response_root(request: Request, settings: Settings) -> str:
    """The base URL that URIs in answers start with: ``--base-url``, else the request's."""
    if settings.base_url:
        return settings.base_url.rstrip("/")
    scope = request.scope
    server = scope.get("server")
    key = (
        scope.get("scheme"),
        request.headers.get("host"),
        tuple(server) if server else None,  # some servers give a list
        scope.get("app_root_path", scope.get("root_path", "")),
    )
    root = _ROOTS.get(key)
    if root is None:
        # Building the URL is a measurable share of a send; the few roots a server sees are kept.
        root = str(request.base_url).rstrip("/")
        if len(_ROOTS) < _MAX_ROOTS:
            _ROOTS[key] = root
    return root


_ROOTS: dict[tuple[object, ...], str] = {}
_MAX_ROOTS = 256


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
