"""POST /v2/notifications/email: shape, sanitising, files, errors (§5.2, §8.5, §8.6)."""

from __future__ import annotations

import base64
import io

import pytest
import requests

from notifications_python_client.errors import BadRequestError, NotFoundError
from notifications_python_client.utils import prepare_upload
from notify_emulator.demo import service as demo

from .emulator_harness import (
    Running,
    errors,
)

EMAIL = "/v2/notifications/email"


def valid(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": "Ada"},
    }
    body.update(overrides)
    return body


def send(emulator: Running, body: object, **kwargs: str) -> tuple[int, list[tuple[str, str]]]:
    response = emulator.request("POST", EMAIL, json=body, **kwargs)  # type: ignore[arg-type]
    return response.status_code, errors(response)


def test_response_has_every_field(emulator: Running) -> None:
    response = emulator.client().send_email_notification(
        "Someone@Example.com",
        demo.EMAIL_TEMPLATE_ID,
        personalisation={"name": "Ada's"},
        reference="r",
        email_reply_to_id=demo.EMAIL_REPLY_TO_ID,
        one_click_unsubscribe_url="https://example.gov.uk/unsubscribe",
    )
    root = emulator.base_url
    assert response == {
        "content": {
            "body": "Dear Ada's,\n\nThis is a demo email.\n\nThe Demo Service",
            "from_email": "demo.service@notifications.service.gov.uk",
            "one_click_unsubscribe_url": "https://example.gov.uk/unsubscribe",
            "subject": "Hello Ada’s",
        },
        "id": response["id"],
        "reference": "r",
        "sanitised_content": {},
        "scheduled_for": None,
        "template": {
            "id": demo.EMAIL_TEMPLATE_ID,
            "uri": f"{root}/services/{demo.SERVICE_ID}/templates/{demo.EMAIL_TEMPLATE_ID}",
            "version": 1,
        },
        "uri": f"{root}/v2/notifications/{response['id']}",
    }
    stored = emulator.client().get_notification_by_id(response["id"])
    assert stored["email_address"] == "Someone@Example.com"
    assert stored["one_click_unsubscribe_url"] == "https://example.gov.uk/unsubscribe"
    assert stored["subject"] == "Hello Ada’s"


def test_sanitise_content_for(emulator: Running) -> None:
    value = "Amala, please [click this evil link](https://evil.link)"
    response = emulator.request(
        "POST",
        EMAIL,
        json=valid(personalisation={"Name": value}, sanitise_content_for=["name"]),
    )
    assert response.status_code == 201
    assert response.json()["sanitised_content"] == {
        "Name": {
            "unsanitised": value,
            "sanitised": "Amala, please \\[click this evil link\\]\\(\\)",
        }
    }


def test_schema_errors(emulator: Running) -> None:
    body = {
        "email_address": "not an address",
        "template_id": "x",
        "email_reply_to_id": 5,
        "one_click_unsubscribe_url": "http://example.com",
        "sanitise_content_for": "name",
    }
    assert send(emulator, body) == (
        400,
        [
            ("ValidationError", "email_address Not a valid email address"),
            ("ValidationError", "template_id is not a valid UUID"),
            ("ValidationError", "email_reply_to_id is not a valid UUID"),
            ("ValidationError", "one_click_unsubscribe_url is not a valid https url"),
            ("ValidationError", "sanitise_content_for name is not of type array, null"),
        ],
    )


def test_required_fields(emulator: Running) -> None:
    assert send(emulator, {}) == (
        400,
        [
            ("ValidationError", "email_address is a required property"),
            ("ValidationError", "template_id is a required property"),
        ],
    )


def test_unknown_reply_to(emulator: Running) -> None:
    reply_to = "00000000-0000-4000-8000-000000000000"
    assert send(emulator, valid(email_reply_to_id=reply_to)) == (
        400,
        [
            (
                "BadRequestError",
                f"email_reply_to_id {reply_to} does not exist in database "
                f"for service id {demo.SERVICE_ID}",
            )
        ],
    )


def test_team_key(emulator: Running) -> None:
    response = emulator.request("POST", EMAIL, json=valid(), secret=demo.TEAM_KEY_SECRET)
    assert errors(response) == [
        ("BadRequestError", "Can’t send to this recipient using a team-only API key")
    ]
    allowed = emulator.request(
        "POST",
        EMAIL,
        json=valid(email_address="DEMO.user@example.gov.uk"),
        secret=demo.TEAM_KEY_SECRET,
    )
    assert allowed.status_code == 201


def test_too_long(emulator: Running) -> None:
    name = "a" * 2_000_000
    status, found = send(emulator, valid(personalisation={"name": name}))
    assert status == 400
    assert found == [
        (
            "BadRequestError",
            "Your message is too long. Emails cannot be longer than 2000000 bytes. "
            "Your message is 2000047 bytes.",
        )
    ]


def test_smoke_test_address_is_not_stored(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_email_notification(
        "simulate-delivered@notifications.service.gov.uk", demo.EMAIL_TEMPLATE_ID, {"name": "A"}
    )
    with pytest.raises(NotFoundError):
        client.get_notification_by_id(sent["id"])


def file_template(emulator: Running) -> str:
    template_id = "77777777-0000-4000-8000-000000000010"
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
contact_link = "{demo.CONTACT_LINK}"
  [[services.templates]]
  id = "{template_id}"
  name = "With a file"
  type = "email"
  subject = "Your file"
  body = "Download it: ((link))"
"""
    )
    return template_id


def test_send_a_file_and_download_it(emulator: Running) -> None:
    template_id = file_template(emulator)
    upload = prepare_upload(io.BytesIO(b"%PDF-1.4 a small file"), filename="report.pdf")
    sent = emulator.client().send_email_notification(
        "someone@example.com", template_id, personalisation={"link": upload}
    )
    body = sent["content"]["body"]
    url = body.removeprefix("Download it: ")
    assert url.startswith(emulator.base_url + "/_emulator/documents/")
    download = requests.get(url, timeout=10)
    assert download.status_code == 200
    assert download.content == b"%PDF-1.4 a small file"
    assert download.headers["Content-Type"] == "application/pdf"
    assert 'filename="report.pdf"' in download.headers["Content-Disposition"]
    assert emulator.client().get_notification_by_id(sent["id"])["body"] == body


def test_a_file_sent_as_code_for_clients_before_9_sends_it(emulator: Running) -> None:
    template_id = file_template(emulator)
    upload = prepare_upload(io.BytesIO(b"name,team\nAda,maths\n"), is_csv=True)
    sent = emulator.client().send_email_notification(
        "someone@example.com", template_id, personalisation={"link": upload}
    )
    download = requests.get(sent["content"]["body"].removeprefix("Download it: "), timeout=10)
    assert download.content == b"name,team\nAda,maths\n"
    assert download.headers["Content-Type"].startswith("text/csv")
    with pytest.raises(BadRequestError) as refused:
        emulator.client().send_email_notification(
            "someone@example.com",
            template_id,
            personalisation={"link": prepare_upload(io.BytesIO(b"a"), "a.csv", is_csv=True)},
        )
    assert refused.value.message == [
        {
            "error": "ValidationError",
            "message": "Do not set a value for `is_csv` if `filename` is set.",
        }
    ]


def test_file_option_errors(emulator: Running) -> None:
    template_id = file_template(emulator)
    link = {
        "file": False,
        "filename": "noextension",
        "confirm_email_before_download": "potato",
        "retention_period": "9999 weeks",
        "is_csv": "bad",
        "other": 1,
    }
    assert send(emulator, valid(template_id=template_id, personalisation={"link": link})) == (
        400,
        [
            # The order the real API gives (recorded from it; see test_reference_answers.py).
            ("ValidationError", "Additional properties are not allowed (other was unexpected)"),
            ("ValidationError", "file False is not of type string"),
            (
                "ValidationError",
                "is_csv Unsupported value for is_csv: bad. Use a boolean true or false value.",
            ),
            (
                "ValidationError",
                "confirm_email_before_download Unsupported value for "
                "confirm_email_before_download: potato. Use a boolean true or false value.",
            ),
            (
                "ValidationError",
                "retention_period Unsupported value for retention_period: 9999 weeks. "
                "Supported periods are from 1 to 78 weeks.",
            ),
            (
                "ValidationError",
                "filename `filename` must end with a file extension. For example, filename.csv",
            ),
            ("ValidationError", "Do not set a value for `is_csv` if `filename` is set."),
        ],
    )


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ({"file": "YQ"}, "Document is not base64 encoded"),
        ({"file": ""}, "Document must not be empty"),
        (
            {"file": base64.b64encode(b"x" * (2 * 1024 * 1024 + 1025)).decode()},
            "Uploaded file exceeds file size limit",
        ),
        (
            {"file": "YWJj", "filename": "a" * 97 + ".txt"},
            "`filename` cannot be longer than 100 characters",
        ),
        (
            {"file": "YWJj", "filename": "virus.exe"},
            "Unsupported file type '.exe'. Supported types are: '.csv', '.doc', '.docx', "
            "'.jpeg', '.jpg', '.json', '.odt', '.pdf', '.png', '.rtf', '.txt', '.xlsx'",
        ),
        (
            {"file": base64.b64encode(b"GIF89a....").decode()},
            "Unsupported file type 'image/gif'. Supported types are: '.csv', '.doc', '.docx', "
            "'.jpeg', '.jpg', '.json', '.odt', '.pdf', '.png', '.rtf', '.txt', '.xlsx'",
        ),
    ],
)
def test_file_upload_errors(emulator: Running, link: dict[str, object], message: str) -> None:
    template_id = file_template(emulator)
    assert send(emulator, valid(template_id=template_id, personalisation={"link": link})) == (
        400,
        [("BadRequestError", message)],
    )
    assert emulator.emulator.store.count_rows("documents") == 0


def test_files_need_a_contact_link(emulator: Running) -> None:
    template_id = file_template(emulator)
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
"""
    )
    try:
        status, found = send(
            emulator, valid(template_id=template_id, personalisation={"link": {"file": "YWJj"}})
        )
    finally:
        file_template(emulator)
    assert status == 400
    assert found == [
        (
            "BadRequestError",
            "Send files by email has not been set up - add contact details for your service at "
            f"https://www.notifications.service.gov.uk/services/{demo.SERVICE_ID}"
            "/service-settings/send-files-by-email",
        )
    ]


def test_template_unsubscribe_link(emulator: Running) -> None:
    template_id = "77777777-0000-4000-8000-000000000030"
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "{template_id}"
  name = "Newsletter"
  type = "email"
  subject = "News"
  body = "Hello"
  unsubscribe_link = true
"""
    )
    client = emulator.client()
    sent = client.send_email_notification("a@example.com", template_id)
    assert sent["content"]["one_click_unsubscribe_url"] is None
    url = client.get_notification_by_id(sent["id"])["one_click_unsubscribe_url"]
    assert url is not None
    assert url.startswith(f"{emulator.base_url}/unsubscribe/{sent['id']}/")
    supplied = client.send_email_notification(
        "a@example.com", template_id, one_click_unsubscribe_url="https://example.gov.uk/u"
    )
    got = client.get_notification_by_id(supplied["id"])
    assert got["one_click_unsubscribe_url"] == "https://example.gov.uk/u"
