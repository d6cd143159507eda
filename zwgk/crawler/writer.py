"""Batched store writes: many records per transaction, still crash-safe.

The pipeline, the scheduler and the caps middleware hand their writes here instead of committing each
one: page records (with their links), new frontier rows, lease changes. `flush()` commits them all in
one transaction, in the order they came, so a page's frontier row is done in the same commit that
stores the rows of the links it found. A SIGKILL loses only what was not committed: those pages are
still leased in the frontier, and `--resume` gives them back to the queue and fetches exactly them.

Flushed when `max_ops` writes are waiting, when the oldest is `max_seconds` old (flush_if_due, called
by the pipeline's timer), before every lease (a worker's own new rows must be visible to it), and on
close — which Scrapy reaches on Ctrl-C too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from itertools import groupby
from typing import Any, TypeVar

from zwgk.store import FrontierKey, ListCoverage, PageRecord, Store, compress_body

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 5


class BatchWriter:
    def __init__(self, store: Store, *, max_ops: int = 400, max_seconds: float = 1.0):
        self.store = store
        self.max_ops = max_ops
        self.max_seconds = max_seconds
        self.ops: list[tuple[Any, Any]] = []
        self.first_at = 0.0              # when the oldest waiting write came
        self.flushes = 0
        self.committed = 0
        # called with the committed ops after each commit (the distributed frontier tells Redis then)
        self.on_commit: Callable[[list[tuple[Any, Any]]], None] | None = None

    def __len__(self) -> int:
        return len(self.ops)

    # --- what the crawl writes ----------------------------------------------------------------
    def page(self, rec: PageRecord) -> None:
        """A fetched record; its body is compressed now, so the caller may drop the text."""
        self._add("page", (rec, compress_body(rec.body)))

    def coverage(self, cov: ListCoverage) -> None:
        """A list's coverage row as it stands now (a later one for the same list replaces it)."""
        self._add("coverage", cov)

    def frontier(self, row: tuple[Any, ...]) -> None:
        """A new frontier row (store.frontier_row); a key already stored keeps its row."""
        self._add("frontier", row)

    def settle(self, key: FrontierKey, state: str, reason: str | None = None) -> None:
        """A frontier row's new state: dropped (a cap), queued (a lease given back)."""
        self._add(("settle", state, reason), key)

    def _add(self, op: Any, payload: Any) -> None:
        if not self.ops:
            self.first_at = time.monotonic()
        self.ops.append((op, payload))
        if len(self.ops) >= self.max_ops:
            self.flush()

    # --- commits ------------------------------------------------------------------------------
    def flush_if_due(self) -> None:
        if self.ops and time.monotonic() - self.first_at >= self.max_seconds:
            self.flush()

    def flush(self, then: Callable[[], T] | None = None) -> T | None:
        """Commit every waiting write in one transaction; `then` runs inside it, after them (a lease)."""
        if not self.ops and then is None:
            return None
        ops = self.ops
        for attempt in range(RETRIES):
            try:
                result = self._commit(ops, then)
                break
            except Exception as exc:
                # PostgreSQL: two workers' transactions deadlocked on the same new rows; run it again
                retryable = getattr(self.store.db, "retryable", None)
                if attempt + 1 == RETRIES or retryable is None or not retryable(exc):
                    raise
                log.info("store write retried after %s", type(exc).__name__)
        self.ops = []
        self.flushes += 1
        self.committed += len(ops)
        if self.on_commit is not None:
            self.on_commit(ops)
        return result

    def _commit(self, ops: list[tuple[Any, Any]], then: Callable[[], T] | None) -> T | None:
        store = self.store
        with store.transaction():
            for op, group in groupby(ops, key=lambda o: o[0]):
                items = [payload for _, payload in group]
                if op == "page":
                    for rec, body in items:
                        store.insert_page(rec, body)
                elif op == "frontier":
                    store.add_frontier_rows(sorted(items, key=lambda r: (r[0], r[1], r[2])))
                elif op == "coverage":
                    for cov in items:
                        store.record_list_coverage(cov)
                else:
                    store.settle_frontier(items, op[1], op[2])
            return then() if then is not None else None
