"""Notify's smoke-test recipients: it accepts messages to them but never stores one.

Notify answers a send to these with a normal 201 and a fresh id, but keeps nothing: the id
is unknown to ``GET /v2/notifications/{id}`` and the message never appears in a list
(notify-api.md §7.4, api ``app/config.py`` ``SIMULATED_SMS_NUMBERS`` and
``SIMULATED_EMAIL_ADDRESSES``). ``notify send`` says so, rather than leave someone wondering
why ``notify status`` cannot find what was just sent.
"""

from __future__ import annotations

#: The smoke-test numbers in Notify's normalised form: E.164 without the ``+``.
SMOKE_TEST_PHONE_NUMBERS = frozenset({"447700900000", "447700900111", "447700900222"})

#: Compared with the address lower-cased, as Notify compares them.
SMOKE_TEST_EMAIL_ADDRESSES = frozenset(
    {
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    }
)

# What people put in a UK number that is not part of it.
_NUMBER_PUNCTUATION = str.maketrans("", "", " \t-().+")


def _as_uk_mobile(number: str) -> str:
    """``number`` the way Notify normalises a UK mobile: 44 and the ten digits after the 0."""
    digits = number.translate(_NUMBER_PUNCTUATION)
    if digits.startswith("0044"):
        return digits[2:]
    if digits.startswith("0"):
        return "44" + digits[1:]
    if digits.startswith("7") and len(digits) == 10:
        return "44" + digits
    return digits


def is_smoke_test_recipient(recipient: str, notification_type: str) -> bool:
    """Whether Notify will accept a message to ``recipient`` without storing it."""
    if notification_type == "sms":
        return _as_uk_mobile(recipient) in SMOKE_TEST_PHONE_NUMBERS
    if notification_type == "email":
        return recipient.strip().lower() in SMOKE_TEST_EMAIL_ADDRESSES
    return False


def smoke_test_note(recipient: str, notification_type: str) -> str | None:
    """What to tell someone who just sent to a smoke-test recipient, or ``None``."""
    if not is_smoke_test_recipient(recipient, notification_type):
        return None
    kind = "number" if notification_type == "sms" else "address"
    return (
        f"{recipient} is a smoke-test {kind}: Notify accepts it but does not store it, "
        "so `notify status` and `notify list` will not find it."
    )
