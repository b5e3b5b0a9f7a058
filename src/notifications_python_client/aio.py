"""``AsyncNotificationsAPIClient``: the same calls as ``NotificationsAPIClient``, as coroutines.

Needs the ``async`` extra (aiohttp)::

    async with AsyncNotificationsAPIClient(api_key, base_url=..., timeout=30) as client:
        response = await client.send_sms_notification("07700900123", template_id)
        async for notification in client.get_all_notifications_iterator(status="failed"):
            ...

Requests, answers, errors, retries and paging come from ``_core`` and ``_endpoints``, shared with
the sync client; this module only sends with aiohttp and sleeps with asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import io
import logging
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from types import TracebackType
from typing import IO, Any, TypeVar, cast

try:
    import aiohttp
except ImportError as missing:
    raise ModuleNotFoundError(
        "notifications_python_client.aio needs aiohttp, which is not installed: install this "
        "client with its async extra (pip install '.[async]' in its source folder), or "
        "pip install aiohttp",
        name="aiohttp",
    ) from missing

from notifications_python_client import _endpoints
from notifications_python_client._configured import ConfiguredClient
from notifications_python_client._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_BULK_CONCURRENCY,
    DEFAULT_BULK_RATE_PER_MINUTE,
    DEFAULT_TIMEOUT,
)
from notifications_python_client._core import (
    ClientCore,
    Pager,
    PreparedRequest,
    Request,
    Response,
    RetryPolicy,
    Timeout,
    connect_and_read_timeouts,
    decode_response,
    log_finished,
    origin_of,
    resolve_retry_policy,
)
from notifications_python_client._endpoints import Personalisation, StatusFilter
from notifications_python_client.bulk import BulkNotification, BulkResult, run_bulk
from notifications_python_client.errors import (
    APIError,
    ConnectError,
    InvalidURLError,
    NetworkError,
    ResponseNotReceivedError,
    ResponseTimeoutError,
)
from notifications_python_client.types import (
    EmailNotificationResponse,
    LetterNotificationResponse,
    Notification,
    NotificationsPage,
    PrecompiledLetterResponse,
    ReceivedText,
    ReceivedTextsPage,
    ReturnedLettersReport,
    ReturnedLettersSummary,
    SmsNotificationResponse,
    Template,
    TemplatePreview,
    TemplatesResponse,
    TemplateVersions,
)

__all__ = ["AsyncNotificationsAPIClient"]

#: The async client's logger (below "notifications_python_client", as the sync client's is).
logger = logging.getLogger(__name__)

T = TypeVar("T")
ClientT = TypeVar("ClientT", bound="AsyncNotificationsAPIClient")

# aiohttp >= 3.10 tells a connect timeout apart from a read timeout; older versions do not, and
# then every timeout is treated as "maybe sent", the safe reading.
_CONNECT_TIMEOUTS: tuple[type[BaseException], ...] = tuple(
    error for error in (getattr(aiohttp, "ConnectionTimeoutError", None),) if error is not None
)


# The URL could not be used at all, so nothing was sent. (aiohttp names a non-HTTP URL
# separately from 3.10 on.)
_UNUSABLE_URL: tuple[type[BaseException], ...] = (aiohttp.InvalidURL,) + (
    (aiohttp.NonHttpUrlClientError,) if hasattr(aiohttp, "NonHttpUrlClientError") else ()
)


@functools.lru_cache(maxsize=16)
def _client_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    # Like requests' timeout: a limit on connecting and one on each read, not on the total
    # (``None``: no limit). Built once per value: a ClientTimeout is immutable and sends use
    # one or two values.
    connect, read = connect_and_read_timeouts(timeout)
    return aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)


class _AnswerLost(aiohttp.ClientError):
    """The connection failed while the answer was awaited; ``original`` is aiohttp's error.

    Wrapped so that aiohttp does not send the request again by itself: ``ClientSession`` resends
    a GET, PUT or DELETE once when the connection drops at this point (``ClientOSError`` or
    ``ServerDisconnectedError``; RFC 9112 §9.3.1), in every version this package supports, and
    has no public switch for it (aio-libs/aiohttp#10790). Left alone, a GET the policy allows
    four attempts reaches the server eight times, and a PUT or DELETE whose outcome is unknown
    is sent twice. Any other ``ClientError`` passes straight through that resend loop.
    """

    def __init__(self, original: aiohttp.ClientError) -> None:
        super().__init__(*original.args)
        self.original = original


# asyncio's plain TCP transports read into a new buffer of ``max_size`` bytes, 256 KiB, every
# time. glibc serves an allocation that large with mmap, so each answer read costs an mmap, a
# page fault, an mremap and a munmap: about a sixth of a send's CPU on loopback. Notify's
# answers are a few hundred bytes, and 64 KiB is well under glibc's mmap threshold (128 KiB).
# (TLS transports read into a buffer made once, and uvloop's have no such attribute.)
_READ_SIZE = 64 * 1024


def _read_in_smaller_chunks(connection: aiohttp.connector.Connection) -> None:
    transport = connection.transport
    if transport is not None and getattr(transport, "max_size", 0) > _READ_SIZE:
        transport.max_size = _READ_SIZE  # type: ignore[attr-defined]


class _ResponseWithoutResends(aiohttp.ClientResponse):
    """A response whose lost answer reaches the retry policy instead of aiohttp's resend, read
    in chunks that do not each map fresh memory."""

    async def start(self, connection: aiohttp.connector.Connection) -> aiohttp.ClientResponse:
        _read_in_smaller_chunks(connection)
        try:
            return await super().start(connection)
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as error:
            raise _AnswerLost(error) from error


def translate_aiohttp_error(error: BaseException, origin: str | None = None) -> NetworkError:
    """The one place where aiohttp's exceptions become ours; ``origin`` is where it went."""
    if isinstance(error, _UNUSABLE_URL):
        return InvalidURLError(origin=origin)
    if isinstance(error, aiohttp.ClientConnectorError):  # refused, DNS, TLS, proxy
        return ConnectError(origin=origin)
    if isinstance(error, _CONNECT_TIMEOUTS):
        return ConnectError(origin=origin)
    if isinstance(error, asyncio.TimeoutError):
        return ResponseTimeoutError(origin=origin)
    # A dropped connection or a cut-short body: Notify may have acted on the request.
    return ResponseNotReceivedError(origin=origin)


async def _close_at_loop_shutdown(session: aiohttp.ClientSession) -> AsyncGenerator[None, None]:
    """Suspended until its loop closes its async generators, then closes ``session`` there."""
    try:
        yield
    finally:
        if not session.closed:
            await session.close()


class _LoopSession:
    """The session the client made for one event loop, and the generator that closes it."""

    __slots__ = ("closer", "session")

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.closer = _close_at_loop_shutdown(session)

    def watch_for_loop_shutdown(self) -> None:
        """Start the closer on the running loop, which registers it as one of its generators.

        Driven by hand rather than awaited: it reaches its ``yield`` at once, and the session
        is needed by code that cannot await (``__aenter__`` and a send both can, but a send
        should not pay for an extra await on every call).
        """
        step = self.closer.asend(None)
        with contextlib.suppress(StopIteration):
            step.send(None)

    def discard(self) -> None:
        """Forget a session whose loop is closed, without a warning about it.

        Nothing can be awaited on a closed loop: the session is marked closed (``detach``)
        and its connector let go of its connections (``_close`` is aiohttp's synchronous half
        of ``close``, which on a closed loop touches nothing), and the closer is finished here
        so that its finaliser does not try to schedule it on the closed loop.
        """
        session = self.session
        if not session.closed:
            connector = session.connector
            session.detach()
            close_connector = getattr(connector, "_close", None)
            if callable(close_connector):
                close_connector()
        step = self.closer.aclose()
        try:
            step.send(None)
        except StopIteration:
            pass
        else:  # pragma: no cover - the closer awaits only for a session still open
            step.close()


class AsyncNotificationsAPIClient(ConfiguredClient):
    """Send texts, emails and letters and read statuses, templates and received texts, with asyncio.

    :param api_key: ``{key name}-{service id}-{secret}``
    :param base_url: the API root
    :param timeout: seconds to wait for a connection and for each read, a ``(connect, read)``
        tuple of them, or ``None`` to wait for ever
    :param max_retries: how many times a request may be retried when that is safe (0: never)
    :param retry_policy: a full ``RetryPolicy`` instead of ``max_retries``
    :param session: an ``aiohttp.ClientSession`` to use; the client then does not close it.
        Without one, the client makes its own on first use and closes it in ``close()``. A
        session passed in is used as it is: aiohttp may then send a GET, PUT or DELETE whose
        connection dropped once more by itself, on top of the retry policy (the client's own
        session does not).

    One client may be shared by many tasks, and used from one event loop after another
    (``asyncio.run`` called again) or from loops in several threads at once: it keeps a
    session for each loop, so connections are reused within a loop and never cross loops.
    A session passed in is used on every loop as it is.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: Timeout = DEFAULT_TIMEOUT,
        *,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key,
            base_url,
            timeout,
            resolve_retry_policy(max_retries, retry_policy),
            log=logger,
        )
        self._publish_configuration()
        self._start_transport(session)

    # --- copying (see ``ConfiguredClient``): a copy makes its own sessions, unless one was
    # passed in; that one cannot be pickled ---

    _TRANSPORT_ATTRIBUTES = frozenset(
        {"_borrowed_session", "_owns_session", "_sessions_lock", "_sessions"}
    )

    def _session_passed_in(self) -> aiohttp.ClientSession | None:
        return self._borrowed_session

    def _start_transport(self, session: aiohttp.ClientSession | None) -> None:
        #: The session passed in, used on every loop as it is; ``None`` when the client makes
        #: its own, one per event loop (see ``_session_for``).
        self._borrowed_session = session
        self._owns_session = session is None
        self._sessions_lock = threading.Lock()
        self._sessions: dict[asyncio.AbstractEventLoop, _LoopSession] = {}

    def _session_to_pickle(self) -> None:
        if self._borrowed_session is not None:
            raise TypeError(
                "an AsyncNotificationsAPIClient with a session passed in cannot be pickled: "
                "an aiohttp session belongs to its event loop; pickle a client that makes its "
                "own session"
            )

    # --- lifetime ---
    #
    # The client makes one aiohttp session for each event loop it is used on, when it is first
    # used there: a session and its connections belong to the loop they were made on, and a
    # client may be used from one ``asyncio.run`` after another, or from loops in several
    # threads at once. Within a loop every request shares its session's connection pool.
    # A session is closed by ``close()`` (or ``async with``) awaited on its loop or, failing
    # that, when its loop shuts down: ``asyncio.run``, ``asyncio.Runner`` and pytest-asyncio
    # close every async generator of a loop before closing it, and each session has one that
    # closes it. A loop closed by hand without ``loop.shutdown_asyncgens()`` leaves its
    # connections open; the next loop the client is used on drops that session (asyncio warns
    # of the sockets it could no longer close, as it does for any connection left so).

    async def __aenter__(self: ClientT) -> ClientT:
        self._session_for(asyncio.get_running_loop())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session the client made for the running loop (one passed in stays open).

        The client can be used again afterwards: it then makes a new session. Sessions it made
        on other loops (in other threads) are closed by ``close()`` awaited there, or when
        their loop shuts down.
        """
        if not self._owns_session:
            return
        loop = asyncio.get_running_loop()
        with self._sessions_lock:
            entry = self._sessions.pop(loop, None)
            self._drop_sessions_of_closed_loops()
        if entry is not None:
            await entry.session.close()
            await entry.closer.aclose()

    @property
    def _session(self) -> aiohttp.ClientSession | None:
        """The session requests on the running loop go through, if there is one yet."""
        if not self._owns_session:
            return self._borrowed_session
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        entry = self._sessions.get(loop)
        return None if entry is None else entry.session

    def _session_for(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        """The session for ``loop`` (the running one), made on first use there."""
        if self._borrowed_session is not None:
            return self._borrowed_session
        # Read without the lock: a dict lookup is atomic, and only this loop's thread puts
        # or replaces the entry for it.
        entry = self._sessions.get(loop)
        if entry is not None and not entry.session.closed:
            return entry.session
        with self._sessions_lock:
            self._drop_sessions_of_closed_loops()
            entry = _LoopSession(aiohttp.ClientSession(response_class=_ResponseWithoutResends))
            self._sessions[loop] = entry
        entry.watch_for_loop_shutdown()
        return entry.session

    def __del__(self) -> None:
        # A session on a loop closed by hand can no longer be closed: forget it without the
        # warning aiohttp gives for an unclosed one. Those on open loops are closed by their
        # closers, which the loop runs when they are collected.
        lock = getattr(self, "_sessions_lock", None)
        if lock is None:  # __init__ failed before making it
            return
        with lock:
            self._drop_sessions_of_closed_loops()

    def _drop_sessions_of_closed_loops(self) -> None:
        # Called with ``_sessions_lock`` held.
        for loop in [loop for loop in self._sessions if loop.is_closed()]:
            self._sessions.pop(loop).discard()

    # --- sending ---

    async def _execute(self, request: Request[T]) -> T:
        attempt = 0
        while True:
            prepared = self._core.prepare(request)
            started = time.monotonic()
            status: int | None = None
            try:
                response = await self._send(prepared)
                status = response.status_code
                return decode_response(request, response)
            except APIError as error:
                delay = self._core.delay_before_retry(prepared, attempt, error)
                if delay is None:
                    raise
            finally:
                log_finished(prepared, status, time.monotonic() - started, logger)
            await asyncio.sleep(delay)
            attempt += 1

    async def _send(self, prepared: PreparedRequest) -> Response:
        timeout = _client_timeout(self._core.timeout)
        try:
            # Awaited rather than entered with ``async with``: the response is read whole and
            # released here, and without the context manager's coroutines a send runs about
            # 2 % fewer instructions.
            session = self._session_for(asyncio.get_running_loop())
            answer = await session.request(
                prepared.method,
                prepared.url,
                headers=prepared.headers,
                data=prepared.body,
                timeout=timeout,
            )
            try:
                content = await answer.read()
            finally:
                answer.release()
            return Response(answer.status, answer.headers, content)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            cause = error.original if isinstance(error, _AnswerLost) else error
            raise translate_aiohttp_error(cause, origin_of(prepared.url)) from cause

    # --- the official client's generic requests ---

    async def request(
        self, method: str, url: str, data: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Send a request to ``url`` (joined to the base URL) and return its decoded JSON."""
        generic: Request[Any] = Request(method, url, params=params, json=data)
        return await self._execute(generic)

    async def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return await self.request("GET", url, params=params)

    async def post(self, url: str, data: Any) -> Any:
        return await self.request("POST", url, data=data)

    async def put(self, url: str, data: Any) -> Any:
        return await self.request("PUT", url, data=data)

    async def delete(self, url: str, data: Any = None) -> Any:
        return await self.request("DELETE", url, data=data)

    # --- sending notifications ---

    async def send_sms_notification(
        self,
        phone_number: str,
        template_id: str,
        personalisation: Personalisation | None = None,
        reference: str | None = None,
        sms_sender_id: str | None = None,
    ) -> SmsNotificationResponse:
        """Send a text message."""
        return await self._call(
            _endpoints.send_sms(
                phone_number, template_id, personalisation, reference, sms_sender_id
            )
        )

    async def send_email_notification(
        self,
        email_address: str,
        template_id: str,
        personalisation: Personalisation | None = None,
        reference: str | None = None,
        email_reply_to_id: str | None = None,
        one_click_unsubscribe_url: str | None = None,
        sanitise_content_for: list[str] | None = None,
    ) -> EmailNotificationResponse:
        """Send an email."""
        return await self._call(
            _endpoints.send_email(
                email_address,
                template_id,
                personalisation,
                reference,
                email_reply_to_id,
                one_click_unsubscribe_url,
                sanitise_content_for,
            )
        )

    async def send_letter_notification(
        self,
        template_id: str,
        personalisation: Personalisation,
        reference: str | None = None,
    ) -> LetterNotificationResponse:
        """Send a letter from a template; the address is in ``personalisation``."""
        return await self._call(_endpoints.send_letter(template_id, personalisation, reference))

    async def send_precompiled_letter_notification(
        self,
        reference: str,
        pdf_file: IO[bytes] | bytes,
        postage: str | None = None,
    ) -> PrecompiledLetterResponse:
        """Send a letter you made as a PDF (a binary file or its bytes)."""
        return await self._call(_endpoints.send_precompiled_letter(reference, pdf_file, postage))

    # --- notifications ---

    async def get_notification_by_id(self, id: str) -> Notification:
        """One notification and its status."""
        return await self._call(_endpoints.get_notification(id))

    async def get_pdf_for_letter(self, id: str) -> io.BytesIO:
        """The PDF of a letter (``PDFNotReadyError`` until it has been made)."""
        return await self._call(_endpoints.get_pdf_for_letter(id))

    async def get_all_notifications(
        self,
        status: StatusFilter | None = None,
        template_type: StatusFilter | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> NotificationsPage:
        """One page (up to 250) of notifications, newest first, optionally filtered."""
        return await self._call(
            _endpoints.get_notifications(status, template_type, reference, older_than, include_jobs)
        )

    async def get_all_notifications_iterator(
        self,
        status: StatusFilter | None = None,
        template_type: StatusFilter | None = None,
        reference: str | None = None,
        older_than: str | None = None,
        include_jobs: bool | None = None,
    ) -> AsyncIterator[Notification]:
        """Every notification matching the filters (``async for``), fetching pages as needed.

        Nothing is requested until the first item is asked for; each page is fetched with
        ``get_all_notifications``, called as the sync client calls it.
        """
        pager = Pager[Notification]("notifications", older_than)
        while not pager.exhausted:
            if include_jobs is None:
                page = await self.get_all_notifications(
                    status, template_type, reference, pager.older_than
                )
            else:
                page = await self.get_all_notifications(
                    status, template_type, reference, pager.older_than, include_jobs=include_jobs
                )
            for notification in pager.receive(page):
                yield notification

    # --- received texts ---

    async def get_received_texts(self, older_than: str | None = None) -> ReceivedTextsPage:
        """One page (up to 250) of received text messages, newest first."""
        return await self._call(_endpoints.get_received_texts(older_than))

    async def get_received_texts_iterator(
        self, older_than: str | None = None
    ) -> AsyncIterator[ReceivedText]:
        """Every received text message (``async for``), fetching pages as needed, each with
        ``get_received_texts``."""
        pager = Pager[ReceivedText]("received_text_messages", older_than)
        while not pager.exhausted:
            for text in pager.receive(await self.get_received_texts(older_than=pager.older_than)):
                yield text

    # --- templates ---

    async def get_template(self, template_id: str) -> Template:
        """The latest version of a template."""
        return await self._call(_endpoints.get_template(template_id))

    async def get_template_version(self, template_id: str, version: int) -> Template:
        """One version of a template."""
        return await self._call(_endpoints.get_template_version(template_id, version))

    async def get_all_template_versions(self, template_id: str) -> TemplateVersions:
        """Every version of a template (an admin-API route, as in the official client)."""
        return await self._call(_endpoints.get_all_template_versions(self.service_id, template_id))

    async def get_all_templates(self, template_type: str | None = None) -> TemplatesResponse:
        """The latest version of every template, optionally of one type."""
        return await self._call(_endpoints.get_all_templates(template_type))

    async def post_template_preview(
        self, template_id: str, personalisation: Personalisation | None
    ) -> TemplatePreview:
        """A template rendered with ``personalisation``, without sending anything."""
        return await self._call(_endpoints.post_template_preview(template_id, personalisation))

    # --- returned letters (Notify's upcoming API) ---

    async def get_returned_letters_summary(self) -> ReturnedLettersSummary:
        """How many letters came back on each report date, newest first (live keys only).

        Follows Notify's upcoming ``GET /v2/returned-letters/summary``: a list, or a single
        summary with a count of 0 when no letter has come back.
        """
        return await self._call(_endpoints.get_returned_letters_summary())

    async def get_returned_letters(self, report_date: str | datetime.date) -> ReturnedLettersReport:
        """The letters reported returned on ``report_date`` (``YYYY-MM-DD`` or a date; live
        keys only), following Notify's upcoming ``GET /v2/returned-letters``."""
        return await self._call(_endpoints.get_returned_letters(report_date))

    # --- bulk ---

    async def send_bulk(
        self,
        notifications: Iterable[BulkNotification],
        *,
        rate_per_minute: int = DEFAULT_BULK_RATE_PER_MINUTE,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        on_result: Callable[[BulkResult], object] | None = None,
        on_send: Callable[[int, BulkNotification], object] | None = None,
        keep_results: bool = True,
        stop: Callable[[], bool] | None = None,
    ) -> list[BulkResult]:
        """Send many notifications concurrently, at most ``rate_per_minute`` a minute.

        Returns one ``BulkResult`` per notification, in input order, holding the answer or the
        exception. ``on_send(index, notification)`` is called just before each request goes out
        and ``on_result`` as each one completes (for progress bars and journals).

        ``notifications`` is read as sends start, so it may be a generator over a large file.
        With ``keep_results=False`` results go only to ``on_result`` and the list returned is
        empty, so memory stays bounded however many notifications there are. ``stop()``, if
        given, is asked before each send starts: once it is true no more start, and those in
        flight finish.
        """
        return await run_bulk(
            self._call,
            notifications,
            rate_per_minute=rate_per_minute,
            concurrency=concurrency,
            on_result=on_result,
            on_send=on_send,
            keep_results=keep_results,
            stop=stop,
        )

    # --- sending through the public methods ---

    async def _call(self, request: Request[T]) -> T:
        """Send ``request`` through ``post`` or ``get``, called as the sync client calls them, so
        code that mocks or overrides those sees every call (a PDF's bytes are fetched directly).
        """
        if request.kind == "bytes":
            return await self._execute(request)
        if request.method == "POST":
            return cast(T, await self.post(request.path, data=request.json))
        if request.method == "GET":
            if request.params is None:
                return cast(T, await self.get(request.path))
            return cast(T, await self.get(request.path, params=dict(request.params)))
        params = None if request.params is None else dict(request.params)
        return cast(
            T, await self.request(request.method, request.path, data=request.json, params=params)
        )
