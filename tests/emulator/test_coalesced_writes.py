"""What one turn of the event loop writes to a connection leaves as one write, in order; closing
sends what is gathered first, aborting drops it. Over a real socket pair, on a real loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from notify_emulator.web.coalesced_writes import CoalescingTransport


class _CountingTransport:
    """A real socket transport, with the writes it is handed counted."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


async def _connected(
    loop: asyncio.AbstractEventLoop,
) -> tuple[CoalescingTransport, _CountingTransport, socket.socket]:
    ours, peer = socket.socketpair()
    peer.settimeout(5)
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    assert isinstance(transport, asyncio.Transport)
    counting = _CountingTransport(transport)
    wrapped: Any = counting
    return CoalescingTransport(wrapped, loop), counting, peer


def _read_all(peer: socket.socket) -> bytes:
    """Everything the peer receives until the connection ends; then it is closed."""
    received = b""
    with peer:
        while chunk := peer.recv(65536):
            received += chunk
    return received


async def _turn_ends() -> None:
    # The flush runs on the loop's next turn; a second yield lets it have run.
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def _closed_and_received(coalescing: CoalescingTransport, peer: socket.socket) -> bytes:
    coalescing.close()
    await asyncio.sleep(0.01)
    return _read_all(peer)


def test_the_writes_of_one_turn_go_out_as_one(loop: asyncio.AbstractEventLoop) -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        coalescing, counting, peer = await _connected(loop)
        coalescing.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n")
        coalescing.write(b"")
        coalescing.write(memoryview(b"{}"))
        assert counting.writes == []  # nothing leaves before the turn ends
        await _turn_ends()
        written = list(counting.writes)
        return written, await _closed_and_received(coalescing, peer)

    written, received = loop.run_until_complete(scenario())
    assert written == [b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}"]
    assert received == b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}"


def test_writes_of_separate_turns_go_out_separately_in_order(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        coalescing, counting, peer = await _connected(loop)
        for part in (b"one ", b"two ", b"three"):
            coalescing.write(part)
            await _turn_ends()
        written = list(counting.writes)
        return written, await _closed_and_received(coalescing, peer)

    written, received = loop.run_until_complete(scenario())
    assert written == [b"one ", b"two ", b"three"]
    assert received == b"one two three"


def test_closing_sends_what_was_gathered_first(loop: asyncio.AbstractEventLoop) -> None:
    async def scenario() -> tuple[list[bytes], bytes, bool]:
        coalescing, counting, peer = await _connected(loop)
        coalescing.write(b"the last ")
        coalescing.write(b"words")
        coalescing.close()  # in the same turn as the writes
        closing = coalescing.is_closing()
        await asyncio.sleep(0.01)
        return list(counting.writes), _read_all(peer), closing

    written, received, closing = loop.run_until_complete(scenario())
    assert written == [b"the last words"]
    assert received == b"the last words"
    assert closing


def test_aborting_drops_what_was_gathered(loop: asyncio.AbstractEventLoop) -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        coalescing, counting, peer = await _connected(loop)
        coalescing.write(b"sent")
        await _turn_ends()
        coalescing.write(b"never sent")
        coalescing.abort()
        await asyncio.sleep(0.01)
        return list(counting.writes), _read_all(peer)

    written, received = loop.run_until_complete(scenario())
    assert written == [b"sent"]
    assert received == b"sent"


def test_the_rest_of_the_transport_is_the_wrapped_ones(loop: asyncio.AbstractEventLoop) -> None:
    async def scenario() -> tuple[object, object]:
        coalescing, counting, peer = await _connected(loop)
        try:
            return coalescing.get_extra_info("socket"), counting.get_extra_info("socket")
        finally:
            coalescing.close()
            peer.close()

    ours, theirs = loop.run_until_complete(scenario())
    assert ours is theirs
    assert ours is not None
