"""Creating the database engine: SQLite (WAL, a file or memory) or PostgreSQL by URL."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from notify_emulator.store.direct import DirectStatement

# How long a SQLite writer waits for another (e.g. another worker process) before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseError(Exception):
    """The database could not be opened or reached (the message says why, without secrets)."""


def json_text(value: object) -> str:
    """A JSON column's text. Python's reader (and so Notify's) takes ``NaN`` and ``Infinity``
    as numbers, but JSON cannot write them and PostgreSQL's JSON type refuses them, so they are
    stored as the text a template renders them as ("nan", "inf", "-inf")."""
    try:
        return _JSON_ENCODER.encode(value)
    except ValueError:
        return _JSON_ENCODER.encode(_finite(value))


# Made once: json.dumps with options builds a new encoder on every call.
_JSON_ENCODER = json.JSONEncoder(allow_nan=False)


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; raises :class:`DatabaseError` for an unusable URL."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
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
            return create_engine(parsed, pool_pre_ping=True, json_serializer=json_text)
        except ImportError as error:
            raise DatabaseError(
                "PostgreSQL needs psycopg: pip install 'psycopg[binary]' (notify-emulator's "
                "postgres extra)"
            ) from error
        except SQLAlchemyError as error:
            raise DatabaseError(f"cannot use the database URL: {error}") from error
    raise DatabaseError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    in_memory = parsed.database in {None, "", ":memory:"}
    options: dict[str, Any] = {
        "connect_args": {"check_same_thread": False},
        "json_serializer": json_text,
    }
    if in_memory:
        # One shared connection, or each thread would see its own empty database.
        options["poolclass"] = StaticPool
    else:
        # The pool hands out the connection used last. SQLite drops a connection's page cache
        # when another connection has written since it last read, so a send on a connection
        # that sat idle rereads the pages it needs; reusing the warm one reads a third as much.
        options["pool_use_lifo"] = True
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
            # WAL: readers never block the writer. NORMAL sync: a commit is durable against a
            # crash or kill of the emulator (what its users restart after); only a power cut
            # could lose the last commits, and FULL would cost an fsync on every send.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


class ConnectionGate:
    """Where the store takes its connections, so that SQLite's writers take turns.

    SQLite allows one writer at a time. Left to SQLite, concurrent request threads would
    wait for the write lock in its busy handler, which sleeps in growing steps (up to
    100 ms), so a busy moment stretches some sends to a second; a fair in-process lock
    queues them instead. (Other processes, with ``--workers``, still meet the busy handler.)

    An in-memory database lives in one connection, which every thread shares: two threads
    driving it would interleave their statements in one transaction, so one request's
    rollback could undo another's acknowledged insert. There reads take the lock too, and the
    gate keeps one SQLAlchemy connection on it for every block rather than making one each
    time (which costs several times a small read). PostgreSQL needs neither: its own locking
    queues writers fairly. The lock is re-entrant.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.RLock()
        # The connection of the transaction this thread has open, if any (see connect()).
        self._local = threading.local()
        sqlite = engine.dialect.name == "sqlite"
        self._gate_writes = sqlite
        self._gate_reads = sqlite and engine.url.database in {None, "", ":memory:"}
        # A SQLite file's connection kept for small reads outside transactions (see read()).
        self._keep_reader = sqlite and not self._gate_reads
        self._reader_lock = threading.Lock()
        self._reader: Connection | None = None
        # The in-memory database's one connection, and how many blocks of the thread holding
        # the lock are using it (the outermost one ends what they left open).
        self._shared: Connection | None = None
        self._shared_depth = 0

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading (commit explicitly to write; prefer :meth:`begin`).

        Inside a :meth:`begin` block of the same thread it is that transaction's connection,
        so a read made there (the emulator's clock reads its offset) sees the transaction's
        writes and cannot end it: a second handle on SQLite's one in-memory connection would
        roll the transaction back when it was closed.
        """
        current = getattr(self._local, "transaction", None)
        if current is not None:
            yield current
            return
        if self._gate_reads:
            with self._lock, self._shared_block() as connection:
                yield connection
            return
        with self._engine.connect() as connection:
            yield connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed when the block ends without error.

        Inside another :meth:`begin` block of the same thread, it is part of that transaction.
        """
        current = getattr(self._local, "transaction", None)
        if current is not None:
            yield current
            return
        with self._gated(self._gate_writes):
            if self._gate_reads:
                transaction: AbstractContextManager[Connection] = self._shared_transaction()
            else:
                transaction = self._engine.begin()
            with transaction as connection:
                self._local.transaction = connection
                try:
                    yield connection
                finally:
                    self._local.transaction = None

    @contextmanager
    def _shared_block(self) -> Iterator[Connection]:
        # Called with the lock held. A pooled connection is rolled back as it goes back to
        # the pool; the kept one is rolled back the same way when its outermost block ends,
        # so a block that read (or wrote without committing) leaves nothing open.
        if self._shared is None:
            self._shared = self._engine.connect()
        connection = self._shared
        self._shared_depth += 1
        try:
            yield connection
        finally:
            self._shared_depth -= 1
            if self._shared_depth == 0 and connection.in_transaction():
                connection.rollback()

    @contextmanager
    def _shared_transaction(self) -> Iterator[Connection]:
        # Called with the lock held. Inside a connect() block of this thread, what that block
        # began is taken into this transaction, as on a pooled connection sharing the one
        # database connection, where this commit or rollback would end it too.
        with self._shared_block() as connection:
            transaction = connection.get_transaction() or connection.begin()
            try:
                yield connection
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
            # The block may have ended the transaction itself, as on an engine's begin().
            if transaction.is_active:
                transaction.commit()

    def read(self, statement: DirectStatement, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run one small read: the configuration generation (asked once a request or so), or
        whether any status step or callback is due (asked before every read of notifications
        and every tick of the callback worker).

        Inside a :meth:`begin` block of this thread it runs in that transaction, as
        :meth:`connect` would. Otherwise, on a SQLite file, it runs on a connection kept for
        these reads: a connection from the pool costs several times what the read takes. It
        only ever runs direct statements (``store/direct.py``), so it never opens a
        transaction and each read sees what has been committed by then.
        """
        if not self._keep_reader or getattr(self._local, "transaction", None) is not None:
            with self.connect() as connection:
                return statement.execute(connection, values)
        with self._reader_lock:
            if self._reader is None:
                self._reader = self._engine.connect()
            try:
                return statement.execute(self._reader, values)
            except BaseException:
                # Whatever went wrong, the next read starts on a fresh connection.
                self._close_reader()
                raise

    def close(self) -> None:
        """Close the kept connection and every pooled one."""
        with self._reader_lock:
            self._close_reader()
        with self._lock:
            if self._shared is not None:
                shared, self._shared = self._shared, None
                shared.close()
        self._engine.dispose()

    def _close_reader(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            reader.close()

    def _gated(self, gated: bool) -> AbstractContextManager[object]:
        return self._lock if gated else nullcontext()
