"""Per-process crawl state shared by the spider and its components: the store and site limits.

Scrapy builds each component separately from the crawler; they find the same objects here, keyed
by the crawler, instead of through globals read at import time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zwgk.crawler.traps import TrapBudget
from zwgk.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


@dataclass
class SiteState:
    key: str
    max_pages: int
    max_depth: int
    max_seconds: float
    started: float = 0.0
    pages_requested: set[str] = field(default_factory=set)
    capped: set[str] = field(default_factory=set)
    fetched: int = 0
    errors: int = 0
    traps: TrapBudget = field(default_factory=TrapBudget)
    notes: list[str] = field(default_factory=list)      # sentences for sites.detail (Chinese)

    def start(self) -> None:
        if not self.started:
            self.started = time.monotonic()

    def out_of_time(self) -> bool:
        return bool(self.started) and time.monotonic() - self.started > self.max_seconds


class CrawlState:
    def __init__(self, store: Store, sites: dict[str, SiteState]):
        self.store = store
        self.sites = sites
        # (site, url, method) of every request ever scheduled, resumed runs included. The dupefilter
        # owns it; the spider reads it to skip known links before building a Request (most links on
        # a portal page are nav links seen on every page: bench/README.md measured +16 % pages/s).
        self.seen: set[tuple[str, str, str]] = store.frontier_keys()


_STATES: dict[int, CrawlState] = {}


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
        state = _STATES[id(crawler)] = CrawlState(Store(settings.get("ZWGK_STORE")), sites)
    return state
