"""Notify's callbacks to a service's own endpoints, as pure rules (shared/spec/callbacks.md).

What fires when, the exact bodies (keys in Notify's order, Python's default JSON encoding),
which answers are retried, how many attempts are made, and what a callback setting must be.
Nothing here sends anything or reads a clock: times are passed in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

__all__ = [
    "BEARER_TOKEN_CONTROL",
    "BEARER_TOKEN_TOO_SHORT",
    "CALLBACK_TYPES",
    "DEFAULT_CALLBACK_DELAY_SECONDS",
    "DEFAULT_RETRY_DELAY_SECONDS",
    "DELIVERY_STATUS",
    "DELIVERY_STATUS_CALLBACK_STATUSES",
    "INBOUND_SMS",
    "MAX_ATTEMPTS",
    "MIN_BEARER_TOKEN_LENGTH",
    "NOTIFY_URL_MESSAGE",
    "REQUEST_TIMEOUT_SECONDS",
    "RETURNED_LETTER",
    "AttemptOutcome",
    "CallbackSettingError",
    "ReturnedLetterFacts",
    "callback_timestamp",
    "check_bearer_token",
    "check_callback_url",
    "decide_after_attempt",
    "delivery_status_body",
    "encode_body",
    "fires_delivery_status",
    "inbound_sms_body",
    "is_retryable",
    "is_success",
    "notify_url_warning",
    "returned_letter_body",
]

# Callback types (api app/constants.py ServiceCallbackTypes; complaint is left out: §5).
DELIVERY_STATUS = "delivery_status"
INBOUND_SMS = "inbound_sms"
RETURNED_LETTER = "returned_letter"
CALLBACK_TYPES = (DELIVERY_STATUS, INBOUND_SMS, RETURNED_LETTER)

# §1: Celery max_retries=5 (so six attempts), default_retry_delay=300, requests timeout=5.
MAX_ATTEMPTS = 6
DEFAULT_RETRY_DELAY_SECONDS = 300.0
REQUEST_TIMEOUT_SECONDS = 5.0
# The emulator's own: how long after the event the first attempt is made (emulator.md).
DEFAULT_CALLBACK_DELAY_SECONDS = 0.5

# §2: the statuses a delivery receipt reports; created, sending, pending and sent never fire.
DELIVERY_STATUS_CALLBACK_STATUSES = frozenset(
    {"delivered", "permanent-failure", "temporary-failure", "technical-failure"}
)
_RECEIPT_CHANNELS = frozenset({"sms", "email"})

# §1: api app/utils.py DATETIME_FORMAT.
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# §6: the admin app's CallbackForm rule, which every URL saved in real Notify has passed.
_NOTIFY_URL = re.compile(
    r"^https:\/\/(?:[a-zA-Z0-9\-._~%!$&'()*+,;=]+@)?"
    r"(?:[a-zA-Z0-9.-]+\.[a-zA-Z]{2,})"
    r"(?::\d+)?"
    r"(?:\/[\w\-._~%!$&'()*+,;=:@/]*)?"
    r"(?:\?[\w\-._~%!$&'()*+,;=:@/?]*)?"
    r"(?:#[\w\-._~%!$&'()*+,;=:@/?]*)?$"
)
NOTIFY_URL_MESSAGE = "Must be a valid https URL"
# §6: admin Length(min=10, thing="the bearer token"); the API schema's minLength is the same.
MIN_BEARER_TOKEN_LENGTH = 10
BEARER_TOKEN_TOO_SHORT = "The bearer token must be at least 10 characters long"
# The token goes into an Authorization header, which a line break would end (and another
# header could follow). Notify's admin app checks only Latin-1; the emulator refuses every
# control character (C0, DEL and C1), which no header value may carry.
BEARER_TOKEN_CONTROL = (
    "The bearer token must not contain control characters such as line breaks or tabs"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class CallbackSettingError(ValueError):
    """A callback setting the emulator cannot use; the message is Notify's where it has one."""


def check_callback_url(url: str) -> None:
    """Refuse a URL nothing could be posted to (the emulator's relaxed rule).

    ``http://``, ``localhost``, IP addresses, single-label hosts and any port are all allowed,
    so that a developer's local app can receive callbacks; :func:`notify_url_warning` tells
    when real Notify would refuse the URL.
    """
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as error:
        raise CallbackSettingError(f"is not a URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise CallbackSettingError("must start with http:// or https://")
    if not parts.hostname:
        raise CallbackSettingError("must name a host, e.g. http://localhost:8000/callbacks")
    if port == 0:
        raise CallbackSettingError("must not use port 0")
    if any(character.isspace() for character in url):
        raise CallbackSettingError("must not contain spaces")


def notify_url_warning(url: str) -> str | None:
    """Why real Notify would refuse this URL, in its words, or None if it would take it."""
    if _NOTIFY_URL.match(url) and _latin_1(url):
        return None
    parts = urlsplit(url)
    # Any user name and password in the URL are masked in the message, not dropped: they may
    # be why Notify refuses it.
    _credentials, at, host = parts.netloc.rpartition("@")
    shown = parts._replace(netloc=f"***@{host}" if at else host).geturl()
    return f"{NOTIFY_URL_MESSAGE} (real Notify refuses {shown!r}; the emulator accepts it)"


def check_bearer_token(token: str) -> None:
    """Notify's rule: at least 10 characters, and only characters a header can carry (no
    control characters, and Latin-1 only)."""
    if len(token) < MIN_BEARER_TOKEN_LENGTH:
        raise CallbackSettingError(BEARER_TOKEN_TOO_SHORT)
    if _CONTROL.search(token):
        raise CallbackSettingError(BEARER_TOKEN_CONTROL)
    unsupported = sorted({character for character in token if not _latin_1(character)})
    if unsupported:
        # The admin app's CanEncode message (the characters are not secret on their own, but
        # the token is, so they are not named).
        raise CallbackSettingError(
            "You cannot use some of these characters in a bearer token: only Latin-1 "
            "characters are allowed"
        )


def _latin_1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


# --- what fires ------------------------------------------------------------------------------


def fires_delivery_status(notification_type: str, status: str) -> bool:
    """Whether a notification reaching ``status`` sends a delivery-status callback (§2).

    Only emails and texts, only final receipt statuses; letters never do.
    """
    return notification_type in _RECEIPT_CHANNELS and status in DELIVERY_STATUS_CALLBACK_STATUSES


# --- bodies ----------------------------------------------------------------------------------


def callback_timestamp(moment: datetime | None) -> str | None:
    """A callback's time: UTC, six-digit microseconds, a literal ``Z`` (naive means UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime(_TIMESTAMP_FORMAT)


def delivery_status_body(
    *,
    notification_id: str,
    reference: str | None,
    to: str,
    status: str,
    created_at: datetime,
    completed_at: datetime | None,
    sent_at: datetime | None,
    notification_type: str,
    template_id: str,
    template_version: int,
) -> dict[str, object]:
    """A delivery receipt (§2), keys in the order Notify builds them."""
    return {
        "id": notification_id,
        "reference": reference,
        "to": to,
        "status": status,
        "created_at": callback_timestamp(created_at),
        "completed_at": callback_timestamp(completed_at),
        "sent_at": callback_timestamp(sent_at),
        "notification_type": notification_type,
        "template_id": template_id,
        "template_version": template_version,
    }


def inbound_sms_body(
    *,
    received_text_id: str,
    source_number: str,
    destination_number: str | None,
    message: str,
    date_received: datetime,
) -> dict[str, object]:
    """A received text message (§3), keys in Notify's order."""
    return {
        "id": received_text_id,
        "source_number": source_number,
        "destination_number": destination_number,
        "message": message,
        "date_received": callback_timestamp(date_received),
    }


@dataclass(frozen=True)
class ReturnedLetterFacts:
    """What a returned-letter callback and the returned-letters report say about a letter."""

    notification_id: str
    client_reference: str | None
    sent_with_api_key: bool
    created_at: datetime
    sender_email: str | None
    template_name: str | None
    template_id: str
    template_version: int
    hidden_template: bool
    spreadsheet_file_name: str | None = None
    job_row_number: int | None = None

    @property
    def reference(self) -> str | None:
        """A client reference can only have been given through the API."""
        return self.client_reference if self.sent_with_api_key else None

    @property
    def sent_by(self) -> str:
        """The sender's email address, or ``"API"``."""
        return self.sender_email or "API"

    @property
    def uploaded_letter_file_name(self) -> str | None:
        """A letter uploaded in the admin app keeps its file name as its reference."""
        if self.hidden_template and not self.sent_with_api_key:
            return self.client_reference
        return None

    @property
    def spreadsheet_row_number(self) -> int | None:
        """Rows of a job count from 0 in Notify; the spreadsheet's header is row 1."""
        return None if self.job_row_number is None else self.job_row_number + 2


def returned_letter_body(facts: ReturnedLetterFacts) -> dict[str, object]:
    """A returned letter (§4), keys in Notify's order.

    A hidden (precompiled) template shows no name or version, and its id is the string
    ``"None"``: Notify passes ``str(None)``.
    """
    hidden = facts.hidden_template
    return {
        "notification_id": facts.notification_id,
        "reference": facts.reference,
        "date_sent": callback_timestamp(facts.created_at),
        "sent_by": facts.sent_by,
        "template_name": None if hidden else facts.template_name,
        "template_id": str(None if hidden else facts.template_id),
        "template_version": None if hidden else facts.template_version,
        "spreadsheet_file_name": facts.spreadsheet_file_name,
        "spreadsheet_row_number": facts.spreadsheet_row_number,
        "upload_letter_file_name": facts.uploaded_letter_file_name,
    }


def encode_body(body: Mapping[str, object]) -> str:
    """The body as Notify puts it on the wire: ``json.JSONEncoder``'s defaults, so ``", "`` and
    ``": "`` separators, non-ASCII as ``\\uXXXX``, keys in the order given."""
    return json.dumps(body)


# --- answers and retries ---------------------------------------------------------------------


def is_success(status_code: int) -> bool:
    """A final answer below 400 is success (requests' ``raise_for_status``); its body is
    ignored."""
    return status_code < 400


def is_retryable(status_code: int | None) -> bool:
    """Whether a failed attempt is tried again (§1).

    ``None`` stands for no answer at all (refused, timed out, bad URL, TLS): retried, as are
    5xx and 429. Every other 4xx is dropped after one try.
    """
    if status_code is None:
        return True
    return status_code >= 500 or status_code == 429


@dataclass(frozen=True)
class AttemptOutcome:
    """What follows an attempt: the callback's new state and, if pending, when to try again
    (seconds after this attempt)."""

    state: str
    retry_after_seconds: float | None


def decide_after_attempt(
    status_code: int | None, *, attempts_made: int, attempt_limit: int, retry_delay: float
) -> AttemptOutcome:
    """The state after the ``attempts_made``-th attempt answered ``status_code`` (None: no
    answer). Retries come at a fixed delay, no backoff, until ``attempt_limit`` attempts."""
    if status_code is not None and is_success(status_code):
        return AttemptOutcome("delivered", None)
    if is_retryable(status_code) and attempts_made < attempt_limit:
        return AttemptOutcome("pending", retry_delay)
    return AttemptOutcome("failed", None)
