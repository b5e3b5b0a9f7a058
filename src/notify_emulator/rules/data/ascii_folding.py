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

from notify_emulator.rules.gsm import REPLACEMENT_CHARACTERS

_PRINTABLE_ASCII = frozenset(chr(code) for code in range(0x20, 0x7F))

# Notify's own replacement table, shared with SMS downgrading; a character with a
# compatibility decomposition (such as U+00A0, "<noBreak> 0020") is only folded if listed.
_REPLACEMENTS = REPLACEMENT_CHARACTERS


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
