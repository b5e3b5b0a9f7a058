"""Sending a bulk run's rows: paced, concurrent, and recorded in the journal row by row.

The order for each row is what makes a rerun safe: wait for a slot under the rate limit,
journal ``sending``, send, then journal ``accepted`` or ``failed``. A row whose answer never
came (the connection dropped, a timeout, a 5xx) stays ``sending`` in the journal: it may have
been sent, so it is reported as unknown rather than guessed at.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from notifications_python_client.errors import (
    APIError,
    ConnectError,
    InvalidResponse,
    NetworkError,
    ServerError,
    TooManyRequestsError,
)
from notifications_python_client.notifications import NotificationsAPIClient

from .csv_rows import BulkRow, NotificationType
from .journal import BulkJournal
from .session import error_text


@dataclass(frozen=True)
class RowTarget:
    """What every row is sent with: the template and the options common to all rows."""

    notification_type: NotificationType
    template_id: str
    reference: str | None = None
    #: ``sms_sender_id`` for texts, ``email_reply_to_id`` for emails.
    sender_id: str | None = None


@dataclass
class BulkReport:
    """The outcome of one run, row by row."""

    sent: list[tuple[BulkRow, str]] = field(default_factory=list)
    skipped: list[BulkRow] = field(default_factory=list)
    failed: list[tuple[BulkRow, str]] = field(default_factory=list)
    unknown: list[BulkRow] = field(default_factory=list)
    #: Rows left unsent because the run stopped early (interrupted or a daily limit).
    not_attempted: int = 0
    interrupted: bool = False


class RatePacer:
    """Spaces sends evenly so that no more than ``per_minute`` start in any minute."""

    def __init__(self, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("the rate must be at least 1 message a minute")
        self._interval = 60.0 / per_minute
        self._next_slot = time.monotonic()
        self._lock = threading.Lock()

    def wait_for_slot(self, stop: threading.Event) -> bool:
        """Block until this caller may send; ``False`` if ``stop`` was set meanwhile."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        return not stop.wait(slot - now) if slot > now else not stop.is_set()


def _outcome_unknown(error: APIError) -> bool:
    # The client never retries a POST whose outcome is unknown (errors.py), so these reach
    # us: the request may have been acted on. A ConnectError means nothing was sent.
    if isinstance(error, ConnectError):
        return False
    return isinstance(error, (NetworkError, ServerError, InvalidResponse))


@dataclass
class _Result:
    row: BulkRow
    notification_id: str | None = None
    error: str | None = None
    unknown: bool = False
    attempted: bool = True


class BulkSender:
    """Sends rows with one :class:`NotificationsAPIClient` from a pool of threads."""

    def __init__(
        self,
        client: NotificationsAPIClient,
        target: RowTarget,
        journal: BulkJournal,
        *,
        concurrency: int,
        rate_per_minute: int,
        resend_unknown: bool = False,
        stop_after: int | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._client = client
        self._target = target
        self._journal = journal
        self._concurrency = concurrency
        self._pacer = RatePacer(rate_per_minute)
        self._resend_unknown = resend_unknown
        self._stop_after = stop_after
        self._stop = threading.Event()

    def run(self, rows: Sequence[BulkRow], on_row_done: Callable[[], None]) -> BulkReport:
        """Send every row the journal does not already account for; Ctrl-C stops cleanly.

        After an interruption the rows already in flight are allowed to finish, so that
        their answers reach the journal.
        """
        report = BulkReport()
        previous = self._journal.previous
        to_send: list[BulkRow] = []
        for row in rows:
            if row.number in previous.accepted:
                report.skipped.append(row)
                on_row_done()
            elif row.number in previous.unknown and not self._resend_unknown:
                report.unknown.append(row)
                on_row_done()
            else:
                to_send.append(row)

        accepted_this_run = 0
        submitted = 0
        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            in_flight: set[Future[_Result]] = set()
            queue = iter(to_send)
            try:
                while not self._stop.is_set():
                    while len(in_flight) < self._concurrency and not self._stop.is_set():
                        next_row = next(queue, None)
                        if next_row is None:
                            break
                        in_flight.add(pool.submit(self._send_row, next_row))
                        submitted += 1
                    if not in_flight:
                        break
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in done:
                        accepted_this_run += self._collect(future.result(), report, on_row_done)
                    if self._stop_after is not None and accepted_this_run >= self._stop_after:
                        report.interrupted = True
                        self._stop.set()
            except KeyboardInterrupt:
                report.interrupted = True
                self._stop.set()
            # Let the requests already on their way finish and be journalled.
            for future in in_flight:
                self._collect(future.result(), report, on_row_done)
        report.not_attempted += len(to_send) - submitted
        return report

    def _collect(self, result: _Result, report: BulkReport, on_row_done: Callable[[], None]) -> int:
        if not result.attempted:
            report.not_attempted += 1
            return 0
        on_row_done()
        if result.notification_id is not None:
            report.sent.append((result.row, result.notification_id))
            return 1
        if result.unknown:
            report.unknown.append(result.row)
        else:
            report.failed.append((result.row, result.error or ""))
        return 0

    def _send_row(self, row: BulkRow) -> _Result:
        if not self._pacer.wait_for_slot(self._stop):
            return _Result(row, attempted=False)
        self._journal.record_sending(row.number, row.digest())
        try:
            response = self._post(row)
        except APIError as error:
            text = error_text(error)
            if _outcome_unknown(error):
                return _Result(row, error=text, unknown=True)
            self._journal.record_failed(row.number, text)
            if isinstance(error, TooManyRequestsError):
                # The daily limit: every later row would be refused too.
                self._stop.set()
            return _Result(row, error=text)
        notification_id = str(response["id"])
        self._journal.record_accepted(row.number, notification_id)
        return _Result(row, notification_id=notification_id)

    def _post(self, row: BulkRow) -> Any:
        target = self._target
        personalisation = row.personalisation or None
        if target.notification_type == "sms":
            return self._client.send_sms_notification(
                row.recipient or "",
                target.template_id,
                personalisation,
                target.reference,
                target.sender_id,
            )
        if target.notification_type == "email":
            return self._client.send_email_notification(
                row.recipient or "",
                target.template_id,
                personalisation,
                target.reference,
                target.sender_id,
            )
        return self._client.send_letter_notification(
            target.template_id, row.personalisation, target.reference
        )
