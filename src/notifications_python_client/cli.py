"""The ``notify`` command: GOV.UK Notify from the shell, thin over the client.

``main`` is the console-script entry point declared in ``pyproject.toml``; the commands
live in ``notifications_python_client._cli``.
"""

from __future__ import annotations

from notifications_python_client._cli.app import notify

__all__ = ["main", "notify"]


def main() -> None:
    """Run ``notify`` with the process's command line."""
    notify.main(prog_name="notify")


if __name__ == "__main__":
    main()
