"""Ways for any test to get a real emulator: settings for a fresh one, a real server on loopback,
an in-process HTTP client over the ASGI app, and a fresh store.

Everything here is real: a real SQLite database (a file, or ``:memory:``), the real app, uvicorn
on a free loopback port. Tests pick the cheapest that proves their point: ``app_client`` for an
HTTP exchange, ``serve_emulator`` when a real socket matters (the client, restarts, logging).
``demo_text`` is a text of the demo service to put straight into a store;
``newsletter_template`` an email template of the demo service with the unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import requests
from starlette.testclient import TestClient

from notify_emulator.app import create_app
from notify_emulator.clock import Clock, FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from notify_emulator.store import Store

IN_MEMORY = "sqlite:///:memory:"


def demo_text(notification_id: str, created_at: datetime, **fields: Any) -> dict[str, Any]:
    """The stored values of a text the demo service sent with a live key (delivered, unless
    ``fields`` say otherwise), for ``Store.insert_notification``."""
    return {
        "id": notification_id,
        "service_id": demo.SERVICE_ID,
        "key_type": "normal",
        "notification_type": "sms",
        "template_id": demo.SMS_TEMPLATE_ID,
        "template_version": 1,
        "recipient": "07700900123",
        "personalisation": {"name": "Bo"},
        "status": "delivered",
        "created_at": created_at,
        **fields,
    }


def emulator_settings(
    database_url: str = IN_MEMORY,
    *,
    clock: Clock | None = None,
    delivery_delays: DeliveryDelays | None = None,
    **overrides: Any,
) -> Settings:
    """Settings for a quiet test emulator: instant statuses unless told otherwise."""
    return Settings(
        database_url=database_url,
        clock=clock if clock is not None else FrozenClock(datetime.now(timezone.utc)),
        log_requests=overrides.pop("log_requests", False),
        delivery_delays=delivery_delays
        if delivery_delays is not None
        else DeliveryDelays.instant(),
        **overrides,
    )


@contextmanager
def serve_emulator(settings: Settings | None = None) -> Iterator[BackgroundServer]:
    """A real emulator server on a free loopback port, stopped (and its store closed) on exit."""
    with BackgroundServer(create_app(settings or emulator_settings())) as server:
        yield server


@contextmanager
def app_client(settings: Settings | None = None) -> Iterator[TestClient]:
    """An HTTP client that calls the emulator's ASGI app in-process (its lifespan included)."""
    app = create_app(settings or emulator_settings())
    with TestClient(app, base_url="http://localhost:6011") as client:
        yield client


@contextmanager
def fresh_store(database_url: str = IN_MEMORY, clock: Clock | None = None) -> Iterator[Store]:
    """A newly migrated, empty store that is always closed."""
    store = Store.open(database_url, clock or FrozenClock(datetime.now(timezone.utc)))
    try:
        yield store
    finally:
        store.close()


def newsletter_template(base_url: str, name: str = "Newsletter") -> str:
    """A new email template of the demo service with the unsubscribe link option; its id."""
    answer = requests.post(
        f"{base_url}/_emulator/services/{demo.SERVICE_ID}/templates",
        json={
            "name": name,
            "type": "email",
            "subject": "News",
            "body": "Hello",
            "unsubscribe_link": True,
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])
