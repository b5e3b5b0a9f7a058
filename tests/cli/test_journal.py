"""The bulk-send journal: what a rerun learns from an earlier, interrupted run."""

from __future__ import annotations

from pathlib import Path

import pytest

from notifications_python_client._cli.journal import (
    BulkJournal,
    JournalMismatchError,
    default_journal_path,
)

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
OTHER_TEMPLATE_ID = "0f1a5bb4-7c7e-4a0e-9a3f-3c5e5a2d8b10"


def open_journal(path: Path, template_id: str = TEMPLATE_ID) -> BulkJournal:
    return BulkJournal.open(path, template_id=template_id, notification_type="sms")


def test_the_default_journal_sits_next_to_the_spreadsheet(tmp_path: Path) -> None:
    assert default_journal_path(tmp_path / "people.csv") == tmp_path / "people.csv.journal"


def test_a_new_journal_remembers_nothing(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j") as journal:
        assert journal.previous.accepted == {}
        assert journal.previous.unknown == set()


def test_a_reopened_journal_knows_accepted_failed_and_unknown_rows(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2")
        journal.record_accepted(2, "id-2")
        journal.record_sending(3, "d3")
        journal.record_failed(3, "Missing personalisation: name")
        journal.record_sending(4, "d4")  # no answer: the run stopped here

    with open_journal(path) as journal:
        assert journal.previous.accepted == {2: "id-2"}
        assert journal.previous.failed == {3: "Missing personalisation: name"}
        assert journal.previous.unknown == {4}


def test_a_failed_row_accepted_by_a_later_run_counts_as_accepted(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2")
        journal.record_failed(2, "Exceeded send limits (sms: 250000) for today")
    with open_journal(path) as journal:
        journal.record_sending(2, "d2")
        journal.record_accepted(2, "id-2")

    with open_journal(path) as journal:
        assert journal.previous.accepted == {2: "id-2"}
        assert journal.previous.failed == {}


def test_a_line_cut_short_by_a_crash_is_ignored_and_removed(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "d2")
        journal.record_accepted(2, "id-2")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"kind":"accepted","row":3,"i')

    with open_journal(path) as journal:
        assert journal.previous.accepted == {2: "id-2"}
        journal.record_sending(3, "d3")
    # The torn line was dropped, so the file is whole JSON lines again.
    assert path.read_text(encoding="utf-8").splitlines()[-1] == (
        '{"kind":"sending","row":3,"digest":"d3"}'
    )


def test_a_journal_of_another_template_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    open_journal(path).close()

    with pytest.raises(JournalMismatchError, match="template_id"):
        open_journal(path, template_id=OTHER_TEMPLATE_ID)


def test_a_row_whose_content_changed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with open_journal(path) as journal:
        journal.record_sending(2, "before")
        journal.record_accepted(2, "id-2")

    with open_journal(path) as journal:
        journal.check_rows([(2, "before"), (3, "new row")])
        with pytest.raises(JournalMismatchError, match="Row 2 has changed"):
            journal.check_rows([(2, "after")])


def test_a_file_that_is_not_a_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text('{"hello": "world"}\n', encoding="utf-8")

    with pytest.raises(JournalMismatchError, match="not a bulk-send journal"):
        open_journal(path)
