"""How Notify's admin app words things: statuses, channels, times, letters' printing and
postage (notifications-admin ``app/formatters.py``, ``app/utils/letters.py``; utils
``letter_timings.py``). Pure: every time is passed in.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from notify_emulator.rules.errors import InvalidPhoneNumber
from notify_emulator.rules.phone_numbers import parse_phone_number
from notify_emulator.rules.timings import LONDON

__all__ = [
    "NOTIFICATION_TYPE_LABELS",
    "POSTAGE_LABELS",
    "format_date_short",
    "format_datetime_human",
    "format_delta",
    "format_time",
    "human_phone_number",
    "letter_can_be_cancelled",
    "letter_printing_statement",
    "status_class",
    "status_text",
]

NOTIFICATION_TYPE_LABELS = {"sms": "Text message", "email": "Email", "letter": "Letter"}

POSTAGE_LABELS = {
    "first": "First class",
    "second": "Second class",
    "economy": "Economy mail",
    "europe": "International (Europe)",
    "rest-of-world": "International (rest of the world)",
}

# The admin's format_notification_status. Letters show most statuses as a printing statement
# instead of a word (see status_text); the others are the admin's, plus words for the letter
# statuses its list leaves blank, taken from its other pages ("Checking", "Cancelled").
_STATUS_TEXT: dict[str, dict[str, str]] = {
    "email": {
        "failed": "Failed",
        "technical-failure": "Technical failure",
        "temporary-failure": "Inbox not accepting messages right now",
        "permanent-failure": "Email address does not exist",
        "delivered": "Delivered",
        "sending": "Delivering",
        "created": "Delivering",
        "sent": "Delivered",
    },
    "sms": {
        "failed": "Failed",
        "technical-failure": "Technical failure",
        "temporary-failure": "Phone not accepting messages right now",
        "permanent-failure": "Not delivered",
        "delivered": "Delivered",
        "sending": "Delivering",
        "created": "Delivering",
        "pending": "Delivering",
        "sent": "Sent to an international number",
        "validation-failed": "Validation failed",
    },
    "letter": {
        "technical-failure": "Technical failure",
        "permanent-failure": "Permanent failure",
        "virus-scan-failed": "Virus detected",
        "validation-failed": "Validation failed",
        "pending-virus-check": "Checking",
        "cancelled": "Cancelled",
        "returned-letter": "Returned",
    },
}

# The admin's format_notification_status_as_field_status: how a status is shown.
_IN_FLIGHT = frozenset({"created", "sending", "pending", "pending-virus-check"})
_LETTER_ERRORS = frozenset(
    {
        "failed",
        "technical-failure",
        "temporary-failure",
        "permanent-failure",
        "virus-scan-failed",
        "validation-failed",
        "cancelled",
    }
)
_OTHER_FINE = frozenset({"delivered", "sent"})

# utils LETTER_PROCESSING_DEADLINE: letters are sent to print at 17:30 London time.
_PRINT_DEADLINE = time(17, 30)


def status_text(
    notification_type: str,
    status: str,
    *,
    created_at: datetime,
    now: datetime,
    key_type: str | None = None,
) -> str:
    """The status as the admin app words it (``created_at`` and ``now`` in UTC).

    A letter on its way is described by when it is printed; one sent with a test key is never
    printed, which the admin app says instead.
    """
    if notification_type == "letter" and status in ("created", "sending", "delivered"):
        if key_type == "test":
            return "Not printed (test key)"
        return letter_printing_statement(status, created_at, now)
    return _STATUS_TEXT.get(notification_type, {}).get(status, status)


def status_class(notification_type: str, status: str) -> str:
    """``error``, ``in-flight``, ``international`` or ``done``: how the status is shown."""
    if notification_type == "letter":
        return "error" if status in _LETTER_ERRORS else "done"
    if status in _IN_FLIGHT:
        return "in-flight"
    if status == "sent" and notification_type == "sms":
        return "international"
    return "done" if status in _OTHER_FINE else "error"


def _london(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON)


def _too_late_to_cancel(created_at: datetime, now: datetime) -> bool:
    created, current = _london(created_at), _london(now)
    todays_deadline = current.replace(hour=_PRINT_DEADLINE.hour, minute=_PRINT_DEADLINE.minute)
    that_days_deadline = created.replace(hour=_PRINT_DEADLINE.hour, minute=_PRINT_DEADLINE.minute)
    if current.time() >= _PRINT_DEADLINE and created <= todays_deadline:
        return True
    if created <= that_days_deadline and created.date() < current.date():
        return True
    return (current.date() - created.date()).days > 1


def letter_can_be_cancelled(status: str, created_at: datetime, now: datetime) -> bool:
    """Whether Notify would still let the letter be cancelled (it has not gone to print)."""
    if status not in ("created", "pending-virus-check"):
        return False
    return not _too_late_to_cancel(created_at, now)


def letter_printing_statement(status: str, created_at: datetime, now: datetime) -> str:
    """``Printing starts today at 5:30pm``, ``Printed yesterday at 5:30pm``, … (admin
    ``get_letter_printing_statement``)."""
    created, current = _london(created_at), _london(now)
    if letter_can_be_cancelled(status, created_at, now):
        deadline = current.replace(hour=_PRINT_DEADLINE.hour, minute=_PRINT_DEADLINE.minute)
        day = "today" if created < deadline else "tomorrow"
        return f"Printing starts {day} at 5:30pm"
    printed = (created + timedelta(hours=6, minutes=30)).date()
    if printed > current.date():
        # The emulator hands letters on at once, so "printed" can still be to come; Notify's
        # own letters wait in "created" until then.
        day = (
            "tomorrow"
            if printed == current.date() + timedelta(days=1)
            else (f"on {printed.day} {printed.strftime('%B')}")
        )
        return f"Printing starts {day} at 5:30pm"
    if printed == current.date():
        return "Printed today at 5:30pm"
    if printed == current.date() - timedelta(days=1):
        return "Printed yesterday at 5:30pm"
    return f"Printed on {printed.day} {printed.strftime('%B')} at 5:30pm"


def format_time(moment: datetime) -> str:
    """``5:31pm``, ``midday``, ``midnight`` in London time."""
    local = _london(moment)
    text = local.strftime("%I:%M%p").lstrip("0")
    return {"12:00AM": "Midnight", "12:00PM": "Midday"}.get(text, text).lower()


def _human_day(moment: datetime, now: datetime) -> str:
    # One minute back turns 00:00 into "midnight today" rather than "midnight tomorrow".
    day = (_london(moment) - timedelta(minutes=1)).date()
    today = _london(now).date()
    if day == today + timedelta(days=1):
        return "tomorrow"
    if day == today:
        return "today"
    if day == today - timedelta(days=1):
        return "yesterday"
    year = f" {day.year}" if day.year != today.year else ""
    return f"{day.day} {day.strftime('%B')}{year}"


def format_datetime_human(moment: datetime, now: datetime) -> str:
    """``today at 5:31pm``, ``on 27 September at 9:00am``."""
    day = _human_day(moment, now)
    prefix = "" if day in ("today", "yesterday", "tomorrow") else "on "
    return f"{prefix}{day} at {format_time(moment)}"


def format_date_short(moment: datetime) -> str:
    """``27 September``."""
    local = _london(moment)
    return f"{local.day} {local.strftime('%B')}"


def format_delta(moment: datetime, now: datetime) -> str:
    """``just now``, ``in the last minute``, ``5 minutes ago``, ``1 hour ago``, ``3 days ago``."""
    delta = _aware(now) - _aware(moment)
    seconds = delta.total_seconds()
    if seconds < 30:
        return "just now"
    if seconds < 60:
        return "in the last minute"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # pragma: no cover (seconds >= 60 always meets a unit)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def human_phone_number(number: str) -> str:
    """``07700 900123`` for a UK number, ``+33 1 12 34 56 78`` otherwise; unchanged if it does
    not parse."""
    try:
        return parse_phone_number(number).human_readable
    except InvalidPhoneNumber:
        return number
