"""Where a bulk run starts reading, and the check that the spreadsheet is the one journalled.

Rows are identified by their number, so a row inserted or deleted above them would make a
rerun skip the wrong people. Before anything is sent, every row an earlier run sent (or may
have sent) is therefore compared with the spreadsheet as it is now, unless the journal's
checkpoint shows that the spreadsheet still starts with exactly the bytes those rows were
read from. Then only the few rows journalled after the checkpoint are read and compared, and
reading starts at the first row that still needs sending — near where the earlier run
stopped — so resuming takes about as long as starting, however large the spreadsheet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .csv_rows import PrefixHash, RowPosition, Spreadsheet
from .journal import ACCEPTED, FAILED, UNKNOWN, BulkJournal, JournalMismatchError, RecordedRow


@dataclass(frozen=True)
class ResumePlan:
    """Where this run starts reading and what it knows about the rows before that."""

    start: RowPosition
    #: Rows before ``start`` that an earlier run got accepted (this run skips them).
    accepted_before: int
    #: The SHA-256 of the spreadsheet's first bytes as far as it has been hashed, to extend
    #: for this run's checkpoints.
    prefix: PrefixHash
    #: The row up to which the journal's checkpoint holds for the spreadsheet as it is now
    #: (0: it does not hold, or there is none).
    checkpoint_row: int = 0


def plan_resume(
    spreadsheet: Spreadsheet, journal: BulkJournal, *, resend_unknown: bool
) -> ResumePlan:
    """Check the spreadsheet against the journal and decide where this run starts.

    :raises JournalMismatchError: a row an earlier run sent, or may have sent, has changed
    """
    prefix = spreadsheet.prefix_hash()
    checkpoint = journal.checkpoint
    if checkpoint is not None and _starts_unchanged(prefix, checkpoint.offset, checkpoint.sha256):
        after_checkpoint = RowPosition(checkpoint.row + 1, checkpoint.offset)
        _compare(spreadsheet, journal, after_checkpoint)
        wanted = (FAILED, UNKNOWN) if resend_unknown else (FAILED,)
        first = journal.first_in(wanted, through_row=checkpoint.row)
        start = after_checkpoint if first is None else RowPosition(first.number, first.offset)
        checkpoint_row = checkpoint.row
    else:
        _compare(spreadsheet, journal, spreadsheet.first_row)
        start = spreadsheet.first_row
        checkpoint_row = 0
    return ResumePlan(
        start=start,
        accepted_before=journal.count(ACCEPTED, before_row=start.number),
        prefix=prefix,
        checkpoint_row=checkpoint_row,
    )


def _starts_unchanged(prefix: PrefixHash, offset: int, sha256: str) -> bool:
    if prefix.through(offset) != sha256:
        return False
    # The same bytes, but a line break turned from CR into CR LF would end that row one byte
    # later and number every row after it one higher.
    if offset == 0:
        return True
    return not (prefix.byte_at(offset - 1) == b"\r" and prefix.byte_at(offset) == b"\n")


def _compare(spreadsheet: Spreadsheet, journal: BulkJournal, start: RowPosition) -> None:
    """Refuse if a journalled row from ``start`` on that was sent, or may have been, changed.

    A failed row was not sent, so correcting it before a rerun is expected. Reading stops at
    the last journalled row.
    """
    recorded = _sent_or_maybe_sent(journal.recorded(start.number))
    expected = next(recorded, None)
    if expected is None:
        return
    for record in spreadsheet.records(start):
        if record.number < expected.number:
            continue
        # Blank now: nobody will be sent anything from this row, so nobody is sent twice.
        if not record.blank and spreadsheet.row(record).digest() != expected.digest:
            raise JournalMismatchError(
                f"Row {record.number} has changed since {journal.path} recorded it: the "
                "spreadsheet was edited after an earlier run. Resume with the spreadsheet as "
                "it was, or start again with another --journal file"
            )
        expected = next(recorded, None)
        if expected is None:
            return


def _sent_or_maybe_sent(rows: Iterator[RecordedRow]) -> Iterator[RecordedRow]:
    return (row for row in rows if row.state in (ACCEPTED, UNKNOWN))
