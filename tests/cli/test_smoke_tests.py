"""Notify's smoke-test recipients, recognised in the forms people write them."""

from __future__ import annotations

import pytest

from notifications_python_client._cli.smoke_tests import is_smoke_test_recipient, smoke_test_note


@pytest.mark.parametrize(
    "number",
    ["07700900000", "07700 900 111", "+447700900222", "+44 7700 900000", "0044 7700 900111"],
)
def test_smoke_test_numbers_in_any_usual_form(number: str) -> None:
    assert is_smoke_test_recipient(number, "sms")


@pytest.mark.parametrize("number", ["07700900001", "07700900123", "447700900333", "7700900"])
def test_other_numbers_are_not(number: str) -> None:
    assert not is_smoke_test_recipient(number, "sms")


def test_smoke_test_addresses_ignoring_case() -> None:
    assert is_smoke_test_recipient("simulate-delivered@notifications.service.gov.uk", "email")
    assert is_smoke_test_recipient("Simulate-Delivered-3@Notifications.Service.Gov.UK", "email")
    assert not is_smoke_test_recipient("simulate-delivered-4@notifications.service.gov.uk", "email")
    # A number is a smoke-test recipient only for a text, an address only for an email.
    assert not is_smoke_test_recipient("07700900000", "email")
    assert not is_smoke_test_recipient("simulate-delivered@notifications.service.gov.uk", "sms")


def test_the_note_names_the_recipient_and_what_will_not_find_it() -> None:
    assert smoke_test_note("07700900000", "sms") == (
        "07700900000 is a smoke-test number: Notify accepts it but does not store it, "
        "so `notify status` and `notify list` will not find it."
    )
    assert smoke_test_note("simulate-delivered-2@notifications.service.gov.uk", "email") == (
        "simulate-delivered-2@notifications.service.gov.uk is a smoke-test address: Notify "
        "accepts it but does not store it, so `notify status` and `notify list` will not find it."
    )
    assert smoke_test_note("07700900001", "sms") is None
