from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from notify_emulator.rules import timings
from notify_emulator.rules.data.bank_holidays import is_bank_holiday
from notify_emulator.rules.timings import (
    estimated_delivery,
    is_dvla_working_day,
    is_royal_mail_working_day,
    letter_date,
    print_day,
    print_run,
)

UTC = timezone.utc


def shown(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize(
    ("created_at", "postage", "expected"),
    [
        # notify-api.md §10.2 (utils tests), created at 00:00 UTC
        (datetime(2000, 12, 1, tzinfo=UTC), "second", "2000-12-11T16:00:00.000000Z"),
        (datetime(2000, 12, 1, tzinfo=UTC), "first", "2000-12-05T16:00:00.000000Z"),
        (datetime(2000, 12, 1, tzinfo=UTC), "economy", "2000-12-13T16:00:00.000000Z"),
        (datetime(2000, 6, 1, tzinfo=UTC), "second", "2000-06-09T15:00:00.000000Z"),
        (datetime(2000, 6, 1, tzinfo=UTC), "first", "2000-06-03T15:00:00.000000Z"),
        # Seen on the real API: seconds and microseconds of created_at are kept.
        (
            datetime(2026, 11, 26, 14, 31, 55, 127448, tzinfo=UTC),
            "second",
            "2026-12-04T16:00:55.127448Z",
        ),
    ],
)
def test_spec_examples(created_at: datetime, postage: str, expected: str) -> None:
    assert shown(estimated_delivery(created_at, postage)) == expected


def test_naive_created_at_is_utc() -> None:
    assert shown(estimated_delivery(datetime(2000, 12, 1), "second")) == (
        "2000-12-11T16:00:00.000000Z"
    )


def test_result_is_aware_utc() -> None:
    assert estimated_delivery(datetime(2000, 12, 1, tzinfo=UTC), "second").tzinfo == UTC


def test_created_at_in_another_zone_is_converted() -> None:
    # 01:00 on 1 December in UTC+1 is midnight UTC
    plus_one = timezone(timedelta(hours=1))
    created = datetime(2000, 12, 1, 1, 0, tzinfo=plus_one)
    assert shown(estimated_delivery(created, "second")) == "2000-12-11T16:00:00.000000Z"


def test_after_half_past_five_london_time_rolls_to_the_next_day() -> None:
    # 17:29 BST on Wednesday 21 October 2026 is printed on Thursday; 17:31 on Friday.
    before = datetime(2026, 10, 21, 16, 29, tzinfo=UTC)
    after = datetime(2026, 10, 21, 16, 31, tzinfo=UTC)
    assert print_day(before).date() == date(2026, 10, 22)
    assert print_day(after).date() == date(2026, 10, 23)
    assert shown(estimated_delivery(before, "first")) == "2026-10-23T15:00:00.000000Z"
    # First class is delivered on Saturdays.
    assert shown(estimated_delivery(after, "first")) == "2026-10-24T15:00:00.000000Z"


def test_christmas_bank_holidays_are_skipped() -> None:
    created = datetime(2026, 12, 23, 12, 0, tzinfo=UTC)
    assert print_day(created).date() == date(2026, 12, 24)
    # 25 and 28 December and 1 January are bank holidays.
    assert shown(estimated_delivery(created, "second")) == "2027-01-05T16:00:00.000000Z"
    # Saturday 26 December is not a bank holiday on GOV.UK's list, and first class runs.
    assert shown(estimated_delivery(created, "first")) == "2026-12-26T16:00:00.000000Z"


def test_easter_and_the_change_to_summer_time() -> None:
    created = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday, GMT
    assert print_day(created).date() == date(2026, 3, 30)
    # Good Friday 3 April and Easter Monday 6 April are skipped; 16:00 BST is 15:00 UTC.
    assert shown(estimated_delivery(created, "second")) == "2026-04-08T15:00:00.000000Z"


@pytest.mark.parametrize(
    ("postage", "expected"),
    [("europe", "2026-04-14T15:00:00.000000Z"), ("rest-of-world", "2026-04-16T15:00:00.000000Z")],
)
def test_international_postage(postage: str, expected: str) -> None:
    created = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
    assert shown(estimated_delivery(created, postage)) == expected


def test_unknown_postage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown postage 'third'"):
        estimated_delivery(datetime(2026, 4, 1, tzinfo=UTC), "third")


def test_working_days() -> None:
    assert is_dvla_working_day(date(2026, 12, 24))
    assert not is_dvla_working_day(date(2026, 12, 25))
    assert not is_dvla_working_day(date(2026, 12, 26))  # Saturday
    assert is_royal_mail_working_day(date(2026, 12, 26), "first")
    assert not is_royal_mail_working_day(date(2026, 12, 26), "second")
    assert not is_royal_mail_working_day(date(2026, 12, 27), "first")  # Sunday
    assert not is_royal_mail_working_day(date(2026, 12, 28), "first")  # Boxing Day moved


@pytest.mark.parametrize(
    "day",
    [
        date(2022, 9, 19),  # a state funeral
        date(2023, 5, 8),  # a coronation
        date(2022, 1, 3),  # New Year's Day moved from a Saturday
        date(2026, 8, 31),
    ],
)
def test_bank_holidays(day: date) -> None:
    assert is_bank_holiday(day)


def test_weekend_dates_are_never_listed_as_bank_holidays() -> None:
    assert not is_bank_holiday(date(2022, 1, 1))  # Saturday: GOV.UK lists 3 January instead
    assert not is_bank_holiday(date(2026, 12, 26))


def test_letter_date_is_the_london_day() -> None:
    assert letter_date(datetime(2026, 5, 6, 23, 1, tzinfo=UTC)) == date(2026, 5, 7)
    assert letter_date(datetime(2026, 1, 6, 23, 1, tzinfo=UTC)) == date(2026, 1, 6)


def test_public_names_exist() -> None:
    assert all(hasattr(timings, name) for name in timings.__all__)


# --- the print run (api letters_pdf_tasks.check_time_to_collate_letters) ------------------


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        # Winter (GMT): 17:50 London is 17:50 UTC; letters made before 17:30 go that day.
        (datetime(2026, 11, 26, 9, 0, tzinfo=UTC), datetime(2026, 11, 26, 17, 50, tzinfo=UTC)),
        (
            datetime(2026, 11, 26, 17, 29, 59, 999999, tzinfo=UTC),
            datetime(2026, 11, 26, 17, 50, tzinfo=UTC),
        ),
        # The deadline itself, and later, wait for the next day's run.
        (datetime(2026, 11, 26, 17, 30, tzinfo=UTC), datetime(2026, 11, 27, 17, 50, tzinfo=UTC)),
        (datetime(2026, 11, 26, 17, 55, tzinfo=UTC), datetime(2026, 11, 27, 17, 50, tzinfo=UTC)),
        (datetime(2026, 11, 26, 23, 59, tzinfo=UTC), datetime(2026, 11, 27, 17, 50, tzinfo=UTC)),
        # Summer (BST): the run is at 16:50 UTC, the deadline 16:30 UTC.
        (datetime(2026, 6, 10, 16, 29, tzinfo=UTC), datetime(2026, 6, 10, 16, 50, tzinfo=UTC)),
        (datetime(2026, 6, 10, 16, 30, tzinfo=UTC), datetime(2026, 6, 11, 16, 50, tzinfo=UTC)),
        # 23:30 UTC in summer is already the next London day.
        (datetime(2026, 6, 10, 23, 30, tzinfo=UTC), datetime(2026, 6, 11, 16, 50, tzinfo=UTC)),
        # Clocks go forward on Sunday 29 March 2026: Saturday evening's letter goes on Sunday,
        # at 17:50 BST (the run is every day, weekends and bank holidays too).
        (datetime(2026, 3, 28, 18, 0, tzinfo=UTC), datetime(2026, 3, 29, 16, 50, tzinfo=UTC)),
        (datetime(2026, 12, 25, 12, 0, tzinfo=UTC), datetime(2026, 12, 25, 17, 50, tzinfo=UTC)),
    ],
)
def test_print_run(created_at: datetime, expected: datetime) -> None:
    assert print_run(created_at) == expected


def test_print_run_of_a_naive_time_is_naive_utc() -> None:
    assert print_run(datetime(2026, 6, 10, 12, 0)) == datetime(2026, 6, 10, 16, 50)
