"""A scripted fake Notify on loopback, and helpers to point either client at it.

``FakeNotify`` is a real HTTP/1.1 server (stdlib ``http.server`` in a thread, 127.0.0.1, a free
port). It records every request it receives and answers each with the next queued ``Reply``, or
with ``responder(request)`` when the queue is empty. A reply can also drop the connection after
reading the request, or answer late, so tests can inject the faults the retry policy must handle.
"""

from __future__ import annotations

import inspect
import json
import socket
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

from notifications_python_client import NotificationsAPIClient

SERVICE_ID = "6f4b4a5e-3c52-4d5e-9f3a-0a1b2c3d4e5f"
SECRET = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
# The key name has hyphens of its own: the parts must be found by position.
API_KEY = f"my-test-key-{SERVICE_ID}-{SECRET}"

NOTIFICATION_ID = "740e5834-3a29-46b4-9a6f-16142fde533a"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@dataclass(frozen=True)
class Reply:
    """What the fake server does with one request."""

    status: int = 200
    json: Any = None
    body: bytes | None = None
    content_type: str = "application/json"
    #: Read the request, then close the connection without answering.
    drop: bool = False
    #: Seconds to wait before answering.
    delay: float = 0.0

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body
        return b"" if self.json is None else json.dumps(self.json).encode()


def error_reply(status: int, error: str, message: str) -> Reply:
    """Notify's v2 error envelope (notify-api.md §4.1)."""
    return Reply(status, {"status_code": status, "errors": [{"error": error, "message": message}]})


@dataclass(frozen=True)
class Received:
    """One request as the fake server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float = field(repr=False)
    #: The client's port: requests on one kept connection share it.
    client_port: int = field(default=0, repr=False)

    def json(self) -> Any:
        return json.loads(self.body)

    def claims(self, secret: str = SECRET) -> dict[str, Any]:
        """The bearer token's claims, verified with ``secret`` (the test secret by default)."""
        scheme, _, token = self.headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
        claims: dict[str, Any] = jwt.decode(token, key=secret, algorithms=["HS256"])
        return claims


class FakeNotify:
    """The server's script and record; ``url`` is its base URL."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Received] = []
        self.responder: Callable[[Received], Reply] | None = None
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def reply_for(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            if self._replies:
                return self._replies.popleft()
        if self.responder is not None:
            return self.responder(received)
        return error_reply(418, "NoReplyQueued", "the test queued no reply for this request")

    @property
    def last(self) -> Received:
        return self.requests[-1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is exercised

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = urllib.parse.urlsplit(self.path)
            received = Received(
                method=self.command,
                path=target.path,
                query=urllib.parse.parse_qs(target.query, keep_blank_values=True),
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
                at=time.monotonic(),
                client_port=self.client_address[1],
            )
            reply = notify.reply_for(received)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            payload = reply.payload()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                # The client gave up waiting (a timeout test): nothing left to do.
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def unused_port_url() -> str:
    """A loopback URL on which nothing listens, so connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Caller:
    """Calls a method the same way on either client and returns a plain result.

    Coroutines are awaited and iterators (sync or async) are drained into lists, so one test body
    checks both clients.
    """

    def __init__(self, kind: str, client: Any) -> None:
        self.kind = kind
        self.client = client

    async def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            return await result
        if hasattr(result, "__anext__"):
            return [item async for item in result]
        if inspect.isgenerator(result):
            return list(result)
        return result


CLIENT_KINDS = ["sync", "async"]


def make_client(kind: str, base_url: str, **options: Any) -> Any:
    if kind == "sync":
        return NotificationsAPIClient(API_KEY, base_url=base_url, **options)
    from notifications_python_client.aio import AsyncNotificationsAPIClient

    return AsyncNotificationsAPIClient(API_KEY, base_url=base_url, **options)


async def close_client(client: Any) -> None:
    result = client.close()
    if inspect.isawaitable(result):
        await result
