"""``notify bulk``: send one template to every row of a CSV, resumably.

The command opens the spreadsheet (:mod:`.csv_rows`) and the journal (:mod:`.journal`),
works out where to start and checks that the spreadsheet is the one the journal recorded
(:mod:`.resume`), and hands the rows to :class:`.sender.BulkSender`, which reads, paces and
sends them and records each answer in the journal. What is left here is the command's
options, the progress bar and the summary, which reads the journal rather than keeping rows
in memory: counts and the first few rows for people, every row (streamed) with ``--json``.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from notifications_python_client._constants import (
    DEFAULT_BULK_CONCURRENCY,
    DEFAULT_BULK_RATE_PER_MINUTE,
)
from notifications_python_client.notifications import NotificationsAPIClient

from .csv_rows import (
    CsvFormatError,
    NotificationType,
    RowPosition,
    Spreadsheet,
    check_placeholder_columns,
)
from .journal import (
    ACCEPTED,
    FAILED,
    OUTCOME_UNKNOWN,
    BulkJournal,
    JournalMismatchError,
    RecordedRow,
    default_journal_path,
)
from .resume import plan_resume
from .sender import BulkReport, BulkSender, RowTarget
from .session import EXIT_API_ERROR, EXIT_INTERRUPTED, CliSession

#: How many failed or unknown rows the human summary lists (``--json`` lists them all).
LISTED_ROWS = 20


@click.command()
@click.argument(
    "notification_type", metavar="sms|email|letter", type=click.Choice(["sms", "email", "letter"])
)
@click.argument(
    "csv_file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
@click.option("-t", "--template", "template_id", required=True, help="The template's id.")
@click.option("--reference", help="Your own reference, given to every message.")
@click.option("--sms-sender-id", help="Texts: send from this SMS sender instead of the default.")
@click.option(
    "--email-reply-to-id", help="Emails: use this reply-to address instead of the default."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=100),
    default=DEFAULT_BULK_CONCURRENCY,
    show_default=True,
    help="How many messages may be in flight at once.",
)
@click.option(
    "--rate",
    type=click.IntRange(min=1),
    default=DEFAULT_BULK_RATE_PER_MINUTE,
    show_default=True,
    help="At most this many messages a minute (Notify's limit is 3000 by default).",
)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The journal of accepted rows [default: the CSV's name + .journal].",
)
@click.option(
    "--resend-unknown",
    is_flag=True,
    help="Also send rows whose earlier attempt has an unknown outcome (they may arrive twice).",
)
@click.option(
    "--stop-after",
    type=click.IntRange(min=1),
    hidden=True,
    help="Stop as if interrupted once this many rows are accepted (for tests).",
)
@click.option("--json", "json_output", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def bulk(
    session: CliSession,
    notification_type: NotificationType,
    csv_file: Path,
    template_id: str,
    reference: str | None,
    sms_sender_id: str | None,
    email_reply_to_id: str | None,
    concurrency: int,
    rate: int,
    journal_path: Path | None,
    resend_unknown: bool,
    stop_after: int | None,
    json_output: bool,
) -> None:
    """Send a template to every row of CSV_FILE, safely resumable.

    \b
    Columns are matched like a spreadsheet upload to Notify (case, spaces, underscores and
    hyphens are ignored):
      sms     'phone number' plus one column per placeholder
      email   'email address' plus one column per placeholder
      letter  'address line 1' … 'address line 7' (or 'postcode') plus placeholders
    Before anything is sent, the template is fetched and the columns are checked against
    its placeholders, as Notify checks an uploaded spreadsheet.

    Each row is written to the journal (CSV_FILE.journal unless --journal) as it is sent and
    again as soon as Notify answers, so running the same command again after an
    interruption sends only the rows not yet accepted, starting near where it stopped.
    Rows Notify refused are listed with its error text and are tried again by the next
    run. Rows whose answer was lost (a crash, a timeout) may have been sent: they are not
    sent again unless --resend-unknown.

    Ctrl-C (or SIGTERM) stops the run once the messages in flight are answered; a second
    Ctrl-C stops it at once. The spreadsheet is read as it is sent, so any size will do.
    """
    session.json_output = session.json_output or json_output
    if sms_sender_id and notification_type != "sms":
        raise click.UsageError("--sms-sender-id is only for texts")
    if email_reply_to_id and notification_type != "email":
        raise click.UsageError("--email-reply-to-id is only for emails")
    try:
        spreadsheet = Spreadsheet(csv_file, notification_type)
        # Reads the whole file once, fast: a file that is not UTF-8 is refused here, before
        # anything is sent, rather than at the row where it stops being readable.
        estimated_rows = spreadsheet.count_rows()
    except CsvFormatError as error:
        raise click.UsageError(f"{csv_file}: {error}") from None
    except (UnicodeDecodeError, OSError) as error:
        raise click.UsageError(f"cannot read {csv_file}: {error}") from None

    client = session.client()
    try:
        _check_template(
            session, client, template_id, notification_type, csv_file, spreadsheet.headings
        )
        path = journal_path or default_journal_path(csv_file)
        journal = _open_journal(path, template_id, notification_type)
    except BaseException:
        client.close()
        raise
    try:
        plan = plan_resume(spreadsheet, journal, resend_unknown=resend_unknown)
    except (JournalMismatchError, CsvFormatError) as error:
        journal.close()
        client.close()
        raise click.UsageError(str(error)) from None

    target = RowTarget(
        notification_type=notification_type,
        template_id=template_id,
        reference=reference,
        sender_id=sms_sender_id or email_reply_to_id,
    )
    with journal, client:
        sender = BulkSender(
            client,
            target,
            journal,
            spreadsheet,
            concurrency=concurrency,
            rate_per_minute=rate,
            resend_unknown=resend_unknown,
            stop_after=stop_after,
        )
        console = session.stderr()
        with _progress(console, enabled=not session.json_output) as progress:
            task = progress.add_task("Sending", total=estimated_rows)

            def advance(rows: int) -> None:
                progress.advance(task, rows)

            with _stopping_on_signals(sender):
                report = sender.run(plan, on_rows_done=advance)
            if not (report.interrupted or report.not_attempted or report.stopped_because):
                # The estimate counts line breaks; at the end the bar shows what was read.
                progress.update(task, total=progress.tasks[0].completed)
        summary = _Summary(report, journal, spreadsheet)
        if session.json_output:
            summary.write_json(session.stdout().file)
        else:
            summary.print(session.stdout())

    if report.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    if report.failed or summary.unknown or report.stopped_because:
        raise SystemExit(EXIT_API_ERROR)


def _open_journal(path: Path, template_id: str, notification_type: str) -> BulkJournal:
    try:
        return BulkJournal.open(path, template_id=template_id, notification_type=notification_type)
    except (JournalMismatchError, OSError) as error:
        raise click.UsageError(str(error)) from None


@contextmanager
def _stopping_on_signals(sender: BulkSender) -> Iterator[None]:
    """Ctrl-C or SIGTERM stops the run gently the first time, at once the second time.

    The first signal starts no new row and waits for the answers in flight (normally a few
    milliseconds), so that they are journalled rather than left unknown. The second stops
    at once; rows still in flight are journalled as unknown. Either way the summary is
    printed and the journal is left for a rerun.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        if not sender.stop_requested:
            sender.request_stop()
            return
        raise KeyboardInterrupt

    # A signal the program was started ignoring (a background job's Ctrl-C) stays ignored.
    previous = {
        number: signal.signal(number, stop)
        for number in _STOP_SIGNALS
        if signal.getsignal(number) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


#: Ctrl-C, and what a process manager sends to stop a program.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _check_template(
    session: CliSession,
    client: NotificationsAPIClient,
    template_id: str,
    notification_type: NotificationType,
    csv_file: Path,
    headings: list[str],
) -> None:
    """Refuse, before anything is sent, a template that every row would fail the same way.

    Notify checks a spreadsheet's columns against the template before sending any of it;
    the API would instead refuse each row in turn, after some rows had perhaps been sent.
    """
    with session.reporting_errors():
        template = client.get_template(template_id)
    if template.get("type") != notification_type:
        # The API's own words for this mistake (notify-api.md §5.1).
        raise click.UsageError(
            f"{template.get('type')} template is not suitable for {notification_type} notification"
        )
    try:
        check_placeholder_columns(headings, template.get("personalisation") or {})
    except CsvFormatError as error:
        raise click.UsageError(f"{csv_file}: {error}") from None


def _progress(console: Console, *, enabled: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        # Bare times side by side do not say which is which.
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("remaining"),
        console=console,
        disable=not enabled,
        transient=False,
    )


class _Summary:
    """What one run did, read back from the journal at the end of the run."""

    def __init__(self, report: BulkReport, journal: BulkJournal, spreadsheet: Spreadsheet):
        self.report = report
        self._journal = journal
        self._spreadsheet = spreadsheet
        #: Rows whose outcome is unknown, from this run or an earlier one.
        self.unknown = journal.count(OUTCOME_UNKNOWN)

    def failed_rows(self) -> Iterator[tuple[RecordedRow, str]]:
        """This run's failed rows with their recipients, in spreadsheet order."""
        for failed in self._journal.rows_in(FAILED, run=self._journal.run):
            row = self._spreadsheet.row_at(RowPosition(failed.number, failed.offset))
            yield failed, "" if row is None else row.describe_recipient()

    def write_json(self, out: IO[str]) -> None:
        """The summary as ``print_json`` would print it, with every row, written as it is read."""
        journal = self._journal
        fields: dict[str, object] = {
            "journal": str(journal.path),
            "interrupted": self.report.interrupted,
            "sent": self.report.sent,
            "skipped": self.report.skipped,
            "not_attempted": self.report.not_attempted,
            "failed": (
                {"row": failed.number, "recipient": recipient, "error": failed.error or ""}
                for failed, recipient in self.failed_rows()
            ),
            "unknown": (row.number for row in journal.rows_in(OUTCOME_UNKNOWN)),
            "notifications": (
                {"row": row.number, "id": row.notification_id}
                for row in journal.rows_in(ACCEPTED, run=journal.run)
            ),
        }
        if self.report.stopped_because:
            fields["stopped_because"] = self.report.stopped_because
        _write_json(out, fields)

    def print(self, console: Console) -> None:
        report = self.report
        counts = Table.grid(padding=(0, 2))
        counts.add_column(style="bold")
        counts.add_column(justify="right")
        counts.add_row("sent", f"{report.sent:,}")
        counts.add_row("skipped (accepted by an earlier run)", f"{report.skipped:,}")
        counts.add_row("failed", f"{report.failed:,}")
        if self.unknown:
            counts.add_row("unknown outcome (not sent again)", f"{self.unknown:,}")
        if report.not_attempted is None:
            counts.add_row("not attempted", "not counted")
        elif report.not_attempted:
            counts.add_row("not attempted", f"{report.not_attempted:,}")
        console.print(counts)
        if report.failed:
            failures = Table(title="Failed rows", title_justify="left")
            failures.add_column("row", justify="right")
            failures.add_column("recipient", overflow="fold")
            failures.add_column("Notify's error", overflow="fold")
            for failed, recipient in islice(self.failed_rows(), LISTED_ROWS):
                # Text, not markup: a recipient or Notify's message may hold square brackets.
                failures.add_row(str(failed.number), Text(recipient), Text(failed.error or ""))
            console.print(failures)
            if report.failed > LISTED_ROWS:
                console.print(
                    f"… and {report.failed - LISTED_ROWS:,} more failed rows "
                    "(--json lists them all)."
                )
        if self.unknown:
            first_rows = islice(self._journal.rows_in(OUTCOME_UNKNOWN), LISTED_ROWS)
            listed = [str(row.number) for row in first_rows]
            more = self.unknown - len(listed)
            numbers = ", ".join(listed) + (f" and {more:,} more" if more else "")
            console.print(
                f"Rows {numbers}: the request may have reached Notify but no answer came back. "
                "Check with `notify list`, then rerun with --resend-unknown to send them again."
            )
        if report.stopped_because:
            console.print(Text(f"Stopped: {report.stopped_because}"))
        if report.interrupted:
            console.print(
                f"Interrupted. Run the same command again to continue; {self._journal.path} "
                "records the rows already accepted."
            )
        console.print(f"Journal: {self._journal.path}")


def _write_json(out: IO[str], fields: dict[str, object]) -> None:
    """``fields`` as indented JSON with sorted keys, drawing iterators one item at a time."""
    out.write("{")
    for position, key in enumerate(sorted(fields)):
        out.write(("," if position else "") + f"\n  {json.dumps(key)}: ")
        value = fields[key]
        if isinstance(value, Iterable) and not isinstance(value, (str, dict, list)):
            out.write("[")
            written = 0
            for item in value:
                text = json.dumps(item, indent=2, ensure_ascii=False, sort_keys=True)
                out.write(("," if written else "") + "\n    " + text.replace("\n", "\n    "))
                written += 1
            out.write("\n  ]" if written else "]")
        else:
            out.write(json.dumps(value, ensure_ascii=False, sort_keys=True))
    out.write("\n}\n")
