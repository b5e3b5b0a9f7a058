"""Part 3: listing notifications as the history grows, and the emulator's memory after many sends.

For each size, an emulator database is seeded, one real text is sent through the API, and the
notification is cloned in bulk (``bulk_db``) up to the size. The emulator is then started on that
file and asked, one request at a time, for the newest page and for a page half-way back in the
history (``older_than`` the notification at that depth).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import bulk_db, profiling, stack
from benchmarks.procs import Cores, cpu_seconds, rss_bytes
from benchmarks.results import Check, PartResult, Row, median

SIZES = (1_000, 100_000, 1_000_000)
PAGE_SIZE = 250
SCALE_RATIO_TARGET = 2.0
PROFILE_SECONDS = 5.0
MEMORY_SENDS = 100_000
MEMORY_CONCURRENCY = 10
MEMORY_TARGET_MB = 150.0
# Texts per load-generator run between two RSS readings.
MEMORY_CHUNK = 5_000
MB = 1024 * 1024


def _build(folder: Path, size: int, cores: Cores) -> tuple[Path, Path, float]:
    """A database holding ``size`` notifications of the benchmark service; build seconds."""
    started = time.perf_counter()
    database = folder / f"history-{size}.sqlite3"
    seed = stack.write_seed(folder)
    with stack.emulator(database, seed, cpu=cores.server, log=folder / f"build-{size}.log") as em:
        first = stack.load(em.base_url + stack.SMS_PATH, concurrency=1, count=1, cpu=cores.driver)
        if first["failures"]:
            raise RuntimeError(f"the emulator refused the first text: {first['statuses']}")
    bulk_db.clone_notifications(database, size - 1)
    return database, seed, time.perf_counter() - started


def run_listing(
    *, rounds: int, duration: float, warmup: float, profile: bool = False
) -> PartResult:
    """Time the newest page and a deep page for each history size.

    With ``profile``, a page whose target is missed is sampled with py-spy at the largest size.
    """
    part = PartResult(f"3. Scale (GET /v2/notifications, {PAGE_SIZE}-item pages, sequential)")
    cores = Cores.detect()
    p50s: dict[tuple[str, int], float] = {}
    cpu_ms: dict[tuple[str, int], float] = {}
    smallest, largest = SIZES[0], SIZES[-1]
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        for size in SIZES:
            try:
                database, seed, build_seconds = _build(Path(folder), size, cores)
                deep_id = bulk_db.notification_at_depth(database, size // 2)
                pages = {
                    "newest page": stack.LIST_PATH,
                    "older_than": f"{stack.LIST_PATH}?older_than={deep_id}",
                }
                log = Path(folder) / f"list-{size}.log"
                with stack.emulator(database, seed, cpu=cores.server, log=log) as emulator:
                    for page, path in pages.items():
                        url = emulator.base_url + path
                        items = len(stack.get_json(url)["notifications"])
                        results = [
                            _timed_pages(emulator, url, duration, warmup, cores)
                            for _ in range(rounds)
                        ]
                        p50s[page, size] = median([r["p50_ms"] for r in results])
                        cpu_ms[page, size] = median([r["cpu_ms"] for r in results])
                        part.rows.append(
                            Row(
                                subject=f"{size:,} stored",
                                scenario=page if page != "older_than" else f"{page} #{size // 2:,}",
                                rate=median([r["rate"] for r in results]),
                                p50_ms=p50s[page, size],
                                p99_ms=median([r["p99_ms"] for r in results]),
                                failures=sum(int(r["failures"]) for r in results),
                                note=(
                                    f"{items} items; server CPU {cpu_ms[page, size]:.1f} ms/page;"
                                    f" built in {build_seconds:.0f}s"
                                ),
                            )
                        )
                        if size != largest or (page, smallest) not in p50s:
                            continue
                        ratio = p50s[page, largest] / p50s[page, smallest]
                        check = Check(
                            f"{page}: p50 at {largest:,} / at {smallest:,}",
                            f"≤ {SCALE_RATIO_TARGET:g}×",
                            f"{ratio:.2f}×",
                            ratio <= SCALE_RATIO_TARGET,
                        )
                        part.checks.append(check)
                        part.notes.append(
                            f"{page}: server CPU per page at {largest:,} / at {smallest:,} = "
                            f"{cpu_ms[page, largest] / cpu_ms[page, smallest]:.2f}× "
                            "(less sensitive than latency to the machine's other load)."
                        )
                        if profile and check.passed is False:
                            _profile(part, emulator, url, f"{page} at {size:,}", cores)
                database.unlink()
            except RuntimeError as error:
                part.errors.append(f"{size:,} stored: {error}")
    part.notes.append(
        f"Each cell: median of {rounds} run(s) of {duration:g}s after {warmup:g}s warm-up; "
        "the deep page starts half-way back in the history."
    )
    return part


def _timed_pages(
    emulator: stack.Server, url: str, duration: float, warmup: float, cores: Cores
) -> dict[str, Any]:
    """Sequential GETs of one page for ``duration``, with the server's CPU per request."""
    cpu_before = cpu_seconds(emulator.pid)
    result = stack.load(
        url,
        method="GET",
        expect=200,
        concurrency=1,
        duration=duration,
        warmup=warmup,
        cpu=cores.driver,
    )
    cpu_used = cpu_seconds(emulator.pid) - cpu_before
    result["cpu_ms"] = 1000 * cpu_used / max(1, result["all_requests"])
    return result


def _profile(part: PartResult, emulator: stack.Server, url: str, label: str, cores: Cores) -> None:
    title = f"the emulator serving GET /v2/notifications, {label}"
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        raw = Path(folder) / "profile.txt"
        try:
            with profiling.attach(emulator.pid, PROFILE_SECONDS, raw):
                stack.load(
                    url,
                    method="GET",
                    expect=200,
                    concurrency=1,
                    duration=PROFILE_SECONDS,
                    warmup=0.0,
                    cpu=cores.driver,
                )
        except RuntimeError as error:
            part.errors.append(f"profile of {title}: {error}")
            return
        part.profiles.append(profiling.summarize(raw, title))


def run_memory(*, sends: int = MEMORY_SENDS, budget_seconds: float | None = None) -> PartResult:
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
        part.checks.append(
            Check(
                f"RSS after {sends:,} sends",
                f"< {MEMORY_TARGET_MB:g} MB",
                f"{rss:.0f} MB after {sent:,}; est. {estimate:.0f} MB at {sends:,}",
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
