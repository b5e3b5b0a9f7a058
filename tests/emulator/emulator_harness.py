"""Helpers for the emulator's tests: signed raw requests and the running-server handle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.web.context import Emulator

# Small pages so that paging is exercised with a handful of rows.
TEST_PAGE_SIZE = 5
TEST_DELAYS = DeliveryDelays(
    sending=timedelta(seconds=1), final=timedelta(seconds=2), virus_scan=timedelta(seconds=0.5)
)


def make_token(secret: str, service_id: str, *, iat: float | None = None, **claims: Any) -> str:
    """A token as a client signs it (``iat`` defaults to now)."""
    payload: dict[str, Any] = {
        "iss": service_id,
        "iat": int(iat if iat is not None else time.time()),
    }
    payload.update(claims)
    return jwt.encode(payload, secret, algorithm="HS256", headers={"typ": "JWT"})


def raw_token(header: dict[str, Any], payload: dict[str, Any], secret: str) -> str:
    """A JWT built by hand (for claims PyJWT refuses to encode), signed with HMAC-SHA256."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    signing_input = part(json.dumps(header).encode()) + "." + part(json.dumps(payload).encode())
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + part(signature)


@dataclass
class Running:
    """A running emulator and ways to talk to it."""

    base_url: str
    clock: FrozenClock
    emulator: Emulator

    def client(self, api_key: str = demo.LIVE_API_KEY) -> NotificationsAPIClient:
        """The real client, without retries."""
        return NotificationsAPIClient(api_key, base_url=self.base_url, max_retries=0)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        data: bytes | str | None = None,
        secret: str = demo.LIVE_KEY_SECRET,
        service_id: str = demo.SERVICE_ID,
        authorization: str | None = None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """A raw request signed with the demo service's live key (or as told)."""
        all_headers = dict(headers or {})
        if authorization is None:
            authorization = "Bearer " + make_token(secret, service_id)
        if authorization:
            all_headers["Authorization"] = authorization
        return requests.request(
            method,
            self.base_url + path,
            json=json,
            data=data,
            params=params,
            headers=all_headers,
            timeout=10,
        )

    def request_headers(
        self, secret: str = demo.LIVE_KEY_SECRET, service_id: str = demo.SERVICE_ID
    ) -> dict[str, str]:
        """The Authorization header of a request signed now (with the live key by default)."""
        return {"Authorization": "Bearer " + make_token(secret, service_id)}

    def set_emulator_clock(self, moment: datetime) -> None:
        """Move the emulator's own clock (``POST /_emulator/clock``) forward to ``moment``;
        JWTs are still checked against :attr:`clock`."""
        response = requests.post(
            self.base_url + "/_emulator/clock",
            json={"set": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
            timeout=10,
        )
        assert response.status_code == 200, response.text

    def load_config(self, toml: str) -> None:
        """Seed extra services through the admin route."""
        response = requests.post(
            self.base_url + "/_emulator/config",
            data=toml.encode(),
            headers={"Content-Type": "application/toml"},
            timeout=10,
        )
        assert response.status_code == 200, response.text


# Extra services for the restrictions tests, loaded through POST /_emulator/config.
TRIAL_SERVICE_ID = "11111111-1111-4111-8111-111111111111"
TRIAL_LIVE_SECRET = "11111111-aaaa-4aaa-8aaa-000000000001"
TRIAL_TEAM_SECRET = "11111111-aaaa-4aaa-8aaa-000000000002"
TRIAL_TEST_SECRET = "11111111-aaaa-4aaa-8aaa-000000000003"
TRIAL_SMS_TEMPLATE_ID = "11111111-bbbb-4bbb-8bbb-000000000001"
TRIAL_LETTER_TEMPLATE_ID = "11111111-bbbb-4bbb-8bbb-000000000002"
TRIAL_EMAIL_TEMPLATE_ID = "11111111-bbbb-4bbb-8bbb-000000000003"
GUEST_PHONE = "07700900456"
GUEST_EMAIL = "guest@example.gov.uk"

LIMITED_SERVICE_ID = "22222222-2222-4222-8222-222222222222"
LIMITED_LIVE_SECRET = "22222222-aaaa-4aaa-8aaa-000000000001"
LIMITED_TEST_SECRET = "22222222-aaaa-4aaa-8aaa-000000000002"
LIMITED_SMS_TEMPLATE_ID = "22222222-bbbb-4bbb-8bbb-000000000001"

BARE_SERVICE_ID = "33333333-3333-4333-8333-333333333333"
BARE_LIVE_SECRET = "33333333-aaaa-4aaa-8aaa-000000000001"
BARE_SMS_TEMPLATE_ID = "33333333-bbbb-4bbb-8bbb-000000000001"
BARE_EMAIL_TEMPLATE_ID = "33333333-bbbb-4bbb-8bbb-000000000002"
BARE_LETTER_TEMPLATE_ID = "33333333-bbbb-4bbb-8bbb-000000000003"

ARCHIVED_SERVICE_ID = "44444444-4444-4444-8444-444444444444"
ARCHIVED_LIVE_SECRET = "44444444-aaaa-4aaa-8aaa-000000000001"
KEYLESS_SERVICE_ID = "55555555-5555-4555-8555-555555555555"
OLD_REVOKED_SECRET = "55555555-aaaa-4aaa-8aaa-000000000001"
REVOKED_SERVICE_ID = "66666666-6666-4666-8666-666666666666"
REVOKED_SECRET = "66666666-aaaa-4aaa-8aaa-000000000001"
REVOKED_SERVICE_LIVE_SECRET = "66666666-aaaa-4aaa-8aaa-000000000002"

EXTRA_SERVICES_TOML = f"""
[[services]]
id = "{TRIAL_SERVICE_ID}"
name = "Trial Service"
trial_mode = true
guest_list = ["{GUEST_PHONE}", "{GUEST_EMAIL}"]
  [[services.api_keys]]
  name = "live"
  type = "normal"
  secret = "{TRIAL_LIVE_SECRET}"
  [[services.api_keys]]
  name = "team"
  type = "team"
  secret = "{TRIAL_TEAM_SECRET}"
  [[services.api_keys]]
  name = "test"
  type = "test"
  secret = "{TRIAL_TEST_SECRET}"
  [[services.templates]]
  id = "{TRIAL_SMS_TEMPLATE_ID}"
  name = "Trial text"
  type = "sms"
  body = "Hi"
  [[services.templates]]
  id = "{TRIAL_EMAIL_TEMPLATE_ID}"
  name = "Trial email"
  type = "email"
  subject = "Hi"
  body = "Hello"
  [[services.templates]]
  id = "{TRIAL_LETTER_TEMPLATE_ID}"
  name = "Trial letter"
  type = "letter"
  subject = "Hi"
  body = "Hello"

[[services]]
id = "{LIMITED_SERVICE_ID}"
name = "Limited Service"
rate_limit = 6
sms_message_limit = 2
international_sms_message_limit = 1
  [[services.api_keys]]
  name = "live"
  secret = "{LIMITED_LIVE_SECRET}"
  [[services.api_keys]]
  name = "test"
  type = "test"
  secret = "{LIMITED_TEST_SECRET}"
  [[services.templates]]
  id = "{LIMITED_SMS_TEMPLATE_ID}"
  name = "Limited text"
  type = "sms"
  body = "Hi"

[[services]]
id = "{BARE_SERVICE_ID}"
name = "Bare Service"
permissions = []
prefix_sms = true
  [[services.api_keys]]
  name = "live"
  secret = "{BARE_LIVE_SECRET}"
  [[services.templates]]
  id = "{BARE_SMS_TEMPLATE_ID}"
  name = "Bare text"
  type = "sms"
  body = "Hi"
  [[services.templates]]
  id = "{BARE_EMAIL_TEMPLATE_ID}"
  name = "Bare email"
  type = "email"
  subject = "Hi"
  body = "Hello"
  [[services.templates]]
  id = "{BARE_LETTER_TEMPLATE_ID}"
  name = "Bare letter"
  type = "letter"
  subject = "Hi"
  body = "Hello"

[[services]]
id = "{ARCHIVED_SERVICE_ID}"
name = "Archived Service"
active = false
  [[services.api_keys]]
  name = "live"
  secret = "{ARCHIVED_LIVE_SECRET}"

[[services]]
id = "{KEYLESS_SERVICE_ID}"
name = "Keyless Service"
  [[services.api_keys]]
  name = "long gone"
  secret = "{OLD_REVOKED_SECRET}"
  revoked_at = "2000-01-01T00:00:00Z"

[[services]]
id = "{REVOKED_SERVICE_ID}"
name = "Revoked Key Service"
  [[services.api_keys]]
  name = "revoked"
  secret = "{REVOKED_SECRET}"
  revoked = true
  [[services.api_keys]]
  name = "live"
  secret = "{REVOKED_SERVICE_LIVE_SECRET}"
"""


def api_key(name: str, service_id: str, secret: str) -> str:
    """An API key string."""
    return f"{name}-{service_id}-{secret}"


def errors(response: requests.Response) -> list[tuple[str, str]]:
    """``(error, message)`` pairs of a v2 error body."""
    body = response.json()
    assert body["status_code"] == response.status_code
    return [(entry["error"], entry["message"]) for entry in body["errors"]]
