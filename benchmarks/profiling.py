"""Sampling profiles (py-spy) of a process under benchmark load, summarised as Markdown.

py-spy samples a process from the outside, so the process under test runs unchanged. Idle
threads are left out, though its idle detection is approximate: some waiting (a thread pool's
``threading`` wait, the event loop's ``selectors`` poll) can still show. A summary says where
a busy process spends its time: by module and by function of the innermost frame (time in C,
such as SQLite, shows in the Python function that called it), then the project's own functions
by inclusive time. py-spy is a benchmarking tool, not a dependency: without it a profile is
skipped with a note.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import sysconfig
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

SAMPLES_PER_SECOND = 200
TOP_AREAS = 12
TOP_FUNCTIONS = 12
# Frames from these packages are the project's own: listed by function, not just by module.
OWN_PACKAGES = ("notify_emulator", "notifications_python_client")
_STDLIB = sysconfig.get_paths()["stdlib"]


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter or on PATH, if installed."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def record_options(output: Path, gil_only: bool) -> list[str]:
    return [
        # A client's time blocked on its socket is not its cost; holding the GIL marks its
        # Python work. A server's SQLite calls release the GIL, so servers are sampled whole.
        *(["--gil"] if gil_only else []),
        "--full-filenames",
        "--format=raw",
        f"--rate={SAMPLES_PER_SECOND}",
        "--function",  # one entry per function, not per line
        "--nonblocking",  # do not pause the process being measured
        f"--output={output}",
    ]


@contextlib.contextmanager
def attach(pid: int, seconds: float, output: Path, *, gil_only: bool = False) -> Iterator[None]:
    """Sample process ``pid`` for ``seconds`` while the block runs (the load), then wait."""
    executable = py_spy()
    if executable is None:
        raise RuntimeError("py-spy is not installed: pip install -e '.[bench]'")
    command = [executable, "record", f"--pid={pid}", f"--duration={seconds:g}"]
    recorder = subprocess.Popen(
        [*command, *record_options(output, gil_only)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield
    finally:
        _, stderr = recorder.communicate(timeout=seconds + 60)
        if not output.exists():
            raise RuntimeError(f"py-spy recorded nothing: {stderr.decode(errors='replace')[-300:]}")


def _frames(line: str) -> tuple[list[str], int]:
    stack, _, count = line.rpartition(" ")
    return stack.split(";"), int(count)


def _module(frame: str) -> str:
    # A raw frame reads "function (path/to/module.py:line)".
    location = frame.rpartition(" (")[2].rstrip(")")
    return location.rpartition(":")[0] or frame


def _area(module: str) -> str:
    """Group a module: own code and the standard library by file, the rest by package."""
    parts = module.replace("\\", "/").split("/")
    for index, part in enumerate(parts):
        if part in OWN_PACKAGES:
            return "/".join(parts[index:])
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if module.startswith(_STDLIB):
        return "stdlib " + module[len(_STDLIB) :].lstrip("/")
    return module or "(no Python frame)"


def _function(frame: str) -> str:
    return f"{frame.partition(' (')[0]} ({_area(_module(frame))})"


def summarize(raw: Path, title: str) -> str:
    """A Markdown summary of a py-spy raw profile: time by area and by own function."""
    by_area: Counter[str] = Counter()
    by_leaf: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        frames, count = _frames(line)
        total += count
        by_area[_area(_module(frames[-1]))] += count
        by_leaf[_function(frames[-1])] += count
        own = {_function(frame) for frame in frames if any(p in frame for p in OWN_PACKAGES)}
        for function in own:
            by_function[function] += count
    if total == 0:
        return f"#### Profile: {title}\n\nNo samples were taken.\n"
    lines = [
        f"#### Profile: {title}",
        "",
        f"{total:,} CPU samples at {SAMPLES_PER_SECOND}/s (py-spy).",
        "",
        "| where the CPU time is spent (innermost frame) | share |",
        "| --- | ---: |",
        *(f"| {area} | {count / total:.0%} |" for area, count in by_area.most_common(TOP_AREAS)),
        "",
        "| innermost function | share |",
        "| --- | ---: |",
        *(f"| `{leaf}` | {count / total:.0%} |" for leaf, count in by_leaf.most_common(TOP_AREAS)),
        "",
    ]
    if by_function:
        lines += [
            "| own function (inclusive) | share |",
            "| --- | ---: |",
            *(
                f"| `{function}` | {count / total:.0%} |"
                for function, count in by_function.most_common(TOP_FUNCTIONS)
            ),
            "",
        ]
    return "\n".join(lines)
