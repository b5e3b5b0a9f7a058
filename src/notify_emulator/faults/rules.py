"""What a fault is, which requests it matches and what it answers (pure: no I/O).

A fault (shared/spec/emulator.md, "Faults") is ``{"match": {...}, "action": {...}, "times": 1}``
or ``{..., "rate": 0.2}``. :func:`parse_fault` checks one given as JSON (``POST
/_emulator/faults``) or as a seed file's ``[[faults]]`` entry and gives a :class:`FaultSpec`, or
raises :class:`FaultError` with a one-line message saying what is wrong. The middleware asks
:meth:`Match.matches` of each request, and builds its answer with :func:`server_error_answer`,
:func:`rate_limit_answer` or :func:`daily_limit_answer`, Notify's own bodies.

Faults apply only to Notify's API (``/v2/…`` and ``/_status``): the emulator's own routes and
pages are never touched, so a fault can always be listed and deleted.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from notify_emulator.rules.constants import KEY_TYPES
from notify_emulator.rules.email_addresses import normalise_email_address
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.limits import daily_limit_message, rate_limit_message
from notify_emulator.rules.phone_numbers import normalise_phone_number

__all__ = [
    "ACTION_KINDS",
    "DROP_MOMENTS",
    "ERROR_NAMES",
    "FOREVER",
    "MATCH_FIELDS",
    "MAX_DELAY_MS",
    "MAX_TIMES",
    "SERVER_ERROR_STATUSES",
    "Action",
    "FaultError",
    "FaultSpec",
    "Match",
    "RequestFacts",
    "daily_limit_answer",
    "is_notify_path",
    "normalise_fault_recipient",
    "parse_fault",
    "path_matches",
    "rate_limit_answer",
    "request_recipient",
    "send_channel",
    "server_error_answer",
]

SERVER_ERROR_STATUSES = (500, 502, 503, 504)
ERROR_NAMES = ("RateLimitError", "TooManyRequestsError")
DROP_MOMENTS = ("before", "after")
ACTION_KINDS = ("status", "error", "delay_ms", "drop")
MATCH_FIELDS = ("method", "path", "service_id", "key_type", "recipient")
FAULT_FIELDS = ("id", "match", "action", "times", "rate")
# What a seed file (TOML has no null) gives as `times` for a fault that lasts until deleted.
FOREVER = "forever"
# Ten minutes: longer than any client waits for an answer.
MAX_DELAY_MS = 600_000
# The most a fault's `times` can be: what every database stores as an INTEGER (PostgreSQL's is
# 32-bit), and more requests than any rehearsal makes.
MAX_TIMES = 2**31 - 1

# Notify's 500 names whatever exception crashed (notify-api.md §4.1); a rehearsed failure has no
# real exception behind it, so it names the most general one. 504 is Notify's own timeout.
_SERVER_ERRORS: Mapping[int, tuple[str, str]] = {
    500: ("Exception", "Internal server error"),
    502: ("Exception", "Internal server error"),
    503: ("Exception", "Internal server error"),
    504: ("EventletTimeout", "Timeout serving request"),
}

_METHOD = re.compile(r"[A-Z]{3,10}")
_SEND_PATH = re.compile(r"/v2/notifications/(sms|email|letter)")
# Longest piece of a bad value repeated in an error message.
_SHOWN_VALUE_LENGTH = 60

ActionKind = Literal["status", "error", "delay_ms", "drop"]


class FaultError(ValueError):
    """A fault as given is not usable; the message says why, in one line."""


def is_notify_path(path: str) -> bool:
    """Whether ``path`` is part of Notify's own API, the only place faults apply."""
    return path == "/v2" or path.startswith("/v2/") or path == "/_status"


def path_matches(pattern: str, path: str) -> bool:
    """``path`` equals ``pattern``, or fits it as a glob (``*`` also spans ``/``)."""
    if not any(character in pattern for character in "*?["):
        return pattern == path
    return fnmatch.fnmatchcase(path, pattern)


@dataclass(frozen=True)
class RequestFacts:
    """What a fault can match a request on; ``None`` where the request does not tell."""

    method: str
    path: str
    service_id: str | None = None
    key_type: str | None = None
    recipient: str | None = None


@dataclass(frozen=True)
class Match:
    """The conditions of a fault; every one given must hold (none given: every request)."""

    method: str | None = None
    path: str | None = None
    service_id: str | None = None
    key_type: str | None = None
    recipient: str | None = None
    """Normalised as Notify normalises recipients (:func:`normalise_fault_recipient`)."""

    @property
    def needs_caller(self) -> bool:
        """Whether matching needs to know who signed the request's token."""
        return self.service_id is not None or self.key_type is not None

    @property
    def needs_recipient(self) -> bool:
        """Whether matching needs the request's body."""
        return self.recipient is not None

    def matches_route(self, method: str, path: str) -> bool:
        """The conditions that need nothing but the request line."""
        if self.method is not None and method.upper() != self.method:
            return False
        return self.path is None or path_matches(self.path, path)

    def matches(self, request: RequestFacts) -> bool:
        """Whether every condition holds for ``request``."""
        if not self.matches_route(request.method, request.path):
            return False
        if self.service_id is not None and request.service_id != self.service_id:
            return False
        if self.key_type is not None and request.key_type != self.key_type:
            return False
        return self.recipient is None or request.recipient == self.recipient

    def as_json(self) -> dict[str, str]:
        """The conditions given, as JSON."""
        return {name: value for name in MATCH_FIELDS if (value := getattr(self, name)) is not None}


@dataclass(frozen=True)
class Action:
    """What a fault does: one of :data:`ACTION_KINDS` with its value."""

    kind: ActionKind
    value: int | str

    @property
    def needs_caller(self) -> bool:
        """The 429s are shaped by the caller's key type and service limits."""
        return self.kind == "error"

    def as_json(self) -> dict[str, int | str]:
        """The action as JSON, e.g. ``{"status": 503}``."""
        return {self.kind: self.value}


@dataclass(frozen=True)
class FaultSpec:
    """A fault as given: conditions, action, and how often it hits.

    ``times`` is how many matching requests it hits (``None``, given as ``null`` or
    ``"forever"``: until deleted); ``rate`` is the
    chance that it hits each matching request (``None``: every one).
    """

    match: Match
    action: Action
    times: int | None = 1
    rate: float | None = None
    id: str | None = None

    @property
    def needs_caller(self) -> bool:
        """Whether applying this fault needs the request's caller."""
        return self.match.needs_caller or self.action.needs_caller

    def as_json(self) -> dict[str, object]:
        """The fault as it is given and listed (without its id)."""
        return {
            "match": self.match.as_json(),
            "action": self.action.as_json(),
            "times": self.times,
            "rate": self.rate,
        }


def _shown(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _SHOWN_VALUE_LENGTH:
        return text[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return text


def _is_whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_fault(data: object) -> FaultSpec:
    """A fault given as JSON (or a seed entry of the same shape), checked."""
    if not isinstance(data, Mapping):
        raise FaultError(f"a fault must be an object, not {_shown(data)}")
    unknown = sorted(str(name) for name in data if name not in FAULT_FIELDS)
    if unknown:
        raise FaultError(
            f"unknown field {unknown[0]!r} (a fault has match, action, times and rate)"
        )
    if "action" not in data:
        raise FaultError(
            'action is required: {"status": 500|502|503|504}, '
            '{"error": "RateLimitError"|"TooManyRequestsError"}, {"delay_ms": N} '
            'or {"drop": "before"|"after"}'
        )
    match = _parse_match(data.get("match"))
    action = _parse_action(data["action"])
    rate = _parse_rate(data.get("rate"))
    # A fault that hits by chance goes on until deleted unless told how many times.
    default_times = None if rate is not None else 1
    times = _parse_times(data["times"]) if "times" in data else default_times
    fault_id = data.get("id")
    if fault_id is not None:
        fault_id = _parse_uuid("id", fault_id)
    return FaultSpec(match=match, action=action, times=times, rate=rate, id=fault_id)


def _parse_match(data: object) -> Match:
    if data is None:
        return Match()
    if not isinstance(data, Mapping):
        raise FaultError(f"match must be an object, not {_shown(data)}")
    unknown = sorted(str(name) for name in data if name not in MATCH_FIELDS)
    if unknown:
        raise FaultError(f"match: unknown field {unknown[0]!r} (known: {', '.join(MATCH_FIELDS)})")
    values: dict[str, str | None] = {}
    for name in MATCH_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise FaultError(f"match.{name} must be a string, not {_shown(value)}")
        values[name] = value
    return Match(
        method=_parse_method(values["method"]),
        path=_parse_path(values["path"]),
        service_id=None
        if values["service_id"] is None
        else _parse_uuid("match.service_id", values["service_id"]),
        key_type=_parse_key_type(values["key_type"]),
        recipient=None
        if values["recipient"] is None
        else normalise_fault_recipient(values["recipient"]),
    )


def _parse_method(value: str | None) -> str | None:
    if value is None:
        return None
    method = value.strip().upper()
    if not _METHOD.fullmatch(method):
        raise FaultError(f"match.method must be an HTTP method such as POST, not {_shown(value)}")
    return method


def _parse_path(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith("/"):
        raise FaultError(f"match.path must start with /, not {_shown(value)}")
    literal = re.split(r"[*?\[]", value, maxsplit=1)[0]
    if literal == value:
        possible = is_notify_path(value)
    else:
        # A glob: it can match Notify's API if its fixed start can begin one of its paths.
        possible = any(
            literal.startswith(root) or root.startswith(literal) for root in ("/v2", "/_status")
        )
    if not possible:
        raise FaultError(
            f"match.path {_shown(value)} can never match: faults apply only to Notify's API "
            "(/v2/… and /_status), never to the emulator's own routes or pages"
        )
    return value


def _parse_uuid(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise FaultError(f"{name} must be a string, not {_shown(value)}")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise FaultError(f"{name} is not a valid UUID: {_shown(value)}") from None


def _parse_key_type(value: str | None) -> str | None:
    if value is None:
        return None
    # Notify's documentation calls normal keys "live".
    key_type = "normal" if value == "live" else value
    if key_type not in KEY_TYPES:
        raise FaultError(
            f"match.key_type must be one of {', '.join(KEY_TYPES)} (or live), not {_shown(value)}"
        )
    return key_type


def normalise_fault_recipient(value: str) -> str:
    """A recipient as Notify compares them: an email address validated and lower-cased, a
    phone number in E.164 without ``+`` (``07700 900123`` → ``447700900123``)."""
    try:
        if "@" in value:
            return normalise_email_address(value)
        return normalise_phone_number(value)
    except RuleError as error:
        raise FaultError(
            f"match.recipient must be a phone number or an email address: {_shown(value)} "
            f"({error.message})"
        ) from None


def request_recipient(body: bytes) -> str | None:
    """The normalised recipient of a send request's JSON body, if it names a valid one."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    for name, normalise in (
        ("phone_number", normalise_phone_number),
        ("email_address", normalise_email_address),
    ):
        value = data.get(name)
        if isinstance(value, str):
            try:
                return normalise(value)
            except RuleError:
                return None
    return None


def _parse_action(data: object) -> Action:
    if not isinstance(data, Mapping):
        raise FaultError(f"action must be an object, not {_shown(data)}")
    kinds = [name for name in data if name in ACTION_KINDS]
    unknown = sorted(str(name) for name in data if name not in ACTION_KINDS)
    if unknown:
        raise FaultError(
            f"action: unknown field {unknown[0]!r} (an action is one of {', '.join(ACTION_KINDS)})"
        )
    if len(kinds) != 1:
        raise FaultError(
            f"action must have exactly one of {', '.join(ACTION_KINDS)}, not {len(kinds)}"
        )
    kind = kinds[0]
    value = data[kind]
    if kind == "status":
        if not _is_whole_number(value) or value not in SERVER_ERROR_STATUSES:
            allowed = ", ".join(str(status) for status in SERVER_ERROR_STATUSES)
            raise FaultError(f"action.status must be one of {allowed}, not {_shown(value)}")
        return Action("status", value)
    if kind == "error":
        if value not in ERROR_NAMES:
            raise FaultError(
                f"action.error must be one of {', '.join(ERROR_NAMES)}, not {_shown(value)}"
            )
        return Action("error", value)
    if kind == "delay_ms":
        if not _is_whole_number(value) or not 0 <= value <= MAX_DELAY_MS:
            raise FaultError(
                f"action.delay_ms must be a whole number of milliseconds from 0 to "
                f"{MAX_DELAY_MS}, not {_shown(value)}"
            )
        return Action("delay_ms", value)
    if value not in DROP_MOMENTS:
        raise FaultError(f"action.drop must be before or after, not {_shown(value)}")
    return Action("drop", value)


def _parse_times(value: object) -> int | None:
    # TOML has no null: seed files say "forever".
    if value is None or value == FOREVER:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FaultError(
            f"times must be a whole number of at least 1, or null or {FOREVER!r} (until "
            f"deleted), not {_shown(value)}"
        )
    if value > MAX_TIMES:
        raise FaultError(f"times must be at most {MAX_TIMES}")
    return value


def _parse_rate(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise FaultError(f"rate must be a number from 0 to 1, not {_shown(value)}")
    return float(value)


# --- answers -------------------------------------------------------------------------------


def _envelope(status: int, error: str, message: str) -> tuple[int, dict[str, object]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def server_error_answer(status: int) -> tuple[int, dict[str, object]]:
    """A 5xx in Notify's v2 error envelope (notify-api.md §4.1)."""
    error, message = _SERVER_ERRORS[status]
    return _envelope(status, error, message)


def rate_limit_answer(key_type: str, rate_limit: int) -> tuple[int, dict[str, object]]:
    """Notify's per-minute 429 for this key type and limit (notify-api.md §6.1)."""
    return _envelope(429, "RateLimitError", rate_limit_message(key_type, rate_limit))


def daily_limit_answer(channel: str, limit: int) -> tuple[int, dict[str, object]]:
    """Notify's daily-limit 429 for this channel and limit (notify-api.md §6.2)."""
    return _envelope(429, "TooManyRequestsError", daily_limit_message(channel, limit))


def send_channel(path: str) -> str:
    """The daily limit a request to ``path`` counts against (texts, for any other path)."""
    found = _SEND_PATH.fullmatch(path)
    return found.group(1) if found else "sms"
