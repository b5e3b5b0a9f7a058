"""Running the emulator and the bare endpoint as servers, and loading them with requests."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from benchmarks import fixtures
from benchmarks.procs import BENCH_PYTHON, cpu_args, free_port, run_json, server_process

HEALTH_PATH = "/_emulator/health"
SMS_PATH = "/v2/notifications/sms"
LIST_PATH = "/v2/notifications"


@dataclass(frozen=True)
class Server:
    """A running server: where it listens and its process (for its RSS and for profiling)."""

    base_url: str
    pid: int


def write_seed(folder: Path) -> Path:
    """Write the benchmark service's seed file into ``folder`` and return its path."""
    path = folder / "bench-seed.toml"
    path.write_text(fixtures.seed_toml())
    return path


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path.resolve()}"


@contextlib.contextmanager
def emulator(
    database: Path | str, seed: Path, *, cpu: int | None, log: Path, workers: int = 1
) -> Iterator[Server]:
    """The emulator on a free loopback port, seeded with ``seed``, on a SQLite file (a path) or
    the database at a URL, served by ``workers`` processes."""
    port = free_port()
    url = sqlite_url(database) if isinstance(database, Path) else database
    command = [
        BENCH_PYTHON,
        "-m",
        "benchmarks.serve",
        "emulator",
        f"--port={port}",
        f"--database={url}",
        f"--config={seed}",
        f"--workers={workers}",
        *cpu_args(cpu),
    ]
    base_url = f"http://127.0.0.1:{port}"
    with server_process(command, port, ready_url=base_url + HEALTH_PATH, log=log) as process:
        yield Server(base_url, process.pid)


@contextlib.contextmanager
def bare(*, cpu: int | None) -> Iterator[Server]:
    """The bare Starlette endpoint on a free loopback port, served like the emulator."""
    port = free_port()
    command = [BENCH_PYTHON, "-m", "benchmarks.serve", "bare", f"--port={port}", *cpu_args(cpu)]
    base_url = f"http://127.0.0.1:{port}"
    with server_process(command, port, ready_url=base_url + HEALTH_PATH) as process:
        yield Server(base_url, process.pid)


def load(
    url: str,
    *,
    concurrency: int,
    cpu: int | None,
    duration: float | None = None,
    warmup: float = 0.5,
    count: int | None = None,
    method: str = "POST",
    expect: int = 201,
) -> dict[str, Any]:
    """Run the load generator in its own process against ``url`` and return its JSON report."""
    command = [
        BENCH_PYTHON,
        "-m",
        "benchmarks.loadgen",
        f"--url={url}",
        f"--method={method}",
        f"--concurrency={concurrency}",
        f"--expect={expect}",
        *cpu_args(cpu),
    ]
    if method == "POST":
        command.append(f"--body={json.dumps(fixtures.SMS_REQUEST)}")
    if count is not None:
        command.append(f"--count={count}")
        timeout = 60 + count / 50  # generous: even a very slow server finishes at 50/s
    else:
        if duration is None:
            raise ValueError("give a duration or a count")
        command += [f"--duration={duration}", f"--warmup={warmup}"]
        timeout = duration + warmup + 120
    try:
        return run_json(command, timeout=timeout, env=api_key_environment())
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"the load generator did not finish within {timeout:g}s") from error


def api_key_environment() -> dict[str, str]:
    """This process's environment plus the benchmark key, for a client or load generator."""
    return {**os.environ, "NOTIFY_API_KEY": fixtures.API_KEY}


def bearer_token() -> str:
    """A fresh token for the benchmark service's key (notify-api.md §2.2)."""
    issued_at = int(time.time())
    return jwt.encode({"iss": fixtures.SERVICE_ID, "iat": issued_at}, fixtures.SECRET, "HS256")


def get_json(url: str) -> Any:
    """GET ``url`` as the benchmark service and decode the JSON answer."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer_token()}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())
