"""The set-up steps' writes and reads: services, keys, templates, senders, reply-tos.

Each write is one transaction that also moves the configuration generation on
(:func:`~notify_emulator.store.config_cache.mark_config_changed`), so every process sharing the
database stops using its cached copy; then this process forgets its own. Rows are written with
the seeding code's upsert, and a new service goes through :func:`apply_seed` itself, so the
set-up steps and seed files store exactly the same things.

Checks of the values themselves (Notify's form messages) belong to the caller
(``rules/setup_forms.py``); the checks here are those that need the database: does the record
exist, is the name taken, would the service be left without a default sender. They raise
:class:`SetupConflict`, whose message is Notify's where Notify has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from notify_emulator.rules.placeholders import normalise_key
from notify_emulator.seed import DEFAULT_TEMPLATE_AUTHOR, SeedConfig
from notify_emulator.store import tables as t
from notify_emulator.store.config_cache import CONFIG_ROW_ID, mark_config_changed
from notify_emulator.store.records import ApiKeyRecord, ReplyToRecord, SmsSenderRecord
from notify_emulator.store.seeding import DEFAULT_LETTER_POSTAGE, _apply_service, _upsert
from notify_emulator.store.store import Store

__all__ = [
    "SERVICE_SETTINGS",
    "VERSION_FIELDS",
    "SetupConflict",
    "SetupNotFound",
    "TemplateVersion",
    "add_api_key",
    "add_reply_to",
    "add_sms_sender",
    "all_api_keys",
    "all_reply_tos",
    "all_sms_senders",
    "all_templates",
    "archive_reply_to",
    "archive_sms_sender",
    "change_reply_to",
    "change_sms_sender",
    "configuration_generation",
    "configuration_rows",
    "create_template",
    "replace_configuration",
    "revoke_api_key",
    "template_row",
    "template_versions",
    "update_service",
    "update_template",
]

# The services columns a set-up step may change (the seed's service fields).
SERVICE_SETTINGS = (
    "name",
    "active",
    "trial_mode",
    "rate_limit",
    "sms_message_limit",
    "email_message_limit",
    "letter_message_limit",
    "international_sms_message_limit",
    "permissions",
    "letter_contact_block",
    "guest_list",
    "inbound_number",
    "contact_link",
    "prefix_sms",
    "data_retention_days",
)
# What each version of a template holds; everything else is the template's own state.
VERSION_FIELDS = ("name", "subject", "body", "letter_contact_block", "postage")


class SetupNotFound(LookupError):
    """The service, key, template, sender or reply-to named does not exist."""


class SetupConflict(ValueError):
    """The change would break a rule that needs the stored records; ``field`` names the
    value at fault when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class TemplateVersion:
    """One stored version of a template (every field the version row holds)."""

    template_id: str
    version: int
    name: str
    subject: str | None
    body: str
    letter_contact_block: str | None
    postage: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime | None


@contextmanager
def _changing(store: Store) -> Iterator[Connection]:
    """One writing transaction that marks the configuration changed."""
    with store.db.begin() as connection:
        yield connection
        mark_config_changed(connection)
    store.config.forget()


def _require_service(connection: Connection, service_id: str) -> Mapping[str, Any]:
    row = connection.execute(select(t.services).where(t.services.c.id == service_id)).first()
    if row is None:
        raise SetupNotFound(f"no service with id {service_id}")
    return dict(row._mapping)


def configuration_generation(store: Store) -> int | None:
    """The configuration's generation now (it moves on with every change)."""
    with store.db.connect() as connection:
        value = connection.execute(
            select(t.config_generation.c.generation).where(
                t.config_generation.c.id == CONFIG_ROW_ID
            )
        ).scalar()
    return None if value is None else int(value)


# The configuration tables, children first (the order rows can be deleted in).
_CONFIG_TABLES = (
    t.service_callbacks,
    t.template_versions,
    t.templates,
    t.api_keys,
    t.sms_senders,
    t.email_reply_to,
    t.services,
)


# What is not configuration: what was sent and received, the faults and the clock (which a
# reset empties first), and the bookkeeping. Every other table is, new ones included.
_NOT_CONFIGURATION = frozenset(
    {
        *(table.name for table in t.ACTIVITY_TABLES),
        t.activity_events.name,
        t.faults.name,
        t.emulator_clock.name,
        t.config_generation.name,
        t.schema_migrations.name,
    }
)


def configuration_rows(store: Store) -> tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]:
    """Every row of every configuration table, in key order: equal for two moments exactly
    when nothing in the configuration differs between them, down to the last column."""
    tables = [table for table in t.metadata.sorted_tables if table.name not in _NOT_CONFIGURATION]
    with store.db.connect() as connection:
        return tuple(
            (
                table.name,
                tuple(
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*(table.primary_key.columns or table.columns))
                    )
                ),
            )
            for table in tables
        )


def replace_configuration(store: Store, config: SeedConfig) -> None:
    """Make the configuration exactly ``config``, in one transaction: everything else is
    deleted, what was sent and received included (it belongs to the services removed)."""
    with _changing(store) as connection:
        for table in (*t.ACTIVITY_TABLES, *_CONFIG_TABLES):
            connection.execute(table.delete())
        for service in config.services:
            _apply_service(store, connection, service)


# --- services -----------------------------------------------------------------------------------


def update_service(store: Store, service_id: str, changes: Mapping[str, Any]) -> None:
    """Change some of a service's settings (keys of :data:`SERVICE_SETTINGS`)."""
    unknown = set(changes) - set(SERVICE_SETTINGS)
    if unknown:
        raise ValueError(f"not service settings: {', '.join(sorted(unknown))}")
    with _changing(store) as connection:
        _require_service(connection, service_id)
        if changes:
            values = {
                name: list(value) if name in {"permissions", "guest_list"} else value
                for name, value in changes.items()
            }
            connection.execute(
                update(t.services).where(t.services.c.id == service_id).values(**values)
            )


# --- API keys -----------------------------------------------------------------------------------


def all_api_keys(store: Store, service_id: str) -> list[ApiKeyRecord]:
    """Every key of the service, revoked ones included, oldest first."""
    with store.db.connect() as connection:
        rows = connection.execute(
            select(t.api_keys)
            .where(t.api_keys.c.service_id == service_id)
            .order_by(t.api_keys.c.created_at, t.api_keys.c.id)
        ).all()
    return [ApiKeyRecord(**row._mapping) for row in rows]


def add_api_key(store: Store, service_id: str, name: str, key_type: str) -> ApiKeyRecord:
    """A new key with a random id and secret (``uuid4``, as Notify makes them).

    Raises :class:`SetupConflict` ``A key with this name already exists`` when an unrevoked
    key of the service has the same name (compared as Notify does).
    """
    key_id = str(uuid.uuid4())
    with _changing(store) as connection:
        _require_service(connection, service_id)
        names = connection.execute(
            select(t.api_keys.c.name).where(
                t.api_keys.c.service_id == service_id, t.api_keys.c.expiry_date.is_(None)
            )
        ).scalars()
        if normalise_key(name) in {normalise_key(existing) for existing in names}:
            raise SetupConflict("A key with this name already exists", "name")
        values: dict[str, Any] = {
            "id": key_id,
            "service_id": service_id,
            "name": name,
            "key_type": key_type,
            "secret": str(uuid.uuid4()),
            "expiry_date": None,
            "created_at": store.now(),
        }
        connection.execute(t.api_keys.insert().values(**values))
    return ApiKeyRecord(**values)


def revoke_api_key(store: Store, service_id: str, key_id: str) -> ApiKeyRecord:
    """Revoke a key; revoking it again keeps the first revocation time (so the week in which
    Notify still names it "revoked" counts from then)."""
    with _changing(store) as connection:
        row = connection.execute(
            select(t.api_keys).where(
                t.api_keys.c.id == key_id, t.api_keys.c.service_id == service_id
            )
        ).first()
        if row is None:
            raise SetupNotFound(f"no API key with id {key_id} in service {service_id}")
        key = ApiKeyRecord(**row._mapping)
        if key.expiry_date is None:
            now = store.now()
            connection.execute(
                update(t.api_keys).where(t.api_keys.c.id == key_id).values(expiry_date=now)
            )
            key = ApiKeyRecord(**{**key.__dict__, "expiry_date": now})
    return key


# --- templates ----------------------------------------------------------------------------------


def all_templates(store: Store, service_id: str) -> list[Mapping[str, Any]]:
    """Every template row of the service (archived included, the hidden precompiled one not),
    oldest first."""
    with store.db.connect() as connection:
        rows = connection.execute(
            select(t.templates)
            .where(t.templates.c.service_id == service_id, t.templates.c.hidden.is_(False))
            .order_by(t.templates.c.created_at, t.templates.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def template_row(store: Store, template_id: str) -> dict[str, Any] | None:
    """A template's own row (not its content), unless it is unknown or hidden."""
    with store.db.connect() as connection:
        row = connection.execute(
            select(t.templates).where(
                t.templates.c.id == template_id, t.templates.c.hidden.is_(False)
            )
        ).first()
    return None if row is None else dict(row._mapping)


def template_versions(store: Store, template_id: str) -> list[TemplateVersion]:
    """Every version of a template up to its current one, oldest first (empty for an unknown
    id)."""
    with store.db.connect() as connection:
        return _versions(connection, template_id)


def _versions(connection: Connection, template_id: str) -> list[TemplateVersion]:
    # Up to the template's current version: loading a seed with fewer versions than were saved
    # moves the template back and leaves the later rows (notifications may still name them).
    rows = connection.execute(
        select(t.template_versions)
        .join(t.templates, t.templates.c.id == t.template_versions.c.template_id)
        .where(
            t.template_versions.c.template_id == template_id,
            t.template_versions.c.version <= t.templates.c.version,
        )
        .order_by(t.template_versions.c.version)
    ).all()
    return [TemplateVersion(**row._mapping) for row in rows]


def create_template(
    store: Store,
    service_id: str,
    template_type: str,
    content: Mapping[str, Any],
    *,
    created_by: str | None = None,
    unsubscribe_link: bool = False,
) -> str:
    """A new template (random id) at version 1; ``content`` holds :data:`VERSION_FIELDS`.

    A letter without its own contact block gets the service's, and second class unless told,
    as a seed file's letter does."""
    template_id = str(uuid.uuid4())
    with _changing(store) as connection:
        service = _require_service(connection, service_id)
        now = store.now()
        version = {name: content.get(name) for name in VERSION_FIELDS}
        if template_type == "letter":
            if version["letter_contact_block"] is None:
                version["letter_contact_block"] = service["letter_contact_block"]
            version["postage"] = version["postage"] or DEFAULT_LETTER_POSTAGE
        author = created_by or next(
            (item for item in service["guest_list"] or () if "@" in item), DEFAULT_TEMPLATE_AUTHOR
        )
        connection.execute(
            t.templates.insert().values(
                id=template_id,
                service_id=service_id,
                template_type=template_type,
                version=1,
                archived=False,
                hidden=False,
                has_unsubscribe_link=unsubscribe_link,
                created_at=now,
            )
        )
        _upsert(
            connection,
            t.template_versions,
            {"template_id": template_id, "version": 1},
            {**version, "created_by": author, "created_at": now, "updated_at": None},
        )
    return template_id


def update_template(
    store: Store,
    template_id: str,
    changes: Mapping[str, Any],
    *,
    archived: bool | None = None,
    unsubscribe_link: bool | None = None,
    created_by: str | None = None,
    service_id: str | None = None,
) -> int:
    """Save a template's changes as a new version and return its number.

    ``changes`` holds :data:`VERSION_FIELDS` to change; the rest of the version is carried
    over. As in Notify, a save that changes nothing makes no version (the current number is
    returned), and archiving is itself a save. An archived template cannot be changed.
    """
    with _changing(store) as connection:
        condition = [t.templates.c.id == template_id, t.templates.c.hidden.is_(False)]
        if service_id is not None:
            condition.append(t.templates.c.service_id == service_id)
        template = connection.execute(select(t.templates).where(*condition)).first()
        if template is None:
            raise SetupNotFound(f"no template with id {template_id}")
        if template.archived:
            raise SetupConflict("This template has been deleted")
        versions = _versions(connection, template_id)
        if not versions:
            raise SetupNotFound(f"no template with id {template_id}")
        current = versions[-1]
        content = {name: getattr(current, name) for name in VERSION_FIELDS}
        new_content = {**content, **{k: v for k, v in changes.items() if k in VERSION_FIELDS}}
        flags: dict[str, Any] = {}
        if archived:
            flags["archived"] = True
        if unsubscribe_link is not None and unsubscribe_link != template.has_unsubscribe_link:
            flags["has_unsubscribe_link"] = unsubscribe_link
        if new_content == content and not flags:
            return current.version
        number = current.version + 1
        # Only the save that read version n may make n + 1: a concurrent save finds the number
        # moved on and is refused rather than overwriting.
        moved = connection.execute(
            update(t.templates)
            .where(t.templates.c.id == template_id, t.templates.c.version == current.version)
            .values(version=number, **flags)
        )
        if not moved.rowcount:
            raise SetupConflict("The template was changed at the same time; try again")
        _upsert(
            connection,
            t.template_versions,
            {"template_id": template_id, "version": number},
            {
                **new_content,
                "created_by": created_by or current.created_by,
                "created_at": current.created_at,
                "updated_at": store.now(),
            },
        )
    return number


# --- SMS senders and reply-to addresses ---------------------------------------------------------


def all_sms_senders(store: Store, service_id: str) -> list[SmsSenderRecord]:
    """Every SMS sender of the service (archived included), the default first."""
    return [SmsSenderRecord(**row) for row in _rows(store, t.sms_senders, service_id)]


def all_reply_tos(store: Store, service_id: str) -> list[ReplyToRecord]:
    """Every email reply-to address of the service (archived included), the default first."""
    return [ReplyToRecord(**row) for row in _rows(store, t.email_reply_to, service_id)]


def _rows(store: Store, table: Table, service_id: str) -> list[dict[str, Any]]:
    with store.db.connect() as connection:
        rows = connection.execute(
            select(table)
            .where(table.c.service_id == service_id)
            .order_by(table.c.is_default.desc(), table.c.archived, table.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


@dataclass(frozen=True)
class _SenderKind:
    """Notify's messages for one kind of sender (its DAO's exceptions, word for word)."""

    table: Table
    value_column: str
    no_default: str
    """Adding a non-default sender when there is no default."""
    keep_default: str
    """Making the default sender not the default."""
    archive_default: str


_SMS = _SenderKind(
    t.sms_senders,
    "sms_sender",
    "You must have at least one SMS sender as the default.",
    "You must have at least one SMS sender as the default",
    "You cannot delete a default sms sender",
)
_REPLY_TO = _SenderKind(
    t.email_reply_to,
    "email_address",
    "You must have at least one reply to email address as the default.",
    "You must have at least one reply to email address as the default.",
    "You cannot delete a default email reply to address",
)


def _add(store: Store, kind: _SenderKind, service_id: str, value: str, is_default: bool) -> str:
    # Notify's dao_add_sms_sender_for_service / add_reply_to_email_address_for_service: a new
    # default replaces the old one; a new non-default needs a default to exist already.
    sender_id = str(uuid.uuid4())
    with _changing(store) as connection:
        _require_service(connection, service_id)
        if is_default:
            _clear_default(connection, kind, service_id)
        elif not _has_default(connection, kind, service_id):
            raise SetupConflict(kind.no_default, "is_default")
        _upsert(
            connection,
            kind.table,
            {"id": sender_id},
            {
                "service_id": service_id,
                kind.value_column: value,
                "is_default": is_default,
                "archived": False,
            },
        )
    return sender_id


def _change(
    store: Store,
    kind: _SenderKind,
    service_id: str,
    sender_id: str,
    value: str | None,
    is_default: bool | None,
) -> None:
    with _changing(store) as connection:
        row = _require_sender(connection, kind, service_id, sender_id)
        if row["archived"]:
            raise SetupNotFound(f"no {kind.value_column} with id {sender_id}")
        values: dict[str, Any] = {}
        if value is not None:
            values[kind.value_column] = value
        if is_default is True and not row["is_default"]:
            _clear_default(connection, kind, service_id)
            values["is_default"] = True
        elif is_default is False and row["is_default"]:
            raise SetupConflict(kind.keep_default, "is_default")
        if values:
            connection.execute(
                update(kind.table).where(kind.table.c.id == sender_id).values(**values)
            )


def _archive(store: Store, kind: _SenderKind, service_id: str, sender_id: str) -> None:
    with _changing(store) as connection:
        row = _require_sender(connection, kind, service_id, sender_id)
        if row["is_default"]:
            raise SetupConflict(kind.archive_default)
        if kind is _SMS:
            service = _require_service(connection, service_id)
            if service["inbound_number"] and row["sms_sender"] == service["inbound_number"]:
                raise SetupConflict("You cannot delete an inbound number")
        connection.execute(
            update(kind.table).where(kind.table.c.id == sender_id).values(archived=True)
        )


def _require_sender(
    connection: Connection, kind: _SenderKind, service_id: str, sender_id: str
) -> Mapping[str, Any]:
    row = connection.execute(
        select(kind.table).where(
            kind.table.c.id == sender_id, kind.table.c.service_id == service_id
        )
    ).first()
    if row is None:
        raise SetupNotFound(f"no {kind.value_column} with id {sender_id} in service {service_id}")
    return dict(row._mapping)


def _has_default(connection: Connection, kind: _SenderKind, service_id: str) -> bool:
    return (
        connection.execute(
            select(kind.table.c.id).where(
                kind.table.c.service_id == service_id,
                kind.table.c.is_default.is_(True),
                kind.table.c.archived.is_(False),
            )
        ).first()
        is not None
    )


def _clear_default(connection: Connection, kind: _SenderKind, service_id: str) -> None:
    connection.execute(
        update(kind.table)
        .where(kind.table.c.service_id == service_id, kind.table.c.is_default.is_(True))
        .values(is_default=False)
    )


def add_sms_sender(store: Store, service_id: str, sms_sender: str, is_default: bool) -> str:
    """A new SMS sender; returns its id."""
    return _add(store, _SMS, service_id, sms_sender, is_default)


def change_sms_sender(
    store: Store,
    service_id: str,
    sender_id: str,
    sms_sender: str | None = None,
    is_default: bool | None = None,
) -> None:
    """Change a sender's text, or make it the default (the old default stops being one)."""
    _change(store, _SMS, service_id, sender_id, sms_sender, is_default)


def archive_sms_sender(store: Store, service_id: str, sender_id: str) -> None:
    """Archive a sender that is not the default."""
    _archive(store, _SMS, service_id, sender_id)


def add_reply_to(store: Store, service_id: str, email_address: str, is_default: bool) -> str:
    """A new email reply-to address; returns its id."""
    return _add(store, _REPLY_TO, service_id, email_address, is_default)


def change_reply_to(
    store: Store,
    service_id: str,
    reply_to_id: str,
    email_address: str | None = None,
    is_default: bool | None = None,
) -> None:
    """Change an address, or make it the default (the old default stops being one)."""
    _change(store, _REPLY_TO, service_id, reply_to_id, email_address, is_default)


def archive_reply_to(store: Store, service_id: str, reply_to_id: str) -> None:
    """Archive an address that is not the default."""
    _archive(store, _REPLY_TO, service_id, reply_to_id)
