"""Text messages: the body Notify sends, its length and its fragments (rules.md §2).

Source: notifications-utils ``template.py`` (``BaseSMSTemplate``, ``SMSMessageTemplate``)
and ``formatters.py``. :func:`render_sms` does the whole job; :func:`check_sms` applies the
API's empty and too-long checks to its result.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notify_emulator.rules.errors import MessageEmpty, MessageTooLong
from notify_emulator.rules.gsm import (
    EXTENDED_GSM_CHARACTERS,
    WELSH_NON_GSM_CHARACTERS,
    encode_for_sms,
)
from notify_emulator.rules.placeholders import fill, placeholder_names
from notify_emulator.rules.typography import (
    normalise_whitespace,
    remove_whitespace_before_punctuation,
)

__all__ = [
    "SMS_CHAR_COUNT_LIMIT",
    "RenderedSms",
    "check_sms",
    "render_sms",
    "sms_body",
]

# utils __init__: 6 × 153, the longest message Notify accepts (prefix not counted).
SMS_CHAR_COUNT_LIMIT = 918

# Fragment sizes: a single part holds 160 septets (GSM-7) or 70 characters (UCS-2); a part
# of a longer message loses room to its concatenation header.
GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Stands in for each placeholder when a template is measured without values, so that
# placeholder text counts for nothing while the whitespace around it is kept. Private-use
# code points: nothing in the pipeline treats them as whitespace or punctuation.
_MEASURING_MARKER = "\U0010fffd\ue000\U0010fffd"

_THREE_OR_MORE_NEWLINES = re.compile(r"\n{3,}")
# Deletes the extended GSM characters: what a text loses by it is how many it has.
_WITHOUT_EXTENDED = str.maketrans(dict.fromkeys(EXTENDED_GSM_CHARACTERS))


def _normalise_lines(text: str) -> str:
    return "\n".join(normalise_whitespace(line) for line in text.splitlines())


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class RenderedSms:
    """A text message as Notify would send it, with the numbers Notify derives from it."""

    body: str
    """The GSM-sanitised text sent to the provider, including any prefix."""
    unsanitised: str
    """The text before GSM sanitising (used for the UCS-2 test and extension count)."""
    prefix: str | None
    content_count: int
    """UTF-16 code units in :attr:`body`, prefix included."""
    content_count_without_prefix: int
    """What the 918 limit and the empty check compare: the prefix and ``": "`` removed."""
    extended_count: int
    """Extension characters (``^{}\\[~]|€``) in :attr:`unsanitised`; each costs 2 in GSM-7."""
    is_unicode: bool
    """Whether a Welsh non-GSM character forces UCS-2 (70/67 per fragment)."""

    @property
    def fragment_count(self) -> int:
        """The number of SMS parts billed (``billable_units``), prefix included."""
        if self.is_unicode:
            count = self.content_count
            return 1 if count <= UCS2_SINGLE else math.ceil(count / UCS2_MULTI)
        septets = self.content_count + self.extended_count
        return 1 if septets <= GSM_SINGLE else math.ceil(septets / GSM_MULTI)

    @property
    def characters_above_previous_fragment_boundary(self) -> int:
        """How far the message runs past the start of its last fragment (a UI hint)."""
        fragments = self.fragment_count
        single, multi = (UCS2_SINGLE, UCS2_MULTI) if self.is_unicode else (GSM_SINGLE, GSM_MULTI)
        boundary = single if fragments == 2 else multi * (fragments - 1)
        count = self.content_count if self.is_unicode else self.content_count + self.extended_count
        return count - boundary

    @property
    def is_empty(self) -> bool:
        """Whether there is nothing to send once the prefix is left out."""
        return self.content_count_without_prefix == 0

    @property
    def is_too_long(self) -> bool:
        """Whether the message, without its prefix, is over :data:`SMS_CHAR_COUNT_LIMIT`."""
        return self.content_count_without_prefix > SMS_CHAR_COUNT_LIMIT

    @property
    def characters_above_limit(self) -> int:
        """How many characters must go for the message to fit the limit."""
        return max(0, self.content_count_without_prefix - SMS_CHAR_COUNT_LIMIT)


def render_sms(
    content: str,
    personalisation: Mapping[str, Any] | None = None,
    *,
    prefix: str | None = None,
) -> RenderedSms:
    """Render an SMS template the way Notify sends it (rules.md §2.1).

    With no personalisation at all (``None`` or ``{}``) the template is measured: each
    placeholder counts as nothing. ``prefix`` is the service name when the service
    prefixes its messages; it is sanitised and counted like the rest of the text but is
    left out of the limit and the empty check.
    """
    if personalisation:
        text = fill(content, personalisation)
    else:
        measuring = dict.fromkeys(placeholder_names(content), _MEASURING_MARKER)
        text = fill(content, measuring)
    if prefix:
        text = f"{prefix.strip()}: {text}"
    text = remove_whitespace_before_punctuation(text)
    text = _normalise_lines(text)
    text = _THREE_OR_MORE_NEWLINES.sub("\n\n", text)
    unsanitised = text.strip().replace(_MEASURING_MARKER, "")
    body = encode_for_sms(unsanitised)

    content_count = _utf16_length(body)
    if prefix:
        # Notify subtracts the encoded prefix as given (not stripped), plus ": ".
        without_prefix = max(content_count - _utf16_length(encode_for_sms(prefix)) - 2, 0)
    else:
        without_prefix = content_count
    return RenderedSms(
        body=body,
        unsanitised=unsanitised,
        prefix=prefix or None,
        content_count=content_count,
        content_count_without_prefix=without_prefix,
        extended_count=len(unsanitised) - len(unsanitised.translate(_WITHOUT_EXTENDED)),
        is_unicode=not WELSH_NON_GSM_CHARACTERS.isdisjoint(unsanitised),
    )


def sms_body(content: str, personalisation: Mapping[str, Any] | None = None) -> str:
    """The SMS ``body`` the API returns: sanitised, never with the service-name prefix."""
    return render_sms(content, personalisation).body


def check_sms(message: RenderedSms) -> None:
    """Raise Notify's errors for an empty or too-long message (rules.md §2.5).

    The API checks emptiness before the recipient and length after it; callers that
    need that order can test :attr:`RenderedSms.is_empty` and ``is_too_long`` directly.
    """
    if message.is_empty:
        raise MessageEmpty()
    if message.is_too_long:
        raise MessageTooLong(
            "Your message is too long. Text messages cannot be longer than "
            f"{SMS_CHAR_COUNT_LIMIT} characters. Your message is "
            f"{message.content_count_without_prefix} characters long."
        )
