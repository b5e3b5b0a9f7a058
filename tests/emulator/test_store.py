"""The store: migrations, durability across restarts, indexes, lazy status advancement."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

from notifications_python_client.notifications import NotificationsAPIClient
from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.demo import service as demo
from notify_emulator.rules.lifecycle import DeliveryDelays
from notify_emulator.server import BackgroundServer
from notify_emulator.store import DatabaseError, Store
from notify_emulator.store.engine import create_database_engine
from notify_emulator.store.migrations import MIGRATIONS, applied_versions, migrate
from notify_emulator.store.tables import schema_migrations

from ..emulators import demo_text, emulator_settings, serve_emulator


def test_migrations_are_recorded_once(fresh_store: Store) -> None:
    store = fresh_store
    assert applied_versions(store.engine) == [version for version, _, _ in MIGRATIONS]
    assert migrate(store.engine) == []


def _schema_and_rows(url: str) -> tuple[list[tuple[object, ...]], dict[str, list[object]]]:
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            schema = connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            ).all()
            rows = {
                table: connection.exec_driver_sql(f"SELECT * FROM {table}").all()
                for table in ("config_generation", "emulator_clock")
            }
            rows["versions"] = connection.exec_driver_sql(
                "SELECT version, name FROM schema_migrations ORDER BY version"
            ).all()
    finally:
        engine.dispose()
    return [tuple(row) for row in schema], {name: list(found) for name, found in rows.items()}


def test_a_new_database_gets_what_every_migration_in_turn_would_give(tmp_path: Path) -> None:
    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    fresh = create_database_engine(fresh_url)
    assert migrate(fresh) == [version for version, _, _ in MIGRATIONS]
    fresh.dispose()
    # With one table already there (an empty registry), each migration runs on its own.
    stepped_url = f"sqlite:///{tmp_path / 'stepped.sqlite3'}"
    stepped = create_database_engine(stepped_url)
    schema_migrations.create(stepped)
    assert migrate(stepped) == [version for version, _, _ in MIGRATIONS]
    stepped.dispose()

    assert _schema_and_rows(fresh_url) == _schema_and_rows(stepped_url)


def test_list_queries_have_indexes(fresh_store: Store) -> None:
    store = fresh_store
    indexes = {
        index["name"]: index["column_names"]
        for index in inspect(store.engine).get_indexes("notifications")
    }
    assert indexes["ix_notifications_list"] == ["service_id", "key_type", "created_at", "id"]
    assert indexes["ix_notifications_next_step_at"] == ["next_step_at"]
    with store.engine.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM notifications WHERE service_id = 'a' "
            "AND key_type = 'normal' ORDER BY created_at DESC, id DESC LIMIT 250"
        ).all()
    assert "ix_notifications_list" in " ".join(str(row) for row in plan)


def test_sqlite_file_uses_wal(fresh_store: Store) -> None:
    store = fresh_store
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_unusable_database() -> None:
    with pytest.raises(DatabaseError, match="unsupported database"):
        Store.open("mysql://nowhere/db", FrozenClock())
    with pytest.raises(DatabaseError, match="cannot use the database"):
        Store.open("sqlite:////proc/no/such/dir/db.sqlite3", FrozenClock())


def serve(database: Path, clock: FrozenClock) -> AbstractContextManager[BackgroundServer]:
    delays = DeliveryDelays(sending=timedelta(seconds=1), final=timedelta(seconds=2))
    return serve_emulator(
        emulator_settings(f"sqlite:///{database}", clock=clock, delivery_delays=delays)
    )


def test_notifications_survive_a_restart_and_keep_advancing(tmp_path: Path) -> None:
    database = tmp_path / "emulator.sqlite3"
    clock = FrozenClock(datetime.now(timezone.utc))
    with serve(database, clock) as server:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url)
        sent = client.send_sms_notification("07700900123", demo.SMS_TEMPLATE_ID, {"name": "A"})
        assert client.get_notification_by_id(sent["id"])["status"] == "created"
    clock.advance(3)  # time passes while the server is down
    with serve(database, clock) as server:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url)
        got = client.get_notification_by_id(sent["id"])
        assert got["status"] == "delivered"
        assert got["body"] == "Hello A, this is a demo text."
        listed = client.get_all_notifications()["notifications"]
        assert [n["id"] for n in listed] == [sent["id"]]


def test_paging_is_independent_of_table_size(tmp_path: Path) -> None:
    # Many rows inserted straight through the store; the client's iterator still pages.
    clock = FrozenClock(datetime.now(timezone.utc))
    settings = emulator_settings(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", clock=clock, delivery_delays=DeliveryDelays()
    )
    app = create_app(settings)
    store: Store = app.state.emulator.store
    start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=1)
    for number in range(600):
        store.insert_notification(
            demo_text(
                f"00000000-0000-4000-8000-{number:012d}",
                start + timedelta(seconds=number),
                personalisation={"name": str(number)},
            )
        )
    with BackgroundServer(app) as server:
        client = NotificationsAPIClient(demo.LIVE_API_KEY, base_url=server.base_url)
        first = client.get_all_notifications()
        assert len(first["notifications"]) == 250
        ids = [n["id"] for n in client.get_all_notifications_iterator()]
    assert len(ids) == 600
    assert ids[0] == "00000000-0000-4000-8000-000000000599"
    assert ids[-1] == "00000000-0000-4000-8000-000000000000"


def test_a_database_from_before_migration_2_is_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = Store.open(url, FrozenClock())
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE templates DROP COLUMN has_unsubscribe_link")
        connection.exec_driver_sql("DELETE FROM schema_migrations WHERE version = 2")
    store.close()
    store = Store.open(url, FrozenClock())
    columns = {c["name"] for c in inspect(store.engine).get_columns("templates")}
    assert "has_unsubscribe_link" in columns
    assert applied_versions(store.engine) == [version for version, _, _ in MIGRATIONS]
    store.close()


def test_a_sqlite_file_hands_out_the_connection_used_last(tmp_path: Path) -> None:
    # The one used last still has its page cache; the one idle longest may have lost it.
    engine = create_database_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    try:
        with engine.connect() as first, engine.connect() as second:
            first_driver = first.connection.dbapi_connection
            second_driver = second.connection.dbapi_connection
            assert first_driver is not second_driver
        # `second` closed first (the `with` unwinds inner to outer), so `first` went back last.
        with engine.connect() as again:
            assert again.connection.dbapi_connection is first_driver
    finally:
        engine.dispose()
