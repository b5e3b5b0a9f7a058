"""The stored configuration as a seed (a plain mapping in the seed file's shape).

Loading what :func:`configuration` returns into an empty database gives the same
configuration: every service with its settings, every key with its id and secret (revoked ones
with the time they were revoked), every SMS sender and reply-to address (archived ones marked),
and every template with all its versions, oldest first, the top-level fields being the latest.
What was sent and received is activity, not configuration, and is left out.

Each part comes from one small function of a table list (:data:`TOP_LEVEL_SECTIONS`,
:data:`SERVICE_SECTIONS`), so a new kind of configuration is one more function. Sections for
tables this database does not have yet (callbacks, faults) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from notify_emulator.clock import format_timestamp
from notify_emulator.faults.rules import FOREVER
from notify_emulator.store import tables as t
from notify_emulator.store.setup import SERVICE_SETTINGS
from notify_emulator.store.store import Store

__all__ = ["SERVICE_SECTIONS", "TOP_LEVEL_SECTIONS", "configuration", "service_callbacks"]

Row = Mapping[str, Any]
Entry = dict[str, Any]

# The service columns written as they are, in the seed file's order (None values left out).
_SERVICE_FIELDS = ("id", *SERVICE_SETTINGS)


def configuration(store: Store) -> dict[str, Any]:
    """Everything configured, as a seed mapping (``{"services": [...], ...}``)."""
    with store.db.connect() as connection:
        present = set(inspect(connection).get_table_names())
        seed: dict[str, Any] = {}
        for name, (table_name, section) in TOP_LEVEL_SECTIONS.items():
            if table_name in present:
                entries = section(connection, present)
                if entries:
                    seed[name] = entries
    return seed


def _services(connection: Connection, present: set[str]) -> list[Entry]:
    rows = connection.execute(select(t.services).order_by(t.services.c.created_at, t.services.c.id))
    services: list[Entry] = []
    for row in rows:
        service = dict(row._mapping)
        entry: Entry = {
            name: list(service[name]) if name in {"permissions", "guest_list"} else service[name]
            for name in _SERVICE_FIELDS
            if service[name] is not None
        }
        for name, (table_name, section) in SERVICE_SECTIONS.items():
            if table_name in present:
                entries = section(connection, service)
                if entries:
                    entry[name] = entries
        services.append(entry)
    return services


def _of_service(connection: Connection, table: Table, service_id: str, *order: Any) -> list[Row]:
    rows = connection.execute(
        select(table).where(table.c.service_id == service_id).order_by(*order, table.c.id)
    )
    return [dict(row._mapping) for row in rows]


def _api_keys(connection: Connection, service: Row) -> list[Entry]:
    entries: list[Entry] = []
    for key in _of_service(connection, t.api_keys, service["id"], t.api_keys.c.created_at):
        entry: Entry = {
            "id": key["id"],
            "name": key["name"],
            "type": key["key_type"],
            "secret": key["secret"],
        }
        if key["expiry_date"] is not None:
            entry["revoked_at"] = format_timestamp(key["expiry_date"])
        entries.append(entry)
    return entries


def _sms_senders(connection: Connection, service: Row) -> list[Entry]:
    return [
        {
            "id": sender["id"],
            "sms_sender": sender["sms_sender"],
            "is_default": sender["is_default"],
            **({"archived": True} if sender["archived"] else {}),
        }
        for sender in _of_service(
            connection, t.sms_senders, service["id"], t.sms_senders.c.is_default.desc()
        )
    ]


def _reply_tos(connection: Connection, service: Row) -> list[Entry]:
    return [
        {
            "id": reply_to["id"],
            "email_address": reply_to["email_address"],
            "is_default": reply_to["is_default"],
            **({"archived": True} if reply_to["archived"] else {}),
        }
        for reply_to in _of_service(
            connection, t.email_reply_to, service["id"], t.email_reply_to.c.is_default.desc()
        )
    ]


def _version(row: Row) -> Entry:
    """One version's content: a field that is null is left out (the seed reads it as empty)."""
    return {
        name: row[name]
        for name in ("name", "subject", "body", "letter_contact_block", "postage")
        if row[name] is not None
    }


def _templates(connection: Connection, service: Row) -> list[Entry]:
    entries: list[Entry] = []
    for template in _of_service(connection, t.templates, service["id"], t.templates.c.created_at):
        if template["hidden"]:
            continue  # the precompiled-letter template, made again by every load
        # Up to the current version: rows past it are left by a seed that moved it back.
        versions = connection.execute(
            select(t.template_versions)
            .where(
                t.template_versions.c.template_id == template["id"],
                t.template_versions.c.version <= template["version"],
            )
            .order_by(t.template_versions.c.version)
        ).all()
        if not versions:
            continue
        latest = dict(versions[-1]._mapping)
        entry: Entry = {"id": template["id"], "type": template["template_type"]}
        entry.update(_version(latest))
        if template["archived"]:
            entry["archived"] = True
        if latest["created_by"]:
            entry["created_by"] = latest["created_by"]
        if template["has_unsubscribe_link"]:
            entry["unsubscribe_link"] = True
        if len(versions) > 1:
            entry["versions"] = [_version(dict(row._mapping)) for row in versions[:-1]]
        entries.append(entry)
    return entries


# Sections for tables a database may not have yet (before migrations 5 and 6) are skipped.
CALLBACKS_TABLE = "service_callbacks"
FAULTS_TABLE = "faults"


def _callbacks(connection: Connection, service: Row) -> list[Entry]:
    table = t.service_callbacks
    rows = connection.execute(
        select(table.c.callback_type, table.c.url, table.c.bearer_token)
        .where(table.c.service_id == service["id"])
        .order_by(table.c.callback_type)
    )
    return [
        {"type": row.callback_type, "url": row.url, "bearer_token": row.bearer_token}
        for row in rows
    ]


def _faults(connection: Connection, _present: set[str]) -> list[Entry]:
    # In the order they were added (the first that matches a request is the one used). A fault
    # lasting until deleted is written "forever": TOML has no null. What is left of a count is
    # activity, not configuration: a loaded fault starts again from its times.
    table = t.faults
    entries: list[Entry] = []
    for row in connection.execute(select(table).order_by(table.c.position, table.c.id)):
        entry: Entry = {"id": row.id}
        if row.match:
            entry["match"] = dict(row.match)
        entry["action"] = dict(row.action)
        entry["times"] = FOREVER if row.times is None else row.times
        if row.rate is not None:
            entry["rate"] = row.rate
        entries.append(entry)
    return entries


SERVICE_SECTIONS: dict[str, tuple[str, Callable[[Connection, Row], list[Entry]]]] = {
    "api_keys": ("api_keys", _api_keys),
    "sms_senders": ("sms_senders", _sms_senders),
    "email_reply_to": ("email_reply_to", _reply_tos),
    "templates": ("templates", _templates),
    "callbacks": (CALLBACKS_TABLE, _callbacks),
}
"""Each service's lists: seed field → (the table it needs, the function that reads it)."""

TOP_LEVEL_SECTIONS: dict[str, tuple[str, Callable[[Connection, set[str]], list[Entry]]]] = {
    "services": ("services", _services),
    "faults": (FAULTS_TABLE, _faults),
}
"""The seed file's top-level lists, likewise."""


def service_callbacks(store: Store, service_id: str) -> list[Entry] | None:
    """A service's callbacks as the seed holds them, or None when this database has none."""
    with store.db.connect() as connection:
        if not inspect(connection).has_table(CALLBACKS_TABLE):
            return None
        return _callbacks(connection, {"id": service_id})
