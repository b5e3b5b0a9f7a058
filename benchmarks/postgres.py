"""A throwaway PostgreSQL database for the emulator's shared-database cells.

The server is named by ``NOTIFY_BENCH_POSTGRES_URL`` (or, as in the test suite,
``NOTIFY_EMULATOR_TEST_POSTGRES_URL``); without one those cells are skipped with a note. Each
part gets a database of its own, made on that server and dropped afterwards, so runs never see
each other's rows.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

URL_VARIABLES = ("NOTIFY_BENCH_POSTGRES_URL", "NOTIFY_EMULATOR_TEST_POSTGRES_URL")


def server_url() -> str | None:
    """The PostgreSQL server to use, from the environment, if any."""
    for name in URL_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


@contextlib.contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of ``url``; yields its URL, drops it at the end."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"notify_bench_{uuid.uuid4().hex[:12]}"
    server = make_url(url).set(drivername="postgresql")
    admin = server.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
