"""Fixtures every part of the suite may use (see tests/emulators.py for what they give).

The client's own tests run without the emulator installed (nox), so nothing of the emulator is
imported until a fixture that needs it is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from starlette.testclient import TestClient

    from notify_emulator.store import Store


@pytest.fixture
def fresh_store(tmp_path: Path) -> Iterator[Store]:
    """An empty, migrated store on its own SQLite file, closed after the test."""
    from . import emulators

    with emulators.fresh_store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        yield store


@pytest.fixture
def app_client() -> Iterator[TestClient]:
    """The emulator in-process, with the demo service, over a fresh in-memory database."""
    from . import emulators

    with emulators.app_client() as client:
        yield client
