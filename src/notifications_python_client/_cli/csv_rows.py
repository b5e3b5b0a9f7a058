"""Read a bulk-sending CSV the way Notify reads a spreadsheet upload.

Notify matches column headings to what it needs ignoring case, spaces, underscores and
hyphens (notifications-utils ``InsensitiveDict.make_key``; ``spec/rules.md`` §1.2), so
``Phone Number``, ``phone_number`` and ``PHONENUMBER`` all name the recipient column.
Every column becomes personalisation, keyed by its heading as written (the recipient too,
as in an upload, so a template may say ``((email address))``); the API matches placeholders
with the same insensitivity and ignores the keys a template does not use.

Letter address columns are the exception: the API reads ``address_line_1`` …
``address_line_7`` and ``postcode`` with exact, case-sensitive keys (``spec/rules.md`` §4),
so those columns are renamed to the exact keys before sending.

A spreadsheet of a million rows is read one row at a time (:class:`Spreadsheet`), never
loaded: each row knows the byte offset where it starts, so that a resumed run can start
reading where the earlier one stopped instead of at the top.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

NotificationType = Literal["sms", "email", "letter"]

# The recipient column of each spreadsheet type (notifications-utils ``recipients.py``).
RECIPIENT_COLUMNS: dict[str, str] = {"sms": "phone number", "email": "email address"}
# Letters take their address from these columns; the API keys are exact (rules.md §4).
ADDRESS_KEYS: tuple[str, ...] = (
    *(f"address_line_{number}" for number in range(1, 8)),
    "postcode",
)
# Notify needs at least the first two lines and one more (rules.md §4): a spreadsheet
# without the first two address columns cannot be a letter spreadsheet.
REQUIRED_ADDRESS_KEYS: tuple[str, ...] = ("address_line_1", "address_line_2")


def normalise_heading(heading: str) -> str:
    """Notify's insensitive key: drop spaces, underscores and hyphens, then lowercase."""
    return heading.translate(str.maketrans("", "", " _-")).lower()


class CsvFormatError(ValueError):
    """The CSV cannot be used for this kind of notification (missing or duplicate columns)."""


@dataclass(frozen=True)
class BulkRow:
    """One data row of the spreadsheet, ready to send.

    ``number`` is the spreadsheet row number as Notify shows it: the heading row is row 1,
    so the first data row is row 2.
    """

    number: int
    recipient: str | None
    personalisation: dict[str, str]

    def digest(self) -> str:
        """A short fingerprint of the row's content, to notice a spreadsheet edited between runs.

        The journal stores this rather than the row itself, so it does not copy the
        spreadsheet's contents.
        """
        content = json.dumps([self.recipient, self.personalisation], sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    def describe_recipient(self) -> str:
        """A short label for the row's recipient (the first address line for letters)."""
        if self.recipient is not None:
            return self.recipient
        return self.personalisation.get("address_line_1", "")


@dataclass(frozen=True)
class _ColumnPlan:
    recipient_index: int | None
    # (column index, personalisation key) for every column with a heading.
    personalisation: tuple[tuple[int, str], ...]


def _plan_columns(headings: list[str], notification_type: NotificationType) -> _ColumnPlan:
    seen: dict[str, str] = {}
    for heading in headings:
        key = normalise_heading(heading)
        if not key:
            continue
        if key in seen:
            raise CsvFormatError(
                f"Columns {seen[key]!r} and {heading!r} are the same column to Notify "
                "(case, spaces, underscores and hyphens are ignored); remove one of them"
            )
        seen[key] = heading

    recipient_index: int | None = None
    address_keys = {normalise_heading(key): key for key in ADDRESS_KEYS}
    personalisation: list[tuple[int, str]] = []
    if notification_type == "letter":
        present = {
            address_keys[k] for k in (normalise_heading(h) for h in headings) if k in address_keys
        }
        missing = [key.replace("_", " ") for key in REQUIRED_ADDRESS_KEYS if key not in present]
        if missing:
            raise CsvFormatError(
                "A letter spreadsheet needs the address columns "
                + " and ".join(repr(name) for name in missing)
            )
    else:
        wanted = RECIPIENT_COLUMNS[notification_type]
        for index, heading in enumerate(headings):
            if normalise_heading(heading) == normalise_heading(wanted):
                recipient_index = index
        if recipient_index is None:
            article = "an" if wanted[0] in "aeiou" else "a"
            raise CsvFormatError(f"The spreadsheet needs {article} {wanted!r} column")

    for index, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            continue
        if notification_type == "letter" and key in address_keys:
            personalisation.append((index, address_keys[key]))
        else:
            personalisation.append((index, heading))
    return _ColumnPlan(recipient_index, tuple(personalisation))


def _quoted_list(names: list[str]) -> str:
    # notifications-utils ``formatted_list``: curly quotes, commas, and "and" before the last.
    quoted = [f"‘{name}’" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def check_placeholder_columns(headings: Iterable[str], placeholders: Iterable[str]) -> None:
    """Refuse a spreadsheet without a column for each of the template's placeholders.

    A column fills a placeholder when their names match as Notify matches them (rules.md
    §1.2). The words are those of Notify's own check of an uploaded spreadsheet
    (notifications-admin ``views/check/column-errors.html``, missing placeholder columns).
    """
    present = {normalise_heading(heading) for heading in headings}
    missing = [name for name in placeholders if normalise_heading(name) not in present]
    if not missing:
        return
    what = "a column called" if len(missing) == 1 else "columns called"
    raise CsvFormatError(
        "Your file is missing some columns. The column names need to match the double "
        f"brackets in your template. Your file is missing {what} {_quoted_list(missing)}."
    )


def read_headings(path: Path) -> list[str]:
    """The spreadsheet's heading row (empty if the file is)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])


def read_bulk_rows(path: Path, notification_type: NotificationType) -> list[BulkRow]:
    """Read every data row of ``path``; raise :class:`CsvFormatError` if it cannot be used.

    Rows whose cells are all blank are left out, as Notify does; they keep their place in
    the numbering so that row numbers match what a spreadsheet program shows.
    """
    return list(iter_bulk_rows(path, notification_type))


def iter_bulk_rows(path: Path, notification_type: NotificationType) -> Iterator[BulkRow]:
    """Like :func:`read_bulk_rows`, one row at a time."""
    spreadsheet = Spreadsheet(path, notification_type)
    for record in spreadsheet.records():
        if not record.blank:
            yield spreadsheet.row(record)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _build_row(
    number: int, cells: list[str], plan: _ColumnPlan, notification_type: NotificationType
) -> BulkRow:
    recipient = None if plan.recipient_index is None else _cell(cells, plan.recipient_index)
    personalisation: dict[str, str] = {}
    for index, key in plan.personalisation:
        value = _cell(cells, index)
        # A blank optional address line is simply absent (as in a Notify upload); sending it
        # as "" would still count as a line, and an empty address_line_7 even switches the
        # API from using the postcode column (rules.md §4).
        if notification_type == "letter" and key in ADDRESS_KEYS and not value.strip():
            continue
        personalisation[key] = value
    return BulkRow(number=number, recipient=recipient, personalisation=personalisation)


# --- Reading a large spreadsheet one row at a time ---

#: How much of the file is read at once when it is checked, counted or hashed.
_CHUNK_BYTES = 1 << 20


class RowPosition(NamedTuple):
    """Where a row starts: its spreadsheet row number and its byte offset in the file."""

    number: int
    offset: int


class Record(NamedTuple):
    """One CSV record as read: its row number, its cells, and the bytes it spans."""

    number: int
    cells: list[str]
    start: int
    end: int

    @property
    def blank(self) -> bool:
        """Whether every cell is blank (Notify leaves such rows out)."""
        # The same as "no cell has anything but white space in it", at C speed.
        return not "".join(self.cells).strip()

    @property
    def following(self) -> RowPosition:
        """Where the next record starts."""
        return RowPosition(self.number + 1, self.end)


class _Offset:
    """The byte offset reached by a line reader; updated as csv pulls each line."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


def _counted_lines(text: io.TextIOWrapper, offset: _Offset) -> Iterator[str]:
    # The file is decoded with ``newline=""``, so each line comes back exactly as it is in the
    # file and its UTF-8 length is its length in bytes. csv pulls one line at a time and never
    # reads past the end of the record it returns, so after each record ``offset`` is where
    # the next one starts.
    for line in text:
        offset.value += len(line) if line.isascii() else len(line.encode("utf-8"))
        yield line


class Spreadsheet:
    """A bulk-sending CSV, read row by row from any row's byte offset.

    Opening it reads only the heading row and checks the columns (:class:`CsvFormatError`
    if they cannot be used for ``notification_type``).
    """

    def __init__(self, path: Path, notification_type: NotificationType) -> None:
        self.path = path
        self.notification_type: NotificationType = notification_type
        with path.open("rb") as raw:
            # Spreadsheet programs often start a CSV export with a byte-order mark.
            self._bom_length = len(codecs.BOM_UTF8) if raw.read(3) == codecs.BOM_UTF8 else 0
        try:
            heading = next(self._read(RowPosition(1, 0)), None)
        except UnicodeDecodeError:
            raise _not_utf_8(path) from None
        if heading is None:
            raise CsvFormatError("the file is empty: it needs a heading row")
        self.headings: list[str] = heading.cells
        self._plan = _plan_columns(heading.cells, notification_type)
        #: Where the first data row (row 2) starts.
        self.first_row: RowPosition = heading.following

    def count_rows(self) -> int:
        """About how many data rows there are, reading the whole file once, fast.

        It counts line breaks, so a cell holding one makes it an overestimate. Reading the
        whole file also checks that it is UTF-8 before anything is sent
        (:class:`CsvFormatError` naming the line if not).
        """
        decoder = codecs.getincrementaldecoder("utf-8")()
        line_feeds = returns = 0
        last = b""
        try:
            with self.path.open("rb") as raw:
                while chunk := raw.read(_CHUNK_BYTES):
                    decoder.decode(chunk)
                    line_feeds += chunk.count(b"\n")
                    returns += chunk.count(b"\r")
                    last = chunk[-1:]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise _not_utf_8(self.path) from None
        # A file saved with old Mac line endings has only carriage returns.
        lines = line_feeds or returns
        if last and last not in b"\r\n":
            lines += 1  # the last row has no line break after it
        return max(0, lines - 1)

    def records(self, start: RowPosition | None = None) -> Iterator[Record]:
        """Every record from ``start`` (the first data row by default) to the end of the file.

        Blank records are included (they keep their row numbers). A record the csv module
        cannot read raises :class:`CsvFormatError` naming its row.
        """
        return self._read(start or self.first_row)

    def row(self, record: Record) -> BulkRow:
        """The row ``record`` holds, ready to send."""
        return _build_row(record.number, record.cells, self._plan, self.notification_type)

    def row_at(self, position: RowPosition) -> BulkRow | None:
        """The row that starts at ``position`` (``None`` past the end of the file)."""
        record = next(self._read(position), None)
        return None if record is None else self.row(record)

    def prefix_hash(self) -> PrefixHash:
        """A SHA-256 of the file's first bytes that can be extended as the prefix grows."""
        return PrefixHash(self.path)

    def _read(self, start: RowPosition) -> Iterator[Record]:
        offset = max(start.offset, self._bom_length)
        with self.path.open("rb") as raw:
            raw.seek(offset)
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
                reached = _Offset(offset)
                number, begin = start.number, offset
                try:
                    for cells in csv.reader(_counted_lines(text, reached)):
                        end = reached.value
                        yield Record(number, cells, begin, end)
                        number, begin = number + 1, end
                except csv.Error as error:
                    raise CsvFormatError(f"Row {number} cannot be read: {error}") from None


def _not_utf_8(path: Path) -> CsvFormatError:
    """The error for a file that is not UTF-8, naming the line of its first bad byte.

    Spreadsheet programs save "CSV" in the computer's own encoding (Windows-1252, say) and
    "CSV UTF-8" as Notify needs it; a name with an accent is then the first thing to break.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line_feeds = returns = 0
    with path.open("rb") as raw:
        while True:
            chunk = raw.read(_CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                # ``error.object`` is the few bytes the decoder held back from the last chunk
                # (never a line break), then this chunk.
                held_back = len(error.object) - len(chunk)
                before = chunk[: max(0, error.start - held_back)]
                line = (line_feeds + before.count(b"\n") or returns + before.count(b"\r")) + 1
                return CsvFormatError(
                    f"it is not UTF-8 text: line {line:,} holds the byte "
                    f"0x{error.object[error.start]:02x}. In your spreadsheet program, save it "
                    "as 'CSV UTF-8'"
                )
            if not chunk:
                return CsvFormatError("it is not UTF-8 text: save it as 'CSV UTF-8'")
            line_feeds += chunk.count(b"\n")
            returns += chunk.count(b"\r")


class PrefixHash:
    """The SHA-256 of the first bytes of a file, extended (not recomputed) as they grow."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._hash = hashlib.sha256()
        self.length = 0

    def through(self, offset: int) -> str | None:
        """The hex SHA-256 of the file's first ``offset`` bytes; ``None`` if it is shorter."""
        if offset < self.length:
            self._hash, self.length = hashlib.sha256(), 0
        with self._path.open("rb") as raw:
            raw.seek(self.length)
            while self.length < offset:
                chunk = raw.read(min(_CHUNK_BYTES, offset - self.length))
                if not chunk:
                    return None
                self._hash.update(chunk)
                self.length += len(chunk)
            return self._hash.hexdigest()

    def byte_at(self, offset: int) -> bytes:
        """The byte at ``offset`` (empty past the end)."""
        with self._path.open("rb") as raw:
            raw.seek(offset)
            return raw.read(1)
