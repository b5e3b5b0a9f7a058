"""Sending a bulk run's rows through the client's ``send_bulk``, journalling each one.

``send_bulk`` paces the sends and runs them concurrently; this module adds the journal. For
each row the order is what makes a rerun safe: ``send_bulk`` waits for the row's slot under the
rate limit and calls ``on_send``, which journals ``sending``; the request goes out; its answer
is journalled as ``accepted``, ``failed`` or, when the answer was lost (the connection
dropped, a timeout, a 5xx, or the run was stopped while it was in flight), ``unknown``: it may
have been sent, so it is reported as unknown rather than guessed at.

Stopping (Ctrl-C or SIGTERM, through :meth:`BulkSender.request_stop`) is gentle the first
time: no new row is started, and the answers to the rows in flight — normally a few
milliseconds away — are waited for and journalled, so that they are not left unknown.

The spreadsheet is read a row at a time as sends start, and nothing is kept about a row once
its answer is journalled: at most ``concurrency`` rows are in hand at once, so a run uses the
same memory at its millionth row as at its first. Every second or so the journal's checkpoint
moves up to the last row before which every row is journalled (or needs nothing), so that a
rerun can start reading there.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import NamedTuple

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

from .csv_rows import BulkRow, CsvFormatError, NotificationType, Record, RowPosition, Spreadsheet
from .journal import ACCEPTED, UNKNOWN, BulkJournal, Checkpoint, RowLookup
from .resume import ResumePlan

#: How often, at most, the journal's checkpoint is moved on while rows are being sent.
CHECKPOINT_SECONDS = 1.0

#: Journalled for a row whose request was in flight when the run was stopped.
STOPPED_IN_FLIGHT = "the run stopped before Notify answered"


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
    """How many rows this run settled each way; the rows themselves are in the journal."""

    sent: int = 0
    #: Accepted by an earlier run.
    skipped: int = 0
    failed: int = 0
    #: Sent by this run with the answer lost (the journal has every such row, of every run).
    unknown: int = 0
    #: Rows left unsent because the run stopped early; ``None`` if they were not counted.
    not_attempted: int | None = 0
    interrupted: bool = False
    #: Why the run stopped early other than by request: a row it could not read, or a
    #: journal it could not write.
    stopped_because: str | None = None


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


class _InHand(NamedTuple):
    """A row taken from the spreadsheet for sending, until its answer is journalled."""

    row: BulkRow
    start: int
    digest: str


class _Mark:
    __slots__ = ("done", "end", "number")

    def __init__(self, number: int, end: int, done: bool) -> None:
        self.number, self.end, self.done = number, end, done


class _Frontier:
    """The last row before which every row read is journalled or needs nothing.

    Rows are read in order but journalled as their sends start, which with several workers
    is nearly, not exactly, in order. Rows that needed nothing are merged as they are passed,
    so this holds about two marks per row in hand, however far the run goes.
    """

    def __init__(self, start: RowPosition) -> None:
        self.row = start.number - 1
        self.offset = start.offset
        self._marks: deque[_Mark] = deque()
        self._waiting: dict[int, _Mark] = {}

    def passed(self, record: Record) -> None:
        """``record`` needs nothing from this run (blank, or settled by an earlier one)."""
        if not self._marks:
            self.row, self.offset = record.number, record.end
        elif self._marks[-1].done:
            self._marks[-1].number, self._marks[-1].end = record.number, record.end
        else:
            self._marks.append(_Mark(record.number, record.end, done=True))

    def taken(self, record: Record) -> None:
        """``record`` is to be sent; it holds the frontier back until it is journalled."""
        mark = _Mark(record.number, record.end, done=False)
        self._marks.append(mark)
        self._waiting[record.number] = mark

    def journalled(self, number: int) -> None:
        """Row ``number``'s sending is in the journal."""
        self._waiting.pop(number).done = True
        while self._marks and self._marks[0].done:
            mark = self._marks.popleft()
            self.row, self.offset = mark.number, mark.end


class _Checkpoints:
    """Moves the journal's checkpoint up to the frontier, at most every ``CHECKPOINT_SECONDS``."""

    def __init__(self, journal: BulkJournal, plan: ResumePlan, frontier: _Frontier) -> None:
        self._journal = journal
        self._prefix = plan.prefix
        self._frontier = frontier
        self._saved_row = plan.checkpoint_row
        self._saved_at = time.monotonic()

    def maybe_save(self) -> None:
        if time.monotonic() - self._saved_at >= CHECKPOINT_SECONDS:
            self.save()

    def save(self) -> None:
        row, offset = self._frontier.row, self._frontier.offset
        if row <= self._saved_row:
            return
        sha256 = self._prefix.through(offset)
        if sha256 is None:  # the file was cut short while being read: claim nothing
            return
        self._journal.save_checkpoint(Checkpoint(row, offset, sha256))
        self._saved_row, self._saved_at = row, time.monotonic()


class BulkSender:
    """Sends spreadsheet rows with one client's ``send_bulk``, journalling every step."""

    def __init__(
        self,
        client: NotificationsAPIClient,
        target: RowTarget,
        journal: BulkJournal,
        spreadsheet: Spreadsheet,
        *,
        concurrency: int,
        rate_per_minute: int,
        resend_unknown: bool = False,
        stop_after: int | None = None,
    ) -> None:
        self._client = client
        self._target = target
        self._journal = journal
        self._spreadsheet = spreadsheet
        self._concurrency = concurrency
        self._rate_per_minute = rate_per_minute
        self._resend_unknown = resend_unknown
        self._stop_after = stop_after
        self._stop = threading.Event()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        """Start no more rows; the rows in flight are answered and journalled as usual.

        Safe to call from a signal handler or another thread.
        """
        self._stop.set()

    def run(self, plan: ResumePlan, on_rows_done: Callable[[int], None]) -> BulkReport:
        """Send every row from ``plan.start`` that the journal does not account for.

        Rows accepted by an earlier run are skipped; rows an earlier run left unknown are
        skipped too unless ``resend_unknown``. ``on_rows_done(n)`` is called as rows are
        settled (read past, answered or skipped). Ctrl-C stops the run.
        """
        report = BulkReport(skipped=plan.accepted_before)
        # Every row above the starting point is settled (or blank).
        on_rows_done(plan.start.number - self._spreadsheet.first_row.number)
        frontier = _Frontier(plan.start)
        checkpoints = _Checkpoints(self._journal, plan, frontier)
        in_hand: dict[int, _InHand] = {}
        in_flight: set[int] = set()
        read_to_the_end = False
        # Set when the run ends itself (the daily limit, --stop-after). Like a Ctrl-C it starts
        # no new row and lets the rows in flight be answered and journalled: raising instead
        # would abandon their answers, leaving them unknown.
        halt = threading.Event()
        # A row that cannot be read ends the rows to send there instead: the rows read ahead
        # of it are sent first, so the run stops exactly at that row.
        unreadable = False

        def stopping() -> bool:
            return self._stop.is_set() or halt.is_set()

        def notifications() -> Iterator[BulkNotification]:
            nonlocal read_to_the_end, unreadable
            try:
                read_to_the_end = yield from rows_to_send()
            except CsvFormatError as error:
                report.stopped_because = str(error)
                unreadable = True

        def rows_to_send() -> Generator[BulkNotification, None, bool]:
            """The rows to send; returns whether it read to the end of the spreadsheet."""
            earlier = RowLookup(self._journal.recorded(plan.start.number))
            for record in self._spreadsheet.records(plan.start):
                if stopping():
                    return False
                found = earlier.get(record.number)
                state = None if found is None else found.state
                if record.blank or state == ACCEPTED or self._kept_unknown(state):
                    if state == ACCEPTED and not record.blank:
                        report.skipped += 1
                    frontier.passed(record)
                    on_rows_done(1)
                    continue
                row = self._spreadsheet.row(record)
                frontier.taken(record)
                # send_bulk numbers the notifications by their position in this stream.
                in_hand[next(positions)] = _InHand(row, record.start, row.digest())
                yield _notification_for(row, self._target)
            return True

        positions = itertools.count()

        def on_send(index: int, _notification: BulkNotification) -> None:
            taken = in_hand[index]
            self._journal.record_sending(taken.row.number, taken.digest, taken.start)
            in_flight.add(index)
            frontier.journalled(taken.row.number)
            checkpoints.maybe_save()

        def on_result(result: BulkResult) -> None:
            taken = in_hand[result.index]
            on_rows_done(1)
            # Journalled first: if that fails, the row is still in flight (unknown) below.
            stop_now = self._record(taken.row, result, report)
            del in_hand[result.index]
            in_flight.discard(result.index)
            if stop_now:
                halt.set()  # the daily limit: every later row would be refused too
            if self._stop_after is not None and report.sent >= self._stop_after:
                report.interrupted = True
                halt.set()

        journal_broken = False
        try:
            self._client.send_bulk(
                notifications(),
                rate_per_minute=self._rate_per_minute,
                concurrency=self._concurrency,
                on_send=on_send,
                on_result=on_result,
                keep_results=False,
                stop=stopping,
            )
            # Every row was read and answered, unless a stop came first (rows taken from the
            # spreadsheet but never sent are still in hand).
            if self._stop.is_set() or not (halt.is_set() or unreadable):
                report.interrupted = report.interrupted or not (read_to_the_end and not in_hand)
        except KeyboardInterrupt:
            report.interrupted = True
        except sqlite3.Error as error:
            # Nothing more was sent: each send waits for its row to be journalled first.
            report.stopped_because = f"{self._journal.path} could not be written: {error}"
            journal_broken = True
            # Sent, and left ``sending`` in the journal: their outcome is unknown.
            report.unknown += len(in_flight)
        finished = read_to_the_end and not in_hand and not report.stopped_because
        if not journal_broken:
            # Rows that had been sent when the run stopped, whose answer will not be read.
            for index in sorted(in_flight):
                self._journal.record_unknown(in_hand[index].row.number, STOPPED_IN_FLIGHT)
                report.unknown += 1
            checkpoints.save()
        report.not_attempted = 0 if finished else self._count_not_attempted(frontier)
        return report

    def _kept_unknown(self, state: str | None) -> bool:
        return state == UNKNOWN and not self._resend_unknown

    def _record(self, row: BulkRow, result: BulkResult, report: BulkReport) -> bool:
        """Journal one answer; ``True`` if the run should stop."""
        if result.error is None:
            notification_id = str((result.response or {}).get("id"))
            self._journal.record_accepted(row.number, notification_id)
            report.sent += 1
            return False
        error = result.error
        text = error.description if isinstance(error, APIError) else str(error)
        if _outcome_unknown(error):
            self._journal.record_unknown(row.number, text)
            report.unknown += 1
            return False
        self._journal.record_failed(row.number, text)
        report.failed += 1
        return isinstance(error, TooManyRequestsError)

    def _count_not_attempted(self, frontier: _Frontier) -> int | None:
        """The rows from where the run stopped that a rerun would send, or ``None``."""
        this_run = self._journal.run
        start = RowPosition(frontier.row + 1, frontier.offset)
        earlier = RowLookup(self._journal.recorded(start.number))
        count = 0
        try:
            for record in self._spreadsheet.records(start):
                if record.blank:
                    continue
                found = earlier.get(record.number)
                # Not journalled at all, or by an earlier run in a state this run would send.
                if found is None or (
                    found.run != this_run
                    and found.state != ACCEPTED
                    and not self._kept_unknown(found.state)
                ):
                    count += 1
        except (KeyboardInterrupt, CsvFormatError, sqlite3.Error):
            return None  # a second Ctrl-C, or what stopped the run: not counted
        return count
