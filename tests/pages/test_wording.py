"""The admin app's words for statuses, times and letters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notify_emulator.pages.wording import (
    format_datetime_human,
    format_delta,
    format_time,
    human_phone_number,
    letter_can_be_cancelled,
    letter_printing_statement,
    status_class,
    status_text,
)

# Naive UTC, as stored. 1 December 2026 is a Tuesday, in GMT.
MORNING = datetime(2026, 12, 1, 10, 0)
EVENING = datetime(2026, 12, 1, 18, 0)


@pytest.mark.parametrize(
    ("notification_type", "status", "expected", "css"),
    [
        ("sms", "created", "Delivering", "in-flight"),
        ("sms", "pending", "Delivering", "in-flight"),
        ("sms", "delivered", "Delivered", "done"),
        ("sms", "sent", "Sent to an international number", "international"),
        ("sms", "temporary-failure", "Phone not accepting messages right now", "error"),
        ("sms", "permanent-failure", "Not delivered", "error"),
        ("sms", "technical-failure", "Technical failure", "error"),
        ("email", "sending", "Delivering", "in-flight"),
        ("email", "temporary-failure", "Inbox not accepting messages right now", "error"),
        ("email", "permanent-failure", "Email address does not exist", "error"),
        ("letter", "pending-virus-check", "Checking", "done"),
        ("letter", "virus-scan-failed", "Virus detected", "error"),
        ("letter", "validation-failed", "Validation failed", "error"),
        ("letter", "permanent-failure", "Permanent failure", "error"),
        ("letter", "cancelled", "Cancelled", "error"),
        ("letter", "returned-letter", "Returned", "done"),
    ],
)
def test_status_words(notification_type: str, status: str, expected: str, css: str) -> None:
    text = status_text(notification_type, status, created_at=MORNING, now=MORNING)
    assert text == expected
    assert status_class(notification_type, status) == css


def test_letters_on_their_way_say_when_they_print() -> None:
    assert (
        letter_printing_statement("created", MORNING, MORNING) == "Printing starts today at 5:30pm"
    )
    assert letter_printing_statement("created", EVENING, EVENING) == (
        "Printing starts tomorrow at 5:30pm"
    )
    assert letter_can_be_cancelled("created", MORNING, MORNING)
    assert not letter_can_be_cancelled("created", MORNING, EVENING)  # gone to print at 17:30
    assert not letter_can_be_cancelled("sending", MORNING, MORNING)
    later = MORNING + timedelta(days=1)
    assert letter_printing_statement("delivered", MORNING, later) == "Printed yesterday at 5:30pm"
    assert letter_printing_statement("delivered", MORNING, EVENING) == "Printed today at 5:30pm"
    week = MORNING + timedelta(days=7)
    assert (
        letter_printing_statement("delivered", MORNING, week) == "Printed on 1 December at 5:30pm"
    )
    # Handed on at once by the emulator, but not printed before the deadline.
    assert letter_printing_statement("sending", EVENING, EVENING) == (
        "Printing starts tomorrow at 5:30pm"
    )
    assert status_text("letter", "delivered", created_at=MORNING, now=MORNING, key_type="test") == (
        "Not printed (test key)"
    )


def test_times() -> None:
    assert format_time(datetime(2026, 12, 1, 12, 0)) == "midday"
    assert format_time(datetime(2026, 12, 1, 0, 0)) == "midnight"
    assert format_time(datetime(2026, 7, 1, 16, 31)) == "5:31pm"  # British Summer Time
    assert format_datetime_human(MORNING, MORNING) == "today at 10:00am"
    assert format_datetime_human(MORNING, MORNING + timedelta(days=1)) == "yesterday at 10:00am"
    assert format_datetime_human(MORNING, MORNING + timedelta(days=30)) == (
        "on 1 December at 10:00am"
    )
    assert format_datetime_human(MORNING, MORNING + timedelta(days=400)) == (
        "on 1 December 2026 at 10:00am"
    )
    for seconds, expected in [
        (5, "just now"),
        (45, "in the last minute"),
        (60, "1 minute ago"),
        (300, "5 minutes ago"),
        (3600 * 2, "2 hours ago"),
        (86400 * 3, "3 days ago"),
    ]:
        assert format_delta(MORNING, MORNING + timedelta(seconds=seconds)) == expected


def test_phone_numbers_read_as_people_write_them() -> None:
    assert human_phone_number("447700900123") == "07700 900123"
    assert human_phone_number("33112345678") == "+33 1 12 34 56 78"
    assert human_phone_number("GOVUK") == "GOVUK"
