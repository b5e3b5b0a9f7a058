"""An in-memory copy of the configuration tables, checked against the database's generation.

Services, API keys, SMS senders, email reply-tos and templates change only when a seed is
applied, yet every send read them. The store keeps what it has read in a :class:`ConfigSnapshot`
labelled with the ``config_generation`` number it saw; every configuration write moves that
number on in its own transaction, so a process (``--workers N`` run several on one database)
that sees a different number starts a new, empty snapshot. Records are frozen dataclasses
holding tuples, so a cached record can be handed out as it is; lists are copied on the way out.

A :func:`ConfigCache.one_check` block (one request) checks the number once and keeps reading
the snapshot it saw, so a request costs one tiny read of the number, not one per lookup.

On an event loop, the requests handled in one turn of the loop share one read of the number:
the read is made after the loop's poll that delivered them, so a change committed before any of
them was sent is seen by all of them (the number is forgotten when the next turn starts).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from notify_emulator.store import tables as t
from notify_emulator.store.direct import DirectStatement
from notify_emulator.store.records import (
    ApiKeyRecord,
    ReplyToRecord,
    ServiceRecord,
    SmsSenderRecord,
    TemplateRecord,
)

CONFIG_ROW_ID = 1

_READ_GENERATION = select(t.config_generation.c.generation).where(
    t.config_generation.c.id == bindparam("row_id")
)
_DIRECT_READ_GENERATION = DirectStatement(_READ_GENERATION)  # read once a request or so
_BUMP_GENERATION = (
    update(t.config_generation)
    .where(t.config_generation.c.id == bindparam("row_id"))
    .values(generation=t.config_generation.c.generation + 1)
)

TemplateKey = tuple[str, str, int | None]
Rows = list[tuple[Any, ...]]


@dataclass
class ConfigSnapshot:
    """What has been read of the configuration at one generation (filled lazily).

    Only records that exist are kept: a lookup of an unknown id goes to the database each time,
    so requests naming random ids cannot grow the cache.
    """

    generation: int | None
    services: dict[str, ServiceRecord] = field(default_factory=dict)
    api_keys: dict[str, tuple[ApiKeyRecord, ...]] = field(default_factory=dict)
    sms_senders: dict[str, tuple[SmsSenderRecord, ...]] = field(default_factory=dict)
    reply_tos: dict[str, tuple[ReplyToRecord, ...]] = field(default_factory=dict)
    templates: dict[TemplateKey, TemplateRecord] = field(default_factory=dict)


@dataclass
class _Scope:
    snapshot: ConfigSnapshot | None = None


def mark_config_changed(connection: Connection) -> None:
    """Move the configuration generation on, inside the caller's (writing) transaction."""
    result = connection.execute(_BUMP_GENERATION, {"row_id": CONFIG_ROW_ID})
    if not result.rowcount:
        # The row is made by migration 4; should it be gone, make it again.
        connection.execute(t.config_generation.insert().values(id=CONFIG_ROW_ID, generation=1))


class ConfigCache:
    """The store's copy of the configuration tables (thread-safe)."""

    def __init__(self, read: Callable[[DirectStatement, Mapping[str, Any]], Rows]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._snapshot = ConfigSnapshot(generation=None)
        self._scope: ContextVar[_Scope | None] = ContextVar("config_scope", default=None)
        # The number read in the current turn of each event loop that has read it.
        self._this_turn: dict[asyncio.AbstractEventLoop, int | None] = {}

    def current(self) -> ConfigSnapshot:
        """The snapshot to read: the one this block already checked, or a freshly checked one."""
        scope = self._scope.get()
        if scope is not None and scope.snapshot is not None:
            return scope.snapshot
        generation = self._generation()
        with self._lock:
            if generation is None or self._snapshot.generation != generation:
                # No generation row: nothing can be trusted, so keep nothing beyond this read.
                self._snapshot = ConfigSnapshot(generation=generation)
            snapshot = self._snapshot
        if scope is not None:
            scope.snapshot = snapshot
        return snapshot

    def _generation(self) -> int | None:
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: no turns to share
            loop = None
        if loop is not None and loop in self._this_turn:
            return self._this_turn[loop]
        rows = self._read(_DIRECT_READ_GENERATION, {"row_id": CONFIG_ROW_ID})
        generation = int(rows[0][0]) if rows and rows[0][0] is not None else None
        if loop is not None:
            self._this_turn[loop] = generation
            loop.call_soon(self._this_turn.pop, loop, None)
        return generation

    def forget(self) -> None:
        """Drop everything kept (this process just wrote the configuration)."""
        self._this_turn.clear()
        with self._lock:
            self._snapshot = ConfigSnapshot(generation=None)
        scope = self._scope.get()
        if scope is not None:
            scope.snapshot = None

    @contextmanager
    def one_check(self) -> Iterator[None]:
        """Within this block (one request), check the generation once, at the first read.

        Inside another such block (the fault middleware opens one around the whole request,
        before the handler opens its own) the outer block's check is the one that counts.
        """
        if self._scope.get() is not None:
            yield
            return
        token = self._scope.set(_Scope())
        try:
            yield
        finally:
            self._scope.reset(token)
