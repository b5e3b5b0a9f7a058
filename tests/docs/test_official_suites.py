"""docs/official-suites: the service and the variables the official clients' suites run with.

The suites themselves are other projects' code and need their repositories; what is checked here
is what they rely on, through env.sh as a shell sources it and the seed file as the emulator
loads it: each variable names something that exists and behaves as the suites expect.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notifications_python_client.utils import prepare_upload
from notify_emulator.clock import SystemClock
from tests.emulators import emulator_settings, serve_emulator

SUITES = Path(__file__).resolve().parents[2] / "docs" / "official-suites"
VARIABLES = (
    "NOTIFY_API_URL",
    "API_KEY",
    "API_SENDING_KEY",
    "INBOUND_SMS_QUERY_KEY",
    "FUNCTIONAL_TEST_NUMBER",
    "FUNCTIONAL_TEST_EMAIL",
    "SMS_TEMPLATE_ID",
    "EMAIL_TEMPLATE_ID",
    "LETTER_TEMPLATE_ID",
    "EMAIL_REPLY_TO_ID",
    "SMS_SENDER_ID",
)
ADDRESS = {
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 High Street",
    "postcode": "SW1A 1AA",
}


def sourced(base_url: str | None) -> dict[str, str]:
    """The variables env.sh exports, sourced by bash with NOTIFY_API_URL set or not."""
    preset = f"export NOTIFY_API_URL={base_url}; " if base_url else "unset NOTIFY_API_URL; "
    script = (
        preset
        + f"source {SUITES / 'env.sh'}; "
        + "".join(f'printf "%s\\0" "${name}"; ' for name in VARIABLES)
    )
    output = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    return dict(zip(VARIABLES, output.split("\0")[:-1], strict=True))


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    settings = emulator_settings(
        config_path=SUITES / "seed.toml", seed_demo=False, clock=SystemClock()
    )
    with serve_emulator(settings) as server:
        yield sourced(server.base_url)


def client(env: dict[str, str], key: str = "API_KEY") -> NotificationsAPIClient:
    return NotificationsAPIClient(env[key], base_url=env["NOTIFY_API_URL"], max_retries=0)


def test_env_sh_defaults_to_the_emulators_own_port_and_sets_every_variable() -> None:
    values = sourced(None)
    assert values["NOTIFY_API_URL"] == "http://127.0.0.1:6011"
    assert all(values.values())
    assert values["INBOUND_SMS_QUERY_KEY"] == values["API_KEY"]


def test_the_templates_are_as_the_suites_compare_them(env: dict[str, str]) -> None:
    live = client(env)
    sms = live.get_template(env["SMS_TEMPLATE_ID"])
    assert (sms["type"], sms["name"], sms["version"]) == (
        "sms",
        "Client Functional test sms template",
        2,
    )
    assert sms["body"] == "Hello ((name))\n\nFunctional Tests make our world a better place"
    first = live.get_template_version(env["SMS_TEMPLATE_ID"], 1)
    assert first["name"] == "Example text message template"
    email = live.get_template(env["EMAIL_TEMPLATE_ID"])
    assert (email["type"], email["name"], email["subject"]) == (
        "email",
        "Client Functional test email template",
        "Functional Tests are good",
    )
    letter = live.get_template(env["LETTER_TEMPLATE_ID"])
    assert (letter["type"], letter["name"]) == ("letter", "Client functional letter template")
    assert letter["letter_contact_block"]
    listed = {template["id"] for template in live.get_all_templates()["templates"]}
    assert {env["SMS_TEMPLATE_ID"], env["EMAIL_TEMPLATE_ID"], env["LETTER_TEMPLATE_ID"]} <= listed


def test_the_team_key_sends_to_the_test_number_and_address_from_the_chosen_senders(
    env: dict[str, str],
) -> None:
    team, live = client(env, "API_SENDING_KEY"), client(env)
    text = team.send_sms_notification(
        env["FUNCTIONAL_TEST_NUMBER"],
        env["SMS_TEMPLATE_ID"],
        personalisation={"name": "Foo"},
        sms_sender_id=env["SMS_SENDER_ID"],
    )
    assert text["content"]["from_number"] == "Other"
    # Not a smoke-test number, so the message is kept and reads back.
    assert live.get_notification_by_id(text["id"])["phone_number"] == env["FUNCTIONAL_TEST_NUMBER"]
    email = team.send_email_notification(
        env["FUNCTIONAL_TEST_EMAIL"],
        env["EMAIL_TEMPLATE_ID"],
        personalisation={"name": "Foo"},
        email_reply_to_id=env["EMAIL_REPLY_TO_ID"],
    )
    assert email["content"]["subject"] == "Functional Tests are good"


def test_a_file_can_be_sent_by_email(env: dict[str, str]) -> None:
    upload = prepare_upload(io.BytesIO(b"%PDF-1.4 a file"), filename="file.pdf")
    sent = client(env).send_email_notification(
        env["FUNCTIONAL_TEST_EMAIL"], env["EMAIL_TEMPLATE_ID"], {"name": upload}
    )
    link = sent["content"]["body"].split()[1]
    assert requests.get(link, timeout=10).content == b"%PDF-1.4 a file"


def test_letters_and_a_precompiled_pdf_that_reads_back_byte_for_byte(
    env: dict[str, str],
) -> None:
    live = client(env)
    letter = live.send_letter_notification(env["LETTER_TEMPLATE_ID"], ADDRESS)
    assert letter["content"]["body"] == "Hello Ada Lovelace"
    pdf = live.get_pdf_for_letter(letter["id"]).read()
    precompiled = live.send_precompiled_letter_notification("ref", pdf, postage="first")
    assert live.get_pdf_for_letter(precompiled["id"]).read() == pdf


def test_the_inbound_key_reads_at_least_three_received_texts(env: dict[str, str]) -> None:
    texts = client(env, "INBOUND_SMS_QUERY_KEY").get_received_texts()["received_text_messages"]
    assert len(texts) >= 3
