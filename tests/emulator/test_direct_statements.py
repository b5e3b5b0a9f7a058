"""Statements run on the driver's cursor: SQLAlchemy's errors, and the cursor kept for them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from notify_emulator.store.direct import DirectStatement, run_driver_sql

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
)
INSERT = DirectStatement(insert(items), ["id", "name"])
NAMES = DirectStatement(select(items.c.name).order_by(items.c.id))
MISSING = DirectStatement(select(text("count(*)")).select_from(Table("missing", MetaData())))


@pytest.fixture(params=["memory", "file"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    from notify_emulator.store.engine import create_database_engine

    url = "sqlite:///:memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'd.db'}"
    engine = create_database_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_statements_share_one_kept_cursor_on_a_connection(engine: Engine) -> None:
    with engine.begin() as connection:
        assert INSERT.executemany(connection, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]) == 2
        kept = connection.connection.info["notify_emulator.direct_cursor"]
        assert NAMES.execute(connection, {}) == [("a",), ("b",)]
        assert INSERT.write(connection, {"id": 3, "name": "c"}) == 1
        assert connection.connection.info["notify_emulator.direct_cursor"] is kept
    with engine.connect() as connection:
        assert NAMES.execute(connection, {}) == [("a",), ("b",), ("c",)]


def test_a_driver_error_is_sqlalchemys_and_the_next_statement_works(engine: Engine) -> None:
    with engine.begin() as connection:
        INSERT.write(connection, {"id": 1, "name": "a"})
        with pytest.raises(IntegrityError) as raised:
            INSERT.write(connection, {"id": 1, "name": "a again"})
        # The values are left out of the message, as SQLAlchemy leaves them out when asked.
        assert "a again" not in str(raised.value)
        assert "notify_emulator.direct_cursor" not in connection.connection.info
        assert NAMES.execute(connection, {}) == [("a",)]
    with engine.connect() as connection:
        with pytest.raises(OperationalError):
            MISSING.execute(connection, {})
        with pytest.raises(OperationalError):
            run_driver_sql(connection, "NOT A STATEMENT")
        assert NAMES.execute(connection, {}) == [("a",)]


def test_a_replaced_driver_connection_gets_a_cursor_of_its_own(tmp_path: Path) -> None:
    from notify_emulator.store.engine import create_database_engine

    engine = create_database_engine(f"sqlite:///{tmp_path / 'd.db'}")
    metadata.create_all(engine)
    try:
        with engine.begin() as connection:
            INSERT.write(connection, {"id": 1, "name": "kept"})
        with engine.connect() as connection:
            assert NAMES.execute(connection, {}) == [("kept",)]
            connection.invalidate()  # the pool closes this driver connection, and its cursor
        with engine.connect() as connection:
            assert "notify_emulator.direct_cursor" not in connection.connection.info
            assert NAMES.execute(connection, {}) == [("kept",)]
    finally:
        engine.dispose()
