"""The crawl's memory of what it has seen: (site, url, method) of every request ever scheduled.

It answers only "seen before?"; the scheduler (scheduler.py) turns each new request into a frontier
row of the run's store, where the frontier's key is the final word: with several workers each one
knows what it saw (and what the store held when it started), and a row another worker added first is
simply kept. A resumed run starts knowing the whole stored frontier.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.dupefilters import BaseDupeFilter

from zwgk.crawler.frontier import frontier_key
from zwgk.crawler.state import CrawlState, crawl_state

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class StoreDupeFilter(BaseDupeFilter):
    def __init__(self, state: CrawlState):
        self.state = state
        self.seen = state.seen

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreDupeFilter:
        return cls(crawl_state(crawler))

    @staticmethod
    def key(request: Request) -> tuple[str, str, str]:
        # a rendered page is the same URL as its raw fetch: its frontier row says method RENDER
        return frontier_key(request)

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_urls"):
            # A redirect hop: its record is stored under the original URL's frontier row, and the
            # hop count is bounded by REDIRECT_MAX_TIMES. Filtering it would lose the original.
            return False
        return not self.seen.add_new(frontier_key(request))
