"""Creating the database engine: SQLite (WAL, a file or memory) or PostgreSQL by URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

# How long a SQLite writer waits for another (e.g. another worker process) before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """The database could not be opened or reached (the message says why, without secrets)."""


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`DatabaseError` for an unusable URL."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        # Not echoed: a malformed URL may still hold a password.
        raise DatabaseError(
            "not a database URL: expected sqlite:///FILE, sqlite:///:memory: or postgresql://…"
        ) from error
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend in {"postgresql", "postgres"}:
        if parsed.drivername in {"postgresql", "postgres"}:
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            return create_engine(parsed, pool_pre_ping=True)
        except ImportError as error:
            raise DatabaseError(
                "PostgreSQL needs psycopg: pip install 'notifications-python-client[postgres]'"
            ) from error
        except SQLAlchemyError as error:
            raise DatabaseError(f"cannot use the database URL: {error}") from error
    raise DatabaseError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in {None, "", ":memory:"}
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        # One shared connection, or each thread would see its own empty database.
        options["poolclass"] = StaticPool
    else:
        folder = Path(parsed.database or "").expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(
                f"cannot use the database {url}: cannot create {folder} ({error.strerror})"
            ) from error
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not in_memory:
            # WAL: readers never block the writer; FULL sync: a committed 201 survives a crash.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # Typed as the engine it stands for: it offers the same connect()/begin() blocks.
    return cast(Engine, _SerialisedEngine(engine)) if in_memory else engine


class _SerialisedEngine:
    """An engine whose connections are used by one thread at a time.

    An in-memory SQLite database lives in one connection, which every thread shares.
    Requests run on a thread pool, and two threads driving that connection would
    interleave their statements in one transaction, so one request's rollback could undo
    another's acknowledged insert. Each ``connect()``/``begin()`` here holds a re-entrant
    lock for its whole block. Everything else is the wrapped engine's.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._lock, self._engine.connect() as connection:
            yield connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._lock, self._engine.begin() as connection:
            yield connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)
