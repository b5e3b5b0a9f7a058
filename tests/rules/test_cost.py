from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from notify_emulator.rules import cost
from notify_emulator.rules.cost import cost_fields, letter_rate, sms_rate
from notify_emulator.rules.data.rates import LETTER_RATES, SMS_RATES

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 14, 31, 55, tzinfo=UTC)


def sms_cost(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "notification_type": "sms",
        "status": "delivered",
        "billable_units": 1,
        "rate_multiplier": 1.0,
        "postage": None,
        "created_at": NOW,
    }
    arguments.update(overrides)
    return cost_fields(**arguments)  # type: ignore[arg-type]


def letter_cost(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "notification_type": "letter",
        "status": "delivered",
        "billable_units": 2,
        "rate_multiplier": None,
        "postage": "second",
        "created_at": NOW,
    }
    arguments.update(overrides)
    return cost_fields(**arguments)  # type: ignore[arg-type]


# --- email -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["created", "sending", "delivered", "permanent-failure"])
def test_email_is_free_and_always_ready(status: str) -> None:
    assert cost_fields(
        notification_type="email",
        status=status,
        billable_units=0,
        rate_multiplier=None,
        postage=None,
        created_at=NOW,
    ) == {"is_cost_data_ready": True, "cost_in_pounds": 0.0, "cost_details": {}}


# --- SMS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2026, 4, 1), 0.024),
        (date(2026, 3, 31), 0.0233),  # the new rate starts at 23:00 UTC, i.e. the next day
        (date(2025, 4, 1), 0.0233),
        (date(2024, 6, 1), 0.0227),
        (date(2023, 4, 1), 0.0197),
        (date(2022, 4, 15), 0.0161),
        (date(2022, 5, 1), 0.0172),
        (date(2021, 4, 1), 0.016),
        (date(2017, 4, 1), 0.0158),
        (date(2016, 5, 18), 0.0165),
        (date(2010, 1, 1), 0.0165),  # before Notify's first rate: the first one
    ],
)
def test_sms_rate_by_day(day: date, rate: float) -> None:
    assert sms_rate(day) == rate


def test_sms_rate_uses_the_utc_day_of_an_aware_time() -> None:
    # 00:30 BST on 1 April 2026 is still 31 March in UTC.
    bst = timezone(timedelta(hours=1))
    assert sms_rate(datetime(2026, 4, 1, 0, 30, tzinfo=bst)) == 0.0233
    assert sms_rate(datetime(2026, 4, 1, 0, 30)) == 0.024


def test_sms_rates_are_in_order() -> None:
    starts = [valid_from for valid_from, _ in SMS_RATES]
    assert starts == sorted(starts)


def test_uk_sms_cost() -> None:
    assert sms_cost(billable_units=1) == {
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.024,
        "cost_details": {
            "billable_sms_fragments": 1,
            "international_rate_multiplier": 1.0,
            "sms_rate": 0.024,
        },
    }


def test_international_sms_cost_multiplies() -> None:
    fields = sms_cost(billable_units=3, rate_multiplier=2)
    assert fields["cost_in_pounds"] == 3 * 2.0 * 0.024
    assert fields["cost_details"] == {
        "billable_sms_fragments": 3,
        "international_rate_multiplier": 2.0,
        "sms_rate": 0.024,
    }
    details = fields["cost_details"]
    assert isinstance(details, dict)
    assert isinstance(details["international_rate_multiplier"], float)


def test_sms_cost_uses_the_rate_on_the_creation_day() -> None:
    fields = sms_cost(created_at=datetime(2024, 6, 1, 12, tzinfo=UTC), billable_units=2)
    assert fields["cost_in_pounds"] == 2 * 1.0 * 0.0227


def test_created_sms_without_fragments_is_not_ready() -> None:
    assert sms_cost(status="created", billable_units=0) == {
        "is_cost_data_ready": False,
        "cost_in_pounds": None,
        "cost_details": {},
    }
    assert sms_cost(status="created", billable_units=None)["is_cost_data_ready"] is False


def test_created_sms_with_fragments_is_ready() -> None:
    assert sms_cost(status="created", billable_units=1)["is_cost_data_ready"] is True


def test_sending_sms_without_fragments_yet_costs_nothing() -> None:
    fields = sms_cost(status="sending", billable_units=None)
    assert fields["is_cost_data_ready"] is True
    assert fields["cost_in_pounds"] == 0.0


# --- letters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "sheets", "postage", "rate"),
    [
        (date(2026, 11, 26), 1, "second", 0.73),
        (date(2026, 11, 26), 5, "second", 0.91),
        (date(2026, 11, 26), 2, "first", 1.61),
        (date(2026, 4, 6), 2, "first", 1.53),  # the April 2026 rise starts on the 7th
        (date(2026, 4, 7), 2, "first", 1.61),
        (date(2026, 11, 26), 3, "economy", 0.724),
        (date(2026, 6, 30), 3, "economy", 0.73),
        (date(2026, 11, 26), 1, "europe", 1.80),
        (date(2026, 11, 26), 4, "rest-of-world", 1.92),
        (date(2026, 5, 2), 4, "rest-of-world", 1.85),
        (date(2025, 6, 1), 1, "second", 0.68),
        (date(2023, 12, 1), 1, "first", 0.82),  # the corrected November 2023 rates
        (date(2018, 7, 15), 1, "second", 0.30),
        (date(2018, 7, 15), 4, "second", 0.39),
        (date(2018, 10, 15), 2, "second", 0.35),
    ],
)
def test_letter_rate(day: date, sheets: int, postage: str, rate: float) -> None:
    assert letter_rate(day, sheets, postage) == rate


def test_letter_rate_falls_back_where_notify_has_none() -> None:
    # Notify priced economy from April 2025; earlier letters get the first economy rate.
    assert letter_rate(date(2024, 1, 1), 1, "economy") == 0.59
    # Letters are at most 5 sheets; more gets the 5-sheet rate.
    assert letter_rate(date(2026, 11, 26), 7, "second") == 0.91


def test_letter_rate_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown postage"):
        letter_rate(date(2026, 1, 1), 1, "third")
    with pytest.raises(ValueError, match="at least one sheet"):
        letter_rate(date(2026, 1, 1), 0, "second")


def test_every_current_postage_prices_one_to_five_sheets() -> None:
    current = [period for period in LETTER_RATES if period.end is None]
    assert sorted(period.postage for period in current) == [
        "economy",
        "europe",
        "first",
        "rest-of-world",
        "second",
    ]
    for period in current:
        assert sorted(period.rates) == [1, 2, 3, 4, 5]


def test_delivered_letter_cost() -> None:
    assert letter_cost() == {
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.77,
        "cost_details": {"billable_sheets_of_paper": 2, "postage": "second"},
    }


def test_test_key_letter_has_no_sheets_and_costs_nothing() -> None:
    # as seen on the real API: sending, 0 sheets, ready, 0.0
    assert letter_cost(status="sending", billable_units=0) == {
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.0,
        "cost_details": {"billable_sheets_of_paper": 0, "postage": "second"},
    }


@pytest.mark.parametrize(
    ("status", "units"), [("pending-virus-check", 2), ("created", 0), ("created", None)]
)
def test_letter_cost_not_ready(status: str, units: int | None) -> None:
    assert letter_cost(status=status, billable_units=units) == {
        "is_cost_data_ready": False,
        "cost_in_pounds": None,
        "cost_details": {},
    }


def test_created_letter_with_sheets_is_ready() -> None:
    assert letter_cost(status="created", billable_units=1)["cost_in_pounds"] == 0.73


@pytest.mark.parametrize(
    "status", ["cancelled", "technical-failure", "validation-failed", "virus-scan-failed"]
)
def test_letters_never_sent_are_free(status: str) -> None:
    assert letter_cost(status=status, billable_units=3, postage="first") == {
        "is_cost_data_ready": True,
        "cost_in_pounds": 0.0,
        "cost_details": {"billable_sheets_of_paper": 0, "postage": "first"},
    }


def test_returned_letters_are_charged() -> None:
    assert letter_cost(status="returned-letter", billable_units=1)["cost_in_pounds"] == 0.73


def test_letter_cost_needs_postage() -> None:
    with pytest.raises(ValueError, match="postage"):
        letter_cost(postage=None)


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown notification type"):
        cost_fields(
            notification_type="fax",
            status="delivered",
            billable_units=1,
            rate_multiplier=None,
            postage=None,
            created_at=NOW,
        )


def test_public_names_exist() -> None:
    assert all(hasattr(cost, name) for name in cost.__all__)
