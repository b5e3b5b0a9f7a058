"""Properties of the recipient rules, checked on generated input."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from notify_emulator.rules.countries import find_country, postage_zone
from notify_emulator.rules.email_addresses import normalise_email_address, validate_email_address
from notify_emulator.rules.errors import (
    InvalidAddress,
    InvalidEmailAddress,
    InvalidPhoneNumber,
    RuleError,
)
from notify_emulator.rules.phone_numbers import (
    normalise_phone_number,
    validate_phone_number,
    validate_recipient_phone_number,
)
from notify_emulator.rules.postal_address import (
    ADDRESS_LINE_7_KEY,
    ADDRESS_LINE_KEYS,
    check_postal_address,
    parse_postal_address,
    validate_letter_address,
)
from notify_emulator.rules.postcodes import format_postcode_or_none, is_a_real_uk_postcode

_NUMBER_TYPES = [
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
]
# Every (region, type) for which libphonenumber has an example number to start from.
_EXAMPLES = sorted(
    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    for region in phonenumbers.SUPPORTED_REGIONS
    for number_type in _NUMBER_TYPES
    if (example := phonenumbers.example_number_for_type(region, number_type)) is not None
)


_UK_EXAMPLES = [example for example in _EXAMPLES if example.startswith("+44")]


@st.composite
def phone_number_inputs(draw: st.DrawFn, examples: list[str] = _EXAMPLES) -> str:
    """Real-looking numbers: an example number with its last digits changed, in some format."""
    example = draw(st.sampled_from(examples))
    tail = draw(st.text("0123456789", min_size=3, max_size=3))
    digits = example[1:-3] + tail
    style = draw(st.sampled_from(["+", "00", "", "national", "international"]))
    if style in ("national", "international"):
        parsed = phonenumbers.parse("+" + digits)
        number_format = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if style == "national"
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(parsed, number_format)
    return style + digits


def _accepted(value: str) -> str:
    try:
        return validate_phone_number(
            value, allow_international=True, allow_uk_landline=True
        ).normalised
    except InvalidPhoneNumber:
        assume(False)
        raise  # unreachable: assume(False) always raises


@given(phone_number_inputs())
def test_normalised_phone_number_in_e164_validates_to_itself(value: str) -> None:
    normalised = _accepted(value)
    again = validate_phone_number(
        "+" + normalised, allow_international=True, allow_uk_landline=True
    )
    assert again.normalised == normalised


@given(phone_number_inputs(_UK_EXAMPLES))
def test_normalised_uk_phone_number_validates_to_itself(value: str) -> None:
    normalised = _accepted(value)
    again = validate_phone_number(normalised, allow_international=True, allow_uk_landline=True)
    assert again.normalised == normalised


def test_normalised_form_without_plus_is_not_always_international() -> None:
    # Notify's normalised form drops the "+": a 10-digit international number then reads as
    # a (non-existent) UK one. This pins Notify's behaviour rather than hiding it.
    assert normalise_phone_number("360623400400") == "3623400400"
    with pytest.raises(InvalidPhoneNumber):
        normalise_phone_number("3623400400")
    assert normalise_phone_number("+3623400400") == "3623400400"


@given(st.text())
def test_phone_validation_raises_only_rule_errors_on_any_text(value: str) -> None:
    for allow_international in (False, True):
        for allow_uk_landline in (False, True):
            try:
                number = validate_recipient_phone_number(
                    value,
                    allow_international=allow_international,
                    allow_uk_landline=allow_uk_landline,
                )
            except RuleError:
                continue
            assert number.normalised.isdigit()


@given(st.text(alphabet="0123456789+-() \t\u00a0\u200b\u2013", max_size=40))
def test_phone_validation_raises_only_phone_errors_on_phone_like_text(value: str) -> None:
    try:
        number = validate_phone_number(value, allow_international=True, allow_uk_landline=True)
    except InvalidPhoneNumber:
        return
    assert number.normalised.isdigit()
    assert number.international_info.rate_multiplier >= 1


_LOCAL_CHARACTERS = "abcXYZ019.!#$%&'*+/=?^_`{|}~-"
_LABEL = st.from_regex(r"[a-z0-9]{1,10}(-{1,2}[a-z0-9]{1,10}){0,2}", fullmatch=True)


@st.composite
def email_address_inputs(draw: st.DrawFn) -> str:
    local = draw(st.text(_LOCAL_CHARACTERS, min_size=1, max_size=30))
    labels = draw(st.lists(_LABEL, min_size=1, max_size=3))
    tld = draw(st.from_regex(r"[a-zA-Z]{2,10}", fullmatch=True))
    padding = draw(st.sampled_from(["", " ", "\t", "\u200b", "\n"]))
    return padding + local + "@" + ".".join([*labels, tld]) + padding


@given(st.one_of(email_address_inputs(), st.emails()))
def test_normalised_email_address_validates_to_itself(value: str) -> None:
    try:
        normalised = normalise_email_address(value)
    except InvalidEmailAddress:
        assume(False)
        raise  # unreachable: assume(False) always raises
    assert validate_email_address(normalised) == normalised
    assert normalise_email_address(normalised) == normalised


@given(email_address_inputs())
def test_generated_addresses_without_double_dots_are_valid(value: str) -> None:
    assume(".." not in value)
    assert validate_email_address(value) == value.strip().replace("\u200b", "")


@given(st.text())
def test_email_validation_raises_only_rule_errors_on_any_text(value: str) -> None:
    try:
        cleaned = validate_email_address(value)
    except InvalidEmailAddress:
        return
    assert cleaned.count("@") == 1
    assert cleaned == cleaned.strip()


_ADDRESS_LINE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["BFPO 1", "bfpo", "UK", "France", "SW1A 1AA", "NFA", "~", "Jersey", ""]),
)
_ADDRESS_VALUE = st.one_of(st.none(), st.integers(), st.booleans(), _ADDRESS_LINE)


@given(st.text())
def test_address_parsing_never_raises_on_any_text(raw: str) -> None:
    address = parse_postal_address(raw)
    assert all(line and line == line.strip() for line in address.lines)
    assert address.line_count == len(address.lines)
    for allow_international_letters in (False, True):
        try:
            check_postal_address(address, allow_international_letters=allow_international_letters)
        except InvalidAddress:
            continue
        assert 3 <= address.line_count <= 7


@given(
    st.dictionaries(
        st.sampled_from([*ADDRESS_LINE_KEYS, ADDRESS_LINE_7_KEY, "postcode", "name"]),
        _ADDRESS_VALUE,
    ),
    st.booleans(),
)
def test_letter_address_validation_raises_only_address_errors(
    personalisation: dict[str, object], international: bool
) -> None:
    try:
        address = validate_letter_address(
            personalisation, allow_international_letters=international
        )
    except InvalidAddress:
        return
    assert address.postcode is not None or address.is_bfpo or address.international


@given(st.text(max_size=20))
def test_postcode_and_country_lookups_never_raise(text: str) -> None:
    formatted = format_postcode_or_none(text)
    assert (formatted is not None) == is_a_real_uk_postcode(text)
    if formatted is not None:
        assert format_postcode_or_none(formatted) == formatted
    country = find_country(text)
    if country is not None:
        assert postage_zone(country) in ("united-kingdom", "europe", "rest-of-world")
