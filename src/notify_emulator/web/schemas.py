"""Request validation with Notify's JSON schemas and messages (notify-api.md §4.2).

The schemas are shaped like Notify's (Draft 7, the same property order), so the jsonschema
library walks them in the same order and produces the same texts; :func:`validate` then turns
each error into Notify's message: the ``validationMessage`` of the failing sub-schema if it has
one, else the library's text with every ``'`` removed, prefixed by the top-level field.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import fastjsonschema
from rfc3986_validator import validate_rfc3986

if TYPE_CHECKING:
    # Imported when a request first fails its quick check (the full validator finds Notify's
    # messages then): most runs, and most test sessions, never need it.
    from jsonschema import FormatChecker
    from jsonschema.exceptions import ValidationError as JsonSchemaError

from notify_emulator.clock import Clock
from notify_emulator.rules.constants import TEMPLATE_POSTAGES, TEMPLATE_TYPES
from notify_emulator.rules.email_addresses import validate_email_address
from notify_emulator.rules.errors import RuleError
from notify_emulator.rules.lifecycle import STATUS_FILTER_VALUES
from notify_emulator.rules.phone_numbers import validate_phone_number
from notify_emulator.web.errors import DataErrorNotFound, SchemaError

UUID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "validate_uuid",
    "validationMessage": "is not a valid UUID",
}
PERSONALISATION_SCHEMA: dict[str, Any] = {"type": "object"}
REFERENCE_SCHEMA: dict[str, Any] = {"type": "string", "maxLength": 1000}
SCHEDULED_FOR_SCHEMA: dict[str, Any] = {
    "type": ["string", "null"],
    "format": "datetime_within_next_day",
}

POST_SMS_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "reference": REFERENCE_SCHEMA,
        "phone_number": {"type": "string", "format": "phone_number"},
        "template_id": UUID_SCHEMA,
        "personalisation": PERSONALISATION_SCHEMA,
        "scheduled_for": SCHEDULED_FOR_SCHEMA,
        "sms_sender_id": UUID_SCHEMA,
    },
    "required": ["phone_number", "template_id"],
    "additionalProperties": False,
}

POST_EMAIL_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "reference": REFERENCE_SCHEMA,
        "email_address": {"type": "string", "format": "email_address"},
        "template_id": UUID_SCHEMA,
        "personalisation": PERSONALISATION_SCHEMA,
        "scheduled_for": SCHEDULED_FOR_SCHEMA,
        "email_reply_to_id": UUID_SCHEMA,
        "one_click_unsubscribe_url": {
            "type": "string",
            "format": "uri",
            "pattern": "^https",
            "validationMessage": "is not a valid https url",
        },
        "sanitise_content_for": {"type": ["array", "null"]},
    },
    "required": ["email_address", "template_id"],
    "additionalProperties": False,
}

POST_LETTER_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "reference": REFERENCE_SCHEMA,
        "template_id": UUID_SCHEMA,
        "personalisation": PERSONALISATION_SCHEMA,
    },
    "required": ["template_id", "personalisation"],
    "additionalProperties": False,
}

POST_PRECOMPILED_LETTER_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "content": {"type": "string"},
        "postage": {"type": "string", "format": "postage"},
    },
    "required": ["reference", "content"],
    "additionalProperties": False,
}

GET_NOTIFICATIONS_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
        "status": {"type": "array", "items": {"enum": list(STATUS_FILTER_VALUES)}},
        "template_type": {"type": "array", "items": {"enum": list(TEMPLATE_TYPES)}},
        "include_jobs": {"enum": ["true", "True"]},
        "older_than": UUID_SCHEMA,
    },
    "additionalProperties": False,
}

GET_NOTIFICATION_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"notification_id": UUID_SCHEMA},
    "required": ["notification_id"],
}

GET_RECEIVED_TEXTS_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"older_than": UUID_SCHEMA},
    "additionalProperties": False,
}

GET_TEMPLATES_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"type": {"enum": list(TEMPLATE_TYPES)}},
    "additionalProperties": False,
}

GET_TEMPLATE_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"id": UUID_SCHEMA, "version": {"type": ["integer", "null"], "minimum": 1}},
    "required": ["id"],
}

POST_TEMPLATE_PREVIEW_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"id": UUID_SCHEMA, "personalisation": PERSONALISATION_SCHEMA},
    "required": ["id"],
}

# api app/v2/returned_letters/get_returned_letters_schema.py (upcoming).
GET_RETURNED_LETTERS_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"report_date": {"type": "string", "format": "date"}},
    "required": ["report_date"],
    "additionalProperties": False,
}

DATETIME_FORMAT_INVALID = (
    "datetime format is invalid. It must be a valid ISO8601 date time format, "
    "https://en.wikipedia.org/wiki/ISO_8601"
)
DATETIME_IN_PAST = "datetime can not be in the past"
DATETIME_TOO_FAR = "datetime can only be 24 hours in the future"
POSTAGE_INVALID = "invalid. It must be either first, second or economy."


def _is_uri(text: str) -> bool:
    # Notify's jsonschema checks "uri" with rfc3987's URI rule (RFC 3986: ASCII only, every
    # percent sign escaping two hex digits); rfc3986-validator is the same grammar.
    return validate_rfc3986(text, rule="URI") is not None


class FormatFailure(Exception):
    """A custom format check failed; ``str()`` is Notify's text."""


def _format_checker(clock: Clock) -> FormatChecker:
    from jsonschema import FormatChecker

    # jsonschema's own "date" check, as Notify's FormatChecker() has it; the rest are Notify's.
    checker = FormatChecker(formats=("date",))

    @checker.checks("validate_uuid", raises=ValueError)
    def _uuid(instance: object) -> bool:
        if isinstance(instance, str):
            uuid.UUID(instance)
        return True

    @checker.checks("phone_number", raises=RuleError)
    def _phone(instance: object) -> bool:
        if isinstance(instance, str):
            validate_phone_number(instance, allow_international=True, allow_uk_landline=True)
        return True

    @checker.checks("email_address", raises=RuleError)
    def _email(instance: object) -> bool:
        if isinstance(instance, str):
            validate_email_address(instance)
        return True

    @checker.checks("postage", raises=FormatFailure)
    def _postage(instance: object) -> bool:
        if isinstance(instance, str) and instance not in TEMPLATE_POSTAGES:
            raise FormatFailure(POSTAGE_INVALID)
        return True

    @checker.checks("uri", raises=FormatFailure)
    def _uri(instance: object) -> bool:
        if isinstance(instance, str) and not _is_uri(instance):
            raise FormatFailure("not a URI")
        return True

    @checker.checks("datetime_within_next_day", raises=FormatFailure)
    def _within_next_day(instance: object) -> bool:
        if isinstance(instance, str):
            _check_within_next_day(instance, clock)
        return True

    return checker


def _check_within_next_day(text: str, clock: Clock) -> None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FormatFailure(DATETIME_FORMAT_INVALID) from None
    # Notify drops any offset without converting, then compares with UTC now (§5.1).
    naive = moment.replace(tzinfo=None)
    now = clock.now().astimezone(timezone.utc).replace(tzinfo=None)
    if naive < now:
        raise FormatFailure(DATETIME_IN_PAST)
    if naive > now + timedelta(hours=24):
        raise FormatFailure(DATETIME_TOO_FAR)


def _message(error: JsonSchemaError) -> str:
    field = error.path[0] if error.path else None
    if isinstance(error.schema, Mapping) and "validationMessage" in error.schema:
        text = str(error.schema["validationMessage"])
    else:
        text = (str(error.cause) if error.cause else error.message).replace("'", "")
    return f"{field} {text}" if field is not None else text


def schema_messages(data: object, schema: Mapping[str, Any], clock: Clock) -> list[str]:
    """Notify's messages for ``data`` against ``schema``, in Notify's order (may be empty)."""
    from jsonschema import Draft7Validator

    validator = Draft7Validator(schema, format_checker=_format_checker(clock))
    messages: list[str] = []
    for error in validator.iter_errors(data):
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return messages


def validate(data: object, schema: Mapping[str, Any], clock: Clock) -> None:
    """Raise :class:`SchemaError` with Notify's messages if ``data`` breaks ``schema``.

    A request that passes the schema's compiled check (:func:`_passes_quickly`) is valid;
    only one that does not is walked by the full validator, which finds Notify's messages (or
    none, if only the quick check's stricter formats refused it).
    """
    if _passes_quickly(data, schema):
        return
    messages = schema_messages(data, schema, clock)
    if messages:
        raise SchemaError(messages)


def _quietly(check: Callable[[str], object]) -> Callable[[str], bool]:
    def passes(instance: str) -> bool:
        try:
            check(instance)
        except (RuleError, ValueError, FormatFailure):
            return False
        return True

    return passes


def _refuse(_instance: str) -> bool:
    return False


# The formats as the compiled check sees them: the same checks as _format_checker's, as
# booleans. The ones that depend on the clock or on jsonschema's own reading are left to the
# full validator (refused here, so a request using them is always walked in full).
_QUICK_FORMATS: dict[str, Callable[[str], bool]] = {
    "validate_uuid": _quietly(uuid.UUID),
    "phone_number": _quietly(
        lambda text: validate_phone_number(text, allow_international=True, allow_uk_landline=True)
    ),
    "email_address": _quietly(validate_email_address),
    "postage": lambda text: text in TEMPLATE_POSTAGES,
    "uri": _is_uri,
    "datetime_within_next_day": _refuse,
    "date": _refuse,
}
# By the schema's identity (the schemas are module constants), holding the schema itself so a
# reused id can never pick up another schema's check.
_COMPILED: dict[int, tuple[Mapping[str, Any], Callable[[object], object]]] = {}


def _passes_quickly(data: object, schema: Mapping[str, Any]) -> bool:
    """Whether ``data`` passes ``schema`` compiled to Python by fastjsonschema (about a tenth
    of the full validator's cost; tests/emulator/test_schemas_quick.py checks the two agree)."""
    entry = _COMPILED.get(id(schema))
    if entry is None or entry[0] is not schema:
        entry = (schema, fastjsonschema.compile(dict(schema), formats=_QUICK_FORMATS))
        _COMPILED[id(schema)] = entry
    compiled = entry[1]
    try:
        compiled(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


@functools.lru_cache(maxsize=1024)
def canonical_uuid(value: str) -> str:
    """The canonical form of an id that passed ``validate_uuid`` (the same few template ids
    come again and again, so the answers are kept)."""
    return str(uuid.UUID(value))


# PostgreSQL's uuid input: 32 hex digits, a hyphen allowed after each group of four (but not
# after the last), optionally wrapped in one pair of braces. Python's uuid.UUID is laxer (urn:
# and uuid: prefixes, hyphens anywhere, unbalanced braces).
_POSTGRES_UUID = re.compile(r"(\{)?(?:[0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}(?(1)\})")


def stored_uuid(value: str) -> str:
    """The canonical form of an id that passed ``validate_uuid`` and is looked up as given.

    Notify queries PostgreSQL with such ids verbatim, so one that Python accepts but PostgreSQL
    rejects (``urn:uuid:…``, odd hyphens) ends in a 404 ``DataError`` (notify-api.md §1.5).
    """
    if _POSTGRES_UUID.fullmatch(value) is None:
        raise DataErrorNotFound()
    return canonical_uuid(value)


# --- send a file by email (notify-api.md §8.6) ----------------------------------------------

FILE_OPTION_NAMES = (
    "file",
    "filename",
    "confirm_email_before_download",
    "retention_period",
    "is_csv",
)
_RETENTION = re.compile(r"\s*(\d+)\s+weeks?\s*", re.IGNORECASE)
MIN_RETENTION_WEEKS = 1
MAX_RETENTION_WEEKS = 78


def is_file_upload(value: object) -> bool:
    """A personalisation value that is a file to send by email."""
    return isinstance(value, Mapping) and "file" in value


def file_option_messages(options: Mapping[str, object]) -> list[str]:
    """Notify's messages for a file object's options, prefixed by the option name.

    The order is the one Notify's ``send_a_file_validation`` schema is walked in:
    ``additionalProperties``, then the properties (file, is_csv, confirm_email_before_download,
    retention_period, filename), then the ``allOf`` rule on is_csv and filename.
    """
    messages: list[str] = []
    extra = sorted(str(name) for name in options if name not in FILE_OPTION_NAMES)
    if extra:
        verb = "was" if len(extra) == 1 else "were"
        messages.append(
            f"Additional properties are not allowed ({', '.join(extra)} {verb} unexpected)"
        )
    file = options.get("file")
    if not isinstance(file, str):
        messages.append(f"file {_python_repr(file)} is not of type string")
    is_csv = options.get("is_csv")
    if is_csv is not None and not isinstance(is_csv, bool):
        messages.append(
            f"is_csv Unsupported value for is_csv: {_plain(is_csv)}. "
            "Use a boolean true or false value."
        )
    confirm = options.get("confirm_email_before_download")
    if confirm is not None and not isinstance(confirm, bool):
        messages.append(
            "confirm_email_before_download Unsupported value for confirm_email_before_download: "
            f"{_plain(confirm)}. Use a boolean true or false value."
        )
    retention = options.get("retention_period")
    if retention is not None and retention_weeks(retention) is None:
        messages.append(
            f"retention_period Unsupported value for retention_period: {_plain(retention)}. "
            "Supported periods are from 1 to 78 weeks."
        )
    filename = options.get("filename")
    if filename is not None and (not isinstance(filename, str) or "." not in filename):
        messages.append(
            "filename `filename` must end with a file extension. For example, filename.csv"
        )
    # The schema's rule is `not required` on either key: their presence counts, even as null.
    if "is_csv" in options and "filename" in options:
        messages.append("Do not set a value for `is_csv` if `filename` is set.")
    return messages


def retention_weeks(value: object) -> int | None:
    """Weeks in a ``"<n> weeks"`` retention period, or None if it is not a supported one."""
    if not isinstance(value, str):
        return None
    match = _RETENTION.fullmatch(value)
    if match is None:
        return None
    weeks = int(match.group(1))
    return weeks if MIN_RETENTION_WEEKS <= weeks <= MAX_RETENTION_WEEKS else None


def _plain(value: object) -> str:
    return value if isinstance(value, str) else _python_repr(value)


def _python_repr(value: object) -> str:
    # Values appear as Python shows them (None, True, [a, b]) with quotes removed (§4.2).
    return repr(value).replace("'", "")
