"""Fixtures: the fake Notify server (see ``fakenotify``) and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from notifications_python_client import NotificationsAPIClient

from .fakenotify import API_KEY, CLIENT_KINDS, Caller, FakeNotify, close_client, make_client


@pytest.fixture
def notify() -> Iterator[FakeNotify]:
    server = FakeNotify()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sync_client(notify: FakeNotify) -> Iterator[NotificationsAPIClient]:
    with NotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0) as client:
        yield client


@pytest.fixture(params=CLIENT_KINDS)
async def call(request: pytest.FixtureRequest, notify: FakeNotify) -> AsyncIterator[Caller]:
    """Either client (no retries) pointed at the fake server, behind one calling convention."""
    client = make_client(request.param, notify.url, max_retries=0)
    try:
        yield Caller(request.param, client)
    finally:
        await close_client(client)
