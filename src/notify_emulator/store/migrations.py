"""A small ordered registry of schema migrations, recorded in ``schema_migrations``.

Each migration runs once, in version order, inside a transaction. To change the schema, add a
function to :data:`MIGRATIONS` with the next version number; never edit one that has shipped.

A database without any table (a new file: what the pytest fixture starts every session with)
gets the whole schema in one transaction instead: every table as tables.py defines it, created
without first asking whether each exists, then every later migration, each of which finds its
work done but for the rows it inserts, all recorded at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, Index, inspect, select, text

from notify_emulator.store import tables

Migration = tuple[int, str, Callable[[Connection], None]]


def _initial_schema(connection: Connection) -> None:
    # Creates every table as tables.py now defines it; later migrations are therefore
    # written to be no-ops where this has already done their work.
    tables.metadata.create_all(
        connection,
        tables=[t for t in tables.metadata.sorted_tables if t is not tables.schema_migrations],
    )


def _add_column(connection: Connection, table: str, column: str, definition: str) -> None:
    existing = {c["name"] for c in inspect(connection).get_columns(table)}
    if column not in existing:
        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column} {definition}"))


def _template_unsubscribe_link(connection: Connection) -> None:
    _add_column(connection, "templates", "has_unsubscribe_link", "BOOLEAN NOT NULL DEFAULT false")


def _service_data_retention(connection: Connection) -> None:
    _add_column(connection, "services", "data_retention_days", "INTEGER NOT NULL DEFAULT 7")


def _config_generation(connection: Connection) -> None:
    tables.config_generation.create(connection, checkfirst=True)
    row = connection.execute(
        select(tables.config_generation.c.id).where(tables.config_generation.c.id == 1)
    ).first()
    if row is None:
        connection.execute(tables.config_generation.insert().values(id=1, generation=0))


def _callbacks(connection: Connection) -> None:
    for table in (tables.service_callbacks, tables.callbacks, tables.returned_letters):
        table.create(connection, checkfirst=True)


def _faults_and_clock(connection: Connection) -> None:
    tables.faults.create(connection, checkfirst=True)
    tables.emulator_clock.create(connection, checkfirst=True)
    row = connection.execute(
        select(tables.emulator_clock.c.id).where(tables.emulator_clock.c.id == 1)
    ).first()
    if row is None:
        connection.execute(tables.emulator_clock.insert().values(id=1, offset_microseconds=0))


def _inbox(connection: Connection) -> None:
    # The indexes the web inbox pages by, and the change log its events stream follows.
    tables.activity_events.create(connection, checkfirst=True)
    for name in INBOX_INDEXES:
        index = next(index for index in _all_indexes() if index.name == name)
        index.create(connection, checkfirst=True)


INBOX_INDEXES = (
    "ix_notifications_created",
    "ix_notifications_service_created",
    "ix_notifications_recipient",
    "ix_received_texts_created",
    "ix_received_texts_user",
)


def _all_indexes() -> list[Index]:
    return [index for table in tables.metadata.sorted_tables for index in table.indexes]


def _rate_limit_buckets(connection: Connection) -> None:
    tables.rate_limit_buckets.create(connection, checkfirst=True)


def _unsubscribe_requests(connection: Connection) -> None:
    tables.unsubscribe_requests.create(connection, checkfirst=True)


MIGRATIONS: list[Migration] = [
    (1, "initial schema", _initial_schema),
    (2, "templates.has_unsubscribe_link", _template_unsubscribe_link),
    (3, "services.data_retention_days", _service_data_retention),
    (4, "config_generation", _config_generation),
    (5, "service_callbacks, callbacks, returned_letters", _callbacks),
    (6, "faults and emulator_clock", _faults_and_clock),
    (7, "rate_limit_buckets", _rate_limit_buckets),
    (8, "inbox indexes and activity_events", _inbox),
    (9, "unsubscribe_requests", _unsubscribe_requests),
]


def applied_versions(engine: Engine) -> list[int]:
    """Versions already applied to the database."""
    with engine.connect() as connection:
        rows = connection.execute(select(tables.schema_migrations.c.version)).scalars()
        return sorted(rows)


def migrate(engine: Engine) -> list[int]:
    """Apply every pending migration; returns the versions applied now."""
    # One connection looks and creates: SQLite connections keep the schema they last read, and
    # one that saw no tables would answer some later questions (PRAGMAs) from that.
    with engine.begin() as connection:
        if not inspect(connection).get_table_names():
            return _create_schema(connection)
    tables.schema_migrations.create(engine, checkfirst=True)
    done = set(applied_versions(engine))
    applied: list[int] = []
    for version, name, apply in MIGRATIONS:
        if version in done:
            continue
        with engine.begin() as connection:
            apply(connection)
            _record(connection, version, name)
        applied.append(version)
    return applied


def _create_schema(connection: Connection) -> list[int]:
    """Every migration applied to a database without tables, in the caller's transaction."""
    tables.metadata.create_all(connection, checkfirst=False)
    for version, name, apply in MIGRATIONS:
        if apply is not _initial_schema:  # create_all has just done its work
            apply(connection)
        _record(connection, version, name)
    return [version for version, _, _ in MIGRATIONS]


def _record(connection: Connection, version: int, name: str) -> None:
    connection.execute(
        tables.schema_migrations.insert().values(
            version=version, name=name, applied_at=datetime.now(timezone.utc).replace(tzinfo=None)
        )
    )
