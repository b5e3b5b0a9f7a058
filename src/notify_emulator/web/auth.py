"""JWT authentication of v2 requests, exactly as Notify checks it (notify-api.md §2.3).

Tokens are HS256 JWTs signed with an API key's secret, ``iss`` = service id, ``iat`` = seconds
since the epoch; a token is valid within 30 seconds of the server's clock either way. That is the
real clock, beneath any move of the emulator's own (``POST /_emulator/clock``): clients sign
tokens with the time of their machine, which an emulated jump does not change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from notify_emulator.clock import Clock, real_clock
from notify_emulator.store import ApiKeyRecord, ServiceRecord, Store
from notify_emulator.web.errors import AuthError
from notify_emulator.web.jwt_segments import LenientToken, UndecodableToken, parse_leniently

# Allowed clock skew between client and server, both ways.
TOKEN_LEEWAY_SECONDS = 30

TOKEN_REQUIRED = "Unauthorized: authentication token must be provided"
BEARER_REQUIRED = "Unauthorized: authentication bearer scheme must be used"
INVALID_TOKEN = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
ISS_NOT_PROVIDED = "Invalid token: iss field not provided"
SERVICE_ID_WRONG_TYPE = "Invalid token: service id is not the right data type"
SERVICE_NOT_FOUND = "Invalid token: service not found"
NO_API_KEYS = "Invalid token: service has no API keys"
SERVICE_ARCHIVED = "Invalid token: service is archived"
WRONG_ALGORITHM = "Invalid token: algorithm used is not HS256"
CLOCK_SKEW = "Error: Your system clock must be accurate to within 30 seconds"
KEY_REVOKED = "Invalid token: API key revoked"
KEY_NOT_FOUND = "Invalid token: API key not found"


@dataclass(frozen=True)
class Caller:
    """Who is calling: the service and the key that signed the token."""

    service: ServiceRecord
    api_key: ApiKeyRecord

    @property
    def key_type(self) -> str:
        """``normal``, ``team`` or ``test``."""
        return self.api_key.key_type


class _NotThisKey(Exception):
    """The token was not signed by this key (or lacks ``iat``): try the next one."""


def authenticate(authorization: str | None, store: Store, clock: Clock) -> Caller:
    """Check an ``Authorization`` header; returns the caller or raises :class:`AuthError`."""
    if not authorization:
        raise AuthError(TOKEN_REQUIRED, status_code=401)
    # Notify title-cases the first seven characters, so the scheme is case-insensitive.
    if authorization[:7].title() != "Bearer ":
        raise AuthError(BEARER_REQUIRED, status_code=401)
    token = authorization[7:]

    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        unverified = _lenient(token).claims
    if not isinstance(unverified, dict) or "iss" not in unverified:
        raise AuthError(ISS_NOT_PROVIDED)
    issuer = unverified["iss"]
    try:
        if not isinstance(issuer, str):
            raise ValueError("iss is not a string")
        service_id = str(uuid.UUID(issuer))
    except ValueError:
        raise AuthError(SERVICE_ID_WRONG_TYPE) from None

    service = store.get_service(service_id)
    if service is None:
        raise AuthError(SERVICE_NOT_FOUND)
    keys = store.usable_api_keys(service_id)
    if not keys:
        raise AuthError(NO_API_KEYS)
    if not service.active:
        raise AuthError(SERVICE_ARCHIVED)

    now = real_clock(clock).now().timestamp()
    for key in keys:
        try:
            _verify(token, key, now)
        except _NotThisKey:
            continue
        if key.expiry_date is not None:
            raise AuthError(KEY_REVOKED)
        return Caller(service=service, api_key=key)
    raise AuthError(KEY_NOT_FOUND)


def _lenient(token: str) -> LenientToken:
    try:
        return parse_leniently(token)
    except UndecodableToken:
        raise AuthError(INVALID_TOKEN) from None


def _verify(token: str, key: ApiKeyRecord, now: float) -> None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        header = _lenient(token).header
    # Checked before the signature, so it fails on the first key tried.
    if header.get("alg") != "HS256":
        raise AuthError(WRONG_ALGORITHM)
    try:
        claims = _decode(token, key)
    except jwt.InvalidSignatureError:
        raise _NotThisKey from None
    except jwt.DecodeError:
        # A segment this PyJWT refuses but Notify's reads leniently: compare the signature as
        # Notify would, then check the claims of the cleanly re-encoded token.
        lenient = _lenient(token)
        if not lenient.signed_with(key.secret):
            raise _NotThisKey from None
        try:
            claims = _decode(lenient.canonical(), key)
        except jwt.ImmatureSignatureError:
            raise AuthError(CLOCK_SKEW) from None
        except jwt.PyJWTError:
            raise AuthError(INVALID_TOKEN) from None
    except jwt.ImmatureSignatureError:
        raise AuthError(CLOCK_SKEW) from None
    except jwt.PyJWTError:
        raise AuthError(INVALID_TOKEN) from None
    if "iat" not in claims:
        raise _NotThisKey
    issued_at = _issued_at(claims["iat"])
    # Compared, not subtracted: an int too big for a float (iat = 10**400) cannot overflow.
    if issued_at is None or not (
        now - TOKEN_LEEWAY_SECONDS <= issued_at <= now + TOKEN_LEEWAY_SECONDS
    ):
        raise AuthError(CLOCK_SKEW)


def _decode(token: str, key: ApiKeyRecord) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.secret.encode("utf-8"),
            algorithms=["HS256"],
            # iat is checked by the caller, both ways; PyJWT checks exp/nbf/aud and claim types.
            options={"verify_iat": False, "require": []},
            leeway=TOKEN_LEEWAY_SECONDS,
        )
    except (OverflowError, TypeError, ValueError) as error:
        # PyJWT calls int() on exp and nbf and lets what it does not expect through
        # (exp = 1e400, exp = []): such a token is not a usable token.
        raise jwt.InvalidTokenError("a claim is out of range") from error
    return claims


def _issued_at(value: object) -> int | None:
    """``iat`` read as Notify reads it: ``int(value)``, so "1700000000" and 1700000000.5 work.

    (PyJWT and the official client's token check both call ``int()`` on it.) Values ``int()``
    refuses are a clock error; Notify itself crashes on a null ``iat``, which is answered the
    same way here.
    """
    if isinstance(value, (int, float, str)):
        try:
            return int(value)
        except (ValueError, OverflowError):
            return None
    return None
