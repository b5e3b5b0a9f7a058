"""Fixtures for the web inbox's tests: one real server per session over a SQLite file, with a
service of its own, emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.server import BackgroundServer
from notify_emulator.settings import Settings
from tests.emulator.emulator_harness import TEST_DELAYS, Running

PAGES_SERVICE_ID = "77777777-7777-4777-8777-777777777777"
PAGES_LIVE_SECRET = "77777777-aaaa-4aaa-8aaa-000000000001"
PAGES_TEST_SECRET = "77777777-aaaa-4aaa-8aaa-000000000002"
PAGES_SMS_TEMPLATE_ID = "77777777-bbbb-4bbb-8bbb-000000000001"
PAGES_EMAIL_TEMPLATE_ID = "77777777-bbbb-4bbb-8bbb-000000000002"
PAGES_LETTER_TEMPLATE_ID = "77777777-bbbb-4bbb-8bbb-000000000003"
PAGES_LIVE_KEY = f"live-{PAGES_SERVICE_ID}-{PAGES_LIVE_SECRET}"
PAGES_TEST_KEY = f"test-{PAGES_SERVICE_ID}-{PAGES_TEST_SECRET}"

PAGES_TOML = f"""
[[services]]
id = "{PAGES_SERVICE_ID}"
name = "Pages Service"
prefix_sms = true
inbound_number = "07700900888"
  [[services.api_keys]]
  name = "live"
  secret = "{PAGES_LIVE_SECRET}"
  [[services.api_keys]]
  name = "test"
  type = "test"
  secret = "{PAGES_TEST_SECRET}"
  [[services.email_reply_to]]
  email_address = "replies@pages.example.gov.uk"
  is_default = true
  [[services.templates]]
  id = "{PAGES_SMS_TEMPLATE_ID}"
  name = "Pages text"
  type = "sms"
  body = "Your code is ((code)) – don’t share it"
  [[services.templates]]
  id = "{PAGES_EMAIL_TEMPLATE_ID}"
  name = "Pages email"
  type = "email"
  subject = "Your ((thing)) is ready"
  body = "# Your ((thing))\\n\\nHello ((name)),\\n\\n* first point\\n* second point\\n\\nSee https://www.example.gov.uk/thing"
  unsubscribe_link = true
  [[services.templates]]
  id = "{PAGES_LETTER_TEMPLATE_ID}"
  name = "Pages letter"
  type = "letter"
  subject = "About ((name))"
  body = "Dear ((name)),\\n\\nThis is a letter."
"""


@pytest.fixture(scope="session")
def _pages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    database = Path(tmp_path_factory.mktemp("pages")) / "pages.sqlite3"
    clock = FrozenClock(datetime.now(timezone.utc))
    settings = Settings(
        database_url=f"sqlite:///{database}",
        clock=clock,
        delivery_delays=TEST_DELAYS,
        log_requests=False,
    )
    app = create_app(settings)
    with BackgroundServer(app) as server:
        running = Running(base_url=server.base_url, clock=clock, emulator=app.state.emulator)
        running.load_config(PAGES_TOML)
        yield running


@pytest.fixture
def emulator(_pages_server: Running) -> Running:
    """The running emulator, emptied of messages, its clock at now."""
    _pages_server.clock.set(datetime.now(timezone.utc))
    response = requests.post(_pages_server.base_url + "/_emulator/reset", timeout=10)
    assert response.status_code == 200
    return _pages_server


def get(emulator: Running, path: str, **params: object) -> requests.Response:
    """GET a page."""
    return requests.get(emulator.base_url + path, params=params or None, timeout=10)
