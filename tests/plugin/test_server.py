"""Serving an ASGI app on loopback from a background thread (notify_emulator.server)."""

from __future__ import annotations

import contextlib
import http.client
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from notify_emulator.server import (
    HEALTH_PATH,
    BackgroundServer,
    EmulatorServer,
    ServerStartError,
    sqlite_file_url,
)
from notify_emulator.settings import Settings


def app_with_health(status_code: int) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"}, status_code=status_code)

    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"path": request.url.path})

    return Starlette(routes=[Route(HEALTH_PATH, health), Route("/echo", echo)])


def is_running(server: BackgroundServer) -> bool:
    # A function, so that type checkers do not take the property for a constant.
    return server.running


def test_serves_on_a_free_loopback_port_until_stopped() -> None:
    server = BackgroundServer(app_with_health(200))
    base_url = server.start()
    try:
        assert base_url == server.base_url
        assert base_url.startswith("http://127.0.0.1:")
        assert requests.get(base_url + "/echo", timeout=5).json() == {"path": "/echo"}
        assert is_running(server)
    finally:
        server.stop()
    assert not is_running(server)
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/echo", timeout=5)


def test_an_idle_connection_outlives_the_pauses_clients_take_between_calls() -> None:
    # uvicorn's default keeps an idle connection 5 s: a client pausing that long between calls
    # (the official clients' integration suites wait exactly 5 s for a letter's PDF) could reuse
    # a pooled connection just as the server closed it, and fail with a connection error.
    with BackgroundServer(app_with_health(200)) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/echo")
            assert connection.getresponse().read() == b'{"path":"/echo"}'
            time.sleep(6)
            connection.request("GET", "/echo")  # on the same socket: http.client never retries
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, b'{"path":"/echo"}')
        finally:
            connection.close()


def test_stop_twice_is_harmless_and_base_url_needs_a_running_server() -> None:
    with BackgroundServer(app_with_health(200)) as server:
        assert server.running
    server.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.base_url


def test_a_server_starts_only_once() -> None:
    with (
        BackgroundServer(app_with_health(200)) as server,
        pytest.raises(RuntimeError, match="already"),
    ):
        server.start()


def test_a_port_in_use_is_reported() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = BackgroundServer(app_with_health(200), port=port)
        with pytest.raises(ServerStartError, match=f"cannot listen on 127.0.0.1:{port}"):
            server.start()
    assert not server.running


def test_an_unhealthy_app_fails_to_start_and_is_stopped() -> None:
    server = BackgroundServer(app_with_health(503), startup_timeout=0.5)
    with pytest.raises(ServerStartError, match=r"not healthy within 0\.5 s \(HTTP 503\)"):
        server.start()
    assert not server.running


def test_an_app_whose_start_up_fails_is_reported_without_waiting_for_the_timeout() -> None:
    @contextlib.asynccontextmanager
    async def failing(_app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield  # pragma: no cover

    # Were the failure missed, start() would wait out the timeout and say "not healthy".
    server = BackgroundServer(Starlette(lifespan=failing), startup_timeout=60)
    with pytest.raises(ServerStartError, match="the emulator stopped while starting"):
        server.start()
    assert not server.running


def test_a_stopped_server_can_be_started_again() -> None:
    server = BackgroundServer(app_with_health(200))
    server.start()
    server.stop()
    base_url = server.start()
    try:
        assert requests.get(base_url + "/echo", timeout=5).json() == {"path": "/echo"}
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"port": -1}, "port must be an integer from 0 to 65535"),
        ({"port": "6011"}, "port must be an integer from 0 to 65535"),
        ({"startup_timeout": 0}, "startup_timeout must be positive"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BackgroundServer(app_with_health(200), **options)  # type: ignore[arg-type]


def test_emulator_server_needs_settings() -> None:
    with pytest.raises(TypeError, match="settings must be a Settings, not dict"):
        EmulatorServer({"database_url": "sqlite://"})  # type: ignore[arg-type]


def test_emulator_server_serves_the_emulator(tmp_path: Path) -> None:
    settings = Settings(database_url=sqlite_file_url(tmp_path / "e.sqlite3"), log_requests=False)
    with EmulatorServer(settings) as server:
        answer = requests.get(server.base_url + HEALTH_PATH, timeout=5)
        assert answer.json() == {"status": "ok"}
        assert server.settings.port == 0
    assert (tmp_path / "e.sqlite3").exists()
