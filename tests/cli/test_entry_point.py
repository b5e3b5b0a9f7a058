"""The ``notify`` console script and the module's public names."""

from __future__ import annotations

from importlib.metadata import entry_points

from notifications_python_client import cli


def test_the_console_script_runs_main() -> None:
    (script,) = [item for item in entry_points(group="console_scripts") if item.name == "notify"]

    assert script.value == "notifications_python_client.cli:main"
    assert script.load() is cli.main


def test_the_public_names() -> None:
    assert sorted(cli.__all__) == ["main", "notify"]
