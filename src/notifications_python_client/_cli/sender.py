"""Sending a bulk run's rows through the client's ``send_bulk``, journalling each one.

``send_bulk`` paces the sends and runs them concurrently; this module adds the journal. For
each row the order is what makes a rerun safe: ``send_bulk`` waits for the row's slot under the
rate limit and calls ``on_send``, which journals ``sending``; the request goes out; its answer
is journalled as ``accepted`` or ``failed``. A row whose answer never came (the connection
dropped, a timeout, a 5xx, or the run was stopped while it was in flight) stays ``sending`` in
the journal: it may have been sent, so it is reported as unknown rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from notifications_python_client.bulk import (
    BulkNotification,
    BulkResult,
    EmailNotification,
    LetterNotification,
    SmsNotification,
)
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

    def sort(self) -> None:
        """Put every list in spreadsheet order (answers arrive in completion order)."""
        self.sent.sort(key=lambda item: item[0].number)
        self.skipped.sort(key=lambda row: row.number)
        self.failed.sort(key=lambda item: item[0].number)
        self.unknown.sort(key=lambda row: row.number)


def _notification_for(row: BulkRow, target: RowTarget) -> BulkNotification:
    personalisation = row.personalisation or None
    if target.notification_type == "sms":
        return SmsNotification(
            phone_number=row.recipient or "",
            template_id=target.template_id,
            personalisation=personalisation,
            reference=target.reference,
            sms_sender_id=target.sender_id,
        )
    if target.notification_type == "email":
        return EmailNotification(
            email_address=row.recipient or "",
            template_id=target.template_id,
            personalisation=personalisation,
            reference=target.reference,
            email_reply_to_id=target.sender_id,
        )
    return LetterNotification(
        template_id=target.template_id,
        personalisation=row.personalisation,
        reference=target.reference,
    )


def _outcome_unknown(error: Exception) -> bool:
    # The client never retries a POST whose outcome is unknown (errors.py), so these reach
    # us: the request may have been acted on. A ConnectError means nothing was sent.
    if isinstance(error, ConnectError):
        return False
    return isinstance(error, (NetworkError, ServerError, InvalidResponse))


class _StopRun(Exception):
    """Raised from the result callback to end ``send_bulk`` early."""


class BulkSender:
    """Sends spreadsheet rows with one client's ``send_bulk``, journalling every step."""

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
        self._client = client
        self._target = target
        self._journal = journal
        self._concurrency = concurrency
        self._rate_per_minute = rate_per_minute
        self._resend_unknown = resend_unknown
        self._stop_after = stop_after

    def run(self, rows: Sequence[BulkRow], on_row_done: Callable[[], None]) -> BulkReport:
        """Send every row the journal does not already account for; Ctrl-C stops the run.

        Rows accepted by an earlier run are skipped; rows an earlier run left unknown are
        skipped too unless ``resend_unknown``. ``on_row_done`` is called once per row settled.
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

        started: dict[int, BulkRow] = {}
        settled: set[int] = set()

        def on_send(index: int, _notification: BulkNotification) -> None:
            row = to_send[index]
            self._journal.record_sending(row.number, row.digest())
            started[row.number] = row

        def on_result(result: BulkResult) -> None:
            row = to_send[result.index]
            settled.add(row.number)
            on_row_done()
            if self._record(row, result, report):
                raise _StopRun  # the daily limit: every later row would be refused too
            if self._stop_after is not None and len(report.sent) >= self._stop_after:
                report.interrupted = True
                raise _StopRun

        notifications = [_notification_for(row, self._target) for row in to_send]
        try:
            self._client.send_bulk(
                notifications,
                rate_per_minute=self._rate_per_minute,
                concurrency=self._concurrency,
                on_send=on_send,
                on_result=on_result,
            )
        except _StopRun:
            pass
        except KeyboardInterrupt:
            report.interrupted = True
        # Rows that had started but whose answer was lost when the run stopped.
        for number, row in started.items():
            if number not in settled:
                report.unknown.append(row)
        report.not_attempted = len(to_send) - len(started)
        return report

    def _record(self, row: BulkRow, result: BulkResult, report: BulkReport) -> bool:
        """Journal one answer; ``True`` if the run should stop."""
        if result.error is None:
            notification_id = str((result.response or {}).get("id"))
            self._journal.record_accepted(row.number, notification_id)
            report.sent.append((row, notification_id))
            return False
        error = result.error
        text = error.description if isinstance(error, APIError) else str(error)
        if _outcome_unknown(error):
            # No "failed" line: the journal keeps the row as sent-but-unanswered.
            report.unknown.append(row)
            return False
        self._journal.record_failed(row.number, text)
        report.failed.append((row, text))
        return isinstance(error, TooManyRequestsError)
