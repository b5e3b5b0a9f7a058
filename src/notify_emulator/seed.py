"""The TOML seed file (shared/spec/emulator.md "Seed file"): parsing and validation.

:func:`load_seed_file` reads a file, :func:`parse_seed` checks a mapping of the same shape (the
JSON body of ``POST /_emulator/config``). Both raise :class:`ConfigError`, whose one-line message
names the file, the entry and the field. Ids left out are derived from names (``uuid5``), so
loading the same file twice updates records instead of duplicating them.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_PERMISSIONS",
    "DEFAULT_TEMPLATE_AUTHOR",
    "KNOWN_PERMISSIONS",
    "SEED_NAMESPACE",
    "ApiKeySeed",
    "CallbackSeed",
    "ConfigError",
    "ReceivedTextSeed",
    "ReplyToSeed",
    "SeedConfig",
    "ServiceSeed",
    "SmsSenderSeed",
    "TemplateSeed",
    "TemplateVersionSeed",
    "derived_id",
    "load_seed_file",
    "parse_seed",
    "parse_seed_text",
]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from notify_emulator.faults.rules import FaultError, FaultSpec, parse_fault
from notify_emulator.rules import setup_forms as forms
from notify_emulator.rules.callbacks import (
    CALLBACK_TYPES,
    CallbackSettingError,
    check_bearer_token,
    check_callback_url,
    notify_url_warning,
)
from notify_emulator.rules.constants import (
    DEFAULT_DATA_RETENTION_DAYS,
    DEFAULT_EMAIL_LIMIT,
    DEFAULT_INTERNATIONAL_SMS_LIMIT,
    DEFAULT_LETTER_LIMIT,
    DEFAULT_RATE_LIMIT,
    DEFAULT_SMS_LIMIT,
    KEY_TYPES,
    MAX_DATA_RETENTION_DAYS,
    TEMPLATE_POSTAGES,
    TEMPLATE_TYPES,
)
from notify_emulator.web.text_checks import problem as text_problem

# Namespace of the ids derived from names when a seed entry has none.
SEED_NAMESPACE = uuid.UUID("6f1c3a52-6c1e-4f55-9a3e-5b0d1f3e2a10")

# notify-api.md §3: new services get these (sms_to_uk_landlines and inbound_sms are opt-in).
DEFAULT_PERMISSIONS = ("sms", "email", "letter", "international_sms", "international_letters")
KNOWN_PERMISSIONS = (*DEFAULT_PERMISSIONS, "sms_to_uk_landlines", "inbound_sms")
DEFAULT_TEMPLATE_AUTHOR = "notify-emulator@example.gov.uk"


class ConfigError(ValueError):
    """A seed file (or seed body) is invalid; the message is one line."""


@dataclass(frozen=True)
class ApiKeySeed:
    """An API key; its string is ``{name}-{service id}-{secret}``."""

    name: str
    key_type: str
    secret: str | None = field(repr=False)
    revoked: bool = False
    revoked_at: datetime | None = None
    id: str | None = None
    """The key's id; when absent it is derived from the service id and the key's name."""


@dataclass(frozen=True)
class SmsSenderSeed:
    """An SMS sender of a service."""

    id: str
    sms_sender: str
    is_default: bool
    archived: bool = False


@dataclass(frozen=True)
class ReplyToSeed:
    """An email reply-to address of a service."""

    id: str
    email_address: str
    is_default: bool
    archived: bool = False


@dataclass(frozen=True)
class TemplateVersionSeed:
    """One whole version of a template's content."""

    name: str
    body: str
    subject: str | None = None
    letter_contact_block: str | None = None
    postage: str | None = None


@dataclass(frozen=True)
class TemplateSeed:
    """A template; ``versions`` are all of them, oldest first (the last is current)."""

    id: str
    template_type: str
    versions: tuple[TemplateVersionSeed, ...]
    archived: bool = False
    created_by: str = DEFAULT_TEMPLATE_AUTHOR
    unsubscribe_link: bool = False


@dataclass(frozen=True)
class ReceivedTextSeed:
    """A text message the service has already received."""

    id: str
    user_number: str
    content: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class CallbackSeed:
    """One of a service's callbacks (shared/spec/emulator.md "Callbacks").

    An empty ``url`` removes the callback of that type, as saving an empty URL does in
    Notify's admin app. ``warning`` says where real Notify would refuse the URL.
    """

    callback_type: str
    url: str
    bearer_token: str = field(repr=False)
    warning: str | None = None


@dataclass(frozen=True)
class ServiceSeed:
    """A service with everything it owns."""

    id: str
    name: str
    active: bool = True
    trial_mode: bool = False
    rate_limit: int = DEFAULT_RATE_LIMIT
    sms_message_limit: int = DEFAULT_SMS_LIMIT
    email_message_limit: int = DEFAULT_EMAIL_LIMIT
    letter_message_limit: int = DEFAULT_LETTER_LIMIT
    international_sms_message_limit: int = DEFAULT_INTERNATIONAL_SMS_LIMIT
    permissions: tuple[str, ...] = DEFAULT_PERMISSIONS
    letter_contact_block: str | None = None
    guest_list: tuple[str, ...] = ()
    inbound_number: str | None = None
    contact_link: str | None = None
    prefix_sms: bool = False
    data_retention_days: int = DEFAULT_DATA_RETENTION_DAYS
    api_keys: tuple[ApiKeySeed, ...] = ()
    sms_senders: tuple[SmsSenderSeed, ...] = ()
    email_reply_to: tuple[ReplyToSeed, ...] = ()
    templates: tuple[TemplateSeed, ...] = ()
    received_texts: tuple[ReceivedTextSeed, ...] = ()
    callbacks: tuple[CallbackSeed, ...] = ()


@dataclass(frozen=True)
class SeedConfig:
    """Everything a seed file declares."""

    services: tuple[ServiceSeed, ...]
    # [[faults]]: faults to rehearse (shared/spec/emulator.md "Faults"), each with an id.
    faults: tuple[FaultSpec, ...] = ()
    # Service names the admin app would refuse, and received texts of services with no
    # inbound number to receive them (a seed keeps both, as it always has).
    service_warnings: tuple[str, ...] = ()

    @property
    def warnings(self) -> list[str]:
        """What the emulator accepts but real Notify would refuse (one line each)."""
        return [
            *self.service_warnings,
            *(
                callback.warning
                for service in self.services
                for callback in service.callbacks
                if callback.warning is not None
            ),
        ]


def derived_id(*parts: str) -> str:
    """A stable id for an entry that has none, from the names that identify it."""
    return str(uuid.uuid5(SEED_NAMESPACE, "\x1f".join(parts)))


def load_seed_file(path: Path | str) -> SeedConfig:
    """Read and check a TOML seed file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte order mark is not content
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the file ({error.strerror})") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: the file is not UTF-8 text") from error
    return parse_seed_text(text, source=str(path))


def parse_seed_text(text: str, *, source: str) -> SeedConfig:
    """Check seed TOML given as text (``source`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML ({error})") from error
    return parse_seed(data, source=source)


class _Entry:
    """Reads the fields of one table of the seed, reporting mistakes with its location."""

    def __init__(self, data: object, source: str, where: str) -> None:
        self.source = source
        self.where = where
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source}: {where}: must be a table, not {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.used: set[str] = set()

    def fail(self, name: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.source}: {self.where}: field {name!r}: {reason}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.used.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are ints to isinstance; an int field must not accept true/false.
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(name, f"must be {_kind_name(kinds)}, not a boolean")
        if not isinstance(value, kinds):
            raise self.fail(name, f"must be {_kind_name(kinds)}, not {type(value).__name__}")
        if isinstance(value, str):
            self._check_storable(name, value)
        return value

    def _check_storable(self, name: str, value: str) -> None:
        # A NUL or an unpaired surrogate cannot be stored (PostgreSQL) or encoded as UTF-8.
        found = text_problem(value)
        if found is not None:
            raise self.fail(name, f"must not contain {found}")

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        if required and name not in self.data:
            raise self.fail(name, "is required")
        value: str | None = self.get(name, str, default)
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name, required=True)
        return value if value is not None else ""

    def boolean(self, name: str, default: bool) -> bool:
        return bool(self.get(name, bool, default))

    def count(self, name: str, default: int) -> int:
        value: int = self.get(name, int, default)
        if value < 0:
            raise self.fail(name, "must not be negative")
        if value > forms.MAX_FORM_INTEGER:  # what the admin's forms take (and a 32-bit column)
            self.form(forms.check_count, name, value, name)
        return value

    def form(self, check: Any, name: str, *args: Any) -> Any:
        """A check of the set-up steps (rules/setup_forms.py): what they refuse, a seed
        refuses, with the admin app's message."""
        try:
            return check(*args)
        except forms.FormError as error:
            raise self.fail(name, error.message) from None

    def choice(self, name: str, options: Sequence[str], default: str | None) -> str | None:
        value = self.text(name, default)
        if value is not None and value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}, not {value!r}")
        return value

    def uuid(self, name: str, default: str) -> str:
        value = self.text(name)
        if value is None:
            return default
        try:
            return str(uuid.UUID(value))
        except ValueError as error:
            raise self.fail(name, f"is not a valid UUID: {value!r}") from error

    def strings(self, name: str) -> tuple[str, ...] | None:
        value: list[object] | None = self.get(name, list, None)
        if value is None:
            return None
        if not all(isinstance(item, str) for item in value):
            raise self.fail(name, "must be a list of strings")
        for item in value:
            self._check_storable(name, str(item))
        return tuple(str(item) for item in value)

    def timestamp(self, name: str) -> datetime | None:
        value: str | datetime | None = self.get(name, (str, datetime), None)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError as error:
                raise self.fail(name, f"is not an ISO 8601 date and time: {value!r}") from error
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        try:
            return value.astimezone(timezone.utc)
        except (OverflowError, ValueError) as error:  # e.g. year 1 with a positive offset
            raise self.fail(name, f"is out of range: {value.isoformat()}") from error

    def tables(self, name: str) -> list[object]:
        value: list[object] = self.get(name, list, [])
        return list(value)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(unknown[0], "is not a known field")


def _kind_name(kinds: tuple[type, ...]) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", list: "a list"}
    return " or ".join(names.get(kind, kind.__name__) for kind in kinds)


def parse_seed(data: Mapping[str, object], *, source: str) -> SeedConfig:
    """Check a seed given as a mapping (parsed TOML, or the same shape as JSON)."""
    root = _Entry(data, source, "top level")
    services = tuple(
        _parse_service(entry, source, index) for index, entry in enumerate(root.tables("services"))
    )
    faults = _parse_faults(root.tables("faults"), source)
    root.finish()
    seen: set[str] = set()
    for index, service in enumerate(services):
        if service.id in seen:
            raise ConfigError(f"{source}: services[{index}]: field 'id': repeats {service.id}")
        seen.add(service.id)
    _check_ids_across_services(source, services)
    return SeedConfig(
        services=services, faults=faults, service_warnings=_service_warnings(source, services)
    )


def _service_warnings(source: str, services: Sequence[ServiceSeed]) -> tuple[str, ...]:
    """The admin app's checks of a service's name, and that no two services share one (as
    its set-up step checks them: case and outer spaces ignored); and received texts where
    there is no inbound number (POST /_emulator/received-texts refuses those)."""
    warnings = []
    taken: set[str] = set()
    for index, service in enumerate(services):
        where = f"{source}: services[{index}] ({service.name!r}): field 'name'"
        try:
            forms.check_service_name(service.name)
        except forms.FormError as error:
            warnings.append(f"{where}: real Notify would refuse it: {error.message}")
        folded = forms.service_name_key(service.name)
        if folded in taken:
            warnings.append(f"{where}: real Notify would refuse it: another service has it")
        taken.add(folded)
        if service.received_texts and not service.inbound_number:
            warnings.append(
                f"{source}: services[{index}] ({service.name!r}): field 'received_texts': real "
                "Notify would not have received them: the service has no inbound_number"
            )
    return tuple(warnings)


def _check_ids_across_services(source: str, services: Sequence[ServiceSeed]) -> None:
    # Notify's ids are unique over every service: a record whose id another service's record
    # has would be moved to the later service by the load, silently.
    for table in ("api_keys", "sms_senders", "email_reply_to", "templates", "received_texts"):
        owners: dict[str, str] = {}
        for index, service in enumerate(services):
            where = f"services[{index}] ({service.name!r}).{table}"
            for position, record in enumerate(getattr(service, table)):
                record_id = record.id
                if table == "api_keys" and record_id is None:
                    record_id = derived_id(service.id, "api_key", record.name)
                here = f"{where}[{position}]"
                if record_id in owners and not owners[record_id].startswith(where + "["):
                    raise ConfigError(
                        f"{source}: {here}: field 'id': repeats {record_id!r} ({owners[record_id]})"
                    )
                owners.setdefault(record_id, here)


def _parse_faults(entries: list[object], source: str) -> tuple[FaultSpec, ...]:
    faults: list[FaultSpec] = []
    occurrences: dict[str, int] = {}
    for index, entry in enumerate(entries):
        try:
            spec = parse_fault(entry)
        except FaultError as error:
            raise ConfigError(f"{source}: faults[{index}]: {error}") from None
        if spec.id is None:
            # Named by its content (and how many identical ones came before), so loading the
            # file again replaces each fault instead of adding it twice.
            content = json.dumps(spec.as_json(), sort_keys=True)
            occurrences[content] = occurrences.get(content, 0) + 1
            fault_id = derived_id("fault", content, str(occurrences[content]))
            spec = FaultSpec(spec.match, spec.action, spec.times, spec.rate, id=fault_id)
        if any(fault.id == spec.id for fault in faults):
            raise ConfigError(f"{source}: faults[{index}]: field 'id': repeats {spec.id}")
        faults.append(spec)
    return tuple(faults)


def _parse_service(data: object, source: str, index: int) -> ServiceSeed:
    entry = _Entry(data, source, f"services[{index}]")
    name = entry.required_text("name")
    if not name.strip():
        raise entry.fail("name", "must not be empty")
    entry.where = f"services[{index}] ({name!r})"
    service_id = entry.uuid("id", derived_id("service", name))
    permissions = entry.strings("permissions")
    if permissions is not None:
        for permission in permissions:
            if permission not in KNOWN_PERMISSIONS:
                raise entry.fail(
                    "permissions",
                    f"unknown permission {permission!r} (known: {', '.join(KNOWN_PERMISSIONS)})",
                )
    rate_limit = entry.count("rate_limit", DEFAULT_RATE_LIMIT)
    if rate_limit < 1:
        raise entry.fail("rate_limit", "must be at least 1")
    guest_list = entry.strings("guest_list") or ()
    for item in guest_list:
        entry.form(forms.check_guest_list_entry, "guest_list", item)
    retention = entry.count("data_retention_days", DEFAULT_DATA_RETENTION_DAYS)
    if not 1 <= retention <= MAX_DATA_RETENTION_DAYS:
        raise entry.fail("data_retention_days", f"must be from 1 to {MAX_DATA_RETENTION_DAYS}")
    service = ServiceSeed(
        id=service_id,
        name=name,
        active=entry.boolean("active", True),
        trial_mode=entry.boolean("trial_mode", False),
        rate_limit=rate_limit,
        sms_message_limit=entry.count("sms_message_limit", DEFAULT_SMS_LIMIT),
        email_message_limit=entry.count("email_message_limit", DEFAULT_EMAIL_LIMIT),
        letter_message_limit=entry.count("letter_message_limit", DEFAULT_LETTER_LIMIT),
        international_sms_message_limit=entry.count(
            "international_sms_message_limit", DEFAULT_INTERNATIONAL_SMS_LIMIT
        ),
        permissions=permissions if permissions is not None else DEFAULT_PERMISSIONS,
        letter_contact_block=entry.text("letter_contact_block"),
        guest_list=guest_list,
        inbound_number=entry.text("inbound_number"),
        contact_link=entry.text("contact_link"),
        prefix_sms=entry.boolean("prefix_sms", False),
        data_retention_days=retention,
    )
    author = next((item for item in guest_list if "@" in item), DEFAULT_TEMPLATE_AUTHOR)
    where = entry.where
    keys = tuple(
        _parse_key(item, source, f"{where}.api_keys[{i}]")
        for i, item in enumerate(entry.tables("api_keys"))
    )
    senders = tuple(
        _parse_sms_sender(item, source, f"{where}.sms_senders[{i}]", service_id)
        for i, item in enumerate(entry.tables("sms_senders"))
    )
    reply_tos = tuple(
        _parse_reply_to(item, source, f"{where}.email_reply_to[{i}]", service_id)
        for i, item in enumerate(entry.tables("email_reply_to"))
    )
    templates = tuple(
        _parse_template(item, source, f"{where}.templates[{i}]", service_id, author)
        for i, item in enumerate(entry.tables("templates"))
    )
    derived_texts: dict[str, int] = {}
    texts = tuple(
        _parse_received_text(
            item, source, f"{where}.received_texts[{i}]", service_id, derived_texts
        )
        for i, item in enumerate(entry.tables("received_texts"))
    )
    callbacks = tuple(
        _parse_callback(item, source, f"{where}.callbacks[{i}]")
        for i, item in enumerate(entry.tables("callbacks"))
    )
    entry.finish()
    # A key's id is derived from its name unless given, so names repeat only with ids (a
    # revoked key's name may be used again, as in Notify).
    _check_unique(source, where, "api_keys", "name", [key.name for key in keys if not key.id])
    _check_unique(
        source,
        where,
        "api_keys",
        "id",
        [key.id or derived_id(service_id, "api_key", key.name) for key in keys],
    )
    _check_unique(source, where, "callbacks", "type", [item.callback_type for item in callbacks])
    _check_unique(source, where, "templates", "id", [template.id for template in templates])
    _check_unique(source, where, "sms_senders", "id", [sender.id for sender in senders])
    _check_unique(source, where, "email_reply_to", "id", [reply.id for reply in reply_tos])
    _check_unique(source, where, "received_texts", "id", [text.id for text in texts])
    _check_defaults(source, where, "sms_senders", senders)
    _check_defaults(source, where, "email_reply_to", reply_tos)
    return ServiceSeed(
        **{
            **service.__dict__,
            "api_keys": keys,
            "sms_senders": senders,
            "email_reply_to": reply_tos,
            "templates": templates,
            "received_texts": texts,
            "callbacks": callbacks,
        }
    )


def _check_unique(source: str, where: str, table: str, name: str, values: list[str]) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ConfigError(
                f"{source}: {where}.{table}[{index}]: field {name!r}: repeats {value!r}"
            )
        seen.add(value)


def _check_defaults(
    source: str, where: str, table: str, records: Sequence[SmsSenderSeed | ReplyToSeed]
) -> None:
    # What the set-up steps keep true: one default at most (without one, the first not
    # archived is the default), never archived, so a service with senders has one to use.
    default: int | None = None
    for index, record in enumerate(records):
        here = f"{source}: {where}.{table}[{index}]"
        if record.is_default and default is not None:
            raise ConfigError(
                f"{here}: field 'is_default': only one of a service's {table} can be the "
                f"default ({table}[{default}] is)"
            )
        if record.is_default and record.archived:
            raise ConfigError(f"{here}: field 'archived': the default cannot be archived")
        if record.is_default:
            default = index
    if records and all(record.archived for record in records):
        raise ConfigError(
            f"{source}: {where}.{table}[0]: field 'archived': a service with {table} needs one "
            "that is not archived, its default"
        )


def _parse_key(data: object, source: str, where: str) -> ApiKeySeed:
    entry = _Entry(data, source, where)
    name = entry.required_text("name")
    entry.form(forms.check_key_name, "name", name, ())
    key_id = entry.text("id")
    if key_id is not None:
        key_id = entry.uuid("id", "")
    key_type = entry.choice("type", KEY_TYPES, "normal") or "normal"
    secret = entry.text("secret")
    if secret is not None:
        try:
            secret_uuid = uuid.UUID(secret)
        except ValueError as error:
            # Never echo a secret, even a malformed one.
            raise entry.fail("secret", "must be a UUID (36 characters)") from error
        secret = str(secret_uuid)
    revoked = entry.boolean("revoked", False)
    revoked_at = entry.timestamp("revoked_at")
    entry.finish()
    return ApiKeySeed(
        name=name,
        key_type=key_type,
        secret=secret,
        revoked=revoked or revoked_at is not None,
        revoked_at=revoked_at,
        id=key_id,
    )


def _parse_callback(data: object, source: str, where: str) -> CallbackSeed:
    entry = _Entry(data, source, where)
    callback_type = entry.choice("type", CALLBACK_TYPES, None)
    if callback_type is None:
        raise entry.fail("type", f"is required (one of {', '.join(CALLBACK_TYPES)})")
    url = entry.required_text("url").strip()
    token = entry.text("bearer_token")
    entry.finish()
    if not url:
        # Removes the callback; a token is not needed.
        return CallbackSeed(callback_type=callback_type, url="", bearer_token="")
    try:
        check_callback_url(url)
    except CallbackSettingError as error:
        raise entry.fail("url", str(error)) from None
    if token is None:
        raise entry.fail("bearer_token", "is required")
    try:
        check_bearer_token(token)
    except CallbackSettingError as error:
        # The message never quotes the token.
        raise entry.fail("bearer_token", str(error)) from None
    warning = notify_url_warning(url)
    return CallbackSeed(
        callback_type=callback_type,
        url=url,
        bearer_token=token,
        warning=f"{source}: {where}: field 'url': {warning}" if warning else None,
    )


def _parse_sms_sender(data: object, source: str, where: str, service_id: str) -> SmsSenderSeed:
    entry = _Entry(data, source, where)
    text = entry.required_text("sms_sender")
    entry.form(forms.check_sms_sender, "sms_sender", text)
    sender = SmsSenderSeed(
        id=entry.uuid("id", derived_id(service_id, "sms_sender", text)),
        sms_sender=text,
        is_default=entry.boolean("is_default", False),
        archived=entry.boolean("archived", False),
    )
    entry.finish()
    return sender


def _parse_reply_to(data: object, source: str, where: str, service_id: str) -> ReplyToSeed:
    entry = _Entry(data, source, where)
    address = entry.required_text("email_address")
    entry.form(forms.check_email_address, "email_address", address)
    reply_to = ReplyToSeed(
        id=entry.uuid("id", derived_id(service_id, "email_reply_to", address)),
        email_address=address,
        is_default=entry.boolean("is_default", False),
        archived=entry.boolean("archived", False),
    )
    entry.finish()
    return reply_to


def _parse_version(entry: _Entry, template_type: str, *, latest: bool) -> TemplateVersionSeed:
    name = entry.required_text("name") if latest else (entry.text("name") or "")
    subject = entry.text("subject")
    if latest and template_type in {"email", "letter"} and subject is None:
        raise entry.fail("subject", f"is required for {template_type} templates")
    if template_type == "sms" and subject is not None:
        raise entry.fail("subject", "is not allowed on sms templates")
    contact_block = entry.text("letter_contact_block")
    postage = entry.choice("postage", TEMPLATE_POSTAGES, None)
    if template_type != "letter":
        if contact_block is not None:
            raise entry.fail("letter_contact_block", "is only for letter templates")
        if postage is not None:
            raise entry.fail("postage", "is only for letter templates")
    return TemplateVersionSeed(
        name=name,
        body=(entry.required_text("body") if latest else entry.text("body") or ""),
        subject=subject,
        letter_contact_block=contact_block,
        postage=postage,
    )


def _parse_template(
    data: object, source: str, where: str, service_id: str, author: str
) -> TemplateSeed:
    entry = _Entry(data, source, where)
    template_type = entry.choice("type", TEMPLATE_TYPES, None)
    if template_type is None:
        raise entry.fail("type", f"is required (one of {', '.join(TEMPLATE_TYPES)})")
    latest = _parse_version(entry, template_type, latest=True)
    # The latest version is what the set-up steps would save; earlier ones are kept as written.
    entry.form(forms.check_template_name, "name", latest.name)
    entry.form(forms.check_subject, "subject", template_type, latest.subject)
    entry.form(forms.check_content, "body", template_type, latest.body)
    template_id = entry.uuid("id", derived_id(service_id, "template", template_type, latest.name))
    earlier: list[TemplateVersionSeed] = []
    for i, item in enumerate(entry.tables("versions")):
        version_entry = _Entry(item, source, f"{where}.versions[{i}]")
        earlier.append(_parse_version(version_entry, template_type, latest=False))
        version_entry.finish()
    template = TemplateSeed(
        id=template_id,
        template_type=template_type,
        versions=(*earlier, latest),
        archived=entry.boolean("archived", False),
        created_by=entry.text("created_by") or author,
        unsubscribe_link=entry.boolean("unsubscribe_link", False),
    )
    if template.unsubscribe_link and template_type != "email":
        raise entry.fail("unsubscribe_link", "is only for email templates")
    entry.finish()
    return template


def _parse_received_text(
    data: object, source: str, where: str, service_id: str, derived: dict[str, int]
) -> ReceivedTextSeed:
    entry = _Entry(data, source, where)
    user_number = entry.required_text("user_number")
    content = entry.required_text("content")
    created_at = entry.timestamp("created_at")
    parts = (
        service_id,
        "received_text",
        user_number,
        content,
        created_at.isoformat() if created_at else "",
    )
    # The same text twice (without ids) is two texts: each later one counts in its id.
    occurrence = derived[derived_id(*parts)] = derived.get(derived_id(*parts), 0) + 1
    text = ReceivedTextSeed(
        id=entry.uuid(
            "id", derived_id(*parts) if occurrence == 1 else derived_id(*parts, str(occurrence))
        ),
        user_number=user_number,
        content=content,
        created_at=created_at,
    )
    entry.finish()
    return text
