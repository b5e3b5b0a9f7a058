"""Email address rules: every vector of rules.md §6."""

from __future__ import annotations

import pytest

from notify_emulator.rules.email_addresses import (
    SIMULATED_EMAIL_ADDRESSES,
    is_simulated_email_address,
    normalise_email_address,
    validate_email_address,
)
from notify_emulator.rules.errors import InvalidEmailAddress

# §6.3 rows 1-17 and 20: returned unchanged.
VALID_AS_GIVEN = [
    "email@domain.com",
    "email@domain.COM",
    "firstname.lastname@domain.com",
    "firstname.o'lastname@domain.com",
    "email@subdomain.domain.com",
    "firstname+lastname@domain.com",
    "1234567890@domain.com",
    "email@domain-one.com",
    "_______@domain.com",
    "email@domain.name",
    "email@domain.superlongtld",
    "email@domain.co.jp",
    "firstname-lastname@domain.com",
    "info@german-financial-services.verm\u00f6gensberatung",
    "info@german-financial-services.reallylongarbitrarytldthatiswaytoohugejustincase",
    "japanese-info@\u4f8b\u3048.\u30c6\u30b9\u30c8",
    "email@double--hyphen.com",
    ".a@domain.com",
    "a.@domain.com",
    "a@b.co",
    "a@xn--a.com",
    "a@B\u00fccher.de",
    "a" * 300 + "@example.com",
]


@pytest.mark.parametrize("address", VALID_AS_GIVEN)
def test_valid_addresses_are_returned_as_given(address: str) -> None:
    assert validate_email_address(address) == address


# §6.3 rows 18-19: invisible characters and outer whitespace are removed.
@pytest.mark.parametrize(
    ("address", "cleaned"),
    [
        (" email@domain.com ", "email@domain.com"),
        ("\temail@domain.com\n", "email@domain.com"),
        ("\u200bemail@domain.com\u200b", "email@domain.com"),
        ("a\u200b@b.com", "a@b.com"),
        ("\u00a0a@b.com\u202f", "a@b.com"),
        ("a@b\ufeff.com", "a@b.com"),
    ],
)
def test_addresses_are_cleaned(address: str, cleaned: str) -> None:
    assert validate_email_address(address) == cleaned


# §6.3 rows 21-50.
INVALID = [
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    "plainaddress",
    "@no-local-part.com",
    "Outlook Contact <outlook-contact@domain.com>",
    "no-at.domain.com",
    "no-tld@domain",
    ";beginning-semicolon@domain.co.uk",
    "middle-semicolon@domain.co;uk",
    "trailing-semicolon@domain.com;",
    '"email+leading-quotes@domain.com',
    'email+middle"-quotes@domain.com',
    '"quoted-local-part"@domain.com',
    '"quoted@domain.com"',
    "lots-of-dots@domain..gov..uk",
    "two-dots..in-local@domain.com",
    "multiple@domains@domain.com",
    "spaces in local@domain.com",
    "spaces-in-domain@dom ain.com",
    "underscores-in-domain@dom_ain.com",
    "pipe-in-domain@example.com|gov.uk",
    "comma,in-local@gov.uk",
    "comma-in-domain@domain,gov.uk",
    "pound-sign-in-local\u00a3@domain.com",
    "local-with-\u2019-apostrophe@domain.com",
    "local-with-\u201d-quotes@domain.com",
    "domain-starts-with-a-dot@.domain.com",
    "brackets(in)local@domain.com",
    "with(brackets)@example.com",
    "email-too-long-" + "a" * 320 + "@example.com",
    "incorrect-punycode@xn---something.com",
    "email@domain.c",
    "a@b.c0m",
    "a@e.x",
    "email@-domain.com",
    "email@domain-.com",
    "email@domain.com.",
    "a@localhost",
    "\u00c4@b.com",
    "a@" + "b" * 64 + ".com",
    "a" * 310 + "@example.com",
]


@pytest.mark.parametrize("address", INVALID)
def test_invalid_addresses(address: str) -> None:
    with pytest.raises(InvalidEmailAddress) as caught:
        validate_email_address(address)
    assert caught.value.message == "Not a valid email address"
    assert caught.value.error == "InvalidEmailError"


def test_schema_stage_message() -> None:
    # The API reports a schema failure as "email_address " + the message (§6.2).
    with pytest.raises(InvalidEmailAddress) as caught:
        validate_email_address("plainaddress")
    assert f"email_address {caught.value.message}" == "email_address Not a valid email address"


def test_length_limit_is_on_the_cleaned_address() -> None:
    longest = "a" * 308 + "@example.com"
    assert len(longest) == 320
    assert validate_email_address(f"  {longest}\u200b ") == longest
    with pytest.raises(InvalidEmailAddress):
        validate_email_address("a" + longest)


def test_label_of_63_characters_is_allowed() -> None:
    address = "a@" + "b" * 63 + ".com"
    assert validate_email_address(address) == address


def test_three_hyphens_in_a_label_are_refused() -> None:
    with pytest.raises(InvalidEmailAddress):
        validate_email_address("a@b---c.com")


# §6.2: normalisation lowercases.
@pytest.mark.parametrize(
    ("address", "normalised"),
    [
        ("Email@Domain.COM", "email@domain.com"),
        ("  First.Last@Example.Gov.UK\n", "first.last@example.gov.uk"),
        ("a@B\u00fccher.de", "a@b\u00fccher.de"),
    ],
)
def test_normalisation(address: str, normalised: str) -> None:
    assert normalise_email_address(address) == normalised


def test_normalisation_refuses_invalid_addresses() -> None:
    with pytest.raises(InvalidEmailAddress):
        normalise_email_address("not an address")


@pytest.mark.parametrize(
    "address",
    [
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "Simulate-Delivered-3@Notifications.Service.Gov.UK",
    ],
)
def test_simulated_addresses(address: str) -> None:
    assert is_simulated_email_address(address)
    assert normalise_email_address(address) in SIMULATED_EMAIL_ADDRESSES


@pytest.mark.parametrize(
    "address", ["simulate-delivered-4@notifications.service.gov.uk", "someone@example.com", "x"]
)
def test_other_addresses_are_not_simulated(address: str) -> None:
    assert not is_simulated_email_address(address)


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        validate_email_address(12345)  # type: ignore[arg-type]
