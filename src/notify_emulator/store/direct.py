"""Running the hottest statements on the database driver's cursor directly.

SQLAlchemy's execution of a small statement (contexts, result set-up, events) costs several
times what SQLite takes to run it, and a send's group commit runs a handful of them. A
:class:`DirectStatement` is compiled by SQLAlchemy once per dialect, so the SQL is exactly
SQLAlchemy's, and each value goes through SQLAlchemy's own conversion for its column type (dates,
JSON, booleans); only the per-call machinery is skipped. It runs inside the caller's
transaction, on the same driver connection.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["DirectStatement", "run_driver_sql", "with_column_defaults"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: Sequence[str] | None
    """The parameters' names in order, for drivers that take positional parameters."""
    convert: Mapping[str, Any]
    held: Mapping[str, Any]
    """The parameters whose values the statement holds itself (a limit's offset of 0)."""
    result_types: Sequence[Any]
    """Each selected column's SQLAlchemy type."""


class DirectStatement:
    """A statement run on the driver's cursor with SQLAlchemy's SQL and value conversion."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}
        self._results: dict[str, list[Any]] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            done = self._statement.compile(dialect=dialect, column_keys=self._column_keys)
            if not isinstance(done, SQLCompiler):
                raise TypeError(f"not a SQL statement: {self._statement!r}")
            names = done.positiontup if dialect.positional else None
            convert = done._bind_processors
            compiled = _Compiled(
                done.string,
                list(names) if names else None,
                dict(convert),
                {
                    name: bind.value
                    for name, bind in done.binds.items()
                    if not bind.required and bind.value is not None
                },
                [column.type for column in done._result_columns],
            )
            self._by_dialect[dialect.name] = compiled
        return compiled

    def _parameters(self, compiled: _Compiled, values: Mapping[str, Any]) -> Any:
        convert = compiled.convert
        if compiled.held:
            values = {**compiled.held, **values}
        if compiled.names is not None:
            return [
                convert[name](values[name]) if name in convert else values[name]
                for name in compiled.names
            ]
        return {
            name: convert[name](value) if name in convert else value
            for name, value in values.items()
        }

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement once; returns the rows it selected (none for a write), each value
        converted as SQLAlchemy would."""
        compiled = self._compiled(connection.dialect)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, self._parameters(compiled, values))
            if not cursor.description:
                return []
            fetched = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as error:
            raise _driver_error(connection, compiled.sql, error) from error
        results = self._results.get(connection.dialect.name)
        if results is None:
            results = self._result_conversions(connection.dialect, compiled, cursor)
        if not any(results):
            return list(fetched)
        return [
            tuple(
                value if convert is None or value is None else convert(value)
                for convert, value in zip(results, row, strict=True)
            )
            for row in fetched
        ]

    def _result_conversions(self, dialect: Dialect, compiled: _Compiled, cursor: Any) -> list[Any]:
        # Some drivers' conversions depend on the column's type as the driver reports it (a
        # PostgreSQL numeric), so they are looked up with the first result's description.
        results = [
            type_._cached_result_processor(dialect, column[1])
            for type_, column in zip(compiled.result_types, cursor.description, strict=True)
        ]
        self._results[dialect.name] = results
        return results

    def write(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run a write once; returns how many rows it changed."""
        compiled = self._compiled(connection.dialect)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, self._parameters(compiled, values))
        except connection.dialect.loaded_dbapi.Error as error:
            raise _driver_error(connection, compiled.sql, error) from error
        return int(cursor.rowcount)

    def executemany(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Run the statement once for each of ``rows`` (one call to the driver); returns how
        many rows the writes changed in all."""
        compiled = self._compiled(connection.dialect)
        parameters = [self._parameters(compiled, row) for row in rows]
        cursor = _cursor(connection)
        try:
            cursor.executemany(compiled.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _driver_error(connection, compiled.sql, error) from error
        return int(cursor.rowcount)

    def __repr__(self) -> str:
        return f"DirectStatement({self._statement!r})"


def _cursor(connection: Connection) -> Any:
    """The cursor kept for direct statements on the connection's driver connection.

    Making a cursor and closing it costs about as much as running a small statement, so one is
    kept per driver connection, in the pool's record of it (which is emptied if the driver
    connection is replaced). A driver connection serves one thread at a time, and every
    direct statement reads all its rows before returning, so no two uses overlap.
    """
    record = connection.connection  # the pool's handle on the driver connection
    cursor = record.info.get(_KEPT_CURSOR)
    if cursor is None:
        cursor = record.dbapi_connection.cursor()  # type: ignore[union-attr]
        record.info[_KEPT_CURSOR] = cursor
    return cursor


_KEPT_CURSOR = "notify_emulator.direct_cursor"


def _driver_error(connection: Connection, sql: str, error: Exception) -> StatementError:
    """A driver error as SQLAlchemy would have raised it (IntegrityError, OperationalError…),
    so callers handle one family of errors, its values left out of the message. The kept
    cursor is dropped, so whatever state the error left it in, the next statement starts on a
    fresh one."""
    cursor = connection.connection.info.pop(_KEPT_CURSOR, None)
    if cursor is not None:
        with contextlib.suppress(Exception):
            cursor.close()
    return DBAPIError.instance(
        sql,
        None,
        error,
        connection.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=connection.dialect,
    )


def with_column_defaults(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every other column of ``table`` filled as SQLAlchemy's insert would:
    its Python-side scalar default, else NULL (the direct insert names every column)."""
    defaults = _DEFAULTS.get(table.name)
    if defaults is None:
        defaults = {column.key: _default(column) for column in table.columns}
        _DEFAULTS[table.name] = defaults
    return {**defaults, **values}


_DEFAULTS: dict[str, dict[str, Any]] = {}


def _default(column: Any) -> Any:
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        return default.arg
    return None


def run_driver_sql(connection: Connection, sql: str) -> None:
    """Run a statement without parameters (``BEGIN IMMEDIATE``) on the driver's cursor."""
    try:
        _cursor(connection).execute(sql)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _driver_error(connection, sql, error) from error
