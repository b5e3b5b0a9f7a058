"""Faults and the clock's offset in the store: migration 6, sharing between processes, and
counts used up exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect

from notify_emulator.app import create_app
from notify_emulator.clock import FrozenClock
from notify_emulator.faults.rules import parse_fault
from notify_emulator.settings import Settings
from notify_emulator.store import Store
from notify_emulator.store.migrations import MIGRATIONS, applied_versions


def open_store(path: Path) -> Store:
    return Store.open(f"sqlite:///{path}", FrozenClock())


def test_a_database_from_before_migration_6_gets_faults_and_a_clock(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = open_store(path)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE faults")
        connection.exec_driver_sql("DROP TABLE emulator_clock")
        connection.exec_driver_sql("DELETE FROM schema_migrations WHERE version = 6")
    store.close()
    store = open_store(path)
    assert {"faults", "emulator_clock"} <= set(inspect(store.engine).get_table_names())
    assert applied_versions(store.engine) == [version for version, _, _ in MIGRATIONS]
    assert store.clock_offset.current() == timedelta(0)
    assert store.faults.all() == []
    store.close()


def test_a_lost_clock_row_starts_again_from_real_time(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM emulator_clock")
    store.config.forget()
    assert store.clock_offset.current() == timedelta(0)
    assert store.clock_offset.advance(timedelta(minutes=5)) == timedelta(minutes=5)
    store.close()


def test_the_offset_written_by_one_process_is_read_by_another(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "db.sqlite3"), open_store(tmp_path / "db.sqlite3")
    assert second.clock_offset.current() == timedelta(0)  # now kept in memory
    first.clock_offset.advance(timedelta(hours=2))
    assert second.clock_offset.current() == timedelta(hours=2)
    second.clock_offset.move_to(timedelta(hours=3))
    assert first.clock_offset.current() == timedelta(hours=3)
    with pytest.raises(ValueError, match="only moves forward"):
        first.clock_offset.move_to(timedelta(hours=1))
    with pytest.raises(ValueError, match="only moves forward"):
        first.clock_offset.advance(timedelta(seconds=-1))
    assert second.clock_offset.current() == timedelta(hours=3)
    first.close()
    second.close()


def test_advances_made_at_once_all_count(tmp_path: Path) -> None:
    stores = [open_store(tmp_path / "db.sqlite3") for _ in range(2)]
    threads = [
        threading.Thread(target=stores[index % 2].clock_offset.advance, args=(timedelta(1),))
        for index in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stores[0].clock_offset.current() == timedelta(days=10)
    for store in stores:
        store.close()


def test_faults_added_by_one_process_are_seen_by_another(tmp_path: Path) -> None:
    first, second = open_store(tmp_path / "db.sqlite3"), open_store(tmp_path / "db.sqlite3")
    assert second.faults.active() == ()
    added = first.faults.add(parse_fault({"action": {"status": 503}, "times": 2}))
    (seen,) = second.faults.active()
    assert (seen.id, seen.remaining) == (added.id, 2)
    assert second.faults.use(seen)
    assert first.faults.all()[0].remaining == 1
    assert first.faults.use(seen)
    # Used up, and gone for both.
    assert not second.faults.use(seen)
    assert first.faults.active() == ()
    assert second.faults.active() == ()
    first.close()
    second.close()


def test_the_last_hit_goes_to_exactly_one_of_many_racing_requests(tmp_path: Path) -> None:
    stores = [open_store(tmp_path / "db.sqlite3") for _ in range(3)]
    added = stores[0].faults.add(parse_fault({"action": {"drop": "after"}, "times": 5}))
    wins: list[bool] = []
    lock = threading.Lock()

    def race(store: Store) -> None:
        (fault,) = [f for f in store.faults.active() if f.id == added.id] or [added]
        won = store.faults.use(fault)
        with lock:
            wins.append(won)

    threads = [threading.Thread(target=race, args=(stores[i % 3],)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 5
    assert stores[1].faults.all() == []
    for store in stores:
        store.close()


def test_a_fault_without_a_count_is_never_used_up(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    fault = store.faults.add(parse_fault({"action": {"status": 500}, "times": None}))
    assert all(store.faults.use(fault) for _ in range(5))
    assert store.faults.all()[0].remaining is None
    assert store.faults.delete(fault.id)
    assert not store.faults.delete(fault.id)
    store.close()


def test_a_row_that_cannot_be_read_is_skipped(tmp_path: Path) -> None:
    store = open_store(tmp_path / "db.sqlite3")
    kept = store.faults.add(parse_fault({"action": {"status": 500}}))
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO faults (id, position, match, action, times, rate, remaining, created_at) "
            "VALUES ('bad', 9, '{}', '{\"status\": 200}', 1, NULL, 1, '2026-01-01 00:00:00')"
        )
    assert [fault.id for fault in store.faults.all()] == [kept.id]
    store.close()


def test_seeding_services_and_faults_in_memory_keeps_them_all(tmp_path: Path) -> None:
    # The emulator's clock reads its offset while the seed's transaction is open: on SQLite's
    # one in-memory connection that read must not end the transaction.
    seed = tmp_path / "seed.toml"
    seed.write_text(
        """
[[services]]
name = "First"
[[services]]
name = "Second"
[[faults]]
action = { status = 503 }
""",
        encoding="utf-8",
    )
    app = create_app(Settings(database_url="sqlite:///:memory:", config_path=seed))
    store = app.state.emulator.store
    assert [service.name for service in store.list_services()] == ["First", "Second"]
    assert len(store.faults.all()) == 1
    store.close()
