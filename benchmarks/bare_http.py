"""A minimal, fast Notify-shaped endpoint for measuring client overhead.

It answers ``POST /v2/notifications/sms`` with a canned 201, ``GET /v2/template/ID`` with a
canned text template (what ``notify bulk`` checks before sending) and anything else with a 404,
speaking just enough HTTP/1.1 (keep-alive, ``Content-Length`` bodies) for real clients. It is
written on bare asyncio protocols so that the server costs far less per request than any client
under test: the client, on its own core, is the bottleneck.

Run as ``python -m benchmarks.bare_http --port PORT [--cpu N] [--first-send-file PATH]``;
with ``--first-send-file`` it writes the ``time.monotonic()`` of the first text it is sent to
that file (the clock is the machine's, so another process can compare it with its own).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from benchmarks.fixtures import CANNED_SMS_RESPONSE, CANNED_TEMPLATE_RESPONSE

_SMS_ROUTE = b"POST /v2/notifications/sms "
_TEMPLATE_ROUTE = b"GET /v2/template/"
_HEAD_END = b"\r\n\r\n"


def _response(status: bytes, body: bytes, *, keep_alive: bool) -> bytes:
    connection = b"keep-alive" if keep_alive else b"close"
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: " + connection + b"\r\n\r\n" + body
    )


_CREATED = _response(b"201 CREATED", CANNED_SMS_RESPONSE, keep_alive=True)
_TEMPLATE = _response(b"200 OK", CANNED_TEMPLATE_RESPONSE, keep_alive=True)
_NOT_FOUND = _response(b"404 NOT FOUND", b'{"status_code":404}', keep_alive=True)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _wants_close(head: bytes) -> bool:
    lowered = head.lower()
    return b"\r\nconnection: close" in lowered


class _NotifyProtocol(asyncio.Protocol):
    def __init__(self, on_first_send: Callable[[], None] | None = None) -> None:
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._on_first_send = on_first_send

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # asyncio's TCP servers always hand a protocol a full Transport.
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        # Loop: a client may pipeline several requests into one read.
        while True:
            head_end = self._buffer.find(_HEAD_END)
            if head_end < 0:
                return
            head = bytes(self._buffer[:head_end])
            request_end = head_end + len(_HEAD_END) + _content_length(head)
            if len(self._buffer) < request_end:
                return
            del self._buffer[:request_end]
            transport = self._transport
            if transport is None:
                return
            if head.startswith(_SMS_ROUTE):
                if self._on_first_send is not None:
                    self._on_first_send()
                transport.write(_CREATED)
            elif head.startswith(_TEMPLATE_ROUTE):
                transport.write(_TEMPLATE)
            else:
                transport.write(_NOT_FOUND)
            if _wants_close(head):
                transport.close()
                return


class FirstSendStamp:
    """Writes the time of the first send to a file, once."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.written = False

    def __call__(self) -> None:
        if not self.written:
            self.written = True
            self._path.write_text(repr(time.monotonic()))


async def serve(host: str, port: int, first_send_file: Path | None = None) -> None:
    """Serve the canned endpoint on ``host:port`` until cancelled."""
    loop = asyncio.get_running_loop()
    stamp = None if first_send_file is None else FirstSendStamp(first_send_file)
    server = await loop.create_server(lambda: _NotifyProtocol(stamp), host, port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cpu", type=int, default=None, help="pin the process to this core")
    parser.add_argument(
        "--first-send-file", type=Path, default=None, help="write the first text's time here"
    )
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(serve(args.host, args.port, args.first_send_file))


if __name__ == "__main__":
    main()
