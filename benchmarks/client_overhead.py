"""Part 1: the official client 13.0.0 against ours, both sending to the bare endpoint.

The official client lives in its own virtualenv (``benchmarks/.venv-official``), created on
the first run and never mixed with ours; both run the same ``client_runner.py`` by path in a
fresh process pinned to one core, while ``bare_http`` answers on the other. The cells are
interleaved round by round so that drift on a shared machine hits every cell alike, and each
cell reports its median over the rounds.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path

from benchmarks import fixtures, profiling
from benchmarks.procs import (
    BENCH_PYTHON,
    PROJECT_ROOT,
    Cores,
    cpu_args,
    free_port,
    run_json,
    server_process,
)
from benchmarks.results import Check, PartResult, Row, median
from benchmarks.stack import api_key_environment

OFFICIAL_VERSION = "13.0.0"
OFFICIAL_VENV = PROJECT_ROOT / "benchmarks" / ".venv-official"
RUNNER = PROJECT_ROOT / "benchmarks" / "client_runner.py"
SYNC_RATIO_TARGET = 1.3
ASYNC_RATIO_TARGET = 6.0
ASYNC_CONCURRENCIES = (1, 20, 100)
ASYNC_TARGET_CONCURRENCY = 20
PROFILE_SECONDS = 4.0
# Imports and warm-up are over by then; the runner sends for longer than the profile lasts.
PROFILE_DELAY_SECONDS = 1.5


@dataclass(frozen=True)
class Cell:
    """One client configuration to measure."""

    label: str
    python: Path | str
    mode: str
    concurrency: int


def _venv_python(venv_dir: Path) -> Path:
    return venv_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def _installed_official_version(python: Path) -> str | None:
    probe = subprocess.run(
        [str(python), "-I", "-c", "import notifications_python_client as c; print(c.__version__)"],
        capture_output=True,
        text=True,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_official_venv(venv_dir: Path = OFFICIAL_VENV) -> Path:
    """The interpreter of a virtualenv holding exactly the official client, made if missing."""
    python = _venv_python(venv_dir)
    if python.exists() and _installed_official_version(python) == OFFICIAL_VERSION:
        return python
    print(f"creating {venv_dir} with notifications-python-client=={OFFICIAL_VERSION} ...")
    venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"notifications-python-client=={OFFICIAL_VERSION}",
        ],
        check=True,
    )
    installed = _installed_official_version(python)
    if installed != OFFICIAL_VERSION:
        raise RuntimeError(f"{venv_dir} holds client version {installed}, not {OFFICIAL_VERSION}")
    return python


def _check_origin(label: str, result: dict[str, object], official_python: Path) -> None:
    # Guard against the two virtualenvs leaking into each other: a wrong import would make the
    # comparison meaningless while still printing numbers.
    module = str(result["module"])
    official_dir = str(official_python.parent.parent.resolve())
    if label == "official" and not (
        module.startswith(official_dir) and result["version"] == OFFICIAL_VERSION
    ):
        raise RuntimeError(f"the official runner imported {module} ({result['version']})")
    if label != "official" and module.startswith(official_dir):
        raise RuntimeError(f"our runner imported the official client from {module}")


def run(*, rounds: int, duration: float, warmup: float, profile: bool = False) -> PartResult:
    """Measure every cell ``rounds`` times, interleaved, and check the part's two targets.

    With ``profile``, a missed target's client is sampled with py-spy for the report.
    """
    part = PartResult("1. Client overhead (sends/s to a bare endpoint on loopback)")
    try:
        official_python = ensure_official_venv()
    except (OSError, subprocess.CalledProcessError, RuntimeError) as error:
        part.errors.append(f"official client unavailable: {error}")
        return part
    official_sync = Cell("official", official_python, "sync", 1)
    ours_sync = Cell("ours", BENCH_PYTHON, "sync", 1)
    ours_async = {n: Cell("ours", BENCH_PYTHON, "async", n) for n in ASYNC_CONCURRENCIES}
    cells = [official_sync, ours_sync, *ours_async.values()]
    cores = Cores.detect()
    port = free_port()
    samples: dict[Cell, list[float]] = {cell: [] for cell in cells}
    cpu_ms: dict[Cell, list[float]] = {cell: [] for cell in cells}
    failures: dict[Cell, int] = dict.fromkeys(cells, 0)
    failed_cells: dict[Cell, str] = {}
    server = [BENCH_PYTHON, "-m", "benchmarks.bare_http", "--port", str(port)]
    with server_process(server + cpu_args(cores.server), port):

        def command(cell: Cell, seconds: float) -> list[str]:
            return [
                str(cell.python),
                "-I",  # no current directory or user site on sys.path: only the venv's client
                str(RUNNER),
                f"--base-url=http://127.0.0.1:{port}",
                f"--template-id={fixtures.SMS_TEMPLATE_ID}",
                f"--mode={cell.mode}",
                f"--concurrency={cell.concurrency}",
                f"--duration={seconds}",
                f"--warmup={warmup}",
                *cpu_args(cores.driver),
            ]

        for _ in range(rounds):
            for cell in cells:
                if cell in failed_cells:
                    continue
                try:
                    result = run_json(
                        command(cell, duration),
                        timeout=duration + warmup + 60,
                        env=api_key_environment(),
                    )
                    _check_origin(cell.label, result, official_python)
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    failed_cells[cell] = str(error).strip().splitlines()[-1]
                    continue
                samples[cell].append(float(result["rate"]))
                cpu_ms[cell].append(float(result["cpu_ms_per_send"]))
                failures[cell] += int(result["failures"])

        rates = {cell: median(samples[cell]) for cell in cells}
        async_target = ours_async[ASYNC_TARGET_CONCURRENCY]
        sync_check = _ratio_check(
            "our sync / official sync",
            rates[ours_sync],
            rates[official_sync],
            SYNC_RATIO_TARGET,
        )
        async_check = _ratio_check(
            f"our async c={ASYNC_TARGET_CONCURRENCY} / official sync",
            rates[async_target],
            rates[official_sync],
            ASYNC_RATIO_TARGET,
        )
        part.checks += [sync_check, async_check]
        official_cpu, ours_cpu = median(cpu_ms[official_sync]), median(cpu_ms[ours_sync])
        if ours_cpu > 0:
            part.notes.append(
                f"Client CPU per send, official / our sync: {official_cpu / ours_cpu:.2f}× "
                "(the clients' own cost, less sensitive than rates to the machine's other load)."
            )
        if profile:
            for check, cell in ((sync_check, ours_sync), (async_check, async_target)):
                if check.passed is False:
                    _profile(part, cell, command(cell, PROFILE_SECONDS + PROFILE_DELAY_SECONDS))

    for cell in cells:
        part.rows.append(
            Row(
                subject=f"{cell.label} {cell.mode}",
                scenario=f"concurrency {cell.concurrency}",
                rate=rates[cell],
                failures=failures[cell] if cell not in failed_cells else None,
                note=(
                    f"client CPU {median(cpu_ms[cell]):.2f} ms/send; median of {len(samples[cell])}"
                ),
            )
        )
    for cell, reason in failed_cells.items():
        part.errors.append(f"{cell.label} {cell.mode} c={cell.concurrency}: {reason}")
    part.notes.append(
        f"{rounds} interleaved rounds of {duration:g}s per cell after {warmup:g}s warm-up; "
        f"server and client pinned to cores {cores.server} and {cores.driver}."
    )
    return part


def _profile(part: PartResult, cell: Cell, command: list[str]) -> None:
    """Sample our client's Python work (GIL held) in steady state, after its warm-up."""
    title = f"our {cell.mode} client, concurrency {cell.concurrency}, sending to the bare endpoint"
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as folder:
        raw = Path(folder) / "profile.txt"
        runner = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=api_key_environment(),
        )
        try:
            time.sleep(PROFILE_DELAY_SECONDS)
            with profiling.attach(runner.pid, PROFILE_SECONDS, raw, gil_only=True):
                pass
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            part.errors.append(f"profile of {title}: {error}")
            return
        finally:
            runner.wait(timeout=PROFILE_SECONDS + 60)
        part.profiles.append(profiling.summarize(raw, title))


def _ratio_check(name: str, value: float, baseline: float, target: float) -> Check:
    if value != value or baseline != baseline or baseline <= 0:
        return Check(name, f"≥ {target:g}×", "n/a", None)
    ratio = value / baseline
    return Check(name, f"≥ {target:g}×", f"{ratio:.2f}×", ratio >= target)
