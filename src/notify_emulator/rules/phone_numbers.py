"""Phone number rules: what Notify accepts as an SMS recipient, and how it normalises it.

Source: notifications-utils ``recipient_validation/phone_number.py`` and ``errors.py``, and
notifications-api ``validators.validate_and_return_extended_phone_number_info`` (how the
v2 API reports failures). Parsing is done by ``phonenumbers`` (libphonenumber) with GB as the
default region; Notify wraps it with its own character check, retries and type rules.

The v2 API uses the *legacy* message set, so :class:`InvalidPhoneNumber` carries those
messages; the other set (CSV uploads, the admin) is available from :func:`phone_error_message`.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

import phonenumbers

from notify_emulator.rules.data.ascii_folding import fold_to_ascii
from notify_emulator.rules.data.international_rates import INTERNATIONAL_RATES
from notify_emulator.rules.errors import InvalidPhoneNumber, RuleError

__all__ = [
    "SIMULATED_PHONE_NUMBERS",
    "UK_CALLING_CODE",
    "InternationalPhoneInfo",
    "PhoneErrorCode",
    "PhoneNumber",
    "is_simulated_phone_number",
    "normalise_phone_number",
    "parse_phone_number",
    "phone_error_message",
    "try_normalise_phone_number",
    "validate_phone_number",
    "validate_recipient_phone_number",
]

UK_CALLING_CODE = 44

# Smoke-test numbers: accepted, never sent (api ``config.SIMULATED_SMS_NUMBERS``), compared
# in normalised form.
SIMULATED_PHONE_NUMBERS = frozenset({"447700900000", "447700900111", "447700900222"})

CANNOT_SEND_TO_INTERNATIONAL = "Cannot send to international mobile numbers"


class PhoneErrorCode(str, Enum):
    """Why a phone number was refused (Notify's ``InvalidPhoneError.Codes``)."""

    INVALID_NUMBER = "INVALID_NUMBER"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    NOT_A_UK_MOBILE = "NOT_A_UK_MOBILE"
    UNKNOWN_CHARACTER = "UNKNOWN_CHARACTER"
    UNSUPPORTED_COUNTRY_CODE = "UNSUPPORTED_COUNTRY_CODE"
    UNSUPPORTED_EMERGENCY_NUMBER = "UNSUPPORTED_EMERGENCY_NUMBER"


# The messages CSV uploads and the admin show. Note the en dash in two of them and the plain
# hyphen in the country-code one: both as Notify writes them.
_MESSAGES: dict[PhoneErrorCode, str] = {
    PhoneErrorCode.INVALID_NUMBER: (
        "Number is not valid \u2013 double check the phone number you entered"
    ),
    PhoneErrorCode.TOO_LONG: "Mobile number is too long",
    PhoneErrorCode.TOO_SHORT: "Mobile number is too short",
    PhoneErrorCode.NOT_A_UK_MOBILE: (
        "This does not look like a UK mobile number \u2013 "
        "double check the mobile number you entered"
    ),
    PhoneErrorCode.UNKNOWN_CHARACTER: (
        "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -"
    ),
    PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE: (
        "Country code not found - double check the mobile number you entered"
    ),
    PhoneErrorCode.UNSUPPORTED_EMERGENCY_NUMBER: "Phone number cannot be an emergency number",
}

# The v2 API's messages ("legacy" in Notify's code): the set above with five replaced.
_LEGACY_V2_MESSAGES: dict[PhoneErrorCode, str] = {
    **_MESSAGES,
    PhoneErrorCode.TOO_LONG: "Too many digits",
    PhoneErrorCode.TOO_SHORT: "Not enough digits",
    PhoneErrorCode.NOT_A_UK_MOBILE: "Not a UK mobile number",
    PhoneErrorCode.UNKNOWN_CHARACTER: "Must not contain letters or symbols",
    PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE: "Not a valid country prefix",
}


def phone_error_message(code: PhoneErrorCode | str, *, legacy_v2_api: bool) -> str:
    """Return Notify's message for ``code``: the v2 API's set, or the CSV/admin set."""
    messages = _LEGACY_V2_MESSAGES if legacy_v2_api else _MESSAGES
    return messages[PhoneErrorCode(code)]


def _invalid(code: PhoneErrorCode) -> InvalidPhoneNumber:
    return InvalidPhoneNumber(_LEGACY_V2_MESSAGES[code], code.value)


# Whitespace Notify tolerates in a phone number (``formatters.ALL_WHITESPACE``): ASCII
# whitespace, zero-width characters, and the no-break spaces.
_ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029"
_ALLOWED_CHARACTERS = frozenset(string.whitespace + _ZERO_WIDTH + "\u00a0\u202f()-+0123456789")

# Number types Notify will text; PREMIUM_RATE and everything not listed is refused.
_ALLOWED_TYPES: frozenset[int] = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER,
    }
)
# Types that count as landlines for the ``sms_to_uk_landlines`` permission.
_LANDLINE_TYPES: frozenset[int] = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.UAN,
    }
)

# Ofcom's drama numbers (07700 900000-900999) fail libphonenumber's validation. Notify's
# pattern for them is written as a character class, ``7700[900000-900999]``, which matches
# "7700" and any digit; we keep that behaviour, and like Notify ignore the country code.
_TV_NUMBER = re.compile(r"7700[0-9]")

_POSSIBILITY_ERRORS: dict[int, PhoneErrorCode] = {
    phonenumbers.ValidationResult.TOO_LONG: PhoneErrorCode.TOO_LONG,
    phonenumbers.ValidationResult.TOO_SHORT: PhoneErrorCode.TOO_SHORT,
    # A number possible only without its area code is, to Notify, too short.
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: PhoneErrorCode.TOO_SHORT,
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE,
}


class InternationalPhoneInfo(NamedTuple):
    """Billing facts about a recipient (Notify's ``InternationalPhoneInfo``)."""

    international: bool
    crown_dependency: bool
    country_prefix: str
    rate_multiplier: int


@dataclass(frozen=True)
class PhoneNumber:
    """A phone number Notify could parse, before any permission check.

    Build one with :func:`parse_phone_number` or :func:`validate_phone_number`.
    """

    normalised: str
    """E.164 without the ``+`` (``447723456789``): used for sending and matching."""
    country_code: int
    region: str | None
    """libphonenumber's region (``GB``, ``JE``, ``US``…), or None where it has none."""
    is_tv_number: bool
    """An Ofcom drama number: invalid to libphonenumber, accepted by Notify as a UK mobile."""
    human_readable: str
    """National format for +44 numbers (``07723 456789``), international otherwise."""
    number_type: int = field(repr=False)
    """libphonenumber's ``PhoneNumberType`` value."""

    @property
    def is_uk(self) -> bool:
        """True for +44 numbers, crown dependencies included."""
        return self.country_code == UK_CALLING_CODE

    @property
    def is_landline(self) -> bool:
        """True for the number types the ``sms_to_uk_landlines`` permission is about."""
        return self.number_type in _LANDLINE_TYPES

    @property
    def international(self) -> bool:
        """True unless libphonenumber places the number in GB or it is a TV number."""
        return self.region != "GB" and not self.is_tv_number

    @property
    def crown_dependency(self) -> bool:
        """True for +44 numbers outside GB: Jersey, Guernsey and the Isle of Man."""
        return self.is_uk and self.region != "GB" and not self.is_tv_number

    @property
    def prefix(self) -> str:
        """The calling code as Notify's rates table keys it.

        +1 numbers whose first four digits have their own entry (``1664`` Montserrat) use
        those four digits; everything else uses the calling code alone.
        """
        if self.country_code == 1 and self.normalised[:4] in INTERNATIONAL_RATES:
            return self.normalised[:4]
        return str(self.country_code)

    @property
    def supported(self) -> bool:
        """True when Notify has a rate for the calling code, i.e. will send to it."""
        return str(self.country_code) in INTERNATIONAL_RATES

    @property
    def rate_multiplier(self) -> int:
        """The rate multiplier for international numbers, 1 for the others.

        Raises :class:`InvalidPhoneNumber` (``UNSUPPORTED_COUNTRY_CODE``) for an international
        number whose calling code Notify does not send to.
        """
        if not self.international:
            return 1
        rate = INTERNATIONAL_RATES.get(self.prefix)
        if rate is None:
            raise _invalid(PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE)
        return rate.rate_multiplier

    @property
    def international_info(self) -> InternationalPhoneInfo:
        """The billing facts Notify stores with a text message."""
        return InternationalPhoneInfo(
            international=self.international,
            crown_dependency=self.crown_dependency,
            country_prefix=self.prefix,
            rate_multiplier=self.rate_multiplier,
        )

    @property
    def is_simulated(self) -> bool:
        """True for Notify's smoke-test numbers, which are accepted but never sent."""
        return self.normalised in SIMULATED_PHONE_NUMBERS


def _is_tv_number(number: phonenumbers.PhoneNumber) -> bool:
    return _TV_NUMBER.match(str(number.national_number)) is not None


def _has_allowed_type(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.number_type(number) in _ALLOWED_TYPES


def _parse_as_international(text: str) -> phonenumbers.PhoneNumber | None:
    # Spreadsheets often drop a leading "+", so a number too long or short for the UK gets
    # a second chance as an international one.
    try:
        number = phonenumbers.parse("+" + text)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def _parse_once(text: str) -> phonenumbers.PhoneNumber:
    # Stricter than libphonenumber, which would accept letters (phonewords) and more.
    if not set(text) <= _ALLOWED_CHARACTERS:
        raise _invalid(PhoneErrorCode.UNKNOWN_CHARACTER)
    if text == "":
        raise _invalid(PhoneErrorCode.TOO_SHORT)
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise _invalid(PhoneErrorCode.INVALID_NUMBER) from None

    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        forced = _parse_as_international(text)
        if forced is None:
            raise _invalid(_POSSIBILITY_ERRORS.get(reason, PhoneErrorCode.INVALID_NUMBER))
        number = forced

    valid = phonenumbers.is_valid_number(number) and _has_allowed_type(number)
    if not valid and not _is_tv_number(number):
        raise _invalid(PhoneErrorCode.INVALID_NUMBER)
    return number


def _thoroughly_normalise(text: str) -> str:
    # Notify's second chance for near-misses such as "0+447700900100" or "+07700900100":
    # drop every "+", strip leading zeros, fold typographic dashes to "-".
    return fold_to_ascii(text.replace("+", "").lstrip("0"))


def _parse(text: str) -> phonenumbers.PhoneNumber:
    try:
        return _parse_once(text)
    except InvalidPhoneNumber:
        # Only the second attempt's error is reported.
        return _parse_once(_thoroughly_normalise(text))


def parse_phone_number(phone_number: str) -> PhoneNumber:
    """Parse ``phone_number`` as Notify does, without any permission or country check.

    Raises :class:`InvalidPhoneNumber` (v2 API message, ``code`` one of
    :class:`PhoneErrorCode`) if Notify could not parse it.
    """
    if not isinstance(phone_number, str):
        raise TypeError(f"phone_number must be a str, not {type(phone_number).__name__}")
    return _parse_phone_number(phone_number)


# One send parses its recipient several times (schema, permissions, simulation, limits); the
# answer is a frozen value, so repeated numbers are parsed once.
@functools.lru_cache(maxsize=4096)
def _parse_phone_number(phone_number: str) -> PhoneNumber:
    number = _parse(phone_number)
    uk = number.country_code == UK_CALLING_CODE
    return PhoneNumber(
        normalised=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:],
        country_code=int(number.country_code or 0),
        region=phonenumbers.region_code_for_number(number),
        is_tv_number=_is_tv_number(number),
        human_readable=phonenumbers.format_number(
            number,
            phonenumbers.PhoneNumberFormat.NATIONAL
            if uk
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
        ),
        number_type=phonenumbers.number_type(number),
    )


def _check_permissions(
    number: PhoneNumber, *, allow_international: bool, allow_uk_landline: bool
) -> None:
    # Notify's ``PhoneNumber.validate``, in its order.
    if not (allow_international or number.is_uk):
        raise _invalid(PhoneErrorCode.NOT_A_UK_MOBILE)
    if number.is_uk and number.is_landline and not allow_uk_landline:
        raise _invalid(PhoneErrorCode.NOT_A_UK_MOBILE)
    if not number.supported:
        raise _invalid(PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE)


def validate_phone_number(
    phone_number: str, *, allow_international: bool, allow_uk_landline: bool
) -> PhoneNumber:
    """Parse ``phone_number`` and check it against a service's permissions.

    The checks, in Notify's order: a non-+44 number needs ``allow_international``; a +44
    landline needs ``allow_uk_landline`` (both ``NOT_A_UK_MOBILE``); the calling code must be
    one Notify has a rate for (``UNSUPPORTED_COUNTRY_CODE``). Crown-dependency numbers are
    +44, so pass without ``allow_international``.

    The v2 API's request-schema check is ``validate_phone_number(value,
    allow_international=True, allow_uk_landline=True)``, its error reported as
    ``ValidationError`` ``"phone_number " + error.message``.

    Raises :class:`InvalidPhoneNumber`.
    """
    number = parse_phone_number(phone_number)
    _check_permissions(
        number, allow_international=allow_international, allow_uk_landline=allow_uk_landline
    )
    return number


def validate_recipient_phone_number(
    phone_number: str, *, allow_international: bool, allow_uk_landline: bool
) -> PhoneNumber:
    """Check a recipient against a service's permissions as the v2 API does after its schema.

    Like :func:`validate_phone_number`, except that a number refused for being international
    (and not a crown dependency) raises a plain :class:`RuleError` (``BadRequestError``)
    ``Cannot send to international mobile numbers``. A UK landline without permission
    raises :class:`InvalidPhoneNumber` ``Not a UK mobile number`` (reported by the API as
    ``InvalidPhoneError``, with no ``phone_number`` prefix).
    """
    number = parse_phone_number(phone_number)
    try:
        _check_permissions(
            number, allow_international=allow_international, allow_uk_landline=allow_uk_landline
        )
    except InvalidPhoneNumber as error:
        if (
            error.code == PhoneErrorCode.NOT_A_UK_MOBILE
            and number.international
            and not number.crown_dependency
        ):
            raise RuleError(CANNOT_SEND_TO_INTERNATIONAL) from None
        raise
    return number


def normalise_phone_number(phone_number: str) -> str:
    """Return Notify's normalised form (E.164 without ``+``); raises :class:`InvalidPhoneNumber`."""
    return parse_phone_number(phone_number).normalised


def try_normalise_phone_number(phone_number: str) -> str:
    """Return the normalised form if ``phone_number`` parses, else ``phone_number`` unchanged.

    This is how Notify reports an SMS sender: ``07700900123`` → ``447700900123``, ``GOVUK``
    stays ``GOVUK``.
    """
    try:
        return normalise_phone_number(phone_number)
    except InvalidPhoneNumber:
        return phone_number


def is_simulated_phone_number(phone_number: str) -> bool:
    """True if ``phone_number`` normalises to one of Notify's smoke-test numbers."""
    try:
        return normalise_phone_number(phone_number) in SIMULATED_PHONE_NUMBERS
    except InvalidPhoneNumber:
        return False
