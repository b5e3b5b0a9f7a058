"""UK postcodes: Notify's test for a real postcode, and the form it prints.

Source: notifications-utils ``recipient_validation/postal_address.py`` and the area list
``countries/_data/uk-postcode-zones.txt``. The test is a shape check over a fixed list of
postcode areas; it does not look postcodes up, so it accepts any well-formed one.
"""

from __future__ import annotations

import re
import string

__all__ = [
    "UK_POSTCODE_AREAS",
    "format_postcode",
    "format_postcode_or_none",
    "is_a_real_uk_postcode",
    "normalise_postcode",
]

# Royal Mail's postcode areas, with Notify's additions: the Channel Islands (GY, JE), the
# Isle of Man (IM), Northern Ireland (BT), BFPO (BF), and BX (non-geographic). GIR is listed,
# but GIR 0AA still fails the shape check, which wants a digit straight after the area.
_AREAS = """
AB AL B BA BB BD BF BH BL BN BR BS BT BX CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL
DN DT DY E EC EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY
L GIR LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM
S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR
WS WV YO ZE
"""
UK_POSTCODE_AREAS: tuple[str, ...] = tuple(_AREAS.split())

# Area, a digit, an optional digit or letter, then the inward code: a digit and two letters
# other than C, I, K, M, O and V (letters Royal Mail does not use there).
_POSTCODE = re.compile(
    "(?:" + "|".join(UK_POSTCODE_AREAS) + ")[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2}"
)

# Every whitespace character Notify removes from a postcode: ASCII whitespace, the
# zero-width characters and the no-break spaces.
_WHITESPACE = string.whitespace + "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\u00a0\u202f"
_DELETE_WHITESPACE = str.maketrans(dict.fromkeys(_WHITESPACE))


def normalise_postcode(postcode: str) -> str:
    """Delete all whitespace from ``postcode`` and uppercase it: ``"sw1a 1aa"`` → ``"SW1A1AA"``."""
    return postcode.translate(_DELETE_WHITESPACE).upper()


def is_a_real_uk_postcode(postcode: str) -> bool:
    """True if ``postcode`` has the shape of a UK postcode in a known area, whatever its spacing."""
    return _POSTCODE.fullmatch(normalise_postcode(postcode)) is not None


def format_postcode(postcode: str) -> str:
    """Return ``postcode`` as it is printed: normalised, with a space before the last 3 characters.

    Meant for postcodes :func:`is_a_real_uk_postcode` accepts: ``"se1 63ef"`` → ``"SE16 3EF"``.
    """
    normalised = normalise_postcode(postcode)
    return normalised[:-3] + " " + normalised[-3:]


def format_postcode_or_none(postcode: str) -> str | None:
    """Return the printed form of a real UK postcode, or None if ``postcode`` is not one."""
    return format_postcode(postcode) if is_a_real_uk_postcode(postcode) else None
