"""Notify's callback rules: bodies byte for byte, what fires, what is retried, the settings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from notify_emulator.rules.callbacks import (
    BEARER_TOKEN_TOO_SHORT,
    MAX_ATTEMPTS,
    CallbackSettingError,
    ReturnedLetterFacts,
    callback_timestamp,
    check_bearer_token,
    check_callback_url,
    decide_after_attempt,
    delivery_status_body,
    encode_body,
    fires_delivery_status,
    inbound_sms_body,
    is_retryable,
    notify_url_warning,
    returned_letter_body,
)

CREATED = datetime(2026, 11, 26, 10, 0, 0, 123456)


def test_delivery_status_body_is_the_spec_example_byte_for_byte() -> None:
    body = delivery_status_body(
        notification_id="740e5834-3a29-46b4-9a6f-16142fde533a",
        reference=None,
        to="07700 900123",
        status="delivered",
        created_at=CREATED,
        completed_at=datetime(2026, 11, 26, 10, 0, 2, 654321),
        sent_at=datetime(2026, 11, 26, 10, 0, 0, 456789),
        notification_type="sms",
        template_id="f33517ff-2a88-4f6e-b855-c550268ce08a",
        template_version=1,
    )
    assert encode_body(body) == (
        '{"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": null, "to": "07700 900123", '
        '"status": "delivered", "created_at": "2026-11-26T10:00:00.123456Z", '
        '"completed_at": "2026-11-26T10:00:02.654321Z", "sent_at": "2026-11-26T10:00:00.456789Z", '
        '"notification_type": "sms", "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a", '
        '"template_version": 1}'
    )


def test_inbound_body_escapes_non_ascii_and_keeps_notify_key_order() -> None:
    body = inbound_sms_body(
        received_text_id="a6a8b8ab-1111-4111-8111-111111111111",
        source_number="447700900111",
        destination_number="07700900999",
        message="Café “quoted” 👍",
        date_received=datetime(2017, 5, 14, 12, 15, 30, tzinfo=timezone.utc),
    )
    assert encode_body(body) == (
        '{"id": "a6a8b8ab-1111-4111-8111-111111111111", "source_number": "447700900111", '
        '"destination_number": "07700900999", '
        '"message": "Caf\\u00e9 \\u201cquoted\\u201d \\ud83d\\udc4d", '
        '"date_received": "2017-05-14T12:15:30.000000Z"}'
    )


def facts(**changes: object) -> ReturnedLetterFacts:
    values: dict[str, object] = {
        "notification_id": "5e7c2a8e-2222-4222-8222-222222222222",
        "client_reference": "order-17",
        "sent_with_api_key": True,
        "created_at": CREATED,
        "sender_email": None,
        "template_name": "Reminder letter",
        "template_id": "9a1b2c3d-3333-4333-8333-333333333333",
        "template_version": 4,
        "hidden_template": False,
    }
    values.update(changes)
    return ReturnedLetterFacts(**values)  # type: ignore[arg-type]


def test_returned_letter_body_for_a_template_letter_sent_with_the_api() -> None:
    assert encode_body(returned_letter_body(facts())) == (
        '{"notification_id": "5e7c2a8e-2222-4222-8222-222222222222", "reference": "order-17", '
        '"date_sent": "2026-11-26T10:00:00.123456Z", "sent_by": "API", '
        '"template_name": "Reminder letter", '
        '"template_id": "9a1b2c3d-3333-4333-8333-333333333333", '
        '"template_version": 4, "spreadsheet_file_name": null, "spreadsheet_row_number": null, '
        '"upload_letter_file_name": null}'
    )


def test_returned_precompiled_letter_hides_its_template_as_notify_does() -> None:
    body = returned_letter_body(facts(hidden_template=True))
    assert body["template_name"] is None
    assert body["template_id"] == "None"  # str(None), Notify's quirk
    assert body["template_version"] is None


def test_returned_letter_from_the_admin_app_and_a_spreadsheet() -> None:
    uploaded = returned_letter_body(
        facts(hidden_template=True, sent_with_api_key=False, sender_email="a@example.gov.uk")
    )
    assert uploaded["reference"] is None
    assert uploaded["upload_letter_file_name"] == "order-17"
    assert uploaded["sent_by"] == "a@example.gov.uk"
    bulk = returned_letter_body(facts(spreadsheet_file_name="list.csv", job_row_number=0))
    assert (bulk["spreadsheet_file_name"], bulk["spreadsheet_row_number"]) == ("list.csv", 2)


def test_timestamps_are_utc_with_six_digit_microseconds() -> None:
    assert callback_timestamp(datetime(2026, 1, 1, 12, 0)) == "2026-01-01T12:00:00.000000Z"
    plus_one = timezone(timedelta(hours=1))
    assert callback_timestamp(datetime(2026, 6, 1, 13, 0, tzinfo=plus_one)) == (
        "2026-06-01T12:00:00.000000Z"
    )
    assert callback_timestamp(None) is None


@pytest.mark.parametrize(
    ("notification_type", "status", "fires"),
    [
        ("sms", "delivered", True),
        ("sms", "permanent-failure", True),
        ("sms", "temporary-failure", True),
        ("email", "technical-failure", True),
        ("email", "delivered", True),
        ("sms", "created", False),
        ("sms", "sending", False),
        ("sms", "pending", False),
        ("sms", "sent", False),
        ("letter", "delivered", False),
        ("letter", "permanent-failure", False),
        ("letter", "returned-letter", False),
    ],
)
def test_which_statuses_send_a_delivery_receipt(
    notification_type: str, status: str, fires: bool
) -> None:
    assert fires_delivery_status(notification_type, status) is fires


@pytest.mark.parametrize(
    ("status_code", "retried"),
    [(None, True), (500, True), (502, True), (503, True), (429, True)]
    + [(code, False) for code in (400, 401, 403, 404, 405, 410, 422)],
)
def test_retried_answers(status_code: int | None, retried: bool) -> None:
    assert is_retryable(status_code) is retried


def test_six_attempts_then_failed_and_no_retry_after_a_4xx() -> None:
    def after(status: int | None, made: int) -> tuple[str, float | None]:
        outcome = decide_after_attempt(
            status, attempts_made=made, attempt_limit=MAX_ATTEMPTS, retry_delay=300
        )
        return outcome.state, outcome.retry_after_seconds

    assert [after(500, made) for made in range(1, 6)] == [("pending", 300)] * 5
    assert after(500, 6) == ("failed", None)
    assert after(None, 6) == ("failed", None)
    assert after(404, 1) == ("failed", None)
    assert after(204, 1) == ("delivered", None)
    assert after(302, 3) == ("delivered", None)  # a redirect not followed is below 400


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/notify/delivery",
        "http://127.0.0.1:9/x",
        "http://[::1]:8080/",
        "http://host.docker.internal/callbacks",
        "http://app/callbacks",
        "https://example.service.gov.uk/callbacks",
    ],
)
def test_relaxed_urls_are_accepted(url: str) -> None:
    check_callback_url(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "localhost:8000", "http://", "http://x:99999/", "http://a b/"]
)
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(CallbackSettingError):
        check_callback_url(url)


def test_urls_real_notify_would_refuse_get_its_message_as_a_warning() -> None:
    assert notify_url_warning("https://www.example.gov.uk:8443/notify?x=1") is None
    for url in ("http://www.example.gov.uk/", "https://localhost/", "https://127.0.0.1/"):
        warning = notify_url_warning(url)
        assert warning is not None
        assert warning.startswith("Must be a valid https URL")
    warning = notify_url_warning("http://user:s3cret@localhost:8000/x")
    assert warning is not None
    assert "s3cret" not in warning
    assert "'http://***@localhost:8000/x'" in warning
    # Credentials alone make Notify refuse a URL: the message must not show one it would take.
    warning = notify_url_warning("https://user:s3cret@www.example.gov.uk/cb")
    assert warning is not None
    assert "s3cret" not in warning
    assert "'https://***@www.example.gov.uk/cb'" in warning


def test_bearer_token_rule_and_message() -> None:
    check_bearer_token("0123456789")
    with pytest.raises(CallbackSettingError) as raised:
        check_bearer_token("012345678")
    assert str(raised.value) == BEARER_TOKEN_TOO_SHORT
    assert BEARER_TOKEN_TOO_SHORT == "The bearer token must be at least 10 characters long"
    with pytest.raises(CallbackSettingError) as raised:
        check_bearer_token("secret-token-✓")
    assert "secret-token" not in str(raised.value)


@pytest.mark.parametrize(
    "token",
    [
        "secret-token\r\nX-Injected: yes",
        "secret-token\n",
        "\rsecret-token",
        "secret\ttoken-x",
        "secret\x00token-x",
        "secret\x7ftoken-x",
        "secret\x85token-x",  # NEL, a Latin-1 control character
    ],
)
def test_a_bearer_token_with_control_characters_is_refused(token: str) -> None:
    with pytest.raises(CallbackSettingError) as raised:
        check_bearer_token(token)
    message = str(raised.value)
    assert message == (
        "The bearer token must not contain control characters such as line breaks or tabs"
    )
    assert "secret" not in message


def test_a_bearer_token_may_hold_spaces_and_latin_1_letters() -> None:
    check_bearer_token("a token with spaces and é")
