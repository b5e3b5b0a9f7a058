"""Postal addresses: every vector of rules.md §4.1-§4.3 and §4.6, and the API's messages."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from notify_emulator.rules.errors import InvalidAddress
from notify_emulator.rules.postal_address import (
    DEFAULT_POSTAGE,
    INVALID_POSTAGE_INCLUDING_INTERNATIONAL_MESSAGE,
    INVALID_POSTAGE_MESSAGE,
    POSTAGE_VALUES,
    PRINT_FILE_POSTAGE_CODES,
    TEMPLATE_POSTAGE_VALUES,
    Postage,
    PostalAddress,
    address_text_from_personalisation,
    check_postal_address,
    letter_postage,
    parse_postal_address,
    validate_letter_address,
)

TOO_FEW_LINES = "Address must be at least 3 lines"
TOO_MANY_LINES = "Address must be no more than 7 lines"
NO_ALPHANUMERIC = (
    "The first 2 lines of the address must both include at least one alphanumeric character"
)
BFPO_WITH_COUNTRY = "The last line of a BFPO address must not be a country."
NOT_POSTCODE_OR_COUNTRY = "Last line of address must be a real UK postcode or another country"
NOT_POSTCODE = "Must be a real UK postcode"
BAD_FIRST_CHARACTER = (
    "Address lines must not start with any of the following characters: "
    "@ ( ) = [ ] \u201d \\ / , < >"
)
NOT_REAL = "Must be a real address"

A_PERSON = {"address_line_1": "A Person", "address_line_2": "1 Street"}


def validate(
    personalisation: Mapping[str, object], *, international: bool = False
) -> PostalAddress:
    return validate_letter_address(personalisation, allow_international_letters=international)


def refusal(personalisation: Mapping[str, object], *, international: bool = False) -> str:
    with pytest.raises(InvalidAddress) as caught:
        validate(personalisation, international=international)
    assert caught.value.error == "ValidationError"
    return caught.value.message


# §4.1: which keys are read, and how values become text.
@pytest.mark.parametrize(
    "personalisation",
    [
        {"address line 1": "A Person", "address line 2": "1 Street", "postcode": "SW1A 1AA"},
        {"address-line-1": "A Person", "address-line-2": "1 Street", "postcode": "SW1A 1AA"},
        {"Address_Line_1": "A Person", "ADDRESS_LINE_2": "1 Street", "postcode": "SW1A 1AA"},
    ],
)
def test_address_keys_are_exact(personalisation: dict[str, object]) -> None:
    assert refusal(personalisation) == TOO_FEW_LINES


def test_present_address_line_7_replaces_the_postcode_even_when_empty() -> None:
    personalisation = {
        **A_PERSON,
        "address_line_3": "London",
        "address_line_7": "",
        "postcode": "SW1A 1AA",
    }
    assert refusal(personalisation) == NOT_POSTCODE
    assert (
        address_text_from_personalisation(personalisation) == "A Person\n1 Street\nLondon\n\n\n\n"
    )


def test_null_address_line_7_also_replaces_the_postcode() -> None:
    personalisation = {**A_PERSON, "address_line_7": None, "postcode": "SW1A 1AA"}
    assert refusal(personalisation) == TOO_FEW_LINES


@pytest.mark.parametrize("empty", [None, "", 0, False])
def test_falsy_values_are_empty(empty: object) -> None:
    personalisation = {**A_PERSON, "address_line_3": empty, "postcode": "SW1A 1AA"}
    assert (
        address_text_from_personalisation(personalisation) == "A Person\n1 Street\n\n\n\n\nSW1A 1AA"
    )


def test_integers_are_stringified() -> None:
    address = validate({"address_line_1": 123, "address_line_2": "Street", "postcode": "sw1a1aa"})
    assert address.lines == ("123", "Street", "SW1A 1AA")


def test_a_value_with_newlines_adds_lines() -> None:
    address = validate({"address_line_1": "A Person\n1 Street", "postcode": "SW1A 1AA"})
    assert address.lines == ("A Person", "1 Street", "SW1A 1AA")


def test_to_is_the_normalised_address_with_the_canonical_country() -> None:
    address = validate(
        {
            "address_line_1": "Kaiser Wilhelm II",
            "address_line_2": "Kronprinzenpalais",
            "address_line_5": "   deutschland   ",
        },
        international=True,
    )
    assert address.normalised == "Kaiser Wilhelm II\nKronprinzenpalais\nGermany"
    assert letter_postage("second", address) == "europe"
    assert address.international


def test_personalisation_is_not_changed() -> None:
    personalisation: dict[str, object] = {**A_PERSON, "postcode": "  Sw1  1aa   "}
    address = validate(personalisation)
    assert personalisation["postcode"] == "  Sw1  1aa   "
    assert address.lines[-1] == "SW1 1AA"


# §4.2: normalisation.
@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        (
            "123 Example    St  .\nCity    of Town\n\nS W1 A 1 AA",
            ("123 Example St.", "City of Town", "SW1A 1AA"),
        ),
        (
            "123 Example St. \t  ,    \n, , ,  ,   ,     ,        ,\nCity of Town, Region,\n"
            "SW1A 1AA,,\n",
            ("123 Example St.", "City of Town, Region", "SW1A 1AA"),
        ),
        ("  123  Example Stra\u00dfe\nDeutschland", ("123 Example Stra\u00dfe", "Germany")),
        ("Senedd Cymru\nCardiff\nCF99 1SN\nCymru\nUK", ("Senedd Cymru", "Cardiff", "CF99 1SN")),
        ("Mr X\nBFPO 1\nBF1 1AA", ("Mr X", "BF1 1AA", "BFPO 1")),
        ("Mr X\nBFPO\nBFPO 1", ("Mr X", "BFPO 1")),
        ("Mr X\nbfpo\nbf11aa\nbfpo1", ("Mr X", "BF1 1AA", "BFPO 1")),
        (
            "International BFPO\nBFPO 1\nBF1 1AA\nusa",
            ("International BFPO", "BF1 1AA", "BFPO 1", "United States"),
        ),
        ("Northern Ireland\nUnited Kingdom", ()),
    ],
)
def test_normalised_lines(raw: str, lines: tuple[str, ...]) -> None:
    address = parse_postal_address(raw)
    assert address.lines == lines
    assert address.line_count == len(lines)


def test_international_bfpo_address_keeps_both_and_is_invalid() -> None:
    address = parse_postal_address("International BFPO\nBFPO 1\nBF1 1AA\nusa")
    assert address.bfpo_number == 1
    assert address.country == "United States"
    assert address.postcode is None
    with pytest.raises(InvalidAddress, match=BFPO_WITH_COUNTRY):
        check_postal_address(address, allow_international_letters=True)


@pytest.mark.parametrize(
    ("bfpo_line", "number"),
    [("BFPO 5432", 5432), ("BFPO C/O 1", 1), ("BFPO1", 1), ("BFPOC/O1", 1), ("bfpo  c/o  22", 22)],
)
def test_bfpo_numbers(bfpo_line: str, number: int) -> None:
    address = parse_postal_address(f"Mr X\nUnit 5\n{bfpo_line}")
    assert address.bfpo_number == number
    assert address.is_bfpo
    assert address.lines == ("Mr X", "Unit 5", f"BFPO {number}")


def test_first_bfpo_number_wins() -> None:
    assert parse_postal_address("Mr X\nBFPO 7\nBFPO 8\nBF1 1AA").bfpo_number == 7


def test_bfpo_lines_without_a_number_are_not_bfpo() -> None:
    address = parse_postal_address("Mr X\nBFPO\nBF1 1AA")
    assert not address.is_bfpo
    assert address.lines == ("Mr X", "BFPO", "BF1 1AA")


def test_postcodes_are_never_resolved_to_bfpo() -> None:
    address = parse_postal_address("Mr X\nBF1 1AA")
    assert not address.is_bfpo
    assert address.postcode == "BF1 1AA"


def test_all_trailing_uk_names_are_dropped() -> None:
    address = parse_postal_address(
        "A Person\n1 Street\nEdinburgh\nEH1 1TG\nScotland\nUnited Kingdom"
    )
    assert address.lines == ("A Person", "1 Street", "Edinburgh", "EH1 1TG")
    assert address.country == "United Kingdom"


def test_uk_names_further_up_count_towards_what_is_dropped() -> None:
    # Derived from Notify's code: it counts every UK name up from the end, skipping lines
    # that name no country, then drops that many lines, here the postcode too.
    address = parse_postal_address("Ms Y\nWales\nCardiff\nCF10 1AA\nUK")
    assert address.lines == ("Ms Y", "Wales", "Cardiff")
    assert address.postcode is None


def test_a_uk_name_not_on_the_last_line_stays() -> None:
    address = parse_postal_address("Ms Y\nWales\nCardiff\nCF10 1AA")
    assert address.lines == ("Ms Y", "Wales", "Cardiff", "CF10 1AA")


def test_another_country_drops_only_its_line() -> None:
    address = parse_postal_address("A Person\nJersey\nParis\nFrance")
    assert address.lines == ("A Person", "Jersey", "Paris", "France")
    assert address.postage_zone == "europe"


def test_single_line_form() -> None:
    assert parse_postal_address("A Person\n1 Street\nsw1a1aa").as_single_line == (
        "A Person, 1 Street, SW1A 1AA"
    )


def test_whitespace_is_normalised_on_each_line() -> None:
    address = parse_postal_address(
        "\u200bA\u00a0\u00a0Person\u202f\n1\tStreet ,\r\nLondon\u2028SW1A 1AA"
    )
    assert address.lines == ("A Person", "1 Street", "London", "SW1A 1AA")


def test_bfpo_lines_alone_are_too_few_lines() -> None:
    # Notify fails with an unhandled error here (rules.md §8.14); we refuse the address.
    assert refusal({"address_line_1": "BFPO 1"}) == TOO_FEW_LINES
    assert parse_postal_address("BFPO 1").lines == ("BFPO 1",)


# §4.3: the API's checks, in order, with their exact messages.
@pytest.mark.parametrize(
    ("personalisation", "international", "message"),
    [
        ({"address_line_1": "A Person", "postcode": "SW1A 1AA"}, False, TOO_FEW_LINES),
        (
            {**A_PERSON, "address_line_3": "London", "postcode": "not a real postcode"},
            False,
            NOT_POSTCODE,
        ),
        (
            {**A_PERSON, "address_line_3": "London", "postcode": "not a real postcode"},
            True,
            NOT_POSTCODE_OR_COUNTRY,
        ),
        ({**A_PERSON, "address_line_3": "Paris", "address_line_4": "France"}, False, NOT_POSTCODE),
        (
            {
                "address_line_1": "A Person",
                "address_line_2": "]Buckingham Palace",
                "postcode": "SW1A 1AA",
            },
            False,
            BAD_FIRST_CHARACTER,
        ),
        (
            {
                "address_line_1": "No fixed abode",
                "address_line_2": "1 Street",
                "postcode": "SW1A 1AA",
            },
            False,
            NOT_REAL,
        ),
        (
            {"address_line_1": "--", "address_line_2": "1 Street", "postcode": "SW1A 1AA"},
            False,
            NO_ALPHANUMERIC,
        ),
        (
            {"address_line_1": "A Person", "address_line_2": "..", "postcode": "SW1A 1AA"},
            False,
            NO_ALPHANUMERIC,
        ),
        (
            {"address_line_1": "A Person", "address_line_2": "NFA", "postcode": "SW1A 1AA"},
            False,
            NOT_REAL,
        ),
        (
            {**A_PERSON, "address_line_3": "BFPO 1234", "postcode": "France"},
            True,
            BFPO_WITH_COUNTRY,
        ),
        (
            {**{f"address_line_{n}": str(n) for n in range(1, 8)}, "postcode": "SW1A 1AA"},
            False,
            NOT_POSTCODE,
        ),
        ({**A_PERSON, "address_line_3": "GX11 1AA"}, True, NOT_POSTCODE_OR_COUNTRY),
        ({"address_line_1": "", "address_line_2": "", "postcode": ""}, False, TOO_FEW_LINES),
    ],
)
def test_api_refusals(
    personalisation: dict[str, object], international: bool, message: str
) -> None:
    assert refusal(personalisation, international=international) == message


@pytest.mark.parametrize(
    ("personalisation", "international", "lines", "postage"),
    [
        (
            {**A_PERSON, "postcode": "sw1a1aa"},
            False,
            ("A Person", "1 Street", "SW1A 1AA"),
            "second",
        ),
        (
            {**A_PERSON, "address_line_3": "Paris", "address_line_4": "France"},
            True,
            ("A Person", "1 Street", "Paris", "France"),
            "europe",
        ),
        (
            {**A_PERSON, "address_line_3": "Toronto", "address_line_4": "Canada"},
            True,
            ("A Person", "1 Street", "Toronto", "Canada"),
            "rest-of-world",
        ),
        (
            {**A_PERSON, "address_line_5": "   deutschland   "},
            True,
            ("A Person", "1 Street", "Germany"),
            "europe",
        ),
        (
            {"address_line_1": "Sgt Smith", "address_line_2": "Unit 5", "postcode": "BFPO 1234"},
            False,
            ("Sgt Smith", "Unit 5", "BFPO 1234"),
            "second",
        ),
        (
            {**{f"address_line_{n}": str(n) for n in range(1, 7)}, "postcode": "SW1A 1AA"},
            False,
            ("1", "2", "3", "4", "5", "6", "SW1A 1AA"),
            "second",
        ),
        (
            {
                **A_PERSON,
                "address_line_3": "St Helier",
                "address_line_4": "JE2 3AB",
                "address_line_5": "Jersey",
            },
            False,
            ("A Person", "1 Street", "St Helier", "JE2 3AB"),
            "second",
        ),
        (
            {
                **A_PERSON,
                "address_line_3": "Edinburgh",
                "address_line_4": "EH1 1TG",
                "address_line_5": "Scotland",
                "address_line_6": "United Kingdom",
            },
            False,
            ("A Person", "1 Street", "Edinburgh", "EH1 1TG"),
            "second",
        ),
        (
            {**A_PERSON, "address_line_3": "Gibraltar"},
            True,
            ("A Person", "1 Street", "Gibraltar"),
            "europe",
        ),
    ],
)
def test_api_acceptances(
    personalisation: dict[str, object],
    international: bool,
    lines: tuple[str, ...],
    postage: str,
) -> None:
    address = validate(personalisation, international=international)
    assert address.lines == lines
    assert address.normalised == "\n".join(lines)
    assert letter_postage("second", address) == postage


def test_too_many_lines() -> None:
    raw = "\n".join(["A Person", *(f"{n} Street" for n in range(1, 7)), "SW1A 1AA"])
    address = parse_postal_address(raw)
    assert address.line_count == 8
    with pytest.raises(InvalidAddress, match=TOO_MANY_LINES):
        check_postal_address(address, allow_international_letters=False)


def test_country_and_bfpo_lines_count_towards_the_limit() -> None:
    raw = "\n".join([*(f"{n} Street" for n in range(1, 7)), "BFPO 1", "BF1 1AA"])
    address = parse_postal_address(raw)
    assert address.line_count == 8
    with pytest.raises(InvalidAddress, match=TOO_MANY_LINES):
        check_postal_address(address, allow_international_letters=False)


@pytest.mark.parametrize("first_character", list('@()=[]"\\/,<>~'))
def test_every_banned_first_character_is_refused(first_character: str) -> None:
    # The check bans a straight quote and "~", which the message does not list.
    personalisation = {
        **A_PERSON,
        "address_line_3": f"{first_character}London",
        "postcode": "SW1A 1AA",
    }
    assert refusal(personalisation) == BAD_FIRST_CHARACTER


def test_bad_first_character_message_is_exact() -> None:
    assert "\u201d" in BAD_FIRST_CHARACTER
    assert "\\ /" in BAD_FIRST_CHARACTER
    assert "~" not in BAD_FIRST_CHARACTER


@pytest.mark.parametrize(
    "line", ["nfa", "NFA", "Nfa", "No Fixed Abode", "of no fixed address", "NO FIXED ADDRESS"]
)
def test_no_fixed_abode(line: str) -> None:
    assert refusal({**A_PERSON, "address_line_3": line, "postcode": "SW1A 1AA"}) == NOT_REAL


def test_nfa_inside_a_line_is_fine() -> None:
    validate({**A_PERSON, "address_line_3": "NFA House", "postcode": "SW1A 1AA"})


def test_country_without_the_international_permission() -> None:
    assert refusal({**A_PERSON, "address_line_3": "Gibraltar"}) == NOT_POSTCODE


def test_bfpo_with_uk_country_is_fine() -> None:
    address = validate({**A_PERSON, "address_line_3": "BFPO 1234", "postcode": "UK"})
    assert address.lines == ("A Person", "1 Street", "BFPO 1234")
    assert not address.international


# §4.6: postage.
def test_postage_values() -> None:
    assert TEMPLATE_POSTAGE_VALUES == ("first", "second", "economy")
    assert DEFAULT_POSTAGE == "second"
    assert POSTAGE_VALUES == ("first", "second", "economy", "europe", "rest-of-world")
    assert PRINT_FILE_POSTAGE_CODES == {
        "first": "1",
        "second": "2",
        "economy": "ECONOMY",
        "europe": "E",
        "rest-of-world": "N",
    }
    assert f"postage {INVALID_POSTAGE_MESSAGE}" == (
        "postage invalid. It must be either first, second or economy."
    )
    assert INVALID_POSTAGE_INCLUDING_INTERNATIONAL_MESSAGE == (
        "invalid. It must be first, second, economy, europe or rest-of-world."
    )


@pytest.mark.parametrize("template_postage", ["first", "second", "economy"])
def test_uk_letters_take_the_template_postage(template_postage: Postage) -> None:
    address = validate({**A_PERSON, "postcode": "SW1A 1AA"})
    assert letter_postage(template_postage, address) == template_postage


@pytest.mark.parametrize("template_postage", ["first", "second", "economy"])
def test_international_letters_override_the_template_postage(template_postage: Postage) -> None:
    address = validate(
        {**A_PERSON, "address_line_3": "Toronto", "address_line_4": "Canada"}, international=True
    )
    assert letter_postage(template_postage, address) == "rest-of-world"
