"""Closing a request's connection without an answer, for the ``drop`` faults.

ASGI has no way for an app to hang up: an app that raises or returns without answering gets a
500 from the server instead. So the emulator's own uvicorn protocol (:class:`ClosingH11Protocol`,
used by ``notify-emulator serve``, the pytest plugin and ``make demo``) hands each request a way
to close its connection, in the scope's extensions under :data:`CLOSE_EXTENSION`. Under another
uvicorn set-up, :func:`connection_closer` falls back to the transport of uvicorn's own
request cycle when it can reach it.

After closing, the caller waits for the server to notice the connection is gone (the next
``receive()`` is ``http.disconnect``), so that uvicorn then neither logs an error nor tries to
send a 500 on the closed connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from starlette.types import Receive, Scope
from uvicorn.protocols.http.h11_impl import H11Protocol

from notify_emulator.web.coalesced_writes import CoalescingTransport

__all__ = [
    "CLOSE_EXTENSION",
    "HTTP_PROTOCOL",
    "ClosingH11Protocol",
    "close_without_answer",
    "connection_closer",
]

CLOSE_EXTENSION = "notify_emulator.close_connection"
#: What to give uvicorn as ``http=`` (an import string, so worker processes can load it too).
HTTP_PROTOCOL = "notify_emulator.faults.connection:ClosingH11Protocol"
# How long to wait for the server to see the closed connection before giving up on it.
DISCONNECT_WAIT_SECONDS = 5.0


class ClosingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, giving each request a way to close its connection, and sending
    each answer in one write (:mod:`notify_emulator.web.coalesced_writes`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            extensions = scope.setdefault("extensions", {})
            extensions[CLOSE_EXTENSION] = {"close": self._close_connection}
            await inner(scope, receive, send)

        self.app = app

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        coalescing: Any = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)

    def _close_connection(self) -> None:
        # close(), not abort(): nothing of an answer has been written, so the client reads the
        # end of the stream where the status line should be ("closed without response").
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()


def connection_closer(scope: Scope, receive: Receive) -> Callable[[], None] | None:
    """A function that closes this request's connection, or ``None`` if the server offers none."""
    extension = scope.get("extensions", {}).get(CLOSE_EXTENSION)
    if isinstance(extension, dict) and callable(extension.get("close")):
        close: Callable[[], None] = extension["close"]
        return close
    # Plain uvicorn: receive is a method of the request cycle, which holds the transport.
    transport = getattr(getattr(receive, "__self__", None), "transport", None)
    if isinstance(transport, asyncio.BaseTransport):
        return transport.close
    return None


async def close_without_answer(close: Callable[[], None], receive: Receive) -> None:
    """Close the connection and wait until the server has seen it go."""
    close()

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(disconnected(), DISCONNECT_WAIT_SECONDS)
