"""The two distributions' build files agree with each other and with the code (fast checks,
without building anything)."""

from __future__ import annotations

import sys
from pathlib import Path

import notifications_python_client

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
EMULATOR = ROOT / "packages" / "notify-emulator"


def project(path: Path) -> dict[str, object]:
    table = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    assert isinstance(table, dict)
    return table


def test_both_distributions_carry_the_clients_version() -> None:
    client = project(ROOT / "pyproject.toml")
    emulator = project(EMULATOR / "pyproject.toml")
    assert client["version"] == emulator["version"] == notifications_python_client.__version__


def test_the_emulator_ships_the_repositorys_licence() -> None:
    assert (EMULATOR / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()


def test_the_commands_and_the_plugin_are_declared_once() -> None:
    client = project(ROOT / "pyproject.toml")
    emulator = project(EMULATOR / "pyproject.toml")
    assert client["scripts"] == {"notify": "notifications_python_client.cli:main"}
    assert emulator["scripts"] == {"notify-emulator": "notify_emulator.cli:main"}
    assert "entry-points" not in client
    assert emulator["entry-points"] == {
        "pytest11": {"notify_emulator": "notify_emulator.pytest_plugin"}
    }
