"""The README's example test for the pytest fixture runs, unchanged, in a user's project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import notify_emulator.server  # noqa: F401  (reused by the in-process run below)

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example(first_line: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    matching = [block for block in blocks if block.startswith(first_line)]
    assert len(matching) == 1, f"one README example starting {first_line!r}"
    return matching[0]


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
