"""Fit a table to the terminal, keeping the columns a reader came for.

rich shares out a narrow terminal's width by its own measure: at 80 columns it squeezes a list of
notifications' recipient and content to nothing while keeping every id whole, or cuts the table's
right-hand side off. So the widths are decided here instead. Key columns are always shown;
columns that never wrap (a type, a status, a time) get their widest value; the others wrap, but
not below their minimum; and the remaining columns join, most useful first, only while all of
that still fits. Whatever room is left goes to the wrapping columns, up to their widest value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

#: What the box, its separators and the cell padding add to the columns' own widths: an edge
#: either side, a separator between columns, and a space either side of every cell.
_EDGES = 2
_PER_COLUMN = 3


@dataclass(frozen=True)
class Column:
    """One column: its heading, how to get its text from an item, and how it may give way."""

    header: str
    cell: Callable[[Mapping[str, Any]], str]
    #: Wrap (folding long words such as ids and email addresses) but never narrower than this;
    #: ``None``: never wrap, always as wide as the widest value.
    minimum: int | None = None
    #: 0 for a key column, always shown; otherwise the lower, the sooner it is shown.
    rank: int = 0


def _table_width(widths: Sequence[int]) -> int:
    return sum(widths) + _PER_COLUMN * len(widths) - 1 + _EDGES


def _widen(widths: list[int], natural: Sequence[int], wrapping: Sequence[int], room: int) -> None:
    """Share ``room`` out among the wrapping columns, in proportion to what each lacks."""
    while room > 0:
        short = [i for i in wrapping if widths[i] < natural[i]]
        if not short:
            return
        lacking = sum(natural[i] - widths[i] for i in short)
        for i in short:
            share = max(1, room * (natural[i] - widths[i]) // lacking)
            extra = min(natural[i] - widths[i], share, room)
            widths[i] += extra
            room -= extra


def fit_table(
    title: str, columns: Sequence[Column], items: Sequence[Mapping[str, Any]], width: int
) -> Table:
    """A table of ``items`` no wider than ``width``, as far as its key columns allow."""
    cells = [[column.cell(item) for column in columns] for item in items]
    natural = [
        max([cell_len(column.header), *(cell_len(row[i]) for row in cells)])
        for i, column in enumerate(columns)
    ]
    narrowest = [
        natural[i] if column.minimum is None else min(natural[i], column.minimum)
        for i, column in enumerate(columns)
    ]

    shown = [i for i, column in enumerate(columns) if column.rank == 0]
    for i in sorted((i for i, c in enumerate(columns) if c.rank), key=lambda i: columns[i].rank):
        candidate = sorted([*shown, i])
        if _table_width([narrowest[j] for j in candidate]) <= width:
            shown = candidate

    widths = [narrowest[i] for i in shown]
    wrapping = [n for n, i in enumerate(shown) if columns[i].minimum is not None]
    _widen(widths, [natural[i] for i in shown], wrapping, width - _table_width(widths))

    table = Table(title=title, title_justify="left")
    for i, column_width in zip(shown, widths, strict=True):
        wraps = columns[i].minimum is not None
        table.add_column(
            columns[i].header,
            width=column_width,
            no_wrap=not wraps,
            overflow="fold" if wraps else "ellipsis",
        )
    for row in cells:
        # Text, not markup: what Notify returns (a message, a reference) may hold brackets.
        table.add_row(*(Text(row[i]) for i in shown))
    return table
