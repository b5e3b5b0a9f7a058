"""The per-minute rate limit's token buckets, kept in memory (notify-api.md §6.1).

Notify keeps one bucket per (service, key type) in Redis; the rule for one take is
:func:`notify_emulator.rules.limits.take_token`. This module only keeps the buckets, for one
process. The running emulator keeps them in its database instead
(:class:`notify_emulator.store.rate_buckets.SharedRateLimiter`, the same interface), so that
every worker sharing the database shares them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from notify_emulator.rules.limits import bucket_capacity, take_token

__all__ = ["RateLimiter"]


@dataclass
class _Bucket:
    last_replenished: float
    tokens: int


class RateLimiter:
    """Token buckets, one per (service id, key type); safe to share between threads.

    ``clock`` returns seconds as a float (``time.monotonic`` by default); tests pass their
    own to move time without sleeping.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def consume(self, service_id: str, key_type: str, rate_limit: int, tokens: int = 1) -> bool:
        """Take ``tokens`` tokens one by one, as Notify's checks do; ``False`` if refused.

        Each take first credits the whole tokens earned since the last credit (up to the
        capacity), then deducts one (not below 0); it is refused when fewer than one token is
        left after the deduction. Taking stops at the first refusal, as a request stops at
        its first 429 (a template letter is checked twice, so it takes two).
        """
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
            raise ValueError(f"tokens must be a positive int, got {tokens!r}")
        capacity = bucket_capacity(rate_limit)
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get((service_id, key_type))
            if bucket is None:
                bucket = _Bucket(last_replenished=now, tokens=capacity)
                self._buckets[(service_id, key_type)] = bucket
            # all() stops at the first refusal, as a request stops at its first 429.
            return all(self._take_one(bucket, now, rate_limit) for _ in range(tokens))

    @staticmethod
    def _take_one(bucket: _Bucket, now: float, rate_limit: int) -> bool:
        bucket.tokens, bucket.last_replenished, allowed = take_token(
            tokens=bucket.tokens,
            last_replenished=bucket.last_replenished,
            now=now,
            rate_limit=rate_limit,
        )
        return allowed

    def remaining(self, service_id: str, key_type: str) -> int | None:
        """Tokens left after the last take (``None`` if the bucket was never used)."""
        with self._lock:
            bucket = self._buckets.get((service_id, key_type))
            return None if bucket is None else bucket.tokens

    def reset(self, service_id: str | None = None) -> None:
        """Forget the buckets of one service, or of every service."""
        with self._lock:
            if service_id is None:
                self._buckets.clear()
            else:
                for key in [key for key in self._buckets if key[0] == service_id]:
                    del self._buckets[key]

    def __repr__(self) -> str:
        return f"RateLimiter(buckets={len(self._buckets)})"
