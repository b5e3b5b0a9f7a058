"""Authentication, each branch of notify-api.md §2.3, in Notify's order."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import jwt
import pytest

from notifications_python_client.errors import AuthError
from notify_emulator.demo import service as demo

from .emulator_harness import (
    ARCHIVED_LIVE_SECRET,
    ARCHIVED_SERVICE_ID,
    KEYLESS_SERVICE_ID,
    OLD_REVOKED_SECRET,
    REVOKED_SECRET,
    REVOKED_SERVICE_ID,
    Running,
    errors,
    make_token,
    raw_token,
)

INVALID_TOKEN = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK = "Error: Your system clock must be accurate to within 30 seconds"


def auth_error(emulator: Running, authorization: str) -> tuple[int, list[tuple[str, str]]]:
    response = emulator.request("GET", "/v2/templates", authorization=authorization)
    return response.status_code, errors(response)


def test_no_authorization_header(emulator: Running) -> None:
    status, found = auth_error(emulator, "")
    assert status == 401
    assert found == [("AuthError", "Unauthorized: authentication token must be provided")]


@pytest.mark.parametrize("header", ["Basic abc", "Bearerabc", "Token x"])
def test_scheme_must_be_bearer(emulator: Running, header: str) -> None:
    assert auth_error(emulator, header) == (
        401,
        [("AuthError", "Unauthorized: authentication bearer scheme must be used")],
    )


def test_bearer_is_case_insensitive(emulator: Running) -> None:
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)
    response = emulator.request("GET", "/v2/templates", authorization=f"bEARER {token}")
    assert response.status_code == 200


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "x y"])
def test_undecodable_token(emulator: Running, token: str) -> None:
    assert auth_error(emulator, f"Bearer {token}") == (403, [("AuthError", INVALID_TOKEN)])


def test_missing_iss(emulator: Running) -> None:
    token = jwt.encode({"iat": int(time.time())}, demo.LIVE_KEY_SECRET, algorithm="HS256")
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: iss field not provided")],
    )


@pytest.mark.parametrize("issuer", ["not-a-uuid", 12345])
def test_iss_not_a_uuid(emulator: Running, issuer: object) -> None:
    token = raw_token({"typ": "JWT", "alg": "HS256"}, {"iss": issuer, "iat": int(time.time())}, "x")
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: service id is not the right data type")],
    )


def test_unknown_service(emulator: Running) -> None:
    token = make_token(demo.LIVE_KEY_SECRET, "00000000-0000-4000-8000-000000000000")
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: service not found")],
    )


def test_service_whose_only_key_was_revoked_long_ago(emulator: Running) -> None:
    token = make_token(OLD_REVOKED_SECRET, KEYLESS_SERVICE_ID)
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: service has no API keys")],
    )


def test_archived_service(emulator: Running) -> None:
    token = make_token(ARCHIVED_LIVE_SECRET, ARCHIVED_SERVICE_ID)
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: service is archived")],
    )


@pytest.mark.parametrize("algorithm", ["HS512", "HS384"])
def test_algorithm_must_be_hs256(emulator: Running, algorithm: str) -> None:
    # The algorithm is refused before any signature is checked, so any key will do.
    token = jwt.encode(
        {"iss": demo.SERVICE_ID, "iat": int(time.time())}, "k" * 64, algorithm=algorithm
    )
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: algorithm used is not HS256")],
    )


@pytest.mark.parametrize("skew", [-31, 31, -3600])
def test_clock_must_be_within_30_seconds(emulator: Running, skew: int) -> None:
    token = make_token(
        demo.LIVE_KEY_SECRET, demo.SERVICE_ID, iat=emulator.clock.now().timestamp() + skew
    )
    assert auth_error(emulator, f"Bearer {token}") == (403, [("AuthError", CLOCK)])


@pytest.mark.parametrize("skew", [-29, 29])
def test_clock_within_30_seconds_is_accepted(emulator: Running, skew: int) -> None:
    token = make_token(
        demo.LIVE_KEY_SECRET, demo.SERVICE_ID, iat=emulator.clock.now().timestamp() + skew
    )
    response = emulator.request("GET", "/v2/templates", authorization=f"Bearer {token}")
    assert response.status_code == 200


@pytest.mark.parametrize("fraction", [0.0, 0.5, 0.999])
@pytest.mark.parametrize(("skew", "accepted"), [(-30, True), (30, True), (-31, False), (31, False)])
def test_clock_bound_is_in_whole_seconds(
    emulator: Running, fraction: float, skew: int, accepted: bool
) -> None:
    # Notify's client compares whole seconds (now = calendar.timegm(time.gmtime())): a token
    # exactly 30 s old or 30 s ahead passes whatever the fraction of the current second.
    second = int(emulator.clock.now().timestamp())
    emulator.clock.set(datetime.fromtimestamp(second + fraction, timezone.utc))
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID, iat=second + skew)
    response = emulator.request("GET", "/v2/templates", authorization=f"Bearer {token}")
    if accepted:
        assert response.status_code == 200
    else:
        assert (response.status_code, errors(response)) == (403, [("AuthError", CLOCK)])


def test_server_clock_decides(emulator: Running) -> None:
    # A token fresh by the client's clock is stale once the server's clock has moved on.
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)
    emulator.clock.advance(45)
    assert auth_error(emulator, f"Bearer {token}") == (403, [("AuthError", CLOCK)])


def test_non_integer_iat(emulator: Running) -> None:
    token = jwt.encode(
        {"iss": demo.SERVICE_ID, "iat": "yesterday"}, demo.LIVE_KEY_SECRET, algorithm="HS256"
    )
    assert auth_error(emulator, f"Bearer {token}") == (403, [("AuthError", CLOCK)])


def test_missing_iat_is_not_a_match(emulator: Running) -> None:
    token = jwt.encode({"iss": demo.SERVICE_ID}, demo.LIVE_KEY_SECRET, algorithm="HS256")
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: API key not found")],
    )


def test_other_claim_problems_are_invalid_tokens(emulator: Running) -> None:
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID, exp=int(time.time()) - 3600)
    assert auth_error(emulator, f"Bearer {token}") == (403, [("AuthError", INVALID_TOKEN)])


def test_recently_revoked_key(emulator: Running) -> None:
    token = make_token(REVOKED_SECRET, REVOKED_SERVICE_ID)
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: API key revoked")],
    )


def test_wrong_secret(emulator: Running) -> None:
    token = make_token("00000000-0000-4000-8000-000000000001", demo.SERVICE_ID)
    assert auth_error(emulator, f"Bearer {token}") == (
        403,
        [("AuthError", "Invalid token: API key not found")],
    )


@pytest.mark.parametrize("api_key", [demo.LIVE_API_KEY, demo.TEAM_API_KEY, demo.TEST_API_KEY])
def test_any_key_of_the_service_authenticates(emulator: Running, api_key: str) -> None:
    assert "templates" in emulator.client(api_key).get_all_templates()


def test_client_sees_auth_errors(emulator: Running) -> None:
    wrong = f"key-{demo.SERVICE_ID}-00000000-0000-4000-8000-000000000001"
    with pytest.raises(AuthError) as raised:
        emulator.client(wrong).get_all_templates()
    assert raised.value.status_code == 403
    assert raised.value.message == [
        {"error": "AuthError", "message": "Invalid token: API key not found"}
    ]
