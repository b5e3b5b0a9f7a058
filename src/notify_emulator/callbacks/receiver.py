"""A local HTTP endpoint that records the callbacks it receives, for tests.

::

    with CallbackReceiver() as receiver:
        receiver.respond_with(500, 200)          # first attempt fails, the retry succeeds
        ...                                      # point a service's callbacks at receiver.url
        first, second = receiver.wait_for(2)
        assert second.json["status"] == "delivered"

It listens on a free loopback port in a background thread, accepts any path and method, and
answers each request from its script (status codes, optionally late), then with ``default``.
Only the standard library is used.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["CallbackAnswer", "CallbackReceiver", "ReceivedRequest"]

LOOPBACK = "127.0.0.1"
DEFAULT_PATH = "/callbacks"
DEFAULT_WAIT_SECONDS = 10.0
# Bodies bigger than this are refused (callbacks are a few hundred bytes).
MAX_BODY_BYTES = 1_000_000


class Headers(Mapping[str, str]):
    """Request headers: looked up case-insensitively, listed as sent."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self._by_name = {name.lower(): value for name, value in pairs}

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(name for name, _ in self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def __repr__(self) -> str:
        # Authorization holds a bearer token: never shown.
        shown = {name: ("<hidden>" if name.lower() == "authorization" else value)
                 for name, value in self.pairs}  # fmt: skip
        return f"Headers({shown!r})"


@dataclass(frozen=True)
class ReceivedRequest:
    """One request the receiver got."""

    method: str
    path: str
    headers: Headers
    body: bytes = field(repr=False)
    status_code: int
    """What the receiver answered."""

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class CallbackAnswer:
    """A scripted answer: a status, after ``delay`` seconds (longer than the emulator's
    timeout makes the attempt time out)."""

    status_code: int = 200
    delay: float = 0.0
    body: bytes = b""


class CallbackReceiver:
    """A recording HTTP endpoint on loopback (a context manager)."""

    def __init__(self, *, path: str = DEFAULT_PATH, default: int | CallbackAnswer = 200) -> None:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', not {path!r}")
        self._path = path
        self._default = _answer(default)
        self._script: list[CallbackAnswer] = []
        self._requests: list[ReceivedRequest] = []
        self._condition = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifetime ------------------------------------------------------------------------

    def start(self) -> CallbackReceiver:
        """Start listening (on a free port)."""
        if self._server is not None:
            raise RuntimeError("the receiver is already running")
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                receiver._handle(self)

            do_POST = do_GET = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: tests read .requests instead

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"callback-receiver:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (safe to call more than once)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> CallbackReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what tests use ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no path)."""
        if self._server is None:
            raise RuntimeError("the receiver is not running: call start() first")
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The URL to give Notify: :attr:`base_url` and the receiver's path."""
        return self.base_url + self._path

    @property
    def requests(self) -> list[ReceivedRequest]:
        """Every request received so far, in order of arrival."""
        with self._condition:
            return list(self._requests)

    def respond_with(self, *answers: int | CallbackAnswer) -> None:
        """Answer the next requests with these, in order (then with the default)."""
        with self._condition:
            self._script.extend(_answer(answer) for answer in answers)

    def wait_for(self, count: int, timeout: float = DEFAULT_WAIT_SECONDS) -> list[ReceivedRequest]:
        """Wait until at least ``count`` requests have arrived; return them all.

        Raises :class:`TimeoutError` naming how many did arrive.
        """
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self._requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"the receiver got {len(self._requests)} request(s) within "
                        f"{timeout:g} s, not {count}"
                    )
                self._condition.wait(left)
            return list(self._requests)

    def clear(self) -> None:
        """Forget the requests received and the answers still scripted."""
        with self._condition:
            self._requests.clear()
            self._script.clear()

    # --- serving -------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            handler.send_error(413)
            return
        body = handler.rfile.read(length) if length else b""
        with self._condition:
            answer = self._script.pop(0) if self._script else self._default
        record = ReceivedRequest(
            method=handler.command,
            path=handler.path,
            headers=Headers(list(handler.headers.items())),
            body=body,
            status_code=answer.status_code,
        )
        # Recorded on arrival, before any scripted delay: it was received either way.
        with self._condition:
            self._requests.append(record)
            self._condition.notify_all()
        if answer.delay:
            time.sleep(answer.delay)
        try:
            handler.send_response(answer.status_code)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(answer.body)))
            handler.end_headers()
            handler.wfile.write(answer.body)
        except OSError:
            pass  # the sender gave up waiting (a scripted timeout)

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<CallbackReceiver {where}, {len(self._requests)} request(s)>"


def _answer(answer: int | CallbackAnswer) -> CallbackAnswer:
    if isinstance(answer, CallbackAnswer):
        return answer
    if isinstance(answer, bool) or not isinstance(answer, int) or not 100 <= answer <= 599:
        raise ValueError(f"an answer is an HTTP status (100-599) or a CallbackAnswer: {answer!r}")
    return CallbackAnswer(status_code=answer)
