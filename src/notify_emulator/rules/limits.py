"""Per-minute rate limits and daily message limits (notify-api.md §6).

The per-minute limit is a token bucket per (service, key type), as Notify keeps it in Redis
(utils ``RedisClient`` ``tally-bucket-rate-limit`` script, api
``app/notifications/validators.py``); :func:`take_token` is one take from it. The buckets
themselves live in the store (:mod:`notify_emulator.store.rate_buckets`), as do the daily
counters: this module only decides, from a bucket or a count, whether a send is allowed and
what the error says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

from notify_emulator.rules.constants import (
    DEFAULT_EMAIL_LIMIT,
    DEFAULT_INTERNATIONAL_SMS_LIMIT,
    DEFAULT_LETTER_LIMIT,
    DEFAULT_SMS_LIMIT,
)

__all__ = [
    "DAILY_LIMIT_CHANNELS",
    "RATE_LIMIT_INTERVAL_SECONDS",
    "TEST_KEY_DAILY_LIMITS_FOR_TRIAL_SERVICES",
    "TOKEN_BUCKET_MAX",
    "TOKEN_BUCKET_MIN",
    "DailyLimitCheck",
    "bucket_capacity",
    "counts_towards_daily_limits",
    "daily_limit_exceeded",
    "daily_limit_message",
    "daily_limit_value",
    "rate_limit_message",
    "refill_per_second",
    "take_token",
    "utc_day",
]

# api app/constants.py and app/config.py
TOKEN_BUCKET_MAX = 1_000
TOKEN_BUCKET_MIN = 0
RATE_LIMIT_INTERVAL_SECONDS = 60

DAILY_LIMIT_CHANNELS = ("sms", "email", "letter", "international_sms")

# A test key of a trial-mode service is checked against the live defaults rather than the
# service's own (trial) limits (api validators.get_daily_rate_limit_value).
TEST_KEY_DAILY_LIMITS_FOR_TRIAL_SERVICES: Mapping[str, int] = {
    "email": DEFAULT_EMAIL_LIMIT,
    "sms": DEFAULT_SMS_LIMIT,
    "letter": DEFAULT_LETTER_LIMIT,
    "international_sms": DEFAULT_INTERNATIONAL_SMS_LIMIT,
}


def bucket_capacity(rate_limit: int) -> int:
    """The most tokens a bucket holds: ``min(ceil(rate_limit / 3) + 1, 1000)``."""
    return min(math.ceil(_check_rate_limit(rate_limit) / 3) + 1, TOKEN_BUCKET_MAX)


def refill_per_second(rate_limit: int) -> float:
    """Tokens added per second: the service's limit spread over its 60-second interval."""
    return _check_rate_limit(rate_limit) / RATE_LIMIT_INTERVAL_SECONDS


def _check_rate_limit(rate_limit: int) -> int:
    if isinstance(rate_limit, bool) or not isinstance(rate_limit, int):
        raise TypeError(f"rate_limit must be an int, not {rate_limit!r}")
    if rate_limit < 1:
        raise ValueError(f"rate_limit must be at least 1, got {rate_limit}")
    return rate_limit


def take_token(
    *, tokens: int, last_replenished: float, now: float, rate_limit: int
) -> tuple[int, float, bool]:
    """One take from a token bucket: ``(tokens, last_replenished, allowed)`` afterwards.

    The take first credits the whole tokens earned since the last credit (up to the
    capacity), then deducts one (not below 0); it is refused when fewer than one token is
    left after the deduction (utils ``tally-bucket-rate-limit``). The credit time moves on
    only by the time the whole tokens took to earn, so fractions carry over.
    """
    capacity = bucket_capacity(rate_limit)
    per_second = refill_per_second(rate_limit)
    elapsed = max(now - last_replenished, 0.0)
    replenishment = math.floor(elapsed * per_second)
    tokens = min(tokens + replenishment, capacity)
    tokens = max(tokens - 1, TOKEN_BUCKET_MIN)
    return tokens, last_replenished + replenishment / per_second, tokens >= 1


def rate_limit_message(key_type: str, rate_limit: int) -> str:
    """The 429 ``RateLimitError`` message; ``normal`` keys are called ``LIVE``."""
    shown = "live" if key_type == "normal" else key_type
    return (
        f"Exceeded rate limit for key type {shown.upper()} of {rate_limit} requests "
        f"per {RATE_LIMIT_INTERVAL_SECONDS} seconds"
    )


def daily_limit_message(channel: str, limit: int) -> str:
    """The 429 ``TooManyRequestsError`` message for a daily limit."""
    return f"Exceeded send limits ({channel}: {limit}) for today"


def utc_day(now: datetime) -> date:
    """The UTC calendar day that a daily counter belongs to (they reset at midnight UTC).

    A naive datetime is taken to be UTC already.
    """
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(timezone.utc).date()


def counts_towards_daily_limits(key_type: str) -> bool:
    """Live and team keys share the daily counters; test keys never add to them."""
    return key_type != "test"


def daily_limit_value(
    *, channel: str, key_type: str, service_limits: Mapping[str, int], trial_mode: bool
) -> int:
    """The limit a send is checked against: the service's own, or the live defaults for a
    test key of a trial-mode service."""
    if channel not in DAILY_LIMIT_CHANNELS:
        raise ValueError(f"unknown daily limit channel {channel!r}")
    if key_type == "test" and trial_mode:
        return TEST_KEY_DAILY_LIMITS_FOR_TRIAL_SERVICES[channel]
    return service_limits[channel]


def daily_limit_exceeded(count: int, limit: int, requested: int = 1) -> bool:
    """Whether sending ``requested`` more would go over ``limit`` (``count + 1 > limit``)."""
    return count + requested > limit


@dataclass(frozen=True)
class DailyLimitCheck:
    """A daily-limit decision: today's ``count`` so far against ``limit`` for ``channel``."""

    channel: str
    limit: int
    count: int

    @property
    def exceeded(self) -> bool:
        """True when one more message would go over the limit."""
        return daily_limit_exceeded(self.count, self.limit)

    @property
    def message(self) -> str:
        """The error message to return when :attr:`exceeded`."""
        return daily_limit_message(self.channel, self.limit)
