"""What a benchmark part hands back: measured rows and target checks, rendered as Markdown."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    """One measured cell of a table (``None`` where a column does not apply)."""

    subject: str
    scenario: str
    rate: float | None = None  # operations per second
    p50_ms: float | None = None
    p99_ms: float | None = None
    failures: int | None = None
    note: str = ""


@dataclass
class Check:
    """A target from the brief and whether this run met it (``None``: could not be measured)."""

    name: str
    target: str
    measured: str
    passed: bool | None


@dataclass
class PartResult:
    """The outcome of one part: its table, its checks, and any errors that stopped a cell."""

    title: str
    rows: list[Row] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)  # Markdown, for missed targets


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values (a cell that never ran)."""
    return statistics.median(values) if values else float("nan")


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return ""
    if value != value:  # NaN: the cell did not run
        return "n/a"
    return f"{value:,.{digits}f}"


def verdict(passed: bool | None) -> str:
    """How a check reads in a table: met, MISSED, or not measured."""
    return {True: "met", False: "MISSED", None: "not measured"}[passed]


def render_part(part: PartResult) -> str:
    """The part as Markdown: a heading, its table, its checks, then notes and errors."""
    lines = [f"### {part.title}", ""]
    if part.rows:
        lines += [
            "| subject | scenario | per second | p50 ms | p99 ms | failed | note |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        ]
        lines += [
            f"| {row.subject} | {row.scenario} | {_number(row.rate)} | {_number(row.p50_ms, 2)} "
            f"| {_number(row.p99_ms, 2)} | {'' if row.failures is None else row.failures} "
            f"| {row.note} |"
            for row in part.rows
        ]
        lines.append("")
    if part.checks:
        lines += ["| target | wanted | measured | result |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {check.name} | {check.target} | {check.measured} | {verdict(check.passed)} |"
            for check in part.checks
        ]
        lines.append("")
    lines += [f"- {note}" for note in part.notes]
    lines += [f"- **error:** {error}" for error in part.errors]
    if part.notes or part.errors:
        lines.append("")
    lines += part.profiles
    return "\n".join(lines)
