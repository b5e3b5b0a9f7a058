"""Part 3: listing notifications as the history grows.

For each size, an emulator database is seeded, one real text is sent through the API, and the
notification is cloned in bulk (``bulk_db``) up to the size. The emulator is then started on that
file and asked, one request at a time, for the newest page and for a page half-way back in the
history (``older_than`` the notification at that depth), through the v2 API, through the web
inbox (``GET /``, 50 rows rendered as HTML) and through the emulator's own listing
(``GET /_emulator/notifications``, which the pytest fixture's ``sent()`` reads, 250 a page).
"""

from __future__ import annotations

import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks import bulk_db, profiling, stack
from benchmarks.procs import Cores, cpu_seconds
from benchmarks.results import Check, PartResult, Row, median

SIZES = (1_000, 100_000, 1_000_000)
PAGE_SIZE = 250
SCALE_RATIO_TARGET = 2.0
PROFILE_SECONDS = 5.0
ADMIN_LIST_PATH = "/_emulator/notifications"


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
                    "inbox newest page": "/",
                    "inbox older_than": f"/?older_than={deep_id}",
                    "emulator list newest page": f"{ADMIN_LIST_PATH}?limit={PAGE_SIZE}",
                    "emulator list older_than": (
                        f"{ADMIN_LIST_PATH}?limit={PAGE_SIZE}&older_than={deep_id}"
                    ),
                }
                log = Path(folder) / f"list-{size}.log"
                with stack.emulator(database, seed, cpu=cores.server, log=log) as emulator:
                    for page, path in pages.items():
                        url = emulator.base_url + path
                        items = _items(url, page)
                        results = [
                            _timed_pages(emulator, url, duration, warmup, cores)
                            for _ in range(rounds)
                        ]
                        p50s[page, size] = median([r["p50_ms"] for r in results])
                        cpu_ms[page, size] = median([r["cpu_ms"] for r in results])
                        part.rows.append(
                            Row(
                                subject=f"{size:,} stored",
                                scenario=(
                                    f"{page} #{size // 2:,}"
                                    if page.endswith("older_than")
                                    else page
                                ),
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


def _items(url: str, page: str) -> int:
    """How many notifications the page holds (JSON items, or the inbox's table rows)."""
    if not page.startswith("inbox"):
        # The v2 list and the emulator's own both answer {"notifications": [...]}.
        return len(stack.get_json(url)["notifications"])
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode("utf-8").count("data-notification-id=")


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
