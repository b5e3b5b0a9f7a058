"""Constructing a client: key parsing, base URL, timeout and retry settings, repr."""

from __future__ import annotations

import logging
from typing import Any
from unittest import mock

import pytest

from notifications_python_client import NotificationsAPIClient, RetryPolicy
from notifications_python_client.errors import (
    ClientConfigError,
    InvalidURLError,
    ResponseTimeoutError,
)

from .fakenotify import (
    API_KEY,
    CLIENT_KINDS,
    SECRET,
    SERVICE_ID,
    Caller,
    FakeNotify,
    Reply,
    close_client,
    make_client,
)

OTHER_UUID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"


@pytest.mark.parametrize(
    "key",
    [
        f"plain-{SERVICE_ID}-{SECRET}",
        f"a-name-with-many-hyphens-{SERVICE_ID}-{SECRET}",
        f"{SERVICE_ID}-{SECRET}",  # no key name at all
        f"x-{SERVICE_ID.upper()}-{SECRET.upper()}",
    ],
)
def test_key_parts_are_found_by_position(key: str) -> None:
    client = NotificationsAPIClient(key)
    assert client.service_id.lower() == SERVICE_ID
    assert client.api_key.lower() == SECRET
    client.close()


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "Missing service ID"),
        (SECRET, "Missing service ID"),
        (f"name-{SECRET}", "Missing service ID"),
        (f"name-not-a-uuid-at-all-but-thirty-six-{SECRET}", "Missing service ID"),
        (f"name-{SERVICE_ID}x{SECRET}", "Missing service ID"),
        (f"name-{SERVICE_ID}-{SECRET[:-1]}", "Missing service ID"),
        (f"name-{SERVICE_ID}-{SECRET[:-1]}z", "Missing API key"),
        (f"name-{SERVICE_ID}-{SECRET} ", "Missing service ID"),  # shifted by the space
        (f"name{SERVICE_ID}-{SECRET}", "Malformed API key"),
    ],
)
def test_malformed_keys_are_refused_without_revealing_them(key: str, message: str) -> None:
    with pytest.raises(ClientConfigError) as raised:
        NotificationsAPIClient(key)
    notes = getattr(raised.value, "__notes__", [])
    text = "\n".join([str(raised.value), *notes])
    assert text.startswith(message)
    assert SECRET not in text
    assert SECRET[:-1] not in text


@pytest.mark.parametrize(
    ("key", "message"),
    [(SECRET, "Missing service ID"), (f"name-{SERVICE_ID}-{SECRET[:-1]}z", "Missing API key")],
)
def test_key_errors_keep_the_official_wording(key: str, message: str) -> None:
    # The official client's exact text (its own tests compare it); how a key is made up is
    # explained in a note, which tracebacks print under the message.
    with pytest.raises(AssertionError) as raised:
        NotificationsAPIClient(key)
    assert str(raised.value) == message
    (note,) = getattr(raised.value, "__notes__", [])
    assert "36-character UUID" in note
    assert isinstance(raised.value, ClientConfigError)
    assert raised.value.explanation == note


def test_config_errors_are_value_and_assertion_errors() -> None:
    # Code written for the official client caught AssertionError from its asserts.
    with pytest.raises(AssertionError, match="Missing service ID"):
        NotificationsAPIClient("nonsense")
    with pytest.raises(ValueError, match="Missing base url"):
        NotificationsAPIClient(API_KEY, base_url="")


def test_base_url_is_checked_before_the_key() -> None:
    with pytest.raises(ClientConfigError, match="Missing base url"):
        NotificationsAPIClient("nonsense", base_url="")


def test_any_base_url_is_taken_as_given_as_the_official_client_does() -> None:
    client = NotificationsAPIClient(API_KEY, base_url="foo")
    assert client.base_url == "foo"
    client.close()


@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("base_url", ["foo", "ftp://example.com", "https://"])
async def test_an_unusable_base_url_fails_the_request_without_sending_or_retrying(
    kind: str, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifications_python_client")
    client = make_client(kind, base_url, retry_policy=RetryPolicy(max_retries=3))
    try:
        with pytest.raises(InvalidURLError) as raised:
            await Caller(kind, client)("get_notification_by_id", OTHER_UUID)
    finally:
        await close_client(client)
    # The official contract for a request that got no answer.
    assert (raised.value.status_code, raised.value.message) == (503, "Request failed")
    assert not [record for record in caplog.records if "Retrying" in record.getMessage()]


def test_key_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="api_key must be a str"):
        NotificationsAPIClient(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        (0, ValueError),
        (-1, ValueError),
        ("5", TypeError),
        ((1, 0), ValueError),
        ((1, 2, 3), TypeError),
        ([1, 2], TypeError),
        (("1", 2), TypeError),
        (True, TypeError),
        # requests would take these and then fail inside urllib3 at the first request.
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        ((1, float("nan")), ValueError),
        ((float("inf"), None), ValueError),
    ],
)
def test_bad_timeouts(timeout: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="timeout"):
        NotificationsAPIClient(API_KEY, timeout=timeout)  # type: ignore[arg-type]


# As requests takes them, and the official client passes its timeout straight to requests:
# None waits for ever, a tuple is (connect, read), either of which may be None.
GOOD_TIMEOUTS = [None, 5, 2.5, (3.05, 27), (None, 10), (2, None), (None, None)]


@pytest.mark.parametrize("timeout", GOOD_TIMEOUTS)
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_timeouts_requests_accepts_are_accepted(
    kind: str, timeout: Any, notify: FakeNotify
) -> None:
    notify.queue(Reply(200, {"templates": []}))
    client = make_client(kind, notify.url, timeout=timeout, max_retries=0)
    try:
        assert client.timeout == timeout
        assert await Caller(kind, client)("get_all_templates") == {"templates": []}
    finally:
        await close_client(client)


def test_the_timeout_is_passed_to_requests_as_given(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"templates": []}), Reply(200, {"templates": []}))
    client = NotificationsAPIClient(API_KEY, base_url=notify.url, timeout=(3.05, 27))
    session = client.request_session
    with client, mock.patch.object(session, "request", wraps=session.request) as sent:
        client.get_all_templates()
        client.timeout = None
        client.get_all_templates()
    assert [call.kwargs["timeout"] for call in sent.call_args_list] == [(3.05, 27), None]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_a_tuple_timeout_limits_each_read(kind: str, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"templates": []}, delay=1.0))
    client = make_client(kind, notify.url, timeout=(5, 0.2), max_retries=0)
    try:
        with pytest.raises(ResponseTimeoutError):
            await Caller(kind, client)("get_all_templates")
    finally:
        await close_client(client)


def test_defaults_and_repr_without_secret() -> None:
    with NotificationsAPIClient(API_KEY) as client:
        assert client.base_url == "https://api.notifications.service.gov.uk"
        assert client.timeout == 30
        assert client.retry_policy.max_retries == 3
        text = repr(client)
    assert SERVICE_ID in text
    assert SECRET not in text
    assert "my-test-key" not in text


def test_retry_settings() -> None:
    with NotificationsAPIClient(API_KEY, max_retries=0) as client:
        assert client.retry_policy == RetryPolicy(max_retries=0)
    policy = RetryPolicy(max_retries=5, initial_backoff=0.1, max_backoff=1)
    with NotificationsAPIClient(API_KEY, retry_policy=policy) as client:
        assert client.retry_policy is policy
    with pytest.raises(TypeError, match="not both"):
        NotificationsAPIClient(API_KEY, max_retries=1, retry_policy=policy)
    with pytest.raises(ValueError, match="max_retries"):
        NotificationsAPIClient(API_KEY, max_retries=-1)


def test_attributes_can_be_changed_and_are_checked() -> None:
    with NotificationsAPIClient(API_KEY) as client:
        client.base_url = "http://localhost:6011"
        client.timeout = 5
        assert (client.base_url, client.timeout) == ("http://localhost:6011", 5)
        with pytest.raises(ClientConfigError):
            client.base_url = ""


@pytest.mark.parametrize("key", [f"{API_KEY}\n", f"{API_KEY}  ", f"{API_KEY}\t"])
def test_a_key_with_whitespace_after_it_is_refused_and_the_note_says_why(key: str) -> None:
    # The official client does not strip the key either (it then signs with the wrong secret
    # and Notify refuses the token); this one says what is wrong before anything is sent.
    with pytest.raises(ClientConfigError) as raised:
        NotificationsAPIClient(key)
    assert str(raised.value) in {"Missing service ID", "Missing API key"}
    assert raised.value.explanation is not None
    assert "whitespace" in raised.value.explanation
    assert SECRET not in raised.value.explanation


def test_whitespace_before_a_key_is_part_of_its_name_as_in_the_official_client() -> None:
    # The official client reads the service id and the secret from the key's end.
    with NotificationsAPIClient(f"  {API_KEY}") as client:
        assert (client.service_id, client.api_key) == (SERVICE_ID, SECRET)
