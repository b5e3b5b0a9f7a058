"""The faults being rehearsed, kept in the database (``faults``, migration 6).

Every worker process sees the same faults, and a fault's ``times`` is used up by one atomic
``UPDATE … SET remaining = remaining - 1 WHERE remaining > 0``: however many processes race for
the last one, exactly one request gets it. Requests read the faults from memory: the list is
kept labelled with the configuration generation (store/config_cache.py), which every change to
the set of faults moves on in the same transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from notify_emulator.faults.rules import FaultError, FaultSpec, parse_fault
from notify_emulator.store import tables as t
from notify_emulator.store.config_cache import ConfigCache, mark_config_changed

_f = t.faults.c


@dataclass(frozen=True)
class FaultRecord:
    """A stored fault: what was given, and how many more requests it hits."""

    id: str
    spec: FaultSpec
    remaining: int | None
    created_at: datetime

    def as_json(self) -> dict[str, object]:
        """The fault as ``GET /_emulator/faults`` lists it."""
        return {"id": self.id, **self.spec.as_json(), "remaining": self.remaining}


def _record(row: Mapping[Any, Any]) -> FaultRecord:
    spec = parse_fault(
        {"match": row["match"], "action": row["action"], "times": row["times"], "rate": row["rate"]}
    )
    return FaultRecord(
        id=row["id"], spec=spec, remaining=row["remaining"], created_at=row["created_at"]
    )


class FaultStore:
    """Add, list, delete and use faults (thread-safe)."""

    def __init__(
        self,
        connect: Callable[[], AbstractContextManager[Connection]],
        begin: Callable[[], AbstractContextManager[Connection]],
        config: ConfigCache,
        now: Callable[[], datetime],
    ) -> None:
        self._connect = connect
        self._begin = begin
        self._config = config
        self._now = now
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._active: tuple[FaultRecord, ...] = ()

    def add(self, spec: FaultSpec) -> FaultRecord:
        """Store a fault (replacing the one with the same id, if the spec names one)."""
        with self._begin() as connection:
            record = upsert_fault(connection, spec, self._now())
            mark_config_changed(connection)
        self._config.forget()
        return record

    def all(self) -> list[FaultRecord]:
        """Every fault, in the order they were added, with its count as it is now."""
        with self._connect() as connection:
            rows = connection.execute(select(t.faults).order_by(_f.position, _f.id)).all()
        return [record for row in rows if (record := _readable(row._mapping)) is not None]

    def active(self) -> tuple[FaultRecord, ...]:
        """The faults in force, from memory while the configuration generation stands."""
        generation = self._config.current().generation
        with self._lock:
            if generation is not None and generation == self._generation:
                return self._active
        active = tuple(self.all())
        with self._lock:
            self._generation, self._active = generation, active
        return active

    def delete(self, fault_id: str) -> bool:
        """Delete one fault; False if there is none with that id."""
        with self._begin() as connection:
            result = connection.execute(delete(t.faults).where(_f.id == fault_id))
            if result.rowcount:
                mark_config_changed(connection)
        if result.rowcount:
            self._config.forget()
        return bool(result.rowcount)

    def clear(self) -> int:
        """Delete every fault; returns how many there were."""
        with self._begin() as connection:
            result = connection.execute(delete(t.faults))
            deleted = int(result.rowcount or 0)
            if deleted:
                # Only then: every reset clears the faults, and most find none.
                mark_config_changed(connection)
        if deleted:
            self._config.forget()
        return deleted

    def use(self, fault: FaultRecord) -> bool:
        """Spend one of the fault's hits; False if another request took the last one first.

        A fault without a count (``times`` null) is never used up. One that reaches zero is
        deleted, in the same transaction.
        """
        if fault.remaining is None:
            return True
        with self._begin() as connection:
            result = connection.execute(
                update(t.faults)
                .where(_f.id == fault.id, _f.remaining > 0)
                .values(remaining=_f.remaining - 1)
            )
            if not result.rowcount:
                return False
            spent = connection.execute(delete(t.faults).where(_f.id == fault.id, _f.remaining <= 0))
            if spent.rowcount:
                mark_config_changed(connection)
        return True


def _readable(row: Mapping[Any, Any]) -> FaultRecord | None:
    try:
        return _record(row)
    except FaultError:
        # Only this code writes the table, through parse_fault: a row it cannot read again was
        # written by something else, and is better skipped than allowed to break every request.
        return None


def upsert_fault(connection: Connection, spec: FaultSpec, now: datetime) -> FaultRecord:
    """Store ``spec`` in the caller's transaction; its count starts again from ``times``.

    A new fault goes after every other; one whose id exists is replaced where it stands.
    """
    fault_id = spec.id or str(uuid.uuid4())
    values = {
        "match": spec.match.as_json(),
        "action": spec.action.as_json(),
        "times": spec.times,
        "rate": spec.rate,
        "remaining": spec.times,
    }
    exists = connection.execute(select(_f.id).where(_f.id == fault_id)).first()
    if exists:
        connection.execute(update(t.faults).where(_f.id == fault_id).values(**values))
    else:
        last = connection.execute(select(func.max(_f.position))).scalar()
        connection.execute(
            t.faults.insert().values(
                id=fault_id, position=int(last or 0) + 1, created_at=now, **values
            )
        )
    return FaultRecord(id=fault_id, spec=spec, remaining=spec.times, created_at=now)
