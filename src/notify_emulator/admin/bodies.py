"""Reading the JSON bodies of the emulator's own routes."""

from __future__ import annotations

from typing import Any

from notify_emulator.web.errors import AdminError
from notify_emulator.web.text_checks import UnusableText, parse_json, parse_notify_json

__all__ = ["json_object", "json_value"]


def json_object(
    body: bytes,
    message: str = "the body must be a JSON object",
    *,
    empty_is_empty: bool = False,
    screens_text: bool = True,
) -> dict[str, Any]:
    """``body`` as a JSON object, or :class:`AdminError` with ``message``.

    Read as every emulator-only route reads JSON (web/text_checks.py): a NUL or an unpaired
    surrogate is refused naming where it is, and so is nesting too deep to walk, rather than
    failing later in the database or in Python's recursive parser. With ``empty_is_empty``
    an empty body reads as ``{}``. Without ``screens_text`` such text is left for the route,
    which names the field that holds it; the nesting is still checked.
    """
    if empty_is_empty and not body.strip():
        return {}
    data = json_value(body, message, screens_text=screens_text)
    if not isinstance(data, dict):
        raise AdminError(message)
    return data


def json_value(body: bytes, message: str, *, screens_text: bool = True) -> object:
    """``body`` as any JSON value, or :class:`AdminError`: see :func:`json_object`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise AdminError("the body must be UTF-8 text") from None
    parse = parse_json if screens_text else parse_notify_json
    try:
        return parse(text)
    except UnusableText as error:
        raise AdminError(str(error)) from None
    except ValueError:  # not JSON, or NaN or Infinity
        raise AdminError(message) from None
