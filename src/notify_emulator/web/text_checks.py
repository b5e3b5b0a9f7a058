"""Text no database can store, refused where a request is read (once, for every route).

Two kinds of character reach Python from a request but not a database:

- a NUL (U+0000): JSON allows ``"\\u0000"`` and a query allows ``%00``, but PostgreSQL's text
  type cannot hold one (Notify's own PostgreSQL fails on it with a 500);
- an unpaired surrogate (U+D800–U+DFFF): JSON allows ``"\\ud800"`` (and Python's parser
  accepts one), but it cannot be encoded as UTF-8, so storing, rendering or answering with it
  fails (in Notify too, with a 500).

The emulator refuses both with a 400 naming where the character is, on SQLite as on PostgreSQL,
so that what one backend accepts the other does too. JSON nested deeper than
:data:`MAX_JSON_DEPTH` is refused as well: Notify crashes on very deep JSON, and rendering or
storing a deep value recurses once per level.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable

__all__ = [
    "MAX_JSON_DEPTH",
    "UnusableText",
    "check_json_value",
    "check_text",
    "parse_json",
]

# Deeper than any real request; far below where rendering or encoding a value would hit
# Python's recursion limit.
MAX_JSON_DEPTH = 100

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnusableText(ValueError):
    """A request holds text the emulator cannot store or answer with (the message says where)."""


def problem(text: str) -> str | None:
    """What is wrong with ``text`` ("a NUL character", "an unpaired surrogate"), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "a NUL character (\\u0000)"
    return "an unpaired surrogate (\\ud800-\\udfff)"


def check_text(text: str, where: str) -> None:
    """Raise :class:`UnusableText` if ``text`` holds a NUL or an unpaired surrogate."""
    found = problem(text)
    if found is not None:
        raise UnusableText(f"{where} must not contain {found}")


def check_json_value(value: object, where: str = "the body") -> None:
    """Check every string (keys too) of a parsed JSON value, and how deep it is nested.

    Walks the value without recursion, so however deep it is, the walk itself cannot fail.
    """
    stack: list[tuple[object, tuple[str, ...], int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UnusableText(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(item, str):
            check_text(item, _named(path, where))
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and problem(key) is not None:
                    check_text(key, f"a key in {_named(path, where)}")
                stack.append((child, (*path, str(key)), depth + 1))
        elif isinstance(item, list):
            stack.extend((child, path, depth + 1) for child in item)


def parse_json(body: bytes | str) -> object:
    """Parse JSON and check it with :func:`check_json_value`.

    Raises :class:`UnusableText` for text that cannot be stored and ``ValueError`` for
    anything that is not JSON: syntax errors, JSON too deep for Python's parser, and the
    ``NaN``/``Infinity`` extensions (or a number too big for a float), which Python reads but
    JSON does not have and PostgreSQL's JSON type refuses.
    """
    try:
        data = _DECODER.decode(_as_text(body))
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if not _may_hold_unusable_text(body):
        return data
    check_json_value(data)
    return data


def _may_hold_unusable_text(body: bytes | str) -> bool:
    """False when the JSON text cannot hold what :func:`check_json_value` looks for.

    In UTF-8 JSON a NUL or a lone surrogate can only be written as a ``\\u`` escape, or (for a
    surrogate, which Python's reader lets through) as the bytes of one, which start with 0xED;
    and nesting deeper than the limit needs more brackets than the limit. A body with a zero
    byte may be UTF-16 or UTF-32 (Python's reader takes those too), so it is always walked.
    """
    if not isinstance(body, bytes):
        return True
    if b"\\u" in body or b"\xed" in body or b"\x00" in body:
        return True
    return body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH


def _as_text(body: bytes | str) -> str:
    # What json.loads does before decoding: bytes in any UTF of JSON, a str without a BOM.
    if isinstance(body, str):
        if body.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", body, 0)
        return body
    return body.decode(json.detect_encoding(body), "surrogatepass")


def _not_json(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too big for a number")
    return value


# Made once: json.loads with options builds a new decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_not_json, parse_float=_finite_float)


def _named(path: Iterable[str], where: str) -> str:
    # Notify's own messages name a field by its path, joined with spaces ("personalisation name").
    parts = list(path)
    return " ".join(parts) if parts else where
