"""``base_url``, ``service_id``, ``api_key`` and ``timeout`` as the official client has them:
ordinary attributes, listed by ``vars()``, that later requests follow when assigned."""

from __future__ import annotations

from unittest import mock

import jwt
import pytest

from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import ClientConfigError, ResponseTimeoutError

from .fakenotify import (
    API_KEY,
    CLIENT_KINDS,
    SECRET,
    SERVICE_ID,
    TEMPLATE_ID,
    Caller,
    FakeNotify,
    Reply,
    close_client,
    make_client,
)

OTHER_SECRET = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
OTHER_SERVICE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _claims(token_header: str, secret: str) -> dict[str, object]:
    token = token_header.removeprefix("Bearer ")
    claims: dict[str, object] = jwt.decode(token, key=secret, algorithms=["HS256"])
    return claims


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_vars_lists_the_official_clients_attributes(kind: str) -> None:
    client = make_client(kind, "http://notify.invalid", timeout=12)
    try:
        attributes = vars(client)
        assert attributes["base_url"] == "http://notify.invalid"
        assert attributes["service_id"] == SERVICE_ID
        assert attributes["api_key"] == SECRET
        assert attributes["timeout"] == 12
    finally:
        await close_client(client)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_assigning_base_url_moves_later_requests(kind: str, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {"id": TEMPLATE_ID}))
    client = make_client(kind, "http://notify.invalid", max_retries=0)
    try:
        client.base_url = notify.url
        assert await Caller(kind, client)("get_template", TEMPLATE_ID) == {"id": TEMPLATE_ID}
        assert vars(client)["base_url"] == notify.url
        assert client.base_url == notify.url
    finally:
        await close_client(client)
    assert notify.last.path == f"/v2/template/{TEMPLATE_ID}"


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_assigning_api_key_signs_later_requests_with_the_new_secret(
    kind: str, notify: FakeNotify
) -> None:
    notify.queue(Reply(200, {}), Reply(200, {}))
    client = make_client(kind, notify.url, max_retries=0)
    call = Caller(kind, client)
    try:
        await call("get_template", TEMPLATE_ID)
        # The token just minted would be reused for seconds: assigning must not reuse it.
        client.api_key = OTHER_SECRET
        await call("get_template", TEMPLATE_ID)
        assert (client.api_key, vars(client)["api_key"]) == (OTHER_SECRET, OTHER_SECRET)
        assert SECRET not in repr(client)
        assert OTHER_SECRET not in repr(client)
    finally:
        await close_client(client)

    first, second = (received.headers["authorization"] for received in notify.requests)
    assert _claims(first, SECRET)["iss"] == SERVICE_ID
    assert _claims(second, OTHER_SECRET)["iss"] == SERVICE_ID


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_assigning_service_id_changes_the_tokens_issuer(
    kind: str, notify: FakeNotify
) -> None:
    notify.queue(Reply(200, {}), Reply(200, {}))
    client = make_client(kind, notify.url, max_retries=0)
    call = Caller(kind, client)
    try:
        await call("get_template", TEMPLATE_ID)
        client.service_id = OTHER_SERVICE_ID
        await call("get_template", TEMPLATE_ID)
        assert vars(client)["service_id"] == OTHER_SERVICE_ID
    finally:
        await close_client(client)

    first, second = (received.headers["authorization"] for received in notify.requests)
    assert _claims(first, SECRET)["iss"] == SERVICE_ID
    assert _claims(second, SECRET)["iss"] == OTHER_SERVICE_ID


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_assigning_timeout_limits_later_requests(kind: str, notify: FakeNotify) -> None:
    notify.queue(Reply(200, {}, delay=1.0))
    client = make_client(kind, notify.url, max_retries=0)
    try:
        client.timeout = 0.2
        assert vars(client)["timeout"] == 0.2
        with pytest.raises(ResponseTimeoutError):
            await Caller(kind, client)("get_template", TEMPLATE_ID)
    finally:
        await close_client(client)


def test_mock_patch_object_on_the_attributes_sets_and_restores_them(notify: FakeNotify) -> None:
    notify.queue(Reply(200, {}))
    with NotificationsAPIClient(API_KEY, base_url="http://notify.invalid", max_retries=0) as client:
        with mock.patch.object(client, "base_url", notify.url):
            client.get_template(TEMPLATE_ID)
        with mock.patch.object(client, "api_key", OTHER_SECRET):
            assert client.api_key == OTHER_SECRET
        with mock.patch.object(client, "timeout", 5):
            assert client.timeout == 5
        assert client.base_url == "http://notify.invalid"
        assert client.api_key == SECRET
        assert client.timeout == 30
    assert len(notify.requests) == 1


@pytest.mark.parametrize("name", ["api_key", "service_id"])
def test_the_key_parts_must_be_non_empty_strings(name: str) -> None:
    with NotificationsAPIClient(API_KEY) as client:
        with pytest.raises(ClientConfigError):
            setattr(client, name, "")
        with pytest.raises(TypeError):
            setattr(client, name, None)
        assert (client.service_id, client.api_key) == (SERVICE_ID, SECRET)
