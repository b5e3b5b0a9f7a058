"""A pytest plugin that times each test of a run, loaded by the ``fixture`` part's pytest runs.

``python -m pytest -p benchmarks.pytest_timing ...`` writes, when the session ends, a JSON
object to the file named by ``$NOTIFY_BENCH_TIMING_OUTPUT``: for each test, in the order run,
its node id, whether it passed, and the wall-clock (``perf_counter``) and process CPU
(``process_time``, every thread) readings as its run protocol (set-up, call, tear-down and
reporting) began and ended; and how long the emulator's session fixture took to set up.
Without that variable the plugin does nothing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

OUTPUT_ENV = "NOTIFY_BENCH_TIMING_OUTPUT"
#: The plugin's session-scoped fixture that starts the emulator (the session start).
SESSION_FIXTURE = "_notify_emulator_session"


class Recorder:
    """What one session's tests took, written to ``output`` when the session ends."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.tests: list[dict[str, Any]] = []
        self.failed: set[str] = set()
        self.fixture_setup: dict[str, float] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, Any, Any]:
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return (yield)
        finally:
            self.tests.append(
                {
                    "nodeid": item.nodeid,
                    "start": start,
                    "end": time.perf_counter(),
                    "start_cpu": start_cpu,
                    "end_cpu": time.process_time(),
                }
            )

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            self.failed.add(report.nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, Any, Any]:
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            if fixturedef.argname == SESSION_FIXTURE:
                self.fixture_setup[SESSION_FIXTURE] = time.perf_counter() - start

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        tests = [{**test, "passed": test["nodeid"] not in self.failed} for test in self.tests]
        record = {
            "exitstatus": int(exitstatus),
            "tests": tests,
            "fixture_setup": self.fixture_setup,
        }
        self.output.write_text(json.dumps(record))


def pytest_configure(config: pytest.Config) -> None:
    output = os.environ.get(OUTPUT_ENV)
    if output:
        config.pluginmanager.register(Recorder(Path(output)), "notify-bench-timing")
