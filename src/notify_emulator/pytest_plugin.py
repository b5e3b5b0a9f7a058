"""pytest fixtures for testing a GOV.UK Notify integration against a local emulator.

The plugin is registered through the ``pytest11`` entry point, so it is loaded by every pytest
run in an environment where this package is installed. It therefore starts nothing and imports
nothing heavy until a test asks for the ``notify_emulator`` fixture.
"""

from __future__ import annotations

import pytest

#: The ini option naming a seed file (relative to the rootdir) to load instead of the demo service.
CONFIG_INI_OPTION = "notify_emulator_config"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``notify_emulator_config`` ini option."""
    parser.addini(
        CONFIG_INI_OPTION,
        help="TOML seed file for the notify_emulator fixture, relative to the rootdir "
        "(default: the emulator's demo service)",
        default="",
    )
