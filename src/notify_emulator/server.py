"""Serve the emulator on loopback from a background thread: start, wait until healthy, stop.

Used by ``make demo`` and by the pytest plugin, which both need a real HTTP server that the
client can talk to without blocking the calling thread. uvicorn runs in a daemon thread with
its own event loop; the listening socket is bound here first, so asking for port 0 gives a free
port with no race between choosing it and listening on it. The thread says when uvicorn has
finished starting (or has given up), so :meth:`BackgroundServer.start` waits for that and then
checks the health route once, rather than polling (with the standard library's HTTP client:
the emulator itself needs no HTTP client until it delivers a callback).
"""

from __future__ import annotations

import dataclasses
import http.client
import socket
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from notify_emulator.app import create_app
from notify_emulator.faults.connection import HTTP_PROTOCOL, KEEP_ALIVE_SECONDS
from notify_emulator.settings import Settings

LOOPBACK_HOST = "127.0.0.1"
# How long to wait for the server to answer its health check before giving up.
STARTUP_TIMEOUT_SECONDS = 15.0
# How long to wait for in-flight requests when stopping.
SHUTDOWN_TIMEOUT_SECONDS = 5.0
# Pause between health-check attempts, should the first fail once uvicorn has started.
HEALTH_POLL_INTERVAL_SECONDS = 0.02
HEALTH_PATH = "/_emulator/health"
# How long one health check may take.
HEALTH_TIMEOUT_SECONDS = 1.0

_Server = TypeVar("_Server", bound="BackgroundServer")


class ServerStartError(RuntimeError):
    """The server did not start or did not become healthy in time (the message says why)."""


class _SignallingServer(uvicorn.Server):
    """uvicorn's server, setting ``ready`` once its start-up has finished, or failed."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


class BackgroundServer:
    """An ASGI app served by uvicorn on a loopback port, in a daemon thread.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`. ``port=0`` (the
    default) picks a free port; :attr:`base_url` tells which one once started.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = LOOPBACK_HOST,
        port: int = 0,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer from 0 to 65535, not {port!r}")
        if startup_timeout <= 0:
            raise ValueError(f"startup_timeout must be positive, not {startup_timeout!r}")
        self._app = app
        self._host = host
        self._requested_port = port
        self._startup_timeout = startup_timeout
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._base_url: str | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server (no trailing slash)."""
        if self._base_url is None:
            raise RuntimeError("the server is not running: call start() first")
        return self._base_url

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> str:
        """Start serving and wait until the health check answers; return :attr:`base_url`."""
        if self._thread is not None:
            raise RuntimeError("the server has already been started")
        listener = self._bind()
        self._ready.clear()
        port = listener.getsockname()[1]
        base_url = f"http://{self._host}:{port}"
        config = uvicorn.Config(
            self._app,
            # Leave the host application's logging alone and keep output quiet: the emulator
            # logs requests itself when asked to.
            log_config=None,
            access_log=False,
            # The emulator serves no websockets; not loading a websocket library avoids its
            # import-time deprecation warnings, which test suites may treat as errors.
            ws="none",
            # The emulator's protocol, able to hang up without an answer (the "drop" faults).
            http=HTTP_PROTOCOL,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            lifespan="auto",
            # The inbox's event streams never end by themselves: stop() ends them after this.
            timeout_graceful_shutdown=1,
        )
        server = _SignallingServer(config, self._ready)
        self._socket, self._server = listener, server
        self._thread = threading.Thread(
            target=self._serve,
            args=(server, listener),
            name=f"notify-emulator:{port}",
            daemon=True,
        )
        self._thread.start()
        try:
            self._wait_until_healthy(base_url, port)
        except BaseException:
            self.stop()
            raise
        self._base_url = base_url
        return base_url

    def stop(self) -> None:
        """Stop serving and wait for the thread to finish (safe to call more than once)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)
            if self._thread.is_alive() and self._server is not None:
                # In-flight requests did not finish in time: drop them.
                self._server.force_exit = True
                self._thread.join(SHUTDOWN_TIMEOUT_SECONDS)
        if self._socket is not None:
            self._socket.close()
        self._socket = self._server = self._thread = None
        self._base_url = None

    def __enter__(self: _Server) -> _Server:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _bind(self) -> socket.socket:
        # IPPROTO_TCP, not 0: asyncio then turns Nagle off on each accepted connection, so
        # a reply written in two parts is not held back ~40 ms by a delayed ACK.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self._host, self._requested_port))
        except OSError as error:
            listener.close()
            raise ServerStartError(
                f"cannot listen on {self._host}:{self._requested_port}: {error.strerror}"
            ) from error
        return listener

    def _serve(self, server: uvicorn.Server, listener: socket.socket) -> None:
        try:
            server.run(sockets=[listener])
        except BaseException as error:  # reported by start(); a thread cannot raise to its caller
            self._error = error
        finally:
            self._ready.set()  # whatever stopped it before its start-up ended

    def _stopped_while_starting(self) -> ServerStartError:
        reason = repr(self._error) if self._error else "see the log above"
        return ServerStartError(f"the emulator stopped while starting ({reason})")

    def _wait_until_healthy(self, base_url: str, port: int) -> None:
        deadline = time.monotonic() + self._startup_timeout
        last_problem = "no answer yet"
        if self._ready.wait(self._startup_timeout) and (
            self._server is None or not self._server.started
        ):
            raise self._stopped_while_starting()
        while time.monotonic() < deadline:
            if self._thread is None or not self._thread.is_alive():
                raise self._stopped_while_starting()
            try:
                status = _health_status(self._host, port)
            except (OSError, http.client.HTTPException) as error:
                last_problem = type(error).__name__
            else:
                if status == 200:
                    return
                last_problem = f"HTTP {status}"
            time.sleep(HEALTH_POLL_INTERVAL_SECONDS)
        raise ServerStartError(
            f"the emulator at {base_url} was not healthy within "
            f"{self._startup_timeout:g} s ({last_problem})"
        )


def _health_status(host: str, port: int) -> int:
    """The status of ``GET /_emulator/health`` on ``host:port``."""
    connection = http.client.HTTPConnection(host, port, timeout=HEALTH_TIMEOUT_SECONDS)
    try:
        connection.request("GET", HEALTH_PATH)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


class EmulatorServer(BackgroundServer):
    """The emulator (``create_app(settings)``) served on a loopback port in a daemon thread.

    ``settings.host`` and ``settings.port`` are ignored in favour of ``host`` and ``port``
    (default: a free port), and request logging is off unless ``settings`` asks for it.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        host: str = LOOPBACK_HOST,
        port: int = 0,
        startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
    ) -> None:
        if settings is None:
            settings = Settings(log_requests=False)
        if not isinstance(settings, Settings):
            raise TypeError(f"settings must be a Settings, not {type(settings).__name__}")
        self.settings = dataclasses.replace(settings, host=host, port=port)
        # Kept so that an in-process user (the pytest fixture) can reach the app's store.
        self.app = create_app(self.settings)
        super().__init__(self.app, host=host, port=port, startup_timeout=startup_timeout)


def sqlite_file_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite database file at ``path``."""
    return f"sqlite:///{path.resolve()}"
