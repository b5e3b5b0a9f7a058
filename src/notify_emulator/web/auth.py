"""JWT authentication of v2 requests, exactly as Notify checks it (notify-api.md §2.3).

Tokens are HS256 JWTs signed with an API key's secret, ``iss`` = service id, ``iat`` = seconds
since the epoch; a token is valid within 30 seconds of the server's clock either way. That is the
real clock, beneath any move of the emulator's own (``POST /_emulator/clock``): clients sign
tokens with the time of their machine, which an emulated jump does not change.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
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

    unverified = _unverified_claims(token)
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
            claims = _signed_claims(token, key)
        except _NotThisKey:
            continue
        _check_issued_at(claims, now)
        if key.expiry_date is not None:
            raise AuthError(KEY_REVOKED)
        return Caller(service=service, api_key=key)
    raise AuthError(KEY_NOT_FOUND)


class _TokenCache:
    """What decoding a token found, for tokens seen again (clients reuse one for seconds).

    Only answers that cannot change with time are kept: a token's unverified claims, and
    whether a key's secret signed it (with its claims), for tokens whose claims PyJWT checks
    against nothing but the signature (no ``exp``, ``nbf`` or ``aud``). The time check of
    ``iat`` and a key's revocation are made on every request. Bounded: the oldest go first.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> object | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple[str, ...], value: object) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def __repr__(self) -> str:
        return f"_TokenCache(entries={len(self._entries)})"  # never the tokens or secrets


_TOKENS = _TokenCache(4096)
_NOT_SIGNED_BY_KEY = object()
# Claims PyJWT checks against the clock or the audience: a token holding one is decoded afresh.
_TIME_DEPENDENT_CLAIMS = frozenset({"exp", "nbf", "aud"})


def _unverified_claims(token: str) -> object:
    cached = _TOKENS.get(("claims", token))
    if cached is not None:
        return cached
    try:
        claims: object = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        claims = _lenient(token).claims
    if _time_independent(claims):
        _TOKENS.put(("claims", token), claims)
    return claims


def _signed_claims(token: str, key: ApiKeyRecord) -> dict[str, Any]:
    """The claims of a token signed by ``key``; raises :class:`_NotThisKey` otherwise."""
    entry = ("signed", token, key.id, key.secret)
    cached = _TOKENS.get(entry)
    if cached is _NOT_SIGNED_BY_KEY:
        raise _NotThisKey
    if isinstance(cached, dict):
        return cached
    try:
        claims = _verified_claims(token, key)
    except _NotThisKey:
        if _time_independent(_unverified_claims(token)):
            _TOKENS.put(entry, _NOT_SIGNED_BY_KEY)
        raise
    if _time_independent(claims):
        _TOKENS.put(entry, claims)
    return claims


def _time_independent(claims: object) -> bool:
    """Whether decoding claims like these gives the same answer at any time."""
    return isinstance(claims, dict) and not _TIME_DEPENDENT_CLAIMS & claims.keys()


def _lenient(token: str) -> LenientToken:
    try:
        return parse_leniently(token)
    except UndecodableToken:
        raise AuthError(INVALID_TOKEN) from None


def _verified_claims(token: str, key: ApiKeyRecord) -> dict[str, Any]:
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
        except jwt.DecodeError:
            # The re-encoded token is well formed, so this is a claim PyJWT cannot read as a
            # number (exp or nbf = "soon"). Notify's client raises the same error as for a
            # bad signature, so Notify tries the next key and ends with "API key not found".
            raise _NotThisKey from None
        except jwt.PyJWTError:
            raise AuthError(INVALID_TOKEN) from None
    except jwt.ImmatureSignatureError:
        raise AuthError(CLOCK_SKEW) from None
    except jwt.PyJWTError:
        raise AuthError(INVALID_TOKEN) from None
    if "iat" not in claims:
        raise _NotThisKey
    return claims


def _check_issued_at(claims: dict[str, Any], now: float) -> None:
    """Notify's bounds, in whole seconds: valid iff ``|int(now) - int(iat)| <= 30``.

    Notify's client (``validate_jwt_token``) takes ``now`` as whole epoch seconds and rejects
    ``now > iat + 30`` and ``iat > now + 30``; PyJWT's own future check (``iat > now + 30`` with
    a fractional ``now``) agrees for an integer ``iat``. So a token exactly 30 s old or ahead
    passes, whatever the fraction of the current second.
    """
    issued_at = _issued_at(claims["iat"])
    second = int(now)
    # Compared, not subtracted: an int too big for a float (iat = 10**400) cannot overflow.
    if issued_at is None or not (
        second - TOKEN_LEEWAY_SECONDS <= issued_at <= second + TOKEN_LEEWAY_SECONDS
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
