"""The README's "Rehearse failure" example runs, unchanged, in a user's project."""

from __future__ import annotations

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process run below)

from .test_readme import readme_example

pytest_plugins = ["pytester"]


def test_the_readme_fault_example_passes_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(test_resilience=readme_example("# test_resilience.py"))
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=3)


def test_faults_and_the_clock_start_afresh_in_each_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        test_order="""
from datetime import datetime, timedelta, timezone


def test_first_leaves_a_fault_and_a_moved_clock(notify_emulator):
    notify_emulator.fail_next(times=None)
    notify_emulator.advance(days=2)


def test_second_starts_afresh(notify_emulator):
    assert notify_emulator.faults() == []
    assert notify_emulator.now() - datetime.now(timezone.utc) < timedelta(minutes=1)
    assert notify_emulator.client.get_all_templates()["templates"]
"""
    )
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=2)
