"""What only the async client has: owning or borrowing its aiohttp session."""

from __future__ import annotations

import aiohttp
import pytest

from notifications_python_client.aio import AsyncNotificationsAPIClient
from notifications_python_client.errors import ResponseNotReceivedError

from .fakenotify import API_KEY, SECRET, TEMPLATE_ID, FakeNotify, Reply


async def test_async_with_owns_and_closes_the_session(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"templates": []}), Reply(200, {"templates": []}))

    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        await client.get_all_templates()
        await client.get_all_templates("sms")
        session = client._session
        assert session is not None

    assert session.closed
    assert [r.query for r in notify.requests] == [{}, {"type": ["sms"]}]


async def test_a_session_passed_in_is_used_and_left_open(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"id": TEMPLATE_ID}))
    async with aiohttp.ClientSession() as session:
        client = AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, session=session)
        template: object = await client.get_template(TEMPLATE_ID)
        assert template == {"id": TEMPLATE_ID}
        await client.close()
        assert not session.closed


async def test_generic_requests(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"a": 1}), Reply(201, {"b": 2}), Reply(200, {}), Reply(200, {}))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        assert await client.get("/v2/x", params={"q": "1"}) == {"a": 1}
        assert await client.post("/v2/y", data={"z": {"s"}}) == {"b": 2}
        await client.put("/v2/p", data={})
        await client.delete("/v2/d")
    assert [(r.method, r.path) for r in notify.requests] == [
        ("GET", "/v2/x"),
        ("POST", "/v2/y"),
        ("PUT", "/v2/p"),
        ("DELETE", "/v2/d"),
    ]
    assert notify.requests[1].json() == {"z": ["s"]}


async def test_one_kept_connection_serves_sends_one_after_another(
    notify: FakeNotify,
) -> None:
    notify.queue(*(Reply(201, {"id": str(n)}) for n in range(3)))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        answers = [await client.send_sms_notification("07700900123", TEMPLATE_ID) for _ in "abc"]
    assert [answer["id"] for answer in answers] == ["0", "1", "2"]
    assert len({received.client_port for received in notify.requests}) == 1


def test_repr_hides_the_secret() -> None:
    client = AsyncNotificationsAPIClient(API_KEY)
    assert SECRET not in repr(client)
    assert "AsyncNotificationsAPIClient(base_url=" in repr(client)


async def test_a_dropped_connection_is_chained_to_aiohttps_own_error(notify: FakeNotify) -> None:
    notify.queue(Reply(drop=True))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0) as client:
        with pytest.raises(ResponseNotReceivedError) as raised:
            await client.get_template(TEMPLATE_ID)

    # What aiohttp raised, not the wrapper that keeps aiohttp from sending the GET again.
    assert type(raised.value.__cause__) is aiohttp.ServerDisconnectedError
    assert len(notify.requests) == 1


async def test_answers_are_read_in_chunks_smaller_than_asyncios_default(
    notify: FakeNotify,
) -> None:
    # asyncio would read each answer into a fresh 256 KiB buffer; an answer far larger than
    # the smaller chunk must still arrive whole.
    large_body = "x" * (1024 * 1024)
    notify.queue(Reply(200, {"id": TEMPLATE_ID, "body": large_body}))
    async with AsyncNotificationsAPIClient(API_KEY, base_url=notify.url) as client:
        template = await client.get_template(TEMPLATE_ID)
        session = client._session
        assert session is not None
        idle_connections = session.connector._conns.values()  # type: ignore[union-attr]
        transports = [protocol.transport for idle in idle_connections for protocol, _ in idle]

    assert template == {"id": TEMPLATE_ID, "body": large_body}
    assert [transport.max_size for transport in transports] == [64 * 1024]
