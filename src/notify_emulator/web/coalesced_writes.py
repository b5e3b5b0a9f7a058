"""One socket write per answer: a transport that gathers what a turn of the event loop writes.

uvicorn's HTTP protocols write an answer's status line and headers, then its body, each with a
``write()`` of its own, so every answer leaves as two TCP segments, and a client on the same
machine wakes (and reads) twice for it. :class:`CoalescingTransport` wraps a connection's
transport: what is written during one turn of the loop is joined and handed on as one write
when the turn ends, before the loop next polls its sockets. Nothing waits longer than that.

Closing the connection hands on what was gathered first, as the wrapped transport's own
``close()`` sends what it holds; ``abort()`` drops it, as the wrapped transport's does.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["CoalescingTransport"]


class CoalescingTransport:
    """A write transport (the rest of ``asyncio.Transport`` passed through) whose writes in
    one turn of the event loop go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def _flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        # Everything else (is_closing, get_extra_info, pause_reading, set_protocol, ...) is the
        # wrapped transport's.
        return getattr(self._transport, name)
