"""Pickling and copying a client, which the official client (a plain object) allows.

A copy has the same configuration, its own token cache and lock, and its own connections
(a session the client made is never shared); a session passed in stays the caller's.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
import requests

from notifications_python_client import NotificationsAPIClient
from notifications_python_client._core import RetryPolicy
from notifications_python_client.aio import AsyncNotificationsAPIClient

from .fakenotify import API_KEY, SECRET, SERVICE_ID, TEMPLATE_ID, FakeNotify, Reply

POLICY = RetryPolicy(max_retries=0)


def _pickled(client: Any) -> Any:
    return pickle.loads(pickle.dumps(client))


COPIERS: dict[str, Callable[[Any], Any]] = {
    "pickle": _pickled,
    "deepcopy": copy.deepcopy,
    "copy": copy.copy,
}


class SubclassWithState(NotificationsAPIClient):
    """Code written for the official client subclasses it and keeps its own attributes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []


@pytest.mark.parametrize("how", COPIERS)
def test_a_copy_of_the_sync_client_sends_on_its_own_connections(
    how: str, notify: FakeNotify
) -> None:
    notify.queue(*(Reply(200, {"id": TEMPLATE_ID}) for _ in range(4)))
    with NotificationsAPIClient(
        API_KEY, base_url=notify.url, timeout=7, retry_policy=POLICY
    ) as client:
        client.get_template(TEMPLATE_ID)
        duplicate = COPIERS[how](client)
        with duplicate:
            assert type(duplicate) is NotificationsAPIClient
            assert (duplicate.base_url, duplicate.service_id, duplicate.api_key) == (
                notify.url,
                SERVICE_ID,
                SECRET,
            )
            assert (duplicate.timeout, duplicate.retry_policy) == (7, POLICY)
            assert duplicate.request_session is not client.request_session
            assert duplicate._core is not client._core
            assert duplicate._core.tokens._lock is not client._core.tokens._lock
            assert duplicate.get_template(TEMPLATE_ID) == {"id": TEMPLATE_ID}
            assert SECRET not in repr(duplicate)
            assert repr(duplicate) == repr(client)
        # Closing the copy leaves the original's connections alone.
        assert client.get_template(TEMPLATE_ID) == {"id": TEMPLATE_ID}
        client.get_template(TEMPLATE_ID)

    ports = [received.client_port for received in notify.requests]
    assert ports[0] == ports[2] == ports[3]
    assert ports[1] != ports[0]
    assert notify.requests[1].claims()["iss"] == SERVICE_ID


@pytest.mark.parametrize("how", COPIERS)
def test_a_copy_is_configured_apart_from_the_original(how: str) -> None:
    with NotificationsAPIClient(API_KEY, base_url="http://one.invalid") as client:
        duplicate = COPIERS[how](client)
        duplicate.base_url = "http://two.invalid"
        duplicate.timeout = 3
        assert (client.base_url, client.timeout) == ("http://one.invalid", 30)
        assert vars(duplicate)["base_url"] == "http://two.invalid"
        duplicate.close()


@pytest.mark.parametrize("how", COPIERS)
def test_a_subclass_keeps_its_own_attributes(how: str) -> None:
    client = SubclassWithState(API_KEY)
    client.sent.append("a")
    duplicate = COPIERS[how](client)
    assert type(duplicate) is SubclassWithState
    assert duplicate.sent == ["a"]
    if how != "copy":
        assert duplicate.sent is not client.sent
    client.close()
    duplicate.close()


def test_copies_of_a_client_with_a_session_passed_in(notify: FakeNotify) -> None:
    session = requests.Session()
    session.headers["X-Request-Source"] = "caller's session"
    client = NotificationsAPIClient(API_KEY, base_url=notify.url, session=session)

    # The caller's session stays the caller's: a copy sends through it and never closes it.
    for duplicate in (copy.copy(client), copy.deepcopy(client)):
        assert duplicate.request_session is session
        duplicate.close()
    # Pickled, it goes with the client (requests pickles a session's settings).
    unpickled = _pickled(client)
    assert unpickled.request_session is not session
    notify.queue(Reply(200, {}))
    unpickled.get_template(TEMPLATE_ID)
    assert notify.last.headers["x-request-source"] == "caller's session"
    unpickled.request_session.close()
    session.close()


@pytest.mark.parametrize("how", COPIERS)
def test_a_copy_of_the_async_client_works_on_a_loop_of_its_own(
    how: str, notify: FakeNotify
) -> None:
    notify.queue(Reply(200, {"id": TEMPLATE_ID}), Reply(200, {"id": TEMPLATE_ID}))
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, retry_policy=POLICY)
    assert asyncio.run(client.get_template(TEMPLATE_ID)) == {"id": TEMPLATE_ID}

    duplicate = COPIERS[how](client)

    assert type(duplicate) is AsyncNotificationsAPIClient
    assert vars(duplicate)["api_key"] == SECRET
    assert duplicate.retry_policy == POLICY
    assert duplicate._sessions is not client._sessions
    assert asyncio.run(duplicate.get_template(TEMPLATE_ID)) == {"id": TEMPLATE_ID}


async def test_an_async_client_copied_while_it_has_a_session(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {}), Reply(200, {}))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        await client.get_template(TEMPLATE_ID)
        async with copy.deepcopy(client) as duplicate:
            await duplicate.get_template(TEMPLATE_ID)
            assert duplicate._session is not client._session
    assert notify.requests[0].client_port != notify.requests[1].client_port


async def test_an_async_client_with_a_session_passed_in() -> None:
    async with aiohttp.ClientSession() as session:
        client = AsyncNotificationsAPIClient(API_KEY, session=session)
        assert copy.copy(client)._session is session
        assert copy.deepcopy(client)._session is session
        # An aiohttp session belongs to its process and loop: it cannot go with a pickle.
        with pytest.raises(TypeError, match="session passed in"):
            pickle.dumps(client)
