"""Folding text to printable ASCII the way Notify does before matching recipients.

Notify (notifications-utils ``SanitiseASCII``) uses this when it retries a phone number that
failed to parse and when it normalises a country name. The rule, one character at a time:

1. printable ASCII (U+0020 to U+007E) is kept;
2. a character with a canonical decomposition becomes the first character of that
   decomposition if that one is printable ASCII (``é`` → ``e``), otherwise ``?``;
3. anything else is looked up in a small table of typographic replacements (dashes,
   quotes, invisible spaces), otherwise becomes ``?``.
"""

from __future__ import annotations

import unicodedata

_PRINTABLE_ASCII = frozenset(chr(code) for code in range(0x20, 0x7F))

# Notify's own replacement table; a character with a compatibility decomposition (such as
# U+00A0, "<noBreak> 0020") is only folded if it is listed here.
_REPLACEMENTS: dict[str, str] = {
    "\u2011": "-",  # non-breaking hyphen
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # horizontal ellipsis
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201a": "'",  # single low-9 quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u180e": "",  # Mongolian vowel separator
    "\u200b": "",  # zero width space
    "\u200c": "",  # zero width non-joiner
    "\u200d": "",  # zero width joiner
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space
    "\u2028": "",  # line separator
    "\u2029": "",  # paragraph separator
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\t": " ",
    "\u0141": "L",  # Latin capital letter L with stroke (has no decomposition)
    "\u0142": "l",  # Latin small letter l with stroke
}


def _fold_character(character: str) -> str:
    if character in _PRINTABLE_ASCII:
        return character
    decomposition = unicodedata.decomposition(character)
    if decomposition and "<" not in decomposition:
        base = chr(int(decomposition.split()[0], 16))
        return base if base in _PRINTABLE_ASCII else "?"
    return _REPLACEMENTS.get(character, "?")


def fold_to_ascii(text: str) -> str:
    """Return ``text`` folded to printable ASCII, with ``?`` for what cannot be folded."""
    return "".join(_fold_character(character) for character in text)
