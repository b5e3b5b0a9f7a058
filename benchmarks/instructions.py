"""Part 1b: instructions per send, counted by valgrind, for the official client and ours.

Rates and even CPU times move with whatever else the machine is running; the number of
instructions a send executes does not. Each client runs ``client_runner.py --sends N`` under
valgrind's callgrind twice, with a small and a large N, against the bare endpoint; the
difference in instructions divided by the difference in sends is the cost of one send, with
start-up and imports cancelled out. It is slow (valgrind runs Python some fifty times
slower) and needs valgrind, so it is not in the default set of parts:
``python -m benchmarks --parts instructions``.

Instructions are not time: a send that waits on memory takes longer than its count says.
But two clients doing the same job on the same interpreter are compared fairly, and the
counts stay put from run to run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks import fixtures
from benchmarks.client_overhead import RUNNER, ensure_official_venv
from benchmarks.procs import BENCH_PYTHON, free_port, server_process
from benchmarks.results import PartResult, Row
from benchmarks.stack import api_key_environment

FEW_SENDS = 50
MANY_SENDS = 350
QUICK_MANY_SENDS = 150
ASYNC_CONCURRENCY = 20
RUN_TIMEOUT_SECONDS = 900
_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


@dataclass(frozen=True)
class Counted:
    """One client configuration and what a send of it costs."""

    label: str
    python: Path | str
    mode: str
    concurrency: int
    instructions_per_send: float | None = None


def valgrind() -> str | None:
    """The valgrind executable, if installed."""
    return shutil.which("valgrind")


def collected_instructions(stderr: str) -> int:
    """The total instructions callgrind reports at the end of a run."""
    found = _COLLECTED.search(stderr)
    if found is None:
        raise RuntimeError("callgrind reported no instruction count")
    return int(found.group(1).replace(",", ""))


def _count(executable: str, cell: Counted, base_url: str, sends: int) -> int:
    command = [
        executable,
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        str(cell.python),
        "-I",
        str(RUNNER),
        f"--base-url={base_url}",
        f"--template-id={fixtures.SMS_TEMPLATE_ID}",
        f"--mode={cell.mode}",
        f"--concurrency={cell.concurrency}",
        f"--sends={sends}",
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        env=api_key_environment(),
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{cell.label} {cell.mode} under valgrind: {completed.stderr[-500:]}")
    return collected_instructions(completed.stderr)


def run(*, many_sends: int = MANY_SENDS) -> PartResult:
    """Instructions per send for the official sync client, ours sync, and ours async."""
    part = PartResult("1b. Client instructions per send (valgrind: not moved by other load)")
    executable = valgrind()
    if executable is None:
        part.errors.append("valgrind is not installed: this part counts instructions with it")
        return part
    try:
        official_python = ensure_official_venv()
    except (OSError, subprocess.CalledProcessError, RuntimeError) as error:
        part.errors.append(f"official client unavailable: {error}")
        return part
    cells = [
        Counted("official", official_python, "sync", 1),
        Counted("ours", BENCH_PYTHON, "sync", 1),
        Counted("ours", BENCH_PYTHON, "async", ASYNC_CONCURRENCY),
    ]
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    counted: list[Counted] = []
    with server_process([BENCH_PYTHON, "-m", "benchmarks.bare_http", "--port", str(port)], port):
        for cell in cells:
            try:
                few = _count(executable, cell, base_url, FEW_SENDS)
                many = _count(executable, cell, base_url, many_sends)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                part.errors.append(str(error).strip().splitlines()[-1])
                counted.append(cell)
                continue
            per_send = (many - few) / (many_sends - FEW_SENDS)
            counted.append(Counted(cell.label, cell.python, cell.mode, cell.concurrency, per_send))
    official = counted[0].instructions_per_send
    for cell in counted:
        per_send = cell.instructions_per_send
        note = "n/a" if per_send is None else f"{per_send / 1000:,.0f} thousand instructions/send"
        if per_send and official and cell is not counted[0]:
            note += f"; the official client's / this: {official / per_send:.2f}×"
        part.rows.append(
            Row(
                subject=f"{cell.label} {cell.mode}",
                scenario=f"concurrency {cell.concurrency}",
                note=note,
            )
        )
    part.notes.append(
        f"Each client sent {FEW_SENDS} and then {many_sends} texts under callgrind; the "
        "difference, per send. The sync client's count includes requests, the async "
        "client's aiohttp and asyncio."
    )
    return part
