"""Bulk sending: one result per input in input order, failures kept, the rate respected."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from typing import Any

import pytest

from notifications_python_client import NotificationsAPIClient, RetryPolicy
from notifications_python_client.aio import AsyncNotificationsAPIClient
from notifications_python_client.bulk import (
    BulkNotification,
    BulkResult,
    EmailNotification,
    LetterNotification,
    RateLimiter,
    SmsNotification,
    run_bulk,
)
from notifications_python_client.errors import (
    BadRequestError,
    TooManyRequestsError,
)

from .fakenotify import API_KEY, CLIENT_KINDS, TEMPLATE_ID, FakeNotify, Received, Reply, error_reply

FAST = RetryPolicy(max_retries=3, initial_backoff=0.001, max_backoff=0.005)
REFUSED_NUMBER = "07700900999"
TEAM = "Can’t send to this recipient using a team-only API key"


def bulk_send(kind: str, url: str, notifications: list[BulkNotification], **options: Any) -> Any:
    """``send_bulk`` through the sync client, or through the async one under ``asyncio.run``."""
    if kind == "sync":
        with NotificationsAPIClient(API_KEY, base_url=url, retry_policy=FAST) as client:
            return client.send_bulk(notifications, **options)

    async def main() -> list[BulkResult]:
        async with AsyncNotificationsAPIClient(API_KEY, base_url=url, retry_policy=FAST) as client:
            return await client.send_bulk(notifications, **options)

    return asyncio.run(main())


def accept_unless_refused(received: Received) -> Reply:
    body = received.json()
    if body.get("phone_number") == REFUSED_NUMBER:
        return error_reply(400, "BadRequestError", TEAM)
    # Answer at slightly different speeds so completions come back out of order.
    return Reply(
        201,
        {"id": f"id-{body['reference']}", "reference": body["reference"]},
        delay=random.uniform(0, 0.02),
    )


def texts(count: int, refused: frozenset[int] = frozenset()) -> list[BulkNotification]:
    return [
        SmsNotification(
            REFUSED_NUMBER if index in refused else "07700900123",
            TEMPLATE_ID,
            {"row": index},
            reference=str(index),
        )
        for index in range(count)
    ]


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_results_in_input_order_with_failures_kept(notify: FakeNotify, kind: str) -> None:
    notify.responder = accept_unless_refused
    notifications = texts(30, refused=frozenset({3, 17}))
    completed: list[BulkResult] = []
    events: list[tuple[str, int]] = []

    def sending(index: int, notification: BulkNotification) -> None:
        assert notification is notifications[index]
        events.append(("send", index))

    def done(result: BulkResult) -> None:
        completed.append(result)
        events.append(("done", result.index))

    results = bulk_send(
        kind,
        notify.url,
        notifications,
        rate_per_minute=600_000,
        concurrency=8,
        on_result=done,
        on_send=sending,
    )

    assert [result.index for result in results] == list(range(30))
    assert [result.notification for result in results] == notifications
    for index, result in enumerate(results):
        if index in {3, 17}:
            assert not result.ok
            assert isinstance(result.error, BadRequestError)
            assert result.response is None
        else:
            assert result.ok
            assert result.response == {"id": f"id-{index}", "reference": str(index)}
    # The callback saw every result exactly once, as each completed.
    assert sorted(result.index for result in completed) == list(range(30))
    # Each notification was announced before it was sent, and its result came after.
    for index in range(30):
        assert events.index(("send", index)) < events.index(("done", index))
    assert len(notify.requests) == 30


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_the_rate_is_respected(notify: FakeNotify, kind: str) -> None:
    notify.responder = accept_unless_refused
    rate_per_minute = 600  # one start every 0.1 s

    results = bulk_send(kind, notify.url, texts(12), rate_per_minute=rate_per_minute, concurrency=6)

    assert all(result.ok for result in results)
    arrivals = sorted(request.at for request in notify.requests)
    window = 0.5
    busiest = max(
        sum(1 for other in arrivals if start <= other < start + window) for start in arrivals
    )
    # At 10 a second a half-second window holds 5 starts; allow generous jitter on top. Sent
    # all at once, all 12 would land in one window.
    assert busiest <= 7


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_limits_inside_a_bulk_send(notify: FakeNotify, kind: str) -> None:
    notify.queue(
        error_reply(429, "RateLimitError", "Exceeded rate limit"),  # retried by the client
        Reply(201, {"id": "a"}),
        error_reply(429, "TooManyRequestsError", "Exceeded send limits (email: 50) for today"),
    )
    notifications: list[BulkNotification] = [
        EmailNotification("a@example.com", TEMPLATE_ID),
        EmailNotification("b@example.com", TEMPLATE_ID, reference="b"),
    ]

    first, second = bulk_send(kind, notify.url, notifications, concurrency=1)

    assert first.response == {"id": "a"}
    assert isinstance(second.error, TooManyRequestsError)
    assert len(notify.requests) == 3
    assert [r.path for r in notify.requests] == ["/v2/notifications/email"] * 3


def test_every_kind_of_notification_builds_its_request(notify: FakeNotify) -> None:
    notify.responder = lambda received: Reply(201, {"path": received.path})
    notifications: list[BulkNotification] = [
        SmsNotification("07700900123", TEMPLATE_ID),
        EmailNotification("a@example.com", TEMPLATE_ID, sanitise_content_for=["name"]),
        LetterNotification(TEMPLATE_ID, {"address_line_1": "A"}, reference="r"),
    ]

    results = bulk_send("sync", notify.url, notifications, concurrency=1)

    assert [r.response for r in results] == [
        {"path": "/v2/notifications/sms"},
        {"path": "/v2/notifications/email"},
        {"path": "/v2/notifications/letter"},
    ]
    assert notify.requests[1].json()["sanitise_content_for"] == ["name"]
    assert notify.requests[2].json() == {
        "template_id": TEMPLATE_ID,
        "personalisation": {"address_line_1": "A"},
        "reference": "r",
    }


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_a_generator_is_read_as_sends_start_and_nothing_is_kept(
    notify: FakeNotify, kind: str
) -> None:
    notify.responder = accept_unless_refused
    concurrency = 4
    taken = [0]
    answered: list[int] = []
    outstanding: list[int] = []

    def generate() -> Iterator[BulkNotification]:
        for notification in texts(40, refused=frozenset({7})):
            taken[0] += 1
            yield notification

    def sending(index: int, notification: BulkNotification) -> None:
        # Taken from the generator but not yet answered: never more than the workers hold.
        outstanding.append(taken[0] - len(answered))

    results = bulk_send(
        kind,
        notify.url,
        generate(),
        rate_per_minute=600_000,
        concurrency=concurrency,
        on_send=sending,
        on_result=lambda result: answered.append(result.index),
        keep_results=False,
    )

    assert results == []
    assert sorted(answered) == list(range(40))
    assert max(outstanding) <= concurrency
    assert len(notify.requests) == 40


async def test_an_error_from_the_notifications_themselves_stops_the_run() -> None:
    async def execute(request: Any) -> Any:
        return {}

    def broken() -> Iterator[BulkNotification]:
        yield from texts(3)
        raise ValueError("row 5 cannot be read")

    with pytest.raises(ValueError, match="row 5"):
        await run_bulk(execute, broken(), rate_per_minute=10**6, concurrency=2)


def test_empty_input() -> None:
    with NotificationsAPIClient(API_KEY, base_url="http://127.0.0.1:9") as client:
        assert client.send_bulk([]) == []


# --- the engine, without a network ---


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


async def test_rate_limiter_spaces_starts_evenly() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3000, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        await limiter.acquire()
        starts.append(clock.now)
        clock.now += 0.001  # the work itself takes a moment
    assert starts == pytest.approx([100.0, 100.02, 100.04, 100.06, 100.08])


async def test_rate_limiter_does_not_burst_after_a_pause() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock, sleep=clock.sleep)
    await limiter.acquire()
    clock.now += 10  # nothing asked for a while
    await limiter.acquire()
    first_after_pause = clock.now
    await limiter.acquire()
    assert clock.now - first_after_pause == pytest.approx(1.0)


async def test_a_wait_for_a_slot_ends_soon_after_it_is_told_to_stop() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock, sleep=clock.sleep)  # one start a minute
    assert await limiter.acquire()

    stopped = await limiter.acquire(lambda: clock.now >= 101.0)

    assert stopped is False
    assert clock.now == pytest.approx(101.0)  # a second into a sixty-second wait
    assert await limiter.acquire(lambda: True) is False


@pytest.mark.parametrize("kind", CLIENT_KINDS)
def test_after_a_stop_no_send_starts_and_those_in_flight_finish(
    notify: FakeNotify, kind: str
) -> None:
    notify.responder = accept_unless_refused
    started: list[int] = []
    finished: list[BulkResult] = []

    results = bulk_send(
        kind,
        notify.url,
        texts(20),
        rate_per_minute=600,  # a start every 0.1 s: the other workers wait for their slots
        concurrency=5,
        on_send=lambda index, _: started.append(index),
        on_result=finished.append,
        stop=lambda: len(finished) >= 3,
    )

    assert 3 <= len(results) < 20
    assert sorted(r.index for r in results) == sorted(started) == sorted(r.index for r in finished)
    assert all(result.ok for result in results)
    assert len(notify.requests) == len(started)


async def test_run_bulk_records_any_exception_and_keeps_going() -> None:
    async def execute(request: Any) -> Any:
        if request.json["reference"] == "1":
            raise RuntimeError("boom")
        return {"reference": request.json["reference"]}

    results = await run_bulk(execute, texts(3), rate_per_minute=10**6, concurrency=2)

    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, RuntimeError)


async def test_a_failing_callback_stops_the_run() -> None:
    async def execute(request: Any) -> Any:
        await asyncio.sleep(0)
        return {}

    def callback(result: BulkResult) -> None:
        raise KeyError("journal full")

    with pytest.raises(KeyError):
        await run_bulk(execute, texts(10), rate_per_minute=10**6, concurrency=2, on_result=callback)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"concurrency": 0}, ValueError),
        ({"concurrency": 1.5}, TypeError),
        ({"rate_per_minute": 0}, ValueError),
        ({"rate_per_minute": "fast"}, TypeError),
    ],
)
async def test_bad_settings(options: dict[str, Any], error: type[Exception]) -> None:
    async def execute(request: Any) -> Any:
        return {}

    with pytest.raises(error):
        await run_bulk(execute, texts(1), **options)
