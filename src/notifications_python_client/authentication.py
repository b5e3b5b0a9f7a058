"""JSON Web Tokens as Notify uses them (notify-api.md §2).

A token is signed with HS256 using the API key's secret; its claims are ``iss`` (the service id)
and ``iat`` (issue time, whole seconds since the epoch, UTC). Notify accepts it for 30 seconds
either side of its own clock.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

import jwt

from notifications_python_client._constants import (
    JWT_ALGORITHM,
    JWT_TYPE,
    TOKEN_CLOCK_SKEW_SECONDS,
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

__all__ = [
    "INVALID_FUTURE_TOKEN_ERROR_MESSAGE",
    "create_jwt_token",
    "decode_jwt_token",
    "decode_token",
    "epoch_seconds",
    "get_token_issuer",
    "validate_jwt_token",
]

# The official module's names for the token's algorithm and type, and for the seconds a
# token's ``iat`` may be from the clock.
__algorithm__ = JWT_ALGORITHM
__type__ = JWT_TYPE
__bound__ = TOKEN_CLOCK_SKEW_SECONDS

INVALID_FUTURE_TOKEN_ERROR_MESSAGE = "Token can not be in the future"


def epoch_seconds() -> int:
    """The current time as whole seconds since the epoch (UTC)."""
    return calendar.timegm(time.gmtime())


def create_jwt_token(secret: str, client_id: str) -> str:
    """Sign a token for Notify: HS256, header ``typ`` JWT, claims ``iss`` and ``iat``.

    :param secret: the API key's secret (its last 36 characters)
    :param client_id: the service id, sent as ``iss``
    :raises ClientConfigError: if either is empty
    """
    if not secret:
        raise ClientConfigError("Missing secret key")
    if not client_id:
        raise ClientConfigError("Missing client id")
    headers = {"typ": JWT_TYPE, "alg": JWT_ALGORITHM}
    claims = {"iss": client_id, "iat": epoch_seconds()}
    return jwt.encode(payload=claims, key=secret, algorithm=JWT_ALGORITHM, headers=headers)


def decode_token(token: str) -> dict[str, Any]:
    """Read a token's claims without checking its signature."""
    claims: dict[str, Any] = jwt.decode(
        token, options={"verify_signature": False}, algorithms=[JWT_ALGORITHM]
    )
    return claims


def get_token_issuer(token: str) -> str:
    """The ``iss`` claim of a token, read without checking the signature.

    It tells a server which secret to verify the token with.

    :raises TokenIssuerError: if the token has no ``iss``
    :raises TokenDecodeError: if the token is not a JWT
    """
    try:
        claims = decode_token(token)
    except jwt.DecodeError as error:
        raise TokenDecodeError from error
    if "iss" not in claims:
        raise TokenIssuerError
    return str(claims["iss"])


def decode_jwt_token(token: str, secret: str) -> bool:
    """Verify a token's signature, algorithm and issue time; ``True`` if it is valid.

    :raises TokenIssuerError: no ``iss``
    :raises TokenIssuedAtError: no ``iat``
    :raises TokenExpiredError: ``iat`` more than 30 seconds in the past or the future
    :raises TokenAlgorithmError: not HS256
    :raises TokenDecodeError: not a JWT, or the signature does not match
    :raises TokenError: any other problem with the token
    """
    try:
        claims = jwt.decode(
            token,
            key=secret,
            options={"verify_signature": True},
            algorithms=[JWT_ALGORITHM],
            leeway=TOKEN_CLOCK_SKEW_SECONDS,
        )
    except jwt.InvalidIssuedAtError as error:
        raise TokenExpiredError("Token has invalid iat field", decode_token(token)) from error
    except jwt.ImmatureSignatureError as error:
        raise TokenExpiredError(INVALID_FUTURE_TOKEN_ERROR_MESSAGE, decode_token(token)) from error
    except jwt.InvalidAlgorithmError as error:
        raise TokenAlgorithmError from error
    except jwt.DecodeError as error:
        raise TokenDecodeError from error
    except jwt.InvalidTokenError as error:
        # Anything else (an audience, an expired exp...) gets the general message: Notify does not
        # explain every way a token can be wrong.
        raise TokenError from error
    return validate_jwt_token(claims)


def validate_jwt_token(decoded_token: dict[str, Any]) -> bool:
    """Check a token's decoded claims: ``iss`` and ``iat`` present, ``iat`` within 30 seconds.

    :raises TokenIssuerError: no ``iss``
    :raises TokenIssuedAtError: no ``iat``
    :raises TokenExpiredError: ``iat`` more than 30 seconds in the past or the future
    """
    claims = decoded_token
    if "iss" not in claims:
        raise TokenIssuerError
    if "iat" not in claims:
        raise TokenIssuedAtError
    now = epoch_seconds()
    issued_at = int(claims["iat"])
    if now > issued_at + TOKEN_CLOCK_SKEW_SECONDS:
        raise TokenExpiredError("Token has expired", claims)
    if issued_at > now + TOKEN_CLOCK_SKEW_SECONDS:
        raise TokenExpiredError(INVALID_FUTURE_TOKEN_ERROR_MESSAGE, claims)
    return True
