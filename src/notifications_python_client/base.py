"""The sync transport: sends requests with ``requests`` and sleeps between retries.

A request takes the official client's steps (``request`` → ``_create_request_objects`` →
``_perform_request`` → ``_process_json_response``), so code that overrides or mocks any of
them keeps working; the retry loop is inside ``request``. Tokens, headers, which error an
answer becomes and the retry decision are in ``_core``. One client may be shared by many
threads: the session's connection pool and the token cache are both thread-safe.
"""

from __future__ import annotations

import json
import logging
import os
import ssl
import time
import urllib.request
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import requests
import urllib3.exceptions

# ``__version__``, ``HTTPError`` and ``InvalidResponse`` are names of the official client's
# ``base`` module, which code written for it imports from here.
from notifications_python_client import __version__ as __version__
from notifications_python_client._configured import ConfiguredClient
from notifications_python_client._constants import DEFAULT_BASE_URL, DEFAULT_TIMEOUT
from notifications_python_client._core import (
    ClientCore,
    PreparedRequest,
    RetryPolicy,
    Timeout,
    error_for_response,
    joined_url,
    json_default,
    log_finished,
    origin_of,
    resolve_retry_policy,
    serialise_json,
)
from notifications_python_client.authentication import create_jwt_token
from notifications_python_client.errors import (
    APIError,
    ConnectError,
    InvalidURLError,
    NetworkError,
    ResponseNotReceivedError,
    ResponseTimeoutError,
)
from notifications_python_client.errors import HTTPError as HTTPError
from notifications_python_client.errors import InvalidResponse as InvalidResponse

__all__ = ["BaseAPIClient"]

#: The sync client's logger, named as in the official client.
logger = logging.getLogger(__name__)

T = TypeVar("T")

# urllib3 failures that happen while connecting, before any byte of the request is sent.
# A TLS error is not among them: it can also happen while the answer is read, after the
# request went out (see ``_tls_failed_while_connecting``).
_CONNECT_FAILURES = (
    urllib3.exceptions.NewConnectionError,  # refused, unreachable, DNS (NameResolutionError)
    urllib3.exceptions.ConnectTimeoutError,
    urllib3.exceptions.ProxyError,
)

# Functions that only run while a connection is being made: urllib3's pool checks a new
# connection (``_validate_conn``), which connects it (``connect``: TCP, any proxy tunnel and
# the TLS handshake). No byte of the request has been sent while one of them is running.
_CONNECTING_FUNCTIONS = frozenset({"_validate_conn", "connect", "do_handshake"})


# The URL could not be used at all, so nothing was sent.
_UNUSABLE_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


def _attempt(method: str, url: str) -> PreparedRequest:
    # What the logs and the retry decision read of an attempt: its method and URL.
    return PreparedRequest(method.upper(), url, headers={})


def _is_inherited(bound: Callable[..., Any], base_function: Callable[..., Any]) -> bool:
    """Whether a bound method is ``base_function`` itself (not overridden, patched or mocked)."""
    return getattr(bound, "__func__", None) is base_function


def _mint_token(secret: str, service_id: str) -> str:
    # ``create_jwt_token`` is looked up in this module when a token is made, not bound once:
    # code written for the official client (its own tests among it) replaces token minting
    # with ``mock.patch("notifications_python_client.base.create_jwt_token")``.
    return create_jwt_token(secret, service_id)


def translate_requests_error(
    error: requests.RequestException, origin: str | None = None
) -> NetworkError:
    """The one place where ``requests``' exceptions become ours; ``origin`` is where it went."""
    if isinstance(error, _UNUSABLE_URL):
        return InvalidURLError(origin=origin)
    if isinstance(error, requests.ConnectTimeout):
        return ConnectError(origin=origin)
    if isinstance(error, requests.Timeout):
        return ResponseTimeoutError(origin=origin)
    if isinstance(error, requests.ConnectionError):
        reason = error.args[0] if error.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, _CONNECT_FAILURES):
            return ConnectError(origin=origin)
        if isinstance(reason, urllib3.exceptions.SSLError) and _tls_failed_while_connecting(reason):
            return ConnectError(origin=origin)
    # Anything else (a dropped connection, a body cut short) may have happened after Notify got
    # the request, so its outcome is unknown.
    return ResponseNotReceivedError(origin=origin)


def _tls_failed_while_connecting(error: urllib3.exceptions.SSLError) -> bool:
    """Whether a TLS error happened while connecting, before the request was sent.

    urllib3 raises the same ``SSLError`` for a failed handshake and for a TLS record that
    cannot be read in the answer, after the whole request went out. A certificate that
    could not be verified is always a handshake failure; otherwise the tracebacks of the
    error and of the ``ssl`` error it wraps say where it was raised. When that cannot be
    told, the request counts as sent: it is the reading that never sends a message twice.
    """
    pending: list[BaseException] = [error]
    seen: set[int] = set()
    while pending and len(seen) < 8:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.CertificateError):
            return True
        traceback = current.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_name in _CONNECTING_FUNCTIONS:
                return True
            traceback = traceback.tb_next
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.extend(
            linked for linked in (current.__cause__, current.__context__) if linked is not None
        )
    return False


def _session_reading_the_environment_once() -> requests.Session:
    """A session that reads its environment settings now rather than on every request.

    With ``trust_env`` on, requests scans every environment variable for proxy settings and
    reads ``~/.netrc`` on each request: a fifth of a send's CPU. Where no proxy is
    configured, the only other setting it reads is the CA bundle, so that is taken once here
    and the scan is switched off. With a proxy configured, requests keeps full control
    (``no_proxy`` matching is per URL). A ``.netrc`` never applies: the client sends its
    own ``Authorization`` header, which a ``.netrc`` entry would otherwise replace.
    """
    session = requests.Session()
    if not urllib.request.getproxies():
        session.trust_env = False
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    return session


class BaseAPIClient(ConfiguredClient):
    """A GOV.UK Notify API client over ``requests``: the transport under ``NotificationsAPIClient``.

    :param api_key: ``{key name}-{service id}-{secret}``
    :param base_url: the API root
    :param timeout: seconds to wait for a connection and for each read, a ``(connect, read)``
        tuple of them, or ``None`` to wait for ever: passed to requests as it is
    :param max_retries: how many times a request may be retried when that is safe (0: never)
    :param retry_policy: a full ``RetryPolicy`` instead of ``max_retries``
    :param session: a ``requests.Session`` to send with (for proxies, client certificates,
        mounted adapters or a shared pool), used as it is; the client then never closes it.
        Without one, the client makes its own and closes it in ``close()``.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: Timeout = DEFAULT_TIMEOUT,
        *,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key,
            base_url,
            timeout,
            resolve_retry_policy(max_retries, retry_policy),
            mint_token=_mint_token,
            log=logger,
        )
        self._publish_configuration()
        if session is not None and not isinstance(session, requests.Session):
            raise TypeError(f"session must be a requests.Session, not {type(session).__name__}")
        self._start_transport(session)

    # --- copying (see ``ConfiguredClient``): a copy gets its own session, and so its own
    # connection pool, unless one was passed in ---

    _TRANSPORT_ATTRIBUTES = frozenset({"request_session", "_owns_session"})

    def _session_passed_in(self) -> requests.Session | None:
        return None if self._owns_session else self.request_session

    def _start_transport(self, session: requests.Session | None) -> None:
        self._owns_session = session is None
        self.request_session = session or _session_reading_the_environment_once()

    # --- the official client's generic requests ---
    #
    # Every method of ``NotificationsAPIClient`` goes through these, called as the official
    # client calls them, so code that mocks or overrides ``get``, ``post`` or ``request`` (or
    # the steps below them) sees every call.

    def generate_headers(self, api_token: str) -> dict[str, str]:
        """The headers sent with every request, for a given token."""
        return self._core.headers(api_token)

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", url, params=params)

    def post(self, url: str, data: Any) -> Any:
        return self.request("POST", url, data=data)

    def put(self, url: str, data: Any) -> Any:
        return self.request("PUT", url, data=data)

    def delete(self, url: str, data: Any = None) -> Any:
        return self.request("DELETE", url, data=data)

    def request(
        self, method: str, url: str, data: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Send a request to ``url`` (joined to the base URL) and return its decoded JSON.

        ``data`` is sent as the JSON body and ``params`` as the query string. A failed attempt
        is sent again when the retry policy says that is safe.
        """
        return self._with_retries(method, url, data, params, self._process_json_response)

    # --- the official client's steps of a request ---

    def _create_request_objects(
        self, url: str, data: Any, params: dict[str, Any] | None
    ) -> tuple[str, dict[str, Any]]:
        """The full URL and the keyword arguments of ``requests`` for one attempt."""
        kwargs: dict[str, Any] = {"headers": self._headers(), "timeout": self._core.timeout}
        if data is not None:
            kwargs["data"] = self._serialize_data(data)
        if params is not None:
            kwargs["params"] = params
        return joined_url(str(self.base_url), str(url)), kwargs

    def _serialize_data(self, data: Any) -> str:
        """The JSON text of a body; ``_extended_json_encoder`` turns what JSON lacks (sets)."""
        if _is_inherited(self._extended_json_encoder, BaseAPIClient._extended_json_encoder):
            return serialise_json(data)
        return json.dumps(data, default=self._extended_json_encoder)

    def _extended_json_encoder(self, obj: Any) -> Any:
        """Sets are sent as lists; anything else JSON cannot hold is a ``TypeError``."""
        return json_default(obj)

    def _perform_request(self, method: str, url: str, kwargs: dict[str, Any]) -> requests.Response:
        """Send one attempt; its response if the status is 2xx, else the matching ``HTTPError``."""
        started = time.monotonic()
        status: int | None = None
        try:
            try:
                response = self.request_session.request(method, url, **kwargs)
            except requests.RequestException as error:
                raise translate_requests_error(error, origin_of(url)) from error
            status = response.status_code
            if not 200 <= status < 300:
                try:
                    # Its HTTPError (for a 4xx or 5xx) becomes the cause, as in the official client.
                    response.raise_for_status()
                except requests.HTTPError as error:
                    raise error_for_response(response) from error
                raise error_for_response(response)
            return response
        finally:
            log_finished(_attempt(method, url), status, time.monotonic() - started, logger)

    def _process_json_response(self, response: requests.Response) -> Any:
        """The decoded JSON of a 2xx response (``None`` for a 204)."""
        if response.status_code == 204:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise InvalidResponse(
                response, message="No JSON response object could be decoded"
            ) from error

    # --- sending ---

    def _headers(self) -> dict[str, str]:
        # A token is reused for seconds and so are its headers, unless ``generate_headers`` is
        # overridden (or mocked): then it is asked each time.
        if _is_inherited(self.generate_headers, BaseAPIClient.generate_headers):
            return self._core.current_headers()
        return self.generate_headers(self._core.tokens.token())

    def _with_retries(
        self,
        method: str,
        url: str,
        data: Any,
        params: dict[str, Any] | None,
        read: Callable[[requests.Response], T],
    ) -> T:
        """Send until an attempt succeeds or the retry policy says stop; ``read`` its answer.

        The request objects are made anew for each attempt, so each carries a current token.
        """
        attempt = 0
        while True:
            full_url, kwargs = self._create_request_objects(url, data, params)
            try:
                return read(self._perform_request(method, full_url, kwargs))
            except APIError as error:
                delay = self._core.delay_before_retry(_attempt(method, full_url), attempt, error)
                if delay is None:
                    raise
            time.sleep(delay)
            attempt += 1

    # --- lifetime ---

    def close(self) -> None:
        """Close the connections of the session the client made; one passed in stays open."""
        if self._owns_session:
            self.request_session.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
