"""Every error in the documentation's tables raises the right ``HTTPError`` with its fields."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from notifications_python_client import REQUEST_ERROR_MESSAGE, REQUEST_ERROR_STATUS_CODE
from notifications_python_client._core import origin_of
from notifications_python_client.errors import (
    APIError,
    AuthError,
    BadRequestError,
    ConnectError,
    HTTP503Error,
    HTTPError,
    InvalidResponse,
    NetworkError,
    NotFoundError,
    PDFNotReadyError,
    RateLimitError,
    ResponseNotReceivedError,
    ResponseTimeoutError,
    ServerError,
    ServiceUnavailableError,
    TooManyRequestsError,
    ValidationError,
)

from .fakenotify import (
    NOTIFICATION_ID,
    TEMPLATE_ID,
    Caller,
    FakeNotify,
    Reply,
    error_reply,
    make_client,
    unused_port_url,
)

ADDRESS = {"address_line_1": "A", "address_line_2": "B", "postcode": "SW1A 1AA"}
CALLS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "sms": ("send_sms_notification", ("+447700900123", TEMPLATE_ID)),
    "email": ("send_email_notification", ("a@example.com", TEMPLATE_ID)),
    "letter": ("send_letter_notification", (TEMPLATE_ID, ADDRESS)),
    "notification": ("get_notification_by_id", (NOTIFICATION_ID,)),
    "notifications": ("get_all_notifications", ()),
    "template": ("get_template", (TEMPLATE_ID,)),
    "template version": ("get_template_version", (TEMPLATE_ID, 1)),
    "preview": ("post_template_preview", (TEMPLATE_ID, {"name": "chris"})),
    "pdf": ("get_pdf_for_letter", (NOTIFICATION_ID,)),
}

RATE = "Exceeded rate limit for key type TEAM of 3000 requests per 60 seconds"
DAILY = "Exceeded send limits (sms: 250000) for today"
TEAM = "Can’t send to this recipient using a team-only API key"
TRIAL = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
STATUSES = (
    "created, sending, delivered, pending, failed, technical-failure, temporary-failure, "
    "permanent-failure"
)

# (call, status, error, message, expected class): the seed documentation's tables, plus the
# errors notify-api.md §12 adds for the same calls.
SEED_ERRORS = [
    ("sms", 429, "RateLimitError", RATE, RateLimitError),
    ("sms", 429, "TooManyRequestsError", DAILY, TooManyRequestsError),
    ("sms", 400, "BadRequestError", TEAM, BadRequestError),
    ("sms", 400, "BadRequestError", TRIAL, BadRequestError),
    ("sms", 403, "AuthError", "Invalid token: API key not found", AuthError),
    ("email", 429, "RateLimitError", RATE, RateLimitError),
    ("email", 429, "TooManyRequestsError", DAILY, TooManyRequestsError),
    ("email", 400, "BadRequestError", TEAM, BadRequestError),
    ("email", 400, "BadRequestError", TRIAL, BadRequestError),
    ("letter", 429, "RateLimitError", RATE, RateLimitError),
    ("letter", 429, "TooManyRequestsError", DAILY, TooManyRequestsError),
    ("letter", 403, "BadRequestError", "Cannot send letters with a team api key", BadRequestError),
    (
        "letter",
        403,
        "BadRequestError",
        "Cannot send letters when service is in trial mode",
        BadRequestError,
    ),
    (
        "letter",
        400,
        "ValidationError",
        "personalisation address_line_1 is a required property",
        ValidationError,
    ),
    ("notification", 404, "NoResultFound", "No result found", NotFoundError),
    ("notification", 400, "ValidationError", "id is not a valid UUID", ValidationError),
    (
        "notifications",
        400,
        "ValidationError",
        f"bad status is not one of [{STATUSES}]",
        ValidationError,
    ),
    (
        "notifications",
        400,
        "ValidationError",
        "Apple is not one of [sms, email, letter]",
        ValidationError,
    ),
    ("template", 404, "NoResultFound", "No Result Found", NotFoundError),
    ("template version", 404, "NoResultFound", "No Result Found", NotFoundError),
    ("preview", 400, "BadRequestError", "Missing personalisation: name", BadRequestError),
    ("preview", 400, "NoResultFound", "No result found", BadRequestError),
    ("pdf", 400, "PDFNotReadyError", "PDF not available yet, try again later", PDFNotReadyError),
    ("pdf", 400, "BadRequestError", "Notification is not a letter", BadRequestError),
    ("pdf", 500, "KeyError", "Internal server error", ServerError),
]


@pytest.mark.parametrize(
    ("name", "status", "error", "message", "expected"),
    SEED_ERRORS,
    ids=[f"{row[0]}-{row[1]}-{row[2]}-{i}" for i, row in enumerate(SEED_ERRORS)],
)
async def test_documented_errors(
    call: Caller,
    notify: FakeNotify,
    name: str,
    status: int,
    error: str,
    message: str,
    expected: type[HTTPError],
) -> None:
    method, args = CALLS[name]
    notify.queue(error_reply(status, error, message))

    with pytest.raises(HTTPError) as raised:
        await call(method, *args)

    caught = raised.value
    assert type(caught) is expected
    assert caught.status_code == status
    assert caught.message == [{"error": error, "message": message}]
    assert caught.errors == [{"error": error, "message": message}]
    assert caught.error_types == [error]
    assert caught.response is not None
    assert caught.response.status_code == status
    # The official client's text: the status, then the body's errors list as Python shows it.
    assert str(caught) == f"{status} - [{{'error': '{error}', 'message': {message!r}}}]"
    assert caught.description == f"{status} {error}: {message}"
    assert len(notify.requests) == 1  # no retries configured


async def test_several_validation_errors_are_all_kept(call: Caller, notify: FakeNotify) -> None:
    entries = [
        {"error": "ValidationError", "message": "phone_number is a required property"},
        {"error": "ValidationError", "message": "template_id is not a valid UUID"},
    ]
    notify.queue(Reply(400, {"status_code": 400, "errors": entries}))

    with pytest.raises(ValidationError) as raised:
        await call("send_sms_notification", "", "not-a-uuid")

    assert raised.value.errors == entries
    assert str(raised.value) == f"400 - {entries}"
    assert raised.value.description == (
        "400 ValidationError: phone_number is a required property; "
        "ValidationError: template_id is not a valid UUID"
    )


async def test_non_v2_error_shape_uses_the_body_message(call: Caller, notify: FakeNotify) -> None:
    text = "The requested URL was not found on the server."
    notify.queue(Reply(404, {"message": text, "result": "error"}))

    with pytest.raises(NotFoundError) as raised:
        await call("get_template", TEMPLATE_ID)

    assert raised.value.message == text
    assert raised.value.errors == []
    assert str(raised.value) == f"404 - {text}"
    assert raised.value.description == f"404 {text}"


async def test_unauthorised_401(call: Caller, notify: FakeNotify) -> None:
    notify.queue(
        error_reply(401, "AuthError", "Unauthorized: authentication token must be provided")
    )
    with pytest.raises(AuthError):
        await call("get_template", TEMPLATE_ID)


async def test_503_stays_an_http503error(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(503, body=b"<html>down</html>", content_type="text/html"))

    with pytest.raises(ServiceUnavailableError) as raised:
        await call("get_template", TEMPLATE_ID)

    assert isinstance(raised.value, HTTP503Error)
    assert isinstance(raised.value, ServerError)
    # No JSON body: the official client's fallback message.
    assert raised.value.message == REQUEST_ERROR_MESSAGE
    assert raised.value.status_code == 503


async def test_unknown_429_is_neither_limit(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(429, {"message": "slow down"}))
    with pytest.raises(HTTPError) as raised:
        await call("get_template", TEMPLATE_ID)
    assert type(raised.value) is HTTPError


async def test_a_2xx_answer_that_is_not_json(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(200, body=b"<html>ok</html>", content_type="text/html"))

    with pytest.raises(InvalidResponse) as raised:
        await call("get_template", TEMPLATE_ID)

    assert not isinstance(raised.value, HTTPError)
    assert raised.value.message == "No JSON response object could be decoded"
    assert isinstance(raised.value.__cause__, ValueError)


async def test_connection_refused_keeps_the_official_contract() -> None:
    from .fakenotify import Caller, close_client

    for kind in ["sync", *(["async"] if _has_async() else [])]:
        url = unused_port_url()
        client = make_client(kind, url, max_retries=0)
        try:
            with pytest.raises(ConnectError) as raised:
                await Caller(kind, client)("get_template", TEMPLATE_ID)
        finally:
            await close_client(client)
        caught = raised.value
        assert isinstance(caught, HTTP503Error)
        assert caught.status_code == REQUEST_ERROR_STATUS_CODE == 503
        assert caught.message == REQUEST_ERROR_MESSAGE == "Request failed"
        assert caught.response is None
        assert caught.__cause__ is not None
        # The official client's exact text; what happened is in the note, reason and repr.
        assert str(caught) == "503 - Request failed"
        assert getattr(caught, "__notes__", None) == [caught.reason]
        assert caught.reason == "could not connect; the request was not sent"
        assert caught.reason in repr(caught)
        # For people: no made-up status code, and what happened where.
        assert caught.origin == url
        assert caught.description == (
            f"Request to {url} failed: could not connect; the request was not sent"
        )


async def test_a_network_error_names_the_server_but_not_the_path() -> None:
    from .fakenotify import Caller, close_client

    url = unused_port_url()
    for kind in ["sync", *(["async"] if _has_async() else [])]:
        client = make_client(kind, f"{url}/notify", max_retries=0)
        try:
            with pytest.raises(ConnectError) as raised:
                await Caller(kind, client)("get_all_notifications", reference="case-1234")
        finally:
            await close_client(client)
        assert raised.value.origin == url
        for shown in (raised.value.description, repr(raised.value), str(raised.value)):
            assert "/notify" not in shown
            assert "case-1234" not in shown


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (
            "https://api.notifications.service.gov.uk/v2/notifications?reference=x",
            "https://api.notifications.service.gov.uk",
        ),
        ("http://someone:hunter2@127.0.0.1:6011/v2/templates", "http://127.0.0.1:6011"),
        ("http://[::1]:6011/v2/templates", "http://[::1]:6011"),
        ("localhost:6011/v2/templates", None),
    ],
)
def test_origin_of_leaves_out_credentials_path_and_query(url: str, origin: str | None) -> None:
    assert origin_of(url) == origin


async def test_dropped_connection_is_an_unknown_outcome(call: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(drop=True))

    with pytest.raises(ResponseNotReceivedError) as raised:
        await call("send_sms_notification", "07700900123", TEMPLATE_ID)

    assert not isinstance(raised.value, ConnectError)
    assert raised.value.origin == notify.url
    assert raised.value.description.startswith(f"Request to {notify.url} failed: ")
    assert raised.value.status_code == 503
    assert raised.value.__cause__ is not None
    assert str(raised.value) == "503 - Request failed"
    assert "outcome is unknown" in getattr(raised.value, "__notes__", [""])[0]


async def test_timeout_is_an_unknown_outcome(notify: FakeNotify) -> None:
    from .fakenotify import Caller, close_client

    for kind in ["sync", *(["async"] if _has_async() else [])]:
        notify.queue(Reply(200, {}, delay=0.5))
        client = make_client(kind, notify.url, max_retries=0, timeout=0.1)
        try:
            with pytest.raises(ResponseTimeoutError) as raised:
                await Caller(kind, client)("get_template", TEMPLATE_ID)
        finally:
            await close_client(client)
        assert isinstance(raised.value, ResponseNotReceivedError)
        assert isinstance(raised.value, NetworkError)


def _has_async() -> bool:
    from .fakenotify import CLIENT_KINDS

    return "async" in CLIENT_KINDS


def test_official_create_from_a_requests_exception() -> None:
    import requests

    response = requests.Response()
    response.status_code = 429
    response._content = b'{"errors": [{"error": "RateLimitError", "message": "m"}]}'
    error = HTTPError.create(requests.HTTPError(response=response))
    assert isinstance(error, RateLimitError)

    response.status_code = 503
    response._content = b"{}"
    assert isinstance(HTTPError.create(requests.HTTPError(response=response)), HTTP503Error)
    assert isinstance(HTTPError.create(requests.ConnectionError()), NetworkError)


def test_every_error_is_caught_by_except_httperror() -> None:
    for error_class in (
        BadRequestError,
        ValidationError,
        PDFNotReadyError,
        AuthError,
        NotFoundError,
        RateLimitError,
        TooManyRequestsError,
        ServerError,
        ServiceUnavailableError,
        NetworkError,
        ConnectError,
        ResponseNotReceivedError,
        ResponseTimeoutError,
    ):
        assert issubclass(error_class, HTTPError)
        assert issubclass(error_class, APIError)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"errors": [{"error": "AuthError", "message": "Invalid token"}]},
            "403 - [{'error': 'AuthError', 'message': 'Invalid token'}]",
        ),
        ({"message": "gone", "errors": [{"error": "X", "message": "y"}]}, "403 - gone"),
        # The official client reads the dict's "message", else its "errors", else nothing.
        ({"result": "error"}, "403 - None"),
        (["not", "a", "dict"], "403 - Request failed"),
        ("not json", "403 - Request failed"),
    ],
)
def test_str_is_the_official_clients_text(
    sync_client: Any, notify: FakeNotify, body: Any, expected: str
) -> None:
    if isinstance(body, str):
        notify.queue(Reply(403, body=body.encode(), content_type="text/plain"))
    else:
        notify.queue(Reply(403, body))

    with pytest.raises(HTTPError) as raised:
        sync_client.get_template(TEMPLATE_ID)

    assert str(raised.value) == expected
    assert "None" not in raised.value.description


def test_an_error_answer_is_chained_to_the_requests_error(
    sync_client: Any, notify: FakeNotify
) -> None:
    notify.queue(error_reply(400, "BadRequestError", "Template not found"))

    with pytest.raises(BadRequestError) as raised:
        sync_client.get_template(TEMPLATE_ID)

    cause = raised.value.__cause__
    assert isinstance(cause, requests.HTTPError)
    assert cause.response is raised.value.response
