"""Email address rules: what Notify accepts as an email recipient, and its normalised form.

Source: notifications-utils ``recipient_validation/email_address.py``. Notify is stricter
than RFC 5322 in the local part (no quotes, no semicolons, ASCII only) so that its email
provider never rejects a message it has accepted.
"""

from __future__ import annotations

import re
import string
import unicodedata

from notify_emulator.rules.errors import InvalidEmailAddress

__all__ = [
    "MAX_EMAIL_ADDRESS_LENGTH",
    "SIMULATED_EMAIL_ADDRESSES",
    "email_local_part",
    "is_simulated_email_address",
    "normalise_email_address",
    "validate_email_address",
]

MAX_EMAIL_ADDRESS_LENGTH = 320
_MAX_HOSTNAME_LENGTH = 253
_MAX_LABEL_LENGTH = 63

# Smoke-test addresses: accepted, never sent (api ``config.SIMULATED_EMAIL_ADDRESSES``),
# compared in normalised (lowercased) form.
SIMULATED_EMAIL_ADDRESSES = frozenset(
    {
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    }
)

# Invisible characters deleted anywhere in the address before it is checked: zero-width
# characters, line and paragraph separators, and the two no-break spaces.
_INVISIBLE = "\u180e\u200b\u200c\u200d\u2060\ufeff\u2028\u2029\u00a0\u202f"
_DELETE_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE))

# The local part allows the atom characters of RFC 5322 (and the dot); the hostname is
# anything without "@" or whitespace that does not start with "." or "@".
_ADDRESS = re.compile(r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@([^.@][^@\s]+)")
# After IDNA: "xn" (the start of punycode, whose hyphens the rest matches) or an
# alphanumeric run, then runs joined by one or two hyphens.
_HOSTNAME_LABEL = re.compile(r"(xn|[a-z0-9]+)(-?-[a-z0-9]+)*", re.IGNORECASE)
# Top-level domains: letters only, or punycode.
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+", re.IGNORECASE)


def _clean(email_address: str) -> str:
    return email_address.translate(_DELETE_INVISIBLE).strip(string.whitespace)


def _hostname_is_valid(hostname: str) -> bool:
    # Python's "idna" codec is IDNA 2003 (nameprep + punycode), as Notify uses.
    try:
        ascii_hostname = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_hostname.split(".")
    if len(ascii_hostname) > _MAX_HOSTNAME_LENGTH or len(labels) < 2:
        return False
    if not all(
        label and len(label) <= _MAX_LABEL_LENGTH and _HOSTNAME_LABEL.fullmatch(label)
        for label in labels
    ):
        return False
    return _TOP_LEVEL_DOMAIN.fullmatch(labels[-1]) is not None


def validate_email_address(email_address: str) -> str:
    """Return ``email_address`` cleaned (invisible characters deleted, whitespace trimmed).

    The original case is kept: this is what Notify stores as the recipient. Raises
    :class:`InvalidEmailAddress` (``Not a valid email address``) if Notify would refuse it.
    """
    if not isinstance(email_address, str):
        raise TypeError(f"email_address must be a str, not {type(email_address).__name__}")
    cleaned = _clean(email_address)
    match = _ADDRESS.fullmatch(cleaned)
    if (
        match is None
        or len(cleaned) > MAX_EMAIL_ADDRESS_LENGTH
        or ".." in cleaned
        or not _hostname_is_valid(match.group(1))
    ):
        raise InvalidEmailAddress()
    return cleaned


def normalise_email_address(email_address: str) -> str:
    """Validate ``email_address`` and return it lowercased, as Notify compares addresses.

    Raises :class:`InvalidEmailAddress`.
    """
    return validate_email_address(email_address).lower()


def is_simulated_email_address(email_address: str) -> bool:
    """True if ``email_address`` is one of Notify's smoke-test addresses (any case)."""
    try:
        return normalise_email_address(email_address) in SIMULATED_EMAIL_ADDRESSES
    except InvalidEmailAddress:
        return False


def email_local_part(name: str) -> str:
    """A service name as the local part of its sending address (utils safe_string):
    accents stripped, lower case, whitespace to dots, other symbols removed."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    dotted = re.sub(r"\s+", ".", ascii_name.strip().lower())
    cleaned = re.sub(r"[^a-z0-9.]", "", dotted)
    return re.sub(r"\.{2,}", ".", cleaned).strip(".")
