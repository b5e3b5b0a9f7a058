"""Countries and postage zones: every vector of rules.md §4.5, and the data's integrity."""

from __future__ import annotations

import pytest

from notify_emulator.rules.countries import (
    EUROPE,
    UNITED_KINGDOM,
    find_country,
    is_country,
    normalise_country_name,
    postage_zone,
)
from notify_emulator.rules.data.country_data import COUNTRY_NAMES


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("u.s.a", "United States"),
        ("america", "United States"),
        ("UK", UNITED_KINGDOM),
        ("GB", UNITED_KINGDOM),
        ("GBR", UNITED_KINGDOM),
        ("NIR", UNITED_KINGDOM),
        ("SCT", UNITED_KINGDOM),
        ("WLS", UNITED_KINGDOM),
        ("N. Ireland", UNITED_KINGDOM),
        ("Jersey", UNITED_KINGDOM),
        ("Guernsey", UNITED_KINGDOM),
        ("deutschland", "Germany"),
        ("gambia", "The Gambia"),
        ("ESPA\u00d1A", "Spain"),
        ("ESPANA", "Spain"),
        ("Sao Tome + Principe", "Sao Tome and Principe"),
        ("RepOfIreland", "Ireland"),
        ("Rep of Ireland", "Ireland"),
    ],
)
def test_spec_names(name: str, canonical: str) -> None:
    assert find_country(name) == canonical


# §4.5: Notify's additions.
@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        # UK islands and crown dependencies.
        *(
            (island, UNITED_KINGDOM)
            for island in (
                "Alderney",
                "Brecqhou",
                "Guernsey",
                "Herm",
                "Isle of Man",
                "Jersey",
                "Jethou",
                "Sark",
            )
        ),
        # European islands, each its own postage destination.
        *(
            (island, island)
            for island in ("Azores", "Balearic Islands", "Canary Islands", "Corsica", "Madeira")
        ),
        # Hand-written synonyms.
        ("England", UNITED_KINGDOM),
        ("Scotland", UNITED_KINGDOM),
        ("Wales", UNITED_KINGDOM),
        ("Northern Ireland", UNITED_KINGDOM),
        ("Cymru", UNITED_KINGDOM),
        ("GBR", UNITED_KINGDOM),
        ("NI", UNITED_KINGDOM),
        ("Channel Islands", UNITED_KINGDOM),
        ("ROI", "Ireland"),
        ("America", "United States"),
        ("Tenerife", "Canary Islands"),
        # Welsh names, found with and without their article.
        ("Yr Almaen", "Germany"),
        ("Almaen", "Germany"),
        ("Y Deyrnas Unedig", UNITED_KINGDOM),
        # Ended countries map to their successors.
        ("East Germany", "Germany"),
        ("Czechoslovakia", "Czechia"),
        # Non-Latin names are compared without folding.
        ("\u0420\u043e\u0441\u0441\u0438\u044f", "Russia"),
        ("isle-of-man", UNITED_KINGDOM),
        ("Sao Tome & Principe", "Sao Tome and Principe"),
        ("Antigua, and Barbuda", "Antigua and Barbuda"),
        ("Lubn\u0101n", "Lebanon"),
    ],
)
def test_notify_additions(name: str, canonical: str) -> None:
    assert find_country(name) == canonical


@pytest.mark.parametrize("name", ["Yugoslavia", "USSR"])
def test_ended_countries_without_successor_are_not_countries(name: str) -> None:
    assert find_country(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "Qumran",
        "Kumrahn",
        "",
        "London",
        "the",
        "SW1A 1AA",
        "UM-67",
        "\u0420\u043e\u0441\u0441\u0438\u044f1",
    ],
)
def test_not_countries(name: str) -> None:
    assert find_country(name) is None
    assert not is_country(name)


@pytest.mark.parametrize(
    ("name", "zone"),
    [
        ("C\u00f4te d'Ivoire", "rest-of-world"),
        ("Rep of Ireland", "europe"),
        ("u.s.a", "rest-of-world"),
        ("deutschland", "europe"),
        ("UK", "united-kingdom"),
        ("Jersey", "united-kingdom"),
        ("Channel Islands", "united-kingdom"),
        ("ESPA\u00d1A", "europe"),
        ("Gibraltar", "europe"),
        ("Canada", "rest-of-world"),
    ],
)
def test_postage_zones(name: str, zone: str) -> None:
    country = find_country(name)
    assert country is not None
    assert postage_zone(country) == zone


EUROPE_LIST = [
    "Albania",
    "Andorra",
    "Armenia",
    "Austria",
    "Azerbaijan",
    "Azores",
    "Balearic Islands",
    "Belarus",
    "Belgium",
    "Bosnia and Herzegovina",
    "Bulgaria",
    "Canary Islands",
    "Corsica",
    "Croatia",
    "Cyprus",
    "Czechia",
    "Denmark",
    "Estonia",
    "Faroe Islands",
    "Finland",
    "France",
    "Georgia",
    "Germany",
    "Gibraltar",
    "Greece",
    "Greenland",
    "Hungary",
    "Iceland",
    "Ireland",
    "Italy",
    "Kazakhstan",
    "Kosovo",
    "Kyrgyzstan",
    "Latvia",
    "Liechtenstein",
    "Lithuania",
    "Luxembourg",
    "North Macedonia",
    "Madeira",
    "Malta",
    "Moldova",
    "Monaco",
    "Montenegro",
    "Netherlands",
    "Norway",
    "Poland",
    "Portugal",
    "Romania",
    "Russia",
    "San Marino",
    "Serbia",
    "Slovakia",
    "Slovenia",
    "Spain",
    "Sweden",
    "Switzerland",
    "Tajikistan",
    "Turkey",
    "Turkmenistan",
    "Ukraine",
    "Uzbekistan",
    "Vatican City",
]


def test_europe_is_the_spec_list() -> None:
    assert set(EUROPE_LIST) == EUROPE


@pytest.mark.parametrize("country", EUROPE_LIST)
def test_every_european_country_is_found_and_in_the_europe_zone(country: str) -> None:
    assert find_country(country) == country
    assert postage_zone(country) == "europe"


def test_every_canonical_name_is_a_country() -> None:
    # One canonical name of Notify's data resolves to a sibling name of the same territory;
    # every other canonical name resolves to itself.
    resolved_elsewhere = {
        canonical: find_country(canonical)
        for canonical in COUNTRY_NAMES
        if find_country(canonical) != canonical
    }
    assert resolved_elsewhere == {
        "South Georgia and the South Sandwich Islands": "South Georgia and South Sandwich Islands"
    }


def test_every_listed_name_resolves_to_its_country() -> None:
    wrong = {
        name: (canonical, find_country(name))
        for canonical, names in COUNTRY_NAMES.items()
        for name in names
        if find_country(name) != canonical
    }
    assert wrong == {}


def test_the_data_is_large_enough_to_be_the_full_list() -> None:
    assert len(COUNTRY_NAMES) > 250
    assert sum(len(names) for names in COUNTRY_NAMES.values()) > 1700


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("United Kingdom", "unitedkingdom"),
        ("C\u00f4te d\u2019Ivoire", "cotedivoire"),
        ("Sao Tome & Principe", "saotomeandprincipe"),
        ("St. Kitts (and) Nevis, the_one-two", "stkittsandnevistheonetwo"),
        ("\u0420\u043e\u0441\u0441\u0438\u044f", "\u0440\u043e\u0441\u0441\u0438\u044f"),
    ],
)
def test_normalise_country_name(name: str, normalised: str) -> None:
    assert normalise_country_name(name) == normalised


def test_a_name_with_a_digit_is_never_a_country() -> None:
    with pytest.raises(ValueError, match="no digits"):
        normalise_country_name("France 2")
