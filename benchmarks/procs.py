"""Starting, pinning, watching and stopping the processes a benchmark needs."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = sys.executable
STARTUP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Cores:
    """Which core the server gets and which the process driving it gets.

    On a machine with two or more cores they differ, so that neither side steals time from
    the other; on one core both are ``None`` and the scheduler decides.
    """

    server: int | None
    driver: int | None

    @classmethod
    def detect(cls) -> Cores:
        available = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        if len(available) >= 2:
            return cls(server=available[0], driver=available[1])
        return cls(server=None, driver=None)


def cpu_args(cpu: int | None) -> list[str]:
    """The ``--cpu`` option every benchmark process understands, or nothing."""
    return [] if cpu is None else ["--cpu", str(cpu)]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(log: Path | None) -> str:
    if log is None:
        return ""
    try:
        lines = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " (its log ends: " + " / ".join(line.strip() for line in lines[-3:]) + ")"


def _wait_for_port(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within {STARTUP_TIMEOUT_SECONDS}s")


def _wait_for_http(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=1.0):
                return
        except urllib.error.HTTPError:
            return  # it answered: any status means the app is serving
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {STARTUP_TIMEOUT_SECONDS}s")


@contextlib.contextmanager
def server_process(
    command: Sequence[str], port: int, *, ready_url: str | None = None, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server until the block ends; yield once it accepts connections (or answers)."""
    log_file = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        list(command), cwd=PROJECT_ROOT, stdout=log_file, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        try:
            _wait_for_port(port, process, deadline)
            if ready_url is not None:
                _wait_for_http(ready_url, process, deadline)
        except RuntimeError as error:
            raise RuntimeError(f"{error}{_log_tail(log)}") from None
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log is not None and hasattr(log_file, "close"):
            log_file.close()


def run_json(
    command: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Run a benchmark process to its end and parse the JSON object on its last output line."""
    completed = subprocess.run(
        list(command), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{Path(command[1]).name if len(command) > 1 else command[0]} failed "
            f"(exit {completed.returncode}):\n{completed.stderr[-3000:]}"
        )
    lines = completed.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"{command[0]} printed nothing:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def rss_bytes(pid: int) -> int:
    """The resident set size of a live process, from ``/proc`` (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def peak_rss_bytes(pid: int) -> int:
    """The highest resident set size a live process has had since it started its program.

    ``VmHWM`` from ``/proc`` (Linux). Not ``ru_maxrss``: at ``exec`` the kernel folds into
    that the peak of the address space being replaced, which for a child is its parent's.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a live process has used so far, from ``/proc`` (Linux)."""
    # The command name (field 2) may hold spaces; the fields after it are space-separated.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    user_ticks, system_ticks = int(fields[11]), int(fields[12])
    return (user_ticks + system_ticks) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """:func:`cpu_seconds` of a live process and of all its live descendants (a server's
    worker processes)."""
    total = cpu_seconds(pid)
    for child in _children(pid):
        total += tree_cpu_seconds(child)
    return total


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            children.extend(int(c) for c in (task / "children").read_text().split())
    return children
