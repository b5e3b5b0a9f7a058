"""A callback's bearer token goes into an Authorization header: one that could break the
header (a line break, any control character) is refused, from the route and from a seed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from notify_emulator.demo import service as demo
from notify_emulator.seed import ConfigError, parse_seed_text
from notify_emulator.store.export import service_callbacks

from .emulator_harness import Running

REFUSED = "The bearer token must not contain control characters such as line breaks or tabs"
BAD_TOKENS = [
    "secret-token\r\nX-Injected: yes",
    "secret-token\n",
    "secret\ttoken-x",
    "secret\x1btoken",
]


def _callbacks(emulator: Running) -> list[Any] | None:
    return service_callbacks(emulator.emulator.store, demo.SERVICE_ID)


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_the_route_refuses_a_token_that_would_break_the_header(
    emulator: Running, token: str
) -> None:
    before = _callbacks(emulator)
    response = requests.post(
        emulator.base_url + f"/_emulator/services/{demo.SERVICE_ID}/callbacks",
        json={"type": "delivery_status", "url": "http://localhost:8000/x", "bearer_token": token},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["error"] == REFUSED
    assert "secret" not in response.text
    assert _callbacks(emulator) == before


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_a_seed_refuses_a_token_that_would_break_the_header(token: str) -> None:
    text = (
        '[[services]]\nname = "A"\n'
        '[[services.callbacks]]\ntype = "delivery_status"\nurl = "http://localhost:8000/x"\n'
        f"bearer_token = {json.dumps(token)}\n"
    )
    with pytest.raises(ConfigError) as raised:
        parse_seed_text(text, source="seed.toml")
    assert str(raised.value) == (
        f"seed.toml: services[0] ('A').callbacks[0]: field 'bearer_token': {REFUSED}"
    )
