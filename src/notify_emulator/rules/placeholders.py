"""Placeholders and personalisation: finding, matching, converting and filling (rules.md §1).

A placeholder is ``((name))`` or a conditional ``((name??text))``. Everything here follows
notifications-utils ``field.py``, ``insensitive_dict.py`` and ``formatters.py``:

* names and personalisation keys match after deleting spaces, ``_`` and ``-`` and
  lowercasing (:func:`normalise_key`);
* values become text with ``str()``; lists are joined as prose (``a, b and c``) or as
  markdown bullets, depending on the output (:func:`value_to_text`);
* in *escape* mode the template text, the keys and every value go through
  :func:`escape_html` before matching; in *passthrough* mode nothing is escaped.

Substitution is a single left-to-right pass, so a value is never scanned again.
"""

from __future__ import annotations

import html
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from notify_emulator.rules.errors import MissingPersonalisation

__all__ = [
    "PLACEHOLDER_PATTERN",
    "UnfilledStyle",
    "escape_html",
    "fill",
    "is_truthy",
    "missing_personalisation",
    "normalise_key",
    "placeholder_names",
    "require_personalisation",
    "sanitise_content_for",
    "unescape_strict",
    "unused_personalisation_keys",
    "value_to_text",
]

# ((, a body of one or more characters that are not brackets, )) (utils Field.placeholder_pattern).
PLACEHOLDER_PATTERN = re.compile(r"\({2}([^()]+)\){2}")

# utils formatters: characters that are invisible, and the non-breaking spaces.
ZERO_WIDTH_CHARACTERS = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029"
NON_BREAKING_SPACES = "\u00a0\u202f"

# Names and keys ignore spaces, underscores and hyphens, and case (insensitive_dict.py).
_KEY_NOISE = str.maketrans("", "", " _-")

# str2bool in field.py: the only strings a conditional accepts as "show".
_TRUE_STRINGS = frozenset({"yes", "y", "true", "t", "1", "include", "show"})

# escape_html protects these two entities, so they survive un-decoded and un-doubled.
_PROTECTED_ENTITIES = (("&nbsp;", "\x00nbsp\x00"), ("&amp;", "\x00amp\x00"))

# Like html.unescape's character references, but the trailing semicolon is required.
_STRICT_CHARREF = re.compile(r"&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[^\t\n\f <&#;]{1,32};)")

ListStyle = Literal["prose", "markdown"]
UnfilledStyle = Literal["plain", "html", "html_no_brackets"]

_UNFILLED_TAGS: dict[str, tuple[str, str, str]] = {
    # style: (plain placeholder, conditional placeholder, redacted) — utils Field/PlainTextField
    "plain": ("(({name}))", "(({name}??{text}))", "[hidden]"),
    "html": (
        "<span class='placeholder'>&#40;&#40;{name}&#41;&#41;</span>",
        "<span class='placeholder-conditional'>&#40;&#40;{name}??</span>{text}&#41;&#41;",
        "<span class='placeholder-redacted'>hidden</span>",
    ),
    "html_no_brackets": (
        "<span class='placeholder-no-brackets'>{name}</span>",
        "<span class='placeholder-conditional'>&#40;&#40;{name}??</span>{text}&#41;&#41;",
        "<span class='placeholder-redacted'>hidden</span>",
    ),
}


def normalise_key(key: str) -> str:
    """Return the form in which placeholder names and personalisation keys are compared."""
    return key.translate(_KEY_NOISE).lower()


def _split_body(body: str) -> tuple[str, str | None]:
    """Split a placeholder body into its name and its conditional text (``None`` if plain)."""
    name, separator, text = body.partition("??")
    return name, (text if separator else None)


def placeholder_names(*texts: str | None) -> list[str]:
    """Return the placeholder names in ``texts``, deduplicated and in order of appearance.

    Names are compared with :func:`normalise_key`; the first spelling seen is kept. Pass
    the fields in Notify's order: email subject then body; letter contact block, Welsh
    subject, Welsh body, subject, body; SMS body only.
    """
    seen: dict[str, str] = {}
    for text in texts:
        if not text:
            continue
        for body in PLACEHOLDER_PATTERN.findall(text):
            name, _ = _split_body(body)
            seen.setdefault(normalise_key(name), name)
    return list(seen.values())


def _normalised_values(personalisation: Mapping[str, Any] | None) -> dict[str, Any]:
    # A later key that normalises the same way overrides an earlier one (dict order).
    if not personalisation:
        return {}
    return {normalise_key(str(key)): value for key, value in personalisation.items()}


def missing_personalisation(
    names: Iterable[str], personalisation: Mapping[str, Any] | None
) -> list[str]:
    """Return the names (as spelled in the template) whose value is absent or ``None``."""
    values = _normalised_values(personalisation)
    return [name for name in names if values.get(normalise_key(name)) is None]


def unused_personalisation_keys(
    names: Iterable[str], personalisation: Mapping[str, Any] | None
) -> list[str]:
    """Return the personalisation keys that match no placeholder (Notify ignores them)."""
    wanted = {normalise_key(name) for name in names}
    return [key for key in personalisation or {} if normalise_key(str(key)) not in wanted]


def require_personalisation(
    names: Iterable[str], personalisation: Mapping[str, Any] | None
) -> None:
    """Raise :class:`MissingPersonalisation` if any placeholder has no value."""
    missing = missing_personalisation(names, personalisation)
    if missing:
        raise MissingPersonalisation(missing)


def escape_html(text: str) -> str:
    """Escape ``text`` the way Notify's escape mode does (rules.md §1.7).

    Entities that end in ``;`` are decoded first, then ``&``, ``<`` and ``>`` are escaped;
    ``&nbsp;`` and ``&amp;`` are kept as they are and quotes are never escaped.
    """
    if not text:
        return text
    for entity, stand_in in _PROTECTED_ENTITIES:
        text = text.replace(entity, stand_in)
    text = html.escape(unescape_strict(text), quote=False)
    for entity, stand_in in _PROTECTED_ENTITIES:
        text = text.replace(stand_in, entity)
    return text


def unescape_strict(text: str) -> str:
    """Decode HTML character references, but only those that end with ``;``."""
    if "&" not in text:
        return text
    # html.unescape on one complete reference behaves like its own charref replacement.
    return _STRICT_CHARREF.sub(lambda match: html.unescape(match.group(0)), text)


def _strip_list_item(text: str) -> str:
    # utils strip_and_remove_obscure_whitespace: delete the invisible characters and
    # non-breaking spaces anywhere, then strip ASCII whitespace from the ends.
    for character in ZERO_WIDTH_CHARACTERS + NON_BREAKING_SPACES:
        text = text.replace(character, "")
    return text.strip(string.whitespace)


def _prose_list(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def value_to_text(value: Any, list_style: ListStyle = "prose") -> str | None:
    """Convert one personalisation value to text, unescaped; ``None`` means missing.

    Strings are used as they are and other scalars or objects go through ``str()``
    (``True``, ``0.1``, ``{'a': 1}``). Lists drop ``None`` and blank items and are joined
    as ``a, b and c`` (prose) or as ``"\\n\\n* a\\n* b"`` (markdown).
    """
    if value is None:
        return None
    if isinstance(value, list):
        items = [_strip_list_item(str(item)) for item in value if item is not None]
        items = [item for item in items if item]
        if not items:
            return ""
        if list_style == "markdown":
            return "\n\n" + "\n".join(f"* {item}" for item in items)
        return _prose_list(items)
    return str(value)


def is_truthy(value: Any) -> bool:
    """Return whether a conditional placeholder shows its text (utils ``str2bool``)."""
    if not value:
        return False
    return str(value).lower() in _TRUE_STRINGS


def fill(
    text: str | None,
    personalisation: Mapping[str, Any] | None,
    *,
    escape: bool = False,
    markdown_lists: bool = False,
    unfilled: UnfilledStyle = "plain",
    redact_missing: bool = False,
) -> str:
    """Substitute personalisation into ``text``.

    ``escape=True`` is Notify's escape mode (the text, the keys and the values are
    HTML-escaped first); ``False`` is passthrough. ``markdown_lists`` picks the list
    style. A placeholder with no value is left in the output in the ``unfilled`` style
    (or redacted); the API rejects missing data before rendering, so that only shows
    in previews.
    """
    sanitise = escape_html if escape else _passthrough
    content = sanitise(text or "")
    values = {
        normalise_key(sanitise(str(key))): value for key, value in (personalisation or {}).items()
    }
    list_style: ListStyle = "markdown" if markdown_lists else "prose"
    plain_tag, conditional_tag, redacted_tag = _UNFILLED_TAGS[unfilled]

    def replace(match: re.Match[str]) -> str:
        name, conditional_text = _split_body(match.group(1))
        converted = value_to_text(values.get(normalise_key(name)), list_style)
        if converted is None:
            if redact_missing:
                return redacted_tag
            if conditional_text is not None:
                return conditional_tag.format(name=name, text=conditional_text)
            return plain_tag.format(name=name)
        replacement = sanitise(converted)
        if conditional_text is not None:
            # The test runs on the rendered replacement, after list joining and escaping.
            return conditional_text if is_truthy(replacement) else ""
        return replacement

    return PLACEHOLDER_PATTERN.sub(replace, content)


def _passthrough(text: str) -> str:
    return text


# formatters.url: something that looks like a web address, with or without a scheme.
_URL_PATTERN = re.compile(
    r"(?i)\b(?<![@.])(https?://)?([\w\-]+\.)+([a-z]{2,63})(?!@)\b([/?#][^<\s]*)?"
)
_BARE_DOMAIN = re.compile(r"[A-Za-z0-9.\-]+")
_MARKDOWN_SPECIAL = frozenset("`*_()\\{}[]<>#+-.!|")


def _break_up_url(match: re.Match[str]) -> str:
    found = match.group(0)
    if _BARE_DOMAIN.fullmatch(found):
        # Probably not meant as a link ("Marie.Curie"): keep it, unlinkable.
        return found.replace(".", ". ")
    return ""


def _sanitise_value(value: str) -> str:
    value = _URL_PATTERN.sub(_break_up_url, value)
    return "".join("\\" + char if char in _MARKDOWN_SPECIAL else char for char in value)


def sanitise_content_for(
    personalisation: Mapping[str, Any], keys: Iterable[str] | None
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Apply the email API's ``sanitise_content_for`` to the selected values (rules.md §1.9).

    URLs are removed (bare domain-like words are broken up with spaces) and markdown
    characters are backslash-escaped. Returns the new personalisation and the
    ``sanitised_content`` report: ``{key: {"unsanitised": ..., "sanitised": ...}}`` for each
    value that changed. Notify fails with a 500 on a non-string value; here such values
    are left as they are.
    """
    selected = {normalise_key(key) for key in keys or ()}
    result = dict(personalisation)
    report: dict[str, dict[str, Any]] = {}
    for key, value in personalisation.items():
        if isinstance(value, float) and math.isnan(value):
            # Notify reports each value that differs from itself after sanitising, and NaN
            # (which its JSON reader takes) never equals itself.
            report[key] = {"unsanitised": value, "sanitised": value}
            continue
        if normalise_key(str(key)) not in selected or not isinstance(value, str):
            continue
        sanitised = _sanitise_value(value)
        result[key] = sanitised
        if sanitised != value:
            report[key] = {"unsanitised": value, "sanitised": sanitised}
    return result, report
