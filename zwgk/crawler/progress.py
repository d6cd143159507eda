"""A one-line progress display on a terminal (sites done, pages fetched, errors); silent in CI."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from zwgk.crawler.state import CrawlState, crawl_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ProgressLine:
    INTERVAL = 1.0

    def __init__(self, state: CrawlState):
        self.state = state
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("ZWGK_PROGRESS") or os.environ.get("CI") or not sys.stderr.isatty():
            raise NotConfigured("progress line needs a terminal (off in CI and when piped)")
        ext = cls(crawl_state(crawler))
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.INTERVAL, now=False)

    def line(self) -> str:
        queued = self.state.store.queued_by_site()
        sites = self.state.sites
        done = sum(1 for key, s in sites.items() if s.started and not queued.get(key))
        if self.state.workers > 1:        # all workers' records, not only this process's
            fetched = int(self.state.store.query("SELECT COUNT(*) FROM pages")[0][0])
            errors = int(self.state.store.query("SELECT COUNT(*) FROM pages WHERE error_kind IS NOT NULL "
                                                "OR status >= 400")[0][0])
        else:
            fetched = sum(s.fetched for s in sites.values())
            errors = sum(s.errors for s in sites.values())
        waiting = sum(queued.values())
        return f"站点 {done}/{len(sites)} 完成 · 已抓取 {fetched} 个页面/附件 · 错误 {errors} · 待抓取 {waiting}"

    def show(self) -> None:
        sys.stderr.write("\r\033[K" + self.line())
        sys.stderr.flush()

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        sys.stderr.write("\r\033[K" + self.line() + "\n")
