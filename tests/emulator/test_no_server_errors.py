"""Inputs that used to end in a 500: each now has a clear answer and stores nothing.

Run on SQLite, and on PostgreSQL too when NOTIFY_EMULATOR_TEST_POSTGRES_URL is set (the
database it names is emptied), since several of them only failed there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from notify_emulator.app import create_app
from notify_emulator.demo import service as demo
from notify_emulator.demo.service import demo_seed
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from notify_emulator.store import apply_seed, tables
from notify_emulator.store.engine import create_database_engine
from notify_emulator.web.text_checks import MAX_JSON_DEPTH
from tests.fuzz.asgi import Answer, AsgiDriver, driving

from .emulator_harness import make_token

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")
SMS = "/v2/notifications/sms"
EMAIL = "/v2/notifications/email"
LETTER = "/v2/notifications/letter"
JSON = ("Content-Type", "application/json")
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 Road", "postcode": "SW1A 1AA"}


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL"),
            ],
        ),
    ],
)
def backend_app(request: pytest.FixtureRequest) -> Iterator[Starlette]:
    if request.param == "postgres":
        engine = create_database_engine(POSTGRES_URL)
        tables.metadata.drop_all(engine)
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = "sqlite:///:memory:"
    app = create_app(Settings(database_url=url, log_requests=False))
    yield app
    app.state.emulator.store.close()


@pytest.fixture
def driver(backend_app: Starlette) -> Iterator[AsgiDriver]:
    """The backend's app, with nothing sent or received yet and its seed as loaded."""
    emulator = backend_app.state.emulator
    emulator.store.reset_activity()
    apply_seed(emulator.store, demo_seed())
    with driving(backend_app) as running:
        yield running


def bearer(secret: str = demo.LIVE_KEY_SECRET) -> tuple[str, str]:
    return ("Authorization", "Bearer " + make_token(secret, demo.SERVICE_ID))


def post(driver: AsgiDriver, path: str, body: bytes | object, *headers: tuple[str, str]) -> Answer:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return driver.request("POST", path, headers=[bearer(), JSON, *headers], body=data)


def errors(answer: Answer) -> list[tuple[str, str]]:
    body = json.loads(answer.body)
    return [(entry["error"], entry["message"]) for entry in body["errors"]]


def activity(driver: AsgiDriver) -> dict[str, int]:
    store = driver.app.state.emulator.store  # type: ignore[attr-defined]
    return {
        name: store.count_rows(name)
        for name in ("notifications", "received_texts", "documents", "daily_counts")
    }


NOTHING = {"notifications": 0, "received_texts": 0, "documents": 0, "daily_counts": 0}


def sms(**fields: Any) -> dict[str, Any]:
    return {
        "phone_number": "07700900123",
        "template_id": demo.SMS_TEMPLATE_ID,
        "personalisation": {"name": "A"},
        **fields,
    }


def lists_still_work(driver: AsgiDriver) -> None:
    assert driver.request("GET", "/_emulator/notifications").status == 200
    assert driver.request("GET", "/").status == 200
    assert driver.request("GET", "/v2/notifications", headers=[bearer()]).status == 200


# --- (1, 6) unpaired surrogates and NULs ---------------------------------------------------------

SURROGATE = "\ud800"
NUL = "\x00"


def letter(**personalisation: Any) -> dict[str, Any]:
    return {
        "template_id": demo.LETTER_TEMPLATE_ID,
        "personalisation": {"name": "A", **ADDRESS, **personalisation},
    }


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            SMS,
            sms(personalisation={"name": SURROGATE}),
            "personalisation name must not contain an unpaired surrogate (\\ud800-\\udfff)",
        ),
        (SMS, sms(reference=f"ref{SURROGATE}"), "reference must not contain an unpaired surrogate"),
        (SMS, sms(reference=f"ref{NUL}"), "reference must not contain a NUL character (\\u0000)"),
        (
            SMS,
            sms(personalisation={"name": "a", f"na{SURROGATE}me": "a"}),
            "a key in personalisation must not contain an unpaired surrogate",
        ),
        (
            LETTER,
            letter(address_line_2=f"1 Road{NUL}"),
            "personalisation address_line_2 must not contain a NUL character",
        ),
        (LETTER, letter(name=SURROGATE), "personalisation name must not contain an unpaired"),
        (
            EMAIL,
            {
                "email_address": "someone@example.com",
                "template_id": demo.EMAIL_TEMPLATE_ID,
                "personalisation": {"name": ["a", SURROGATE]},
            },
            "personalisation name must not contain an unpaired surrogate",
        ),
        (
            LETTER,
            {"reference": f"r{NUL}", "content": base64.b64encode(b"%PDF-1.4").decode()},
            "reference must not contain a NUL character",
        ),
    ],
)
def test_unstorable_text_in_a_send_is_a_bad_request(
    driver: AsgiDriver, path: str, body: dict[str, Any], message: str
) -> None:
    # Where Notify's own checks pass such text and then fail with a 500 writing it.
    answer = post(driver, path, body)
    assert answer.status == 400
    ((error, text),) = errors(answer)
    assert error == "BadRequestError"
    assert text.startswith(message)
    assert activity(driver) == NOTHING
    lists_still_work(driver)


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            SMS,
            sms(phone_number=f"07700{NUL}900123"),
            "phone_number Must not contain letters or symbols",
        ),
        (
            SMS,
            sms(template_id=f"{demo.SMS_TEMPLATE_ID}{SURROGATE}"),
            "template_id is not a valid UUID",
        ),
        (
            SMS,
            sms(**{f"x{NUL}": 1}),
            "Additional properties are not allowed (x\\x00 was unexpected)",
        ),
        (
            EMAIL,
            {
                "email_address": "someone@example.com",
                "template_id": demo.EMAIL_TEMPLATE_ID,
                "one_click_unsubscribe_url": f"https://example.com/{NUL}",
            },
            "one_click_unsubscribe_url is not a valid https url",
        ),
        (
            LETTER,
            letter(postcode=f"SW1A 1AA{NUL}"),
            "Last line of address must be a real UK postcode or another country",
        ),
    ],
)
def test_unstorable_text_that_fails_notifys_checks_gets_notifys_error(
    driver: AsgiDriver, path: str, body: dict[str, Any], message: str
) -> None:
    # The answers of the real API (notifications-api 8ea2366 run locally) to the same requests.
    answer = post(driver, path, body)
    assert answer.status == 400
    assert errors(answer) == [("ValidationError", message)]
    assert activity(driver) == NOTHING


def test_a_nul_in_personalisation_is_stored_as_notify_keeps_it(driver: AsgiDriver) -> None:
    # Notify keeps personalisation encrypted, not as database text, so it sends this (the real
    # API answers these bodies), and reads it back.
    body = {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": f"A{NUL}B", f"x{NUL}": "y"},
        "sanitise_content_for": [f"z{SURROGATE}"],
    }
    answer = post(driver, EMAIL, body)
    assert answer.status == 201, answer.body
    sent = json.loads(answer.body)
    assert sent["content"]["subject"] == f"Hello A{NUL}B"
    assert sent["content"]["body"] == f"Dear A{NUL}B,\n\nThis is a demo email.\n\nThe Demo Service"
    read = driver.request("GET", f"/v2/notifications/{sent['id']}", headers=[bearer()])
    assert json.loads(read.body)["body"] == sent["content"]["body"]
    text = json.loads(post(driver, SMS, sms(personalisation={"name": f"a{NUL}"})).body)
    assert text["content"]["body"] == "Hello a?, this is a demo text."  # as Notify encodes it
    assert activity(driver)["notifications"] == 2
    lists_still_work(driver)
    assert driver.request("GET", f"/notifications/{sent['id']}").status == 200


def test_a_surrogate_sent_as_raw_bytes_is_refused_too(driver: AsgiDriver) -> None:
    # UTF-8 of U+D800, which Python's JSON reader lets through.
    body = json.dumps(sms()).encode().replace(b'"A"', b'"\xed\xa0\x80"')
    answer = post(driver, SMS, body)
    assert answer.status == 400
    assert activity(driver) == NOTHING


@pytest.mark.parametrize("text", [SURROGATE, f"STOP{NUL}"])
def test_unstorable_received_text_is_refused(driver: AsgiDriver, text: str) -> None:
    body = {"service_id": demo.SERVICE_ID, "user_number": "07700900111", "content": text}
    answer = driver.request(
        "POST", "/_emulator/received-texts", headers=[JSON], body=json.dumps(body).encode()
    )
    assert answer.status == 400
    assert json.loads(answer.body)["error"].startswith("content must not contain")
    assert activity(driver) == NOTHING
    lists_still_work(driver)


def test_a_nul_in_a_query_is_a_bad_request(driver: AsgiDriver) -> None:
    answer = driver.request("GET", "/v2/notifications?reference=a%00b", headers=[bearer()])
    assert answer.status == 400
    assert errors(answer) == [
        (
            "BadRequestError",
            "the query parameter reference must not contain a NUL character (\\u0000)",
        )
    ]
    # Authentication still comes first, as in Notify.
    assert driver.request("GET", "/v2/notifications?reference=%00").status == 401
    # A NUL that Notify's checks refuse gets their answer (the real API's, to the same request).
    enum = driver.request("GET", "/v2/notifications?template_type=sms%00", headers=[bearer()])
    assert errors(enum) == [
        ("ValidationError", "template_type sms\\x00 is not one of [sms, email, letter]")
    ]
    path = driver.request("GET", "/v2/notifications/a%00b", headers=[bearer()])
    assert errors(path) == [("ValidationError", "notification_id is not a valid UUID")]
    listing = driver.request("GET", "/_emulator/notifications?service_id=%00")
    assert listing.status == 400


def test_a_nul_in_a_path_is_a_bad_request(driver: AsgiDriver) -> None:
    answer = driver.request(
        "POST", "/_emulator/notifications/a%00b/status", headers=[JSON], body=b'{"status":"sent"}'
    )
    assert answer.status == 400
    assert json.loads(answer.body) == {
        "error": "notification_id must not contain a NUL character (\\u0000)"
    }


@pytest.mark.parametrize(
    ("number", "text"),
    [(b"NaN", "nan"), (b"Infinity", "inf"), (b"-Infinity", "-inf"), (b"1e400", "inf")],
)
def test_numbers_json_does_not_have_are_read_as_notify_reads_them(
    driver: AsgiDriver, number: bytes, text: str
) -> None:
    # Python's JSON reader, and so Notify's, takes them as numbers; JSON cannot write them and
    # PostgreSQL refuses them, so they are stored as the text they render as.
    body = json.dumps(sms()).encode().replace(b'"A"', number)
    answer = post(driver, SMS, body)
    assert answer.status == 201, answer.body
    sent = json.loads(answer.body)
    assert sent["content"]["body"] == f"Hello {text}, this is a demo text."
    read = driver.request("GET", f"/v2/notifications/{sent['id']}", headers=[bearer()])
    assert json.loads(read.body)["body"] == sent["content"]["body"]
    refused = post(driver, SMS, json.dumps(sms()).encode().replace(b'"07700900123"', number))
    assert errors(refused) == [("ValidationError", f"phone_number {text} is not of type string")]
    lists_still_work(driver)


def test_a_nan_in_an_email_is_reported_as_sanitised_as_notify_reports_it(
    driver: AsgiDriver,
) -> None:
    # Notify lists each value that differs from itself after sanitising; NaN never equals itself.
    body = {"email_address": "someone@example.com", "template_id": demo.EMAIL_TEMPLATE_ID}
    raw = json.dumps(body).encode()[:-1] + b', "personalisation": {"name": NaN}}'
    answer = post(driver, EMAIL, raw)
    assert answer.status == 201, answer.body
    assert b'"sanitised_content":{"name":{"sanitised":NaN,"unsanitised":NaN}}' in answer.body


# --- (2) iat and exp out of range -------------------------------------------------------------


def signed(payload_json: str) -> str:
    """A token whose claims are exactly this JSON text, signed with the demo live key."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    signing_input = part(b'{"typ":"JWT","alg":"HS256"}') + "." + part(payload_json.encode())
    digest = hmac.new(demo.LIVE_KEY_SECRET.encode(), signing_input.encode(), hashlib.sha256)
    return signing_input + "." + part(digest.digest())


def claims_json(**claims: str) -> str:
    # Values are JSON text, so that numbers Python would not write (1e400) can be given.
    fields = {"iss": json.dumps(demo.SERVICE_ID), "iat": str(int(time.time())), **claims}
    return "{" + ",".join(f"{json.dumps(name)}:{value}" for name, value in fields.items()) + "}"


CLOCK = "Error: Your system clock must be accurate to within 30 seconds"
NOT_FOUND = "Invalid token: API key not found"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"iat": "1" + "0" * 400}, CLOCK),
        ({"iat": "-1" + "0" * 400}, CLOCK),
        ({"iat": "1e400"}, CLOCK),
        ({"exp": "1" + "0" * 400}, None),  # an expiry far in the future is not expired
        # Notify fails on these two with a 500; PyJWT refuses them as it refuses "soon".
        ({"exp": "1e400"}, NOT_FOUND),
        ({"exp": "[]"}, NOT_FOUND),
        # As the real API answers: its client reads this as a token signed with another key.
        ({"nbf": '"soon"'}, NOT_FOUND),
        ({"exp": '"soon"'}, NOT_FOUND),
        ({"exp": '"99999999999"'}, None),
    ],
)
def test_claims_out_of_range_are_auth_errors(
    driver: AsgiDriver, claims: dict[str, str], message: str | None
) -> None:
    token = signed(claims_json(**claims))
    answer = driver.request("GET", "/v2/templates", headers=[("Authorization", f"Bearer {token}")])
    if message is None:
        assert answer.status == 200
        return
    assert answer.status == 403
    ((error, text),) = errors(answer)
    assert (error, text[: len(message)]) == ("AuthError", message)


# --- (3) a template version of thousands of digits --------------------------------------------


def test_a_version_of_thousands_of_digits_is_not_found(driver: AsgiDriver) -> None:
    path = f"/v2/template/{demo.SMS_TEMPLATE_ID}/version/" + "9" * 5000
    assert driver.request("GET", path).status == 401  # the route matched; auth first
    answer = driver.request("GET", path, headers=[bearer()])
    assert answer.status == 404
    assert errors(answer) == [("NoResultFound", "No result found")]
    padded = f"/v2/template/{demo.SMS_TEMPLATE_ID}/version/" + "0" * 5000 + "1"
    assert json.loads(driver.request("GET", padded, headers=[bearer()]).body)["version"] == 1


# --- (4) the slashes redirect with any character in the path ----------------------------------


@pytest.mark.parametrize("segment", ["%E2%98%83", "%C3%A9", "%25", "%FF", "a%20b"])
def test_the_slashes_redirect_has_an_ascii_location(driver: AsgiDriver, segment: str) -> None:
    answer = driver.request("GET", f"/v2/notifications/%2F{segment}?x=%E2%98%83")
    assert answer.status == 308
    location = answer.header("Location") or ""
    assert location.isascii()
    assert all(0x21 <= ord(character) <= 0x7E for character in location)
    root = "http://127.0.0.1:6011"
    path = location.removeprefix(root).split("?")[0]
    assert unquote(path, errors="replace") == "/v2/notifications/" + unquote(
        segment, errors="replace"
    )
    assert location.endswith("?x=%E2%98%83")


# --- (5) deeply nested JSON and TOML on the emulator's own routes -----------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/_emulator/config", "application/json", b'{"services": ' + b"[" * 100_000),
        ("/_emulator/config", "application/json", b"{" + b'"a":{' * 5_000 + b"}" * 5_001),
        ("/_emulator/config", "application/toml", b"a = " + b"[" * 100_000 + b"]" * 100_000),
        ("/_emulator/config", "application/toml", b"a = " + b"{b=" * 20_000 + b"1" + b"}" * 20_000),
        ("/_emulator/received-texts", "application/json", b"[" * 100_000),
        ("/_emulator/notifications/x/status", "application/json", b'{"a":' * 50_000),
        (f"/_emulator/services/{demo.SERVICE_ID}/callbacks", "application/json", b"[" * 100_000),
        ("/_emulator/clock", "application/json", b'{"set":' * 50_000),
        ("/_emulator/faults", "application/json", b"[" * 100_000),
        ("/_emulator/services", "application/json", b'{"name":' * 50_000),
        ("/_emulator/templates/preview", "application/json", b"[" * 100_000),
    ],
)
def test_deep_bodies_are_refused(
    driver: AsgiDriver, path: str, content_type: str, body: bytes
) -> None:
    answer = driver.request("POST", path, headers=[("Content-Type", content_type)], body=body)
    assert answer.status in {400, 404}
    assert "error" in json.loads(answer.body)


def test_a_callback_token_no_database_can_store_is_refused(driver: AsgiDriver) -> None:
    body = {"type": "delivery_status", "url": "https://example.com/cb", "bearer_token": "a" * 10}
    body["bearer_token"] += NUL
    answer = driver.request(
        "POST",
        f"/_emulator/services/{demo.SERVICE_ID}/callbacks",
        headers=[JSON],
        body=json.dumps(body).encode(),
    )
    assert answer.status == 400
    assert json.loads(answer.body)["error"] == (
        "bearer_token must not contain a NUL character (\\u0000)"
    )
    assert driver.request("GET", "/_emulator/callbacks").status == 200


def test_a_file_of_json_nested_too_deep_to_read_is_sent_as_text(driver: AsgiDriver) -> None:
    # Without a filename its type is sniffed from its content, and Python's JSON reader
    # recurses once per level.
    upload = {"file": base64.b64encode(b"[" * 100_000).decode()}
    body = {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": upload},
    }
    assert post(driver, EMAIL, body).status == 201


def test_personalisation_nested_beyond_the_limit_is_refused(driver: AsgiDriver) -> None:
    value: object = "x"
    for _ in range(MAX_JSON_DEPTH + 1):
        value = [value]
    answer = post(driver, SMS, sms(personalisation={"name": value}))
    assert answer.status == 400
    assert errors(answer)[0][1] == f"the body is nested more than {MAX_JSON_DEPTH} levels deep"
    value = "x"
    for _ in range(20):
        value = {"a": value}
    assert post(driver, SMS, sms(personalisation={"name": value})).status == 201


# --- seeds that cannot be stored ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[services]]\nname = "A"\nrate_limit = 99999999999\n', "must be 2,000,000,000 or less"),
        ('[[services]]\nname = "A\\u0000"\n', "must not contain a NUL character"),
        (
            '[[services]]\nname = "A"\n[[services.received_texts]]\nuser_number = "1"\n'
            'content = "x"\ncreated_at = 0001-01-01T00:00:00+05:00\n',
            "is out of range",
        ),
    ],
)
def test_seeds_that_cannot_be_stored_are_refused(
    driver: AsgiDriver, toml: str, message: str
) -> None:
    answer = driver.request(
        "POST",
        "/_emulator/config",
        headers=[("Content-Type", "application/toml")],
        body=toml.encode(),
    )
    assert answer.status == 400
    assert message in json.loads(answer.body)["error"]


# --- (8) downloads of files with any name ------------------------------------------------------


@pytest.mark.parametrize(
    "filename", ["報告.pdf", "naïve.pdf", "a\r\nSet-Cookie: x=1.pdf", 'quo"te\\.pdf', "tab\t.pdf"]
)
def test_a_file_with_any_name_downloads(driver: AsgiDriver, filename: str) -> None:
    upload = {"file": base64.b64encode(b"%PDF-1.4 x").decode(), "filename": filename}
    body = {
        "email_address": "someone@example.com",
        "template_id": demo.EMAIL_TEMPLATE_ID,
        "personalisation": {"name": upload},
    }
    sent = post(driver, EMAIL, body)
    assert sent.status == 201
    text = json.loads(sent.body)["content"]["body"]  # "Dear <url>,\n\n…"
    url = text.split("http://127.0.0.1:6011", 1)[1].split(",")[0]
    download = driver.request("GET", url)
    assert download.status == 200
    assert download.body == b"%PDF-1.4 x"
    disposition = download.header("Content-Disposition") or ""
    assert disposition.isascii()
    assert "\r" not in disposition
    assert "\n" not in disposition
    if not filename.isascii() or any(c in filename for c in '\r\n\t"\\'):
        exact = disposition.split("filename*=UTF-8''", 1)[1]
        assert unquote(exact) == filename


# --- (9) an unhandled error: Notify's JSON 500, and the connection stays usable ----------------


def test_an_unhandled_error_is_notifys_json_500_on_a_live_connection() -> None:
    app = create_app(Settings(database_url="sqlite:///:memory:", log_requests=False))

    async def broken(_request: Request) -> None:
        raise RuntimeError("a bug")

    # A route outside the handler contract, so that nothing but the failsafe catches it.
    app.router.routes.insert(0, Route("/v2/broken", broken))
    with BackgroundServer(app) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            stream = connection.makefile("rb")
            request = f"GET /v2/broken HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
            connection.sendall(request)
            status, headers, body = _read_response(stream)
            assert status == 500
            assert json.loads(body) == {
                "errors": [{"error": "RuntimeError", "message": "Internal server error"}],
                "status_code": 500,
            }
            assert headers["content-type"] == "application/json"
            assert headers["access-control-allow-origin"] == "*"
            assert headers["x-frame-options"] == "SAMEORIGIN"
            assert headers.get("connection") != "close"
            # The same connection answers the next request.
            connection.sendall(f"GET /_status HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            status, _, body = _read_response(stream)
            assert (status, json.loads(body)) == (200, {"status": "ok"})
            stream.close()


def _read_response(stream: Any) -> tuple[int, dict[str, str], bytes]:
    status = int(stream.readline().split()[1])
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in {b"\r\n", b""}:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, stream.read(int(headers["content-length"]))
