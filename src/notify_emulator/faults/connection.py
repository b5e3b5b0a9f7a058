"""Closing a request's connection without an answer, for the ``drop`` faults.

ASGI has no way for an app to hang up: an app that raises or returns without answering gets a
500 from the server instead. So the emulator's own uvicorn protocol
(:class:`EmulatorHttpProtocol`, used by ``notify-emulator serve``, the pytest plugin and ``make
demo``) hands each request a way to close its connection, in the scope's extensions under
:data:`CLOSE_EXTENSION`. Under another uvicorn set-up, :func:`connection_closer` falls back to
the transport of uvicorn's own request cycle when it can reach it.

The protocol is uvicorn's httptools one, which parses requests in C (llhttp): uvicorn's pure
Python h11 protocol cost a send about a sixth of the server's time. It also limits a request's
head to :data:`~notify_emulator.web.guard.MAX_HEAD_BYTES`, which httptools itself does not.

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
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from notify_emulator.web.coalesced_writes import CoalescingTransport
from notify_emulator.web.guard import MAX_HEAD_BYTES

__all__ = [
    "CLOSE_EXTENSION",
    "HTTP_PROTOCOL",
    "KEEP_ALIVE_SECONDS",
    "EmulatorHttpProtocol",
    "close_without_answer",
    "connection_closer",
]

CLOSE_EXTENSION = "notify_emulator.close_connection"
#: What to give uvicorn as ``http=`` (an import string, so worker processes can load it too).
HTTP_PROTOCOL = "notify_emulator.faults.connection:EmulatorHttpProtocol"
#: How long an idle keep-alive connection stays open (uvicorn's ``timeout_keep_alive``).
#: uvicorn's own 5 s is as short as the pauses clients take between calls (the official clients'
#: integration suites wait exactly 5 s for a letter's PDF), so a pooled connection could be closed
#: just as the client reused it and its next request fail with a connection error. 75 s outlasts
#: the 60 s idle timeout of common load balancers and HTTP clients' pools.
KEEP_ALIVE_SECONDS = 75
# The longest request target httptools' URL parser takes (its offsets are 16-bit).
LONGEST_PARSED_URL = 65535
# How long to wait for the server to see the closed connection before giving up on it.
DISCONNECT_WAIT_SECONDS = 5.0


class _HeadTooLong(Exception):
    """A request's line and headers, now whole, are longer than ``MAX_HEAD_BYTES``."""


class EmulatorHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, giving each request a way to close its connection, sending
    each answer in one write (:mod:`notify_emulator.web.coalesced_writes`), and refusing a
    request head longer than ``MAX_HEAD_BYTES`` with a 431."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inner = self.app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            extensions = scope.setdefault("extensions", {})
            extensions[CLOSE_EXTENSION] = {"close": self._close_connection}
            await inner(scope, receive, send)

        self.app = app
        # Bytes received since the last request's head was complete; counted only while a head
        # is still arriving.
        self._head_bytes = 0
        self._head_complete = False
        self._head_too_long = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        coalescing: Any = CoalescingTransport(transport, self.loop)
        super().connection_made(coalescing)

    def data_received(self, data: bytes) -> None:
        if not self._head_complete:
            self._head_bytes += len(data)
        super().data_received(data)
        # More than the limit arrived and the head is still not whole: it is too long. (The
        # parser keeps a header it has not finished, so waiting for the end is unbounded.)
        if not self._head_complete and self._head_bytes > MAX_HEAD_BYTES:
            self._refuse_long_head()

    def on_headers_complete(self) -> None:
        self._head_complete = True
        # The address and each header with its ": " and line end (the bytes counted as they
        # arrived can include a body's, or miss a pipelined head's start).
        head_length = len(self.url) + sum(
            len(name) + len(value) + 4 for name, value in self.headers
        )
        if head_length > MAX_HEAD_BYTES:
            # The parser turns this into uvicorn's 400, which send_400_response makes a 431.
            self._head_too_long = True
            raise _HeadTooLong
        url = self.url
        if len(url) <= LONGEST_PARSED_URL:
            super().on_headers_complete()
            return
        # httptools' URL parser counts in 16 bits and refuses a longer address, which a
        # template preview's query can be. uvicorn takes only the path and the query from it,
        # so it is given the address without its query, and the query is put in the scope
        # here (the request's task, made just now, has not yet run).
        before_query, _, query = url.partition(b"?")
        self.url = before_query
        try:
            super().on_headers_complete()
        finally:
            self.url = url
        self.scope["query_string"] = query

    def on_message_complete(self) -> None:
        self._head_complete = False
        self._head_bytes = 0
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        if self._head_too_long:
            self._refuse_long_head()
        else:
            super().send_400_response(msg)

    def _refuse_long_head(self) -> None:
        if self.transport.is_closing():
            return
        message = f"Request line and headers longer than {MAX_HEAD_BYTES} bytes."
        self.logger.warning(message)
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(message)).encode("ascii") + b"\r\n"
            b"connection: close\r\n\r\n" + message.encode("ascii")
        )
        self.transport.close()

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
