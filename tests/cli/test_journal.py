"""The bulk-send journal: what a rerun learns from an earlier, interrupted run."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from notifications_python_client._cli import journal as journal_module
from notifications_python_client._cli.journal import (
    ACCEPTED,
    FAILED,
    NO_ANSWER_RECORDED,
    UNKNOWN,
    BulkJournal,
    Checkpoint,
    JournalInUseError,
    JournalMismatchError,
    RowLookup,
    default_journal_path,
)

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
OTHER_TEMPLATE_ID = "0f1a5bb4-7c7e-4a0e-9a3f-3c5e5a2d8b10"


def open_journal(path: Path, template_id: str = TEMPLATE_ID) -> BulkJournal:
    return BulkJournal.open(path, template_id=template_id, notification_type="sms")


def states(journal: BulkJournal) -> dict[int, str]:
    return {row.number: row.state for row in journal.recorded()}


def test_the_default_journal_sits_next_to_the_spreadsheet(tmp_path: Path) -> None:
    assert default_journal_path(tmp_path / "people.csv") == tmp_path / "people.csv.journal"


def test_a_new_journal_remembers_nothing(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j") as journal:
        assert states(journal) == {}
        assert journal.checkpoint is None
        assert journal.last_row() is None
        assert journal.run == 1


def test_a_reopened_journal_knows_accepted_failed_and_unknown_rows(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2", 10)
        journal.record_accepted(2, "id-2")
        journal.record_sending(3, "d3", 20)
        journal.record_failed(3, "Missing personalisation: name")
        journal.record_sending(4, "d4", 30)
        journal.record_unknown(4, "503 - Request failed")
        journal.record_sending(5, "d5", 40)  # no answer: the run was killed here

    with open_journal(path) as journal:
        assert journal.run == 2
        assert states(journal) == {2: ACCEPTED, 3: FAILED, 4: UNKNOWN, 5: UNKNOWN}
        two, three, four, five = journal.recorded()
        assert (two.notification_id, two.digest, two.offset, two.run) == ("id-2", "d2", 10, 1)
        assert three.error == "Missing personalisation: name"
        assert four.error == "503 - Request failed"
        # A row left "sending" is journalled as unknown, never as unsent.
        assert five.error == NO_ANSWER_RECORDED
        assert journal.count(UNKNOWN) == 2
        assert journal.count(ACCEPTED, before_row=2) == 0
        assert journal.count(ACCEPTED, before_row=3) == 1


def test_a_failed_row_accepted_by_a_later_run_counts_as_accepted(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2", 10)
        journal.record_failed(2, "Exceeded send limits (sms: 250000) for today")
    with open_journal(path) as journal:
        journal.record_sending(2, "d2", 10)
        journal.record_accepted(2, "id-2")

    with open_journal(path) as journal:
        assert states(journal) == {2: ACCEPTED}
        (row,) = journal.rows_in(ACCEPTED, run=2)
        assert row.error is None
        assert list(journal.rows_in(ACCEPTED, run=1)) == []


def test_rows_are_read_in_order_a_batch_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "_BATCH_ROWS", 3)
    with open_journal(tmp_path / "j") as journal:
        for number in (9, 2, 7, 3, 5, 4, 8):  # sends finish out of order
            journal.record_sending(number, f"d{number}", number * 10)
        journal.record_accepted(7, "id-7")

        assert [row.number for row in journal.recorded()] == [2, 3, 4, 5, 7, 8, 9]
        assert [row.number for row in journal.recorded(5)] == [5, 7, 8, 9]
        lookup = RowLookup(journal.recorded())
        found = [number for number in range(2, 11) if lookup.get(number) is not None]
        assert found == [2, 3, 4, 5, 7, 8, 9]
        first_sending = journal.first_in(["sending"], through_row=9)
        assert first_sending is not None
        assert first_sending.number == 2
        assert journal.first_in([ACCEPTED], through_row=6) is None
        assert journal.last_row() == 9


def test_the_checkpoint_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.save_checkpoint(Checkpoint(row=7, offset=123, sha256="ab" * 32))
    with open_journal(path) as journal:
        assert journal.checkpoint == Checkpoint(7, 123, "ab" * 32)


def test_a_journal_of_another_template_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    open_journal(path).close()

    with pytest.raises(JournalMismatchError, match="template_id"):
        open_journal(path, template_id=OTHER_TEMPLATE_ID)
    # The refused run left no trace: the next real run is the second.
    with open_journal(path) as journal:
        assert journal.run == 2


def test_a_journal_in_use_by_another_run_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2", 10)
        with pytest.raises(JournalInUseError, match="in use by another bulk run"):
            open_journal(path)
        journal.record_accepted(2, "id-2")
    with open_journal(path) as journal:
        assert states(journal) == {2: ACCEPTED}


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text('{"hello": "world"}\n', encoding="utf-8")

    with pytest.raises(JournalMismatchError, match="not a bulk-send journal"):
        open_journal(path)
    assert path.read_text(encoding="utf-8") == '{"hello": "world"}\n'


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "accounts.db"
    with contextlib.closing(sqlite3.connect(path)) as database:
        database.execute("CREATE TABLE accounts (name TEXT)")
        database.commit()
    before = path.read_bytes()

    with pytest.raises(JournalMismatchError, match="not a bulk-send journal"):
        open_journal(path)
    assert path.read_bytes() == before
    assert sorted(item.name for item in tmp_path.iterdir()) == ["accounts.db"]
