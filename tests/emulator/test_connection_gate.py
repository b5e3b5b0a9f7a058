"""The store's connections: a read inside a thread's own transaction goes through it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from notify_emulator.store.engine import ConnectionGate, create_database_engine


@pytest.fixture(params=["memory", "file"])
def gate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ConnectionGate]:
    url = "sqlite:///:memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'g.db'}"
    engine = create_database_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE items (name TEXT)"))
    yield ConnectionGate(engine)
    engine.dispose()


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
