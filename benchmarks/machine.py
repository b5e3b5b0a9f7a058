"""A description of the machine and the code a run measured, for the results file."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from benchmarks.procs import PROJECT_ROOT


def cpu_model() -> str:
    """The CPU's model name as Linux reports it, else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    """Total memory in GiB, from ``/proc/meminfo`` where there is one."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def git_revision() -> str:
    """The commit measured, marked ``+changes`` when the work tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty else head


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the (shared) machine was."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def describe() -> list[tuple[str, str]]:
    """Label/value pairs describing this machine and interpreter."""
    return [
        ("cores", str(os.cpu_count())),
        ("CPU", cpu_model()),
        ("memory", memory_total()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("OS", platform.platform()),
        ("commit", git_revision()),
    ]
