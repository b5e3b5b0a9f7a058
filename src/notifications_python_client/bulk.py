"""Sending many notifications at once, within a rate, losing track of none.

Describe each notification with ``SmsNotification``, ``EmailNotification`` or
``LetterNotification`` and hand them to a client's ``send_bulk``::

    results = await client.send_bulk(notifications, rate_per_minute=3000, concurrency=20)
    results = sync_client.send_bulk(notifications)            # the same, from sync code

Each notification gets one ``BulkResult``, in input order: the answer, or the exception that
ended it. Sends start evenly spaced so that no more than ``rate_per_minute`` start in any minute
(Notify's default limit is 3,000 a minute), with at most ``concurrency`` in flight. Each send goes
through the client's retry policy, so per-minute rate-limit refusals are retried and nothing that
may have been sent is sent again. ``on_result`` is called as each result arrives, in completion
order, so a caller can drive a progress bar and keep a journal; ``on_send`` is called just before
each request goes out.

The notifications are read as sends start, never all at once, so they may come from a generator
over a large file; with ``keep_results=False`` no results are kept either, and memory stays
bounded however many there are.

This module needs no HTTP library: ``run_bulk`` drives any coroutine that executes a request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from notifications_python_client import _endpoints
from notifications_python_client._constants import (
    DEFAULT_BULK_CONCURRENCY,
    DEFAULT_BULK_RATE_PER_MINUTE,
)
from notifications_python_client._core import Request
from notifications_python_client._endpoints import Personalisation

__all__ = [
    "BulkNotification",
    "BulkResult",
    "EmailNotification",
    "LetterNotification",
    "PrecompiledLetterNotification",
    "RateLimiter",
    "SmsNotification",
    "run_bulk",
]


@dataclass(frozen=True)
class SmsNotification:
    """A text message to send: the arguments of ``send_sms_notification``."""

    phone_number: str
    template_id: str
    personalisation: Personalisation | None = None
    reference: str | None = None
    sms_sender_id: str | None = None

    def to_request(self) -> Request[Any]:
        return _endpoints.send_sms(
            self.phone_number,
            self.template_id,
            self.personalisation,
            self.reference,
            self.sms_sender_id,
        )


@dataclass(frozen=True)
class EmailNotification:
    """An email to send: the arguments of ``send_email_notification``."""

    email_address: str
    template_id: str
    personalisation: Personalisation | None = None
    reference: str | None = None
    email_reply_to_id: str | None = None
    one_click_unsubscribe_url: str | None = None
    sanitise_content_for: list[str] | None = None

    def to_request(self) -> Request[Any]:
        return _endpoints.send_email(
            self.email_address,
            self.template_id,
            self.personalisation,
            self.reference,
            self.email_reply_to_id,
            self.one_click_unsubscribe_url,
            self.sanitise_content_for,
        )


@dataclass(frozen=True)
class LetterNotification:
    """A letter to send from a template: the arguments of ``send_letter_notification``."""

    template_id: str
    personalisation: Personalisation
    reference: str | None = None

    def to_request(self) -> Request[Any]:
        return _endpoints.send_letter(self.template_id, self.personalisation, self.reference)


@dataclass(frozen=True)
class PrecompiledLetterNotification:
    """A letter made as a PDF: the arguments of ``send_precompiled_letter_notification``."""

    reference: str
    pdf_file: IO[bytes] | bytes
    postage: str | None = None

    def to_request(self) -> Request[Any]:
        return _endpoints.send_precompiled_letter(self.reference, self.pdf_file, self.postage)


BulkNotification = (
    SmsNotification | EmailNotification | LetterNotification | PrecompiledLetterNotification
)


@dataclass(frozen=True)
class BulkResult:
    """What became of one notification of a bulk send.

    Exactly one of ``response`` (Notify's answer) and ``error`` (the exception) is set. ``index``
    is the notification's position in the input.
    """

    index: int
    notification: BulkNotification
    response: dict[str, Any] | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: How often a wait for a slot under the rate limit checks whether to stop.
_STOP_CHECK_SECONDS = 0.25


class RateLimiter:
    """Lets callers start at most ``rate_per_minute`` operations a minute, evenly spaced.

    Evenly spaced rather than in bursts: Notify's per-minute limit is a token bucket that allows
    a burst of about a third of the rate (notify-api.md §6.1), so a full minute's worth sent at
    once would be refused. ``clock`` and ``sleep`` can be replaced to test without waiting.
    """

    def __init__(
        self,
        rate_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if isinstance(rate_per_minute, bool) or not isinstance(rate_per_minute, int):
            raise TypeError("rate_per_minute must be an int")
        if rate_per_minute < 1:
            raise ValueError("rate_per_minute must be at least 1")
        self.interval = 60.0 / rate_per_minute
        self._clock = clock
        self._sleep = sleep
        self._next_start: float | None = None
        self._lock: asyncio.Lock | None = None

    async def acquire(self, stop: Callable[[], bool] | None = None) -> bool:
        """Wait until the next start is allowed; ``False`` if ``stop()`` became true first.

        ``stop`` is asked at least every quarter of a second while waiting, so that a long
        wait at a low rate ends soon after it is told to.
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if stop is not None and stop():
                return False
            now = self._clock()
            while self._next_start is not None and self._next_start > now:
                wait = self._next_start - now
                await self._sleep(wait if stop is None else min(wait, _STOP_CHECK_SECONDS))
                if stop is not None and stop():
                    return False
                now = self._clock()
            # Spaced from when this start really happened, so a late wake-up never lets the
            # next caller catch up with a burst.
            start = now if self._next_start is None else max(now, self._next_start)
            self._next_start = start + self.interval
            return True


async def run_bulk(
    execute: Callable[[Request[Any]], Awaitable[Any]],
    notifications: Iterable[BulkNotification],
    *,
    rate_per_minute: int = DEFAULT_BULK_RATE_PER_MINUTE,
    concurrency: int = DEFAULT_BULK_CONCURRENCY,
    on_result: Callable[[BulkResult], object] | None = None,
    on_send: Callable[[int, BulkNotification], object] | None = None,
    limiter: RateLimiter | None = None,
    keep_results: bool = True,
    stop: Callable[[], bool] | None = None,
) -> list[BulkResult]:
    """Send every notification with ``execute``; one ``BulkResult`` per input, in input order.

    ``on_send(index, notification)`` is called just before each request goes out and
    ``on_result(result)`` as each completes, so a journal can tell "sent, answer unknown" from
    "never sent" after a crash. An exception from a send is recorded in its result and the others
    carry on; an exception from a callback, or from ``notifications`` itself, stops the run and
    is raised.

    ``notifications`` is read lazily, one item as each send starts, so it may be a generator
    over a file of any size. With ``keep_results=False`` results go only to ``on_result`` and
    the returned list is empty: memory then stays bounded by ``concurrency``, however many
    notifications there are.

    ``stop()``, if given, is asked before each send starts (and while it waits for its slot):
    once it is true no more sends start, those in flight finish and are reported as usual, and
    the run ends. Notifications taken from the input but not started are left out of the
    results; ``on_send`` was never called for them.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise TypeError("concurrency must be an int")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    pace = limiter if limiter is not None else RateLimiter(rate_per_minute)
    results: dict[int, BulkResult] = {}
    queue = enumerate(notifications)

    async def worker() -> None:
        # Workers share one iterator: taking the next item never awaits, so no two take the same,
        # and no more than ``concurrency`` items are ever taken and unfinished.
        for index, notification in queue:
            if not await pace.acquire(stop):
                return
            if on_send is not None:
                on_send(index, notification)
            try:
                response = await execute(notification.to_request())
            except Exception as error:  # recorded, never lost: the caller decides what to do
                result = BulkResult(index, notification, error=error)
            else:
                result = BulkResult(index, notification, response=response)
            if keep_results:
                results[index] = result
            if on_result is not None:
                on_result(result)

    tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [results[index] for index in sorted(results)]
