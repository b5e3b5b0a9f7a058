"""Countries: recognising a country name on an address's last line, and its postage zone.

Source: notifications-utils ``countries/__init__.py`` and ``countries/data.py``; the names
themselves are in :mod:`notify_emulator.rules.data.country_data`.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Literal

from notify_emulator.rules.data.ascii_folding import fold_to_ascii
from notify_emulator.rules.data.country_data import COUNTRY_NAMES, EUROPE, UNITED_KINGDOM

__all__ = [
    "EUROPE",
    "UNITED_KINGDOM",
    "PostageZone",
    "find_country",
    "is_country",
    "normalise_country_name",
    "postage_zone",
]

PostageZone = Literal["united-kingdom", "europe", "rest-of-world"]

# Characters a name is compared without: "Côte d'Ivoire" matches "cote divoire".
_IGNORED_CHARACTERS = frozenset(" _-'\u2019,.()")


def normalise_country_name(name: str) -> str:
    """Return the form Notify compares country names in.

    ``&`` and ``+`` become ``and``; spaces, ``_ - ' ’ , . ( )`` are deleted; the rest is
    lowercased and folded to ASCII unless folding would lose a character (so Cyrillic or
    Chinese names are compared as they are). Raises ValueError for a name with a digit,
    which is never a country.
    """
    if any(character.isdigit() for character in name):
        raise ValueError(f"A country name has no digits: {name!r}")
    name = name.replace("&", "and").replace("+", "and")
    normalised = "".join(
        character.lower() for character in name if character not in _IGNORED_CHARACTERS
    )
    folded = fold_to_ascii(normalised)
    return normalised if "?" in folded else folded


@cache
def _lookup() -> dict[str, str]:
    # Built with the first look-up (only letters look countries up), not with the rules.
    lookup: dict[str, str] = {}
    for canonical, names in COUNTRY_NAMES.items():
        for name in names:
            key = normalise_country_name(name)
            if lookup.setdefault(key, canonical) != canonical:
                raise ValueError(f"{name!r} resolves to both {lookup[key]!r} and {canonical!r}")
    return lookup


@lru_cache(maxsize=2048)
def find_country(name: str) -> str | None:
    """Return the canonical name of the country ``name`` denotes, or None if it is none.

    Like Notify, this also tries the name with ``the``, ``yr`` and ``y`` in front (English
    and Welsh articles), so ``gambia`` is The Gambia. Examples: ``u.s.a`` → United States,
    ``Scotland`` and ``Jersey`` → United Kingdom, ``ESPAÑA`` → Spain, ``Qumran`` → None.
    """
    if any(character.isdigit() for character in name):
        # A postcode, not a country.
        return None
    for candidate in (name, f"the {name}", f"yr {name}", f"y {name}"):
        canonical = _lookup().get(normalise_country_name(candidate))
        if canonical is not None:
            return canonical
    return None


def is_country(name: str) -> bool:
    """True if ``name`` denotes a country or territory Notify knows."""
    return find_country(name) is not None


def postage_zone(country: str) -> PostageZone:
    """Return the postage zone for a canonical country name (see :func:`find_country`)."""
    if country == UNITED_KINGDOM:
        return "united-kingdom"
    if country in EUROPE:
        return "europe"
    return "rest-of-world"
