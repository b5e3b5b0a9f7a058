"""Part 4: ``notify bulk`` over a 1,000,000-row CSV: its memory throughout, and resuming.

A spreadsheet of a million texts is written to a temporary folder, and ``notify bulk`` runs on
it as a process of its own against the bare endpoint (``bare_http``, on the other core), with a
rate limit far above what it can reach, so it sends as fast as it can. It runs three times on
the same spreadsheet and journal: stopped with SIGINT after a while, resumed and stopped with
SIGTERM, resumed once more and stopped with SIGINT, as someone would stop and restart a long
send. Throughout, its RSS is read every second, and its peak RSS (the kernel's high-water
mark, ``VmHWM``) four times a second, so that a peak between two readings is not missed.
For each run the time from starting the process to the endpoint receiving its first text is
measured; the first run's is the baseline for the resumed runs'.

The part also checks the journal afterwards: the rows accepted in all three runs together are
exactly the rows the journal holds as accepted (a row sent twice would be counted twice).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import fixtures
from benchmarks.procs import (
    BENCH_PYTHON,
    Cores,
    free_port,
    peak_rss_bytes,
    rss_bytes,
    server_process,
)
from benchmarks.results import Check, PartResult, Row
from benchmarks.stack import api_key_environment

ROWS = 1_000_000
QUICK_ROWS = 20_000
#: How long each run sends before it is stopped: the first, then each resumed one.
FIRST_RUN_SECONDS = 60.0
RESUMED_RUN_SECONDS = 20.0
QUICK_RUN_SECONDS = 3.0
CONCURRENCY = 20
RATE_PER_MINUTE = 10_000_000
RSS_TARGET_MB = 100.0
RESUME_TARGET_SECONDS = 5.0
SAMPLE_SECONDS = 1.0
#: How often the peak is read: the last reading before the process exits is what is reported.
PEAK_SAMPLE_SECONDS = 0.25
#: Longest wait for a stopped run to journal, count what is left and print its summary.
EXIT_TIMEOUT_SECONDS = 120.0
MB = 1024 * 1024


@dataclass
class RunResult:
    """One ``notify bulk`` process, from start to exit."""

    label: str
    stop_signal: str
    exit_code: int | None = None
    #: Seconds from starting the process to the endpoint's first text (``None``: none came).
    first_send_seconds: float | None = None
    sending_seconds: float = 0.0
    #: Seconds from the stop signal to the process's exit (journalling, counting, summary).
    exit_seconds: float = float("nan")
    peak_rss_mb: float = float("nan")
    rss_samples_mb: list[float] = field(default_factory=list)
    cpu_seconds: float = float("nan")
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return int(self.summary.get("sent", 0))


def write_spreadsheet(path: Path, rows: int) -> None:
    """``rows`` texts: a phone number, a name and a reference each, as an export would have."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("phone number,name,reference_code\n")
        chunk: list[str] = []
        for index in range(rows):
            chunk.append(f"07700900{index % 1000:03d},Person {index},REF-{index:07d}\n")
            if len(chunk) == 10_000:
                handle.write("".join(chunk))
                chunk.clear()
        handle.write("".join(chunk))


def _psutil_rss() -> Callable[[int], int] | None:
    try:
        psutil: Any = importlib.import_module("psutil")
    except ImportError:
        return None

    def read(pid: int) -> int:
        return int(psutil.Process(pid).memory_info().rss)

    return read


def _sample_rss(pid: int, result: RunResult, stop: threading.Event) -> None:
    """Read ``pid``'s RSS every ``SAMPLE_SECONDS`` (psutil if installed) and its peak more often."""
    read = _psutil_rss() or rss_bytes
    next_sample = time.monotonic()
    while not stop.is_set():
        with contextlib.suppress(OSError, RuntimeError):
            result.peak_rss_mb = peak_rss_bytes(pid) / MB
            if time.monotonic() >= next_sample:
                result.rss_samples_mb.append(read(pid) / MB)
                next_sample += SAMPLE_SECONDS
        stop.wait(PEAK_SAMPLE_SECONDS)


def _wait_with_usage(process: subprocess.Popen[bytes], timeout: float) -> os.struct_rusage | None:
    """Wait for ``process`` and return its resource usage (for its CPU time); kill on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        time.sleep(0.05)
    process.kill()
    process.wait()
    return None


def run_once(
    label: str,
    csv_path: Path,
    folder: Path,
    cores: Cores,
    *,
    seconds: float,
    stop_signal: signal.Signals,
) -> RunResult:
    """Start ``notify bulk``, let it send for ``seconds``, stop it with ``stop_signal``."""
    result = RunResult(label, stop_signal.name)
    port = free_port()
    stamp = folder / f"{label}.first-send"
    output = folder / f"{label}.json"
    server = [BENCH_PYTHON, "-m", "benchmarks.bare_http", "--port", str(port)]
    server += ["--first-send-file", str(stamp)]
    if cores.server is not None:
        server += ["--cpu", str(cores.server)]
    environment = {
        **api_key_environment(),
        "NOTIFY_BASE_URL": f"http://127.0.0.1:{port}",
        "COLUMNS": "120",
    }
    command = [BENCH_PYTHON, "-m", "notifications_python_client.cli", "bulk", "sms"]
    command += ["-t", fixtures.SMS_TEMPLATE_ID, str(csv_path), "--json"]
    command += ["--concurrency", str(CONCURRENCY), "--rate", str(RATE_PER_MINUTE)]
    with server_process(server, port), output.open("wb") as stdout:
        started = time.monotonic()
        process = subprocess.Popen(
            command, env=environment, stdout=stdout, stderr=subprocess.DEVNULL
        )
        if cores.driver is not None:
            os.sched_setaffinity(process.pid, {cores.driver})
        stop_sampling = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(process.pid, result, stop_sampling))
        sampler.start()
        try:
            deadline = started + seconds
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.05)
            if process.poll() is None:
                process.send_signal(stop_signal)
            stopped_at = time.monotonic()
            usage = _wait_with_usage(process, EXIT_TIMEOUT_SECONDS)
            result.exit_seconds = time.monotonic() - stopped_at
        finally:
            stop_sampling.set()
            sampler.join()
    result.exit_code = process.returncode
    if usage is not None:
        result.cpu_seconds = usage.ru_utime + usage.ru_stime
    if stamp.exists():
        result.first_send_seconds = float(stamp.read_text()) - started
        result.sending_seconds = stopped_at - float(stamp.read_text())
    with contextlib.suppress(ValueError):
        result.summary = json.loads(output.read_text(encoding="utf-8"))
    return result


def accepted_in_journal(journal: Path) -> int:
    """How many rows the journal holds as accepted (read once no run has it open)."""
    with contextlib.closing(sqlite3.connect(journal)) as database:
        (count,) = database.execute("SELECT COUNT(*) FROM rows WHERE state = 'accepted'").fetchone()
        return int(count)


def run(*, rows: int = ROWS, first_seconds: float, resumed_seconds: float) -> PartResult:
    """Three runs of ``notify bulk`` on one spreadsheet of ``rows`` texts, and the checks."""
    part = PartResult(f"4. `notify bulk` over a {rows:,}-row CSV: memory and resuming")
    cores = Cores.detect()
    with tempfile.TemporaryDirectory(prefix="notify-bench-bulk-") as name:
        folder = Path(name)
        csv_path = folder / "people.csv"
        clock = time.perf_counter()
        write_spreadsheet(csv_path, rows)
        written = time.perf_counter() - clock
        plan = [
            ("first run", first_seconds, signal.SIGINT),
            ("resumed", resumed_seconds, signal.SIGTERM),
            ("resumed again", resumed_seconds, signal.SIGINT),
        ]
        results: list[RunResult] = []
        try:
            for label, seconds, stop in plan:
                results.append(
                    run_once(
                        label.replace(" ", "-"),
                        csv_path,
                        folder,
                        cores,
                        seconds=seconds,
                        stop_signal=stop,
                    )
                )
                results[-1].label = label
            journal = folder / "people.csv.journal"
            accepted = accepted_in_journal(journal) if journal.exists() else 0
            journal_mb = journal.stat().st_size / MB if journal.exists() else 0.0
        except (RuntimeError, OSError, sqlite3.Error) as error:
            part.errors.append(str(error))
            return part
        size_mb = csv_path.stat().st_size / MB
    _report(part, results, accepted)
    part.notes += [
        f"The spreadsheet: {rows:,} rows, {size_mb:.0f} MB, written in {written:.1f}s; "
        f"concurrency {CONCURRENCY}, rate limit {RATE_PER_MINUTE:,}/min (never reached); "
        f"journal {journal_mb:.0f} MB at the end.",
        "RSS readings every second (MB), per run: "
        + "; ".join(
            f"{result.label}: " + ", ".join(f"{mb:.0f}" for mb in _thin(result.rss_samples_mb))
            for result in results
        ),
    ]
    return part


def _thin(samples: list[float], most: int = 24) -> Iterator[float]:
    """At most ``most`` readings, evenly spread, always with the last (the notes stay short)."""
    if len(samples) <= most:
        yield from samples
        return
    step = len(samples) / (most - 1)
    for index in range(most - 1):
        yield samples[int(index * step)]
    yield samples[-1]


def _report(part: PartResult, results: list[RunResult], accepted: int) -> None:
    baseline = results[0].first_send_seconds if results else None
    for result in results:
        summary = result.summary
        unknown = len(summary.get("unknown", []))
        first = result.first_send_seconds
        note = f"first text {first:.2f}s after start" if first is not None else "no text was sent"
        if result is not results[0] and first is not None and baseline:
            note += f" ({first / baseline:.2f}× the first run's)"
        note += (
            f"; stopped by {result.stop_signal}, exited {result.exit_seconds:.1f}s later "
            f"with {result.exit_code}; "
            f"peak RSS {result.peak_rss_mb:.0f} MB; "
            f"sent {result.sent:,}, skipped {int(summary.get('skipped', 0)):,}, "
            f"unknown {unknown}"
        )
        if result.sent:
            note += f"; CPU {1000 * result.cpu_seconds / result.sent:.2f} ms/row"
        part.rows.append(
            Row(
                subject="notify bulk",
                scenario=result.label,
                rate=result.sent / result.sending_seconds if result.sending_seconds else None,
                note=note,
            )
        )
    peaks = [result.peak_rss_mb for result in results]
    samples = [mb for result in results for mb in result.rss_samples_mb]
    peak = max(peaks) if peaks else float("nan")
    part.checks.append(
        Check(
            "peak RSS of `notify bulk`, all runs",
            f"< {RSS_TARGET_MB:g} MB",
            f"{peak:.0f} MB (highest 1 s reading {max(samples, default=float('nan')):.0f} MB)",
            None if peak != peak else peak < RSS_TARGET_MB,
        )
    )
    resumes = [result.first_send_seconds for result in results[1:]]
    worst = None if not resumes or None in resumes else max(r for r in resumes if r is not None)
    part.checks.append(
        Check(
            "resume to first send (slower of two)",
            f"< {RESUME_TARGET_SECONDS:g} s",
            "no text was sent" if worst is None else f"{worst:.2f} s",
            None if worst is None else worst < RESUME_TARGET_SECONDS,
        )
    )
    sent_total = sum(result.sent for result in results)
    part.checks.append(
        Check(
            "rows accepted, summed over the runs / accepted rows in the journal",
            "equal (no row sent twice)",
            f"{sent_total:,} / {accepted:,}",
            sent_total == accepted if all(r.summary for r in results) else None,
        )
    )
