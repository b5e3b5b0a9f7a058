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

from benchmarks import bulk_db, stack
from benchmarks.procs import Cores, rss_bytes
from benchmarks.results import Check, PartResult, Row, median

SIZES = (1_000, 100_000, 1_000_000)
PAGE_SIZE = 250
SCALE_RATIO_TARGET = 2.0
MEMORY_SENDS = 100_000
MEMORY_CONCURRENCY = 10
MEMORY_TARGET_MB = 150.0


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


def run_listing(*, rounds: int, duration: float, warmup: float) -> PartResult:
    """Time the newest page and a deep page for each history size."""
    part = PartResult(f"3. Scale (GET /v2/notifications, {PAGE_SIZE}-item pages, sequential)")
    cores = Cores.detect()
    p50s: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        for size in SIZES:
            try:
                database, seed, build_seconds = _build(Path(folder), size, cores)
                deep_id = bulk_db.notification_at_depth(database, size // 2)
                pages = {
                    "newest page": stack.LIST_PATH,
                    f"older_than #{size // 2:,}": f"{stack.LIST_PATH}?older_than={deep_id}",
                }
                log = Path(folder) / f"list-{size}.log"
                with stack.emulator(database, seed, cpu=cores.server, log=log) as emulator:
                    for label, path in pages.items():
                        url = emulator.base_url + path
                        items = len(stack.get_json(url)["notifications"])
                        results = [
                            stack.load(
                                url,
                                method="GET",
                                expect=200,
                                concurrency=1,
                                duration=duration,
                                warmup=warmup,
                                cpu=cores.driver,
                            )
                            for _ in range(rounds)
                        ]
                        p50 = median([r["p50_ms"] for r in results])
                        p50s[label.split(" #")[0], size] = p50
                        part.rows.append(
                            Row(
                                subject=f"{size:,} stored",
                                scenario=label,
                                rate=median([r["rate"] for r in results]),
                                p50_ms=p50,
                                p99_ms=median([r["p99_ms"] for r in results]),
                                failures=sum(int(r["failures"]) for r in results),
                                note=f"{items} items; built in {build_seconds:.0f}s",
                            )
                        )
                database.unlink()
            except RuntimeError as error:
                part.errors.append(f"{size:,} stored: {error}")
    smallest, largest = SIZES[0], SIZES[-1]
    for page in ("newest page", "older_than"):
        if (page, smallest) in p50s and (page, largest) in p50s:
            ratio = p50s[page, largest] / p50s[page, smallest]
            part.checks.append(
                Check(
                    f"{page}: p50 at {largest:,} / at {smallest:,}",
                    f"≤ {SCALE_RATIO_TARGET:g}×",
                    f"{ratio:.2f}×",
                    ratio <= SCALE_RATIO_TARGET,
                )
            )
    part.notes.append(
        f"Each cell: median of {rounds} run(s) of {duration:g}s after {warmup:g}s warm-up; "
        "the deep page starts half-way back in the history."
    )
    return part


def run_memory(*, sends: int = MEMORY_SENDS) -> PartResult:
    """The RSS of a fresh emulator process before and after ``sends`` texts."""
    part = PartResult(f"3b. Emulator memory (RSS after {sends:,} sends)")
    cores = Cores.detect()
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        seed = stack.write_seed(Path(folder))
        log = Path(folder) / "memory.log"
        try:
            with stack.emulator(
                Path(folder) / "memory.sqlite3", seed, cpu=cores.server, log=log
            ) as emulator:
                before = rss_bytes(emulator.pid)
                result = stack.load(
                    emulator.base_url + stack.SMS_PATH,
                    concurrency=MEMORY_CONCURRENCY,
                    count=sends,
                    cpu=cores.driver,
                )
                after = rss_bytes(emulator.pid)
        except RuntimeError as error:
            part.errors.append(str(error))
            return part
    mb_after, mb_before = after / 1024 / 1024, before / 1024 / 1024
    part.rows.append(
        Row(
            subject="emulator",
            scenario=f"{sends:,} sends at concurrency {MEMORY_CONCURRENCY}",
            rate=result["rate"],
            p50_ms=result["p50_ms"],
            p99_ms=result["p99_ms"],
            failures=int(result["failures"]),
            note=f"RSS {mb_before:.0f} MB at start → {mb_after:.0f} MB after",
        )
    )
    part.checks.append(
        Check(
            f"RSS after {sends:,} sends",
            f"< {MEMORY_TARGET_MB:g} MB",
            f"{mb_after:.0f} MB",
            mb_after < MEMORY_TARGET_MB,
        )
    )
    return part
