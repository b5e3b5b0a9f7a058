"""Answers recorded from the real Notify API (notifications-api 8ea2366 run locally), pinned.

Each test sends the request that the real API was sent and expects the answer it gave, copied
verbatim; ids differ between the two, so only the parts that do not depend on them are compared.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from notify_emulator.demo import service as demo
from notify_emulator.rules.data.delivery_receipts import records_delivery

from .emulator_harness import Running, make_token, raw_token

EMAIL = "/v2/notifications/email"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
METHOD_NOT_ALLOWED = {
    "message": "The method is not allowed for the requested URL.",
    "result": "error",
}


def _validation(*messages: str) -> dict[str, object]:
    return {
        "errors": [{"error": "ValidationError", "message": message} for message in messages],
        "status_code": 400,
    }


def _email_with_file(options: dict[str, Any]) -> dict[str, object]:
    return {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": options},
    }


def _token_with_iat(iat: object) -> str:
    header = {"typ": "JWT", "alg": "HS256"}
    return raw_token(header, {"iss": demo.SERVICE_ID, "iat": iat}, demo.LIVE_KEY_SECRET)


# --- send a file by email: the option checks, in the order Notify's schema walks them -------


def test_file_option_errors_come_in_notify_order(emulator: Running) -> None:
    options = {
        "file": 5,
        "filename": "x",
        "confirm_email_before_download": 1,
        "retention_period": 3,
        "is_csv": "x",
        "zzz": 1,
    }
    response = emulator.request("POST", EMAIL, json=_email_with_file(options))
    assert response.status_code == 400
    assert response.json() == _validation(
        "Additional properties are not allowed (zzz was unexpected)",
        "file 5 is not of type string",
        "is_csv Unsupported value for is_csv: x. Use a boolean true or false value.",
        "confirm_email_before_download Unsupported value for confirm_email_before_download: 1. "
        "Use a boolean true or false value.",
        "retention_period Unsupported value for retention_period: 3. "
        "Supported periods are from 1 to 78 weeks.",
        "filename `filename` must end with a file extension. For example, filename.csv",
        "Do not set a value for `is_csv` if `filename` is set.",
    )


@pytest.mark.parametrize(
    "options",
    [
        {"file": "YWJj", "is_csv": None, "filename": "a.csv"},
        {"file": "YWJj", "is_csv": False, "filename": None},
        {"file": "YWJj", "is_csv": None, "filename": None},
    ],
)
def test_is_csv_and_filename_may_not_both_be_present_even_as_null(
    emulator: Running, options: dict[str, Any]
) -> None:
    # Notify's rule is about the keys being there (JSON Schema "required"), not their values.
    response = emulator.request("POST", EMAIL, json=_email_with_file(options))
    assert response.status_code == 400
    assert response.json() == _validation("Do not set a value for `is_csv` if `filename` is set.")


# --- authentication: iat is read the way PyJWT and the official client read it --------------


@pytest.mark.parametrize("make_iat", [lambda: str(int(time.time())), lambda: time.time()])
def test_iat_as_a_numeric_string_or_a_float_is_accepted(emulator: Running, make_iat: Any) -> None:
    token = _token_with_iat(make_iat())
    response = emulator.request("GET", "/v2/templates", authorization=f"Bearer {token}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "make_iat",
    [lambda: str(int(time.time()) - 100), lambda: time.time() - 100, lambda: "abc", lambda: True],
)
def test_iat_that_is_old_or_not_a_number_is_a_clock_error(emulator: Running, make_iat: Any) -> None:
    token = _token_with_iat(make_iat())
    response = emulator.request("GET", "/v2/templates", authorization=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {
                "error": "AuthError",
                "message": "Error: Your system clock must be accurate to within 30 seconds",
            }
        ],
        "status_code": 403,
    }


# --- HTTP conventions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/templates"),
        ("GET", f"/v2/notifications/{UNKNOWN_ID}"),
        ("GET", "/nowhere"),
        ("POST", "/v2/notifications/sms"),
    ],
)
def test_json_answers_end_with_a_newline(emulator: Running, method: str, path: str) -> None:
    # Flask's JSON responses end with "\n".
    response = emulator.request(method, path, json={})
    assert response.content.endswith(b"}\n")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", f"/v2/notifications/{UNKNOWN_ID}", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("PUT", f"/v2/notifications/{UNKNOWN_ID}", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("DELETE", "/v2/notifications/sms", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("DELETE", "/v2/notifications", {"GET", "HEAD", "OPTIONS"}),
        ("GET", f"/v2/template/{demo.SMS_TEMPLATE_ID}/preview", {"OPTIONS", "POST"}),
    ],
)
def test_wrong_method_names_every_allowed_method_as_html(
    emulator: Running, method: str, path: str, allowed: set[str]
) -> None:
    # Werkzeug's own headers (text/html) replace the JSON content type of Notify's 405 body.
    response = emulator.request(method, path, authorization="")
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.json() == METHOD_NOT_ALLOWED
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_options_on_a_v2_route_needs_a_token(emulator: Running) -> None:
    response = emulator.request("OPTIONS", "/v2/templates", authorization="")
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {"error": "AuthError", "message": "Unauthorized: authentication token must be provided"}
        ],
        "status_code": 401,
    }


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v2/templates", {"GET", "HEAD", "OPTIONS"}),
        ("/v2/notifications/sms", {"GET", "HEAD", "OPTIONS", "POST"}),
        (f"/v2/notifications/{UNKNOWN_ID}", {"GET", "HEAD", "OPTIONS", "POST"}),
        (f"/v2/template/{demo.SMS_TEMPLATE_ID}/preview", {"OPTIONS", "POST"}),
    ],
)
def test_options_with_a_token_lists_the_allowed_methods(
    emulator: Running, path: str, allowed: set[str]
) -> None:
    response = emulator.request("OPTIONS", path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_options_on_an_unknown_url_is_the_plain_404(emulator: Running) -> None:
    response = emulator.request("OPTIONS", "/v2/nothing")
    assert response.status_code == 404


# --- reads --------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2147483648", "99999999999999999999"])
def test_a_template_version_too_big_to_exist_is_not_found(emulator: Running, version: str) -> None:
    response = emulator.request("GET", f"/v2/template/{demo.SMS_TEMPLATE_ID}/version/{version}")
    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"error": "NoResultFound", "message": "No result found"}],
        "status_code": 404,
    }


# --- ids that Python reads as UUIDs but PostgreSQL does not --------------------------------------

DATA_ERROR = {"errors": [{"error": "DataError", "message": "No result found"}], "status_code": 404}


def _odd_hyphen(value: str) -> str:
    digits = value.replace("-", "")
    return digits[:5] + "-" + digits[5:]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v2/notifications/urn:uuid:{UNKNOWN_ID}"),
        ("GET", f"/v2/notifications/uuid:{UNKNOWN_ID}"),
        ("GET", f"/v2/notifications/{_odd_hyphen(UNKNOWN_ID)}"),
        ("GET", f"/v2/notifications/urn:uuid:{UNKNOWN_ID}/pdf"),
        ("GET", f"/v2/template/urn:uuid:{demo.SMS_TEMPLATE_ID}"),
        ("GET", f"/v2/template/{_odd_hyphen(demo.SMS_TEMPLATE_ID)}"),
        ("GET", f"/v2/template/urn:uuid:{demo.SMS_TEMPLATE_ID}/version/1"),
        ("POST", f"/v2/template/urn:uuid:{demo.SMS_TEMPLATE_ID}/preview"),
        ("GET", f"/v2/notifications?older_than=urn:uuid:{UNKNOWN_ID}"),
        ("GET", f"/v2/notifications?older_than={_odd_hyphen(UNKNOWN_ID)}"),
        ("GET", f"/v2/received-text-messages?older_than=urn:uuid:{UNKNOWN_ID}"),
    ],
)
def test_an_id_postgres_cannot_read_is_a_data_error(
    emulator: Running, method: str, path: str
) -> None:
    body = {"personalisation": {"name": "a"}} if method == "POST" else None
    response = emulator.request(method, path, json=body)
    assert response.status_code == 404
    assert response.json() == DATA_ERROR


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v2/notifications/sms",
            {
                "phone_number": "07700900123",
                "template_id": demo.SMS_TEMPLATE_ID,
                "personalisation": {"name": "a"},
                "sms_sender_id": f"urn:uuid:{demo.SMS_SENDER_ID}",
            },
        ),
        (
            "/v2/notifications/email",
            {
                "email_address": "someone@example.com",
                "template_id": demo.EMAIL_TEMPLATE_ID,
                "personalisation": {"name": "a"},
                "email_reply_to_id": _odd_hyphen(demo.EMAIL_REPLY_TO_ID),
            },
        ),
    ],
)
def test_a_sender_id_postgres_cannot_read_is_a_data_error(
    emulator: Running, path: str, body: dict[str, object]
) -> None:
    response = emulator.request("POST", path, json=body)
    assert response.status_code == 404
    assert response.json() == DATA_ERROR


@pytest.mark.parametrize(
    "template_id", [f"urn:uuid:{demo.SMS_TEMPLATE_ID}", _odd_hyphen(demo.SMS_TEMPLATE_ID)]
)
def test_a_template_id_to_send_with_is_read_leniently(emulator: Running, template_id: str) -> None:
    body = {
        "phone_number": "07700900123",
        "template_id": template_id,
        "personalisation": {"name": "a"},
    }
    response = emulator.request("POST", "/v2/notifications/sms", json=body)
    assert response.status_code == 201
    assert response.json()["template"]["id"] == demo.SMS_TEMPLATE_ID


# --- test-key texts abroad: only countries with delivery receipts get the simulated one -----


def _send_test_text(emulator: Running, phone_number: str) -> str:
    body = {
        "phone_number": phone_number,
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "a"},
    }
    response = emulator.request(
        "POST", "/v2/notifications/sms", json=body, secret=demo.TEST_KEY_SECRET
    )
    assert response.status_code == 201
    notification_id: str = response.json()["id"]
    return notification_id


def _read_later(emulator: Running, notification_id: str) -> dict[str, Any]:
    emulator.clock.advance(5)  # past every simulated delivery step
    response = emulator.request(
        "GET", f"/v2/notifications/{notification_id}", secret=demo.TEST_KEY_SECRET
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("phone_number", ["+1 202 555 0123", "+86 138 0013 8000", "+299 21 1234"])
def test_a_test_text_to_a_country_without_receipts_stays_sent_with_no_fragments(
    emulator: Running, phone_number: str
) -> None:
    got = _read_later(emulator, _send_test_text(emulator, phone_number))
    assert got["status"] == "sent"
    assert got["is_cost_data_ready"] is True
    assert got["cost_in_pounds"] == 0.0
    assert got["cost_details"]["billable_sms_fragments"] == 0
    assert got["cost_details"]["international_rate_multiplier"] == 1.0
    assert got["completed_at"] is not None


def test_a_test_text_to_a_country_with_receipts_is_delivered_and_billed(
    emulator: Running,
) -> None:
    got = _read_later(emulator, _send_test_text(emulator, "+33 6 12 34 56 78"))
    assert got["status"] == "delivered"
    assert got["cost_details"]["billable_sms_fragments"] == 1
    assert got["cost_details"]["international_rate_multiplier"] == 2.0


def _read_now(emulator: Running, notification_id: str, secret: str) -> dict[str, Any]:
    response = emulator.request("GET", f"/v2/notifications/{notification_id}", secret=secret)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("phone_number", "in_flight", "multiplier"),
    [("07700900123", "sending", 1.0), ("+33 6 12 34 56 78", "sent", 2.0)],
)
def test_a_test_text_has_no_fragments_until_its_receipt(
    emulator: Running, phone_number: str, in_flight: str, multiplier: float
) -> None:
    # Notify hands a test-key text on without recording its fragments (send_sms_to_provider);
    # the simulated receipt records them. Until then it costs nothing, but the data is ready.
    notification_id = _send_test_text(emulator, phone_number)
    emulator.clock.advance(1.5)
    got = _read_now(emulator, notification_id, demo.TEST_KEY_SECRET)
    assert got["status"] == in_flight
    assert (got["is_cost_data_ready"], got["cost_in_pounds"]) == (True, 0.0)
    assert got["cost_details"]["billable_sms_fragments"] == 0
    assert got["cost_details"]["international_rate_multiplier"] == multiplier
    rate = got["cost_details"]["sms_rate"]
    got = _read_later(emulator, notification_id)
    assert got["status"] == "delivered"
    assert got["cost_details"]["billable_sms_fragments"] == 1
    assert got["cost_in_pounds"] == pytest.approx(multiplier * rate)


def test_a_live_text_has_its_fragments_once_handed_on(emulator: Running) -> None:
    response = emulator.request(
        "POST",
        "/v2/notifications/sms",
        json={
            "phone_number": "07700900123",
            "template_id": demo.SMS_TEMPLATE_ID,
            "personalisation": {"name": "a"},
        },
    )
    assert response.status_code == 201
    emulator.clock.advance(1.5)
    got = _read_now(emulator, response.json()["id"], demo.LIVE_KEY_SECRET)
    assert got["status"] == "sending"
    assert got["cost_details"]["billable_sms_fragments"] == 1
    assert got["cost_in_pounds"] == got["cost_details"]["sms_rate"]


@pytest.mark.parametrize(
    ("prefix", "receipts"),
    [("1", False), ("86", False), ("1868", False), ("33", True), ("44", True)],
)
def test_which_prefixes_record_delivery(prefix: str, receipts: bool) -> None:
    assert records_delivery(prefix) is receipts


# --- tokens with stray characters: Notify's PyJWT reads their segments leniently -------------

KEY_NOT_FOUND = {
    "errors": [{"error": "AuthError", "message": "Invalid token: API key not found"}],
    "status_code": 403,
}


def _live_token() -> str:
    return make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: " " + token,  # "Bearer  <token>": a second space
        lambda token: "*" + token,
        lambda token: token[:-1],  # a truncated signature
        lambda token: token.replace(".", ".\t", 1),
    ],
)
def test_a_token_with_stray_characters_matches_no_key(emulator: Running, mangle: Any) -> None:
    response = emulator.request(
        "GET", "/v2/templates", authorization="Bearer " + mangle(_live_token())
    )
    assert response.status_code == 403
    assert response.json() == KEY_NOT_FOUND


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: ".".join(part + "=" * (-len(part) % 4) for part in token.split(".")),
        # The standard alphabet in the signature: the same bytes once decoded.
        lambda token: (
            token[: token.rindex(".")]
            + token[token.rindex(".") :].replace("-", "+").replace("_", "/")
        ),
    ],
)
def test_a_token_whose_segments_still_decode_is_accepted(emulator: Running, mangle: Any) -> None:
    response = emulator.request(
        "GET", "/v2/templates", authorization="Bearer " + mangle(_live_token())
    )
    assert response.status_code == 200


def test_a_token_of_two_segments_is_not_a_token(emulator: Running) -> None:
    token = _live_token().rsplit(".", 1)[0]
    response = emulator.request("GET", "/v2/templates", authorization="Bearer " + token)
    assert response.status_code == 403
    assert response.json()["errors"][0]["message"].startswith("Invalid token: make sure")


# --- the query strings of list links, as Werkzeug builds and reads them ----------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reference=a%2Fb", "reference=a/b"),
        ("reference=" + "%21%24%27%28%29%2A%2C%2F%3A%3B%3F%40", "reference=!$'()*,/:;?@"),
        ("reference=a%26b%3Dc%23d", "reference=a%26b%3Dc%23d"),
        ("reference=a%20b", "reference=a+b"),
        ("reference=%ff", "reference=%25FF"),
    ],
)
def test_list_links_escape_what_werkzeug_escapes(
    emulator: Running, query: str, expected: str
) -> None:
    response = emulator.request("GET", f"/v2/notifications?{query}")
    assert response.status_code == 200
    assert response.json()["links"] == {
        "current": f"{emulator.base_url}/v2/notifications?{expected}"
    }


# --- repeated slashes, as Werkzeug routes them ------------------------------------------------


def test_leading_slashes_are_ignored(emulator: Running) -> None:
    # As when a client's base URL ends with "/".
    plain = emulator.request("GET", "/v2/templates?type=sms")
    doubled = emulator.request("GET", "//v2/templates?type=sms")
    assert doubled.status_code == 200
    assert doubled.json() == plain.json()
    body = {
        "phone_number": "07700900123",
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "a"},
    }
    assert emulator.request("POST", "///v2/notifications/sms", json=body).status_code == 201


def test_slashes_inside_a_path_redirect_to_the_merged_path(emulator: Running) -> None:
    token = make_token(demo.LIVE_KEY_SECRET, demo.SERVICE_ID)
    response = requests.get(
        emulator.base_url + "/v2//templates?type=sms&a=%3Cx%3E",
        headers={"Authorization": f"Bearer {token}"},
        allow_redirects=False,
        timeout=10,
    )
    location = f"{emulator.base_url}/v2/templates?type=sms&a=%3Cx%3E"
    assert response.status_code == 308
    assert response.headers["Location"] == location
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    shown = location.replace("&", "&amp;")
    assert f'<a href="{shown}">{shown}</a>. If not, click the link.' in response.text


def test_slashes_inside_a_path_with_a_wrong_method_are_a_405(emulator: Running) -> None:
    response = emulator.request("DELETE", "/v2//templates", authorization="")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("path", ["/v2/templates//", "/v2//nothing", "//nothing"])
def test_slashes_that_merge_into_no_route_are_a_404(emulator: Running, path: str) -> None:
    assert emulator.request("GET", path).status_code == 404


# --- the one-click unsubscribe URL: RFC 3986's grammar, as Notify's "uri" format checks it ----


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://example.com/\u00e9", False),  # not ASCII: an IRI, not a URI
        ("https://ex\u00e4mple.com/", False),
        ("https://example.com/%zz", False),  # a percent sign must escape two hex digits
        ("https://example.com/a[b]", False),
        ("https://example.com/a b", False),
        ("https://example.com/%E9", True),
        ("https://[::1]/unsub", True),
        ("https:", True),
    ],
)
def test_the_unsubscribe_url_must_be_a_uri(emulator: Running, url: str, accepted: bool) -> None:
    body = {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": "A"},
        "one_click_unsubscribe_url": url,
    }
    response = emulator.request("POST", EMAIL, json=body)
    if accepted:
        assert response.status_code == 201, response.text
        assert response.json()["content"]["one_click_unsubscribe_url"] == url
    else:
        assert response.json() == _validation("one_click_unsubscribe_url is not a valid https url")
