"""Writing a seed (a mapping in the seed file's shape) as TOML that :mod:`notify_emulator.seed`
reads back to the same values.

Only what seeds hold is written: strings, integers, floats, booleans, lists of those, tables,
and lists of tables (``[[services]]``, ``[[services.templates.versions]]``). Text with line
breaks is written as a multi-line string so that template bodies stay readable; every
character TOML does not allow raw is escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["SEED_FILE_HEADER", "to_toml"]

SEED_FILE_HEADER = """\
# A notify-emulator seed file: load it with `notify-emulator serve --config FILE`.
# It holds API key secrets and callbacks' bearer tokens: keep it to yourself, like any file
# of credentials.
"""

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Control characters other than tab and line feed, and DEL, are never allowed raw in a string.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}


def to_toml(seed: Mapping[str, Any], *, header: str = SEED_FILE_HEADER) -> str:
    """The seed as TOML text."""
    lines: list[str] = [header.rstrip("\n")] if header else []
    _table(lines, seed, ())
    return "\n".join(lines).strip("\n") + "\n"


def _is_table_list(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and bool(value)
        and all(isinstance(item, Mapping) for item in value)
    )


def _table(lines: list[str], table: Mapping[str, Any], path: tuple[str, ...]) -> None:
    # Plain values first: after a [header] or [[header]] line every key belongs to it.
    indent = "  " * max(len(path) - 1, 0)
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, Mapping) or _is_table_list(value):
            nested.append((key, value))
        else:
            lines.append(f"{indent}{_key(key)} = {_value(value)}")
    for key, value in nested:
        child = (*path, key)
        header = ".".join(_key(part) for part in child)
        child_indent = "  " * (len(child) - 1)
        if isinstance(value, Mapping):
            lines.extend(["", f"{child_indent}[{header}]"])
            _table(lines, value, child)
            continue
        for item in value:
            lines.extend(["", f"{child_indent}[[{header}]]"])
            _table(lines, item, child)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _multiline(value) if "\n" in value else _string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items())
        return "{" + items + "}" if items else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"a seed holds no {type(value).__name__} values")


def _escape(character: str) -> str:
    if character in _ESCAPES:
        return _ESCAPES[character]
    code = ord(character)
    if code < 0x20 or code == 0x7F:
        return f"\\u{code:04X}"
    return character


def _string(text: str) -> str:
    return '"' + "".join("\\n" if char == "\n" else _escape(char) for char in text) + '"'


def _multiline(text: str) -> str:
    # A line break straight after the opening quotes is dropped by TOML, so the text starts on
    # its own line; every quote is escaped, so no run of three can end the string early.
    return '"""\n' + "".join("\n" if char == "\n" else _escape(char) for char in text) + '"""'
