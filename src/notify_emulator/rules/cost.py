"""The cost fields of a notification (notify-api.md §10.1).

``GET /v2/notifications/{id}`` shows ``is_cost_data_ready``, ``cost_in_pounds`` and
``cost_details``. Emails are free; texts cost fragments x international multiplier x the SMS
rate on the day they were created; letters cost the rate for their sheets and postage on
that day. Days are UTC calendar days, as Notify looks rates up by ``created_at.date()``
(api ``Notification.serialize_with_cost_data``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from notify_emulator.rules.data.rates import LETTER_RATES, SMS_RATES

__all__ = ["cost_fields", "letter_rate", "sms_rate"]

# Letters that never left Notify are free (api NOTIFICATION_STATUS_TYPES_LETTERS_NEVER_SENT).
_LETTERS_NEVER_SENT = frozenset(
    {"cancelled", "technical-failure", "validation-failed", "virus-scan-failed"}
)


def _utc_day_start(moment: datetime | date) -> datetime:
    # Notify compares the creation *date* with the rates' start times, so a rate that starts
    # at 23:00 on 31 March applies from 1 April. Naive datetimes are UTC, as Notify's are.
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
        moment = moment.date()
    return datetime.combine(moment, time())


def sms_rate(created_at: datetime | date) -> float:
    """Pounds per SMS fragment for a text created at ``created_at``.

    Before Notify's first recorded rate (May 2016) the first rate is used.
    """
    day = _utc_day_start(created_at)
    rate = SMS_RATES[0][1]
    for valid_from, value in SMS_RATES:
        if valid_from <= day:
            rate = value
    return rate


def letter_rate(created_at: datetime | date, sheets: int, postage: str) -> float:
    """Pounds for one letter of ``sheets`` sheets with ``postage``, created at ``created_at``.

    Where Notify has no rate (before a postage existed, or more sheets than its table has)
    it would fail; the emulator uses the nearest rate instead: the earliest period for that
    postage, and the largest sheet count it prices.
    """
    if sheets < 1:
        raise ValueError(f"a priced letter has at least one sheet, got {sheets}")
    periods = [period for period in LETTER_RATES if period.postage == postage]
    if not periods:
        raise ValueError(f"unknown postage {postage!r}")
    day = _utc_day_start(created_at)
    in_force = [
        period
        for period in periods
        if period.start <= day and (period.end is None or period.end > day)
    ]
    if not in_force:
        earliest = min(period.start for period in periods)
        in_force = [period for period in periods if period.start == earliest]
    # Some early periods priced only some sheet counts, alongside other periods.
    rates: dict[int, float] = {}
    for period in in_force:
        rates.update(period.rates)
    return rates.get(sheets, rates[max(rates)])


def cost_fields(
    *,
    notification_type: str,
    status: str,
    billable_units: int | None,
    rate_multiplier: float | None,
    postage: str | None,
    created_at: datetime,
) -> dict[str, object]:
    """``is_cost_data_ready``, ``cost_in_pounds`` and ``cost_details`` as Notify shows them.

    ``billable_units`` is SMS fragments or letter sheets (``None`` counts as 0, Notify's
    column default); ``rate_multiplier`` is the SMS international multiplier (1 for UK).
    ``status`` is the internal status, not the letter name shown by the API.
    """
    units = billable_units or 0
    if notification_type == "sms":
        if status == "created" and not units:
            return _not_ready()
        rate = sms_rate(created_at)
        multiplier = float(rate_multiplier if rate_multiplier is not None else 1)
        return {
            "is_cost_data_ready": True,
            "cost_in_pounds": units * multiplier * rate,
            "cost_details": {
                "billable_sms_fragments": units,
                "international_rate_multiplier": multiplier,
                "sms_rate": rate,
            },
        }
    if notification_type == "letter":
        if status == "pending-virus-check" or (status == "created" and not units):
            return _not_ready()
        if postage is None:
            raise ValueError("a letter's cost needs its postage")
        if status in _LETTERS_NEVER_SENT:
            return {
                "is_cost_data_ready": True,
                "cost_in_pounds": 0.0,
                "cost_details": {"billable_sheets_of_paper": 0, "postage": postage},
            }
        return {
            "is_cost_data_ready": True,
            "cost_in_pounds": letter_rate(created_at, units, postage) if units else 0.0,
            "cost_details": {"billable_sheets_of_paper": units, "postage": postage},
        }
    if notification_type == "email":
        return {"is_cost_data_ready": True, "cost_in_pounds": 0.0, "cost_details": {}}
    raise ValueError(f"unknown notification type {notification_type!r}")


def _not_ready() -> dict[str, object]:
    return {"is_cost_data_ready": False, "cost_in_pounds": None, "cost_details": {}}
