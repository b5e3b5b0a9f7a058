"""Typography and GOV.UK unlinking: rules.md §3.3–§3.4 vectors."""

from __future__ import annotations

import pytest

from notify_emulator.rules.typography import (
    make_quotes_smart,
    nice_typography,
    normalise_whitespace,
    remove_smart_quotes_from_email_addresses,
    remove_whitespace_before_punctuation,
    replace_hyphens_with_en_dashes,
    replace_hyphens_with_non_breaking_hyphens,
    unlink_govuk,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello Jo ,", "Hello Jo,"),
        ("Wait  .  Then ,go", "Wait.  Then,go"),
        ("tab\t.", "tab."),
        ("no change.", "no change."),
        ("newline\n.", "newline\n."),
    ],
)
def test_remove_whitespace_before_punctuation(text: str, expected: str) -> None:
    assert remove_whitespace_before_punctuation(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'And I said, "what about breakfast at Tiffany\'s"?',
            "And I said, “what about breakfast at Tiffany’s”?",
        ),
        ("Tiffany's", "Tiffany’s"),
        ("<a href=\"it's\">it's</a>", "<a href=\"it's\">it's</a>"),
        ("<code>'x'</code> 'y'", "<code>'x'</code> ‘y’"),
    ],
)
def test_smart_quotes(text: str, expected: str) -> None:
    assert make_quotes_smart(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("first.o’last@example.com", "first.o'last@example.com"),
        ("write to ‘first.o’last@example.com’ now", "write to 'first.o'last@example.com' now"),
        ("“a@b.com”", "“a@b.com”"),
        ("Tiffany’s", "Tiffany’s"),
    ],
)
def test_smart_quotes_removed_from_email_addresses(text: str, expected: str) -> None:
    assert remove_smart_quotes_from_email_addresses(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a - b", "a – b"),
        ("double -- dash", "double – dash"),
        ("triple --- dash", "triple – dash"),
        ("em — dash", "em – dash"),
        ("en – dash", "en – dash"),
        ("quadruple ---- dash", "quadruple ---- dash"),
        ("2004-2008", "2004-2008"),
        (" \t\n   — dash", " – dash"),
        ("a -b", "a -b"),
    ],
)
def test_en_dashes(text: str, expected: str) -> None:
    assert replace_hyphens_with_en_dashes(text) == expected


def test_nice_typography_order() -> None:
    assert nice_typography("Tom's tax - due , first.o'last@example.com") == (
        "Tom’s tax – due, first.o'last@example.com"
    )


def test_non_breaking_hyphens() -> None:
    assert replace_hyphens_with_non_breaking_hyphens("a-b – c") == "a\u2011b – c"


CHANGED = [
    "GOV.UK",
    "gov.uk",
    "Gov.uk",
    "*GOV.UK",
    "#GOV.UK",
    "^GOV.UK",
    "GOV.UK with CONTENT after",
    "\tGOV.UK",
    "\nGOV.UK",
    "text GOV.UK",
    # known false positives, reproduced
    "gov.uk.com",
    "gov.ukandi.com",
    "gov.uks",
]


@pytest.mark.parametrize("text", CHANGED)
def test_govuk_is_unlinked(text: str) -> None:
    result = unlink_govuk(text)
    index = text.lower().index("gov.uk")
    assert result == text[: index + 4] + "\u200b" + text[index + 4 :]


@pytest.mark.parametrize(
    "text",
    [
        "https://gov.uk",
        "www.gov.uk",
        "WWW.GOV.UK.",
        "mygov.uk",
        "southwark.gov.uk",
        "data.gov.uk",
        "gov.uk/foo",
        "gov.uk?q=",
        "gov.uk#departments-and-policy",
        "reply to: xxxx@xxx.gov.uk",
    ],
)
def test_govuk_left_alone(text: str) -> None:
    assert unlink_govuk(text) == text


@pytest.mark.parametrize(
    "text",
    [
        " no break ",
        " no\tbreak ",
        "\tno break\t",
        "no \r\nbreak",
        "no \nbreak",
        "no \rbreak",
        "\rno break\n",
    ],
)
def test_normalise_whitespace(text: str) -> None:
    assert normalise_whitespace(text) == "no break"


def test_normalise_whitespace_zero_width_and_nbsp() -> None:
    assert normalise_whitespace("\u200ca\u00a0b\u202fc") == "a b c"
