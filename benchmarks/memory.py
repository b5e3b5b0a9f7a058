"""Part 3b: the emulator's memory (RSS of its server process) as it takes many texts."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import stack
from benchmarks.procs import Cores, rss_bytes
from benchmarks.results import Check, PartResult, Row, median

MEMORY_SENDS = 100_000
MEMORY_CONCURRENCY = 10
MEMORY_TARGET_MB = 150.0
# Texts per load-generator run between two RSS readings.
MEMORY_CHUNK = 5_000
MB = 1024 * 1024


def run(*, sends: int = MEMORY_SENDS, budget_seconds: float | None = None) -> PartResult:
    """The RSS of a fresh emulator process as it takes ``sends`` texts, within a time budget.

    Texts go in chunks, the RSS read after each. If the budget runs out first, the RSS at
    ``sends`` is estimated by a straight line through the later half of the readings, and the
    check says it was not measured.
    """
    part = PartResult(f"3b. Emulator memory (RSS after {sends:,} sends)")
    cores = Cores.detect()
    chunk = max(1, min(MEMORY_CHUNK, sends))
    readings: list[tuple[int, float]] = []  # (texts sent so far, RSS in MB)
    rates: list[float] = []
    failed = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        seed = stack.write_seed(Path(folder))
        log = Path(folder) / "memory.log"
        try:
            with stack.emulator(
                Path(folder) / "memory.sqlite3", seed, cpu=cores.server, log=log
            ) as emulator:
                readings.append((0, rss_bytes(emulator.pid) / MB))
                sent = 0
                while sent < sends:
                    elapsed = time.perf_counter() - started
                    if (
                        budget_seconds is not None
                        and rates
                        and elapsed + (chunk / median(rates)) > budget_seconds
                    ):
                        break  # the next chunk would overrun the budget
                    result = stack.load(
                        emulator.base_url + stack.SMS_PATH,
                        concurrency=MEMORY_CONCURRENCY,
                        count=min(chunk, sends - sent),
                        cpu=cores.driver,
                    )
                    sent += int(result["requests"])
                    failed += int(result["failures"])
                    rates.append(float(result["rate"]))
                    readings.append((sent, rss_bytes(emulator.pid) / MB))
        except RuntimeError as error:
            part.errors.append(str(error))
            return part
    sent, rss = readings[-1]
    part.rows.append(
        Row(
            subject="emulator",
            scenario=f"{sent:,} sends at concurrency {MEMORY_CONCURRENCY}",
            rate=median(rates),
            failures=failed,
            note=f"RSS {readings[0][1]:.0f} MB at start → {rss:.0f} MB after",
        )
    )
    part.notes.append(
        "RSS readings (sends: MB): "
        + ", ".join(f"{count:,}: {megabytes:.0f}" for count, megabytes in readings)
    )
    if sent >= sends:
        part.checks.append(
            Check(
                f"RSS after {sends:,} sends",
                f"< {MEMORY_TARGET_MB:g} MB",
                f"{rss:.0f} MB",
                rss < MEMORY_TARGET_MB,
            )
        )
    else:
        estimate = _extrapolate(readings, sends)
        guess = (
            "too few readings to estimate"
            if estimate != estimate  # NaN
            else f"est. {estimate:.0f} MB at {sends:,}"
        )
        part.checks.append(
            Check(
                f"RSS after {sends:,} sends",
                f"< {MEMORY_TARGET_MB:g} MB",
                f"{rss:.0f} MB after {sent:,}; {guess}",
                None,
            )
        )
        part.notes.append(
            f"The time budget ({budget_seconds:.0f}s) ended after {sent:,} sends; the estimate "
            "is a straight line through the later half of the readings."
        )
    return part


def _extrapolate(readings: list[tuple[int, float]], target: int) -> float:
    """A least-squares line through the later half of the readings, evaluated at ``target``."""
    later = readings[len(readings) // 2 :]
    if len(later) < 2:
        return float("nan")
    xs, ys = [float(x) for x, _ in later], [y for _, y in later]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
        if spread
        else 0.0
    )
    return mean_y + slope * (target - mean_x)
