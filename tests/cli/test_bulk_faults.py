"""``notify bulk`` meeting the emulator's faults: a lost answer is journalled as unknown and never
sent twice unless asked; a per-minute 429 is waited out."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from notify_emulator.pytest_plugin import NotifyEmulator

from .conftest import NotifyCli
from .test_bulk import bulk_sms, journal_states, phone, received_counts, write_people

SMS = "/v2/notifications/sms"


def test_a_lost_answer_is_journalled_as_unknown_and_not_resent(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 3)
    # The second person's row (row 3) is sent, but its answer never arrives.
    notify_emulator.add_fault(
        match={"path": SMS, "recipient": phone(1)}, action={"drop": "after"}, times=1
    )

    outcome = bulk_sms(notify_cli, csv_path, "--json")

    assert outcome.exit_code == 1, outcome.output
    summary = outcome.json()
    assert (summary["sent"], summary["unknown"], summary["failed"]) == (2, [3], [])
    # It did reach Notify, exactly once.
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(3))
    states = journal_states(tmp_path / "people.csv.journal")
    assert states[3] == "unknown"  # sent, never answered

    # Run again: the unknown row is reported, not sent a second time.
    again = bulk_sms(notify_cli, csv_path, "--json")
    assert again.json()["unknown"] == [3]
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(3))


def test_a_server_error_on_a_send_is_an_unknown_outcome_too(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    # Notify may fail after storing a message, so a 5xx leaves the row's outcome unknown;
    # here nothing was stored, and --resend-unknown sends it.
    csv_path = write_people(tmp_path, 2)
    notify_emulator.add_fault(match={"recipient": phone(0)}, action={"status": 500})

    first = bulk_sms(notify_cli, csv_path, "--json").json()

    assert (first["sent"], first["unknown"], first["failed"]) == (1, [2], [])
    assert received_counts(notify_emulator) == Counter([phone(1)])
    second = bulk_sms(notify_cli, csv_path, "--json", "--resend-unknown").json()
    assert (second["sent"], second["skipped"], second["unknown"]) == (1, 1, [])
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(2))


def test_a_per_minute_429_is_retried(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 2)
    notify_emulator.add_fault(match={"path": SMS}, action={"error": "RateLimitError"}, times=1)

    outcome = bulk_sms(notify_cli, csv_path, "--json")

    assert outcome.exit_code == 0, outcome.output
    assert outcome.json()["sent"] == 2
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(2))
    assert notify_emulator.faults() == []
