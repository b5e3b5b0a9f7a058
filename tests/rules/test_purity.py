"""The rules package is pure: standard library and its named dependencies only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import notify_emulator.rules

RULES_DIR = Path(notify_emulator.rules.__file__).parent
# The third-party libraries the rules are allowed to lean on.
# holidays is the calendar behind GOV.UK's bank-holiday data (rules/data/bank_holidays.py).
ALLOWED_THIRD_PARTY = {"phonenumbers", "smartypants", "holidays"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


RULE_MODULES = sorted(RULES_DIR.rglob("*.py"))


def test_there_are_rule_modules() -> None:
    assert len(RULE_MODULES) > 10


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: str(p.relative_to(RULES_DIR)))
def test_rule_module_imports_only_the_standard_library_and_named_dependencies(
    path: Path,
) -> None:
    outside: list[str] = []
    for module in imported_modules(path):
        top = module.split(".")[0]
        if module.startswith("notify_emulator.rules") or module == "__future__":
            continue
        if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY:
            continue
        outside.append(module)
    assert outside == []
