"""Fixed identities and payloads the benchmarks send, and the canned answers of the bare servers."""

from __future__ import annotations

import json

# A service of the benchmarks' own (not the demo service) so that its rate limit can be raised
# far above what the load generator sends: the limiter must not be what is measured.
SERVICE_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f901a01"
SECRET = "7c1f2e3d-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
API_KEY = f"bench-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f901b01"
SMS_TEMPLATE_BODY = "Hello ((name)), your reference is ((reference_code))."
RATE_LIMIT = 1_000_000_000
DAILY_LIMIT = 1_000_000_000

PHONE_NUMBER = "07700900123"
PERSONALISATION = {"name": "Ada Lovelace", "reference_code": "ABC-123"}

SMS_REQUEST: dict[str, object] = {
    "phone_number": PHONE_NUMBER,
    "template_id": SMS_TEMPLATE_ID,
    "personalisation": PERSONALISATION,
    "reference": "bench",
}

# A 201 body of the shape of notify-api.md §5.1, so that a client parses a realistic answer.
CANNED_NOTIFICATION_ID = "0b5e7c4a-3f1d-4e2b-9a6c-5d8e7f901c01"
CANNED_SMS_RESPONSE = json.dumps(
    {
        "content": {
            "body": "Hello Ada Lovelace, your reference is ABC-123.",
            "from_number": "GOVUK",
        },
        "id": CANNED_NOTIFICATION_ID,
        "reference": "bench",
        "scheduled_for": None,
        "template": {
            "id": SMS_TEMPLATE_ID,
            "uri": f"http://127.0.0.1/services/{SERVICE_ID}/templates/{SMS_TEMPLATE_ID}",
            "version": 1,
        },
        "uri": f"http://127.0.0.1/v2/notifications/{CANNED_NOTIFICATION_ID}",
    },
    separators=(",", ":"),
).encode()


# The answer to GET /v2/template/ID (notify-api.md §5.8) for the benchmark's text template.
CANNED_TEMPLATE_RESPONSE = json.dumps(
    {
        "id": SMS_TEMPLATE_ID,
        "name": "Benchmark text",
        "type": "sms",
        "created_at": "2026-01-01T00:00:00.000000Z",
        "updated_at": None,
        "created_by": "someone@example.gov.uk",
        "version": 1,
        "body": SMS_TEMPLATE_BODY,
        "subject": None,
        "letter_contact_block": None,
        "personalisation": {"name": {"required": True}, "reference_code": {"required": True}},
        "postage": None,
    },
    separators=(",", ":"),
).encode()


def seed_toml() -> str:
    """The emulator seed file (spec/emulator.md) for the benchmark service: live mode, live key."""
    return f"""\
[[services]]
id = "{SERVICE_ID}"
name = "Benchmark service"
trial_mode = false
rate_limit = {RATE_LIMIT}
sms_message_limit = {DAILY_LIMIT}
email_message_limit = {DAILY_LIMIT}
letter_message_limit = {DAILY_LIMIT}
international_sms_message_limit = {DAILY_LIMIT}
permissions = ["sms", "email", "letter", "international_sms", "international_letters"]

  [[services.api_keys]]
  name = "bench"
  type = "normal"
  secret = "{SECRET}"

  [[services.templates]]
  id = "{SMS_TEMPLATE_ID}"
  name = "Benchmark text"
  type = "sms"
  body = "{SMS_TEMPLATE_BODY}"
"""
