"""Every one-request ``notify`` command, run against the emulator on loopback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from notifications_python_client._constants import API_PAGE_SIZE
from notifications_python_client.bulk import SmsNotification
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.demo import service as demo_service
from notify_emulator.pytest_plugin import NotifyEmulator
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.server import EmulatorServer, sqlite_file_url
from notify_emulator.settings import Settings

from .conftest import NotifyCli, load_seed

SMS_TEMPLATE = demo_service.SMS_TEMPLATE_ID
EMAIL_TEMPLATE = demo_service.EMAIL_TEMPLATE_ID
LETTER_TEMPLATE = demo_service.LETTER_TEMPLATE_ID
PHONE = "07700900001"
EMAIL = "amala@example.com"
ADDRESS = (
    "-p",
    "address_line_1=A Person",
    "-p",
    "address_line_2=1 Street",
    "-p",
    "address_line_3=SW1A 1AA",
)
MISSING_ID = "6d0d3f36-6f8e-4b1c-9d55-7a0b9e1a2c3d"


def send_sms(notify_cli: NotifyCli, *extra: str, phone: str = PHONE) -> str:
    outcome = notify_cli(
        "send", "sms", phone, "--template", SMS_TEMPLATE, "-p", "name=Amala", *extra, "--json"
    )
    assert outcome.exit_code == 0, outcome.output
    notification_id = outcome.json()["id"]
    assert isinstance(notification_id, str)
    return notification_id


# --- send ---


def test_send_sms_shows_the_accepted_message(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli("send", "sms", PHONE, "--template", SMS_TEMPLATE, "-p", "name=Amala")

    assert outcome.exit_code == 0, outcome.output
    (sent,) = notify_emulator.sent()
    assert sent["phone_number"] == PHONE
    assert sent["id"] in outcome.stdout
    assert "Hello Amala, this is a demo text." in outcome.stdout


@pytest.mark.parametrize(
    ("kind", "recipient", "template", "note"),
    [
        ("sms", "07700900000", SMS_TEMPLATE, "07700900000 is a smoke-test number"),
        (
            "email",
            "simulate-delivered-2@notifications.service.gov.uk",
            EMAIL_TEMPLATE,
            "simulate-delivered-2@notifications.service.gov.uk is a smoke-test address",
        ),
    ],
)
def test_sending_to_a_smoke_test_recipient_says_notify_will_not_store_it(
    notify_cli: NotifyCli,
    notify_emulator: NotifyEmulator,
    kind: str,
    recipient: str,
    template: str,
    note: str,
) -> None:
    human = notify_cli("send", kind, recipient, "-t", template, "-p", "name=Amala")
    as_json = notify_cli("send", kind, recipient, "-t", template, "-p", "name=Amala", "--json")

    assert human.exit_code == 0, human.output
    assert f"{note}: Notify accepts it but does not store it" in human.stderr
    assert note in as_json.stderr
    assert as_json.json()["id"]  # standard output is still just the API's answer
    # As the note says: accepted, but not there to be found.
    assert notify_cli("status", as_json.json()["id"]).exit_code == 1
    assert notify_emulator.sent() == []


def test_sending_to_anyone_else_adds_no_note(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("send", "sms", PHONE, "-t", SMS_TEMPLATE, "-p", "name=Amala")

    assert outcome.exit_code == 0, outcome.output
    assert outcome.stderr == ""


def test_send_sms_json_is_the_api_answer(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli(
        "send",
        "sms",
        PHONE,
        "-t",
        SMS_TEMPLATE,
        "--personalisation-json",
        '{"name": "Bola"}',
        "--reference",
        "ref-1",
        "--sms-sender-id",
        demo_service.SMS_SENDER_ID,
        "--json",
    )

    assert outcome.exit_code == 0, outcome.output
    answer = outcome.json()
    assert answer["content"]["body"] == "Hello Bola, this is a demo text."
    assert answer["reference"] == "ref-1"
    assert answer["template"]["id"] == SMS_TEMPLATE
    assert [item["id"] for item in notify_emulator.sent()] == [answer["id"]]


def test_personalisation_pairs_win_over_the_json(notify_cli: NotifyCli, tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text('{"name": "from the file"}', encoding="utf-8")

    outcome = notify_cli(
        "preview",
        SMS_TEMPLATE,
        "--personalisation-json",
        f"@{values}",
        "-p",
        "name=Chidi",
        "--json",
    )

    assert outcome.exit_code == 0, outcome.output
    assert outcome.json()["body"] == "Hello Chidi, this is a demo text."


def test_send_email_with_reply_to(notify_cli: NotifyCli, notify_emulator: NotifyEmulator) -> None:
    outcome = notify_cli(
        "send",
        "email",
        EMAIL,
        "-t",
        EMAIL_TEMPLATE,
        "-p",
        "name=Amala",
        "--email-reply-to-id",
        demo_service.EMAIL_REPLY_TO_ID,
        "--json",
    )

    assert outcome.exit_code == 0, outcome.output
    assert outcome.json()["content"]["subject"] == "Hello Amala"
    (sent,) = notify_emulator.sent()
    assert sent["email_address"] == EMAIL


def test_send_letter_takes_the_address_from_personalisation(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli("send", "letter", "-t", LETTER_TEMPLATE, "-p", "name=Amala", *ADDRESS)

    assert outcome.exit_code == 0, outcome.output
    assert "letter accepted" in outcome.stdout
    (sent,) = notify_emulator.sent()
    assert (sent["line_1"], sent["line_2"], sent["line_3"]) == ("A Person", "1 Street", "SW1A 1AA")


def test_notifys_error_text_and_a_failing_exit_status(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli("send", "sms", PHONE, "-t", SMS_TEMPLATE)

    assert outcome.exit_code == 1
    assert "400 BadRequestError: Missing personalisation: name" in outcome.stderr
    assert outcome.stdout == ""
    assert notify_emulator.sent() == []


BRACKETS_SERVICE_ID = "5b1c7e2a-8d4f-4c3b-9a6e-2f1d0c9b8a7e"
BRACKETS_SECRET = "7c6b5a4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"
BRACKETS_TEMPLATE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5e"
BRACKETS_SEED = f"""
[[services]]
id = "{BRACKETS_SERVICE_ID}"
name = "Square brackets"

  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "{BRACKETS_SECRET}"

  [[services.templates]]
  id = "{BRACKETS_TEMPLATE_ID}"
  name = "Code"
  type = "sms"
  body = "Your code is (([code]))"
"""


def test_notifys_error_text_is_printed_as_it_is_even_with_square_brackets(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    load_seed(notify_emulator, BRACKETS_SEED)
    key = f"live-{BRACKETS_SERVICE_ID}-{BRACKETS_SECRET}"

    outcome = notify_cli("send", "sms", PHONE, "-t", BRACKETS_TEMPLATE_ID, api_key=key)

    assert outcome.exit_code == 1
    # The client's own description of the error, brackets and all (not read as markup).
    assert "Error: 400 BadRequestError: Missing personalisation: [code]" in outcome.stderr


def test_errors_in_json_are_notifys_error_body(notify_cli: NotifyCli) -> None:
    outcome = notify_cli(
        "send", "sms", "not a number", "-t", SMS_TEMPLATE, "-p", "name=A", "--json"
    )

    assert outcome.exit_code == 1
    answer = outcome.json()
    assert answer["status_code"] == 400
    assert answer["errors"][0]["error"] == "ValidationError"
    assert answer["errors"][0]["message"].startswith("phone_number ")
    assert answer["description"].startswith("400 ValidationError: phone_number ")
    assert "origin" not in answer  # only for a request that got no answer


def test_a_malformed_personalisation_pair_is_a_usage_error(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("preview", SMS_TEMPLATE, "-p", "name")

    assert outcome.exit_code == 2
    assert "'name' is not key=value" in outcome.output


# --- status and list ---


def test_status_shows_the_notification(notify_cli: NotifyCli) -> None:
    notification_id = send_sms(notify_cli)

    human = notify_cli("status", notification_id)
    as_json = notify_cli("status", notification_id, "--json")

    assert human.exit_code == 0, human.output
    assert notification_id in human.stdout
    assert PHONE in human.stdout
    assert as_json.json()["id"] == notification_id
    assert as_json.json()["type"] == "sms"


def test_status_of_an_unknown_notification_is_notifys_404(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("status", MISSING_ID)

    assert outcome.exit_code == 1
    assert "404 NoResultFound: No result found" in outcome.stderr


def test_list_shows_one_page_newest_first(notify_cli: NotifyCli) -> None:
    first = send_sms(notify_cli)
    second = send_sms(notify_cli, "--reference", "second")

    as_json = notify_cli("list", "--json").json()
    human = notify_cli("list")

    assert [item["id"] for item in as_json["notifications"]] == [second, first]
    assert "next" in as_json["links"]
    assert first in human.stdout
    assert second in human.stdout
    # Notify links to a next page from every page; only a full one can have more after it.
    assert "More:" not in human.stdout


def test_list_of_a_full_page_says_how_to_get_the_next(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    people = [
        SmsNotification(f"07700900{300 + n:03d}", SMS_TEMPLATE, {"name": f"Person {n}"})
        for n in range(API_PAGE_SIZE)
    ]
    results = notify_emulator.client.send_bulk(people, rate_per_minute=60_000)
    assert all(result.error is None for result in results)

    human = notify_cli("list")
    last = notify_cli("list", "--json").json()["notifications"][-1]["id"]

    assert human.exit_code == 0, human.output
    assert f"More: notify list --older-than {last} (or --all)" in human.stdout


def test_empty_lists_say_so(notify_cli: NotifyCli) -> None:
    notifications = notify_cli("list")
    texts = notify_cli("received")

    assert (notifications.exit_code, notifications.stdout) == (0, "No notifications.\n")
    assert (texts.exit_code, texts.stdout) == (0, "No received text messages.\n")
    assert notify_cli("list", "--json").json()["notifications"] == []


def test_list_at_80_columns_keeps_type_recipient_status_and_content(
    notify_cli: NotifyCli,
) -> None:
    send_sms(notify_cli)
    email = notify_cli("send", "email", EMAIL, "-t", EMAIL_TEMPLATE, "-p", "name=Amala")
    assert email.exit_code == 0, email.output

    outcome = notify_cli("list", env={"COLUMNS": "80"})

    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for header in ("type", "recipient", "status", "content"):
        assert f" {header} " in lines[2]
    for value in ("sms", "email", PHONE, "Hello Amala"):
        assert value in outcome.stdout


def test_list_filters(notify_cli: NotifyCli) -> None:
    text = send_sms(notify_cli, "--reference", "text-ref")
    email = notify_cli(
        "send", "email", EMAIL, "-t", EMAIL_TEMPLATE, "-p", "name=A", "--json"
    ).json()["id"]

    def listed(*filters: str) -> list[str]:
        outcome = notify_cli("list", *filters, "--json")
        assert outcome.exit_code == 0, outcome.output
        return [item["id"] for item in outcome.json()["notifications"]]

    assert listed("--type", "email") == [email]
    assert listed("--type", "sms", "--type", "email") == [email, text]
    assert listed("--reference", "text-ref") == [text]
    assert listed("--older-than", email) == [text]
    assert listed("--include-jobs") == [email, text]
    assert listed("--status", "delivered", "--status", "sending", "--status", "created") != []


def test_list_all_follows_every_page(notify_cli: NotifyCli) -> None:
    sent = [send_sms(notify_cli) for _ in range(3)]

    outcome = notify_cli("list", "--all", "--json", "--older-than", sent[-1])

    assert outcome.exit_code == 0, outcome.output
    assert [item["id"] for item in outcome.json()["notifications"]] == sent[-2::-1]


def test_list_refuses_an_unknown_status_before_asking_notify(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("list", "--status", "elephant")

    assert outcome.exit_code == 2
    assert "'elephant' is not one of" in outcome.output


# --- templates ---


def test_templates_lists_the_services_templates(notify_cli: NotifyCli) -> None:
    every = notify_cli("templates", "--json").json()["templates"]
    texts = notify_cli("templates", "--type", "sms", "--json").json()["templates"]
    human = notify_cli("templates")

    assert {item["id"] for item in every} == {SMS_TEMPLATE, EMAIL_TEMPLATE, LETTER_TEMPLATE}
    assert [item["id"] for item in texts] == [SMS_TEMPLATE]
    assert "Demo text message" in human.stdout
    assert SMS_TEMPLATE in human.stdout


def test_templates_at_80_columns_keep_whole_ids_and_unbroken_headings(
    notify_cli: NotifyCli,
) -> None:
    narrow = notify_cli("templates", env={"COLUMNS": "80"})
    wide = notify_cli("templates", env={"COLUMNS": "120"})

    assert narrow.exit_code == 0, narrow.output
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # One heading row, every heading whole: the version gives way first.
    assert [cell.strip() for cell in lines[2].strip("┃").split("┃")] == [
        "id",
        "name",
        "type",
        "placeholders",
    ]
    for template_id in (SMS_TEMPLATE, EMAIL_TEMPLATE, LETTER_TEMPLATE):
        assert template_id in narrow.stdout  # never folded or cut: the other commands take it
    assert " version " in wide.stdout.splitlines()[2]


def test_template_shows_the_latest_version_or_the_one_asked_for(notify_cli: NotifyCli) -> None:
    latest = notify_cli("template", EMAIL_TEMPLATE, "--json").json()
    first = notify_cli("template", EMAIL_TEMPLATE, "--version", "1", "--json").json()
    human = notify_cli("template", EMAIL_TEMPLATE)

    assert latest["subject"] == "Hello ((name))"
    assert first["version"] == 1
    assert "Demo email" in human.stdout
    assert "This is a demo email." in human.stdout


def test_template_of_an_unknown_id_fails_with_notifys_text(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("template", "not-a-uuid")

    assert outcome.exit_code == 1
    assert "ValidationError: id is not a valid UUID" in outcome.stderr


def test_preview_renders_without_sending(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli("preview", EMAIL_TEMPLATE, "-p", "name=Dami")

    assert outcome.exit_code == 0, outcome.output
    assert "Hello Dami" in outcome.stdout
    assert "Dear Dami," in outcome.stdout
    assert notify_emulator.sent() == []


# --- received texts and PDFs ---


def test_received_lists_inbound_texts(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    notify_emulator.receive_text("first reply", user_number="07700900111")
    notify_emulator.receive_text("second reply", user_number="07700900111")

    page = notify_cli("received", "--json").json()
    every = notify_cli("received", "--all", "--json").json()
    human = notify_cli("received")

    assert [item["content"] for item in page["received_text_messages"]] == [
        "second reply",
        "first reply",
    ]
    assert [item["content"] for item in every["received_text_messages"]] == [
        "second reply",
        "first reply",
    ]
    assert "second reply" in human.stdout
    assert "447700900111" in human.stdout


def test_received_at_80_columns_keeps_number_time_and_content(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    # What someone texts in is printed as it is, even what rich would read as markup.
    text = notify_emulator.receive_text("STOP [/] [bold]now[/bold]", user_number="07700900111")

    outcome = notify_cli("received", env={"COLUMNS": "80"})

    assert outcome.exit_code == 0, outcome.output
    lines = outcome.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for header in ("from", "received at", "content"):
        assert f" {header} " in lines[2]
    assert "STOP [/] [bold]now[/bold]" in outcome.stdout
    assert "447700900111" in outcome.stdout
    assert text["created_at"] in outcome.stdout


def test_pdf_saves_a_letter(notify_cli: NotifyCli, tmp_path: Path) -> None:
    letter = notify_cli("send", "letter", "-t", LETTER_TEMPLATE, "-p", "name=A", *ADDRESS, "--json")
    assert letter.exit_code == 0, letter.output
    target = tmp_path / "letter.pdf"

    # Notify makes a letter's PDF after answering the send: --wait polls until it is ready.
    outcome = notify_cli("pdf", letter.json()["id"], "-o", str(target), "--wait", "30", "--json")

    assert outcome.exit_code == 0, outcome.output
    assert target.read_bytes().startswith(b"%PDF")
    assert outcome.json() == {
        "id": letter.json()["id"],
        "file": str(target),
        "bytes": target.stat().st_size,
    }


def test_pdf_of_a_text_message_is_refused(notify_cli: NotifyCli, tmp_path: Path) -> None:
    notification_id = send_sms(notify_cli)

    outcome = notify_cli("pdf", notification_id, "-o", str(tmp_path / "x.pdf"))

    assert outcome.exit_code == 1
    assert "BadRequestError: Notification is not a letter" in outcome.stderr
    assert not (tmp_path / "x.pdf").exists()


# --- configuration and the key ---


def test_without_a_key_the_command_says_how_to_give_one(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("templates", api_key="")

    assert outcome.exit_code == 2
    assert "NOTIFY_API_KEY" in outcome.output


def test_a_malformed_key_is_refused_without_being_shown(notify_cli: NotifyCli) -> None:
    malformed = "not-a-key-but-secret-looking-text"

    outcome = notify_cli("templates", api_key=malformed)

    assert outcome.exit_code == 2
    assert malformed not in outcome.output


def test_a_wrong_key_gets_notifys_auth_error_and_is_never_printed(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    secret = "0b3f2c1d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    wrong_key = f"wrong-{notify_emulator.service_id}-{secret}"

    outcome = notify_cli("templates", "--json", api_key=wrong_key, env={"COLUMNS": "80"})
    human = notify_cli("-v", "templates", api_key=wrong_key)

    assert outcome.exit_code == 1
    assert outcome.json()["errors"] == [
        {"error": "AuthError", "message": "Invalid token: API key not found"}
    ]
    assert human.exit_code == 1
    assert "Invalid token: API key not found" in human.stderr
    for printed in (outcome.output, human.output):
        assert secret not in printed
        assert wrong_key not in printed


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("send", "sms"),
        ("send", "email"),
        ("send", "letter"),
        ("status",),
        ("list",),
        ("templates",),
        ("template",),
        ("preview",),
        ("received",),
        ("pdf",),
        ("bulk",),
    ],
)
def test_every_command_has_help_and_never_shows_the_key(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, command: tuple[str, ...]
) -> None:
    outcome = notify_cli(*command, "--help")

    assert outcome.exit_code == 0
    assert "Usage: notify" in outcome.stdout
    help_text = outcome.stdout.split("Options:")[0].split("\n", 2)[-1]
    assert help_text.strip(), f"{command} has no help text"
    assert notify_emulator.api_key not in outcome.output
    assert notify_emulator.api_key[-36:] not in outcome.output


def test_a_connection_failure_names_the_url_tried_and_never_the_key(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    with socket.socket() as probe:  # a loopback port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{probe.getsockname()[1]}"

    outcome = notify_cli("templates", env={"NOTIFY_BASE_URL": nowhere})

    assert outcome.exit_code == 1
    assert outcome.stderr == (
        f"Error: Request to {nowhere} failed: could not connect; the request was not sent\n"
    )
    assert notify_emulator.api_key[-36:] not in outcome.output

    as_json = notify_cli("templates", "--json", env={"NOTIFY_BASE_URL": nowhere})

    assert as_json.exit_code == 1
    assert as_json.json() == {
        "status_code": 503,
        "message": "Request failed",
        "description": f"Request to {nowhere} failed: could not connect; the request was not sent",
        "origin": nowhere,
    }
    assert notify_emulator.api_key[-36:] not in as_json.output


def test_without_a_base_url_the_command_says_it_uses_the_live_service(
    notify_cli: NotifyCli,
) -> None:
    # A malformed key stops the command before anything is sent to the live service.
    outcome = notify_cli("templates", api_key="not-a-key", env={"NOTIFY_BASE_URL": None})
    as_json = notify_cli("templates", "--json", api_key="not-a-key", env={"NOTIFY_BASE_URL": None})
    help_text = notify_cli("templates", "--help", env={"NOTIFY_BASE_URL": None})

    notice = (
        "Using GOV.UK Notify at https://api.notifications.service.gov.uk "
        "(set NOTIFY_BASE_URL to use another)"
    )
    assert outcome.stderr.startswith(notice + "\n")
    assert as_json.stderr.startswith(notice + "\n")
    assert (outcome.stdout, as_json.stdout) == ("", "")
    assert notice not in help_text.output  # no request, no notice


def test_a_base_url_from_the_flag_or_the_environment_gets_no_notice(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    from_flag = notify_cli(
        "--base-url", notify_emulator.base_url, "templates", env={"NOTIFY_BASE_URL": None}
    )
    from_environment = notify_cli("templates")

    assert (from_flag.exit_code, from_environment.exit_code) == (0, 0)
    assert from_flag.stderr == from_environment.stderr == ""


def test_base_url_flag_overrides_the_environment(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator
) -> None:
    outcome = notify_cli(
        "--base-url",
        notify_emulator.base_url,
        "templates",
        "--json",
        env={"NOTIFY_BASE_URL": "http://127.0.0.1:9"},
    )

    assert outcome.exit_code == 0, outcome.output


def test_global_json_flag(notify_cli: NotifyCli) -> None:
    outcome = notify_cli("--json", "templates", "--type", "letter")

    assert outcome.exit_code == 0, outcome.output
    assert [item["id"] for item in outcome.json()["templates"]] == [LETTER_TEMPLATE]


def test_pdf_to_standard_output(notify_cli: NotifyCli) -> None:
    letter = notify_cli("send", "letter", "-t", LETTER_TEMPLATE, "-p", "name=A", *ADDRESS, "--json")

    outcome = notify_cli("pdf", letter.json()["id"], "-o", "-", "--wait", "30")

    assert outcome.exit_code == 0, outcome.output
    assert outcome.result.stdout_bytes.startswith(b"%PDF")


def test_verbose_logs_requests_and_leaves_logging_as_it_was(notify_cli: NotifyCli) -> None:
    logger = logging.getLogger("notifications_python_client")
    handlers_before, level_before = list(logger.handlers), logger.level

    quiet = notify_cli("status", MISSING_ID)
    verbose = notify_cli("-v", "status", MISSING_ID)

    assert "GET request on /v2/notifications/" not in quiet.stderr
    assert "GET request on /v2/notifications/" in verbose.stderr
    assert (logger.handlers, logger.level) == (handlers_before, level_before)


@pytest.fixture(scope="module")
def slow_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An emulator of its own whose virus check takes a minute: the base URL."""
    settings = Settings(
        database_url=sqlite_file_url(tmp_path_factory.mktemp("slow") / "emulator.sqlite3"),
        seed_demo=True,
        log_requests=False,
        delivery_delays=DeliveryDelays.from_seconds(sending=60, final=60, virus_scan=60),
    )
    with EmulatorServer(settings) as server:
        yield server.base_url


def test_pdf_not_ready_yet_is_notifys_error_even_after_waiting(
    notify_cli: NotifyCli, slow_emulator: str, tmp_path: Path
) -> None:
    client = NotificationsAPIClient(demo_service.LIVE_API_KEY, base_url=slow_emulator)
    precompiled = client.send_precompiled_letter_notification("P1", b"%PDF-1.7 not checked yet")
    target = tmp_path / "letter.pdf"
    environment = {"NOTIFY_BASE_URL": slow_emulator}

    at_once = notify_cli(
        "pdf",
        precompiled["id"],
        "-o",
        str(target),
        env=environment,
        api_key=demo_service.LIVE_API_KEY,
    )
    waited = notify_cli(
        "pdf",
        precompiled["id"],
        "-o",
        str(target),
        "--wait",
        "0.6",
        env=environment,
        api_key=demo_service.LIVE_API_KEY,
    )

    for outcome in (at_once, waited):
        assert outcome.exit_code == 1
        assert "PDFNotReadyError: PDF not available yet, try again later" in outcome.stderr
    assert not target.exists()


def test_pdf_wait_fetches_the_pdf_once_notify_has_made_it(
    notify_cli: NotifyCli, notify_emulator: NotifyEmulator, tmp_path: Path
) -> None:
    template_letter = notify_cli(
        "send", "letter", "-t", LETTER_TEMPLATE, "-p", "name=A", *ADDRESS, "--json"
    ).json()
    notify_emulator.advance(seconds=1)  # past the moment Notify would have made its PDF
    pdf_bytes = notify_emulator.client.get_pdf_for_letter(template_letter["id"]).getvalue()
    # A precompiled letter's PDF is held back until Notify's virus check has run.
    precompiled = notify_emulator.client.send_precompiled_letter_notification("P1", pdf_bytes)
    target = tmp_path / "precompiled.pdf"

    outcome = notify_cli("pdf", precompiled["id"], "-o", str(target), "--wait", "30")

    assert outcome.exit_code == 0, outcome.output
    assert target.read_bytes() == pdf_bytes
