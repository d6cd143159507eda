"""Item pipeline: every fetched record, and every list coverage row (crawler/coverage.py) as it changes,
goes to the store through the batched writer (writer.py): many records per transaction, committed at
least every ZWGK_WRITE_SECONDS and on close."""

from __future__ import annotations

from typing import TYPE_CHECKING

from twisted.internet import task

from zwgk.crawler.state import CrawlState, crawl_state
from zwgk.store import ListCoverage, PageRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

TICK_S = 0.25          # how often the age of the oldest waiting write is looked at


class StorePipeline:
    def __init__(self, crawler: Crawler, state: CrawlState):
        self.crawler = crawler
        self.state = state
        self.timer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler, crawl_state(crawler))

    def open_spider(self) -> None:
        self.timer = task.LoopingCall(self.state.writer.flush_if_due)
        self.timer.start(TICK_S, now=False)

    def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.state.writer.flush()
        stats = self.crawler.stats
        stats.set_value("zwgk/store/commits", self.state.writer.flushes)
        stats.set_value("zwgk/store/writes", self.state.writer.committed)

    def process_item(self, item: PageRecord | ListCoverage) -> PageRecord | ListCoverage:
        if isinstance(item, ListCoverage):        # how a list's items were obtained (crawler/coverage.py)
            self.state.writer.coverage(item)
            return item
        if self.state.before_record is not None:     # several workers: the page's discoveries go with it
            self.state.before_record(item)
        self.state.writer.page(item)
        site = self.state.sites.get(item.site)
        if site is not None:
            site.fetched += 1
            site.errors += int(item.error_kind is not None or (item.status or 0) >= 400)
        self.crawler.stats.inc_value(f"zwgk/stored/{item.kind}")
        item.body = None            # the writer holds it compressed; don't keep page bodies alive in memory
        return item
