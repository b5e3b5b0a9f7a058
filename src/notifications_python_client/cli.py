"""The ``notify`` command: GOV.UK Notify from the shell, thin over the client.

``main`` is the console-script entry point declared in ``pyproject.toml``; the commands
live in ``notifications_python_client._cli``.
"""

from __future__ import annotations

import sys

# The command's own libraries come with the client's `cli` extra. The console script is
# installed without it too, so a missing one gets a sentence saying what to install instead
# of a traceback.
_CLI_LIBRARIES = frozenset({"click", "rich"})

try:
    from notifications_python_client._cli.app import notify
except ModuleNotFoundError as error:
    if error.name not in _CLI_LIBRARIES:
        raise
    _missing: str | None = error.name
else:
    _missing = None

__all__ = ["main", "notify"]


def main() -> None:
    """Run ``notify`` with the process's command line."""
    if _missing is not None:
        sys.exit(
            f"notify: this command needs the client's cli extra ({_missing} is not installed): "
            "pip install 'notifications-python-client[cli]'"
        )
    notify.main(prog_name="notify")


if __name__ == "__main__":
    main()
