"""The client's modules import each other without cycles, lazy imports included.

A cycle hidden in a function-level import works until someone moves that import to the top of
the file; so every ``import`` statement counts, wherever it is.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import notifications_python_client

PACKAGE = "notifications_python_client"
ROOT = Path(notifications_python_client.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports anywhere in its body."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            # ``from package import module`` imports the module too.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    known = {module_name(path) for path in paths}
    graph = {module_name(path): imported_modules(path, known) for path in paths}
    # Every module imports the package root to get there, and ``_core`` reads
    # ``__version__`` from it (set before the root's own imports for that reason): the root
    # is where the graph starts, not a node of it.
    graph.pop(PACKAGE)
    return {module: imports - {PACKAGE} for module, imports in graph.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or ``None``."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(graph.get(module, ())):
            cycle = visit(imported, [*path, module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module, [])
        if cycle:
            return cycle
    return None


def test_the_graph_sees_lazy_and_relative_imports() -> None:
    graph = import_graph()

    assert f"{PACKAGE}.errors" in graph[f"{PACKAGE}._core"]
    assert f"{PACKAGE}._cli.commands" in graph[f"{PACKAGE}._cli.app"]  # ``from .commands``
    assert f"{PACKAGE}.bulk" in graph[f"{PACKAGE}.aio"]
    assert f"{PACKAGE}.errors" in graph[f"{PACKAGE}._cli.session"]


def test_find_cycle_reports_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_round_a_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_the_async_client_without_aiohttp_names_the_extra_to_install() -> None:
    # A fresh interpreter in which aiohttp cannot be imported.
    program = (
        "import sys\n"
        "sys.modules['aiohttp'] = None\n"
        "import notifications_python_client\n"
        "try:\n"
        "    import notifications_python_client.aio\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name)\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60
    )
    name, message = result.stdout.splitlines()[:2]
    assert name == "aiohttp"
    # This client is not on the package index, so the hint is to install it from its source.
    assert "pip install '.[async]'" in message
    assert "aiohttp" in message
