"""The store's connections: a read inside a thread's own transaction goes through it, and a
small read outside one sees whatever has been committed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, table, text
from sqlalchemy.exc import OperationalError

from notify_emulator.store.direct import DirectStatement
from notify_emulator.store.engine import ConnectionGate, create_database_engine

COUNT_ITEMS = DirectStatement(select(text("count(*)")).select_from(table("items")))
COUNT_MISSING = DirectStatement(select(text("count(*)")).select_from(table("missing")))


@pytest.fixture(params=["memory", "file"])
def gate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConnectionGate]:
    url = "sqlite:///:memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'g.db'}"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (name TEXT)"))
    gate = ConnectionGate(engine)
    yield gate
    gate.close()


def add(gate: ConnectionGate, name: str) -> None:
    with gate.begin() as connection:
        connection.execute(text("INSERT INTO items VALUES (:name)"), {"name": name})


def names(gate: ConnectionGate) -> list[str]:
    with gate.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT name FROM items ORDER BY name"))]


def test_a_read_inside_a_transaction_sees_its_writes_and_does_not_end_it(
    gate: ConnectionGate,
) -> None:
    with gate.begin() as connection:
        connection.execute(text("INSERT INTO items VALUES ('first')"))
        # On SQLite's one in-memory connection, a second handle closed here rolled back the
        # insert above.
        assert names(gate) == ["first"]
        connection.execute(text("INSERT INTO items VALUES ('second')"))
    assert names(gate) == ["first", "second"]


def test_a_nested_transaction_is_part_of_the_outer_one(gate: ConnectionGate) -> None:
    def fail_after_a_nested_write() -> None:
        with gate.begin() as outer:
            outer.execute(text("INSERT INTO items VALUES ('kept only if all goes well')"))
            with gate.begin() as inner:
                assert inner is outer
            raise RuntimeError("the outer transaction fails")

    with pytest.raises(RuntimeError):
        fail_after_a_nested_write()
    assert names(gate) == []


def test_a_small_read_sees_each_commit_of_another_connection(gate: ConnectionGate) -> None:
    # On a file the read runs on a kept connection, which must never hold on to a snapshot.
    counts = [gate.read(COUNT_ITEMS, {})]
    for name in ("first", "second"):
        with gate.begin() as connection:
            connection.execute(text("INSERT INTO items VALUES (:name)"), {"name": name})
        counts.append(gate.read(COUNT_ITEMS, {}))
    assert counts == [[(0,)], [(1,)], [(2,)]]


def test_a_small_read_inside_a_transaction_sees_its_writes(gate: ConnectionGate) -> None:
    with gate.begin() as connection:
        connection.execute(text("INSERT INTO items VALUES ('not committed yet')"))
        assert gate.read(COUNT_ITEMS, {}) == [(1,)]
        connection.rollback()
    assert gate.read(COUNT_ITEMS, {}) == [(0,)]


def test_a_small_read_that_fails_leaves_the_next_one_working(gate: ConnectionGate) -> None:
    with pytest.raises(OperationalError):
        gate.read(COUNT_MISSING, {})
    assert gate.read(COUNT_ITEMS, {}) == [(0,)]


def test_a_read_block_leaves_no_transaction_open(gate: ConnectionGate) -> None:
    with gate.connect() as connection:
        connection.execute(text("SELECT count(*) FROM items"))
        assert connection.in_transaction()
    with gate.connect() as connection:
        assert not connection.in_transaction()
    add(gate, "after a read")
    assert names(gate) == ["after a read"]


def test_writes_in_a_read_block_not_committed_are_undone(gate: ConnectionGate) -> None:
    with gate.connect() as connection:
        connection.execute(text("INSERT INTO items VALUES ('never committed')"))
    assert names(gate) == []


def test_a_failed_transaction_is_undone_and_the_next_one_works(gate: ConnectionGate) -> None:
    def fail_after_a_write() -> None:
        with gate.begin() as connection:
            connection.execute(text("INSERT INTO items VALUES ('undone')"))
            raise RuntimeError("the block fails")

    with pytest.raises(RuntimeError):
        fail_after_a_write()
    add(gate, "kept")
    assert names(gate) == ["kept"]


def test_a_transaction_begun_inside_a_read_block_commits(gate: ConnectionGate) -> None:
    with gate.connect() as reading:
        reading.execute(text("SELECT count(*) FROM items"))
        add(gate, "inside a read")
        assert names(gate) == ["inside a read"]
    assert names(gate) == ["inside a read"]


def test_a_transaction_the_block_rolled_back_itself_ends_cleanly(gate: ConnectionGate) -> None:
    with gate.begin() as connection:
        connection.execute(text("INSERT INTO items VALUES ('rolled back')"))
        connection.rollback()
    add(gate, "kept")
    assert names(gate) == ["kept"]


def test_threads_take_turns_on_the_in_memory_connection() -> None:
    engine = create_database_engine("sqlite:///:memory:")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (name TEXT)"))
    gate = ConnectionGate(engine)
    failures: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            for index in range(50):
                add(gate, f"{prefix}{index}")
                with gate.connect() as connection:
                    connection.execute(text("SELECT count(*) FROM items")).scalar()
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=write, args=(prefix,)) for prefix in "abcd"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert len(names(gate)) == 200
    finally:
        gate.close()
