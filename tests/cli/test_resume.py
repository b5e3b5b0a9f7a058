"""Where a resumed bulk run starts, and the check that its spreadsheet is the one journalled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from notifications_python_client._cli.csv_rows import Record, RowPosition, Spreadsheet
from notifications_python_client._cli.journal import (
    ACCEPTED,
    FAILED,
    UNKNOWN,
    BulkJournal,
    Checkpoint,
    JournalMismatchError,
)
from notifications_python_client._cli.resume import plan_resume

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


class WatchedSpreadsheet(Spreadsheet):
    """A spreadsheet that notes the first row of every read of its records."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "sms")
        self.reads_from: list[int] = []

    def records(self, start: RowPosition | None = None) -> Iterator[Record]:
        self.reads_from.append((start or self.first_row).number)
        return super().records(start)


def people(count: int, *, changed: dict[int, str] | None = None, newline: str = "\n") -> str:
    """A spreadsheet of ``count`` people; ``changed`` replaces the name on some rows."""
    lines = ["phone number,name"]
    for number in range(2, count + 2):
        name = (changed or {}).get(number, f"Person {number}")
        lines.append(f"07700900{number:03d},{name}")
    return newline.join(lines) + newline


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def journal_run(
    path: Path, csv_path: Path, outcomes: dict[int, str], *, checkpoint_through: int | None
) -> None:
    """Journal what a run would have: each row's send and answer, and a checkpoint."""
    spreadsheet = Spreadsheet(csv_path, "sms")
    with BulkJournal.open(path, template_id=TEMPLATE_ID, notification_type="sms") as journal:
        for record in spreadsheet.records():
            if record.number in outcomes:
                row = spreadsheet.row(record)
                journal.record_sending(record.number, row.digest(), record.start)
                outcome = outcomes[record.number]
                if outcome == ACCEPTED:
                    journal.record_accepted(record.number, f"id-{record.number}")
                elif outcome == FAILED:
                    journal.record_failed(record.number, "refused")
                elif outcome == UNKNOWN:
                    journal.record_unknown(record.number, "503 - Request failed")
            if record.number == checkpoint_through:
                sha256 = spreadsheet.prefix_hash().through(record.end)
                assert sha256 is not None
                journal.save_checkpoint(Checkpoint(record.number, record.end, sha256))


def resume(
    journal_path: Path, csv_path: Path, *, resend_unknown: bool = False
) -> tuple[RowPosition, int, int, WatchedSpreadsheet]:
    spreadsheet = WatchedSpreadsheet(csv_path)
    with BulkJournal.open(journal_path, template_id=TEMPLATE_ID, notification_type="sms") as j:
        plan = plan_resume(spreadsheet, j, resend_unknown=resend_unknown)
    return plan.start, plan.accepted_before, plan.checkpoint_row, spreadsheet


def position_of(csv_path: Path, number: int) -> RowPosition:
    record = next(r for r in Spreadsheet(csv_path, "sms").records() if r.number == number)
    return RowPosition(record.number, record.start)


def accepted(*numbers: int) -> dict[int, str]:
    return dict.fromkeys(numbers, ACCEPTED)


def test_a_first_run_starts_at_the_first_row(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(5))

    start, before, checkpoint_row, _ = resume(tmp_path / "j", csv_path)

    assert start == Spreadsheet(csv_path, "sms").first_row == position_of(csv_path, 2)
    assert (before, checkpoint_row) == (0, 0)


def test_a_resumed_run_starts_after_the_checkpoint_without_reading_the_rows_above_it(
    tmp_path: Path,
) -> None:
    csv_path = write(tmp_path / "people.csv", people(10))
    journal_run(tmp_path / "j", csv_path, accepted(*range(2, 9)), checkpoint_through=8)

    start, before, checkpoint_row, spreadsheet = resume(tmp_path / "j", csv_path)

    assert start == position_of(csv_path, 9)
    assert (before, checkpoint_row) == (7, 8)
    assert all(first >= 9 for first in spreadsheet.reads_from)


def test_rows_journalled_after_the_checkpoint_are_compared_and_then_skipped(
    tmp_path: Path,
) -> None:
    # Killed after rows 7 and 8 were sent but before the checkpoint moved past row 6.
    csv_path = write(tmp_path / "people.csv", people(10))
    journal_run(tmp_path / "j", csv_path, accepted(*range(2, 9)), checkpoint_through=6)

    start, before, _, spreadsheet = resume(tmp_path / "j", csv_path)

    assert start == position_of(csv_path, 7)
    assert before == 5
    assert min(spreadsheet.reads_from) == 7

    write(csv_path, people(10, changed={8: "Someone else"}))
    with pytest.raises(JournalMismatchError, match="Row 8 has changed"):
        resume(tmp_path / "j", csv_path)


def test_a_failed_row_above_the_checkpoint_is_where_the_run_starts(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(10))
    outcomes = {**accepted(*range(2, 9)), 4: FAILED}
    journal_run(tmp_path / "j", csv_path, outcomes, checkpoint_through=8)

    start, before, _, _ = resume(tmp_path / "j", csv_path)

    assert start == position_of(csv_path, 4)
    assert before == 2


def test_unknown_rows_are_where_the_run_starts_only_when_resent(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(10))
    outcomes = {**accepted(*range(2, 9)), 5: UNKNOWN}
    journal_run(tmp_path / "j", csv_path, outcomes, checkpoint_through=8)

    assert resume(tmp_path / "j", csv_path)[0] == position_of(csv_path, 9)
    assert resume(tmp_path / "j", csv_path, resend_unknown=True)[0] == position_of(csv_path, 5)


@pytest.mark.parametrize(
    "edited",
    [
        people(10, changed={3: "Someone else"}),
        # A row inserted at the top moves everyone down one.
        people(10).replace("phone number,name\n", "phone number,name\n07700900999,New\n"),
    ],
    ids=["changed", "inserted"],
)
def test_an_edit_above_the_checkpoint_is_refused(tmp_path: Path, edited: str) -> None:
    csv_path = write(tmp_path / "people.csv", people(10))
    journal_run(tmp_path / "j", csv_path, accepted(*range(2, 9)), checkpoint_through=8)
    write(csv_path, edited)

    with pytest.raises(JournalMismatchError, match="has changed since"):
        resume(tmp_path / "j", csv_path)


def test_the_same_rows_saved_again_differently_are_compared_row_by_row(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(10))
    journal_run(tmp_path / "j", csv_path, accepted(*range(2, 9)), checkpoint_through=8)
    write(csv_path, people(10, newline="\r\n"))  # as a spreadsheet program on Windows saves it

    start, before, checkpoint_row, spreadsheet = resume(tmp_path / "j", csv_path)

    assert start == Spreadsheet(csv_path, "sms").first_row
    assert (before, checkpoint_row) == (0, 0)
    assert spreadsheet.reads_from == [2]


def test_a_corrected_failed_row_can_be_resumed(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(6))
    journal_run(tmp_path / "j", csv_path, {**accepted(2, 4), 3: FAILED}, checkpoint_through=4)
    write(csv_path, people(6, changed={3: "Corrected"}))

    start, _, _, _ = resume(tmp_path / "j", csv_path)

    assert start == Spreadsheet(csv_path, "sms").first_row


def test_rows_added_at_the_end_after_a_finished_run_are_where_it_starts(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "people.csv", people(4))
    journal_run(tmp_path / "j", csv_path, accepted(2, 3, 4, 5), checkpoint_through=5)
    write(csv_path, people(7))

    start, before, _, _ = resume(tmp_path / "j", csv_path)

    assert start == position_of(csv_path, 6)
    assert before == 4


def test_a_line_break_that_grew_at_the_checkpoint_is_noticed(tmp_path: Path) -> None:
    # Carriage returns only (an old Mac export). Adding a line feed after row 4's return
    # keeps the bytes up to the checkpoint but makes the next row start a byte later.
    csv_path = write(tmp_path / "people.csv", people(6, newline="\r"))
    journal_run(tmp_path / "j", csv_path, accepted(2, 3, 4), checkpoint_through=4)
    text = people(6, newline="\r")
    row_four = text.index("07700900004")
    row_four_end = text.index("\r", row_four) + 1
    write(csv_path, text[:row_four_end] + "\n" + text[row_four_end:])

    start, _, checkpoint_row, _ = resume(tmp_path / "j", csv_path)

    assert checkpoint_row == 0  # the checkpoint was not trusted: every row was compared
    assert start == Spreadsheet(csv_path, "sms").first_row
