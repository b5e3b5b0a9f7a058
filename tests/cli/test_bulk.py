"""``notify bulk``: sending a spreadsheet, the journal, and resuming without duplicates."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from notifications_python_client._cli.bulk import LISTED_ROWS
from notifications_python_client._cli.csv_rows import Spreadsheet, read_bulk_rows
from notifications_python_client._cli.journal import BulkJournal
from notifications_python_client.cli import notify
from notify_emulator.demo import service as demo_service
from notify_emulator.pytest_plugin import NotifyEmulator

from ..client.fakenotify import API_KEY as FAKE_API_KEY
from ..client.fakenotify import TEMPLATE_ID as FAKE_TEMPLATE_ID
from ..client.fakenotify import FakeNotify, Received, Reply, error_reply
from .conftest import CliOutcome, NotifyCli, emulator_notifications

SMS_TEMPLATE = demo_service.SMS_TEMPLATE_ID
EMAIL_TEMPLATE = demo_service.EMAIL_TEMPLATE_ID
LETTER_TEMPLATE = demo_service.LETTER_TEMPLATE_ID
# How long the kill test waits, at most, for the subprocess to get rows accepted.
SUBPROCESS_WAIT_SECONDS = 60


def phone(index: int) -> str:
    # 07700 900xxx is Ofcom's drama range; 300 upwards avoids Notify's smoke-test numbers.
    return f"07700900{300 + index:03d}"


def write_people(tmp_path: Path, count: int, *, bad_rows: tuple[int, ...] = ()) -> Path:
    """A texts spreadsheet of ``count`` people; rows numbered as Notify does (first data row 2)."""
    lines = ["Phone Number,name"]
    for index in range(count):
        number = "123" if index + 2 in bad_rows else phone(index)
        lines.append(f"{number},Person {index}")
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def recipient(item: dict[str, Any]) -> str:
    for key in ("phone_number", "email_address", "to", "recipient"):
        if item.get(key):
            return str(item[key])
    raise AssertionError(f"no recipient in {item}")


def received_counts(emulator: NotifyEmulator) -> Counter[str]:
    """How many times the emulator received each recipient."""
    return Counter(recipient(item) for item in emulator_notifications(emulator))


def journal_states(path: Path) -> dict[int, str]:
    """Each journalled row's state, read straight from the SQLite file (no run has it open)."""
    with contextlib.closing(sqlite3.connect(path)) as database:
        return dict(database.execute("SELECT row, state FROM rows ORDER BY row"))


def journal_ids(path: Path) -> dict[int, str]:
    with contextlib.closing(sqlite3.connect(path)) as database:
        query = "SELECT row, notification_id FROM rows WHERE state = 'accepted'"
        return dict(database.execute(query))


def bulk_sms(notify_cli: NotifyCli, csv_path: Path, *extra: str) -> Any:
    return notify_cli("bulk", "sms", "--template", SMS_TEMPLATE, str(csv_path), *extra)


def test_bulk_sends_every_row_and_journals_each_acceptance(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 4)

    outcome = bulk_sms(notify_cli, csv_path, "--json")

    assert outcome.exit_code == 0, outcome.output
    summary = outcome.json()
    assert (summary["sent"], summary["skipped"], summary["failed"]) == (4, 0, [])
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(4))
    accepted = journal_ids(tmp_path / "people.csv.journal")
    assert accepted == {item["row"]: item["id"] for item in summary["notifications"]}
    assert sorted(accepted) == [2, 3, 4, 5]
    bodies = {item["body"] for item in notify_emulator.sent()}
    assert "Hello Person 0, this is a demo text." in bodies


def test_failed_rows_are_listed_with_notifys_error_text(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 3, bad_rows=(3,))

    human = bulk_sms(notify_cli, csv_path)

    assert human.exit_code == 1
    assert "Failed rows" in human.stdout
    # The same error Notify gives for that number when sent on its own, described as
    # `notify send` describes it.
    direct = notify_cli("send", "sms", "123", "-t", SMS_TEMPLATE, "-p", "name=x", "--json").json()
    (entry,) = direct["errors"]
    assert f"400 {entry['error']}: {entry['message']}" in human.stdout
    assert sorted(received_counts(notify_emulator)) == [phone(0), phone(2)]


def test_a_rerun_retries_only_the_failed_rows(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 3, bad_rows=(3,))
    first = bulk_sms(notify_cli, csv_path, "--json").json()
    assert [item["row"] for item in first["failed"]] == [3]
    write_people(tmp_path, 3)  # the bad number is corrected

    second = bulk_sms(notify_cli, csv_path, "--json")

    assert second.exit_code == 0, second.output
    assert (second.json()["sent"], second.json()["skipped"]) == (1, 2)
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(3))


def test_an_interrupted_run_resumes_without_sending_a_row_twice(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 6)

    stopped = bulk_sms(notify_cli, csv_path, "--concurrency", "1", "--stop-after", "2")
    assert stopped.exit_code == 130
    assert "Run the same command again to continue" in stopped.stdout
    assert len(received_counts(notify_emulator)) == 2

    resumed = bulk_sms(notify_cli, csv_path, "--json")

    assert resumed.exit_code == 0, resumed.output
    assert (resumed.json()["sent"], resumed.json()["skipped"]) == (4, 2)
    assert received_counts(notify_emulator) == Counter(phone(index) for index in range(6))

    again = bulk_sms(notify_cli, csv_path, "--json")

    assert (again.json()["sent"], again.json()["skipped"]) == (0, 6)
    assert sum(received_counts(notify_emulator).values()) == 6


def start_bulk_process(
    emulator: NotifyEmulator, csv_path: Path, *extra: str
) -> subprocess.Popen[str]:
    """``notify bulk sms`` in a process of its own, so that it can be signalled or killed."""
    environment = {
        **os.environ,
        "NOTIFY_API_KEY": emulator.api_key,
        "NOTIFY_BASE_URL": emulator.base_url,
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "notifications_python_client.cli"]
    command += ["bulk", "sms", "-t", SMS_TEMPLATE, str(csv_path), *extra]
    return subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def wait_for_received(process: subprocess.Popen[str], emulator: NotifyEmulator, count: int) -> None:
    """Poll the emulator until it has ``count`` notifications (the process keeps sending).

    The journal itself cannot be read meanwhile: a run holds it locked.
    """
    deadline = time.monotonic() + SUBPROCESS_WAIT_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        if len(emulator_notifications(emulator)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"the emulator never received {count} notifications")


def test_a_run_killed_mid_send_resumes_without_duplicates(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    rows = 30
    csv_path = write_people(tmp_path, rows)
    process = start_bulk_process(notify_emulator, csv_path, "--rate", "600", "--concurrency", "2")
    try:
        wait_for_received(process, notify_emulator, 5)
    finally:
        process.kill()  # SIGKILL: no chance to tidy up
        process.communicate()
    before = received_counts(notify_emulator)
    assert 5 <= sum(before.values()) < rows

    resumed = bulk_sms(notify_cli, csv_path, "--json")

    summary = resumed.json()
    after = received_counts(notify_emulator)
    assert max(after.values()) == 1, "a row was sent twice"
    unknown = {phone(row - 2) for row in summary["unknown"]}
    # Rows killed between "sending" and Notify's answer are reported, not resent; every other
    # row arrived exactly once.
    assert set(after) | unknown == {phone(index) for index in range(rows)}
    assert summary["skipped"] + summary["sent"] + len(unknown) == rows


def test_an_edited_spreadsheet_is_not_resumed(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 3)
    assert (
        bulk_sms(notify_cli, csv_path, "--stop-after", "1", "--concurrency", "1").exit_code == 130
    )
    csv_path.write_text("phone number,name\n07700900999,Someone new\n", encoding="utf-8")

    outcome = bulk_sms(notify_cli, csv_path)

    assert outcome.exit_code == 2
    assert "Row 2 has changed" in outcome.output
    assert sum(received_counts(notify_emulator).values()) == 1


def test_a_journal_for_another_template_is_refused(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 1)
    assert bulk_sms(notify_cli, csv_path).exit_code == 0
    (tmp_path / "emails.csv").write_text("email address,name\na@example.com,A\n", encoding="utf-8")

    outcome = notify_cli(
        "bulk",
        "email",
        "-t",
        EMAIL_TEMPLATE,
        str(tmp_path / "emails.csv"),
        "--journal",
        str(tmp_path / "people.csv.journal"),
    )

    assert outcome.exit_code == 2
    assert "template_id" in outcome.output


def test_bulk_emails_with_an_explicit_journal(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = tmp_path / "emails.csv"
    csv_path.write_text(
        "Email_Address,NAME\na@example.com,Ada\nb@example.com,Bo\n", encoding="utf-8"
    )
    journal = tmp_path / "elsewhere.journal"

    outcome = notify_cli(
        "bulk",
        "email",
        "-t",
        EMAIL_TEMPLATE,
        str(csv_path),
        "--journal",
        str(journal),
        "--reference",
        "batch-7",
        "--email-reply-to-id",
        demo_service.EMAIL_REPLY_TO_ID,
    )

    assert outcome.exit_code == 0, outcome.output
    assert "sent" in outcome.stdout
    assert journal.exists()
    assert not (tmp_path / "emails.csv.journal").exists()
    sent = notify_emulator.sent()
    assert {item["email_address"] for item in sent} == {"a@example.com", "b@example.com"}
    assert {item["reference"] for item in sent} == {"batch-7"}
    assert {item["subject"] for item in sent} == {"Hello Ada", "Hello Bo"}


def test_bulk_letters_from_address_columns(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = tmp_path / "letters.csv"
    csv_path.write_text(
        "address line 1,Address_Line_2,address line 3,postcode,name\n"
        "A Person,1 Street,London,SW1A 1AA,Ada\n",
        encoding="utf-8",
    )

    outcome = notify_cli("bulk", "letter", "-t", LETTER_TEMPLATE, str(csv_path), "--json")

    assert outcome.exit_code == 0, outcome.output
    (sent,) = notify_emulator.sent()
    assert (sent["line_1"], sent["line_3"], sent["postcode"]) == ("A Person", "London", "SW1A 1AA")


def test_a_spreadsheet_without_the_recipient_column_sends_nothing(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("mobile,name\n07700900301,A\n", encoding="utf-8")

    outcome = bulk_sms(notify_cli, csv_path)

    assert outcome.exit_code == 2
    assert "'phone number' column" in outcome.output
    assert notify_emulator.sent() == []
    assert not (tmp_path / "people.csv.journal").exists()


def test_a_spreadsheet_without_a_column_for_a_placeholder_sends_nothing(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    # The demo text is "Hello ((name)), this is a demo text."
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("phone number,first name\n07700900301,A\n07700900302,B\n", "utf-8")

    outcome = bulk_sms(notify_cli, csv_path)

    assert outcome.exit_code == 2
    assert (
        "Your file is missing some columns. The column names need to match the double "
        "brackets in your template. Your file is missing a column called ‘name’."
    ) in " ".join(outcome.stderr.split())
    assert notify_emulator.sent() == []
    assert not (tmp_path / "people.csv.journal").exists()


def test_a_template_of_another_type_sends_nothing(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 2)

    outcome = notify_cli("bulk", "sms", "-t", EMAIL_TEMPLATE, str(csv_path))

    assert outcome.exit_code == 2
    assert "email template is not suitable for sms notification" in outcome.stderr
    assert notify_emulator.sent() == []
    assert not (tmp_path / "people.csv.journal").exists()


def test_a_template_that_does_not_exist_sends_nothing(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 2)

    outcome = notify_cli("bulk", "sms", "-t", "6d0d3f36-6f8e-4b1c-9d55-7a0b9e1a2c3d", str(csv_path))

    assert outcome.exit_code == 1
    assert "404 NoResultFound: No result found" in outcome.stderr
    assert notify_emulator.sent() == []
    assert not (tmp_path / "people.csv.journal").exists()


def test_sender_options_must_match_the_type(notify_cli: NotifyCli, tmp_path: Path) -> None:
    outcome = bulk_sms(
        notify_cli, write_people(tmp_path, 1), "--email-reply-to-id", demo_service.EMAIL_REPLY_TO_ID
    )

    assert outcome.exit_code == 2
    assert "only for emails" in outcome.output


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stopped_run_ends_cleanly_and_the_rerun_sends_the_rest_once(
    notify_emulator: NotifyEmulator, notify_cli: NotifyCli, tmp_path: Path, stop: signal.Signals
) -> None:
    rows = 20
    csv_path = write_people(tmp_path, rows)
    process = start_bulk_process(notify_emulator, csv_path, "--rate", "300")
    try:
        wait_for_received(process, notify_emulator, 2)
        process.send_signal(stop)
        output, _ = process.communicate(timeout=SUBPROCESS_WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130
    assert "Interrupted. Run the same command again to continue" in output
    resumed = bulk_sms(notify_cli, csv_path, "--json").json()
    # The rows in flight when the run was stopped were answered and journalled.
    assert resumed["unknown"] == []
    after = received_counts(notify_emulator)
    assert after == Counter(phone(index) for index in range(rows)), "a row was sent twice"


def test_rows_left_unknown_are_reported_and_only_resent_when_asked(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 2)
    (first_row, _) = read_bulk_rows(csv_path, "sms")
    # A journal as a crash leaves it: row 2 was being sent, and no answer was recorded.
    with BulkJournal.open(
        tmp_path / "people.csv.journal", template_id=SMS_TEMPLATE, notification_type="sms"
    ) as journal:
        journal.record_sending(2, first_row.digest(), Spreadsheet(csv_path, "sms").first_row.offset)

    cautious = bulk_sms(notify_cli, csv_path, "--json")

    assert cautious.exit_code == 1
    assert (cautious.json()["sent"], cautious.json()["unknown"]) == (1, [2])
    assert list(received_counts(notify_emulator)) == [phone(1)]

    resent = bulk_sms(notify_cli, csv_path, "--resend-unknown", "--json")

    assert resent.exit_code == 0, resent.output
    assert (resent.json()["sent"], resent.json()["skipped"]) == (1, 1)
    assert received_counts(notify_emulator) == Counter([phone(0), phone(1)])


LIMITED_SERVICE_ID = "3f0e6c1a-5b7d-4e2f-9a8c-1d2e3f4a5b6c"
LIMITED_SECRET = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
LIMITED_TEMPLATE_ID = "4b5c6d7e-8f90-4a1b-9c2d-3e4f5a6b7c8d"
LIMITED_SEED = f"""
[[services]]
id = "{LIMITED_SERVICE_ID}"
name = "Two texts a day"
sms_message_limit = 2
guest_list = ["someone@example.gov.uk"]

  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "{LIMITED_SECRET}"

  [[services.templates]]
  id = "{LIMITED_TEMPLATE_ID}"
  name = "Reminder"
  type = "sms"
  body = "Hello ((name))"
"""


def test_the_daily_limit_stops_the_run(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    seeded = requests.post(
        f"{notify_emulator.base_url}/_emulator/config",
        data=LIMITED_SEED,
        headers={"Content-Type": "application/toml"},
        timeout=10,
    )
    seeded.raise_for_status()
    key = f"live-{LIMITED_SERVICE_ID}-{LIMITED_SECRET}"
    csv_path = write_people(tmp_path, 5)

    outcome = notify_cli(
        "bulk",
        "sms",
        "-t",
        LIMITED_TEMPLATE_ID,
        str(csv_path),
        "--concurrency",
        "1",
        api_key=key,
    )

    assert outcome.exit_code == 1
    assert "Exceeded send limits (sms: 2) for today" in outcome.stdout
    assert "not attempted" in outcome.stdout
    assert journal_states(tmp_path / "people.csv.journal") == {
        2: "accepted",
        3: "accepted",
        4: "failed",
    }


# --- against a scripted fake Notify, for answers the emulator cannot (yet) be made to lose ---

LOST = phone(1)  # row 3


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    server = FakeNotify()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def template_or_accept(received: Received) -> Reply:
    """A text template for the pre-flight check; every text accepted."""
    if received.method == "GET":
        return Reply(200, {"id": FAKE_TEMPLATE_ID, "type": "sms", "personalisation": {}})
    return Reply(201, {"id": f"id-{received.json()['phone_number']}"})


def fake_bulk(server: FakeNotify, csv_path: Path, *extra: str) -> CliOutcome:
    environment = {"NOTIFY_API_KEY": FAKE_API_KEY, "NOTIFY_BASE_URL": server.url, "COLUMNS": "250"}
    command = ["bulk", "sms", "-t", FAKE_TEMPLATE_ID, str(csv_path), "--json", *extra]
    return CliOutcome(CliRunner().invoke(notify, command, env=environment, catch_exceptions=False))


def sends_to(server: FakeNotify, number: str) -> int:
    return sum(
        1 for r in server.requests if r.method == "POST" and r.json()["phone_number"] == number
    )


@pytest.mark.parametrize(
    "lost",
    [Reply(drop=True), error_reply(500, "Exception", "Internal server error")],
    ids=["connection-dropped", "server-error"],
)
def test_a_row_whose_answer_was_lost_is_journalled_unknown_and_not_resent(
    fake_notify: FakeNotify, tmp_path: Path, lost: Reply
) -> None:
    csv_path = write_people(tmp_path, 4)
    answers_lost = [True]

    def answer(received: Received) -> Reply:
        is_lost = received.method == "POST" and received.json()["phone_number"] == LOST
        return lost if is_lost and answers_lost[0] else template_or_accept(received)

    fake_notify.responder = answer
    first = fake_bulk(fake_notify, csv_path, "--concurrency", "1")

    assert first.exit_code == 1, first.output
    assert (first.json()["sent"], first.json()["unknown"]) == (3, [3])
    assert journal_states(tmp_path / "people.csv.journal")[3] == "unknown"

    again = fake_bulk(fake_notify, csv_path)

    assert again.exit_code == 1
    assert (again.json()["sent"], again.json()["skipped"], again.json()["unknown"]) == (0, 3, [3])
    assert sends_to(fake_notify, LOST) == 1, "a row whose outcome is unknown was sent again"

    answers_lost[0] = False
    resent = fake_bulk(fake_notify, csv_path, "--resend-unknown")

    assert resent.exit_code == 0, resent.output
    assert (resent.json()["sent"], resent.json()["unknown"]) == (1, [])
    assert sends_to(fake_notify, LOST) == 2
    assert [sends_to(fake_notify, phone(i)) for i in (0, 2, 3)] == [1, 1, 1]


def test_the_summary_lists_the_first_failures_and_counts_the_rest(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    bad_rows = tuple(range(2, 2 + LISTED_ROWS + 5))
    csv_path = write_people(tmp_path, LISTED_ROWS + 7, bad_rows=bad_rows)

    def answer(received: Received) -> Reply:
        if received.method == "POST" and received.json()["phone_number"] == "123":
            return error_reply(400, "ValidationError", "phone_number Not enough digits")
        return template_or_accept(received)

    fake_notify.responder = answer
    environment = {"NOTIFY_API_KEY": FAKE_API_KEY, "NOTIFY_BASE_URL": fake_notify.url}
    command = ["bulk", "sms", "-t", FAKE_TEMPLATE_ID, str(csv_path)]
    human = CliRunner().invoke(notify, command, env={**environment, "COLUMNS": "250"})

    assert human.exit_code == 1
    listed = [line for line in human.stdout.splitlines() if "Not enough digits" in line]
    assert len(listed) == LISTED_ROWS
    assert "… and 5 more failed rows (--json lists them all)." in human.stdout
    assert [line.split("│")[1].strip() for line in listed] == [str(n) for n in bad_rows[:20]]

    everything = fake_bulk(fake_notify, csv_path).json()  # the failed rows are tried again
    assert [item["row"] for item in everything["failed"]] == list(bad_rows)
    assert {item["recipient"] for item in everything["failed"]} == {"123"}
    assert everything["skipped"] == 2


def test_a_second_run_on_the_same_journal_is_refused_while_the_first_runs(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 20)
    process = start_bulk_process(notify_emulator, csv_path, "--rate", "120")
    try:
        wait_for_received(process, notify_emulator, 1)

        second = bulk_sms(notify_cli, csv_path)

        assert second.exit_code == 2
        assert "in use by another bulk run" in second.output
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=SUBPROCESS_WAIT_SECONDS)
    assert max(received_counts(notify_emulator).values()) == 1


def test_a_second_signal_stops_at_once_leaving_the_rows_in_flight_unknown(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 6)

    def slow(received: Received) -> Reply:
        reply = template_or_accept(received)
        return Reply(reply.status, reply.json, delay=3.0 if received.method == "POST" else 0)

    fake_notify.responder = slow
    environment = {**os.environ, "NOTIFY_API_KEY": FAKE_API_KEY, "NOTIFY_BASE_URL": fake_notify.url}
    command = [sys.executable, "-m", "notifications_python_client.cli", "bulk", "sms"]
    command += ["-t", FAKE_TEMPLATE_ID, str(csv_path), "--concurrency", "2", "--json"]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        deadline = time.monotonic() + SUBPROCESS_WAIT_SECONDS
        while sum(r.method == "POST" for r in fake_notify.requests) < 2:
            assert time.monotonic() < deadline, "the run never sent two rows"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)  # gently: would wait for the two answers...
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)  # ...but not after a second Ctrl-C
        output, _ = process.communicate(timeout=SUBPROCESS_WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 130
    summary = json.loads(output)
    assert (summary["sent"], summary["unknown"], summary["not_attempted"]) == (0, [2, 3], 4)
    assert journal_states(tmp_path / "people.csv.journal") == {2: "unknown", 3: "unknown"}


def test_a_row_that_cannot_be_read_stops_the_run_there_and_a_rerun_goes_on(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    fake_notify.responder = template_or_accept
    huge = "x" * (csv.field_size_limit() + 1)
    lines = ["phone number,name", *(f"{phone(i)},Person {i}" for i in range(6))]
    lines[4] = f"{phone(3)},{huge}"  # row 5
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    stopped = fake_bulk(fake_notify, csv_path, "--concurrency", "1")

    assert stopped.exit_code == 1
    assert stopped.json()["stopped_because"].startswith("Row 5 cannot be read")
    assert stopped.json()["sent"] == 3
    assert [sends_to(fake_notify, phone(i)) for i in range(6)] == [1, 1, 1, 0, 0, 0]

    lines[4] = f"{phone(3)},Person 3"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    resumed = fake_bulk(fake_notify, csv_path)

    assert resumed.exit_code == 0, resumed.output
    assert (resumed.json()["sent"], resumed.json()["skipped"]) == (3, 3)
    assert [sends_to(fake_notify, phone(i)) for i in range(6)] == [1] * 6


def test_a_journal_that_cannot_be_created_is_a_usage_error_and_sends_nothing(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 2)
    journal = tmp_path / "no such folder" / "people.journal"

    outcome = bulk_sms(notify_cli, csv_path, "--journal", str(journal))

    assert outcome.exit_code == 2, outcome.output
    assert f"{journal} cannot be opened as a journal" in " ".join(outcome.stderr.split())
    assert notify_emulator.sent() == []


def slow_sends(received: Received) -> Reply:
    """Like ``template_or_accept``, but each text takes a moment to be answered."""
    reply = template_or_accept(received)
    return Reply(reply.status, reply.json, delay=0.5 if received.method == "POST" else 0)


def test_a_row_that_cannot_be_read_still_journals_the_answers_in_flight(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    fake_notify.responder = slow_sends
    lines = ["phone number,name", *(f"{phone(i)},Person {i}" for i in range(3))]
    lines.append(f"{phone(3)},{'x' * (csv.field_size_limit() + 1)}")  # row 5
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # Rows 2 to 4 are all in flight when reading row 5 fails.
    stopped = fake_bulk(fake_notify, csv_path, "--concurrency", "3")

    assert stopped.exit_code == 1, stopped.output
    summary = stopped.json()
    assert summary["stopped_because"].startswith("Row 5 cannot be read")
    assert (summary["sent"], summary["unknown"], summary["interrupted"]) == (3, [], False)
    assert journal_states(tmp_path / "people.csv.journal") == {
        2: "accepted",
        3: "accepted",
        4: "accepted",
    }


def test_a_row_that_cannot_be_read_lets_every_row_before_it_be_sent(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    # With many sends at once, rows are read ahead of those being sent: the ones read before
    # the bad row are sent all the same, so the run stops exactly there.
    fake_notify.responder = template_or_accept
    lines = ["phone number,name", *(f"{phone(i)},Person {i}" for i in range(60))]
    lines[51] = f"{phone(50)},{'x' * (csv.field_size_limit() + 1)}"  # row 52
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    stopped = fake_bulk(fake_notify, csv_path, "--concurrency", "20")

    assert stopped.exit_code == 1, stopped.output
    summary = stopped.json()
    assert summary["stopped_because"].startswith("Row 52 cannot be read")
    assert (summary["sent"], summary["unknown"], summary["interrupted"]) == (50, [], False)
    assert [sends_to(fake_notify, phone(i)) for i in range(60)] == [1] * 50 + [0] * 10


def test_the_daily_limit_still_journals_the_answers_in_flight(
    fake_notify: FakeNotify, tmp_path: Path
) -> None:
    csv_path = write_people(tmp_path, 3)
    limited = error_reply(429, "TooManyRequestsError", "Exceeded send limits (sms: 2) for today")

    def answer(received: Received) -> Reply:
        if received.method == "POST" and received.json()["phone_number"] == phone(1):
            return limited  # at once, while rows 2 and 4 are still in flight
        return slow_sends(received)

    fake_notify.responder = answer
    outcome = fake_bulk(fake_notify, csv_path, "--concurrency", "3")

    assert outcome.exit_code == 1, outcome.output
    summary = outcome.json()
    assert summary["unknown"] == []
    assert [item["row"] for item in summary["failed"]] == [3]
    # The refused row is sent again by the next run; nothing is left unknown. (Row 4 may
    # not have been started before the limit was hit.)
    states = journal_states(tmp_path / "people.csv.journal")
    assert (states[2], states[3], states.get(4, "accepted")) == ("accepted", "failed", "accepted")
    assert summary["sent"] == sum(state == "accepted" for state in states.values())


def test_rows_sent_when_the_journal_stops_being_writable_are_reported_unknown(
    notify_cli: NotifyCli,
    notify_emulator: NotifyEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    csv_path = write_people(tmp_path, 3)
    record_accepted = BulkJournal.record_accepted
    answers: list[int] = []

    def disk_fills_up(journal: BulkJournal, row: int, notification_id: str) -> None:
        answers.append(row)
        if len(answers) > 1:
            raise sqlite3.OperationalError("database or disk is full")
        record_accepted(journal, row, notification_id)

    monkeypatch.setattr(BulkJournal, "record_accepted", disk_fills_up)

    outcome = bulk_sms(notify_cli, csv_path, "--concurrency", "1", "--json")

    assert outcome.exit_code == 1, outcome.output
    summary = outcome.json()
    assert "could not be written: database or disk is full" in summary["stopped_because"]
    # Row 3 reached Notify, but the journal does not say so: as the next run will, this
    # one reports it as unknown rather than as nothing at all.
    assert (summary["sent"], summary["unknown"]) == (1, [3])
    assert sum(received_counts(notify_emulator).values()) == 2
    monkeypatch.undo()

    human = bulk_sms(notify_cli, csv_path)

    assert "unknown outcome (not sent again)" in human.stdout
    assert sum(received_counts(notify_emulator).values()) == 3  # row 4 only


@pytest.mark.parametrize(
    ("content", "line"),
    [
        # Saved as "CSV" rather than "CSV UTF-8" by a spreadsheet program: Windows-1252.
        ("phone number,name\n" + "07700900301,A\n" * 80_000 + "07700900302,Ren\xe9e\n", 80_002),
        ("phone number,n\xe4me\n07700900301,A\n", 1),
    ],
    ids=["row", "heading"],
)
def test_a_spreadsheet_that_is_not_utf_8_is_refused_naming_the_line(
    notify_cli: NotifyCli,
    notify_emulator: NotifyEmulator,
    tmp_path: Path,
    content: str,
    line: int,
) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_bytes(content.encode("cp1252"))

    outcome = bulk_sms(notify_cli, csv_path)

    assert outcome.exit_code == 2, outcome.output
    message = " ".join(outcome.stderr.split())
    assert f"is not UTF-8 text: line {line:,} holds the byte 0x" in message
    assert "save it as 'CSV UTF-8'" in message
    assert "codec" not in message
    assert notify_emulator.sent() == []


def test_an_empty_spreadsheet_is_refused_naming_it_once(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    csv_path = tmp_path / "people.csv"
    csv_path.write_bytes(b"\xef\xbb\xbf")  # a byte-order mark and nothing else

    outcome = bulk_sms(notify_cli, csv_path)

    assert outcome.exit_code == 2, outcome.output
    assert f"Error: {csv_path}: the file is empty: it needs a heading row" in outcome.stderr
    assert outcome.stderr.count(str(csv_path)) == 1
    assert notify_emulator.sent() == []
