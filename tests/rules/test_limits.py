from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from notify_emulator.rate_limiter import RateLimiter
from notify_emulator.rules import limits
from notify_emulator.rules.limits import (
    DailyLimitCheck,
    bucket_capacity,
    counts_towards_daily_limits,
    daily_limit_exceeded,
    daily_limit_message,
    daily_limit_value,
    rate_limit_message,
    refill_per_second,
    take_token,
    utc_day,
)

SERVICE = "c745a8d8-b48a-4b0d-96e5-dbea0165ebd1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def drain(limiter: RateLimiter, rate_limit: int, key_type: str = "normal") -> int:
    """Send until refused; return how many were allowed."""
    allowed = 0
    while limiter.consume(SERVICE, key_type, rate_limit):
        allowed += 1
        if allowed > 10_000:
            raise AssertionError("the bucket never ran out")
    return allowed


@pytest.mark.parametrize(
    ("rate_limit", "capacity"),
    [(3000, 1000), (6000, 1000), (2997, 1000), (2994, 999), (60, 21), (10, 5), (1, 2)],
)
def test_bucket_capacity(rate_limit: int, capacity: int) -> None:
    assert bucket_capacity(rate_limit) == capacity


def test_refill_rate() -> None:
    assert refill_per_second(3000) == 50
    assert refill_per_second(30) == 0.5


@pytest.mark.parametrize("rate_limit", [0, -5])
def test_rate_limit_must_be_positive(rate_limit: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        bucket_capacity(rate_limit)


def test_rate_limit_must_be_an_int() -> None:
    with pytest.raises(TypeError, match="must be an int"):
        refill_per_second(3000.0)  # type: ignore[arg-type]


def test_full_bucket_allows_one_less_than_its_capacity() -> None:
    limiter = RateLimiter(clock=FakeClock())
    # Rejected when fewer than one token is left after the deduction.
    assert drain(limiter, 3000) == 999
    assert limiter.remaining(SERVICE, "normal") == 0


def test_refill_is_credited_in_whole_tokens() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    drain(limiter, 60)  # 1 token per second
    clock.advance(0.9)
    assert not limiter.consume(SERVICE, "normal", 60)
    clock.advance(1.0)  # 1.9 s since the bucket emptied: 1 whole token, and the
    # fraction is kept, but a single token is used up by the deduction itself.
    assert not limiter.consume(SERVICE, "normal", 60)
    clock.advance(2.0)  # 3.9 s: 2 more whole tokens earned, one left after this take
    assert limiter.consume(SERVICE, "normal", 60)
    assert limiter.remaining(SERVICE, "normal") == 1


def test_fractions_of_a_token_carry_over() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    drain(limiter, 60)  # 1 token per second
    clock.advance(1.5)  # 1 whole token credited (and used); the half second is kept
    assert not limiter.consume(SERVICE, "normal", 60)
    clock.advance(1.5)  # 2 s since the last whole token: 2 tokens, 1 left after the take
    assert limiter.consume(SERVICE, "normal", 60)
    assert limiter.remaining(SERVICE, "normal") == 1


def test_steady_rate_after_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    drain(limiter, 3000)
    clock.advance(1.0)  # 50 tokens per second
    assert drain(limiter, 3000) == 49


def test_bucket_never_goes_above_capacity() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.consume(SERVICE, "normal", 30)
    clock.advance(3600)
    assert drain(limiter, 30) == bucket_capacity(30) - 1


def test_each_key_type_and_service_has_its_own_bucket() -> None:
    limiter = RateLimiter(clock=FakeClock())
    drain(limiter, 10, "normal")
    assert limiter.consume(SERVICE, "team", 10)
    assert limiter.consume(SERVICE, "test", 10)
    assert limiter.consume("another-service", "normal", 10)
    assert not limiter.consume(SERVICE, "normal", 10)


def test_consuming_two_tokens_is_two_checks() -> None:
    limiter = RateLimiter(clock=FakeClock())
    # capacity 5 for a limit of 10: four single checks pass, or two double ones.
    assert limiter.consume(SERVICE, "normal", 10, tokens=2)
    assert limiter.consume(SERVICE, "normal", 10, tokens=2)
    assert not limiter.consume(SERVICE, "normal", 10, tokens=2)


def test_a_double_check_that_fails_first_time_takes_only_one_token() -> None:
    limiter = RateLimiter(clock=FakeClock())
    for _ in range(3):
        assert limiter.consume(SERVICE, "normal", 10)
    assert limiter.remaining(SERVICE, "normal") == 2
    # first take leaves 1 (allowed), second leaves 0 (refused)
    assert not limiter.consume(SERVICE, "normal", 10, tokens=2)
    assert limiter.remaining(SERVICE, "normal") == 0


@pytest.mark.parametrize("tokens", [0, -1])
def test_tokens_must_be_positive(tokens: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimiter().consume(SERVICE, "normal", 10, tokens=tokens)


def test_clock_going_backwards_earns_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    drain(limiter, 60)
    clock.advance(-100)
    assert not limiter.consume(SERVICE, "normal", 60)


def test_reset_refills_buckets() -> None:
    limiter = RateLimiter(clock=FakeClock())
    drain(limiter, 10)
    drain(limiter, 10, "team")
    limiter.reset("another-service")
    assert not limiter.consume(SERVICE, "normal", 10)
    limiter.reset(SERVICE)
    assert limiter.remaining(SERVICE, "team") is None
    assert limiter.consume(SERVICE, "normal", 10)
    limiter.reset()
    assert limiter.remaining(SERVICE, "normal") is None


def test_limiter_is_thread_safe() -> None:
    limiter = RateLimiter(clock=FakeClock())
    allowed: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            result = limiter.consume(SERVICE, "normal", 3000)
            with lock:
                allowed.append(result)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 999
    assert len(allowed) == 2000


def test_repr_names_no_service() -> None:
    limiter = RateLimiter(clock=FakeClock())
    limiter.consume(SERVICE, "normal", 10)
    assert SERVICE not in repr(limiter)


# --- messages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key_type", "message"),
    [
        ("normal", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
        ("team", "Exceeded rate limit for key type TEAM of 3000 requests per 60 seconds"),
        ("test", "Exceeded rate limit for key type TEST of 3000 requests per 60 seconds"),
    ],
)
def test_rate_limit_message(key_type: str, message: str) -> None:
    assert rate_limit_message(key_type, 3000) == message


@pytest.mark.parametrize(
    ("channel", "limit", "message"),
    [
        ("sms", 1000, "Exceeded send limits (sms: 1000) for today"),
        ("international_sms", 100, "Exceeded send limits (international_sms: 100) for today"),
        ("letter", 20000, "Exceeded send limits (letter: 20000) for today"),
    ],
)
def test_daily_limit_message(channel: str, limit: int, message: str) -> None:
    assert daily_limit_message(channel, limit) == message


# --- daily limits ------------------------------------------------------------------------


def test_utc_day() -> None:
    assert utc_day(datetime(2026, 6, 1, 23, 30, tzinfo=timezone.utc)) == date(2026, 6, 1)
    # 00:30 in London on 2 June is still 1 June in UTC.
    bst = timezone(timedelta(hours=1))
    assert utc_day(datetime(2026, 6, 2, 0, 30, tzinfo=bst)) == date(2026, 6, 1)
    assert utc_day(datetime(2026, 6, 2, 0, 30)) == date(2026, 6, 2)


def test_daily_limit_allows_up_to_the_limit() -> None:
    assert not daily_limit_exceeded(count=999, limit=1000)
    assert daily_limit_exceeded(count=1000, limit=1000)
    assert daily_limit_exceeded(count=0, limit=0)
    assert daily_limit_exceeded(count=999, limit=1000, requested=2)


def test_daily_limit_check() -> None:
    check = DailyLimitCheck(channel="email", limit=50, count=50)
    assert check.exceeded
    assert check.message == "Exceeded send limits (email: 50) for today"
    assert not DailyLimitCheck(channel="email", limit=50, count=49).exceeded


def test_test_keys_do_not_count() -> None:
    assert counts_towards_daily_limits("normal")
    assert counts_towards_daily_limits("team")
    assert not counts_towards_daily_limits("test")


def test_daily_limit_value() -> None:
    limits = {"sms": 50, "email": 50, "letter": 20, "international_sms": 5}
    assert (
        daily_limit_value(channel="sms", key_type="normal", service_limits=limits, trial_mode=True)
        == 50
    )
    assert (
        daily_limit_value(channel="sms", key_type="test", service_limits=limits, trial_mode=False)
        == 50
    )
    assert (
        daily_limit_value(channel="sms", key_type="test", service_limits=limits, trial_mode=True)
        == 250_000
    )
    assert (
        daily_limit_value(
            channel="international_sms", key_type="test", service_limits=limits, trial_mode=True
        )
        == 100
    )
    with pytest.raises(ValueError, match="unknown daily limit channel"):
        daily_limit_value(channel="fax", key_type="normal", service_limits=limits, trial_mode=False)


def test_public_names_exist() -> None:
    assert all(hasattr(limits, name) for name in limits.__all__)


def test_one_take_credits_whole_tokens_then_deducts_one_and_carries_the_fraction() -> None:
    # rate 60/min: one token a second; 2.5 s after the last credit two whole tokens are due.
    tokens, credited_at, allowed = take_token(
        tokens=3, last_replenished=100.0, now=102.5, rate_limit=60
    )
    assert (tokens, credited_at, allowed) == (4, 102.0, True)


def test_a_take_that_leaves_no_whole_token_is_refused_and_never_goes_below_zero() -> None:
    assert take_token(tokens=1, last_replenished=0.0, now=0.0, rate_limit=60) == (0, 0.0, False)
    assert take_token(tokens=0, last_replenished=0.0, now=0.0, rate_limit=60) == (0, 0.0, False)
