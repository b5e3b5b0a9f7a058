"""Tokens: made as Notify expects, and checked as the official client checks them."""

from __future__ import annotations

import jwt
import pytest

from notifications_python_client import NotificationsAPIClient
from notifications_python_client.authentication import (
    create_jwt_token,
    decode_jwt_token,
    decode_token,
    epoch_seconds,
    get_token_issuer,
)
from notifications_python_client.errors import (
    ClientConfigError,
    TokenAlgorithmError,
    TokenDecodeError,
    TokenError,
    TokenExpiredError,
    TokenIssuedAtError,
    TokenIssuerError,
)

from .fakenotify import API_KEY, SECRET, SERVICE_ID, TEMPLATE_ID, FakeNotify, Reply


def signed(claims: dict[str, object], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def test_created_token_has_notify_shape() -> None:
    token = create_jwt_token(SECRET, SERVICE_ID)
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert isinstance(claims["iat"], int)
    assert decode_jwt_token(token, SECRET) is True
    assert get_token_issuer(token) == SERVICE_ID
    assert decode_token(token) == claims


@pytest.mark.parametrize(("secret", "client_id"), [("", SERVICE_ID), (SECRET, "")])
def test_create_refuses_empty_parts(secret: str, client_id: str) -> None:
    with pytest.raises(ClientConfigError):
        create_jwt_token(secret, client_id)


def test_wrong_secret() -> None:
    with pytest.raises(TokenDecodeError):
        decode_jwt_token(create_jwt_token(SECRET, SERVICE_ID), SERVICE_ID)


def test_wrong_algorithm() -> None:
    # The algorithm is checked before the signature, whatever the key.
    token = signed({"iss": SERVICE_ID, "iat": epoch_seconds()}, key=SECRET * 2, algorithm="HS512")
    with pytest.raises(TokenAlgorithmError) as raised:
        decode_jwt_token(token, SECRET)
    assert raised.value.message.startswith("Invalid token: algorithm used is not HS256")


@pytest.mark.parametrize("offset", [-31 - 60, 31 + 60])
def test_issued_outside_the_window(offset: int) -> None:
    token = signed({"iss": SERVICE_ID, "iat": epoch_seconds() + offset})
    with pytest.raises(TokenExpiredError):
        decode_jwt_token(token, SECRET)


def test_missing_claims() -> None:
    with pytest.raises(TokenIssuerError):
        decode_jwt_token(signed({"iat": epoch_seconds()}), SECRET)
    with pytest.raises(TokenIssuedAtError):
        decode_jwt_token(signed({"iss": SERVICE_ID}), SECRET)
    with pytest.raises(TokenIssuerError):
        get_token_issuer(signed({"iat": epoch_seconds()}))


def test_not_a_token() -> None:
    with pytest.raises(TokenDecodeError):
        get_token_issuer("not a token")
    with pytest.raises(TokenDecodeError):
        decode_jwt_token("not a token", SECRET)


def test_other_claim_problems_get_the_general_error() -> None:
    token = signed({"iss": SERVICE_ID, "iat": epoch_seconds(), "exp": epoch_seconds() - 3600})
    with pytest.raises(TokenError) as raised:
        decode_jwt_token(token, SECRET)
    assert type(raised.value) is TokenError
    assert raised.value.message.startswith("Invalid token: See our requirements")


def test_token_minting_can_be_replaced_where_the_official_client_looks_it_up(
    monkeypatch: pytest.MonkeyPatch, notify: FakeNotify
) -> None:
    # Code written for the official client (its own tests too) replaces token minting by
    # patching ``notifications_python_client.base.create_jwt_token``; the sync client must
    # take its token from whatever that name holds when it sends.
    calls: list[tuple[str, str]] = []

    def marked_token(secret: str, client_id: str) -> str:
        calls.append((secret, client_id))
        claims = {"iss": client_id, "iat": epoch_seconds(), "jti": "replaced"}
        return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})

    monkeypatch.setattr("notifications_python_client.base.create_jwt_token", marked_token)
    notify.queue(Reply(200, {"id": TEMPLATE_ID}))
    with NotificationsAPIClient(API_KEY, base_url=notify.url, max_retries=0) as client:
        client.get_template(TEMPLATE_ID)

    assert calls == [(SECRET, SERVICE_ID)]
    assert notify.last.claims()["jti"] == "replaced"
