"""Token reuse and request preparation: what each request is sent with."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from notifications_python_client._core import (
    ClientCore,
    Request,
    RetryPolicy,
    TokenSource,
    parse_api_key,
    serialise_body,
)

from .fakenotify import API_KEY, SECRET, SERVICE_ID


class Minter:
    """Counts mints; each token says which mint it came from."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls: list[tuple[str, str]] = []
        self._pause = pause
        self._lock = threading.Lock()

    def __call__(self, secret: str, service_id: str) -> str:
        time.sleep(self._pause)
        with self._lock:
            self.calls.append((secret, service_id))
            return f"token-{len(self.calls)}"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The wall clock as the client reads it, set by the test."""
    now = [1_800_000_000.25]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_a_token_is_reused_within_its_window_and_then_replaced(clock: list[float]) -> None:
    minter = Minter()
    tokens = TokenSource(parse_api_key(API_KEY), reuse_seconds=5, mint=minter)

    first = tokens.token()
    clock[0] += 4.5  # still within the fifth second after the one it was minted in
    assert tokens.token() == first
    clock[0] += 0.5
    second = tokens.token()

    assert (first, second) == ("token-1", "token-2")
    assert minter.calls == [(SECRET, SERVICE_ID)] * 2


def test_a_clock_set_back_gets_a_new_token(clock: list[float]) -> None:
    minter = Minter()
    tokens = TokenSource(parse_api_key(API_KEY), reuse_seconds=5, mint=minter)
    tokens.token()

    clock[0] -= 2  # the old token's iat would now be in the future

    assert tokens.token() == "token-2"


def test_threads_waiting_for_a_token_share_one_mint() -> None:
    minter = Minter(pause=0.05)
    tokens = TokenSource(parse_api_key(API_KEY), mint=minter)

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda _: tokens.token(), range(8)))

    assert got == ["token-1"] * 8
    assert len(minter.calls) == 1


def test_each_request_gets_its_own_headers_with_the_current_token(clock: list[float]) -> None:
    minter = Minter()
    core = ClientCore(API_KEY, "http://127.0.0.1:6011", 30, RetryPolicy(), mint_token=minter)
    request: Request[object] = Request("post", "/v2/notifications/sms", json={"a": {1, 2}})

    first = core.prepare(request)
    first.headers["X-Changed"] = "by a hook"
    second = core.prepare(request)
    clock[0] += 10
    third = core.prepare(request)

    assert (
        second.headers
        == core.headers("token-1")
        == {
            "Content-type": "application/json",
            "Authorization": "Bearer token-1",
            "User-agent": second.headers["User-agent"],
        }
    )
    assert third.headers["Authorization"] == "Bearer token-2"
    assert (second.method, second.url) == ("POST", "http://127.0.0.1:6011/v2/notifications/sms")
    assert second.body == b'{"a": [1, 2]}'


def test_bodies_are_encoded_as_json_dumps_would() -> None:
    body = {"name": "Zoë", "n": 1.5, "flags": [True, None], "nested": {"x": "\u2603"}}
    assert serialise_body(body) == json.dumps(body).encode("utf-8")
    with pytest.raises(TypeError, match="not JSON serializable"):
        serialise_body({"when": object()})
