"""When a letter is expected to arrive (notify-api.md §10.2; utils ``letter_timings.py``).

Notify prints letters on DVLA working days (Monday to Friday, not bank holidays) and Royal
Mail delivers on its own working days (Monday to Friday; first class also on Saturdays; not
bank holidays). ``estimated_delivery`` is the latest expected delivery, shown on letters
returned by the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from notify_emulator.rules.data.bank_holidays import is_bank_holiday

__all__ = [
    "LATEST_DAYS_IN_TRANSIT",
    "LONDON",
    "PRINT_RUN_DEADLINE",
    "PRINT_RUN_TIME",
    "estimated_delivery",
    "is_dvla_working_day",
    "is_royal_mail_working_day",
    "letter_date",
    "print_day",
    "print_run",
]

LONDON = ZoneInfo("Europe/London")

# Letters created after 17:30 London time are printed a day later: adding 6 h 30 min moves
# anything after the deadline into the next day (utils LetterTimings).
_PROCESSING_SHIFT = timedelta(hours=6, minutes=30)
_DELIVERY_HOUR = 16

# The most full days each postage spends in transit after the day of printing (utils
# get_min_and_max_days_in_transit). First class goes out on the day it is printed.
LATEST_DAYS_IN_TRANSIT: dict[str, int] = {
    "first": 0,
    "second": 4,
    "economy": 6,
    "europe": 5,
    "rest-of-world": 7,
}

_SATURDAY = 5


def is_dvla_working_day(day: date) -> bool:
    """Monday to Friday, except England and Wales bank holidays."""
    return day.weekday() < _SATURDAY and not is_bank_holiday(day)


def is_royal_mail_working_day(day: date, postage: str) -> bool:
    """Monday to Friday (and Saturday for first class), except bank holidays."""
    last_working_weekday = _SATURDAY if postage == "first" else _SATURDAY - 1
    return day.weekday() <= last_working_weekday and not is_bank_holiday(day)


def _advance(
    moment: datetime, working_days: int, is_working_day: Callable[[date], bool]
) -> datetime:
    # Calendar days are added to the London wall-clock time, as Notify does.
    while working_days:
        moment += timedelta(days=1)
        if is_working_day(moment.date()):
            working_days -= 1
    return moment


def _as_utc(created_at: datetime) -> datetime:
    # Notify's timestamps are naive UTC; accept those as well as aware datetimes.
    if created_at.tzinfo is None:
        return created_at.replace(tzinfo=timezone.utc)
    return created_at.astimezone(timezone.utc)


def print_day(created_at: datetime) -> datetime:
    """The London time, on the day the letter is printed, derived from ``created_at``."""
    processing = _as_utc(created_at).astimezone(LONDON) + _PROCESSING_SHIFT
    return _advance(processing, 1, is_dvla_working_day)


def estimated_delivery(created_at: datetime, postage: str) -> datetime:
    """The latest expected delivery of a letter created at ``created_at``, in UTC.

    It is 16:00 London time on the delivery day; like Notify, the seconds and microseconds
    of ``created_at`` are kept.
    """
    if postage not in LATEST_DAYS_IN_TRANSIT:
        raise ValueError(
            f"unknown postage {postage!r}: expected one of {', '.join(LATEST_DAYS_IN_TRANSIT)}"
        )

    def is_working_day(day: date) -> bool:
        return is_royal_mail_working_day(day, postage)

    delivery = _advance(print_day(created_at), 1 + LATEST_DAYS_IN_TRANSIT[postage], is_working_day)
    return delivery.replace(hour=_DELIVERY_HOUR, minute=0).astimezone(timezone.utc)


# Notify's print run (api app/celery/letters_pdf_tasks.py check_time_to_collate_letters, with the
# schedule in app/config.py): every day at 17:50 London time, letters still `created` that were
# made before 17:30 London time are collated and sent to the printer, which puts them in
# `sending` with sent_at (provider_tasks.update_letter_to_sending). Only live-key letters are
# collected (dao_get_letters_to_be_printed); test-key letters never wait for it.
PRINT_RUN_TIME = time(17, 50)
PRINT_RUN_DEADLINE = time(17, 30)


def print_run(created_at: datetime) -> datetime:
    """When the print run that collects a letter created at ``created_at`` happens.

    The day's run at 17:50 London time for a letter made before 17:30, else the next day's
    (weekends and bank holidays included: the run is scheduled every day). Given and returned
    in UTC; a naive ``created_at`` is UTC, and gives a naive answer.
    """
    local = _as_utc(created_at).astimezone(LONDON)
    day = local.date()
    if local.time() >= PRINT_RUN_DEADLINE:
        day += timedelta(days=1)
    run = datetime.combine(day, PRINT_RUN_TIME, tzinfo=LONDON).astimezone(timezone.utc)
    return run.replace(tzinfo=None) if created_at.tzinfo is None else run


def letter_date(created_at: datetime) -> date:
    """The date printed on a letter: the London calendar day of ``created_at``."""
    return _as_utc(created_at).astimezone(LONDON).date()
