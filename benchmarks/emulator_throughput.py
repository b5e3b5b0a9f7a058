"""Part 2: sending texts through the emulator against the bare endpoint on the same stack.

The servers run side by side for the whole part (each in its own processes on the server core;
only the one under load is busy), and the load generator, on the other core, alternates between
them cell by cell, round by round. Each cell reports its median over the rounds. Beside the
emulator on SQLite (one process, the default), the emulator on PostgreSQL with two worker
processes is measured when a PostgreSQL server is named (benchmarks/postgres.py).
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import postgres, profiling, stack
from benchmarks.procs import Cores, tree_cpu_seconds
from benchmarks.results import Check, PartResult, Row, median

CONCURRENCIES = (1, 10, 50)
RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0
P99_TARGET_CONCURRENCY = 50
PROFILE_CONCURRENCY = 10
PROFILE_SECONDS = 5.0
POSTGRES_SUBJECT = "emulator, PostgreSQL, 2 workers"
POSTGRES_WORKERS = 2


def run(*, rounds: int, duration: float, warmup: float, profile: bool = False) -> PartResult:
    """Measure sends/s, p50 and p99 for each concurrency against both servers.

    With ``profile``, a missed target has the emulator sampled with py-spy under load.
    """
    part = PartResult("2. Emulator throughput (POST /v2/notifications/sms)")
    cores = Cores.detect()
    postgres_url = postgres.server_url()
    subjects: tuple[str, ...] = ("bare", "emulator")
    if postgres_url is not None:
        subjects = (*subjects, POSTGRES_SUBJECT)
    else:
        part.notes.append(
            "PostgreSQL cells skipped: name a server with NOTIFY_BENCH_POSTGRES_URL "
            "(a database is made on it for the run and dropped afterwards)."
        )
    samples: dict[tuple[str, int], list[dict[str, Any]]] = {
        (subject, c): [] for c in CONCURRENCIES for subject in subjects
    }
    failures = dict.fromkeys(samples, 0)
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        seed = stack.write_seed(Path(folder))
        log = Path(folder) / "emulator.log"
        try:
            with contextlib.ExitStack() as running:
                emulator = running.enter_context(
                    stack.emulator(
                        Path(folder) / "emulator.sqlite3", seed, cpu=cores.server, log=log
                    )
                )
                servers = {
                    "bare": running.enter_context(stack.bare(cpu=cores.server)),
                    "emulator": emulator,
                }
                if postgres_url is not None:
                    database = running.enter_context(postgres.fresh_database(postgres_url))
                    servers[POSTGRES_SUBJECT] = running.enter_context(
                        stack.emulator(
                            database,
                            seed,
                            cpu=cores.server,
                            log=Path(folder) / "emulator-postgres.log",
                            workers=POSTGRES_WORKERS,
                        )
                    )
                for _ in range(rounds):
                    for concurrency in CONCURRENCIES:
                        for subject in subjects:
                            server = servers[subject]
                            cpu_before = tree_cpu_seconds(server.pid)
                            result = stack.load(
                                server.base_url + stack.SMS_PATH,
                                concurrency=concurrency,
                                duration=duration,
                                warmup=warmup,
                                cpu=cores.driver,
                            )
                            # CPU per request barely moves with the machine's other load,
                            # unlike rates: it tells cost apart from contention.
                            cpu_used = tree_cpu_seconds(server.pid) - cpu_before
                            result["cpu_ms"] = 1000 * cpu_used / max(1, result["all_requests"])
                            samples[subject, concurrency].append(result)
                            failures[subject, concurrency] += int(result["failures"])
                            if result["failures"]:
                                part.notes.append(
                                    f"{subject} c={concurrency} answers: {result['statuses']}"
                                )
                _summarise(part, samples, failures)
                if profile and any(check.passed is False for check in part.checks):
                    _profile(part, emulator, Path(folder), cores)
        except RuntimeError as error:
            part.errors.append(str(error))
            return part

    part.notes.append(
        f"{rounds} interleaved rounds of {duration:g}s per cell after {warmup:g}s warm-up; "
        f"servers on core {cores.server}, aiohttp load generator on core {cores.driver}; "
        "emulator on a SQLite file, with the SQLite settings it ships with"
        + (
            f"; PostgreSQL cells: {POSTGRES_WORKERS} worker processes on the server core "
            "(the PostgreSQL server itself unpinned), server CPU counted for the workers only."
            if postgres_url is not None
            else "."
        )
    )
    return part


def _summarise(
    part: PartResult,
    samples: dict[tuple[str, int], list[dict[str, Any]]],
    failures: dict[tuple[str, int], int],
) -> None:
    """Add each cell's medians as a row, then the part's checks."""
    summary: dict[tuple[str, int], dict[str, float]] = {}
    for (subject, concurrency), results in samples.items():
        summary[subject, concurrency] = {
            key: median([r[key] for r in results])
            for key in ("rate", "p50_ms", "p99_ms", "cpu_ms", "generator_busy")
        }
        part.rows.append(
            Row(
                subject=subject,
                scenario=f"concurrency {concurrency}",
                rate=summary[subject, concurrency]["rate"],
                p50_ms=summary[subject, concurrency]["p50_ms"],
                p99_ms=summary[subject, concurrency]["p99_ms"],
                failures=failures[subject, concurrency],
                note=(
                    f"server CPU {summary[subject, concurrency]['cpu_ms']:.2f} ms/send; "
                    f"load generator busy {summary[subject, concurrency]['generator_busy']:.0%}; "
                    f"median of {len(results)}"
                ),
            )
        )
    for concurrency in CONCURRENCIES:
        ratio = summary["emulator", concurrency]["rate"] / summary["bare", concurrency]["rate"]
        part.checks.append(
            Check(
                f"emulator / bare sends/s, c={concurrency}",
                f"≥ {RATIO_TARGET:g}×",
                f"{ratio:.2f}×",
                ratio >= RATIO_TARGET,
            )
        )
    p99 = summary["emulator", P99_TARGET_CONCURRENCY]["p99_ms"]
    part.checks.append(
        Check(
            f"emulator p99, c={P99_TARGET_CONCURRENCY}",
            f"< {P99_TARGET_MS:g} ms",
            f"{p99:.1f} ms",
            p99 < P99_TARGET_MS,
        )
    )
    failed = sum(
        failures[(subject, c)] for subject in summary_subjects(summary) for c in CONCURRENCIES
    )
    part.checks.append(Check("failed emulator sends", "0", str(failed), failed == 0))


def summary_subjects(summary: dict[tuple[str, int], dict[str, float]]) -> list[str]:
    """The emulator subjects measured (every one but the bare endpoint)."""
    return sorted({subject for subject, _ in summary if subject != "bare"})


def _profile(part: PartResult, emulator: stack.Server, folder: Path, cores: Cores) -> None:
    title = f"the emulator serving POST /v2/notifications/sms at concurrency {PROFILE_CONCURRENCY}"
    raw = folder / "emulator-profile.txt"
    try:
        with profiling.attach(emulator.pid, PROFILE_SECONDS, raw):
            stack.load(
                emulator.base_url + stack.SMS_PATH,
                concurrency=PROFILE_CONCURRENCY,
                duration=PROFILE_SECONDS,
                warmup=0.0,
                cpu=cores.driver,
            )
    except RuntimeError as error:
        part.errors.append(f"profile of {title}: {error}")
        return
    part.profiles.append(profiling.summarize(raw, title))
