"""The client's exceptions.

The names the official client defines keep their meaning, so code written for it catches the same
failures; the subclasses below ``HTTPError`` say which failure it was::

    Exception
    ├── ClientConfigError (also a ValueError and an AssertionError)  bad API key or base URL
    ├── TokenError                                   a JWT could not be verified
    │   ├── TokenExpiredError                        iat outside the 30-second window
    │   ├── TokenAlgorithmError                      not HS256
    │   └── TokenDecodeError                         not a JWT, or a bad signature
    │       ├── TokenIssuerError                     no iss claim
    │       └── TokenIssuedAtError                   no iat claim
    └── APIError                                     a request did not give a usable answer
        ├── InvalidResponse                          a 2xx answer that is not JSON
        └── HTTPError                                any failed request (status_code, message)
            ├── BadRequestError                      400 (and 403 BadRequestError, e.g. letters)
            │   ├── ValidationError                  400 ValidationError
            │   └── PDFNotReadyError                 400 PDFNotReadyError: poll again later
            ├── AuthError                            401 and 403 AuthError
            ├── NotFoundError                        404
            ├── RateLimitError                       429 RateLimitError: per-minute, safe to retry
            ├── TooManyRequestsError                 429 TooManyRequestsError: daily limit
            ├── ServerError                          5xx
            │   └── ServiceUnavailableError          503 (also an HTTP503Error)
            └── HTTP503Error                         503, or no answer at all
                ├── ServiceUnavailableError
                └── NetworkError                     no HTTP answer: status 503, "Request failed"
                    ├── ConnectError                 could not connect; nothing was sent
                    ├── InvalidURLError              the base URL is unusable; nothing was sent
                    └── ResponseNotReceivedError     sent (maybe): the outcome is unknown
                        └── ResponseTimeoutError     no answer within the timeout

``message`` is, as in the official client, the body's ``message`` when it has one (non-v2
shapes) or else its ``errors`` list; ``errors`` is always that list and ``error_types`` the
``error`` names in it. Exceptions from ``requests`` and ``aiohttp`` are translated into
``NetworkError`` at one place in each transport and chained as ``__cause__``.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Protocol, cast

from notifications_python_client._constants import (
    REQUEST_ERROR_MESSAGE,
    REQUEST_ERROR_STATUS_CODE,
)
from notifications_python_client.types import ErrorEntry

__all__ = [
    "REQUEST_ERROR_MESSAGE",
    "REQUEST_ERROR_STATUS_CODE",
    "TOKEN_ERROR_DEFAULT_ERROR_MESSAGE",
    "TOKEN_ERROR_GUIDANCE",
    "APIError",
    "AuthError",
    "BadRequestError",
    "ClientConfigError",
    "ConnectError",
    "HTTP503Error",
    "HTTPError",
    "InvalidResponse",
    "InvalidURLError",
    "NetworkError",
    "NotFoundError",
    "PDFNotReadyError",
    "RateLimitError",
    "ResponseNotReceivedError",
    "ResponseTimeoutError",
    "ServerError",
    "ServiceUnavailableError",
    "TokenAlgorithmError",
    "TokenDecodeError",
    "TokenError",
    "TokenExpiredError",
    "TokenIssuedAtError",
    "TokenIssuerError",
    "TooManyRequestsError",
    "ValidationError",
]

TOKEN_ERROR_GUIDANCE = (
    "See our requirements for JSON Web Tokens at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
TOKEN_ERROR_DEFAULT_ERROR_MESSAGE = "Invalid token: " + TOKEN_ERROR_GUIDANCE


def _add_note(error: BaseException, note: str) -> None:
    """Attach ``note`` to ``error`` (PEP 678).

    Where the official client's exception text is part of what code written for it relies on,
    that text stays the message and the detail goes into a note: tracebacks print notes under
    the message (Python 3.11+), and ``__notes__`` holds them on every version.
    """
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        # Python 3.10 has no add_note; the attribute is what 3.11 reads.
        error.__notes__ = [*getattr(error, "__notes__", []), note]  # type: ignore[attr-defined]


class ClientConfigError(ValueError, AssertionError):
    """The client was given a malformed API key or base URL.

    It is also an ``AssertionError`` because the official client reported these cases through
    ``assert`` (messages ``Missing service ID``, ``Missing API key``, ``Missing base url``) and code
    written for it may catch that. Those messages are kept word for word; ``explanation``, when
    given, says more (for a command line, say) and is also added as a note, which tracebacks
    print. Neither ever contains the key.
    """

    def __init__(self, message: str, explanation: str | None = None) -> None:
        super().__init__(message)
        self.explanation = explanation
        if explanation:
            _add_note(self, explanation)


# --- Token errors (raised when verifying a JWT, e.g. by a server built on this package) ---


class TokenError(Exception):
    """A JWT failed verification; ``message`` explains why, ``token`` holds its claims if known."""

    def __init__(self, message: str | None = None, token: Any = None) -> None:
        self.message = (
            f"{message}. {TOKEN_ERROR_GUIDANCE}" if message else TOKEN_ERROR_DEFAULT_ERROR_MESSAGE
        )
        self.token = token
        super().__init__(self.message)


class TokenExpiredError(TokenError):
    """The token's ``iat`` is more than 30 seconds from now, in either direction."""


class TokenAlgorithmError(TokenError):
    """The token is not signed with HS256."""

    def __init__(self) -> None:
        super().__init__("Invalid token: algorithm used is not HS256")


class TokenDecodeError(TokenError):
    """The token is not a JWT or its signature does not match."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "Invalid token: signature")


class TokenIssuerError(TokenDecodeError):
    """The token has no ``iss`` claim."""

    def __init__(self) -> None:
        super().__init__("Invalid token: iss field not provided")


class TokenIssuedAtError(TokenDecodeError):
    """The token has no ``iat`` claim."""

    def __init__(self) -> None:
        super().__init__("Invalid token: iat field not provided")


# --- API errors ---


class _ResponseLike(Protocol):
    """What the errors read from a response: ``requests.Response`` and our own both fit."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


def _json_body(response: Any) -> Any:
    if response is None:
        return None
    try:
        return cast(_ResponseLike, response).json()
    except (ValueError, TypeError, AttributeError, json.JSONDecodeError):
        return None


class APIError(Exception):
    """A request to Notify failed; the base of every error raised for a request.

    ``response`` is the HTTP response (``requests.Response`` from the sync client, an equivalent
    object with ``status_code``, ``headers``, ``content``, ``text`` and ``json()`` from the async
    one) or ``None`` when no answer was received.
    """

    def __init__(self, response: Any = None, message: str | None = None) -> None:
        self.response = response
        self._message = message
        self._body = _json_body(response)
        super().__init__(response, message)

    @property
    def status_code(self) -> int:
        """The HTTP status, or 503 when no response was received (as the official client)."""
        status = getattr(self.response, "status_code", None)
        return status if isinstance(status, int) else REQUEST_ERROR_STATUS_CODE

    @property
    def message(self) -> str | list[ErrorEntry] | None:
        """What the official client gives: a JSON object body's ``message`` if it has one, else
        its ``errors`` list (``None`` if it has neither); without a JSON object body, the
        message the error was made with, else ``Request failed``."""
        body = self._body
        if isinstance(body, dict):
            return cast("str | list[ErrorEntry] | None", body.get("message", body.get("errors")))
        return self._message or REQUEST_ERROR_MESSAGE

    @property
    def errors(self) -> list[ErrorEntry]:
        """The body's ``errors`` list of ``{"error": ..., "message": ...}`` (empty if none)."""
        body = self._body
        if isinstance(body, dict) and isinstance(body.get("errors"), list):
            return [cast(ErrorEntry, entry) for entry in body["errors"] if isinstance(entry, dict)]
        return []

    @property
    def error_types(self) -> list[str]:
        """The ``error`` names in ``errors``, e.g. ``["ValidationError"]``."""
        return [str(entry.get("error")) for entry in self.errors if "error" in entry]

    def _describe(self) -> str:
        entries = self.errors
        if entries:
            return "; ".join(
                f"{entry.get('error', 'Error')}: {entry.get('message', '')}" for entry in entries
            )
        message = self.message
        return str(message) if message is not None else self._message or REQUEST_ERROR_MESSAGE

    @property
    def description(self) -> str:
        """The failure in one line for people, e.g. ``400 BadRequestError: Template not found``.

        Each entry of ``errors`` reads ``error: message``; an answer without entries gives its
        ``message``. ``str()`` keeps the official client's ``400 - [{'error': ...}]`` form for
        code that compares it; this is what a command line, or a log meant for people, shows.
        """
        return f"{self.status_code} {self._describe()}"

    def __str__(self) -> str:
        # The official client's text, which code written for it may compare or parse: the
        # errors list appears as Python shows a list, e.g.
        # ``400 - [{'error': 'BadRequestError', 'message': 'Template not found'}]``.
        return f"{self.status_code} - {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class HTTPError(APIError):
    """Any failed request: a non-2xx answer or none at all."""

    @staticmethod
    def create(e: Any) -> HTTPError:
        """Build the right error for a ``requests.RequestException`` (official API)."""
        response = getattr(e, "response", None)
        if response is None:
            return NetworkError()
        body = _json_body(response)
        error_class = error_class_for_status(response.status_code, body)
        return error_class(response)


class HTTP503Error(HTTPError):
    """A 503, or a request that got no answer: the official client's signal to try again later."""


class BadRequestError(HTTPError):
    """Notify refused the request as it stands (400, or 403 for letters the key may not send)."""


class ValidationError(BadRequestError):
    """The request did not match Notify's schema; ``errors`` lists every problem."""


class PDFNotReadyError(BadRequestError):
    """The letter's PDF is not ready yet; ask again later."""


class AuthError(HTTPError):
    """401 or 403: the API key or token was not accepted."""


class NotFoundError(HTTPError):
    """404: no such notification, template or route."""


class RateLimitError(HTTPError):
    """429 RateLimitError: the per-minute limit was hit; nothing was sent, so it can be retried."""


class TooManyRequestsError(HTTPError):
    """429 TooManyRequestsError: the daily limit was hit; retrying today will not help."""


class ServerError(HTTPError):
    """5xx: Notify failed; a POST may or may not have been acted on."""


class ServiceUnavailableError(ServerError, HTTP503Error):
    """503 from the server."""


class NetworkError(HTTP503Error):
    """No HTTP answer was received.

    As in the official client, ``status_code`` is 503, ``message`` is ``Request failed`` and
    ``str()`` is ``503 - Request failed``. What happened is told by the subclass, by ``reason``
    (also added as a note, so tracebacks show it) and by the exception chained as ``__cause__``.
    """

    #: What happened, in words that never contain a URL or a secret.
    reason = "no response was received"

    def __init__(
        self, response: Any = None, message: str | None = None, *, origin: str | None = None
    ) -> None:
        super().__init__(response, message)
        #: Where the request was going, ``scheme://host[:port]`` (``None`` if unknown): never a
        #: path, a query or credentials. No status code can say which server did not answer.
        self.origin = origin
        _add_note(self, self.reason)

    @property
    def description(self) -> str:
        """Where and what, e.g. ``Request to https://... failed: could not connect; ...``.

        No status code: none was received, and the official client's 503 would read as if the
        server had answered.
        """
        where = f" to {self.origin}" if self.origin else ""
        return f"Request{where} failed: {self.reason}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, reason={self.reason!r})"


class ConnectError(NetworkError):
    """The connection could not be made (refused, DNS, TLS handshake, connect timeout): nothing
    was sent."""

    reason = "could not connect; the request was not sent"


class InvalidURLError(NetworkError):
    """The request's URL cannot be used (the base URL is not an http(s) URL): nothing was sent.

    Not retried: sending again would fail the same way.
    """

    reason = "the base URL is not a usable http:// or https:// URL; the request was not sent"


class ResponseNotReceivedError(NetworkError):
    """The request may have reached Notify but no answer came back (connection dropped, or a
    TLS error while the answer was read)."""

    reason = "the connection failed after the request was sent; its outcome is unknown"


class ResponseTimeoutError(ResponseNotReceivedError):
    """The request was sent but no answer came within the timeout."""

    reason = "no response within the timeout; the request's outcome is unknown"


class InvalidResponse(APIError):
    """A successful answer whose body could not be decoded as JSON."""


# --- Which error an answer becomes ---


def error_class_for_status(status_code: int, body: Any) -> type[HTTPError]:
    """Which ``HTTPError`` subclass an error answer becomes (notify-api.md §4, §12).

    ``body`` is the answer's decoded JSON, or ``None`` when it had none.
    """
    types = _error_types(body)
    if status_code == 429:
        # Both limits answer 429; only the per-minute one is worth retrying (notify-api.md §6).
        if "RateLimitError" in types:
            return RateLimitError
        if "TooManyRequestsError" in types:
            return TooManyRequestsError
        return HTTPError
    if status_code == 400:
        if "ValidationError" in types:
            return ValidationError
        if "PDFNotReadyError" in types:
            return PDFNotReadyError
        return BadRequestError
    if status_code in {401, 403}:
        # Letters a key may not send are refused with 403 BadRequestError, not an auth failure.
        if types and "AuthError" not in types:
            return BadRequestError
        return AuthError
    if status_code == 404:
        return NotFoundError
    if status_code == 503:
        return ServiceUnavailableError
    if status_code >= 500:
        return ServerError
    return HTTPError


def _error_types(body: Any) -> list[str]:
    if not isinstance(body, dict) or not isinstance(body.get("errors"), list):
        return []
    return [str(entry.get("error")) for entry in body["errors"] if isinstance(entry, dict)]
