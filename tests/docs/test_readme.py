"""The README's example test for the pytest fixture runs, unchanged, in a user's project."""

from __future__ import annotations

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process run below)

from .readme import readme_example

pytest_plugins = ["pytester"]


def test_the_readme_fixture_example_passes_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(test_reminders=readme_example("# test_reminders.py"))
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=3)


def test_the_readme_set_up_helpers_example_passes_in_a_user_project(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(test_codes=readme_example("# test_codes.py"))
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=2)
