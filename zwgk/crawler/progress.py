"""Crawl progress for people: a live display on a terminal, a periodic status line in CI logs.

On a terminal (rich): one bar per site with pages fetched, the pages still waiting, pages per second
and the time remaining at the current rate; the total grows as links are found and is capped by the
site's max_pages. Elsewhere (CI, a pipe, a log file): every ZWGK_PROGRESS_INTERVAL seconds one line
`zwgk 抓取进度 …` with the same numbers, so a nightly log shows the crawl is alive and how far it got.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from zwgk.crawler.state import CrawlState, SiteState, crawl_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

LOG_INTERVAL = 30.0          # seconds between status lines in CI logs
LIVE_INTERVAL = 0.5


@dataclass
class SiteProgress:
    name: str
    fetched: int
    waiting: int
    errors: int
    total: int               # fetched + waiting, at most max_pages (an estimate that grows)
    rate: float              # pages per second since the site started
    done: bool

    @property
    def remaining(self) -> float | None:
        """Seconds left at the current rate (None before there is a rate)."""
        if self.done:
            return 0.0
        return (self.total - self.fetched) / self.rate if self.rate > 0 else None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "估算中"
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """The numbers: per site, from the crawl state and the store's frontier."""

    def __init__(self, state: CrawlState, names: dict[str, str]):
        self.state = state
        self.names = names

    def sites(self) -> list[SiteProgress]:
        store = self.state.store
        queued = store.queued_by_site()
        # several workers: every worker's committed records (this process counts only its own)
        counts = {r[0]: (int(r[1]), int(r[2] or 0)) for r in store.query(
            "SELECT site, COUNT(*), SUM(CASE WHEN error_kind IS NOT NULL OR status >= 400 THEN 1 ELSE 0 END) "
            "FROM pages GROUP BY site")} if self.state.workers > 1 else {}
        now = time.monotonic()
        out = []
        for key, site in self.state.sites.items():
            waiting = int(queued.get(key, 0))
            out.append(self._site(key, site, waiting, now, counts.get(key)))
        return out

    def _site(self, key: str, site: SiteState, waiting: int, now: float,
              counts: tuple[int, int] | None = None) -> SiteProgress:
        fetched, errors = counts if counts is not None else (site.fetched, site.errors)
        elapsed = now - site.started if site.started else 0.0
        total = max(fetched, min(fetched + waiting, max(site.max_pages, fetched)))
        return SiteProgress(self.names.get(key, key), fetched, waiting, errors, total,
                            fetched / elapsed if elapsed > 1 else 0.0, bool(site.started) and not waiting)

    def line(self) -> str:
        sites = self.sites()
        fetched = sum(s.fetched for s in sites)
        rate = sum(s.rate for s in sites)
        waiting = sum(s.waiting for s in sites)
        left = [s.remaining for s in sites]
        eta = None if any(x is None for x in left) else max(left, default=0.0)
        parts = [f"站点 {sum(s.done for s in sites)}/{len(sites)} 完成", f"已抓取 {fetched}（{rate:.1f} 个/秒）",
                 f"待抓取 {waiting}", f"错误 {sum(s.errors for s in sites)}", f"预计剩余 {_clock(eta)}"]
        busy = [f"{s.name} {s.fetched}/{s.total}" for s in sites if not s.done]
        return "zwgk 抓取进度：" + " · ".join(parts) + (f" · {'；'.join(busy[:5])}" if busy else "")


class ProgressDisplay:
    """Scrapy extension: the live display on a terminal, else the periodic line (never both)."""

    def __init__(self, progress: Progress, live: bool, interval: float):
        self.progress = progress
        self.live = live
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.view: Any = None
        self.bars: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressDisplay:
        if crawler.settings.get("ZWGK_WORKER", "w1") != "w1":
            raise NotConfigured("worker w1 shows the progress of all workers")
        live = crawler.settings.getbool("ZWGK_PROGRESS") and not os.environ.get("CI") and sys.stderr.isatty()
        names = {s["key"]: s.get("name") or s["key"] for s in crawler.settings.getlist("ZWGK_SITES")}
        interval = crawler.settings.getfloat("ZWGK_PROGRESS_INTERVAL", LOG_INTERVAL)
        ext = cls(Progress(crawl_state(crawler), names), live, LIVE_INTERVAL if live else interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self) -> None:
        if self.live:
            self._start_live()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def _start_live(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as Bars

        self.view = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                         TextColumn("{task.fields[rate]:.1f} 页/秒"), TextColumn("剩余"), TimeRemainingColumn(),
                         TextColumn("{task.fields[note]}"), console=console or Console(stderr=True),
                         transient=False)
        self.view.start()
        for site in self.progress.sites():
            self.bars[site.name] = self.view.add_task(site.name, total=max(site.total, 1), rate=0.0, note="")

    def show(self) -> None:
        if not self.live:
            sys.stderr.write(self.progress.line() + "\n")
            sys.stderr.flush()
            return
        for site in self.progress.sites():
            note = f"待抓取 {site.waiting} · 错误 {site.errors}" + (" · 完成" if site.done else "")
            self.view.update(self.bars[site.name], completed=site.fetched, total=max(site.total, 1),
                             rate=site.rate, note=note)

    def closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show()
        if self.view is not None:
            self.view.stop()


ProgressLine = ProgressDisplay      # the name the crawl settings register (zwgk/crawler/settings.py)
