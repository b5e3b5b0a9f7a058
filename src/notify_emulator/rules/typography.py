"""Typography for emails and letters: smart quotes and en dashes (rules.md §3.3–§3.4).

Source: notifications-utils ``formatters.py`` (``do_nice_typography`` lives in
``template.py``). Text messages get none of this.
"""

from __future__ import annotations

import re

import smartypants

__all__ = [
    "make_quotes_smart",
    "nice_typography",
    "normalise_whitespace",
    "remove_smart_quotes_from_email_addresses",
    "remove_whitespace_before_punctuation",
    "replace_hyphens_with_en_dashes",
    "replace_hyphens_with_non_breaking_hyphens",
    "unlink_govuk",
]

# Notify also leaves quotes inside links alone. smartypants reads its skip list from this
# module-level setting on every call, so extending it once (idempotently) is the only
# way to get the same behaviour; nothing else in the project uses smartypants.
if "a" not in smartypants.tags_to_skip:
    smartypants.tags_to_skip = [*smartypants.tags_to_skip, "a"]

# Quotes only, and output as Unicode characters rather than numeric entities.
_SMARTYPANTS_ATTRIBUTES = smartypants.Attr.q | smartypants.Attr.u

_WHITESPACE_BEFORE_PUNCTUATION = re.compile(r"(?<![ \t])[ \t]+([,.])")

# Everything from the whitespace before an @-containing word to the whitespace after it.
_WORD_WITH_AT_SIGN = re.compile(r"(^|\s)\S+@\S+(\s|$)", re.MULTILINE)

# One to three hyphens or dashes with whitespace both sides (not "quadruple ----").
_SPACED_HYPHENS = re.compile(r"(?<!\s)\s+[-–—]{1,3}\s+")

EN_DASH = "\u2013"
NON_BREAKING_HYPHEN = "\u2011"

# "GOV.UK" at the start or after whitespace (optionally after # * ^) and not part of a
# path, query or fragment: a zero-width space after the dot stops mail clients linking it.
_GOVUK_NOT_A_LINK = re.compile(r"(^|\s)(#|\*|\^)?(GOV)\.(UK)(?!/|\?|#)", re.IGNORECASE)

_ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029"
_NON_BREAKING_SPACES = "\u00a0\u202f"


def remove_whitespace_before_punctuation(text: str) -> str:
    """Delete spaces and tabs directly before ``,`` or ``.`` (``Hello Jo ,`` → ``Hello Jo,``)."""
    return _WHITESPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


def make_quotes_smart(text: str) -> str:
    """Curl straight quotes with smartypants, skipping ``<pre>``, ``<code>``, ``<a>`` and kin."""
    result: str = smartypants.smartypants(text, _SMARTYPANTS_ATTRIBUTES)
    return result


def remove_smart_quotes_from_email_addresses(text: str) -> str:
    """Straighten single smart quotes again inside any word containing ``@``."""

    def straighten(match: re.Match[str]) -> str:
        return match.group(0).replace("‘", "'").replace("’", "'")

    return _WORD_WITH_AT_SIGN.sub(straighten, text)


def replace_hyphens_with_en_dashes(text: str) -> str:
    """Turn a spaced run of 1–3 hyphens or dashes into a spaced en dash."""
    return _SPACED_HYPHENS.sub(f" {EN_DASH} ", text)


def replace_hyphens_with_non_breaking_hyphens(text: str) -> str:
    """Letters only: every remaining ``-`` becomes U+2011 so words never break there."""
    return text.replace("-", NON_BREAKING_HYPHEN)


def nice_typography(text: str) -> str:
    """Notify's typography: tidy punctuation spacing, smart quotes, en dashes."""
    text = remove_whitespace_before_punctuation(text)
    text = make_quotes_smart(text)
    text = remove_smart_quotes_from_email_addresses(text)
    return replace_hyphens_with_en_dashes(text)


def unlink_govuk(text: str) -> str:
    """Insert a zero-width space into ``GOV.UK`` where a mail client would link it."""
    return _GOVUK_NOT_A_LINK.sub("\\1\\2\\3.\u200b\\4", text)


def normalise_whitespace(text: str) -> str:
    """Make one line of ``text``: NBSPs become spaces, zero-width characters go, every
    run of whitespace (newlines included) becomes one space, and the ends are trimmed."""
    for character in _NON_BREAKING_SPACES:
        text = text.replace(character, " ")
    for character in _ZERO_WIDTH:
        text = text.replace(character, "")
    return " ".join(text.split())
