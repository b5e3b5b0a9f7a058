"""One async client used from more than one event loop: a session per loop, none left open."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import warnings

import aiohttp

from notifications_python_client.aio import AsyncNotificationsAPIClient

from .fakenotify import API_KEY, TEMPLATE_ID, FakeNotify, Reply


def _templates(notify: FakeNotify, count: int) -> None:
    notify.queue(*(Reply(200, {"id": TEMPLATE_ID}) for _ in range(count)))


async def _current_session(client: AsyncNotificationsAPIClient) -> aiohttp.ClientSession:
    session = client._session
    assert session is not None
    return session


def _no_resource_warnings_after_collecting() -> list[str]:
    """What a garbage collection warns about: unclosed sessions, connectors or transports."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [str(warning.message) for warning in caught]


def test_the_same_client_works_in_one_asyncio_run_after_another(notify: FakeNotify) -> None:
    _templates(notify, 4)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)

    async def twice() -> list[object]:
        return [await client.get_template(TEMPLATE_ID), await client.get_template(TEMPLATE_ID)]

    first = asyncio.run(twice())
    second = asyncio.run(twice())

    assert first == second == [{"id": TEMPLATE_ID}] * 2
    # Within one loop the connection is kept; each loop has its own.
    ports = [received.client_port for received in notify.requests]
    assert ports[0] == ports[1]
    assert ports[2] == ports[3]
    assert ports[0] != ports[2]
    assert _no_resource_warnings_after_collecting() == []


def test_the_session_of_a_finished_asyncio_run_is_closed_when_its_loop_shuts_down(
    notify: FakeNotify,
) -> None:
    _templates(notify, 1)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    sessions: list[aiohttp.ClientSession] = []

    async def once() -> None:
        await client.get_template(TEMPLATE_ID)
        session = client._session
        assert session is not None
        sessions.append(session)

    asyncio.run(once())  # never closed by the caller

    assert sessions[0].closed
    assert _no_resource_warnings_after_collecting() == []


def test_async_with_in_each_of_two_loops(notify: FakeNotify) -> None:
    _templates(notify, 2)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)

    async def with_block() -> object:
        async with client:
            return await client.get_template(TEMPLATE_ID)

    assert asyncio.run(with_block()) == asyncio.run(with_block()) == {"id": TEMPLATE_ID}
    assert _no_resource_warnings_after_collecting() == []


def test_a_loop_driven_by_hand_closes_the_session_when_it_shuts_down(notify: FakeNotify) -> None:
    _templates(notify, 2)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(client.get_template(TEMPLATE_ID)) == {"id": TEMPLATE_ID}
        session = loop.run_until_complete(_current_session(client))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()

    assert session.closed
    assert asyncio.run(client.get_template(TEMPLATE_ID)) == {"id": TEMPLATE_ID}
    assert _no_resource_warnings_after_collecting() == []


def test_a_loop_closed_without_shutting_down_is_dropped_for_a_new_session(
    notify: FakeNotify,
) -> None:
    # Closed without ``shutdown_asyncgens``: the session cannot be closed on its loop any more.
    # The next loop the client is used on drops it, marked closed, and makes its own.
    _templates(notify, 2)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.get_template(TEMPLATE_ID))
        session = loop.run_until_complete(_current_session(client))
    finally:
        loop.close()

    assert asyncio.run(client.get_template(TEMPLATE_ID)) == {"id": TEMPLATE_ID}
    assert session.closed
    del loop, session
    # asyncio itself warns of the socket its closed loop never closed; neither the session nor
    # its connector is reported unclosed, and nothing tries to use the closed loop.
    assert [
        message
        for message in _no_resource_warnings_after_collecting()
        if "socket" not in message and "transport" not in message
    ] == []


def test_a_client_dropped_after_its_loop_was_closed_by_hand_raises_nothing(
    notify: FakeNotify,
) -> None:
    _templates(notify, 1)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(client.get_template(TEMPLATE_ID))
    finally:
        loop.close()
    unraisable: list[object] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        del client, loop
        _no_resource_warnings_after_collecting()
    finally:
        sys.unraisablehook = previous_hook

    assert unraisable == []


def test_loops_in_two_threads_share_one_client(notify: FakeNotify) -> None:
    _templates(notify, 6)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    answers: list[object] = []
    failures: list[BaseException] = []

    def run() -> None:
        async def three() -> None:
            for _ in range(3):
                answers.append(await client.get_template(TEMPLATE_ID))

        try:
            asyncio.run(three())
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert answers == [{"id": TEMPLATE_ID}] * 6
    assert _no_resource_warnings_after_collecting() == []


async def test_one_loop_keeps_one_session(notify: FakeNotify) -> None:
    _templates(notify, 2)
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        await client.get_template(TEMPLATE_ID)
        first = client._session
        await client.get_template(TEMPLATE_ID)
        assert client._session is first


async def test_close_then_use_again_in_the_same_loop(notify: FakeNotify) -> None:
    _templates(notify, 2)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url)
    await client.get_template(TEMPLATE_ID)
    first = client._session
    await client.close()
    assert first is not None
    assert first.closed
    await client.get_template(TEMPLATE_ID)
    assert client._session is not first
    await client.close()


async def test_a_client_dropped_without_closing_has_its_session_closed_on_its_loop(
    notify: FakeNotify,
) -> None:
    _templates(notify, 1)
    client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0)
    await client.get_template(TEMPLATE_ID)
    session = await _current_session(client)

    del client
    gc.collect()
    for _ in range(100):
        if session.closed:
            break
        await asyncio.sleep(0.01)

    assert session.closed
