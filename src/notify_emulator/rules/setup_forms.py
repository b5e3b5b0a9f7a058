"""The checks Notify's admin app makes on its set-up forms, with its own messages.

Sources (facts only): notifications-admin ``app/main/forms.py`` (``RenameServiceForm``,
``CreateKeyForm``, ``TemplateNameMixin``, ``SMSTemplateForm``, ``EmailTemplateForm``,
``LetterTemplateForm``, ``LetterTemplatePostageForm``, ``ServiceSmsSenderForm``,
``ServiceReplyToEmailForm``, ``GuestList``, ``AdminServiceRateLimitForm``,
``AdminServiceMessageLimitForm``) and ``app/main/validators.py``; notifications-api
``app/template/rest.py`` for the text-message length check the admin shows as it is.

Every form strips the whitespace around its values first (``StripWhitespaceForm``), so each
check returns the stripped value. A failed check raises :class:`FormError` with the field's
name and the first message the admin would show for it. Where the admin has no message (a
JSON value of the wrong type, say) the message is the emulator's own and says so plainly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from notify_emulator.rules.constants import KEY_TYPES, TEMPLATE_POSTAGES, TEMPLATE_TYPES
from notify_emulator.rules.email_addresses import validate_email_address
from notify_emulator.rules.errors import InvalidEmailAddress, InvalidPhoneNumber
from notify_emulator.rules.gsm import non_gsm_characters
from notify_emulator.rules.phone_numbers import phone_error_message, validate_phone_number
from notify_emulator.rules.placeholders import normalise_key, placeholder_names
from notify_emulator.rules.sms import SMS_CHAR_COUNT_LIMIT, render_sms

__all__ = [
    "MAX_SERVICE_NAME_LENGTH",
    "MAX_TEMPLATE_NAME_LENGTH",
    "FormError",
    "check_content",
    "check_count",
    "check_email_address",
    "check_guest_list_entry",
    "check_key_name",
    "check_key_type",
    "check_postage",
    "check_service_name",
    "check_sms_sender",
    "check_subject",
    "check_template_name",
    "check_template_type",
    "formatted_list",
    "key_string_name",
    "service_name_key",
]

# RenameServiceForm: the longest name whose "From" header stays within 320 characters.
MAX_SERVICE_NAME_LENGTH = 143
# TemplateNameMixin: Length(max=255).
MAX_TEMPLATE_NAME_LENGTH = 255
# ServiceSmsSenderForm: Length(min=3) and Length(max=11).
MIN_SMS_SENDER_LENGTH = 3
MAX_SMS_SENDER_LENGTH = 11
# GovukIntegerField.POSTGRES_MAX_INT: the largest number the admin's number fields take.
MAX_FORM_INTEGER = 2_000_000_000

_TWO_ALPHANUMERICS = re.compile(r".*[a-zA-Z0-9].*[a-zA-Z0-9].*", re.DOTALL)
_SMS_SENDER_CHARACTERS = re.compile(r"[a-zA-Z0-9 &.\-_]+")
_NUMERIC_SENDER = re.compile(r"[0-9.]+")
_UK_MOBILE_SENDER = re.compile(r"07[0-9]{9}")
_SHORT_CODE_SENDER = re.compile(r"[6-8][0-9]{4}")
_GENERIC_SENDER_IDS = frozenset({"info", "verify", "alert"})

_MESSAGE_NOUNS = {
    "sms": "text messages",
    "email": "emails",
    "letter": "letters",
    "international_sms": "international text messages",
}


class FormError(ValueError):
    """A value the admin app's form would refuse: ``field`` and the message it shows."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def formatted_list(
    items: Iterable[str], *, conjunction: str = "and", max_items_shown: int | None = None
) -> str:
    """``a, b and c`` as Notify writes a list in a message (items unquoted); past
    ``max_items_shown`` the rest read "similar characters"."""
    values = list(items)
    if max_items_shown is not None and len(values) > max_items_shown:
        values = [*values[: max(max_items_shown - 1, 1)], "similar characters"]
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {conjunction} {values[-1]}"


def _text(field: str, value: object, *, required_message: str) -> str:
    if value is None:
        raise FormError(field, required_message)
    if not isinstance(value, str):
        raise FormError(field, f"{field} must be a string")
    stripped = value.strip()
    if not stripped:
        raise FormError(field, required_message)
    return stripped


def check_service_name(value: object, field: str = "name") -> str:
    """RenameServiceForm's checks of a service name."""
    name = _text(field, value, required_message="Enter a service name")
    if not _TWO_ALPHANUMERICS.fullmatch(name):
        raise FormError(field, "Service name must include at least 2 letters or numbers")
    if len(name) > MAX_SERVICE_NAME_LENGTH:
        raise FormError(field, "Service name cannot be longer than 143 characters")
    return name


def service_name_key(name: str) -> str:
    """A service name as two services' names are compared for being the same (case and
    outer spaces ignored)."""
    return name.strip().lower()


def check_key_name(value: object, existing_names: Iterable[str], field: str = "name") -> str:
    """CreateKeyForm's checks of a key name; ``existing_names`` are the service's unrevoked
    keys, compared as Notify's ``InsensitiveSet`` does (case, spaces, ``_`` and ``-`` ignored)."""
    name = _text(field, value, required_message="Enter a name for this API key")
    if normalise_key(name) in {normalise_key(existing) for existing in existing_names}:
        raise FormError(field, "A key with this name already exists")
    return name


def key_string_name(name: str) -> str:
    """The key's name as the start of the key string the admin app shows once (its
    ``make_string_safe(name, whitespace="_")``, notifications-utils ``safe_string.py``):
    accents dropped, each run of whitespace one ``_``, lower case, nothing but letters, digits
    and ``_`` kept. "Team key (CI)" starts its key string "team_key_ci"."""
    decomposed = unicodedata.normalize("NFD", name)
    plain = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    joined = re.sub(r"\s+", "_", plain.strip())
    return "".join(c.lower() for c in joined if c.isalnum() or c == "_")


def check_key_type(value: object, field: str = "type") -> str:
    """CreateKeyForm's radio buttons: one of normal (live), team and test."""
    if value not in KEY_TYPES:
        raise FormError(field, "Select a type of API key")
    return str(value)


def check_template_type(value: object, field: str = "type") -> str:
    """The template types (the admin's "New template" radio buttons)."""
    if value not in TEMPLATE_TYPES:
        raise FormError(field, "Select a type of template")
    return str(value)


def check_template_name(value: object, field: str = "name") -> str:
    """TemplateNameMixin's checks of a template name."""
    name = _text(field, value, required_message="Enter Template name")
    if len(name) > MAX_TEMPLATE_NAME_LENGTH:
        raise FormError(field, "Template name cannot be longer than 255 characters")
    return name


def check_subject(template_type: str, value: object, field: str = "subject") -> str | None:
    """An email's subject or a letter's main heading (required); text messages have none."""
    if template_type == "sms":
        if value is not None:
            raise FormError(field, "Text message templates have no subject")
        return None
    message = (
        "Enter the subject of the email"
        if template_type == "email"
        else "Enter a main heading for your letter"
    )
    return _text(field, value, required_message=message)


def check_content(template_type: str, value: object, field: str = "body") -> str:
    """The template's content: required, no commas in placeholder names, and for text
    messages only characters an SMS can carry and no more than 918 characters."""
    required = (
        "Enter the body text of your letter" if template_type == "letter" else "Enter your message"
    )
    content = _text(field, value, required_message=required)
    if "," in "".join(placeholder_names(content)):
        raise FormError(field, "You cannot put commas between double brackets")
    if template_type == "sms":
        unusable = sorted(non_gsm_characters(content))
        if unusable:
            listed = formatted_list(unusable, conjunction="or", max_items_shown=3)
            it_or_these = "It" if len(unusable) == 1 else "These characters"
            raise FormError(
                field,
                f"You cannot use {listed} in text messages. "
                f"{it_or_these} will not display properly on some phones.",
            )
        if _content_count(content) > SMS_CHAR_COUNT_LIMIT:
            raise FormError(
                field,
                f"Content has a character count greater than the limit of {SMS_CHAR_COUNT_LIMIT}",
            )
    return content


def _content_count(content: str) -> int:
    # The API measures a new template without values, so each placeholder counts as its own
    # text, brackets and all (utils' content_count with no values). Any non-empty mapping
    # makes render_sms fill, and leave unfilled placeholders as they are written.
    return render_sms(content, {"\x00": ""}).content_count


def check_postage(value: object, field: str = "postage") -> str:
    """LetterTemplatePostageForm's radio buttons."""
    if value not in TEMPLATE_POSTAGES:
        raise FormError(field, "Select first class, second class or economy mail")
    return str(value)


def check_sms_sender(value: object, field: str = "sms_sender") -> str:
    """ServiceSmsSenderForm's checks, in its order (all but the phishing check, which asks
    Notify's list of protected sender ids)."""
    sender = _text(field, value, required_message="Enter a text message sender ID")
    if len(sender) < MIN_SMS_SENDER_LENGTH:
        raise FormError(field, "Text message sender ID must be at least 3 characters long")
    if len(sender) > MAX_SMS_SENDER_LENGTH:
        raise FormError(field, "Text message sender ID cannot be longer than 11 characters")
    if not _SMS_SENDER_CHARACTERS.fullmatch(sender):
        raise FormError(
            field,
            "Text message sender ID can only include letters, numbers, spaces, "
            "and the following characters: & . - _",
        )
    if sender.startswith("00"):
        raise FormError(field, "Text message sender ID cannot start with 00")
    if sender.lower() in _GENERIC_SENDER_IDS:
        raise FormError(
            field,
            "Text message sender ID cannot be Alert, Info or Verify as those are prohibited "
            "due to usage by spam",
        )
    if (
        _NUMERIC_SENDER.fullmatch(sender)
        and not _UK_MOBILE_SENDER.fullmatch(sender)
        and not _SHORT_CODE_SENDER.fullmatch(sender)
    ):
        raise FormError(field, "A numeric sender id should be a valid mobile number or short code")
    lowered = sender.lower()
    if "nhs" in lowered and "no" in lowered and "reply" in lowered and sender != "NHSNoReply":
        raise FormError(
            field,
            "Text message sender ID must match other NHS services - "
            "change it to \u2018NHSNoReply\u2019",
        )
    return sender


def check_email_address(value: object, field: str = "email_address") -> str:
    """ServiceReplyToEmailForm's reply-to address."""
    address = _text(field, value, required_message="Enter an email address")
    try:
        return validate_email_address(address)
    except InvalidEmailAddress:
        raise FormError(
            field, "Enter an email address in the correct format, like name@example.gov.uk"
        ) from None


def check_guest_list_entry(value: object, field: str = "guest_list") -> str:
    """One entry of the GuestList form: an email address (with "@") or a mobile number,
    international numbers allowed, refused with the admin's phone-number messages."""
    entry = _text(field, value, required_message="Enter an email address or a mobile number")
    if "@" in entry:
        try:
            return validate_email_address(entry)
        except InvalidEmailAddress:
            raise FormError(
                field, "Enter an email address in the correct format, like name@example.gov.uk"
            ) from None
    try:
        validate_phone_number(entry, allow_international=True, allow_uk_landline=False)
    except InvalidPhoneNumber as error:
        raise FormError(field, phone_error_message(error.code, legacy_v2_api=False)) from None
    return entry


def check_count(value: object, field: str, minimum: int = 0) -> int:
    """A number of the admin's rate-limit and daily-limit forms (``field`` names the limit:
    ``rate_limit`` or ``{channel}_message_limit``)."""
    channel = field.removesuffix("_message_limit")
    things = f"the number of {_MESSAGE_NOUNS.get(channel, 'messages')}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormError(field, f"Enter {things} in digits")
    if value < minimum:
        raise FormError(field, f"Number must be greater than or equal to {minimum}")
    if value > MAX_FORM_INTEGER:
        raise FormError(field, f"{things[0].upper()}{things[1:]} must be 2,000,000,000 or less")
    return value
