"""How far the emulator's clock is ahead of the real one, kept in the database.

One row of ``emulator_clock`` (migration 6) holds the offset in microseconds, so every worker
process of one emulator shares one clock. Reading it on every ``now()`` would cost a query each
time, so the offset is kept in memory, labelled with the configuration generation it was read
at (store/config_cache.py): every change of the offset moves the generation on in the same
transaction, and a request checks the generation once, so no process reads a stale offset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta

from sqlalchemy import Connection, select, update

from notify_emulator.store import tables as t
from notify_emulator.store.config_cache import ConfigCache, mark_config_changed

CLOCK_ROW_ID = 1
# Far enough for any rehearsal, near enough that dates stay printable.
MAX_OFFSET = timedelta(days=100 * 366)

_c = t.emulator_clock.c
_TOO_FAR = f"the emulator's clock can be at most {MAX_OFFSET.days} days ahead of real time"
_READ = select(_c.offset_microseconds).where(_c.id == CLOCK_ROW_ID)
_LIMIT = (MAX_OFFSET.days * 86_400) * 1_000_000


def _ensure_row(connection: Connection) -> None:
    # Made by migration 6; should it be gone, start again from real time.
    if connection.execute(_READ).first() is None:
        connection.execute(t.emulator_clock.insert().values(id=CLOCK_ROW_ID, offset_microseconds=0))


def _microseconds(offset: timedelta) -> int:
    return (offset.days * 86_400 + offset.seconds) * 1_000_000 + offset.microseconds


class ClockOffset:
    """The shared offset of the emulator's clock (thread-safe)."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[Connection]],
        begin: Callable[[], AbstractContextManager[Connection]],
        config: ConfigCache,
    ) -> None:
        self._connect = connect
        self._begin = begin
        self._config = config
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._offset = timedelta(0)

    def current(self) -> timedelta:
        """The offset now in force."""
        generation = self._config.current().generation
        with self._lock:
            if generation is not None and generation == self._generation:
                return self._offset
        with self._connect() as connection:
            value = connection.execute(_READ).scalar()
        offset = timedelta(microseconds=int(value or 0))
        with self._lock:
            self._generation, self._offset = generation, offset
        return offset

    def advance(self, by: timedelta) -> timedelta:
        """Move the clock forward by ``by``, atomically (one UPDATE adds it, so advances made
        at once by two processes both count); returns the new offset.

        Raises :class:`ValueError` for a negative step or one beyond :data:`MAX_OFFSET`.
        """
        if by < timedelta(0):
            raise ValueError("the emulator's clock only moves forward")
        step = _microseconds(by)
        with self._begin() as connection:
            _ensure_row(connection)
            result = connection.execute(
                update(t.emulator_clock)
                .where(_c.id == CLOCK_ROW_ID, _c.offset_microseconds + step <= _LIMIT)
                .values(offset_microseconds=_c.offset_microseconds + step)
            )
            if not result.rowcount:
                raise ValueError(_TOO_FAR)
            mark_config_changed(connection)
            value = connection.execute(_READ).scalar()
        self._forget()
        return timedelta(microseconds=int(value or 0))

    def move_to(self, offset: timedelta) -> None:
        """Set the offset to ``offset``, unless that would move the clock back.

        Raises :class:`ValueError` if ``offset`` is behind the current one or too far ahead.
        """
        target = _microseconds(offset)
        if target > _LIMIT:
            raise ValueError(_TOO_FAR)
        with self._begin() as connection:
            _ensure_row(connection)
            result = connection.execute(
                update(t.emulator_clock)
                .where(_c.id == CLOCK_ROW_ID, _c.offset_microseconds <= target)
                .values(offset_microseconds=target)
            )
            if not result.rowcount:
                raise ValueError("the emulator's clock only moves forward")
            mark_config_changed(connection)
        self._forget()

    def reset(self) -> None:
        """Put the clock back on real time (``POST /_emulator/reset``)."""
        with self._begin() as connection:
            _ensure_row(connection)
            result = connection.execute(
                update(t.emulator_clock)
                .where(_c.id == CLOCK_ROW_ID, _c.offset_microseconds != 0)
                .values(offset_microseconds=0)
            )
            if result.rowcount:
                # Only then: every reset does this, and most find the clock on real time.
                mark_config_changed(connection)
        if result.rowcount:
            self._forget()

    def _forget(self) -> None:
        self._config.forget()
        with self._lock:
            self._generation = None
