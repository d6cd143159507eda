"""Per-process crawl state shared by the spider and its components: the store, its batched writer,
the frontier, the caps and who this worker is.

Scrapy builds each component separately from the crawler; they find the same objects here, keyed
by the crawler, instead of through globals read at import time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

from zwgk.crawler.limiter import LocalBudget, SharedLimits, SiteBudget
from zwgk.crawler.seen import SeenKeys, SeenTexts
from zwgk.crawler.traps import TrapBudget
from zwgk.crawler.writer import BatchWriter
from zwgk.store import PageRecord, Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from zwgk.crawler.frontier import Frontier


@dataclass
class SiteState:
    key: str
    max_pages: int
    max_depth: int
    max_seconds: float
    started: float = 0.0
    pages_requested: SeenTexts = field(default_factory=SeenTexts)    # counted against max_pages here
    capped: set[str] = field(default_factory=set)
    fetched: int = 0
    errors: int = 0
    traps: TrapBudget = field(default_factory=TrapBudget)
    notes: list[str] = field(default_factory=list)      # sentences for sites.detail (Chinese)

    def start(self, at: float | None = None) -> None:
        """The site's clock starts at its first request (`at`: when another worker started it)."""
        if not self.started:
            self.started = at if at is not None else time.monotonic()

    def out_of_time(self) -> bool:
        return bool(self.started) and time.monotonic() - self.started > self.max_seconds


class CrawlState:
    def __init__(self, store: Store, sites: dict[str, SiteState], *, worker: str = "w1", workers: int = 1,
                 budget: SiteBudget | None = None, writer: BatchWriter | None = None,
                 frontier_class: str = "zwgk.crawler.frontier.StoreFrontier", settings: Any = None):
        self.store = store
        self.sites = sites
        self.worker = worker              # this process's name in the frontier's leases
        self.workers = workers            # how many crawl workers the run has
        self.budget: SiteBudget = budget or LocalBudget()
        self.writer = writer or BatchWriter(store)
        cls = load_object(frontier_class)
        # a frontier that needs more than the store (Redis: zwgk/distributed/queue.py) builds itself
        self.frontier: Frontier = (cls.from_state(self, settings) if hasattr(cls, "from_state")
                                   else cls(store, self.writer, worker))
        self.before_record: Callable[[PageRecord], None] | None = None    # set by the scheduler
        # (site, url, method) of every request ever scheduled, resumed runs included. The dupefilter
        # owns it; the spider reads it to skip known links before building a Request (most links on
        # a portal page are nav links seen on every page: bench/README.md measured +16 % pages/s).
        # With several workers it holds what this one has seen; the frontier's key catches the rest.
        # (A distributed worker starts knowing nothing: a row another worker committed but died before
        # queueing in Redis must be proposed again when its page is fetched again: RedisFrontier.)
        # Kept as fingerprints (seen.py): it grows with the site, in every worker.
        self.seen = SeenKeys(store.iter_frontier_keys() if getattr(cls, "SEEN_FROM_STORE", True) else ())


_STATES: dict[int, CrawlState] = {}


def _take_trap(limits: Any, frontier: Frontier, site: str, key: str, limit: int, url: str) -> bool:
    """A trap pattern's budget over every worker, charged only for URLs new to the run: a link another
    worker already requested costs nothing (its dupefilter drops it anyway), and a URL admitted once is
    admitted again for free (its page fetched again after a worker died). Counting such URLs again made
    a cross-linked site's budget run out in a multi-worker crawl and cut a URL only one page links."""
    if frontier.known((site, url, "GET")):
        return True
    return limits.take(f"trap {site} {key}", limit, member=url)


def crawl_state(crawler: Crawler) -> CrawlState:
    """The state for this crawler, created on first use from the ZWGK_* settings."""
    state = _STATES.get(id(crawler))
    if state is None:
        settings = crawler.settings
        sites: dict[str, SiteState] = {}
        for site in settings.getlist("ZWGK_SITES"):
            limits: dict[str, Any] = site["crawl"]
            sites[site["key"]] = SiteState(site["key"], int(limits["max_pages"]), int(limits["max_depth"]),
                                           float(limits["max_seconds"]),
                                           traps=TrapBudget(counter_budget=int(limits.get("max_list_pages", 50))))
        store = Store(settings.get("ZWGK_STORE"))
        shared = settings.getdict("ZWGK_LIMITS")
        budget: Any = None
        if settings.get("ZWGK_LIMITS_CLASS"):     # limits kept elsewhere (the distributed mode: Redis)
            budget = load_object(settings.get("ZWGK_LIMITS_CLASS"))(shared)
        elif shared:
            budget = SharedLimits(shared["path"], shared)
        writer = BatchWriter(store, max_ops=settings.getint("ZWGK_WRITE_BATCH", 400),
                             max_seconds=settings.getfloat("ZWGK_WRITE_SECONDS", 1.0))
        state = _STATES[id(crawler)] = CrawlState(
            store, sites, worker=settings.get("ZWGK_WORKER", "w1"), workers=settings.getint("ZWGK_WORKERS", 1),
            budget=budget, writer=writer, frontier_class=settings.get("ZWGK_FRONTIER",
                                                                       "zwgk.crawler.frontier.StoreFrontier"),
            settings=settings)
        if budget is not None:          # several workers: trap budgets count over all of them too
            for site_state in sites.values():
                site_state.traps.take = partial(  # type: ignore[method-assign]
                    _take_trap, budget, state.frontier, site_state.key)
    return state
