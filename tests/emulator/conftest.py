"""Fixtures for the emulator's tests: one real server per session, reset before each test.

The server runs uvicorn on loopback in a thread, over a SQLite file, with a frozen clock the
tests move (kept near real time, because the client signs tokens with the real clock).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.demo.service import demo_seed
from notify_emulator.seed import parse_seed_text
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from notify_emulator.store import apply_seed

from .emulator_harness import EXTRA_SERVICES_TOML, TEST_DELAYS, TEST_PAGE_SIZE, Running


@pytest.fixture(scope="session")
def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    database = Path(tmp_path_factory.mktemp("emulator")) / "emulator.sqlite3"
    clock = FrozenClock(datetime.now(timezone.utc))
    settings = Settings(
        database_url=f"sqlite:///{database}",
        clock=clock,
        page_size=TEST_PAGE_SIZE,
        delivery_delays=TEST_DELAYS,
        log_requests=False,
    )
    app = create_app(settings)
    with BackgroundServer(app) as server:
        running = Running(base_url=server.base_url, clock=clock, emulator=app.state.emulator)
        running.load_config(EXTRA_SERVICES_TOML)
        yield running


@pytest.fixture
def emulator(_server: Running) -> Running:
    """The running emulator, emptied of notifications and texts, clock set to now, and its
    services as seeded (tests may change them through the config route)."""
    _server.clock.set(datetime.now(timezone.utc))
    response = requests.post(_server.base_url + "/_emulator/reset", timeout=10)
    assert response.status_code == 200
    apply_seed(_server.emulator.store, demo_seed())
    apply_seed(_server.emulator.store, parse_seed_text(EXTRA_SERVICES_TOML, source="tests"))
    return _server
