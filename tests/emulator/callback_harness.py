"""Helpers for the callback tests: a real emulator on loopback with fast callback timings, and
a real receiver on loopback that its callbacks go to."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.callbacks import CallbackReceiver
from notify_emulator.clock import Clock, SystemClock
from notify_emulator.demo import service as demo
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.settings import Settings

from ..emulators import emulator_settings, serve_emulator

TOKEN = "callback-token-0123456789"
CALLBACK_TYPES = ("delivery_status", "inbound_sms", "returned_letter")
FAST_DELAYS = DeliveryDelays(
    sending=timedelta(milliseconds=5),
    final=timedelta(milliseconds=10),
    virus_scan=timedelta(milliseconds=1),
)
WAIT_SECONDS = 15.0
LETTER_ADDRESS = {
    "name": "Ada",
    "address_line_1": "Ada Lovelace",
    "address_line_2": "1 Road",
    "postcode": "SW1A 1AA",
}


def fast_settings(database_url: str, *, clock: Clock | None = None, **changes: Any) -> Settings:
    """Settings with statuses and callbacks near instant, on the real clock unless given one
    (tests change what they need)."""
    values: dict[str, Any] = {
        "callback_delay": 0.0,
        "callback_retry_delay": 0.02,
        "callback_timeout": 0.5,
    }
    values.update(changes)
    return emulator_settings(
        database_url,
        clock=clock if clock is not None else SystemClock(),
        delivery_delays=FAST_DELAYS,
        **values,
    )


@dataclass
class Served:
    """A running emulator."""

    base_url: str

    def client(self, api_key: str = demo.LIVE_API_KEY) -> NotificationsAPIClient:
        return NotificationsAPIClient(api_key, base_url=self.base_url, max_retries=0)

    def admin(self, method: str, path: str, **options: Any) -> requests.Response:
        return requests.request(method, self.base_url + path, timeout=10, **options)

    def set_callbacks(
        self, url: str, *, types: tuple[str, ...] = CALLBACK_TYPES, token: str = TOKEN
    ) -> None:
        for kind in types:
            answer = self.admin(
                "POST",
                f"/_emulator/services/{demo.SERVICE_ID}/callbacks",
                json={"type": kind, "url": url, "bearer_token": token},
            )
            assert answer.status_code == 200, answer.text

    def callbacks(self, **filters: str) -> list[dict[str, Any]]:
        answer = self.admin("GET", "/_emulator/callbacks", params=filters)
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["callbacks"]
        return items

    def wait_until(
        self, predicate: Any, *, what: str, timeout: float = WAIT_SECONDS, **filters: str
    ) -> list[dict[str, Any]]:
        """Poll the outbox until ``predicate(callbacks)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            items = self.callbacks(**filters)
            if predicate(items):
                return items
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {items}")
            time.sleep(0.01)

    def wait_settled(self, count: int, **filters: str) -> list[dict[str, Any]]:
        return self.wait_until(
            lambda items: len(items) >= count and all(i["state"] != "pending" for i in items),
            what=f"{count} settled callback(s)",
            **filters,
        )

    def wait_for_status(self, notification_id: str, status: str) -> dict[str, Any]:
        client = self.client()
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            notification = dict(client.get_notification_by_id(notification_id))
            if notification["status"] == status:
                return notification
            if time.monotonic() > deadline:
                raise AssertionError(f"{notification_id} stayed {notification['status']}")
            time.sleep(0.01)


@contextmanager
def serving(settings: Settings) -> Iterator[Served]:
    with serve_emulator(settings) as server:
        yield Served(base_url=server.base_url)


@contextmanager
def receiving(served: Served, *answers: Any) -> Iterator[CallbackReceiver]:
    """A receiver set as every callback of the demo service."""
    with CallbackReceiver() as receiver:
        receiver.respond_with(*answers)
        served.set_callbacks(receiver.url)
        yield receiver
