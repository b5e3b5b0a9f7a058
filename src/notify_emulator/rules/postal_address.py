"""Postal addresses: building, normalising and validating a letter's address as Notify does.

Sources: notifications-utils ``recipient_validation/postal_address.py`` (``PostalAddress``)
and notifications-api ``validators.validate_address`` (the order of the checks and their
exact messages). Countries are in :mod:`.countries`, postcodes in :mod:`.postcodes`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from notify_emulator.rules.countries import UNITED_KINGDOM, PostageZone, find_country, postage_zone
from notify_emulator.rules.errors import InvalidAddress
from notify_emulator.rules.postcodes import format_postcode_or_none

__all__ = [
    "ADDRESS_LINE_7_KEY",
    "ADDRESS_LINE_KEYS",
    "DEFAULT_POSTAGE",
    "INTERNATIONAL_POSTAGE_VALUES",
    "MAX_LINES",
    "MIN_LINES",
    "POSTAGE_VALUES",
    "PRINT_FILE_POSTAGE_CODES",
    "TEMPLATE_POSTAGE_VALUES",
    "Postage",
    "PostalAddress",
    "address_keys",
    "address_text_from_personalisation",
    "check_postal_address",
    "letter_postage",
    "parse_postal_address",
    "validate_letter_address",
]

MIN_LINES = 3
MAX_LINES = 7

# The API reads exactly these keys (case-sensitive, unlike placeholders): lines 1-6, then
# line 7 if that key is present at all, otherwise the postcode.
ADDRESS_LINE_KEYS: tuple[str, ...] = tuple(f"address_line_{index}" for index in range(1, 7))
ADDRESS_LINE_7_KEY = "address_line_7"
POSTCODE_KEY = "postcode"

Postage = Literal["first", "second", "economy", "europe", "rest-of-world"]

# A letter template's postage, and the postage a precompiled letter may ask for.
TEMPLATE_POSTAGE_VALUES: tuple[Postage, ...] = ("first", "second", "economy")
DEFAULT_POSTAGE: Postage = "second"
# What an international address turns a letter's postage into.
INTERNATIONAL_POSTAGE_VALUES: tuple[Postage, ...] = ("europe", "rest-of-world")
POSTAGE_VALUES: tuple[Postage, ...] = TEMPLATE_POSTAGE_VALUES + INTERNATIONAL_POSTAGE_VALUES
# Schema messages for a bad ``postage`` (the API prefixes the field name): the v2 API's, and
# the admin's, which also accepts the international values.
INVALID_POSTAGE_MESSAGE = "invalid. It must be either first, second or economy."
INVALID_POSTAGE_INCLUDING_INTERNATIONAL_MESSAGE = (
    "invalid. It must be first, second, economy, europe or rest-of-world."
)
# How each postage is written in the print provider's file.
PRINT_FILE_POSTAGE_CODES: dict[Postage, str] = {
    "first": "1",
    "second": "2",
    "economy": "ECONOMY",
    "europe": "E",
    "rest-of-world": "N",
}

TOO_FEW_LINES = f"Address must be at least {MIN_LINES} lines"
TOO_MANY_LINES = f"Address must be no more than {MAX_LINES} lines"
NO_ALPHANUMERIC_IN_FIRST_LINES = (
    "The first 2 lines of the address must both include at least one alphanumeric character"
)
BFPO_WITH_COUNTRY = "The last line of a BFPO address must not be a country."
NOT_A_POSTCODE_OR_COUNTRY = "Last line of address must be a real UK postcode or another country"
NOT_A_POSTCODE = "Must be a real UK postcode"
# The message lists fewer characters than the check refuses (no "~"), and shows a curly
# quote where the check refuses a straight one: both as Notify has them.
BAD_FIRST_CHARACTER = (
    "Address lines must not start with any of the following characters: "
    "@ ( ) = [ ] \u201d \\ / , < >"
)
NO_FIXED_ABODE = "Must be a real address"

_BAD_FIRST_CHARACTERS = tuple('@()=[]"\\/,<>~')
_ALPHANUMERIC = re.compile(r"[a-zA-Z0-9]")
_NO_FIXED_ABODE = re.compile(r"no fixed (abode|address)", re.IGNORECASE)
_BFPO_LINE = re.compile(r"\s*bfpo\s*(?:c/o)?(?:\s*(\d+))?\s*")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<![ \t])[ \t]+([,.])")
_ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029"
_CLEAN_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", **dict.fromkeys(_ZERO_WIDTH)})


@dataclass(frozen=True)
class PostalAddress:
    """An address after Notify's normalisation. Build one with :func:`parse_postal_address`."""

    raw: str
    lines: tuple[str, ...]
    """The normalised lines, as Notify stores and prints them: postcode formatted, UK
    country lines dropped, ``BFPO <n>`` and any other country last."""
    country: str
    """The canonical country name; United Kingdom when the last line names no country."""
    bfpo_number: int | None
    postcode: str | None
    """The formatted postcode of a UK address whose last line is a real postcode."""

    @property
    def international(self) -> bool:
        """True when the country is not the United Kingdom."""
        return self.country != UNITED_KINGDOM

    @property
    def postage_zone(self) -> PostageZone:
        """``united-kingdom``, ``europe`` or ``rest-of-world``."""
        return postage_zone(self.country)

    @property
    def is_bfpo(self) -> bool:
        """True for a British Forces Post Office address (one with a BFPO number)."""
        return self.bfpo_number is not None

    @property
    def normalised(self) -> str:
        """The normalised lines joined with newlines: the notification's ``to``."""
        return "\n".join(self.lines)

    @property
    def line_count(self) -> int:
        """How many lines the normalised address has (country and BFPO lines included)."""
        return len(self.lines)

    @property
    def as_single_line(self) -> str:
        """The normalised lines joined with commas."""
        return ", ".join(self.lines)


def _normalise_whitespace(line: str) -> str:
    # Zero-width characters vanish, no-break spaces become spaces, runs of whitespace
    # become one space, and the ends are trimmed.
    return " ".join(line.translate(_CLEAN_SPACES).split())


def _clean_lines(raw: str) -> list[str]:
    lines = []
    for line in raw.splitlines():
        trimmed = _normalise_whitespace(line).rstrip(" ,")
        if trimmed:
            lines.append(_SPACE_BEFORE_PUNCTUATION.sub(r"\1", trimmed))
    return lines


def _extract_bfpo(lines: list[str]) -> tuple[int | None, list[str]]:
    # An address is BFPO only if some BFPO line carries a number; then the first number
    # found wins and every BFPO-looking line goes.
    matches = [_BFPO_LINE.fullmatch(line.lower()) for line in lines]
    for match in matches:
        if match and match.group(1):
            remaining = [line for line, other in zip(lines, matches, strict=True) if not other]
            return int(match.group(1)), remaining
    return None, lines


def _count_uk_country_lines(lines: Sequence[str]) -> int:
    # Notify walks up from the last line counting lines that name the UK, *skipping* lines
    # that name no country and stopping at another country. It then drops that many lines
    # from the end, which can take a non-country line with them when UK names are not
    # adjacent ("Wales / Cardiff / CF10 1AA / UK" loses its postcode). Kept for fidelity.
    count = 0
    for line in reversed(lines):
        country = find_country(line)
        if country is None:
            continue
        if country != UNITED_KINGDOM:
            break
        count += 1
    return count


def parse_postal_address(raw_address: str) -> PostalAddress:
    """Normalise ``raw_address`` (lines separated by newlines) as Notify does.

    Whitespace is normalised and empty lines dropped; BFPO lines are taken out; a last line
    naming a country is taken as the country (all trailing UK names are dropped); a UK
    address's last line is formatted if it is a real postcode.
    """
    lines = _clean_lines(raw_address)
    bfpo_number, lines = _extract_bfpo(lines)

    country = find_country(lines[-1]) if lines else None
    if country is None:
        # An address of BFPO lines alone has no last line to test: Notify fails with an
        # unhandled error there; we treat it as a UK address (too short to be valid).
        country = UNITED_KINGDOM
    else:
        lines = lines[: -(_count_uk_country_lines(lines) or 1)]

    postcode = None
    if country == UNITED_KINGDOM and lines:
        postcode = format_postcode_or_none(lines[-1])
        if postcode is not None:
            lines = [*lines[:-1], postcode]

    bfpo_line = [] if bfpo_number is None else [f"BFPO {bfpo_number}"]
    country_line = [] if country == UNITED_KINGDOM else [country]
    return PostalAddress(
        raw=raw_address,
        lines=(*lines, *bfpo_line, *country_line),
        country=country,
        bfpo_number=bfpo_number,
        postcode=postcode,
    )


def address_text_from_personalisation(personalisation: Mapping[str, object]) -> str:
    """Join the address values of a letter's personalisation into one text, as the API does.

    Values are ``str(value or "")``, so null, ``""``, 0 and false are empty and 123 is
    ``"123"``; a value containing newlines adds lines. If ``address_line_7`` is present,
    even empty, it is the last line and ``postcode`` is ignored.
    """
    return "\n".join(str(personalisation.get(key) or "") for key in address_keys(personalisation))


def address_keys(personalisation: Mapping[str, object]) -> tuple[str, ...]:
    """The personalisation keys a letter's address is read from, in order."""
    last_key = ADDRESS_LINE_7_KEY if ADDRESS_LINE_7_KEY in personalisation else POSTCODE_KEY
    return (*ADDRESS_LINE_KEYS, last_key)


def check_postal_address(address: PostalAddress, *, allow_international_letters: bool) -> None:
    """Raise :class:`InvalidAddress` with Notify's message for the first check ``address`` fails.

    The checks, in the API's order: at least 3 lines; at most 7; lines 1 and 2 each have a
    letter or digit; a BFPO address names no other country; the last line is a real UK
    postcode, a BFPO number, or (with ``allow_international_letters``) another country; no
    line starts with ``@ ( ) = [ ] " \\ / , < > ~``; no "no fixed abode".
    """
    lines = address.lines
    if address.line_count < MIN_LINES:
        raise InvalidAddress(TOO_FEW_LINES)
    if address.line_count > MAX_LINES:
        raise InvalidAddress(TOO_MANY_LINES)
    if not all(_ALPHANUMERIC.search(line) for line in lines[:2]):
        raise InvalidAddress(NO_ALPHANUMERIC_IN_FIRST_LINES)
    if address.is_bfpo and address.international:
        raise InvalidAddress(BFPO_WITH_COUNTRY)
    valid_last_line = (
        address.postcode is not None
        or address.is_bfpo
        or (allow_international_letters and address.international)
    )
    if not valid_last_line:
        if allow_international_letters:
            raise InvalidAddress(NOT_A_POSTCODE_OR_COUNTRY)
        raise InvalidAddress(NOT_A_POSTCODE)
    if any(line.startswith(_BAD_FIRST_CHARACTERS) for line in lines):
        raise InvalidAddress(BAD_FIRST_CHARACTER)
    if any(line.lower() == "nfa" for line in lines) or _NO_FIXED_ABODE.search(address.normalised):
        raise InvalidAddress(NO_FIXED_ABODE)


def validate_letter_address(
    personalisation: Mapping[str, object], *, allow_international_letters: bool
) -> PostalAddress:
    """Build, normalise and check a letter's address from its personalisation (the v2 API).

    Returns the address: store ``address.normalised`` as the notification's ``to`` and use
    :func:`letter_postage` for its postage. Raises :class:`InvalidAddress`
    (``ValidationError``) with Notify's exact message.
    """
    address = parse_postal_address(address_text_from_personalisation(personalisation))
    check_postal_address(address, allow_international_letters=allow_international_letters)
    return address


def letter_postage(template_postage: Postage, address: PostalAddress) -> Postage:
    """The postage a letter is sent with: the zone for an international address, else the
    template's."""
    zone = address.postage_zone
    if zone == "united-kingdom":
        return template_postage
    return zone
