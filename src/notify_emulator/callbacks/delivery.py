"""One callback attempt on the wire, as Notify makes it (shared/spec/callbacks.md §1).

A ``POST`` with python-requests, the body as a string, ``Content-Type: application/json`` and
``Authorization: Bearer TOKEN``, a 5 s timeout (connect and each read), redirects followed.
requests' own exceptions are translated here, once, into a short reason that never holds the
token (and drops any password in the URL). requests is imported with the first attempt: most
emulators (a test suite's) never make one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import requests

# How much of a receiver's answer an attempt keeps (for the log and the inbox).
RESPONSE_EXCERPT_CHARACTERS = 200


@dataclass(frozen=True)
class AttemptResult:
    """What one attempt got: an HTTP status, or an error (no answer at all)."""

    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None = None


def post_callback(
    session: requests.Session, url: str, bearer_token: str, body: str, *, timeout: float
) -> AttemptResult:
    """Make one attempt; never raises for anything the receiver or the network does."""
    import requests

    started = time.monotonic()
    try:
        response = session.request(
            method="POST",
            url=url,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer_token}"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        return AttemptResult(None, describe_error(error, timeout), _elapsed_ms(started))
    except (ValueError, UnicodeError) as error:
        # A URL or header requests cannot encode: nothing was sent.
        return AttemptResult(None, f"cannot send: {type(error).__name__}", _elapsed_ms(started))
    try:
        excerpt = response.text[:RESPONSE_EXCERPT_CHARACTERS]
    finally:
        response.close()
    return AttemptResult(response.status_code, None, _elapsed_ms(started), excerpt)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def describe_error(error: requests.RequestException, timeout: float) -> str:
    """A one-line reason for a failed attempt (no token, no URL userinfo)."""
    import requests

    if isinstance(error, requests.ConnectTimeout):
        return f"timed out connecting after {timeout:g} s"
    if isinstance(error, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS error: the certificate could not be verified"
    if isinstance(error, requests.ConnectionError):
        cause = _root_cause(error)
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the receiver"
        if cause is not None and "Name or service not known" in str(cause):
            return "the host name could not be resolved"
        return f"connection failed ({type(cause or error).__name__})"
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return "the URL cannot be used"
    return f"request failed ({type(error).__name__})"


def _root_cause(error: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        nested = current.__cause__ or current.__context__
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            nested = reason
        elif current.args and isinstance(current.args[0], BaseException):
            nested = current.args[0]
        if nested is None:
            return current
        current = nested
    return current


def safe_url(url: str) -> str:
    """``url`` without any user name or password (for logs)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
