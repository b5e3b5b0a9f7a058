"""Phone number rules: every vector of rules.md §5, plus the API's mapping of the errors."""

from __future__ import annotations

import pytest

from notify_emulator.rules.data.international_rates import INTERNATIONAL_RATES
from notify_emulator.rules.errors import InvalidPhoneNumber, RuleError
from notify_emulator.rules.phone_numbers import (
    SIMULATED_PHONE_NUMBERS,
    InternationalPhoneInfo,
    PhoneErrorCode,
    is_simulated_phone_number,
    normalise_phone_number,
    parse_phone_number,
    phone_error_message,
    try_normalise_phone_number,
    validate_phone_number,
    validate_recipient_phone_number,
)

INVALID_NUMBER_MESSAGE = "Number is not valid \u2013 double check the phone number you entered"


def validate_with_every_permission(value: str) -> str:
    return validate_phone_number(value, allow_international=True, allow_uk_landline=True).normalised


def validate_with_no_permission(value: str) -> str:
    return validate_phone_number(
        value, allow_international=False, allow_uk_landline=False
    ).normalised


# §5.6 rows 1-10: UK mobiles, accepted with no permission at all.
@pytest.mark.parametrize(
    "value",
    [
        "7723456789",
        "07723456789",
        "07723 456789",
        "07723-456-789",
        "00447723456789",
        "00 44 7723456789",
        "+447723456789",
        "+44 7723 456 789",
        "+44 (0)7723 456 789",
        "\u200b\t\t+44 (0)7723 456 789\ufeff \r\n",
    ],
)
def test_uk_mobiles_normalise_and_need_no_permission(value: str) -> None:
    number = validate_phone_number(value, allow_international=False, allow_uk_landline=False)
    assert number.normalised == "447723456789"
    assert number.international_info == InternationalPhoneInfo(False, False, "44", 1)
    assert number.human_readable == "07723 456789"


# §5.6 rows 11-21: other UK and near-UK inputs.
@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("447900900123", "447900900123"),
        ("+4407900 900 123", "447900900123"),
        ("+(44) 77009-00855", "447700900855"),
        ("07700900010", "447700900010"),
        ("+07044123456", "447044123456"),
        ("0+44(0)7779123456", "447779123456"),
        ("0+447988123456", "447988123456"),
        ("04407379123456", "447379123456"),
        ("000007392123456", "447392123456"),
        ("001708123456", "441708123456"),
        ("+01158123456", "441158123456"),
    ],
)
def test_near_uk_inputs_normalise(value: str, normalised: str) -> None:
    assert validate_with_every_permission(value) == normalised


def test_uk_mobile_human_readable_form() -> None:
    assert parse_phone_number("447900900123").human_readable == "07900 900123"


@pytest.mark.parametrize("value", ["+(44) 77009-00855", "07700900010", "+07044123456"])
def test_near_uk_mobiles_need_no_permission(value: str) -> None:
    number = validate_phone_number(value, allow_international=False, allow_uk_landline=False)
    assert number.international is False


@pytest.mark.parametrize(("value", "normalised"), [("001708123456", "441708123456")])
def test_number_with_international_prefix_can_still_be_a_uk_landline(
    value: str, normalised: str
) -> None:
    number = parse_phone_number(value)
    assert number.normalised == normalised
    assert number.is_landline
    assert number.region == "GB"


# §5.5: TV numbers are UK mobiles to Notify, whatever libphonenumber says.
@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("07700900010", "447700900010"),
        ("447700900020", "447700900020"),
        ("+447700900030", "447700900030"),
    ],
)
def test_tv_numbers_are_uk_mobiles(value: str, normalised: str) -> None:
    number = validate_phone_number(value, allow_international=False, allow_uk_landline=False)
    assert number.normalised == normalised
    assert number.is_tv_number
    assert number.international_info == InternationalPhoneInfo(False, False, "44", 1)


def test_tv_number_check_ignores_the_country_code() -> None:
    number = validate_phone_number(
        "+1 770 012 3456", allow_international=True, allow_uk_landline=True
    )
    assert number.normalised == "17700123456"
    assert number.international_info == InternationalPhoneInfo(False, False, "1", 1)


def test_tv_number_with_another_country_code_still_needs_the_international_permission() -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        validate_recipient_phone_number(
            "+1 770 012 3456", allow_international=False, allow_uk_landline=False
        )
    assert caught.value.code == PhoneErrorCode.NOT_A_UK_MOBILE
    assert caught.value.error == "InvalidPhoneError"
    assert caught.value.message == "Not a UK mobile number"


# §5.6 rows 22-34: international numbers.
@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("+04915161123456", "4915161123456"),
        ("+12025550104", "12025550104"),
        ("1-202-555-0104", "12025550104"),
        ("0012025550104", "12025550104"),
        ("+0012025550104", "12025550104"),
        ("1\u2011202\u2013555\u2014010\u22124", "12025550104"),
        ("20-12-1234-1234", "201212341234"),
        ("00201212341234", "201212341234"),
        ("77234567890", "77234567890"),
        ("360623400400", "3623400400"),
        ("23052512345", "23052512345"),
        ("16644913789", "16644913789"),
    ],
)
def test_international_numbers_normalise(value: str, normalised: str) -> None:
    assert validate_with_every_permission(value) == normalised


@pytest.mark.parametrize(
    ("value", "prefix", "rate_multiplier"),
    [
        ("1-202-555-0104", "1", 1),
        ("20-12-1234-1234", "20", 7),
        ("00201212341234", "20", 7),
        ("77234567890", "7", 10),
        ("360623400400", "36", 2),
        ("23052512345", "230", 4),
        ("16644913789", "1664", 6),
    ],
)
def test_international_info(value: str, prefix: str, rate_multiplier: int) -> None:
    number = parse_phone_number(value)
    assert number.international_info == InternationalPhoneInfo(
        international=True,
        crown_dependency=False,
        country_prefix=prefix,
        rate_multiplier=rate_multiplier,
    )


def test_egypt_is_the_country_for_the_zero_zero_form() -> None:
    assert parse_phone_number("00201212341234").region == "EG"


def test_hungary_number_with_trunk_prefix() -> None:
    assert parse_phone_number("360623400400").region == "HU"


def test_mauritius_number() -> None:
    assert parse_phone_number("23052512345").region == "MU"


# §5.6 rows 31 and 35.
@pytest.mark.parametrize(
    "value",
    [
        "784951234567",
        "+7 (8) (495) 123-45-67",
        "+682 50 123",
        "+33122334455",
        "0033122334455",
        "+43 676 111 222 333 4",
    ],
)
def test_valid_numbers_that_are_not_uk(value: str) -> None:
    number = validate_phone_number(value, allow_international=True, allow_uk_landline=True)
    assert not number.is_uk
    assert number.international
    with pytest.raises(InvalidPhoneNumber) as caught:
        validate_with_no_permission(value)
    assert caught.value.code == PhoneErrorCode.NOT_A_UK_MOBILE


def test_russian_number_with_trunk_prefix_is_russian() -> None:
    assert parse_phone_number("784951234567").region == "RU"


# §5.6 rows 36-37 and §5.2: crown dependencies are +44 but international for billing.
@pytest.mark.parametrize(
    ("value", "normalised"),
    [("07797800123", "447797800123"), ("+44 7797 100 100", "447797100100")],
)
def test_crown_dependency_numbers(value: str, normalised: str) -> None:
    number = validate_recipient_phone_number(
        value, allow_international=False, allow_uk_landline=False
    )
    assert number.normalised == normalised
    assert number.international_info == InternationalPhoneInfo(
        international=True, crown_dependency=True, country_prefix="44", rate_multiplier=2
    )
    assert number.is_uk


# §5.6 rows 38-41: UK landlines.
UK_LANDLINES = [
    "0117 496 0860",
    "0044 117 496 0860",
    "44 117 496 0860",
    "+44 117 496 0860",
    "016064 1234",
    "020 7946 0991",
    "030 1234 5678",
    "0550 123 4567",
    "01709510122",
    "02077091001",
    "+442077091002",
    "020 7709 1000",
]


@pytest.mark.parametrize("value", UK_LANDLINES)
def test_uk_landlines_need_the_landline_permission(value: str) -> None:
    number = validate_phone_number(value, allow_international=False, allow_uk_landline=True)
    assert number.is_landline
    assert not number.international
    with pytest.raises(InvalidPhoneNumber) as caught:
        validate_recipient_phone_number(value, allow_international=True, allow_uk_landline=False)
    assert caught.value.code == PhoneErrorCode.NOT_A_UK_MOBILE
    assert caught.value.error == "InvalidPhoneError"
    assert caught.value.message == "Not a UK mobile number"


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("0117 496 0860", "441174960860"),
        ("0044 117 496 0860", "441174960860"),
        ("44 117 496 0860", "441174960860"),
        ("+44 117 496 0860", "441174960860"),
        ("01709510122", "441709510122"),
        ("02077091001", "442077091001"),
        ("+442077091002", "442077091002"),
        ("020 7709 1000", "442077091000"),
    ],
)
def test_uk_landlines_normalise(value: str, normalised: str) -> None:
    assert validate_with_every_permission(value) == normalised


def test_personal_numbers_are_not_landlines() -> None:
    number = validate_phone_number(
        "+07044123456", allow_international=False, allow_uk_landline=False
    )
    assert not number.is_landline


# §5.6 rows 42-50: errors, with the code and both messages.
ERROR_VECTORS = [
    *(
        (value, PhoneErrorCode.TOO_LONG)
        for value in [
            "772345678910",
            "0772345678910",
            "0044772345678910",
            "+44 (0)7723 456 789 10",
            "80100000000",
            "+12345 12345 12345 6",
            "(07417)4123456",
            "+0065951123456",
            "0038097123456",
            "047354123456",
        ]
    ),
    *(
        (value, PhoneErrorCode.INVALID_NUMBER)
        for value in [
            "0772345678",
            "004477234567",
            "00447723456",
            "+44 (0)7723 456 78",
            "1234567",
            "+682 1234",
            "(06)25123456",
            "00129123456",
            "0041903123456",
            "0033877123456",
            "0049 160 123456",
            "08515111111",
            "0400 123 4567",
            "0600 123 4567",
            "0300 46 46",
            "0800 11 12",
            "0845 46 31",
            "0845 46 46",
            "0900 123 4567",
        ]
    ),
    *(
        (value, PhoneErrorCode.UNKNOWN_CHARACTER)
        for value in [
            "07890x32109",
            "07723 456789...",
            "07723 \u261f\u261c\u2b07\u2b06\u261e\u261d",
            '07";DROP TABLE;"',
            "+44 07ab cde fgh",
            "ALPHANUM3R1C",
            "abcd",
            "079OO900123",
            "07515111*11",
            "07723.456.789",
            "notaphoneumber",
        ]
    ),
    ("", PhoneErrorCode.TOO_SHORT),
    ("24741111", PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE),
]

LEGACY_MESSAGES = {
    PhoneErrorCode.TOO_LONG: "Too many digits",
    PhoneErrorCode.INVALID_NUMBER: INVALID_NUMBER_MESSAGE,
    PhoneErrorCode.UNKNOWN_CHARACTER: "Must not contain letters or symbols",
    PhoneErrorCode.TOO_SHORT: "Not enough digits",
    PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE: "Not a valid country prefix",
}


@pytest.mark.parametrize(("value", "code"), ERROR_VECTORS)
def test_schema_stage_errors(value: str, code: PhoneErrorCode) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        validate_phone_number(value, allow_international=True, allow_uk_landline=True)
    assert caught.value.code == code
    assert caught.value.message == LEGACY_MESSAGES[code]
    assert caught.value.error == "InvalidPhoneError"


def test_schema_stage_message_examples() -> None:
    # The API prefixes the message with the field name (§5.3).
    examples = {
        "": "phone_number Not enough digits",
        "07515111*11": "phone_number Must not contain letters or symbols",
        "notaphoneumber": "phone_number Must not contain letters or symbols",
        "08515111111": f"phone_number {INVALID_NUMBER_MESSAGE}",
        "772345678910": "phone_number Too many digits",
        "24741111": "phone_number Not a valid country prefix",
    }
    for value, expected in examples.items():
        with pytest.raises(InvalidPhoneNumber) as caught:
            validate_phone_number(value, allow_international=True, allow_uk_landline=True)
        assert f"phone_number {caught.value.message}" == expected


def test_unsupported_country_code_is_a_parse_success() -> None:
    # Ascension (247) parses; only the rates table refuses it.
    number = parse_phone_number("24741111")
    assert number.country_code == 247
    assert not number.supported


# §5.6 row 51: international numbers without permission, as the API reports them.
@pytest.mark.parametrize(
    "value",
    ["+14158961600", "+3225484211", "+1 202-483-3000", "+7 495 308-78-41", "+74953087842"],
)
def test_international_numbers_without_permission(value: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as utils_error:
        validate_phone_number(value, allow_international=False, allow_uk_landline=False)
    assert utils_error.value.code == PhoneErrorCode.NOT_A_UK_MOBILE

    with pytest.raises(RuleError) as api_error:
        validate_recipient_phone_number(value, allow_international=False, allow_uk_landline=False)
    assert type(api_error.value) is RuleError
    assert api_error.value.error == "BadRequestError"
    assert api_error.value.message == "Cannot send to international mobile numbers"


@pytest.mark.parametrize("value", ["+14158961600", "+3225484211", "+74953087842"])
def test_international_numbers_with_permission(value: str) -> None:
    number = validate_recipient_phone_number(
        value, allow_international=True, allow_uk_landline=False
    )
    assert number.international


def test_unsupported_country_is_checked_after_the_permissions() -> None:
    # In the API the schema stage reports Ascension first; this pins the order of the checks.
    with pytest.raises(RuleError) as caught:
        validate_recipient_phone_number(
            "24741111", allow_international=False, allow_uk_landline=False
        )
    assert caught.value.message == "Cannot send to international mobile numbers"


# §5.3: both message sets.
@pytest.mark.parametrize(
    ("code", "message", "legacy_message"),
    [
        (PhoneErrorCode.INVALID_NUMBER, INVALID_NUMBER_MESSAGE, INVALID_NUMBER_MESSAGE),
        (PhoneErrorCode.TOO_LONG, "Mobile number is too long", "Too many digits"),
        (PhoneErrorCode.TOO_SHORT, "Mobile number is too short", "Not enough digits"),
        (
            PhoneErrorCode.NOT_A_UK_MOBILE,
            "This does not look like a UK mobile number \u2013 double check the mobile number "
            "you entered",
            "Not a UK mobile number",
        ),
        (
            PhoneErrorCode.UNKNOWN_CHARACTER,
            "Mobile numbers can only include: 0 1 2 3 4 5 6 7 8 9 ( ) + -",
            "Must not contain letters or symbols",
        ),
        (
            PhoneErrorCode.UNSUPPORTED_COUNTRY_CODE,
            "Country code not found - double check the mobile number you entered",
            "Not a valid country prefix",
        ),
        (
            PhoneErrorCode.UNSUPPORTED_EMERGENCY_NUMBER,
            "Phone number cannot be an emergency number",
            "Phone number cannot be an emergency number",
        ),
    ],
)
def test_error_messages(code: PhoneErrorCode, message: str, legacy_message: str) -> None:
    assert phone_error_message(code, legacy_v2_api=False) == message
    assert phone_error_message(code, legacy_v2_api=True) == legacy_message
    assert phone_error_message(code.value, legacy_v2_api=True) == legacy_message


def test_error_message_for_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="NOT_A_CODE"):
        phone_error_message("NOT_A_CODE", legacy_v2_api=True)


# §5.4: human-readable forms.
@pytest.mark.parametrize(
    ("value", "human_readable"),
    [
        ("07723456789", "07723 456789"),
        ("+44(0)7723456789", "07723 456789"),
        ("20-12-1234-1234", "+20 12 12341234"),
        ("1664 491 3789", "+1 664-491-3789"),
        ("7 499 1231212", "+7 499 123-12-12"),
        ("1-202-555-0104", "+1 202-555-0104"),
        ("+23052512345", "+230 5251 2345"),
        ("33(0)1 12345678", "+33 1 12 34 56 78"),
    ],
)
def test_human_readable_form(value: str, human_readable: str) -> None:
    assert parse_phone_number(value).human_readable == human_readable


def test_montserrat_prefix_uses_four_digits() -> None:
    assert parse_phone_number("1664 491 3789").prefix == "1664"


# §5.4: simulated numbers.
@pytest.mark.parametrize("value", ["07700900000", "07700 900 111", "+447700900222"])
def test_simulated_numbers(value: str) -> None:
    assert is_simulated_phone_number(value)
    assert parse_phone_number(value).is_simulated
    assert normalise_phone_number(value) in SIMULATED_PHONE_NUMBERS


@pytest.mark.parametrize("value", ["07700900001", "07723456789", "not a number", ""])
def test_other_numbers_are_not_simulated(value: str) -> None:
    assert not is_simulated_phone_number(value)


# §7.1: an SMS sender is shown normalised if it parses, as given otherwise.
@pytest.mark.parametrize(
    ("sender", "shown"),
    [
        ("07723456789", "447723456789"),
        ("GOVUK", "GOVUK"),
        ("", ""),
        ("+44 7723 456 789", "447723456789"),
    ],
)
def test_try_normalise(sender: str, shown: str) -> None:
    assert try_normalise_phone_number(sender) == shown


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        parse_phone_number(7700900001)  # type: ignore[arg-type]


def _expand(spec: str) -> set[str]:
    codes: set[str] = set()
    for item in spec.split():
        first, _, last = item.partition("\u2013")
        codes.update(str(code) for code in range(int(first), int(last or first) + 1))
    return codes


# §5.2: every calling code Notify has a rate for, as rules.md lists them.
SUPPORTED_CALLING_CODES = _expand(
    "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 "
    "62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220\u2013229 "
    "230\u2013246 248\u2013258 260\u2013269 291 297 298 299 350\u2013359 370\u2013378 380 381 382 "
    "383 385 386 387 389 420 421 423 500\u2013509 590\u2013599 670 672\u2013683 685 686 687 689 "
    "690 691 692 852 853 855 856 880 886 960\u2013968 970\u2013977 992\u2013996 998 1242 1246 "
    "1264 1268 1284 1345 1441 1473 1649 1664 1684 1721 1758 1767 1784 1809 1829 1849 1868 1869 "
    "1876"
)


def test_rates_table_covers_exactly_the_supported_calling_codes() -> None:
    assert set(INTERNATIONAL_RATES) == SUPPORTED_CALLING_CODES
    assert all(rate.rate_multiplier >= 1 for rate in INTERNATIONAL_RATES.values())
    assert INTERNATIONAL_RATES["44"].rate_multiplier == 2


@pytest.mark.parametrize("code", ["247", "290", "850", "882", "883"])
def test_notable_absentees_are_unsupported(code: str) -> None:
    assert code not in INTERNATIONAL_RATES
