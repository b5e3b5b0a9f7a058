"""Loading a seed into the store, idempotently: the same ids update, never duplicate."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update

from notify_emulator.clock import utc_naive
from notify_emulator.rules.constants import DEFAULT_SMS_SENDER
from notify_emulator.seed import (
    ConfigError,
    ReplyToSeed,
    SeedConfig,
    ServiceSeed,
    SmsSenderSeed,
    derived_id,
)
from notify_emulator.store import tables as t
from notify_emulator.store.config_cache import mark_config_changed
from notify_emulator.store.faults import upsert_fault
from notify_emulator.store.store import Store

# notify-api.md §5.3: a letter template's postage when it names none.
DEFAULT_LETTER_POSTAGE = "second"
# notify-api.md §5.4: every service has a hidden "Pre-compiled PDF" letter template.
PRECOMPILED_TEMPLATE_NAME = "Pre-compiled PDF"
PRECOMPILED_POSTAGE = "second"


def precompiled_template_id(service_id: str) -> str:
    """The id of a service's hidden precompiled-letter template."""
    return derived_id(service_id, "precompiled_letter_template")


def apply_seed(store: Store, config: SeedConfig, *, source: str = "seed") -> None:
    """Create or update every service of ``config`` (one transaction).

    The configuration generation moves on in the same transaction, so every process sharing
    the database drops its cached configuration before its next read. A record whose id is
    another service's already stored is a :class:`ConfigError` naming ``source``, and
    nothing changes.
    """
    with store.db.begin() as connection:
        _check_ids_are_not_other_services(connection, config, source)
        for service in config.services:
            _apply_service(store, connection, service)
        for fault in config.faults:
            upsert_fault(connection, fault, store.now())
        mark_config_changed(connection)
    store.config.forget()


# The seeded records keyed by an id of their own, as (seed field, table).
_OWN_ID_TABLES = (
    ("api_keys", t.api_keys),
    ("sms_senders", t.sms_senders),
    ("email_reply_to", t.email_reply_to),
    ("templates", t.templates),
    ("received_texts", t.received_texts),
)


def _check_ids_are_not_other_services(
    connection: Connection, config: SeedConfig, source: str
) -> None:
    # Notify's ids are unique over every service: updating "the row with this id" when it is
    # another service's would move that record to this service, silently.
    for index, service in enumerate(config.services):
        for field, table in _OWN_ID_TABLES:
            ids = {
                (record.id or derived_id(service.id, "api_key", record.name)): position
                for position, record in enumerate(getattr(service, field))
            }
            if not ids:
                continue
            rows = connection.execute(
                select(table.c.id, table.c.service_id).where(table.c.id.in_(list(ids)))
            ).all()
            for row in rows:
                if row.service_id != service.id:
                    where = f"services[{index}] ({service.name!r}).{field}[{ids[row.id]}]"
                    raise ConfigError(
                        f"{source}: {where}: field 'id': {row.id!r} belongs to another service"
                        f" ({row.service_id})"
                    )


def _upsert(
    connection: Connection,
    table: Table,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    on_insert: Mapping[str, Any] | None = None,
) -> bool:
    """Update the row with ``key`` or insert it (adding ``on_insert``); True when inserted."""
    condition = [table.c[name] == value for name, value in key.items()]
    exists = connection.execute(select(*[table.c[name] for name in key]).where(*condition)).first()
    if exists:
        if values:
            connection.execute(update(table).where(*condition).values(**values))
        return False
    connection.execute(table.insert().values(**{**(on_insert or {}), **key, **values}))
    return True


def _apply_service(store: Store, connection: Connection, service: ServiceSeed) -> None:
    now = store.now()
    existing = connection.execute(
        select(t.services.c.created_at).where(t.services.c.id == service.id)
    ).scalar()
    _upsert(
        connection,
        t.services,
        {"id": service.id},
        {
            "name": service.name,
            "active": service.active,
            "trial_mode": service.trial_mode,
            "rate_limit": service.rate_limit,
            "sms_message_limit": service.sms_message_limit,
            "email_message_limit": service.email_message_limit,
            "letter_message_limit": service.letter_message_limit,
            "international_sms_message_limit": service.international_sms_message_limit,
            "permissions": list(service.permissions),
            "letter_contact_block": service.letter_contact_block,
            "guest_list": list(service.guest_list),
            "inbound_number": service.inbound_number,
            "contact_link": service.contact_link,
            "prefix_sms": service.prefix_sms,
            "data_retention_days": service.data_retention_days,
            "created_at": existing or now,
        },
    )
    _apply_keys(connection, service, now)
    _apply_senders(connection, service)
    _apply_reply_tos(connection, service)
    _apply_templates(connection, service, now)
    _apply_precompiled_template(connection, service, now)
    _apply_callbacks(connection, service, now)
    for received in service.received_texts:
        _upsert(
            connection,
            t.received_texts,
            {"id": received.id},
            {
                "service_id": service.id,
                "user_number": received.user_number,
                "notify_number": service.inbound_number,
                "content": received.content,
                **({"created_at": utc_naive(received.created_at)} if received.created_at else {}),
            },
            # Without a time of its own, a text counts as received when first seeded.
            on_insert={"created_at": now},
        )


def _apply_keys(connection: Connection, service: ServiceSeed, now: Any) -> None:
    for key in service.api_keys:
        key_id = key.id or derived_id(service.id, "api_key", key.name)
        current = connection.execute(
            select(t.api_keys.c.secret, t.api_keys.c.expiry_date).where(t.api_keys.c.id == key_id)
        ).first()
        # A key without a secret in the seed keeps the one it was given on first load.
        secret = key.secret or (current.secret if current else str(uuid.uuid4()))
        if key.revoked_at is not None:
            expiry = utc_naive(key.revoked_at)
        elif key.revoked:
            expiry = current.expiry_date if current and current.expiry_date else now
        else:
            expiry = None
        _upsert(
            connection,
            t.api_keys,
            {"id": key_id},
            {
                "service_id": service.id,
                "name": key.name,
                "key_type": key.key_type,
                "secret": secret,
                "expiry_date": expiry,
                **({} if current else {"created_at": now}),
            },
        )


def _default_index(records: Sequence[SmsSenderSeed | ReplyToSeed]) -> int | None:
    """Which of a seed's senders is the default: the one marked so, else the first not
    archived (as the set-up steps make a service's first sender its default)."""
    marked = [index for index, record in enumerate(records) if record.is_default]
    if marked:
        return marked[0]
    return next((index for index, record in enumerate(records) if not record.archived), None)


def _clear_other_defaults(connection: Connection, table: Table, service: ServiceSeed) -> None:
    # A seed that lists a service's senders names its default: one stored before, by an
    # earlier load or a set-up step, stops being one, so the service keeps a single default.
    ids = [record.id for record in getattr(service, table.name)]
    connection.execute(
        update(table)
        .where(
            table.c.service_id == service.id, table.c.is_default.is_(True), table.c.id.not_in(ids)
        )
        .values(is_default=False)
    )


def _apply_reply_tos(connection: Connection, service: ServiceSeed) -> None:
    reply_tos = service.email_reply_to
    if not reply_tos:
        return
    _clear_other_defaults(connection, t.email_reply_to, service)
    default = _default_index(reply_tos)
    for index, reply_to in enumerate(reply_tos):
        _upsert(
            connection,
            t.email_reply_to,
            {"id": reply_to.id},
            {
                "service_id": service.id,
                "email_address": reply_to.email_address,
                "is_default": index == default,
                "archived": reply_to.archived,
            },
        )


def _apply_senders(connection: Connection, service: ServiceSeed) -> None:
    senders = service.sms_senders
    if not senders:
        # notify-api.md §5.1: the default sender is the inbound number when there is one.
        text = service.inbound_number or DEFAULT_SMS_SENDER
        sender_id = derived_id(service.id, "default_sms_sender")
        # It stays the default unless a set-up step has made another sender the default.
        other_default = connection.execute(
            select(t.sms_senders.c.id).where(
                t.sms_senders.c.service_id == service.id,
                t.sms_senders.c.is_default.is_(True),
                t.sms_senders.c.id != sender_id,
            )
        ).first()
        senders_values = [(sender_id, text, other_default is None, False)]
    else:
        _clear_other_defaults(connection, t.sms_senders, service)
        default = _default_index(senders)
        senders_values = [
            (sender.id, sender.sms_sender, index == default, sender.archived)
            for index, sender in enumerate(senders)
        ]
    for sender_id, text, is_default, archived in senders_values:
        _upsert(
            connection,
            t.sms_senders,
            {"id": sender_id},
            {
                "service_id": service.id,
                "sms_sender": text,
                "is_default": is_default,
                "archived": archived,
            },
        )


def _apply_templates(connection: Connection, service: ServiceSeed, now: Any) -> None:
    for template in service.templates:
        created_at = (
            connection.execute(
                select(t.templates.c.created_at).where(t.templates.c.id == template.id)
            ).scalar()
            or now
        )
        _upsert(
            connection,
            t.templates,
            {"id": template.id},
            {
                "service_id": service.id,
                "template_type": template.template_type,
                "version": len(template.versions),
                "archived": template.archived,
                "hidden": False,
                "has_unsubscribe_link": template.unsubscribe_link,
                "created_at": created_at,
            },
        )
        latest = len(template.versions)
        for number, version in enumerate(template.versions, start=1):
            contact_block = version.letter_contact_block
            postage = version.postage
            if template.template_type == "letter":
                # The template's own fields take the service's block when they name none; an
                # earlier version is whole as written (emulator.md), so without one it has none.
                if contact_block is None and number == latest:
                    contact_block = service.letter_contact_block
                postage = postage or DEFAULT_LETTER_POSTAGE
            existing = connection.execute(
                select(t.template_versions.c.updated_at).where(
                    t.template_versions.c.template_id == template.id,
                    t.template_versions.c.version == number,
                )
            ).first()
            _upsert(
                connection,
                t.template_versions,
                {"template_id": template.id, "version": number},
                {
                    "name": version.name,
                    "subject": version.subject,
                    "body": version.body,
                    "letter_contact_block": contact_block,
                    "postage": postage,
                    "created_by": template.created_by,
                    "created_at": created_at,
                    # Version 1 was never edited; a later version was saved "now" (first load).
                    "updated_at": None
                    if number == 1
                    else (existing.updated_at if existing and existing.updated_at else now),
                },
            )


def _apply_callbacks(connection: Connection, service: ServiceSeed, now: Any) -> None:
    # Only the types the seed names change: a seed without callbacks leaves them as they are.
    for callback in service.callbacks:
        key = {"service_id": service.id, "callback_type": callback.callback_type}
        if not callback.url:
            connection.execute(
                delete(t.service_callbacks).where(
                    t.service_callbacks.c.service_id == service.id,
                    t.service_callbacks.c.callback_type == callback.callback_type,
                )
            )
            continue
        _upsert(
            connection,
            t.service_callbacks,
            key,
            {"url": callback.url, "bearer_token": callback.bearer_token, "updated_at": now},
        )


def _apply_precompiled_template(connection: Connection, service: ServiceSeed, now: Any) -> None:
    template_id = precompiled_template_id(service.id)
    exists = connection.execute(
        select(t.templates.c.id).where(t.templates.c.id == template_id)
    ).first()
    if exists:
        return
    connection.execute(
        t.templates.insert().values(
            id=template_id,
            service_id=service.id,
            template_type="letter",
            version=1,
            archived=False,
            hidden=True,
            created_at=now,
        )
    )
    connection.execute(
        t.template_versions.insert().values(
            template_id=template_id,
            version=1,
            name=PRECOMPILED_TEMPLATE_NAME,
            subject=PRECOMPILED_TEMPLATE_NAME,
            body="",
            postage=PRECOMPILED_POSTAGE,
            created_at=now,
        )
    )
