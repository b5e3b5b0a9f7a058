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

The emulator's own routes refuse such text as the request is read (:func:`parse_json`). Notify's
routes read a body as Notify does (:func:`parse_notify_json`) and run Notify's own checks on it
first, so that a NUL in a phone number is Notify's "Must not contain letters or symbols"; only
what passes them and would still be stored is refused (:func:`check_storable_send`). A NUL in
personalisation is stored, as in Notify, which keeps personalisation encrypted rather than as
database text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping

__all__ = [
    "MAX_JSON_DEPTH",
    "UnusableText",
    "check_json_value",
    "check_no_surrogates",
    "check_storable_send",
    "check_text",
    "may_hold_unusable_text",
    "parse_json",
    "parse_notify_json",
]

# Deeper than any real request; far below where rendering or encoding a value would hit
# Python's recursion limit.
MAX_JSON_DEPTH = 100

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnusableText(ValueError):
    """A request holds text the emulator cannot store or answer with (the message says where)."""


NUL_PROBLEM = "a NUL character (\\u0000)"
# The fields of a send's body that pick how it is handled and are never stored.
NOT_STORED = frozenset({"sanitise_content_for"})


def problem(text: str) -> str | None:
    """What is wrong with ``text`` ("a NUL character", "an unpaired surrogate"), or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return NUL_PROBLEM
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
    for text, path, kind in _walk(value, where):
        if kind == "key":
            if problem(text) is not None:
                check_text(text, f"a key in {_named(path, where)}")
        else:
            check_text(text, _named(path, where))


def check_no_surrogates(body: object) -> None:
    """Raise :class:`UnusableText` for an unpaired surrogate anywhere in a parsed body.

    For a send that passed Notify's schema: from there on Notify fails on one with a 500 (it
    cannot encode it to encrypt the personalisation, size an email or write the row), so
    nothing after the schema check may see one.
    """
    for text, path, kind in _walk(_stored_part(body), "the body"):
        found = problem(text)
        if found is not None and found != NUL_PROBLEM:
            raise UnusableText(f"{_where(path, kind)} must not contain {found}")


def check_storable_send(body: Mapping[str, object], *, address_keys: Iterable[str] = ()) -> None:
    """Raise :class:`UnusableText` for what a send that passed Notify's checks cannot store.

    An unpaired surrogate anywhere (see :func:`check_no_surrogates`), and a NUL outside the
    personalisation (the reference) or in the value of one of ``address_keys`` (a letter's
    address lines, stored as its recipient): Notify fails on those with a 500 when it writes
    the row. A NUL elsewhere in the personalisation is kept, as Notify keeps it.
    """
    stored_as_text = set(address_keys)
    for text, path, kind in _walk(_stored_part(body), "the body"):
        found = problem(text)
        if found is None:
            continue
        outside_personalisation = not path or path[0] != "personalisation"
        an_address_line = kind == "value" and len(path) == 2 and path[1] in stored_as_text
        if found != NUL_PROBLEM or outside_personalisation or an_address_line:
            raise UnusableText(f"{_where(path, kind)} must not contain {found}")


def _stored_part(body: object) -> object:
    # sanitise_content_for only names keys: it is neither encrypted nor stored, in Notify or here.
    if isinstance(body, dict) and NOT_STORED.intersection(body):
        return {key: value for key, value in body.items() if key not in NOT_STORED}
    return body


def _where(path: tuple[str, ...], kind: str) -> str:
    return f"a key in {_named(path, 'the body')}" if kind == "key" else _named(path, "the body")


def _walk(value: object, where: str) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """Every string of a parsed JSON value as ``(text, path, kind)``, raising
    :class:`UnusableText` where it is nested too deep. ``kind`` is ``"key"``, ``"value"`` (of
    a key) or ``"item"`` (of a list, which shares the list's path)."""
    stack: list[tuple[object, tuple[str, ...], int, str]] = [(value, (), 0, "value")]
    while stack:
        item, path, depth, kind = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UnusableText(f"{where} is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(item, str):
            yield item, path, kind
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    yield key, path, "key"
                stack.append((child, (*path, str(key)), depth + 1, "value"))
        elif isinstance(item, list):
            stack.extend((child, path, depth + 1, "item") for child in item)


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
    if not may_hold_unusable_text(body):
        return data
    check_json_value(data)
    return data


def parse_notify_json(body: bytes | str) -> object:
    """Parse JSON as Notify reads a request body, checking only how deep it is nested.

    Notify reads with Python's own parser, so ``NaN``, ``Infinity`` and ``-Infinity`` are
    numbers and a number too big for a float is infinite; text is left for Notify's checks
    and then :func:`check_storable_send`. Raises ``ValueError`` for anything else that is not
    JSON and :class:`UnusableText` for JSON nested more than :data:`MAX_JSON_DEPTH` deep.
    """
    try:
        data = _NOTIFY_DECODER.decode(_as_text(body))
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None
    if isinstance(body, str) or body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH:
        _check_depth(data)
    return data


def _check_depth(value: object) -> None:
    for _ in _walk(value, "the body"):  # the walk raises where the value is too deep
        pass


def may_hold_unusable_text(body: bytes | str) -> bool:
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
_NOTIFY_DECODER = json.JSONDecoder()


def _named(path: Iterable[str], where: str) -> str:
    # Notify's own messages name a field by its path, joined with spaces ("personalisation name").
    parts = list(path)
    return " ".join(parts) if parts else where
