"""Notify's prices, as data: SMS rates and letter rates by date (notify-api.md §10.1).

Transcribed from the ``rates`` and ``letter_rates`` tables that notifications-api's
migrations build (up to ``0552_update_letter_pricing``). Only the crown rates are kept:
Notify's cost lookups read those alone. Times are naive UTC, as Notify stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

# (valid from, pounds per SMS fragment); each rate holds until the next one starts.
SMS_RATES: tuple[tuple[datetime, float], ...] = (
    (datetime(2016, 5, 18), 0.0165),
    (datetime(2017, 3, 31, 23), 0.0158),
    (datetime(2021, 3, 31, 23), 0.016),
    (datetime(2022, 3, 31, 23), 0.0161),
    (datetime(2022, 4, 30, 23), 0.0172),
    (datetime(2023, 3, 31, 23), 0.0197),
    (datetime(2024, 3, 31, 23), 0.0227),
    (datetime(2025, 3, 31, 23), 0.0233),
    (datetime(2026, 3, 31, 23), 0.024),
)


@dataclass(frozen=True)
class LetterRatePeriod:
    """Pounds per letter by sheet count, for one postage, from ``start`` until ``end``."""

    postage: str
    start: datetime
    end: datetime | None
    rates: Mapping[int, float]


_period = LetterRatePeriod

LETTER_RATES: tuple[LetterRatePeriod, ...] = (
    _period(
        "economy",
        datetime(2025, 3, 31, 23),
        datetime(2026, 1, 5),
        {1: 0.59, 2: 0.64, 3: 0.68, 4: 0.73, 5: 0.78},
    ),
    _period(
        "economy",
        datetime(2026, 1, 5),
        datetime(2026, 6, 30, 23),
        {1: 0.64, 2: 0.69, 3: 0.73, 4: 0.78, 5: 0.82},
    ),
    _period(
        "economy",
        datetime(2026, 6, 30, 23),
        None,
        {1: 0.638, 2: 0.684, 3: 0.724, 4: 0.779, 5: 0.823},
    ),
    _period(
        "europe",
        datetime(2020, 7, 1),
        datetime(2021, 2, 1),
        {1: 0.84, 2: 0.92, 3: 1.0, 4: 1.08, 5: 1.16},
    ),
    _period(
        "europe",
        datetime(2021, 2, 1),
        datetime(2022, 3, 1),
        {1: 0.89, 2: 0.97, 3: 1.05, 4: 1.13, 5: 1.21},
    ),
    _period(
        "europe",
        datetime(2022, 3, 1),
        datetime(2023, 1, 23),
        {1: 0.96, 2: 1.04, 3: 1.12, 4: 1.2, 5: 1.28},
    ),
    _period(
        "europe",
        datetime(2023, 1, 23),
        datetime(2023, 11, 1),
        {1: 1.05, 2: 1.13, 3: 1.21, 4: 1.29, 5: 1.37},
    ),
    _period(
        "europe",
        datetime(2023, 11, 1),
        datetime(2024, 1, 2),
        {1: 1.26, 2: 1.31, 3: 1.35, 4: 1.4, 5: 1.45},
    ),
    _period(
        "europe",
        datetime(2024, 1, 2),
        datetime(2025, 2, 6),
        {1: 1.44, 2: 1.49, 3: 1.53, 4: 1.58, 5: 1.63},
    ),
    _period(
        "europe",
        datetime(2025, 2, 6),
        datetime(2026, 1, 5),
        {1: 1.56, 2: 1.61, 3: 1.66, 4: 1.71, 5: 1.76},
    ),
    _period(
        "europe",
        datetime(2026, 1, 5),
        datetime(2026, 5, 2, 23),
        {1: 1.72, 2: 1.77, 3: 1.82, 4: 1.85, 5: 1.9},
    ),
    _period("europe", datetime(2026, 5, 2, 23), None, {1: 1.8, 2: 1.84, 3: 1.88, 4: 1.92, 5: 1.96}),
    _period(
        "first",
        datetime(2018, 8, 31, 23),
        datetime(2019, 9, 30, 23),
        {1: 0.56, 2: 0.61, 3: 0.66, 4: 0.71, 5: 0.76},
    ),
    _period(
        "first",
        datetime(2019, 9, 30, 23),
        datetime(2021, 2, 1),
        {1: 0.61, 2: 0.66, 3: 0.71, 4: 0.76, 5: 0.81},
    ),
    _period(
        "first",
        datetime(2021, 2, 1),
        datetime(2022, 3, 1),
        {1: 0.69, 2: 0.74, 3: 0.79, 4: 0.84, 5: 0.89},
    ),
    _period(
        "first",
        datetime(2022, 3, 1),
        datetime(2023, 1, 23),
        {1: 0.63, 2: 0.68, 3: 0.73, 4: 0.78, 5: 0.83},
    ),
    _period(
        "first",
        datetime(2023, 1, 23),
        datetime(2023, 11, 1),
        {1: 0.72, 2: 0.77, 3: 0.82, 4: 0.87, 5: 0.92},
    ),
    _period(
        "first",
        datetime(2023, 11, 1),
        datetime(2024, 6, 30, 23),
        {1: 0.82, 2: 0.86, 3: 0.9, 4: 0.96, 5: 1.0},
    ),
    _period(
        "first",
        datetime(2024, 6, 30, 23),
        datetime(2025, 3, 31, 23),
        {1: 0.97, 2: 1.01, 3: 1.05, 4: 1.11, 5: 1.15},
    ),
    _period(
        "first",
        datetime(2025, 3, 31, 23),
        datetime(2026, 4, 6, 23),
        {1: 1.49, 2: 1.53, 3: 1.57, 4: 1.63, 5: 1.67},
    ),
    _period("first", datetime(2026, 4, 6, 23), None, {1: 1.56, 2: 1.61, 3: 1.66, 4: 1.71, 5: 1.76}),
    _period(
        "rest-of-world",
        datetime(2020, 7, 1),
        datetime(2021, 2, 1),
        {1: 0.84, 2: 0.92, 3: 1.0, 4: 1.08, 5: 1.16},
    ),
    _period(
        "rest-of-world",
        datetime(2021, 2, 1),
        datetime(2022, 3, 1),
        {1: 0.89, 2: 0.97, 3: 1.05, 4: 1.13, 5: 1.21},
    ),
    _period(
        "rest-of-world",
        datetime(2022, 3, 1),
        datetime(2023, 1, 23),
        {1: 0.96, 2: 1.04, 3: 1.12, 4: 1.2, 5: 1.28},
    ),
    _period(
        "rest-of-world",
        datetime(2023, 1, 23),
        datetime(2023, 11, 1),
        {1: 1.05, 2: 1.13, 3: 1.21, 4: 1.29, 5: 1.37},
    ),
    _period(
        "rest-of-world",
        datetime(2023, 11, 1),
        datetime(2024, 1, 2),
        {1: 1.26, 2: 1.31, 3: 1.35, 4: 1.4, 5: 1.45},
    ),
    _period(
        "rest-of-world",
        datetime(2024, 1, 2),
        datetime(2025, 2, 6),
        {1: 1.44, 2: 1.49, 3: 1.53, 4: 1.58, 5: 1.63},
    ),
    _period(
        "rest-of-world",
        datetime(2025, 2, 6),
        datetime(2026, 1, 5),
        {1: 1.56, 2: 1.61, 3: 1.66, 4: 1.71, 5: 1.76},
    ),
    _period(
        "rest-of-world",
        datetime(2026, 1, 5),
        datetime(2026, 5, 2, 23),
        {1: 1.72, 2: 1.77, 3: 1.82, 4: 1.85, 5: 1.9},
    ),
    _period(
        "rest-of-world",
        datetime(2026, 5, 2, 23),
        None,
        {1: 1.8, 2: 1.84, 3: 1.88, 4: 1.92, 5: 1.96},
    ),
    _period("second", datetime(2016, 3, 31, 23), datetime(2019, 9, 30, 23), {1: 0.3}),
    _period("second", datetime(2016, 3, 31, 23), datetime(2018, 9, 30, 23), {2: 0.33, 3: 0.36}),
    _period("second", datetime(2018, 6, 30, 23), datetime(2018, 9, 30, 23), {4: 0.39, 5: 0.42}),
    _period(
        "second",
        datetime(2018, 9, 30, 23),
        datetime(2019, 9, 30, 23),
        {2: 0.35, 3: 0.4, 4: 0.45, 5: 0.5},
    ),
    _period(
        "second",
        datetime(2019, 9, 30, 23),
        datetime(2021, 2, 1),
        {1: 0.35, 2: 0.4, 3: 0.45, 4: 0.5, 5: 0.55},
    ),
    _period(
        "second",
        datetime(2021, 2, 1),
        datetime(2022, 3, 1),
        {1: 0.39, 2: 0.44, 3: 0.49, 4: 0.54, 5: 0.59},
    ),
    _period(
        "second",
        datetime(2022, 3, 1),
        datetime(2023, 1, 23),
        {1: 0.41, 2: 0.46, 3: 0.51, 4: 0.56, 5: 0.61},
    ),
    _period(
        "second",
        datetime(2023, 1, 23),
        datetime(2023, 11, 1),
        {1: 0.47, 2: 0.52, 3: 0.57, 4: 0.62, 5: 0.67},
    ),
    _period(
        "second",
        datetime(2023, 11, 1),
        datetime(2024, 6, 30, 23),
        {1: 0.54, 2: 0.59, 3: 0.63, 4: 0.68, 5: 0.73},
    ),
    _period(
        "second",
        datetime(2024, 6, 30, 23),
        datetime(2025, 3, 31, 23),
        {1: 0.61, 2: 0.65, 3: 0.68, 4: 0.75, 5: 0.79},
    ),
    _period(
        "second",
        datetime(2025, 3, 31, 23),
        datetime(2026, 1, 5),
        {1: 0.68, 2: 0.72, 3: 0.77, 4: 0.82, 5: 0.86},
    ),
    _period("second", datetime(2026, 1, 5), None, {1: 0.73, 2: 0.77, 3: 0.82, 4: 0.87, 5: 0.91}),
)
