"""The sans-I/O core shared by the sync and async clients.

Everything that does not touch the network lives here, once: parsing the API key, minting and
reusing tokens, turning a ``Request`` into method, URL, headers and body, decoding answers
(``errors`` says which exception an error answer becomes), deciding whether and when to retry,
and following pages.
The transports (``base.py`` over requests, ``aio.py`` over aiohttp) only send and sleep.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import math
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, cast

from notifications_python_client import __version__
from notifications_python_client._constants import (
    DEFAULT_INITIAL_BACKOFF_SECONDS,
    DEFAULT_MAX_BACKOFF_SECONDS,
    DEFAULT_MAX_RETRIES,
    LOGGER_NAME,
    TOKEN_REUSE_SECONDS,
    USER_AGENT_PREFIX,
    UUID_TEXT_LENGTH,
)
from notifications_python_client.authentication import create_jwt_token
from notifications_python_client.errors import (
    APIError,
    ClientConfigError,
    ConnectError,
    HTTPError,
    InvalidResponse,
    InvalidURLError,
    NetworkError,
    RateLimitError,
    ServerError,
    error_class_for_status,
)

logger = logging.getLogger(LOGGER_NAME)

T = TypeVar("T")
ItemT = TypeVar("ItemT")

_UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

# --- API keys ---


@dataclass(frozen=True)
class ApiKey:
    """An API key split into its parts (notify-api.md §2.1). ``repr`` hides the secret."""

    key_name: str
    service_id: str
    secret: str = field(repr=False)


def parse_api_key(api_key: str) -> ApiKey:
    """Split ``{key name}-{service id}-{secret}`` by position: the name may contain hyphens.

    :raises TypeError: if ``api_key`` is not a string
    :raises ClientConfigError: if the service id or the secret is not a UUID; the message never
        quotes the key
    """
    if not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, not {type(api_key).__name__}")
    try:
        return _parse_api_key(api_key)
    except ClientConfigError as error:
        if api_key == api_key.rstrip():
            raise
        # The official client reads the key's parts from its end and does not strip it
        # either; the message stays the one it gives, the explanation says what is wrong.
        raise ClientConfigError(
            str(error),
            "The API key ends with whitespace (a space or a line break, perhaps from the file "
            "or the variable it was read from); remove it.",
        ) from None


def _parse_api_key(api_key: str) -> ApiKey:
    secret = api_key[-UUID_TEXT_LENGTH:]
    service_end = -(UUID_TEXT_LENGTH + 1)
    service_id = api_key[service_end - UUID_TEXT_LENGTH : service_end]
    separator = api_key[service_end : service_end + 1]
    if not _UUID_PATTERN.fullmatch(service_id) or separator != "-":
        raise ClientConfigError(
            "Missing service ID",
            "An API key is '{key name}-{service id}-{secret}', "
            "where the service id and the secret are both 36-character UUIDs.",
        )
    if not _UUID_PATTERN.fullmatch(secret):
        raise ClientConfigError(
            "Missing API key", "An API key ends with its secret, a 36-character UUID."
        )
    key_name = api_key[: service_end - UUID_TEXT_LENGTH]
    if key_name and not key_name.endswith("-"):
        raise ClientConfigError(
            "Malformed API key: a key name must be followed by '-' and the service id"
        )
    return ApiKey(key_name=key_name[:-1], service_id=service_id, secret=secret)


def validate_base_url(base_url: str) -> str:
    """Check the API root is a non-empty string.

    Anything else is taken as given, as the official client takes it (code written for it
    sets placeholder URLs in tests); a URL that cannot be used fails when a request is made,
    with :class:`~notifications_python_client.errors.InvalidURLError`, and nothing is sent.
    """
    if not base_url:
        raise ClientConfigError("Missing base url")
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    return base_url


def validate_key_part(value: str, what: str, missing: str) -> str:
    """A service id or secret assigned after construction: any non-empty string.

    Taken as given, as the official client takes what is assigned to its attributes; a wrong
    one makes Notify refuse the token.
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value:
        raise ClientConfigError(missing)
    return value


#: A timeout as ``requests`` takes it, and the official client passes it on: seconds for the
#: connection and for each read, ``(connect, read)`` to set them apart, ``None`` for none.
Timeout = float | tuple[float | None, float | None] | None


def _check_seconds(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{what} must be a number of seconds or None, not {type(value).__name__}")
    # NaN and infinity pass "> 0" but urllib3 fails on them at the first request: None is
    # how to ask for no limit.
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds (None for no limit)")


def validate_timeout(timeout: Timeout) -> Timeout:
    """A positive number of seconds, a ``(connect, read)`` tuple of them, or ``None``.

    ``None``, alone or in the tuple, means no limit, as with ``requests``.
    """
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise TypeError("a timeout tuple must be (connect, read)")
        for part, what in zip(timeout, ("connect timeout", "read timeout"), strict=True):
            if part is not None:
                _check_seconds(part, what)
        return timeout
    _check_seconds(timeout, "timeout")
    return timeout


def connect_and_read_timeouts(timeout: Timeout) -> tuple[float | None, float | None]:
    """The connect and read limits a timeout sets (``None``: no limit)."""
    if isinstance(timeout, tuple):
        return timeout
    return (timeout, timeout)


# --- Tokens ---


#: Signs a token: ``mint(secret, service_id)``, with ``create_jwt_token``'s signature.
TokenMinter = Callable[[str, str], str]


class TokenSource:
    """Mints tokens with ``mint``, reusing each for a few seconds; safe to share between threads."""

    def __init__(
        self,
        key: ApiKey,
        reuse_seconds: int = TOKEN_REUSE_SECONDS,
        mint: TokenMinter = create_jwt_token,
    ) -> None:
        self._key = key
        self._reuse_seconds = reuse_seconds
        self._mint = mint
        self._lock = threading.Lock()
        #: (token, the whole second it was minted in), replaced as one value so that a
        #: reader needs no lock.
        self._current: tuple[str, int] | None = None

    def token(self) -> str:
        # Whole seconds since the epoch, as ``epoch_seconds()`` (and a token's ``iat``) count
        # them, without its calendar arithmetic on every request.
        now = int(time.time())
        current = self._current
        if current is not None and 0 <= now - current[1] < self._reuse_seconds:
            return current[0]
        with self._lock:
            # Another thread may have minted one while this one waited.
            current = self._current
            if current is None or not 0 <= now - current[1] < self._reuse_seconds:
                current = (self._mint(self._key.secret, self._key.service_id), now)
                self._current = current
            return current[0]

    # A copy or a pickle gets its own lock and mints its own first token.

    def __getstate__(self) -> dict[str, Any]:
        return {"_key": self._key, "_reuse_seconds": self._reuse_seconds, "_mint": self._mint}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._current = None

    def __repr__(self) -> str:
        return f"TokenSource(service_id={self._key.service_id!r})"


# --- Requests and responses ---

ResponseKind = Literal["json", "bytes"]


@dataclass(frozen=True)
class Request(Generic[T]):
    """What one client method asks of Notify; ``T`` is what it returns.

    ``path`` is joined to the base URL as the official client does (``urljoin``); ``json`` is the
    body (``None``: no body); ``params`` become the query string, a list value repeating its key.
    """

    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    kind: ResponseKind = "json"


@dataclass(frozen=True)
class PreparedRequest:
    """A request ready to send: what a transport puts on the wire."""

    method: str
    url: str
    headers: dict[str, str] = field(repr=False)
    body: bytes | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        """The URL's path, which logs show (the query may hold references, so it is left out)."""
        return urllib.parse.urlsplit(self.url).path


@dataclass(frozen=True)
class Response:
    """An HTTP answer, independent of the library that received it.

    It offers the parts of ``requests.Response`` that error handlers use: ``status_code``,
    ``headers``, ``content``, ``text`` and ``json()``.
    """

    status_code: int
    headers: Mapping[str, str] = field(repr=False)
    content: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


def json_default(value: object) -> Any:
    """What JSON lacks, as the official client sends it: a set (e.g. of statuses) is a list."""
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# ``json.dumps(data, default=...)`` builds a new encoder on every call; this one is built
# once and gives the same text (an encoder keeps no state between calls).
_ENCODER = json.JSONEncoder(default=json_default)


def serialise_json(data: Any) -> str:
    """The JSON text of a request body, sets turned into lists (``json.dumps``' text)."""
    return _ENCODER.encode(data)


def serialise_body(data: Any) -> bytes:
    """The JSON body of a request, sets turned into lists."""
    return serialise_json(data).encode("utf-8")


@functools.lru_cache(maxsize=256)
def joined_url(base_url: str, path: str) -> str:
    """``path`` joined to the base URL as the official client joins them (``urljoin``)."""
    # Sends use a handful of fixed paths; joining them anew costs more than the lookup.
    return urllib.parse.urljoin(base_url, path)


def build_url(base_url: str, path: str, params: Mapping[str, Any] | None) -> str:
    """Join ``path`` to the base URL and add the query; ``None`` values are left out."""
    url = joined_url(base_url, path)
    if not params:
        return url
    pairs = {name: value for name, value in params.items() if value is not None}
    if not pairs:
        return url
    query = urllib.parse.urlencode(pairs, doseq=True)
    return f"{url}{'&' if '?' in url else '?'}{query}"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, leaving out credentials, path and query.

    What an error may say about where a request went: the rest of a URL can hold a
    reference, and a base URL can hold a password.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if not parts.scheme or not host:
        return None
    return f"{parts.scheme}://{host}"


def _is_success(status_code: int) -> bool:
    return 200 <= status_code < 300


def _safe_json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def error_for_response(response: Any) -> HTTPError:
    """The ``HTTPError`` an error answer becomes; ``response`` is kept on it as given.

    ``response`` is anything with ``status_code`` and ``json()``: a ``requests.Response`` from
    the sync client (so code written for the official client finds one there), a ``Response``
    from the async one.
    """
    return error_class_for_status(response.status_code, _safe_json(response))(response)


def decode_response(request: Request[T], response: Response) -> T:
    """The value a method returns for ``response``, or the error it raises."""
    if not _is_success(response.status_code):
        raise error_for_response(response)
    if request.kind == "bytes":
        return cast(T, io.BytesIO(response.content))
    if response.status_code == 204:
        return cast(T, None)
    try:
        return cast(T, response.json())
    except ValueError as error:
        raise InvalidResponse(
            response, message="No JSON response object could be decoded"
        ) from error


# --- Retries ---

#: Methods whose repetition cannot create a second notification.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """When a failed request is sent again, and after how long.

    Retried: any request refused by the per-minute rate limit (``RateLimitError``, nothing was
    sent), any request whose connection failed before it was sent (``ConnectError``), and GETs
    that failed on the network, timed out or got a 5xx. Never retried: the daily limit
    (``TooManyRequestsError``), and a POST whose outcome is unknown (timeout, dropped connection,
    5xx), because Notify has no idempotency keys and a second POST could send a second message.

    Waits use exponential backoff with full jitter: a random time up to
    ``min(max_backoff, initial_backoff * 2 ** attempt)``.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_backoff: float = DEFAULT_INITIAL_BACKOFF_SECONDS
    max_backoff: float = DEFAULT_MAX_BACKOFF_SECONDS

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError("max_retries must be an int")
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("backoff times must not be negative")

    def is_retryable(self, method: str, error: APIError) -> bool:
        """Whether sending the request again is safe and may help."""
        if isinstance(error, InvalidURLError):
            return False  # it would fail the same way
        if isinstance(error, (RateLimitError, ConnectError)):
            return True
        if method.upper() in IDEMPOTENT_METHODS:
            return isinstance(error, (NetworkError, ServerError))
        return False

    def backoff(self, attempt: int, uniform: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (full jitter)."""
        ceiling = min(self.max_backoff, self.initial_backoff * (2**attempt))
        return float(uniform() * ceiling)

    def delay_before_retry(
        self,
        method: str,
        attempt: int,
        error: APIError,
        uniform: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before sending again, or ``None`` to raise ``error`` now.

        ``attempt`` counts the retries already made (0 after the first failure).
        """
        if attempt >= self.max_retries or not self.is_retryable(method, error):
            return None
        return self.backoff(attempt, uniform)


def resolve_retry_policy(max_retries: int | None, retry_policy: RetryPolicy | None) -> RetryPolicy:
    """The policy a constructor's ``max_retries`` / ``retry_policy`` arguments ask for."""
    if retry_policy is not None:
        if max_retries is not None:
            raise TypeError("give either max_retries or retry_policy, not both")
        if not isinstance(retry_policy, RetryPolicy):
            raise TypeError("retry_policy must be a RetryPolicy")
        return retry_policy
    return RetryPolicy(max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries)


# --- The shared client state ---


class ClientCore:
    """Configuration, token and request preparation shared by a client's methods and threads."""

    def __init__(
        self,
        api_key: str,
        base_url: str,
        timeout: Timeout,
        retry_policy: RetryPolicy,
        mint_token: TokenMinter = create_jwt_token,
        log: logging.Logger = logger,
    ) -> None:
        # The base URL is checked first, as in the official client.
        self.base_url = validate_base_url(base_url)
        self.key = parse_api_key(api_key)
        self.timeout = validate_timeout(timeout)
        self.retry_policy = retry_policy
        self._mint_token = mint_token
        self.tokens = TokenSource(self.key, mint=mint_token)
        #: Where this client's retries and failures are logged (its transport module's logger).
        self.log = log
        self._headers_for: tuple[str, dict[str, str]] | None = None
        # Taken by rekey(): two threads assigning service_id and api_key at once would each
        # build the new key from the old one, and the second would undo the first.
        self._rekey_lock = threading.Lock()

    @property
    def service_id(self) -> str:
        return self.key.service_id

    def rekey(self, *, service_id: str | None = None, secret: str | None = None) -> None:
        """Sign later tokens with a new service id or secret (the attributes were assigned).

        The reused token and its headers are dropped with the old key; a request another
        thread is preparing may still carry the old token.
        """
        with self._rekey_lock:
            key = ApiKey(
                key_name=self.key.key_name,
                service_id=self.key.service_id if service_id is None else service_id,
                secret=self.key.secret if secret is None else secret,
            )
            self.key = key
            self.tokens = TokenSource(key, mint=self._mint_token)
            self._headers_for = None

    def headers(self, token: str) -> dict[str, str]:
        """The official client's headers (it sends ``Content-type`` on every request)."""
        return {
            "Content-type": "application/json",
            "Authorization": f"Bearer {token}",
            "User-agent": f"{USER_AGENT_PREFIX}{__version__}",
        }

    def prepare(self, request: Request[Any]) -> PreparedRequest:
        """Method, URL, headers (with a current token) and body for one attempt."""
        body = None if request.json is None else serialise_body(request.json)
        return PreparedRequest(
            method=request.method.upper(),
            url=build_url(self.base_url, request.path, request.params),
            headers=self.current_headers(),
            body=body,
        )

    def current_headers(self) -> dict[str, str]:
        """The headers of ``headers()`` with a current token."""
        # A token is reused for seconds, so its headers are too; each request gets its own
        # copy, in case a transport or an event hook changes them.
        token = self.tokens.token()
        cached = self._headers_for
        if cached is None or cached[0] != token:
            cached = (token, self.headers(token))
            self._headers_for = cached
        return dict(cached[1])

    def delay_before_retry(
        self, prepared: PreparedRequest, attempt: int, error: APIError
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to raise; logs either way."""
        delay = self.retry_policy.delay_before_retry(prepared.method, attempt, error)
        if delay is None:
            log_failure(prepared, error, self.log)
        else:
            self.log.info(
                "Retrying API %s request on %s in %.2fs after %s (retry %d of %d)",
                prepared.method,
                prepared.path,
                delay,
                describe_for_log(error),
                attempt + 1,
                self.retry_policy.max_retries,
            )
        return delay

    # Copied and pickled with its configuration only: a copy mints its own tokens, under a
    # lock of its own, and shares nothing that changes (``copy.copy`` is a full copy).

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["tokens"], state["_rekey_lock"]
        state["_headers_for"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.tokens = TokenSource(self.key, mint=self._mint_token)
        self._rekey_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClientCore(base_url={self.base_url!r}, service_id={self.service_id!r})"


# --- Logging (never a key, token, personalisation value or error message text) ---


def describe_for_log(error: APIError) -> str:
    """Class, status and Notify error names: Notify's messages can echo submitted values."""
    names = ", ".join(error.error_types)
    return f"{type(error).__name__} {error.status_code}" + (f" [{names}]" if names else "")


def log_finished(
    prepared: PreparedRequest, status: int | None, elapsed: float, log: logging.Logger = logger
) -> None:
    # Checked first: working out the path for the message costs more than the call itself,
    # on every request, when debug logging is off.
    if not log.isEnabledFor(logging.DEBUG):
        return
    log.debug(
        "API %s request on %s finished in %.3fs with status %s",
        prepared.method,
        prepared.path,
        elapsed,
        status if status is not None else "none",
    )


def log_failure(prepared: PreparedRequest, error: APIError, log: logging.Logger = logger) -> None:
    log.warning(
        "API %s request on %s failed with %s",
        prepared.method,
        prepared.path,
        describe_for_log(error),
    )


# --- Paging ---


def older_than_from_link(link: str | None) -> str | None:
    """The ``older_than`` query parameter of a ``links.next`` URL, if there is one."""
    if not link:
        return None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    values = query.get("older_than")
    return values[0] if values else None


class Pager(Generic[ItemT]):
    """Walks a paged list (notifications, received texts) one page at a time.

    The shell fetches the page that starts ``older_than`` (``None``: the newest) through its
    public page method, as the official client does, and hands it to ``receive``, which
    returns the page's items, until ``exhausted``. It stops on an empty page or one with no
    ``links.next`` (Notify always links onward from a non-empty page, notify-api.md §5.7).
    """

    def __init__(self, items_key: str, older_than: str | None = None) -> None:
        self._items_key = items_key
        self._older_than = older_than
        self._done = False

    @property
    def exhausted(self) -> bool:
        """Whether the last page has been received."""
        return self._done

    @property
    def older_than(self) -> str | None:
        """Where the next page starts: the ``older_than`` to fetch it with."""
        return self._older_than

    def receive(self, page: Mapping[str, Any]) -> list[ItemT]:
        """Take a page's answer; return its items and remember where the next page starts."""
        items = cast(list[ItemT], page.get(self._items_key) or [])
        links = page.get("links") or {}
        next_older_than = older_than_from_link(links.get("next")) if items else None
        # A link pointing back at the page just read would loop forever.
        if next_older_than is None or next_older_than == self._older_than:
            self._done = True
        else:
            self._older_than = next_older_than
        return items
