"""Requests straight into the ASGI app, byte for byte, as uvicorn would hand them over.

An HTTP client library normalises what it sends (it re-quotes paths, refuses odd header
bytes); a fuzzer wants to send exactly the request target, headers and body it made up. This
driver builds the ASGI scope the way uvicorn's HTTP/1.1 server does (``path`` is the
percent-decoded request target, ``raw_path`` and ``query_string`` its raw bytes) and runs the
app on an event loop in a background thread, so that tests can call it synchronously.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp, Message

# Where the in-process app "listens", as uvicorn reports it in the scope.
SERVER = ("127.0.0.1", 6011)
HOST = f"{SERVER[0]}:{SERVER[1]}"


@dataclass
class Answer:
    """What the app sent back."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    complete: bool = True
    header_map: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.header_map = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.headers
        }

    def header(self, name: str) -> str | None:
        """A header's value (the last one of that name), or None."""
        return self.header_map.get(name.lower())


class AsgiDriver:
    """Sends raw requests to an ASGI app running on a private event loop."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self.app = app
        self._portal = portal

    def request(
        self,
        method: str,
        target: str | bytes,
        *,
        headers: Sequence[tuple[str | bytes, str | bytes]] = (),
        body: bytes = b"",
        chunks: int = 1,
        host: str | None = HOST,
    ) -> Answer:
        """One request. ``target`` is the request target (path and query) as sent on the
        wire; ``host`` adds a Host header unless ``headers`` has one (None: no Host)."""
        raw_target = target.encode("latin-1") if isinstance(target, str) else target
        raw_headers = [(_bytes(name).lower(), _bytes(value)) for name, value in headers]
        if host is not None and not any(name == b"host" for name, _ in raw_headers):
            raw_headers.insert(0, (b"host", host.encode("latin-1")))
        framed = {b"content-length", b"transfer-encoding"}
        if body and not any(name in framed for name, _ in raw_headers):
            raw_headers.append((b"content-length", str(len(body)).encode()))
        raw_path, _, query = raw_target.partition(b"?")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(raw_path.decode("ascii", "replace")),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": raw_headers,
            "server": SERVER,
            "client": ("127.0.0.1", 50000),
            "state": {},
        }
        return self._portal.call(self._run, scope, _split(body, chunks))

    async def _run(self, scope: dict[str, Any], parts: list[bytes]) -> Answer:
        messages: list[Message] = []
        done = anyio.Event()
        pending = list(parts)

        async def receive() -> Message:
            if pending:
                chunk = pending.pop(0)
                return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            messages.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await self.app(scope, receive, send)
        done.set()
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        if start is None:
            return Answer(status=0, headers=[], body=b"", complete=False)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        finished = any(
            m["type"] == "http.response.body" and not m.get("more_body") for m in messages
        )
        return Answer(
            status=start["status"],
            headers=list(start.get("headers", [])),
            body=body,
            complete=finished,
        )


@contextmanager
def driving(app: ASGIApp) -> Iterator[AsgiDriver]:
    """A driver for ``app`` while the block runs."""
    portal_manager: AbstractContextManager[BlockingPortal] = start_blocking_portal()
    with portal_manager as portal:
        yield AsgiDriver(app, portal)


def _bytes(value: str | bytes) -> bytes:
    return value.encode("latin-1") if isinstance(value, str) else value


def _split(body: bytes, chunks: int) -> list[bytes]:
    if chunks <= 1 or len(body) < 2:
        return [body]
    size = max(1, -(-len(body) // chunks))
    return [body[start : start + size] for start in range(0, len(body), size)]
