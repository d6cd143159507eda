"""Item pipeline: every fetched page goes to the store at once (one transaction per page); list coverage
rows (crawler/coverage.py) are written as they change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zwgk.crawler.state import CrawlState, crawl_state
from zwgk.store import ListCoverage, PageRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StorePipeline:
    def __init__(self, crawler: Crawler, state: CrawlState):
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawl_state(crawler))

    def process_item(self, item: PageRecord | ListCoverage) -> PageRecord | ListCoverage:
        if isinstance(item, ListCoverage):        # how a list's items were obtained (crawler/coverage.py)
            self.state.store.record_list_coverage(item)
            return item
        self.state.store.save_page(item)
        site = self.state.sites.get(item.site)
        if site is not None:
            site.fetched += 1
            site.errors += int(item.error_kind is not None or (item.status or 0) >= 400)
        self.crawler.stats.inc_value(f"zwgk/stored/{item.kind}")
        item.body = None            # the store has it; don't keep page bodies alive in memory
        return item
