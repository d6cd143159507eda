"""The crawl frontier: requests decided on, shared by every crawl worker of a run, leased not popped.

A worker takes (leases) rows, fetches them, and its commit of the record marks the row done; a worker
that dies leaves its rows leased, and they go back to the queue (`requeue`: the coordinator does it
when it sees the process gone; `--resume` does it for all). Nothing a crash interrupts is lost, and
nothing committed is fetched again.

`Frontier` is the interface the scheduler (scheduler.py) uses. `StoreFrontier`, the local one, keeps
the rows in the run's store (the `frontier` table), written through the batched writer so a page and
the rows of its links commit together. A distributed frontier (scrapy-redis queue + leases in Redis)
implements the same methods and is chosen with the ZWGK_FRONTIER setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from zwgk.store import FrontierKey, Store, frontier_row

if TYPE_CHECKING:
    from scrapy import Request

    from zwgk.crawler.writer import BatchWriter


def frontier_key(request: Request) -> FrontierKey:
    """The frontier row a request belongs to: a redirect hop, a retry or a GET standing in for a refused
    HEAD all belong to the row of the request that was scheduled."""
    meta = request.meta
    hops = meta.get("redirect_urls")
    method = meta.get("zwgk_method") or ("HEAD" if meta.get("zwgk_headers_only") else request.method)
    return meta.get("zwgk_site", ""), hops[0] if hops else request.url, method


def request_row(request: Request, *, state: str, worker: str | None) -> tuple[Any, ...]:
    meta = request.meta
    site, url, method = frontier_key(request)
    return frontier_row(site, url, method, meta.get("zwgk_kind", "page"), int(meta.get("zwgk_depth", 0)),
                        request.priority, meta.get("zwgk_referer"), meta.get("zwgk_anchor"), meta.get("zwgk_form"),
                        state=state, worker=worker)


class Frontier(Protocol):
    worker: str

    def add(self, request: Request, *, leased: bool) -> None:
        """Record a new request: leased to this worker (it keeps the Request) or queued for anyone."""

    def lease(self, limit: int) -> list[Any]:
        """Up to `limit` queued rows (mappings with the frontier columns), now leased to this worker."""

    def give_back(self, key: FrontierKey) -> None:
        """A lease this worker will not serve after all (its local queue overflowed)."""

    def drop(self, key: FrontierKey, reason: str) -> None:
        """A cap stopped the request."""

    def busy_elsewhere(self) -> bool:
        """Could more work still come: rows queued, or leased by another worker?"""

    def claim(self, own: list[FrontierKey], wanted: list[tuple[str, str]]) -> tuple[set[FrontierKey], list[Any]]:
        """Commit, then: which of `own` (rows just added as leased to this worker) it really holds — another
        worker may have added the same row first — and the queued rows of `wanted` (site, url), leased to it."""

    def known(self, key: FrontierKey) -> bool:
        """Has the run already requested this (a row any worker committed)?"""

    def finish(self, *, complete: bool) -> int:
        """This worker stops: commit; leases still held are dropped (complete: their requests ended
        without a record) or given back (interrupted: resume fetches them). Returns how many."""


class StoreFrontier:
    """The frontier in the run's store (see the module docstring)."""

    def __init__(self, store: Store, writer: BatchWriter, worker: str):
        self.store = store
        self.writer = writer
        self.worker = worker

    def add(self, request: Request, *, leased: bool) -> None:
        self.writer.frontier(request_row(request, state="leased" if leased else "queued",
                                         worker=self.worker if leased else None))

    def lease(self, limit: int) -> list[Any]:
        # one transaction: the waiting writes (this worker's new rows among them), then the lease
        return self.writer.flush(then=lambda: self.store._lease(self.worker, limit)) or []

    def give_back(self, key: FrontierKey) -> None:
        self.writer.settle(key, "queued")

    def drop(self, key: FrontierKey, reason: str) -> None:
        self.writer.settle(key, "dropped", reason)

    def busy_elsewhere(self) -> bool:
        return self.store.frontier_busy(exclude_worker=self.worker)

    def claim(self, own: list[FrontierKey], wanted: list[tuple[str, str]]) -> tuple[set[FrontierKey], list[Any]]:
        def both() -> tuple[set[FrontierKey], list[Any]]:
            self.store.claim_frontier(self.worker, own)          # own rows another worker had queued first
            rows = self.store.claim_frontier(self.worker, [(site, url, None) for site, url in wanted])
            return self.store.leased_to(self.worker, own), rows
        return self.writer.flush(then=both) or (set(), [])

    def known(self, key: FrontierKey) -> bool:
        return self.store.has_frontier_row(key)

    def finish(self, *, complete: bool) -> int:
        self.writer.flush()
        if complete:
            return self.store.drop_leases(self.worker, "no_record")
        return self.store.requeue_leases(self.worker)
