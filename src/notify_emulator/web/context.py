"""What every handler needs: settings, the store, the rate limiter, and the request."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from notify_emulator.rate_limiter import RateLimiter
from notify_emulator.settings import Settings
from notify_emulator.store import Store
from notify_emulator.web.errors import INVALID_JSON, BadRequest


@dataclass
class Emulator:
    """The running emulator's shared state (one per app)."""

    settings: Settings
    store: Store
    rate_limiter: RateLimiter = field(init=False)

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
