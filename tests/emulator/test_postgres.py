"""The same store on PostgreSQL; runs only when NOTIFY_EMULATOR_TEST_POSTGRES_URL is set.

The database it names is emptied: give it one kept for these tests.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine

from notifications_python_client.errors import NotFoundError
from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.server import BackgroundServer
from notify_emulator.store import tables
from notify_emulator.store.engine import create_database_engine

from ..emulators import emulator_settings, serve_emulator

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL is not set"),
]


@pytest.fixture
def postgres_url() -> str:
    engine = create_database_engine(POSTGRES_URL)
    tables.metadata.drop_all(engine)
    engine.dispose()
    return POSTGRES_URL


def serve(url: str, clock: FrozenClock) -> AbstractContextManager[BackgroundServer]:
    return serve_emulator(emulator_settings(url, clock=clock))


def test_send_list_and_restart(postgres_url: str) -> None:
    clock = FrozenClock(datetime.now(timezone.utc))
    with serve(postgres_url, clock) as server:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url, max_retries=0)
        sms = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        clock.advance(0.001)
        email = client.send_email_notification(
            "a@example.com", demo.EMAIL_TEMPLATE_ID, {"name": "B"}
        )
        with pytest.raises(NotFoundError):
            client.get_notification_by_id("00000000-0000-4000-8000-000000000000")
    with serve(postgres_url, clock) as server:  # seeding again is idempotent
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url, max_retries=0)
        listed = client.get_all_notifications()["notifications"]
        assert [n["id"] for n in listed] == [email["id"], sms["id"]]
        assert [n["status"] for n in listed] == ["delivered", "delivered"]
        page = client.get_all_notifications(status="delivered", template_type="sms")
        assert [n["id"] for n in page["notifications"]] == [sms["id"]]
        assert client.get_template(demo.LETTER_TEMPLATE_ID)["postage"] == "second"


def test_unreachable_postgres_is_a_database_error() -> None:
    from notify_emulator.store import DatabaseError, Store

    engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
    port = engine.url.port
    engine.dispose()
    unused = POSTGRES_URL.replace(f":{port}/", ":1/") if port else POSTGRES_URL + "-nowhere"
    with pytest.raises(DatabaseError, match="cannot use the database"):
        Store.open(unused, FrozenClock())
