"""Retries: only what cannot send a message twice, counted at a fault-injecting server."""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import AsyncIterator

import pytest

from notifications_python_client import RetryPolicy
from notifications_python_client.errors import (
    AuthError,
    ConnectError,
    NotFoundError,
    RateLimitError,
    ResponseNotReceivedError,
    ResponseTimeoutError,
    ServerError,
    TooManyRequestsError,
)

from .fakenotify import (
    CLIENT_KINDS,
    NOTIFICATION_ID,
    SECRET,
    TEMPLATE_ID,
    Caller,
    FakeNotify,
    Reply,
    close_client,
    error_reply,
    make_client,
    unused_port_url,
)

# Retries without real waiting: the backoff is tested on its own below.
FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.005)
SENT = {"id": NOTIFICATION_ID, "reference": None}
RATE = "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
DAILY = "Exceeded send limits (sms: 250000) for today"


@pytest.fixture(params=CLIENT_KINDS)
async def retrying(request: pytest.FixtureRequest, notify: FakeNotify) -> AsyncIterator[Caller]:
    client = make_client(request.param, notify.url, retry_policy=FAST, timeout=0.2)
    try:
        yield Caller(request.param, client)
    finally:
        await close_client(client)


async def send_sms(call: Caller) -> object:
    return await call("send_sms_notification", "07700900123", TEMPLATE_ID, {"name": "Amala"})


# --- never sent twice ---


async def test_post_with_a_dropped_connection_is_not_retried(
    retrying: Caller, notify: FakeNotify
) -> None:
    notify.queue(Reply(drop=True), Reply(201, SENT))
    with pytest.raises(ResponseNotReceivedError):
        await send_sms(retrying)
    assert len(notify.requests) == 1


async def test_post_with_a_500_is_not_retried(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(error_reply(500, "KeyError", "Internal server error"), Reply(201, SENT))
    with pytest.raises(ServerError):
        await send_sms(retrying)
    assert len(notify.requests) == 1


async def test_post_that_timed_out_is_not_retried(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(201, SENT, delay=0.6), Reply(201, SENT))
    with pytest.raises(ResponseTimeoutError):
        await send_sms(retrying)
    assert len(notify.requests) == 1


async def test_daily_limit_is_not_retried(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(error_reply(429, "TooManyRequestsError", DAILY), Reply(201, SENT))
    with pytest.raises(TooManyRequestsError):
        await send_sms(retrying)
    assert len(notify.requests) == 1


async def test_client_errors_are_not_retried(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(
        error_reply(404, "NoResultFound", "No result found"),
        error_reply(403, "AuthError", "Invalid token: API key not found"),
    )
    with pytest.raises(NotFoundError):
        await retrying("get_notification_by_id", NOTIFICATION_ID)
    with pytest.raises(AuthError):
        await retrying("get_notification_by_id", NOTIFICATION_ID)
    assert len(notify.requests) == 2


@pytest.mark.parametrize(
    ("method", "call_args", "attempts"),
    [
        ("get_notification_by_id", (NOTIFICATION_ID,), 1 + FAST.max_retries),
        ("send_sms_notification", ("07700900123", TEMPLATE_ID), 1),
        # The policy treats PUT and DELETE like POST; HTTP calls them idempotent.
        ("put", ("/v2/anything", {}), 1),
        ("delete", ("/v2/anything",), 1),
    ],
    ids=["GET", "POST", "PUT", "DELETE"],
)
async def test_a_server_that_hangs_up_gets_exactly_the_attempts_the_policy_allows(
    retrying: Caller,
    notify: FakeNotify,
    method: str,
    call_args: tuple[object, ...],
    attempts: int,
) -> None:
    # A first answer leaves a kept-alive connection in the pool; then every request is read
    # and the connection closed without an answer, as a server restarting mid-request does.
    notify.queue(Reply(200, {"templates": []}))
    await retrying("get_all_templates")
    notify.responder = lambda _request: Reply(drop=True)

    with pytest.raises(ResponseNotReceivedError):
        await retrying(method, *call_args)

    # No library underneath may add attempts of its own (aiohttp resends an idempotent
    # request once by itself when the connection drops).
    assert len(notify.requests) == 1 + attempts


# --- retried because it is safe ---


async def test_per_minute_limit_is_retried_and_succeeds(
    retrying: Caller, notify: FakeNotify
) -> None:
    notify.queue(error_reply(429, "RateLimitError", RATE), Reply(201, SENT))

    assert await send_sms(retrying) == SENT

    assert len(notify.requests) == 2
    assert notify.requests[0].json() == notify.requests[1].json()


async def test_get_is_retried_after_a_503(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(503, body=b"busy", content_type="text/plain"), Reply(200, {"id": "x"}))

    assert await retrying("get_notification_by_id", NOTIFICATION_ID) == {"id": "x"}
    assert len(notify.requests) == 2


async def test_get_is_retried_after_a_timeout(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"id": "late"}, delay=0.6), Reply(200, {"id": "x"}))

    assert await retrying("get_notification_by_id", NOTIFICATION_ID) == {"id": "x"}
    assert len(notify.requests) == 2


async def test_get_is_retried_after_a_dropped_connection(
    retrying: Caller, notify: FakeNotify
) -> None:
    notify.queue(Reply(drop=True), Reply(200, {"id": "x"}))

    assert await retrying("get_notification_by_id", NOTIFICATION_ID) == {"id": "x"}
    assert len(notify.requests) == 2


async def test_retries_stop_at_max_retries(retrying: Caller, notify: FakeNotify) -> None:
    notify.queue(*[error_reply(500, "KeyError", "Internal server error")] * 5)

    with pytest.raises(ServerError):
        await retrying("get_template", TEMPLATE_ID)

    assert len(notify.requests) == 1 + FAST.max_retries


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_max_retries_zero_disables_retries(notify: FakeNotify, kind: str) -> None:
    notify.queue(error_reply(429, "RateLimitError", RATE), Reply(201, SENT))
    client = make_client(kind, notify.url, max_retries=0)
    try:
        with pytest.raises(RateLimitError):
            await send_sms(Caller(kind, client))
    finally:
        await close_client(client)
    assert len(notify.requests) == 1


class StartServerOnFirstRetry(logging.Handler):
    """Brings the server up when the client logs its first retry: refused, then answered."""

    def __init__(self, port: int) -> None:
        super().__init__(logging.INFO)
        self.port = port
        self.server: FakeNotify | None = None
        self.retries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Retrying"):
            self.retries.append(message)
            if self.server is None:
                self.server = FakeNotify(port=self.port)
                self.server.queue(Reply(201, SENT))
                self.server.start()


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_refused_connection_is_retried_even_for_a_post(kind: str) -> None:
    url = unused_port_url()
    handler = StartServerOnFirstRetry(urllib.parse.urlsplit(url).port or 0)
    logger = logging.getLogger("notifications_python_client")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    client = make_client(kind, url, retry_policy=FAST)
    try:
        assert await send_sms(Caller(kind, client)) == SENT
    finally:
        await close_client(client)
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        if handler.server is not None:
            handler.server.stop()

    assert handler.server is not None
    assert len(handler.server.requests) == 1  # sent once, after the refusal
    assert len(handler.retries) == 1
    assert "ConnectError" in handler.retries[0]
    assert SECRET not in handler.retries[0]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_refused_connection_gives_up_after_max_retries(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="notifications_python_client")
    client = make_client(kind, unused_port_url(), retry_policy=FAST)
    try:
        with pytest.raises(ConnectError):
            await send_sms(Caller(kind, client))
    finally:
        await close_client(client)
    retries = [r for r in caplog.records if r.getMessage().startswith("Retrying")]
    assert [r.levelno for r in retries] == [logging.INFO] * FAST.max_retries
    assert "(retry 3 of 3)" in retries[-1].getMessage()


# --- the policy itself ---


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    policy = RetryPolicy(max_retries=10, initial_backoff=0.5, max_backoff=4.0)
    ceilings = [policy.backoff(attempt, uniform=lambda: 1.0) for attempt in range(6)]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.backoff(2, uniform=lambda: 0.25) == 0.5
    assert policy.backoff(2, uniform=lambda: 0.0) == 0.0


def test_the_decision_table() -> None:
    policy = RetryPolicy(max_retries=2)
    rate_limited = RateLimitError()
    assert policy.delay_before_retry("POST", 0, rate_limited, uniform=lambda: 1.0) == 0.5
    assert policy.delay_before_retry("POST", 2, rate_limited) is None  # retries used up
    assert policy.is_retryable("POST", ConnectError())
    assert not policy.is_retryable("POST", ResponseNotReceivedError())
    assert not policy.is_retryable("POST", ServerError())
    assert not policy.is_retryable("GET", TooManyRequestsError())
    assert policy.is_retryable("GET", ResponseTimeoutError())
    assert policy.is_retryable("GET", ServerError())
    assert not policy.is_retryable("GET", NotFoundError())


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"initial_backoff": -1}, ValueError),
    ],
)
def test_bad_policies(options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        RetryPolicy(**options)  # type: ignore[arg-type]
