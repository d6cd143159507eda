"""The embedded backend: one SQLite file in the run directory (WAL, several processes may write)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zwgk.db.base import Nesting, Row, missing_columns, statements

BUSY_TIMEOUT_S = 60.0        # crawl workers share the file: a writer waits for another's commit


class SQLiteBackend(Nesting):
    dialect = "sqlite"

    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit; transactions are explicit (BEGIN IMMEDIATE: the write lock is taken up front,
        # so two worker processes never deadlock upgrading a read lock)
        self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")   # WAL+NORMAL: durable across process kills
        self._depth = 0

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, args)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        return self.conn.execute(sql, args).fetchall()

    def stream(self, sql: str, args: Sequence[Any] = ()) -> Iterator[Row]:
        # a cursor of its own: the caller may run other statements while it iterates
        cur = self.conn.cursor()
        cur.arraysize = 256
        cur.execute(sql, args)
        try:
            while rows := cur.fetchmany():
                yield from rows
        finally:
            cur.close()

    @contextmanager
    def _outermost(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def columns(self, table: str) -> set[str]:
        return {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def create_schema(self, schema: str) -> None:
        with self.transaction():
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            existing = {t: self.columns(t) for t in tables}
            # new columns first: an index in the schema may be on one of them
            for stmt in missing_columns(schema, existing):
                self.conn.execute(stmt)
            for stmt in statements(schema):
                self.conn.execute(stmt)

    def commit(self) -> None:
        """Nothing to do (every statement outside transaction() commits itself); for callers written
        against sqlite3's connection."""
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
