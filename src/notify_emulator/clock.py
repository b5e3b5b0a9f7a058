"""Injectable clocks, so time-dependent behaviour can be tested without sleeping.

Every part of the emulator that asks "what time is it?" asks the clock carried by its
:class:`~notify_emulator.settings.Settings`; tests pass a :class:`FrozenClock` and move it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        return datetime.now(timezone.utc)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that only moves when told to (thread-safe: the server runs in another thread)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start if start is not None else datetime.now(timezone.utc)
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware start time")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, by: timedelta | float) -> datetime:
        """Move the clock forward by a timedelta or a number of seconds; returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += step
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to an exact (aware) time."""
        if when.tzinfo is None:
            raise ValueError("FrozenClock.set needs a timezone-aware time")
        with self._lock:
            self._now = when.astimezone(timezone.utc)

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"


class ShiftedClock:
    """The emulator's own clock: a base clock moved forward by an offset read on every call.

    ``POST /_emulator/clock`` moves the offset (kept in the database, so every worker process
    shares it); statuses, limits, retention and everything else the emulator times follow this
    clock, while :attr:`real` (the base clock) is what JWTs are checked against, so clients keep
    signing valid tokens after a jump.
    """

    def __init__(self, real: Clock, offset: Callable[[], timedelta]) -> None:
        self._real = real
        self._offset = offset

    @property
    def real(self) -> Clock:
        """The clock before the shift."""
        return self._real

    def offset(self) -> timedelta:
        """How far ahead of :attr:`real` this clock is."""
        return self._offset()

    def now(self) -> datetime:
        """The base clock's time plus the offset."""
        return self._real.now() + self._offset()

    def __getattr__(self, name: str) -> Any:
        # What else the base clock offers (a FrozenClock's advance and set) is reached through
        # this one, so code holding settings.clock can still move a test's frozen clock.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real, name)

    def __repr__(self) -> str:
        return f"ShiftedClock({self._real!r})"


def real_clock(clock: Clock) -> Clock:
    """The clock beneath any :class:`ShiftedClock` (the clock itself when it is not shifted)."""
    return clock.real if isinstance(clock, ShiftedClock) else clock


def utc_naive(moment: datetime) -> datetime:
    """The naive-UTC form the store keeps (portable across SQLite and PostgreSQL)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def format_timestamp(moment: datetime | None) -> str | None:
    """Notify's v2 timestamp format: UTC, microseconds, a literal ``Z`` (notify-api.md §1.4)."""
    if moment is None:
        return None
    return utc_naive(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
