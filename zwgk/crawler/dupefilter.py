"""A dupefilter backed by the store's frontier table: the crawl's memory of what it has seen.

Every request that passes is written to `frontier` (state queued) in the same SQLite connection the
pipeline commits pages with, so after a crash (even SIGKILL) the store knows which URLs were done
and which were still waiting; `zwgk audit --resume` re-queues exactly the waiting ones.
Scrapy's own JOBDIR files (requests.seen, the disk queue) are only flushed on a clean shutdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.dupefilters import BaseDupeFilter

from zwgk.crawler.state import CrawlState, crawl_state

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class StoreDupeFilter(BaseDupeFilter):
    def __init__(self, state: CrawlState):
        self.state = state
        self.seen = state.seen                       # resumed runs start knowing the old frontier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreDupeFilter:
        return cls(crawl_state(crawler))

    @staticmethod
    def key(request: Request) -> tuple[str, str, str]:
        # a rendered page is the same URL as its raw fetch: its frontier row says method RENDER
        return request.meta.get("zwgk_site", ""), request.url, request.meta.get("zwgk_method") or request.method

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            # A redirect hop: its record is stored under the original URL's frontier row, and the
            # hop count is bounded by REDIRECT_MAX_TIMES. Filtering it would lose the original.
            return False
        key = self.key(request)
        if key in self.seen:
            return True
        self.seen.add(key)
        meta = request.meta
        self.state.store.add_frontier(key[0], request.url, key[2], meta.get("zwgk_kind", "page"),
                                      int(meta.get("zwgk_depth", 0)), request.priority, meta.get("zwgk_referer"),
                                      meta.get("zwgk_anchor"), meta.get("zwgk_form"))
        return False
