"""The same store on PostgreSQL; runs only when NOTIFY_EMULATOR_TEST_POSTGRES_URL is set.

The database it names is emptied: give it one kept for these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from notifications_python_client.errors import NotFoundError, ResponseNotReceivedError
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


def test_faults_and_the_clock_are_shared_through_postgres(postgres_url: str) -> None:
    import threading

    import requests

    clock = FrozenClock(datetime.now(timezone.utc))
    with serve(postgres_url, clock) as first, serve(postgres_url, clock) as second:
        added = requests.post(
            first.base_url + "/_emulator/faults",
            json={"match": {"path": "/_status"}, "action": {"status": 503}, "times": 5},
            timeout=10,
        )
        assert added.status_code == 201
        codes: list[int] = []
        lock = threading.Lock()

        def hit(url: str) -> None:
            code = requests.get(url + "/_status", timeout=10).status_code
            with lock:
                codes.append(code)

        threads = [
            threading.Thread(target=hit, args=(url,))
            for url in [first.base_url, second.base_url] * 10
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(codes) == [200] * 15 + [503] * 5

        moved = requests.post(
            second.base_url + "/_emulator/clock", json={"advance_seconds": 86_400}, timeout=10
        )
        assert moved.json()["offset_seconds"] == 86_400
        assert requests.get(first.base_url + "/_emulator/clock", timeout=10).json() == moved.json()

        requests.post(
            first.base_url + "/_emulator/faults",
            json={"match": {"path": "/v2/notifications/sms"}, "action": {"drop": "after"}},
            timeout=10,
        )
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=second.base_url, max_retries=0)
        with pytest.raises(ResponseNotReceivedError):
            client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        (stored,) = client.get_all_notifications()["notifications"]
        # Made at the emulator's time, a day ahead of the real one.
        assert stored["created_at"] == (clock.now() + timedelta(days=1)).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )


def test_a_fault_times_fits_postgres_integer_column(postgres_url: str) -> None:
    import requests

    clock = FrozenClock(datetime.now(timezone.utc))
    with serve(postgres_url, clock) as server:
        url = server.base_url + "/_emulator/faults"
        too_many = requests.post(url, json={"action": {"status": 503}, "times": 2**31}, timeout=10)
        assert too_many.status_code == 400
        assert too_many.json()["error"] == "times must be at most 2147483647"
        largest = requests.post(
            url, json={"action": {"status": 503}, "times": 2**31 - 1}, timeout=10
        )
        assert largest.status_code == 201
        (listed,) = requests.get(url, timeout=10).json()["faults"]
        assert listed["remaining"] == 2**31 - 1


@pytest.fixture
def linguistic_postgres_url() -> Iterator[str]:
    """A database of the test server whose collation sorts as most PostgreSQL installs do
    (en-US, which puts "Ref email" before "Ref SMS"), dropped afterwards."""
    server = make_url(POSTGRES_URL)
    name = f"{server.database}_en_us"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(
            text(
                f'CREATE DATABASE "{name}" TEMPLATE template0 '
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        )
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_templates_list_in_code_point_order_whatever_the_databases_collation(
    linguistic_postgres_url: str,
) -> None:
    clock = FrozenClock(datetime.now(timezone.utc))
    with serve(linguistic_postgres_url, clock) as server:
        for name in ("Ref letter", "Ref SMS", "Ref email"):
            answer = requests.post(
                server.base_url + f"/_emulator/services/{demo.SERVICE_ID}/templates",
                json={"type": "sms", "name": name, "body": "Hello"},
                timeout=10,
            )
            assert answer.status_code == 201, answer.text
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url, max_retries=0)
        names = [template["name"] for template in client.get_all_templates("sms")["templates"]]
    # As on SQLite, and as the reference Notify API lists them.
    assert [name for name in names if name.startswith("Ref ")] == [
        "Ref SMS",
        "Ref email",
        "Ref letter",
    ]
