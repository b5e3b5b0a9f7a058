"""The bulk-send journal: a durable record, row by row, of what was sent and what Notify answered.

The journal is a SQLite file (``people.csv.journal`` by default) with one record per
spreadsheet row that a run has sent, keyed by the row number:

- ``sending`` is written before the request goes out, with the row's content fingerprint and
  the byte offset where the row starts in the spreadsheet;
- ``accepted`` (with the notification id) or ``failed`` (with Notify's error text) replaces it
  when Notify answers;
- ``unknown`` replaces it when the answer was lost (a timeout, a dropped connection, a 5xx,
  or the run stopped while the request was in flight). A run that ends without recording an
  answer at all (it was killed) leaves ``sending``, which the next run reads as ``unknown``.

Each change is committed before the program moves on, and ``sending`` is also synced to disk
before the request goes out, so a run stopped at any moment — Ctrl-C, a crash, a lost machine —
leaves a journal that tells a rerun exactly what to do:

- ``accepted`` rows are never sent again;
- ``failed`` rows are sent again (Notify refused them, so nothing was sent);
- ``unknown`` rows may have reached Notify: they are not sent again unless the user says so,
  because sending twice is worse than asking.

An answer is committed without waiting for the disk (SQLite's ``synchronous = NORMAL``): it
survives the program being killed, and reaches the disk with the next row's ``sending``, a
moment later. Only a power cut in that moment can lose it, and then the row is still
``sending``, so unknown: never sent again by itself. Waiting for the disk twice per row would
halve how fast a run can go for no gain in safety.

The journal also holds a *checkpoint*: a row number N, the byte offset where row N ends in
the spreadsheet, and the SHA-256 of the spreadsheet's bytes up to there. Every row up to N is
in the journal or is blank. A rerun whose spreadsheet still starts with those bytes knows that
none of its first N rows has changed without reading them, and starts reading at the first
row that still needs sending (see ``resume.py``).

Rows are read from SQLite in batches, never all at once, so memory does not grow with the
spreadsheet. The file stays locked while a run has it open: a second run on the same journal
is refused rather than allowed to send the same rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

JOURNAL_SUFFIX = ".journal"
#: ``PRAGMA application_id`` of a journal ("NtfJ"), so that no other SQLite file is mistaken
#: for one (and written to).
APPLICATION_ID = 0x4E74664A
#: ``PRAGMA user_version``: the layout of the tables below.
JOURNAL_FORMAT_VERSION = 2

SENDING = "sending"
ACCEPTED = "accepted"
FAILED = "failed"
UNKNOWN = "unknown"
#: The states of a row whose outcome is unknown once a run has ended. A run that cannot write
#: the journal any more (a full disk) stops and leaves the rows it had sent ``sending``; the
#: next run reads them as ``unknown``, and the summary of this one says so already.
OUTCOME_UNKNOWN = (UNKNOWN, SENDING)

#: What an earlier run that stopped without an answer leaves, once the next run reads it.
NO_ANSWER_RECORDED = "no answer was recorded: the run stopped while the request was in flight"

#: How long opening a journal waits for another run to let go of it.
_LOCK_WAIT_SECONDS = 1.0
#: Rows fetched per query when reading the journal in order.
_BATCH_ROWS = 2000

_SCHEMA = (
    """
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        template_id TEXT NOT NULL,
        notification_type TEXT NOT NULL,
        runs INTEGER NOT NULL DEFAULT 0,
        checkpoint_row INTEGER,
        checkpoint_offset INTEGER,
        checkpoint_sha256 TEXT
    )
    """,
    # ``row INTEGER PRIMARY KEY`` is SQLite's rowid: the table is stored in row order, so
    # reading it in order, or from a given row, is a walk along one B-tree.
    """
    CREATE TABLE rows (
        row INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('sending', 'accepted', 'failed', 'unknown')),
        digest TEXT NOT NULL,
        offset INTEGER NOT NULL,
        run INTEGER NOT NULL,
        notification_id TEXT,
        error TEXT
    )
    """,
)

_COLUMNS = "row, state, digest, offset, run, notification_id, error"


class JournalMismatchError(ValueError):
    """The journal cannot be used for this run (another template or type, or not a journal)."""


class JournalInUseError(JournalMismatchError):
    """Another run has the journal open."""


class RecordedRow(NamedTuple):
    """What the journal holds about one spreadsheet row."""

    number: int
    state: str
    #: The content fingerprint the row had when it was sent (``BulkRow.digest``).
    digest: str
    #: The byte offset where the row started in the spreadsheet when it was sent.
    offset: int
    #: Which run (1 for the first) last wrote the record.
    run: int
    notification_id: str | None
    error: str | None


class Checkpoint(NamedTuple):
    """Every row up to ``row`` is journalled or blank; ``row`` ends at byte ``offset``."""

    row: int
    offset: int
    #: SHA-256 (hex) of the spreadsheet's first ``offset`` bytes.
    sha256: str


class RowLookup:
    """Looks rows up in rising row order, reading the journal a batch at a time."""

    def __init__(self, rows: Iterator[RecordedRow]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def get(self, number: int) -> RecordedRow | None:
        """The record of row ``number``; each call must ask for a higher number than the last."""
        while self._next is not None and self._next.number < number:
            self._next = next(self._rows, None)
        if self._next is not None and self._next.number == number:
            return self._next
        return None


def default_journal_path(csv_path: Path) -> Path:
    """The journal next to the spreadsheet: ``people.csv`` → ``people.csv.journal``."""
    return csv_path.with_name(csv_path.name + JOURNAL_SUFFIX)


class BulkJournal:
    """An open journal for one bulk run; safe to call from several threads.

    Open it with :meth:`open`, which checks that earlier runs sent the same template as the
    same type of notification, and turns rows they left ``sending`` into ``unknown``.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection, run: int) -> None:
        self.path = path
        #: This run's number: 1 for the journal's first run.
        self.run = run
        self._connection = connection
        self._lock = threading.Lock()
        self._synced = True  # whether commits currently wait for the disk (FULL)
        self._closed = False

    @classmethod
    def open(cls, path: Path, *, template_id: str, notification_type: str) -> BulkJournal:
        """Open (creating if needed) the journal at ``path`` for this template and type.

        :raises JournalMismatchError: the file is not a journal, or records another template
            or type
        :raises JournalInUseError: another run has it open
        """
        existed = path.exists() and path.stat().st_size > 0
        if existed:
            _check_is_sqlite(path)
        # Autocommit: every statement is its own transaction, committed before it returns.
        try:
            connection = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=_LOCK_WAIT_SECONDS
            )
        except sqlite3.Error as error:  # a folder that does not exist or cannot be written
            raise JournalMismatchError(f"{path} cannot be opened as a journal: {error}") from None
        try:
            journal = cls._start_run(connection, path, existed, template_id, notification_type)
        except BaseException:
            connection.close()
            raise
        return journal

    @classmethod
    def _start_run(
        cls,
        connection: sqlite3.Connection,
        path: Path,
        existed: bool,
        template_id: str,
        notification_type: str,
    ) -> BulkJournal:
        try:
            # One run at a time: the lock is taken at the first read and held until the
            # journal is closed. (Exclusive locking also lets WAL work without a shared-memory
            # file, so a journal on a network drive works too.)
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
            if existed:
                # Before anything is written: another program's SQLite file is left as it was.
                _check_format(connection, path)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise JournalInUseError(
                    f"{path} is in use by another bulk run: wait for it to finish"
                ) from None
            raise JournalMismatchError(f"{path} cannot be opened as a journal: {error}") from None
        except sqlite3.DatabaseError:
            raise JournalMismatchError(
                f"{path} is not a bulk-send journal this version can read"
            ) from None
        try:
            if existed:
                _check_header(connection, path, template_id, notification_type)
            else:
                _create(connection, template_id, notification_type)
            connection.execute("UPDATE journal SET runs = runs + 1")
            connection.execute(
                "UPDATE rows SET state = ?, error = ? WHERE state = ?",
                (UNKNOWN, NO_ANSWER_RECORDED, SENDING),
            )
            (run,) = connection.execute("SELECT runs FROM journal").fetchone()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return cls(path, connection, int(run))

    # --- what earlier runs recorded ---

    @property
    def checkpoint(self) -> Checkpoint | None:
        """The latest checkpoint, if a run has made one."""
        found = self._one(
            "SELECT checkpoint_row, checkpoint_offset, checkpoint_sha256 FROM journal"
        )
        if found is None or found[0] is None:
            return None
        return Checkpoint(int(found[0]), int(found[1]), str(found[2]))

    def recorded(self, start_row: int = 0) -> Iterator[RecordedRow]:
        """Every row journalled from ``start_row`` on, in row order, read a batch at a time.

        Each batch is a query of its own, so rows recorded meanwhile with higher numbers may
        appear; rows recorded below the batch being read do not.
        """
        return self._batches("row >= ?", (start_row,))

    def rows_in(
        self, state: str | tuple[str, ...], *, run: int | None = None
    ) -> Iterator[RecordedRow]:
        """The rows left in ``state`` (or any of several; by run ``run`` only, if given), in
        row order."""
        states = (state,) if isinstance(state, str) else state
        condition = f"row >= ? AND state IN ({', '.join('?' for _ in states)})"
        if run is None:
            return self._batches(condition, (0, *states))
        return self._batches(f"{condition} AND run = ?", (0, *states, run))

    def first_in(self, states: Iterable[str], *, through_row: int) -> RecordedRow | None:
        """The lowest-numbered row up to ``through_row`` whose state is one of ``states``."""
        wanted = tuple(states)
        if not wanted:
            return None
        marks = ", ".join("?" for _ in wanted)
        found = self._one(
            f"SELECT {_COLUMNS} FROM rows WHERE row <= ? AND state IN ({marks}) "
            "ORDER BY row LIMIT 1",
            (through_row, *wanted),
        )
        return None if found is None else RecordedRow(*found)

    def last_row(self) -> int | None:
        """The highest row number journalled."""
        found = self._one("SELECT MAX(row) FROM rows")
        return None if found is None or found[0] is None else int(found[0])

    def count(
        self,
        state: str | tuple[str, ...],
        *,
        before_row: int | None = None,
        run: int | None = None,
    ) -> int:
        """How many rows are in ``state`` (or any of several; optionally: below
        ``before_row``, or from ``run``)."""
        states = (state,) if isinstance(state, str) else state
        query = f"SELECT COUNT(*) FROM rows WHERE state IN ({', '.join('?' for _ in states)})"
        parameters: list[object] = [*states]
        if before_row is not None:
            query += " AND row < ?"
            parameters.append(before_row)
        if run is not None:
            query += " AND run = ?"
            parameters.append(run)
        found = self._one(query, tuple(parameters))
        return 0 if found is None else int(found[0])

    # --- recording this run ---

    def record_sending(self, row: int, digest: str, offset: int) -> None:
        """Record, on disk, that ``row`` (fingerprint ``digest``, at ``offset``) is being sent."""
        self._write(
            "INSERT OR REPLACE INTO rows (row, state, digest, offset, run, notification_id, error)"
            " VALUES (?, ?, ?, ?, ?, NULL, NULL)",
            (row, SENDING, digest, offset, self.run),
            synced=True,
        )

    def record_accepted(self, row: int, notification_id: str) -> None:
        """Record that Notify accepted ``row`` as ``notification_id``."""
        self._answer(row, ACCEPTED, notification_id=notification_id, error=None)

    def record_failed(self, row: int, error: str) -> None:
        """Record that Notify refused ``row`` (so a rerun sends it again)."""
        self._answer(row, FAILED, notification_id=None, error=error)

    def record_unknown(self, row: int, error: str) -> None:
        """Record that ``row`` may or may not have been sent: its answer was lost."""
        self._answer(row, UNKNOWN, notification_id=None, error=error)

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Replace the checkpoint (see the module's description for what it promises)."""
        self._write(
            "UPDATE journal SET checkpoint_row = ?, checkpoint_offset = ?, checkpoint_sha256 = ?",
            tuple(checkpoint),
        )

    # --- lifetime ---

    def close(self) -> None:
        """Close the file (releasing the lock); the journal stays on disk for the next run."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            # Closing checkpoints the write-ahead log into the file, synced: the last answers
            # reach the disk before the program ends.
            self._set_synced(True)
            self._connection.close()

    def __enter__(self) -> BulkJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- SQL ---

    def _answer(
        self, row: int, state: str, *, notification_id: str | None, error: str | None
    ) -> None:
        self._write(
            "UPDATE rows SET state = ?, notification_id = ?, error = ? WHERE row = ?",
            (state, notification_id, error, row),
        )

    def _write(
        self, statement: str, parameters: tuple[object, ...], *, synced: bool = False
    ) -> None:
        with self._lock:
            self._set_synced(synced)
            self._connection.execute(statement, parameters)

    def _set_synced(self, synced: bool) -> None:
        # In WAL mode a FULL commit syncs the whole log, so the NORMAL commits before it
        # reach the disk with it.
        if synced != self._synced:
            level = "FULL" if synced else "NORMAL"
            self._connection.execute(f"PRAGMA synchronous = {level}")
            self._synced = synced

    def _one(self, query: str, parameters: tuple[object, ...] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            found: tuple[Any, ...] | None = self._connection.execute(query, parameters).fetchone()
            return found

    def _batches(self, condition: str, parameters: tuple[object, ...]) -> Iterator[RecordedRow]:
        # ``parameters`` starts with the lowest row wanted; each batch starts after the last.
        start, rest = parameters[0], parameters[1:]
        query = f"SELECT {_COLUMNS} FROM rows WHERE {condition} ORDER BY row LIMIT {_BATCH_ROWS}"
        while True:
            with self._lock:
                batch = self._connection.execute(query, (start, *rest)).fetchall()
            for found in batch:
                yield RecordedRow(*found)
            if len(batch) < _BATCH_ROWS:
                return
            start = batch[-1][0] + 1


def _check_is_sqlite(path: Path) -> None:
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise JournalMismatchError(f"{path} is not a bulk-send journal this version can read")


def _create(connection: sqlite3.Connection, template_id: str, notification_type: str) -> None:
    for statement in _SCHEMA:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO journal (id, template_id, notification_type) VALUES (1, ?, ?)",
        (template_id, notification_type),
    )
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {JOURNAL_FORMAT_VERSION}")


def _check_format(connection: sqlite3.Connection, path: Path) -> None:
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    if application_id != APPLICATION_ID or version != JOURNAL_FORMAT_VERSION:
        raise JournalMismatchError(f"{path} is not a bulk-send journal this version can read")


def _check_header(
    connection: sqlite3.Connection, path: Path, template_id: str, notification_type: str
) -> None:
    found = connection.execute("SELECT template_id, notification_type FROM journal").fetchone()
    expected = {"template_id": template_id, "notification_type": notification_type}
    for key, value in zip(expected, found or (None, None), strict=True):
        if value != expected[key]:
            raise JournalMismatchError(
                f"{path} records a run with {key} {value!r}, not {expected[key]!r}: "
                "use the same options to resume it, or another --journal file"
            )
