"""``/_emulator/clock``: the emulator's movable clock (shared/spec/emulator.md, "Time").

``GET`` tells the time; ``POST {"advance_seconds": N}`` or ``POST {"set": "…Z"}`` moves it,
forward only. Every part of the emulator that times something follows this clock; JWTs are
still checked against the real one.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

from notify_emulator.admin.bodies import json_object
from notify_emulator.clock import format_timestamp, real_clock
from notify_emulator.store.clock_offset import MAX_OFFSET
from notify_emulator.web.context import ApiRequest, Emulator
from notify_emulator.web.errors import AdminError
from notify_emulator.web.handlers import Result

FORWARD_ONLY = "the emulator's clock only moves forward"


def clock_json(emulator: Emulator) -> dict[str, object]:
    """``{"now": "…Z", "offset_seconds": N}`` (a whole number when the offset is one)."""
    offset = emulator.store.clock_offset.current()
    now = real_clock(emulator.settings.clock).now() + offset
    seconds = offset.total_seconds()
    return {
        "now": format_timestamp(now),
        "offset_seconds": int(seconds)
        if offset % timedelta(seconds=1) == timedelta(0)
        else seconds,
    }


def get_clock(emulator: Emulator, _request: ApiRequest) -> Result:
    """``GET /_emulator/clock``."""
    return 200, clock_json(emulator)


def move_clock(emulator: Emulator, request: ApiRequest) -> Result:
    """``POST /_emulator/clock`` ``{"advance_seconds": N}`` or ``{"set": "…Z"}``."""
    data = _body(request.body)
    offsets = emulator.store.clock_offset
    try:
        if "advance_seconds" in data:
            offsets.advance(timedelta(seconds=_seconds(data["advance_seconds"])))
        else:
            target = _moment(data["set"])
            base = real_clock(emulator.settings.clock).now()
            now = base + offsets.current()
            if target < now:
                raise AdminError(
                    f"set {format_timestamp(target)} is before the emulator's time now "
                    f"({format_timestamp(now)}): {FORWARD_ONLY}"
                )
            offsets.move_to(target - base)
    except (ValueError, OverflowError) as error:
        raise AdminError(str(error)) from None
    return 200, clock_json(emulator)


def _body(body: bytes) -> dict[str, object]:
    data = json_object(
        body, 'the body must be a JSON object: {"advance_seconds": N} or {"set": "…Z"}'
    )
    unknown = sorted(name for name in data if name not in ("advance_seconds", "set"))
    if unknown:
        raise AdminError(f"unknown field {unknown[0]!r} (give advance_seconds or set)")
    if len(data) != 1:
        raise AdminError("give exactly one of advance_seconds and set")
    return data


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise AdminError(f"advance_seconds must be a number of seconds, not {json.dumps(value)}")
    if value < 0:
        raise AdminError(f"advance_seconds must not be negative: {FORWARD_ONLY}")
    if value > MAX_OFFSET.total_seconds():
        raise AdminError(
            f"advance_seconds must be at most {int(MAX_OFFSET.total_seconds())} "
            f"({MAX_OFFSET.days} days)"
        )
    return float(value)


def _moment(value: object) -> datetime:
    if not isinstance(value, str):
        raise AdminError(f"set must be a date and time such as 2026-12-01T10:00:00Z, not {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise AdminError(
            f"set must be a date and time such as 2026-12-01T10:00:00Z, not {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # Notify's times are UTC
    return moment.astimezone(timezone.utc)
