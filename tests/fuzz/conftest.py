"""The apps the fuzz tests drive: one on SQLite, and one on PostgreSQL when
NOTIFY_EMULATOR_TEST_POSTGRES_URL is set (the database it names is emptied)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from starlette.applications import Starlette

from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.settings import Settings
from notify_emulator.store import tables
from notify_emulator.store.engine import create_database_engine

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")


@pytest.fixture(
    scope="module",
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL"),
            ],
        ),
    ],
)
def fuzzed_app(request: pytest.FixtureRequest) -> Iterator[Starlette]:
    """The emulator with its demo service, on a frozen clock (so that no status moves on by
    itself between two snapshots of the store)."""
    if request.param == "postgres":
        engine = create_database_engine(POSTGRES_URL)
        tables.metadata.drop_all(engine)
        engine.dispose()
        url = POSTGRES_URL
    else:
        url = "sqlite:///:memory:"
    settings = Settings(
        database_url=url, clock=FrozenClock(datetime.now(timezone.utc)), log_requests=False
    )
    app = create_app(settings)
    yield app
    app.state.emulator.store.close()
