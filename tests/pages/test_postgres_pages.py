"""The inbox on PostgreSQL: keyset pages, search and the change log; runs only when
NOTIFY_EMULATOR_TEST_POSTGRES_URL is set (the database it names is emptied)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.pages.inbox import PAGE_SIZE
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from notify_emulator.store import Store, tables
from notify_emulator.store.engine import create_database_engine
from notify_emulator.store.inbox import events_after, latest_event_seq

from .test_events import events, open_stream

POSTGRES_URL = os.environ.get("NOTIFY_EMULATOR_TEST_POSTGRES_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY_EMULATOR_TEST_POSTGRES_URL is not set"),
]


def _empty_database() -> None:
    engine = create_database_engine(POSTGRES_URL)
    tables.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def served() -> Iterator[tuple[str, FrozenClock, Store]]:
    _empty_database()
    clock = FrozenClock(datetime.now(timezone.utc))
    settings = Settings(
        database_url=POSTGRES_URL,
        clock=clock,
        log_requests=False,
        delivery_delays=DeliveryDelays.instant(),
    )
    app = create_app(settings)
    with BackgroundServer(app) as server:
        yield server.base_url, clock, app.state.emulator.store
    _empty_database()


def ids(page: requests.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return re.findall(r'data-notification-id="([0-9a-f-]+)"', page.text)


def test_pages_search_and_events_on_postgres(
    served: tuple[str, FrozenClock, Store],
) -> None:
    base_url, clock, _ = served
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url, max_retries=0)
    sent = []
    for n in range(PAGE_SIZE + 3):
        sent.append(
            client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": f"P{n}"})[
                "id"
            ]
        )
        if n % 2:
            clock.advance(0.001)  # pairs share a created_at: the id breaks the tie
    first = requests.get(base_url + "/", timeout=10)
    older = re.search(r'href="(/\?older_than=[0-9a-f-]+)" rel="next"', first.text)
    assert older is not None
    second = requests.get(base_url + older.group(1), timeout=10)
    # Every notification once, across the pages, even where created_at ties.
    assert len(ids(first)) == PAGE_SIZE
    assert not set(ids(first)) & set(ids(second))
    assert sorted(ids(first) + ids(second)) == sorted(sent)
    assert ids(first)[0] in sent[-2:]
    assert ids(requests.get(base_url + "/", params={"q": "Hello P7,"}, timeout=10)) == [sent[7]]

    # PostgreSQL refuses NUL in text: such an address is a clear 400, never a 500.
    assert requests.get(base_url + "/?service_id=%00", timeout=10).status_code == 400
    assert requests.get(base_url + "/?q=%00", timeout=10).status_code == 400
    assert requests.get(base_url + "/conversations/%00", timeout=10).status_code == 400
    assert requests.get(base_url + "/received-texts?service_id=%00", timeout=10).status_code == 400

    with open_stream(base_url) as response:
        stream = events(response)
        text = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "E"})
        kind, data = next(stream)[1:]
        assert (kind, data["id"]) == ("notification", text["id"])


def test_the_change_log_goes_on_after_a_reset_on_postgres(
    served: tuple[str, FrozenClock, Store],
) -> None:
    base_url, _, store = served
    client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=base_url, max_retries=0)
    client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
    before = latest_event_seq(store)
    assert requests.post(base_url + "/_emulator/reset", timeout=10).ok
    log = events_after(store, 0, limit=10)
    assert [event.kind for event in log] == ["reset"]
    assert log[0].seq > before
