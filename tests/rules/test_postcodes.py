"""UK postcodes: every vector of rules.md §4.4."""

from __future__ import annotations

import pytest

from notify_emulator.rules.postcodes import (
    UK_POSTCODE_AREAS,
    format_postcode,
    format_postcode_or_none,
    is_a_real_uk_postcode,
    normalise_postcode,
)


@pytest.mark.parametrize(
    ("postcode", "formatted"),
    [
        ("SW1 3EF", "SW1 3EF"),
        ("sw13ef", "SW1 3EF"),
        ("SE1 63EF", "SE16 3EF"),
        ("N5 1AA", "N5 1AA"),
        ("so14 6wb", "SO14 6WB"),
        ("so14\u00a06wb", "SO14 6WB"),
        ("n5 \u00a0 \t 3Ef", "N5 3EF"),
        ("BF1 3AA", "BF1 3AA"),
        (" BF2 0FR ", "BF2 0FR"),
        ("S W1 A 1 AA", "SW1A 1AA"),
        ("SW1A 1A A", "SW1A 1AA"),
        ("sw1a\u200b1aa\n", "SW1A 1AA"),
    ],
)
def test_real_postcodes_are_formatted(postcode: str, formatted: str) -> None:
    assert is_a_real_uk_postcode(postcode)
    assert format_postcode_or_none(postcode) == formatted
    assert format_postcode(postcode) == formatted


@pytest.mark.parametrize(
    "postcode",
    [
        "SW1A 1AA",
        "N1 9GU",
        "EC1A 1BB",
        "W1A 0AX",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "BT1 1AA",
        "JE2 3AB",
        "GY1 1AA",
        "IM1 1AA",
        "E1W 1AA",
        "ZE1 0AA",
    ],
)
def test_real_postcodes_already_formatted(postcode: str) -> None:
    assert is_a_real_uk_postcode(postcode)
    assert format_postcode_or_none(postcode) == postcode


@pytest.mark.parametrize(
    "postcode",
    [
        "N5",
        "SO144 6WB",
        "SO14 6WBA",
        "NF1 1AA",
        "",
        "Bad postcode",
        # BFPO numbers are not postcodes.
        "BFPO1234",
        "BFPO C/O 1234",
        "BFPO 1234",
        "BFPO1",
        "BFPO",
        "BFPO12345",
        # Listed area, but no digit straight after it.
        "GIR0AA",
        # Gibraltar is not in the UK.
        "GX111AA",
        # Letters never used in the inward code.
        "SW1A 1AC",
        "SW1A 1AI",
        "SW1A 1AK",
        "SW1A 1AM",
        "SW1A 1AO",
        "SW1A 1AV",
        "SW1A-1AA",
        "SW1A.1AA",
        "QA1 1AA",
    ],
)
def test_not_real_postcodes(postcode: str) -> None:
    assert not is_a_real_uk_postcode(postcode)
    assert format_postcode_or_none(postcode) is None


def test_normalise_removes_every_kind_of_whitespace_and_uppercases() -> None:
    assert normalise_postcode(" s\tw\u00a01\u202fa\u200b 1\ufeffaa\r\n") == "SW1A1AA"


def test_areas() -> None:
    assert len(UK_POSTCODE_AREAS) == 127
    assert len(set(UK_POSTCODE_AREAS)) == 127
    for area in ("GY", "JE", "IM", "BT", "BF", "BX", "GIR"):
        assert area in UK_POSTCODE_AREAS
    assert "GX" not in UK_POSTCODE_AREAS


@pytest.mark.parametrize("area", UK_POSTCODE_AREAS)
def test_every_area_makes_real_postcodes(area: str) -> None:
    assert is_a_real_uk_postcode(f"{area}1 1AA")
    assert is_a_real_uk_postcode(f"{area}12 3AB")
    assert is_a_real_uk_postcode(f"{area}1W 3AB")
