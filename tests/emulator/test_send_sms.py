"""POST /v2/notifications/sms: response shape, every error in Notify's order (§5.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifications_python_client.errors import BadRequestError, NotFoundError
from notify_emulator.demo import service as demo

from .emulator_harness import (
    BARE_LIVE_SECRET,
    BARE_SERVICE_ID,
    BARE_SMS_TEMPLATE_ID,
    GUEST_PHONE,
    TRIAL_LIVE_SECRET,
    TRIAL_SERVICE_ID,
    TRIAL_SMS_TEMPLATE_ID,
    TRIAL_TEAM_SECRET,
    TRIAL_TEST_SECRET,
    Running,
    api_key,
    errors,
)

SMS = "/v2/notifications/sms"


def send(emulator: Running, body: object, **kwargs: str) -> tuple[int, list[tuple[str, str]]]:
    response = emulator.request("POST", SMS, json=body, **kwargs)  # type: ignore[arg-type]
    return response.status_code, errors(response)


def valid(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "phone_number": "07700900123",
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "Ada"},
    }
    body.update(overrides)
    return body


def test_response_has_every_field(emulator: Running) -> None:
    response = emulator.client().send_sms_notification(
        "07700 900 123", demo.SMS_TEMPLATE_ID, personalisation={"Name": "Ada"}, reference="ref-1"
    )
    root = emulator.base_url
    notification_id = response["id"]
    assert response == {
        "content": {"body": "Hello Ada, this is a demo text.", "from_number": "GOVUK"},
        "id": notification_id,
        "reference": "ref-1",
        "scheduled_for": None,
        "template": {
            "id": demo.SMS_TEMPLATE_ID,
            "uri": f"{root}/services/{demo.SERVICE_ID}/templates/{demo.SMS_TEMPLATE_ID}",
            "version": 1,
        },
        "uri": f"{root}/v2/notifications/{notification_id}",
    }
    stored = emulator.client().get_notification_by_id(notification_id)
    assert stored["phone_number"] == "07700 900 123"
    assert stored["status"] == "created"


def test_raw_response_encoding(emulator: Running) -> None:
    response = emulator.request("POST", SMS, json=valid(personalisation={"name": "Zoë’s"}))
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    text = response.text
    # Sorted keys, compact separators; the body is GSM-sanitised (’ becomes ').
    assert text.startswith('{"content":{"body":"Hello Zo')
    assert "Zo\\u00eb's" in text
    assert ", " not in text.split('"body"')[0]


def test_sms_sender_id_chooses_the_sender(emulator: Running) -> None:
    response = emulator.client().send_sms_notification(
        "07700900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"}, sms_sender_id=demo.SMS_SENDER_ID
    )
    assert response["content"]["from_number"] == "GOVUK"


def test_falsy_json_reads_as_empty_object(emulator: Running) -> None:
    falsy: tuple[object, ...] = (None, [], {}, "", 0, False)
    for body in falsy:
        status, found = emulator_post_raw(emulator, body)
        assert status == 400
        assert found == [
            ("ValidationError", "phone_number is a required property"),
            ("ValidationError", "template_id is a required property"),
        ]


def emulator_post_raw(emulator: Running, body: object) -> tuple[int, list[tuple[str, str]]]:
    import json

    response = emulator.request("POST", SMS, data=json.dumps(body))
    return response.status_code, errors(response)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([1], "[1] is not of type object"),
        ("abc", "abc is not of type object"),
        (5, "5 is not of type object"),
    ],
)
def test_non_object_bodies(emulator: Running, body: object, message: str) -> None:
    assert emulator_post_raw(emulator, body) == (400, [("ValidationError", message)])


@pytest.mark.parametrize("data", [b"", b"{not json", b"\xff\xfe\x00"])
def test_invalid_json(emulator: Running, data: bytes) -> None:
    response = emulator.request("POST", SMS, data=data)
    assert response.status_code == 400
    assert errors(response) == [("BadRequestError", "Invalid JSON supplied in POST data")]


def test_json_without_content_type_is_accepted(emulator: Running) -> None:
    import json

    response = emulator.request("POST", SMS, data=json.dumps(valid()))
    assert response.status_code == 201


def test_schema_errors_in_notify_order(emulator: Running) -> None:
    body = {
        "reference": 5,
        "phone_number": None,
        "template_id": "nope",
        "personalisation": "not_a_dict",
        "sms_sender_id": None,
        "foo": 1,
        "bar": 2,
    }
    assert send(emulator, body) == (
        400,
        [
            ("ValidationError", "reference 5 is not of type string"),
            ("ValidationError", "phone_number None is not of type string"),
            ("ValidationError", "template_id is not a valid UUID"),
            ("ValidationError", "personalisation not_a_dict is not of type object"),
            ("ValidationError", "sms_sender_id is not a valid UUID"),
            ("ValidationError", "Additional properties are not allowed (bar, foo were unexpected)"),
        ],
    )


def test_single_additional_property(emulator: Running) -> None:
    assert send(emulator, valid(sanitise_content_for=["name"])) == (
        400,
        [
            (
                "ValidationError",
                "Additional properties are not allowed (sanitise_content_for was unexpected)",
            )
        ],
    )


def test_reference_too_long(emulator: Running) -> None:
    reference = "x" * 1001
    assert send(emulator, valid(reference=reference)) == (
        400,
        [("ValidationError", f"reference {reference} is too long")],
    )


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "phone_number Not enough digits"),
        ("07515111*11", "phone_number Must not contain letters or symbols"),
        (
            "08515111111",
            "phone_number Number is not valid – double check the phone number you entered",
        ),
        ("0772345678910", "phone_number Too many digits"),
    ],
)
def test_phone_number_schema_messages(emulator: Running, number: str, message: str) -> None:
    assert send(emulator, valid(phone_number=number)) == (400, [("ValidationError", message)])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "not a date",
            "scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, https://en.wikipedia.org/wiki/ISO_8601",
        ),
        ("2000-01-01T10:00:00", "scheduled_for datetime can not be in the past"),
        ("2999-01-01T10:00:00", "scheduled_for datetime can only be 24 hours in the future"),
    ],
)
def test_scheduled_for_messages(emulator: Running, value: str, message: str) -> None:
    assert send(emulator, valid(scheduled_for=value)) == (400, [("ValidationError", message)])


def test_scheduled_for_is_validated_then_ignored(emulator: Running) -> None:
    # An hour ahead is in the future and within Notify's 24 hours whatever the time of day.
    later = (emulator.clock.now() + timedelta(hours=1)).replace(tzinfo=None)
    later = later.isoformat(timespec="seconds")
    response = emulator.request("POST", SMS, json=valid(scheduled_for=later))
    assert response.status_code == 201, response.text
    assert response.json()["scheduled_for"] is None


def test_file_cannot_be_sent_by_text(emulator: Running) -> None:
    assert send(emulator, valid(personalisation={"name": {"file": "YQ=="}})) == (
        400,
        [("BadRequestError", "Can only send a file by email")],
    )


def test_unknown_sms_sender_id(emulator: Running) -> None:
    sender = "00000000-0000-4000-8000-000000000000"
    assert send(emulator, valid(sms_sender_id=sender)) == (
        400,
        [
            (
                "BadRequestError",
                f"sms_sender_id {sender} does not exist in database "
                f"for service id {demo.SERVICE_ID}",
            )
        ],
    )


def test_team_key_only_sends_to_the_team(emulator: Running) -> None:
    with pytest.raises(BadRequestError) as raised:
        emulator.client(demo.TEAM_API_KEY).send_sms_notification(
            "07700900111", demo.SMS_TEMPLATE_ID, {"name": "Ada"}
        )
    assert raised.value.message == [
        {
            "error": "BadRequestError",
            "message": "Can’t send to this recipient using a team-only API key",
        }
    ]
    sent = emulator.client(demo.TEAM_API_KEY).send_sms_notification(
        "+44 7700 900123", demo.SMS_TEMPLATE_ID, {"name": "Ada"}
    )
    assert sent["id"]


def test_trial_mode_live_key_only_sends_to_the_guest_list(emulator: Running) -> None:
    body = valid(template_id=TRIAL_SMS_TEMPLATE_ID, personalisation={})
    assert send(emulator, body, secret=TRIAL_LIVE_SECRET, service_id=TRIAL_SERVICE_ID) == (
        400,
        [
            (
                "BadRequestError",
                "Can’t send to this recipient when service is in trial mode – see "
                "https://www.notifications.service.gov.uk/trial-mode",
            )
        ],
    )
    ok = emulator.request(
        "POST",
        SMS,
        json=valid(template_id=TRIAL_SMS_TEMPLATE_ID, phone_number=GUEST_PHONE),
        secret=TRIAL_LIVE_SECRET,
        service_id=TRIAL_SERVICE_ID,
    )
    assert ok.status_code == 201


def test_trial_mode_team_key_message(emulator: Running) -> None:
    body = valid(template_id=TRIAL_SMS_TEMPLATE_ID)
    assert send(emulator, body, secret=TRIAL_TEAM_SECRET, service_id=TRIAL_SERVICE_ID) == (
        400,
        [("BadRequestError", "Can’t send to this recipient using a team-only API key")],
    )


def test_test_key_is_not_restricted(emulator: Running) -> None:
    key = api_key("test", TRIAL_SERVICE_ID, TRIAL_TEST_SECRET)
    sent = emulator.client(key).send_sms_notification("07700900999", TRIAL_SMS_TEMPLATE_ID)
    assert sent["content"]["body"] == "Hi"


def test_landline_needs_permission(emulator: Running) -> None:
    assert send(emulator, valid(phone_number="020 7946 0000")) == (
        400,
        [("InvalidPhoneError", "Not a UK mobile number")],
    )


def test_international_needs_permission(emulator: Running) -> None:
    body = valid(template_id=BARE_SMS_TEMPLATE_ID, phone_number="+33 6 12 34 56 78")
    emulator.load_config(
        f"""
[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = ["sms"]
prefix_sms = true
"""
    )
    try:
        assert send(emulator, body, secret=BARE_LIVE_SECRET, service_id=BARE_SERVICE_ID) == (
            400,
            [("BadRequestError", "Cannot send to international mobile numbers")],
        )
    finally:
        emulator.load_config(
            f"""
[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = []
prefix_sms = true
"""
        )


def test_international_number_is_sent_and_costed(emulator: Running) -> None:
    client = emulator.client()
    sent = client.send_sms_notification("+33 6 12 34 56 78", demo.SMS_TEMPLATE_ID, {"name": "Jo"})
    emulator.clock.advance(3)
    got = client.get_notification_by_id(sent["id"])
    assert got["status"] == "delivered"
    assert got["cost_details"]["international_rate_multiplier"] == 2.0


def test_message_too_long(emulator: Running) -> None:
    name = "a" * 900
    assert send(emulator, valid(personalisation={"name": name})) == (
        400,
        [
            (
                "BadRequestError",
                "Your message is too long. Text messages cannot be longer than 918 characters. "
                "Your message is 928 characters long.",
            )
        ],
    )


def test_empty_message(emulator: Running) -> None:
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "77777777-0000-4000-8000-000000000001"
  name = "Only a placeholder"
  type = "sms"
  body = "((content))"
"""
    )
    body = valid(
        template_id="77777777-0000-4000-8000-000000000001", personalisation={"content": ""}
    )
    assert send(emulator, body) == (400, [("BadRequestError", "Your message is empty.")])


def test_archived_template(emulator: Running) -> None:
    emulator.load_config(
        f"""
[[services]]
id = "{demo.SERVICE_ID}"
name = "{demo.SERVICE_NAME}"
  [[services.templates]]
  id = "77777777-0000-4000-8000-000000000002"
  name = "Old one"
  type = "sms"
  body = "Gone"
  archived = true
"""
    )
    body = valid(template_id="77777777-0000-4000-8000-000000000002")
    assert send(emulator, body) == (400, [("BadRequestError", "Template has been deleted")])


def test_service_name_prefix_is_not_in_the_body(emulator: Running) -> None:
    emulator.load_config(
        f"""
[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = ["sms"]
prefix_sms = true
"""
    )
    try:
        key = api_key("live", BARE_SERVICE_ID, BARE_LIVE_SECRET)
        sent = emulator.client(key).send_sms_notification("07700900123", BARE_SMS_TEMPLATE_ID)
        assert sent["content"]["body"] == "Hi"
    finally:
        emulator.load_config(
            f"""
[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = []
prefix_sms = true
"""
        )


@pytest.mark.parametrize("number", ["07700900000", "+44 7700 900111", "447700900222"])
def test_smoke_test_numbers_are_never_stored(emulator: Running, number: str) -> None:
    client = emulator.client()
    sent = client.send_sms_notification(number, demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    assert sent["content"]["body"] == "Hello Ada, this is a demo text."
    with pytest.raises(NotFoundError):
        client.get_notification_by_id(sent["id"])
    assert client.get_all_notifications()["notifications"] == []


def test_rejected_request_changes_nothing(emulator: Running) -> None:
    send(emulator, valid(personalisation={"name": "a" * 1000}))
    send(emulator, valid(phone_number="020 7946 0000"))
    assert emulator.emulator.store.count_rows("notifications") == 0


@pytest.mark.parametrize(
    ("supplied", "stored"),
    [
        # Notify removes no-break spaces wherever they are (utils
        # strip_and_remove_obscure_whitespace), but keeps ordinary spaces in their place.
        ("07723\u00a0456\u00a0789", "07723456789"),
        ("07723 456 789", "07723 456 789"),
        ("07723\u202f456\u202f789", "07723456789"),
        ("\u00a007723 456 789\u00a0", "07723 456 789"),
        # Zero-width characters and line/paragraph separators go too, anywhere.
        ("0772\u200b3456\u2060789\ufeff", "07723456789"),
        ("07723\u2028456\u2029789", "07723456789"),
        # ASCII whitespace goes from the ends only.
        ("\t 07723 456 789 \n", "07723 456 789"),
        ("+44 (0)7723-456-789", "+44 (0)7723-456-789"),
    ],
)
def test_the_phone_number_is_stored_and_returned_as_notify_does(
    emulator: Running, supplied: str, stored: str
) -> None:
    client = emulator.client()
    sent = client.send_sms_notification(supplied, demo.SMS_TEMPLATE_ID, {"name": "Ada"})
    assert "phone_number" not in sent  # Notify's POST answer does not repeat the recipient
    assert client.get_notification_by_id(sent["id"])["phone_number"] == stored
    (listed,) = client.get_all_notifications()["notifications"]
    assert listed["phone_number"] == stored
