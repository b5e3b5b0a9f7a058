"""The bulk-send journal: a durable record of which spreadsheet rows Notify has accepted.

The journal is an append-only file of JSON lines. Before a row is sent, a ``sending`` line
is written; once Notify answers, an ``accepted`` line (with the notification id) or a
``failed`` line (with Notify's error text) follows. Each line is flushed and fsynced before
the program moves on, so a run stopped at any moment — Ctrl-C, a crash, a lost machine —
leaves a journal that tells a rerun exactly what to do:

- ``accepted`` rows are never sent again;
- ``failed`` rows are sent again (Notify refused them, so nothing was sent);
- ``sending`` rows with no answer are *unknown*: the request may have reached Notify. They
  are not sent again unless the user says so, because sending twice is worse than asking.

A final line cut short by a crash is ignored: it was never acknowledged, so its row is
treated as if the line had not been written (for a ``sending`` line: not yet sent).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

JOURNAL_FORMAT_VERSION = 1
JOURNAL_SUFFIX = ".journal"


class JournalMismatchError(ValueError):
    """The journal was written for a different template or notification type."""


@dataclass
class JournalState:
    """What earlier runs recorded, row by row."""

    accepted: dict[int, str] = field(default_factory=dict)
    #: The content fingerprint each row had when it was sent (``BulkRow.digest``).
    digests: dict[int, str] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    unknown: set[int] = field(default_factory=set)


def default_journal_path(csv_path: Path) -> Path:
    """The journal next to the spreadsheet: ``people.csv`` → ``people.csv.journal``."""
    return csv_path.with_name(csv_path.name + JOURNAL_SUFFIX)


def _parse_lines(handle: IO[str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for line in handle:
        if not line.endswith("\n"):
            break  # cut short by a crash mid-write: never acknowledged
        text = line.strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"The journal has a damaged line: {text[:80]!r}") from error
        if isinstance(record, dict):
            records.append(record)
    return records


class BulkJournal:
    """An open journal for one bulk run; safe to call from several threads.

    Open it with :meth:`open`, which reads what earlier runs recorded and checks that they
    sent the same template as the same type of notification.
    """

    def __init__(self, path: Path, handle: IO[str], state: JournalState) -> None:
        self.path = path
        self.previous = state
        self._handle = handle
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path, *, template_id: str, notification_type: str) -> BulkJournal:
        """Open (creating if needed) the journal at ``path`` for this template and type."""
        header = {
            "kind": "header",
            "version": JOURNAL_FORMAT_VERSION,
            "template_id": template_id,
            "notification_type": notification_type,
        }
        state = JournalState()
        records: list[dict[str, Any]] = []
        if path.exists():
            with path.open(encoding="utf-8") as existing:
                records = _parse_lines(existing)
        if records:
            _check_header(path, records[0], header)
            for record in records[1:]:
                _apply(state, record)
        # Truncate a torn final line before appending, so new lines start cleanly.
        _drop_partial_tail(path)
        handle = path.open("a", encoding="utf-8")
        journal = cls(path, handle, state)
        if not records:
            journal._write(header)
        return journal

    def check_rows(self, rows: Iterable[tuple[int, str]]) -> None:
        """Refuse to resume if a row an earlier run sent (or may have sent) has changed.

        ``rows`` are (row number, content fingerprint) pairs. Rows are identified by their
        number, so a row inserted or deleted above them would otherwise make a rerun skip the
        wrong people.
        """
        previous = self.previous
        for number, digest in rows:
            # A failed row was not sent, so correcting it before a rerun is expected.
            if number not in previous.accepted and number not in previous.unknown:
                continue
            recorded = previous.digests.get(number)
            if recorded is not None and recorded != digest:
                raise JournalMismatchError(
                    f"Row {number} has changed since {self.path} recorded it: the spreadsheet "
                    "was edited after an earlier run. Resume with the spreadsheet as it was, "
                    "or start again with another --journal file"
                )

    def record_sending(self, row: int, digest: str) -> None:
        """Record, durably, that ``row`` (content fingerprint ``digest``) is about to be sent."""
        self._write({"kind": "sending", "row": row, "digest": digest})

    def record_accepted(self, row: int, notification_id: str) -> None:
        """Record, durably, that Notify accepted ``row`` as ``notification_id``."""
        self._write({"kind": "accepted", "row": row, "id": notification_id})

    def record_failed(self, row: int, error: str) -> None:
        """Record that Notify refused ``row`` (so a rerun sends it again)."""
        self._write({"kind": "failed", "row": row, "error": error})

    def close(self) -> None:
        """Close the file; the journal stays on disk for the next run."""
        with self._lock:
            self._handle.close()

    def __enter__(self) -> BulkJournal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
            # fsync: "accepted" must survive a power cut as well as a killed process.
            os.fsync(self._handle.fileno())


def _check_header(path: Path, found: dict[str, Any], expected: dict[str, Any]) -> None:
    if found.get("kind") != "header" or found.get("version") != JOURNAL_FORMAT_VERSION:
        raise JournalMismatchError(f"{path} is not a bulk-send journal this version can read")
    for key in ("template_id", "notification_type"):
        if found.get(key) != expected[key]:
            raise JournalMismatchError(
                f"{path} records a run with {key} {found.get(key)!r}, not {expected[key]!r}: "
                "use the same options to resume it, or another --journal file"
            )


def _apply(state: JournalState, record: dict[str, Any]) -> None:
    row = record.get("row")
    if not isinstance(row, int):
        return
    kind = record.get("kind")
    if kind == "sending":
        if isinstance(record.get("digest"), str):
            state.digests[row] = record["digest"]
        if row not in state.accepted:
            state.unknown.add(row)
            state.failed.pop(row, None)
    elif kind == "accepted":
        state.accepted[row] = str(record.get("id"))
        state.unknown.discard(row)
        state.failed.pop(row, None)
    elif kind == "failed":
        state.unknown.discard(row)
        if row not in state.accepted:
            state.failed[row] = str(record.get("error", ""))


def _drop_partial_tail(path: Path) -> None:
    if not path.exists():
        return
    with path.open("rb+") as raw:
        content = raw.read()
        if content and not content.endswith(b"\n"):
            raw.truncate(content.rfind(b"\n") + 1)
