"""One callback attempt on the wire, as Notify makes it (shared/spec/callbacks.md §1).

A ``POST`` with python-requests, the body as a string, ``Content-Type: application/json`` and
``Authorization: Bearer TOKEN``, a 5 s timeout (connect and each read), redirects followed.
requests' own exceptions are translated here, once, into a short reason that never holds the
token (and drops any password in the URL). requests is imported with the first attempt: most
emulators (a test suite's) never make one.
"""

from __future__ import annotations

import codecs
import time
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import requests

# How much of a receiver's answer an attempt keeps (for the log and the inbox): the excerpt
# is made from at most RESPONSE_READ_BYTES (the rest of the body is read, as Notify reads it,
# and dropped).
RESPONSE_EXCERPT_CHARACTERS = 200
RESPONSE_READ_BYTES = 8192
# What stands for the bearer token where an answer repeats it.
HIDDEN_TOKEN = "<hidden>"
# The shortest start of the token cut from the end of an excerpt (fewer characters give
# nothing away, and are often ordinary text).
PARTIAL_TOKEN_CHARACTERS = 4
# Marks an excerpt cut short.
ELLIPSIS = "\u2026"


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
        # Streamed so that only the start of the body is kept; it is still read to the end,
        # as requests reads it for Notify (an answer cut off or too slow fails the attempt).
        response = session.request(
            method="POST",
            url=url,
            data=body,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {bearer_token}"},
            timeout=timeout,
            stream=True,
        )
        try:
            kept = _read_start(response)
        finally:
            response.close()
    except requests.RequestException as error:
        return AttemptResult(None, describe_error(error, timeout), _elapsed_ms(started))
    except (ValueError, UnicodeError) as error:
        # A URL or header requests cannot encode: nothing was sent.
        return AttemptResult(None, f"cannot send: {type(error).__name__}", _elapsed_ms(started))
    excerpt = response_excerpt(kept, _charset(response.headers.get("Content-Type")), bearer_token)
    return AttemptResult(response.status_code, None, _elapsed_ms(started), excerpt)


def _read_start(response: requests.Response) -> bytes:
    """The body's first :data:`RESPONSE_READ_BYTES` (the rest is read and dropped)."""
    kept = bytearray()
    for chunk in response.iter_content(chunk_size=RESPONSE_READ_BYTES):
        if len(kept) < RESPONSE_READ_BYTES:
            kept += chunk[: RESPONSE_READ_BYTES - len(kept)]
    return bytes(kept)


def _charset(content_type: str | None) -> str:
    """The charset the answer names, if Python knows it; else UTF-8 (not requests' Latin-1
    default for text/*: local apps answer in UTF-8)."""
    if content_type:
        message = Message()
        message["Content-Type"] = content_type
        charset = message.get_content_charset()
        if charset:
            try:
                return codecs.lookup(charset).name
            except LookupError:
                pass
    return "utf-8"


def response_excerpt(body: bytes, charset: str, bearer_token: str) -> str:
    """The start of an answer's body as one safe line of text.

    Decoded (undecodable bytes become U+FFFD), the bearer token replaced wherever the answer
    repeats it (and any start of it cut from the end), control and other unprintable
    characters escaped (``\\n``, ``\\x00``, ``\\x1b``), at most
    :data:`RESPONSE_EXCERPT_CHARACTERS` characters and then an ellipsis.
    """
    text = body.decode(charset, errors="replace")
    if bearer_token:
        text = text.replace(bearer_token, HIDDEN_TOKEN)
    text = "".join(_printable(character) for character in text)
    cut = len(text) > RESPONSE_EXCERPT_CHARACTERS or len(body) >= RESPONSE_READ_BYTES
    text = text[:RESPONSE_EXCERPT_CHARACTERS]
    if cut and bearer_token:
        # The excerpt may end inside a repeated token that was not all read or kept.
        shortest = min(len(bearer_token), PARTIAL_TOKEN_CHARACTERS)
        for length in range(min(len(bearer_token), len(text)), shortest - 1, -1):
            if text.endswith(bearer_token[:length]):
                text = text[:-length]
                break
    return text + ELLIPSIS if cut else text


def _printable(character: str) -> str:
    if character.isprintable():
        return character
    return character.encode("unicode_escape").decode("ascii")


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
