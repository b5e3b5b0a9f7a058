"""``notify bulk``: send one template to every row of a CSV, resumably.

The command reads the spreadsheet (:mod:`.csv_rows`), opens the journal (:mod:`.journal`),
leaves out the rows an earlier run already got accepted, and hands the rest to
:class:`.sender.BulkSender`, which paces and sends them and records each answer in the
journal. What is left here is the command's options, the progress bar and the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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

from . import render
from .csv_rows import (
    CsvFormatError,
    NotificationType,
    check_placeholder_columns,
    read_bulk_rows,
    read_headings,
)
from .journal import BulkJournal, JournalMismatchError, default_journal_path
from .sender import BulkReport, BulkSender, RowTarget
from .session import EXIT_API_ERROR, EXIT_INTERRUPTED, CliSession


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
    again as soon as Notify accepts it, so running the same command again after an
    interruption sends only the rows not yet accepted. Rows Notify refused are listed with
    its error text and are tried again by the next run. Rows whose answer was lost (a
    crash, a timeout) may have been sent: they are not sent again unless --resend-unknown.
    """
    session.json_output = session.json_output or json_output
    if sms_sender_id and notification_type != "sms":
        raise click.UsageError("--sms-sender-id is only for texts")
    if email_reply_to_id and notification_type != "email":
        raise click.UsageError("--email-reply-to-id is only for emails")
    try:
        rows = read_bulk_rows(csv_file, notification_type)
        headings = read_headings(csv_file)
    except CsvFormatError as error:
        raise click.UsageError(f"{csv_file}: {error}") from None
    except (UnicodeDecodeError, OSError) as error:
        raise click.UsageError(f"cannot read {csv_file}: {error}") from None

    client = session.client()
    try:
        _check_template(session, client, template_id, notification_type, csv_file, headings)
    except BaseException:
        client.close()
        raise
    path = journal_path or default_journal_path(csv_file)
    try:
        journal = BulkJournal.open(
            path, template_id=template_id, notification_type=notification_type
        )
    except (JournalMismatchError, ValueError, OSError) as error:
        raise click.UsageError(str(error)) from None
    try:
        journal.check_rows((row.number, row.digest()) for row in rows)
    except JournalMismatchError as error:
        journal.close()
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
            concurrency=concurrency,
            rate_per_minute=rate,
            resend_unknown=resend_unknown,
            stop_after=stop_after,
        )
        console = session.stderr()
        with _progress(console, enabled=not session.json_output) as progress:
            task = progress.add_task("Sending", total=len(rows))

            def advance() -> None:
                progress.advance(task)

            report = sender.run(rows, on_row_done=advance)

    if session.json_output:
        render.print_json(session.stdout(), _report_as_dict(report, path))
    else:
        _print_summary(session.stdout(), report, path)
    if report.interrupted:
        raise SystemExit(EXIT_INTERRUPTED)
    if report.failed or report.unknown:
        raise SystemExit(EXIT_API_ERROR)


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


def _report_as_dict(report: BulkReport, journal_path: Path) -> dict[str, Any]:
    report.sort()
    return {
        "journal": str(journal_path),
        "interrupted": report.interrupted,
        "sent": len(report.sent),
        "skipped": len(report.skipped),
        "failed": [
            {"row": row.number, "recipient": row.describe_recipient(), "error": error}
            for row, error in report.failed
        ],
        "unknown": [row.number for row in report.unknown],
        "notifications": [
            {"row": row.number, "id": notification_id} for row, notification_id in report.sent
        ],
    }


def _print_summary(console: Console, report: BulkReport, journal_path: Path) -> None:
    report.sort()
    counts = Table.grid(padding=(0, 2))
    counts.add_column(style="bold")
    counts.add_column(justify="right")
    counts.add_row("sent", str(len(report.sent)))
    counts.add_row("skipped (accepted by an earlier run)", str(len(report.skipped)))
    counts.add_row("failed", str(len(report.failed)))
    if report.unknown:
        counts.add_row("unknown outcome (not sent again)", str(len(report.unknown)))
    if report.not_attempted:
        counts.add_row("not attempted", str(report.not_attempted))
    console.print(counts)
    if report.failed:
        failures = Table(title="Failed rows", title_justify="left")
        failures.add_column("row", justify="right")
        failures.add_column("recipient", overflow="fold")
        failures.add_column("Notify's error", overflow="fold")
        for row, error in report.failed:
            # Text, not markup: a recipient or Notify's message may hold square brackets.
            failures.add_row(str(row.number), Text(row.describe_recipient()), Text(error))
        console.print(failures)
    if report.unknown:
        numbers = ", ".join(str(row.number) for row in report.unknown)
        console.print(
            f"Rows {numbers}: the request may have reached Notify but no answer came back. "
            "Check with `notify list`, then rerun with --resend-unknown to send them again."
        )
    if report.interrupted:
        console.print(
            f"Interrupted. Run the same command again to continue; {journal_path} "
            "records the rows already accepted."
        )
    console.print(f"Journal: {journal_path}")
