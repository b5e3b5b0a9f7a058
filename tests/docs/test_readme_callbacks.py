"""The README's callback example runs, unchanged, in a user's project."""

from __future__ import annotations

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process run below)

from .test_readme import readme_example

pytest_plugins = ["pytester"]


def test_the_readme_callback_example_passes_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(test_callbacks=readme_example("# test_callbacks.py"))
    result = pytester.runpytest("-p", "no:asyncio", "-W", "error")
    result.assert_outcomes(passed=2)
