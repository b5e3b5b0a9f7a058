"""Rate limits and daily limits through the API (§6), on a service seeded with small limits."""

from __future__ import annotations

import pytest
import requests

from notifications_python_client.errors import RateLimitError, TooManyRequestsError
from notify_emulator.demo import service as demo

from .emulator_harness import (
    LIMITED_LIVE_SECRET,
    LIMITED_SERVICE_ID,
    LIMITED_SMS_TEMPLATE_ID,
    LIMITED_TEST_SECRET,
    Running,
    api_key,
    errors,
)

SMS = "/v2/notifications/sms"
BODY = {"phone_number": "07700900123", "template_id": LIMITED_SMS_TEMPLATE_ID}


def post(
    emulator: Running, secret: str = LIMITED_LIVE_SECRET, **overrides: str
) -> requests.Response:
    return emulator.request(
        "POST", SMS, json={**BODY, **overrides}, secret=secret, service_id=LIMITED_SERVICE_ID
    )


def test_rate_limit_per_key_type(emulator: Running) -> None:
    # rate_limit 6: a bucket of 3 tokens, so two requests pass and the third is refused.
    assert post(emulator).status_code == 201
    assert post(emulator).status_code == 201
    refused = post(emulator)
    assert refused.status_code == 429
    assert errors(refused) == [
        ("RateLimitError", "Exceeded rate limit for key type LIVE of 6 requests per 60 seconds")
    ]
    # The test key has its own bucket, and invalid requests still use tokens.
    client = emulator.client(api_key("test", LIMITED_SERVICE_ID, LIMITED_TEST_SECRET))
    assert post(emulator, LIMITED_TEST_SECRET, phone_number="").status_code == 400
    client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    with pytest.raises(RateLimitError) as raised:
        client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    assert raised.value.message == [
        {
            "error": "RateLimitError",
            "message": "Exceeded rate limit for key type TEST of 6 requests per 60 seconds",
        }
    ]
    # Tokens come back with time (6 per minute): the next refusal is the daily limit's.
    emulator.clock.advance(25)
    assert errors(post(emulator)) == [
        ("TooManyRequestsError", "Exceeded send limits (sms: 2) for today")
    ]


def test_daily_limit(emulator: Running) -> None:
    assert post(emulator).status_code == 201
    assert post(emulator).status_code == 201
    emulator.clock.advance(25)  # refill the rate bucket; the daily count stays
    refused = post(emulator)
    assert refused.status_code == 429
    assert errors(refused) == [("TooManyRequestsError", "Exceeded send limits (sms: 2) for today")]


def test_daily_limit_with_the_client(emulator: Running) -> None:
    client = emulator.client(api_key("live", LIMITED_SERVICE_ID, LIMITED_LIVE_SECRET))
    client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    emulator.clock.advance(25)
    with pytest.raises(TooManyRequestsError) as raised:
        client.send_sms_notification("07700900123", LIMITED_SMS_TEMPLATE_ID)
    assert raised.value.status_code == 429


def test_international_daily_limit(emulator: Running) -> None:
    assert post(emulator, phone_number="+33612345678").status_code == 201
    emulator.clock.advance(25)
    refused = post(emulator, phone_number="+33612345678")
    assert errors(refused) == [
        ("TooManyRequestsError", "Exceeded send limits (international_sms: 1) for today")
    ]
    # A UK number still goes: only the international count is full.
    assert post(emulator).status_code == 201


def test_test_keys_and_smoke_tests_do_not_count(emulator: Running) -> None:
    for _ in range(2):
        assert post(emulator, LIMITED_TEST_SECRET).status_code == 201
    assert post(emulator, phone_number="07700900000").status_code == 201
    emulator.clock.advance(25)
    assert post(emulator).status_code == 201


def test_reads_are_not_rate_limited(emulator: Running) -> None:
    for _ in range(5):
        response = emulator.request(
            "GET", "/v2/notifications", secret=LIMITED_LIVE_SECRET, service_id=LIMITED_SERVICE_ID
        )
        assert response.status_code == 200


def test_default_limits_allow_normal_use(emulator: Running) -> None:
    client = emulator.client()
    for _ in range(3):
        client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
