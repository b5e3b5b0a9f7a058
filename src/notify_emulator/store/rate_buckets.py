"""The per-minute rate limit's token buckets, kept in the database (notify-api.md §6.1).

Notify keeps one bucket per (service, key type) in Redis, which every API instance shares, and
takes from it atomically. Here the buckets are rows of ``rate_limit_buckets`` (migration 7), so
that every thread, every worker process and every emulator on the same database draws from
one bucket. A take reads the row, applies the pure rule
:func:`notify_emulator.rules.limits.take_token` and writes it back inside one transaction that
holds the row: ``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` (the database's write
lock, taken before the read) on SQLite.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, delete, select, update

from notify_emulator.rules.limits import bucket_capacity, take_token
from notify_emulator.store import tables as t
from notify_emulator.store.direct import DirectStatement, run_driver_sql
from notify_emulator.store.engine import ConnectionGate
from notify_emulator.store.statements import dialect_insert

__all__ = ["BucketKey", "SharedRateLimiter", "lock_database", "take_tokens"]

_B = t.rate_limit_buckets.c


@functools.cache
def _new_bucket(dialect: str) -> DirectStatement:
    # A full bucket, unless another take created it first (run on the driver's cursor).
    statement = dialect_insert(dialect)(t.rate_limit_buckets).on_conflict_do_nothing(
        index_elements=["service_id", "key_type"]
    )
    return DirectStatement(statement, ["service_id", "key_type", "tokens", "last_replenished"])


# Built once with bound parameters: building a statement costs more than running it.
# (An UPDATE reserves its columns' names for the SET clause, so the parameters are named apart.)
_THIS_BUCKET = (
    _B.service_id == bindparam("bucket_service_id"),
    _B.key_type == bindparam("bucket_key_type"),
)
_READ = select(_B.tokens, _B.last_replenished).where(*_THIS_BUCKET)
_READ_FOR_UPDATE = _READ.with_for_update()
_WRITE = (
    update(t.rate_limit_buckets)
    .where(*_THIS_BUCKET)
    .values(tokens=bindparam("new_tokens"), last_replenished=bindparam("new_replenished"))
)
# The same, run on the driver's cursor (store/direct.py): a send's group commit runs them.
_DIRECT_READ = {"sqlite": DirectStatement(_READ), "postgresql": DirectStatement(_READ_FOR_UPDATE)}
_DIRECT_WRITE = DirectStatement(_WRITE)


class SharedRateLimiter:
    """Token buckets in the database, with the interface of the in-memory
    :class:`notify_emulator.rate_limiter.RateLimiter`.

    ``clock`` returns seconds as a float (the emulator's clock, so a jump moves the windows).
    """

    def __init__(self, gate: ConnectionGate, clock: Callable[[], float]) -> None:
        self._gate = gate
        self._clock = clock

    def consume(self, service_id: str, key_type: str, rate_limit: int, tokens: int = 1) -> bool:
        """Take ``tokens`` tokens one by one, as Notify's checks do; ``False`` if refused.

        Taking stops at the first refusal, as a request stops at its first 429 (a template
        letter is checked twice, so it takes two). The takes and the bucket's new state are
        one transaction.
        """
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 1:
            raise ValueError(f"tokens must be a positive int, not {tokens!r}")
        bucket = BucketKey(service_id, key_type, rate_limit)
        with self._gate.begin() as connection:
            dialect = lock_database(connection)
            return take_tokens(connection, dialect, [bucket] * tokens, self._clock())[-1]

    def remaining(self, service_id: str, key_type: str) -> int | None:
        """Tokens left after the last take (``None`` if the bucket was never used)."""
        with self._gate.connect() as connection:
            row = connection.execute(
                _READ, {"bucket_service_id": service_id, "bucket_key_type": key_type}
            )
            value = row.first()
        return None if value is None else int(value.tokens)

    def reset(self, service_id: str | None = None) -> None:
        """Forget the buckets of one service, or of every service."""
        statement = delete(t.rate_limit_buckets)
        if service_id is not None:
            statement = statement.where(_B.service_id == service_id)
        with self._gate.begin() as connection:
            connection.execute(statement)

    def __repr__(self) -> str:
        return "SharedRateLimiter()"


class BucketKey(NamedTuple):
    """One take's bucket: the service, the key type, and the service's rate limit."""

    service_id: str
    key_type: str
    rate_limit: int


def take_tokens(
    connection: Connection, dialect: str, takes: Sequence[BucketKey], now: float
) -> list[bool]:
    """One token for each of ``takes``, in order: whether each was allowed.

    Runs inside the caller's transaction, which must hold the write lock
    (:func:`lock_database`); each bucket is read once and written once however many takes it
    serves. Every take is tried (each is its own request's): a refused take leaves its bucket
    empty, so the takes after it at the same moment are refused too.
    """
    states: dict[tuple[str, str], tuple[int, float]] = {}
    allowed: list[bool] = []
    for take in takes:
        bucket = (take.service_id, take.key_type)
        if bucket not in states:
            states[bucket] = _read_bucket(connection, dialect, take, now)
        left, replenished = states[bucket]
        left, replenished, ok = take_token(
            tokens=left, last_replenished=replenished, now=now, rate_limit=take.rate_limit
        )
        states[bucket] = (left, replenished)
        allowed.append(ok)
    for (service_id, key_type), (left, replenished) in states.items():
        _DIRECT_WRITE.execute(
            connection,
            {
                "bucket_service_id": service_id,
                "bucket_key_type": key_type,
                "new_tokens": left,
                "new_replenished": replenished,
            },
        )
    return allowed


def _read_bucket(
    connection: Connection, dialect: str, take: BucketKey, now: float
) -> tuple[int, float]:
    key = {"bucket_service_id": take.service_id, "bucket_key_type": take.key_type}
    read = _DIRECT_READ[dialect]
    rows = read.execute(connection, key)
    if not rows:  # the first take: a full bucket, unless another process made one
        new = {
            "service_id": take.service_id,
            "key_type": take.key_type,
            "tokens": bucket_capacity(take.rate_limit),
            "last_replenished": now,
        }
        _new_bucket(dialect).execute(connection, new)
        rows = read.execute(connection, key)
    tokens, replenished = rows[0]
    return int(tokens), float(replenished)


def lock_database(connection: Connection) -> str:
    """The dialect's name; on SQLite, first takes the write lock for this transaction.

    pysqlite begins a transaction only before the first write, so a read then a write would be
    two steps another process could come between; ``BEGIN IMMEDIATE`` makes them one.
    """
    dialect = connection.dialect.name
    if dialect == "sqlite":
        run_driver_sql(connection, "BEGIN IMMEDIATE")
    return dialect
