"""The backend interface the store is written against, and the schema helpers both engines share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

Row = Any          # a result row: row[i] and row["name"] (sqlite3.Row semantics)


class Backend(Protocol):
    """What zwgk.store needs of a database. One connection, used from one thread."""

    dialect: str                    # "sqlite" | "postgresql"
    url: str                        # where it is, for messages (never with a password)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """Run one statement (autocommit outside a transaction); a cursor whose rows are `Row`s."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]: ...

    def stream(self, sql: str, args: Sequence[Any] = ()) -> Iterator[Row]:
        """Rows one at a time, never the whole result in memory (a server-side cursor in PostgreSQL)."""

    def transaction(self) -> AbstractContextManager[Any]:
        """BEGIN (taking the write lock up front) … COMMIT, ROLLBACK on an exception."""

    def columns(self, table: str) -> set[str]:
        """Column names of an existing table (empty if there is none)."""

    def create_schema(self, schema: str) -> None:
        """CREATE what is missing, then add the columns an older store lacks (schemas only grow)."""

    def close(self) -> None: ...


class Nesting:
    """Transactions that nest: an inner `transaction()` is part of the outer one (both backends).
    A backend sets `self._depth = 0` and implements `_outermost()`, the real BEGIN … COMMIT."""

    _depth: int
    conn: Any

    def _outermost(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        with self._outermost():
            self._depth = 1
            try:
                yield self.conn
            finally:
                self._depth = 0


_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \(")
_CONSTRAINT = ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT")


def statements(schema: str) -> list[str]:
    """The schema's statements, comments removed (no statement holds a ';' or '--' in a literal)."""
    text = re.sub(r"--[^\n]*", "", schema)
    return [s.strip() for s in text.split(";") if s.strip()]


def table_columns(schema: str) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, its definition)]} of every CREATE TABLE in the schema, constraints left out."""
    text = re.sub(r"--[^\n]*", "", schema)
    out: dict[str, list[tuple[str, str]]] = {}
    for m in _TABLE.finditer(text):
        cols: list[tuple[str, str]] = []
        depth, part = 0, ""
        for ch in text[m.end():]:
            if depth == 0 and ch in ",)":
                part = " ".join(part.split())
                if part and part.split()[0].upper() not in _CONSTRAINT:
                    cols.append((part.split()[0], part))
                part = ""
                if ch == ")":
                    break
                continue
            depth += (ch == "(") - (ch == ")")
            part += ch
        out[m.group(1)] = cols
    return out


def missing_columns(schema: str, existing: dict[str, set[str]]) -> list[str]:
    """ALTER TABLE statements for columns the schema has and an existing table lacks. A column that
    is (part of) a key cannot be added this way; the schema only ever adds plain columns."""
    out = []
    for table, cols in table_columns(schema).items():
        have = existing.get(table)
        if not have:
            continue
        for name, definition in cols:
            if name not in have and "PRIMARY KEY" not in definition.upper():
                out.append(f"ALTER TABLE {table} ADD COLUMN {definition}")
    return out
