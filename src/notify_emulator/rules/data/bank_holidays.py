"""England and Wales bank holidays, as GOV.UK publishes them.

Notify reads GOV.UK's bank-holidays data (utils ``bank_holidays.py``, division
``england-and-wales``). GOV.UK lists only the weekday a holiday is taken on: when Christmas
falls on a Saturday it lists the substitute Monday, not the Saturday. The ``holidays``
package lists both, so weekend dates are dropped here; the result matches GOV.UK's data
for every year it covers. The package (some tens of milliseconds to import, for its many
countries) is imported when the first date is looked up: only letters need one.
"""

from __future__ import annotations

import functools
from datetime import date

_SATURDAY = 5


@functools.lru_cache(maxsize=64)
def _bank_holidays_in(year: int) -> frozenset[date]:
    import holidays

    # England's calendar (subdivision ENG) is the same as Wales's for bank holidays.
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in calendar if day.weekday() < _SATURDAY)


def is_bank_holiday(day: date) -> bool:
    """Whether ``day`` is an England and Wales bank holiday."""
    return day in _bank_holidays_in(day.year)
