"""docs/architecture.md tells the truth about the tree, and the dependencies point its way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"


def tree_entries() -> list[str]:
    """The paths the doc's tree names, e.g. ``src/notify_emulator/rules/data/``."""
    block = DOC.read_text(encoding="utf-8").split("```\n", 2)[1]
    entries: list[str] = []
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = re.match(r"( *)(\S+)", line)
        if not match or not match.group(2).endswith(("/", ".py")):
            continue
        indent, name = len(match.group(1)), match.group(2)
        if indent > 30:  # a description's continuation line
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = "".join(part for _, part in stack) + name
        entries.append(path)
        if name.endswith("/"):
            stack.append((indent, name))
    return entries


def packages() -> set[str]:
    return {
        str(init.parent.relative_to(ROOT)) + "/"
        for init in SRC.rglob("__init__.py")
        if "egg-info" not in str(init)
    }


def test_every_entry_of_the_tree_exists() -> None:
    entries = tree_entries()
    assert len(entries) > 30
    missing = [entry for entry in entries if not (ROOT / entry).exists()]
    assert missing == []


def test_every_package_is_in_the_tree() -> None:
    assert sorted(packages() - set(tree_entries())) == []


def test_every_top_level_emulator_module_is_in_the_tree() -> None:
    modules = {
        str(path.relative_to(ROOT))
        for path in (SRC / "notify_emulator").glob("*.py")
        if path.name not in {"__init__.py", "__main__.py", "config.py"}
    }
    assert sorted(modules - set(tree_entries())) == []


def imports_of(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return names


# (package, packages it must never import): the directions the doc gives.
FORBIDDEN = [
    ("notifications_python_client", "notify_emulator"),
    ("notify_emulator/store", "notify_emulator.web"),
    ("notify_emulator/store", "notify_emulator.api"),
    ("notify_emulator/store", "notify_emulator.admin"),
    ("notify_emulator/store", "notify_emulator.callbacks"),
    ("notify_emulator/callbacks", "notify_emulator.web"),
    ("notify_emulator/web", "notify_emulator.api"),
    ("notify_emulator/web", "notify_emulator.admin"),
    ("notify_emulator/admin", "notify_emulator.api"),
    ("notify_emulator/present", "notify_emulator.web"),
    ("notify_emulator/present", "notify_emulator.api"),
    ("notify_emulator/pages", "notify_emulator.api"),
    ("notify_emulator/pages", "notify_emulator.admin"),
]


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN, ids=lambda value: str(value))
def test_dependencies_point_the_documented_way(package: str, forbidden: str) -> None:
    found = {
        name
        for name in imports_of(SRC / package)
        if name == forbidden or name.startswith(forbidden + ".")
    }
    assert found == set()
