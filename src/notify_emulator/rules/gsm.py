"""The SMS character sets and Notify's character downgrading (rules.md §2.2–§2.3).

Source: notifications-utils ``sanitise_text.py`` (``SanitiseSMS``). A message keeps the
GSM 03.38 basic and extension characters and the Welsh accented letters; anything else is
downgraded one character at a time, or becomes ``?``.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "ALLOWED_CHARACTERS",
    "EXTENDED_GSM_CHARACTERS",
    "GSM_CHARACTERS",
    "REPLACEMENT_CHARACTERS",
    "WELSH_CHARACTERS",
    "WELSH_NON_GSM_CHARACTERS",
    "downgrade_character",
    "encode_for_sms",
    "non_gsm_characters",
]

# GSM 03.38 extension table: kept, but each costs two septets in a GSM-7 message.
EXTENDED_GSM_CHARACTERS = frozenset("^{}\\[~]|€")

# GSM 03.38 basic character set (the backtick is not in it).
GSM_CHARACTERS = (
    frozenset(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    | EXTENDED_GSM_CHARACTERS
)

# Grave, acute, diaeresis and circumflex on a e i o u w y, both cases: kept for Welsh.
WELSH_CHARACTERS = frozenset("àèìòùẁỳÀÈÌÒÙẀỲáéíóúẃýÁÉÍÓÚẂÝäëïöüẅÿÄËÏÖÜẄŸâêîôûŵŷÂÊÎÔÛŴŶ")

# The 43 Welsh letters outside GSM: any one of them makes the message UCS-2.
WELSH_NON_GSM_CHARACTERS = WELSH_CHARACTERS - GSM_CHARACTERS

ALLOWED_CHARACTERS = GSM_CHARACTERS | WELSH_CHARACTERS

# Characters with no canonical decomposition that still have a sensible stand-in.
REPLACEMENT_CHARACTERS: dict[str, str] = {
    "\u2011": "-",  # non-breaking hyphen
    "–": "-",  # en dash
    "—": "-",  # em dash
    "−": "-",  # minus sign
    "…": "...",  # horizontal ellipsis
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "‚": "'",  # single low-9 quotation mark
    "„": '"',  # double low-9 quotation mark
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
    "Ł": "L",
    "ł": "l",
}


def downgrade_character(character: str) -> str | None:
    """Return the stand-in for a character outside the allowed set, or ``None`` if none.

    A character with a canonical decomposition (``é`` is ``e`` + accent) becomes its first
    code point when that is allowed; compatibility decompositions (tagged ``<...>``) and
    characters with none use :data:`REPLACEMENT_CHARACTERS`.
    """
    decomposition = unicodedata.decomposition(character)
    if decomposition and not decomposition.startswith("<"):
        first = chr(int(decomposition.split()[0], 16))
        # Notify raises (HTTP 500) when that first code point is above U+FFFF; a
        # local server answers with "?" instead, like any other unknown character.
        if ord(first) > 0xFFFF:
            return None
        return first if first in ALLOWED_CHARACTERS else None
    return REPLACEMENT_CHARACTERS.get(character)


_ALLOWED = frozenset(ALLOWED_CHARACTERS)


def _encode_character(character: str) -> str:
    if character in ALLOWED_CHARACTERS:
        return character
    downgraded = downgrade_character(character)
    return "?" if downgraded is None else downgraded


def encode_for_sms(text: str) -> str:
    """Downgrade ``text`` to the characters an SMS can carry (``SanitiseSMS.encode``)."""
    if _ALLOWED.issuperset(text):  # the usual case: nothing to downgrade
        return text
    return "".join(_encode_character(character) for character in text)


def non_gsm_characters(text: str) -> set[str]:
    """Return the characters of ``text`` that :func:`encode_for_sms` turns into ``?``."""
    return {
        character
        for character in text
        if character not in ALLOWED_CHARACTERS and downgrade_character(character) is None
    }
