"""Letters through the API: template and precompiled letters, their PDFs (§5.3, §5.4, §5.6)."""

from __future__ import annotations

import base64
import io
from datetime import datetime

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from notifications_python_client.errors import PDFNotReadyError
from notify_emulator.demo import service as demo
from notify_emulator.rules.timings import print_run

from .emulator_harness import (
    BARE_LETTER_TEMPLATE_ID,
    BARE_LIVE_SECRET,
    BARE_SERVICE_ID,
    TEST_DELAYS,
    TRIAL_LETTER_TEMPLATE_ID,
    TRIAL_LIVE_SECRET,
    TRIAL_SERVICE_ID,
    TRIAL_TEST_SECRET,
    Running,
    api_key,
    errors,
)

LETTER = "/v2/notifications/letter"
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "sw1a1aa"}


def parse_timestamp(text: str) -> datetime:
    """A v2 timestamp (``…Z``) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def a4_pdf(pages: int = 1) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Page {number + 1}")
    return bytes(pdf.output())


def send(emulator: Running, body: object, **kwargs: str) -> tuple[int, list[tuple[str, str]]]:
    response = emulator.request("POST", LETTER, json=body, **kwargs)  # type: ignore[arg-type]
    return response.status_code, errors(response)


def test_template_letter(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_letter_notification(
        demo.LETTER_TEMPLATE_ID, {"name": "Tom's & Jerry's", **ADDRESS}, reference="L1"
    )
    assert sent["content"] == {
        "body": "Dear Tom's & Jerry's,\n\nThis is a demo letter.",
        "subject": "A letter for Tom’s &amp; Jerry’s",
    }
    assert set(sent) == {"content", "id", "reference", "scheduled_for", "template", "uri"}
    got = client.get_notification_by_id(sent["id"])
    assert got["type"] == "letter"
    assert got["status"] == "accepted"
    assert (got["line_1"], got["line_2"], got["line_3"], got["postcode"]) == (
        "A Person",
        "1 High Street",
        None,
        "sw1a1aa",
    )
    assert got["postage"] == "second"
    assert got["estimated_delivery"].endswith("Z")
    # Notify makes the PDF after answering the send: until then clients are told to poll.
    with pytest.raises(PDFNotReadyError) as not_ready:
        client.get_pdf_for_letter(sent["id"])
    assert not_ready.value.message == [
        {"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}
    ]
    emulator.clock.advance(TEST_DELAYS.sending.total_seconds())
    pdf = client.get_pdf_for_letter(sent["id"]).read()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "SW1A 1AA" in text
    # It waits for the evening print run, which hands it to the printer and sets sent_at.
    emulator.clock.advance(2)
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("accepted", None)
    run = print_run(parse_timestamp(got["created_at"]))
    emulator.set_emulator_clock(run + TEST_DELAYS.final)
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "received"
    assert got["sent_at"] == run.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_international_letter_postage(emulator: Running) -> None:
    sent = emulator.client().send_letter_notification(
        demo.LETTER_TEMPLATE_ID,
        {
            "name": "Jo",
            "address_line_1": "A Person",
            "address_line_2": "1 Rue",
            "address_line_3": "France",
        },
    )
    assert emulator.client().get_notification_by_id(sent["id"])["postage"] == "europe"


def test_precompiled_letter(emulator: Running) -> None:
    client = emulator.client()
    pdf = a4_pdf(3)
    sent = client.send_precompiled_letter_notification("P1", io.BytesIO(pdf), postage="first")
    assert set(sent) == {"id", "postage", "reference"}
    assert (sent["postage"], sent["reference"]) == ("first", "P1")
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "pending-virus-check"
    assert (got["line_1"], got["body"], got["subject"]) == (
        "Provided as PDF",
        "",
        "Pre-compiled PDF",
    )
    with pytest.raises(PDFNotReadyError):
        client.get_pdf_for_letter(sent["id"])
    emulator.clock.advance(3)
    # Scanned and valid, it waits for the print run.
    assert client.get_notification_by_id(sent["id"])["status"] == "accepted"
    run = print_run(parse_timestamp(got["created_at"]))
    emulator.set_emulator_clock(run + TEST_DELAYS.final)
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "received"
    assert got["cost_details"] == {"billable_sheets_of_paper": 2, "postage": "first"}
    assert client.get_pdf_for_letter(sent["id"]).read() == pdf


def test_invalid_precompiled_pdf_fails_validation(emulator: Running) -> None:
    content = base64.b64encode(b"not a pdf").decode()
    response = emulator.request("POST", LETTER, json={"reference": "x", "content": content})
    assert response.status_code == 201
    emulator.clock.advance(3)
    got = emulator.client().get_notification_by_id(response.json()["id"])
    assert got["status"] == "validation-failed"


def test_precompiled_schema(emulator: Running) -> None:
    assert send(emulator, {"content": "abc", "postage": "europe"}) == (
        400,
        [
            ("ValidationError", "postage invalid. It must be either first, second or economy."),
            ("ValidationError", "reference is a required property"),
        ],
    )
    assert send(emulator, {"content": "x", "reference": "r", "postage": 5})[1] == [
        ("ValidationError", "postage 5 is not of type string")
    ]


def test_template_letter_with_content_is_checked_as_precompiled(emulator: Running) -> None:
    body = {"template_id": demo.LETTER_TEMPLATE_ID, "personalisation": {}, "content": "x"}
    assert send(emulator, body) == (
        400,
        [
            ("ValidationError", "reference is a required property"),
            (
                "ValidationError",
                "Additional properties are not allowed "
                "(personalisation, template_id were unexpected)",
            ),
        ],
    )


def test_precompiled_bad_base64(emulator: Running) -> None:
    assert send(emulator, {"reference": "r", "content": "abc"}) == (
        400,
        [("BadRequestError", "Cannot decode letter content (invalid base64 encoding)")],
    )


def test_template_letter_schema(emulator: Running) -> None:
    assert send(emulator, {"template_id": demo.LETTER_TEMPLATE_ID, "postage": "first"}) == (
        400,
        [
            ("ValidationError", "personalisation is a required property"),
            ("ValidationError", "Additional properties are not allowed (postage was unexpected)"),
        ],
    )


def test_team_key_cannot_send_letters(emulator: Running) -> None:
    body = {"template_id": demo.LETTER_TEMPLATE_ID, "personalisation": {"name": "A", **ADDRESS}}
    assert send(emulator, body, secret=demo.TEAM_KEY_SECRET) == (
        403,
        [("BadRequestError", "Cannot send letters with a team api key")],
    )
    precompiled = {"reference": "r", "content": base64.b64encode(a4_pdf()).decode()}
    assert send(emulator, precompiled, secret=demo.TEAM_KEY_SECRET)[0] == 403


def test_trial_mode_letters(emulator: Running) -> None:
    body = {"template_id": TRIAL_LETTER_TEMPLATE_ID, "personalisation": ADDRESS}
    assert send(emulator, body, secret=TRIAL_LIVE_SECRET, service_id=TRIAL_SERVICE_ID) == (
        403,
        [("BadRequestError", "Cannot send letters when service is in trial mode")],
    )
    key = api_key("test", TRIAL_SERVICE_ID, TRIAL_TEST_SECRET)
    sent = emulator.client(key).send_letter_notification(TRIAL_LETTER_TEMPLATE_ID, ADDRESS)
    assert sent["content"]["body"] == "Hello"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ({"address_line_1": "A", "address_line_2": "B"}, "Address must be at least 3 lines"),
        (
            {f"address_line_{n}": f"Line {n}" for n in range(1, 7)}
            | {"address_line_1": "Line 1\nLine 1b", "postcode": "SW1A 1AA"},
            "Address must be no more than 7 lines",
        ),
        (
            {
                "address_line_1": "A Person",
                "address_line_2": "1 Street",
                "postcode": "not a postcode",
            },
            "Last line of address must be a real UK postcode or another country",
        ),
        (
            {"address_line_1": "@ Person", "address_line_2": "1 Street", "postcode": "SW1A 1AA"},
            "Address lines must not start with any of the following characters: "
            "@ ( ) = [ ] ” \\ / , < >",
        ),
        (
            {"address_line_1": "NFA", "address_line_2": "1 Street", "postcode": "SW1A 1AA"},
            "Must be a real address",
        ),
        (
            {"address_line_1": "...", "address_line_2": "1 Street", "postcode": "SW1A 1AA"},
            "The first 2 lines of the address must both include at least one alphanumeric "
            "character",
        ),
        (
            {"address_line_1": "A Person", "address_line_2": "BFPO 1234", "postcode": "France"},
            "The last line of a BFPO address must not be a country.",
        ),
    ],
)
def test_address_errors(emulator: Running, address: dict[str, str], message: str) -> None:
    body = {"template_id": demo.LETTER_TEMPLATE_ID, "personalisation": {"name": "A", **address}}
    assert send(emulator, body) == (400, [("ValidationError", message)])


def test_pdf_errors(emulator: Running) -> None:
    client = emulator.client()
    sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    response = emulator.request("GET", f"/v2/notifications/{sms['id']}/pdf")
    assert errors(response) == [("BadRequestError", "Notification is not a letter")]
    response = emulator.request("GET", "/v2/notifications/nope/pdf")
    assert errors(response) == [("ValidationError", "notification_id is not a valid UUID")]
    response = emulator.request("GET", "/v2/notifications/00000000-0000-4000-8000-000000000000/pdf")
    assert errors(response) == [("NoResultFound", "No result found")]


def test_pdf_not_ready_shape(emulator: Running) -> None:
    content = base64.b64encode(a4_pdf()).decode()
    sent = emulator.request("POST", LETTER, json={"reference": "r", "content": content}).json()
    response = emulator.request("GET", f"/v2/notifications/{sent['id']}/pdf")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}
        ],
        "status_code": 400,
    }


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("virus-scan-failed", "File did not pass the virus scan"),
        ("technical-failure", "PDF not available for letters in status technical-failure"),
    ],
)
def test_pdf_of_failed_letters(emulator: Running, status: str, message: str) -> None:
    content = base64.b64encode(a4_pdf()).decode()
    sent = emulator.request("POST", LETTER, json={"reference": "r", "content": content}).json()
    forced = emulator.request(
        "POST", f"/_emulator/notifications/{sent['id']}/status", json={"status": status}
    )
    assert forced.status_code == 200
    response = emulator.request("GET", f"/v2/notifications/{sent['id']}/pdf")
    assert errors(response) == [("BadRequestError", message)]


def test_template_letter_takes_two_rate_limit_tokens(emulator: Running) -> None:
    body = {"template_id": demo.LETTER_TEMPLATE_ID, "personalisation": {"name": "A", **ADDRESS}}
    assert emulator.request("POST", LETTER, json=body).status_code == 201
    limiter = emulator.emulator.rate_limiter
    assert limiter.remaining(demo.SERVICE_ID, "normal") == 1000 - 2


def test_test_key_letters_are_never_sent(emulator: Running) -> None:
    client = emulator.client(demo.TEST_API_KEY)
    sent = client.send_letter_notification(demo.LETTER_TEMPLATE_ID, {"name": "A", **ADDRESS})
    emulator.clock.advance(3)
    got = client.get_notification_by_id(sent["id"])
    assert (got["status"], got["sent_at"]) == ("received", None)
    assert got["cost_details"] == {"billable_sheets_of_paper": 0, "postage": "second"}
    assert got["cost_in_pounds"] == 0.0


def test_uk_only_service_needs_a_real_postcode(emulator: Running) -> None:
    emulator.load_config(
        f"""
[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = ["letter"]
"""
    )
    body = {
        "template_id": BARE_LETTER_TEMPLATE_ID,
        "personalisation": {**ADDRESS, "postcode": "France"},
    }
    assert send(emulator, body, secret=BARE_LIVE_SECRET, service_id=BARE_SERVICE_ID) == (
        400,
        [("ValidationError", "Must be a real UK postcode")],
    )


def test_qr_code_too_long(emulator: Running) -> None:
    template_id = "77777777-0000-4000-8000-000000000040"
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "{template_id}"
  name = "With a QR code"
  type = "letter"
  subject = "Scan me"
  body = "qr: ((link))"
"""
    )
    link = "https://example.gov.uk/" + "a" * 600
    body = {"template_id": template_id, "personalisation": {"link": link, **ADDRESS}}
    response = emulator.request("POST", LETTER, json=body)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "error": "ValidationError",
                "message": "Cannot create a usable QR code - the link is too long",
                "data": link,
                "num_bytes": len(link),
                "max_bytes": 504,
            }
        ],
        "status_code": 400,
    }
