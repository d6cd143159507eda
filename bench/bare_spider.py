"""The baseline: a bare Scrapy CrawlSpider over the same site, same concurrency, no store — and, like
zwgk, a HEAD request for every asset (attachment) a page links.

    cd /tmp && scrapy runspider /work/main/bench/bare_spider.py -a start=http://127.0.0.1:8080/ \\
        -s CONCURRENT_REQUESTS=16 -s CONCURRENT_REQUESTS_PER_DOMAIN=16 [-a stats_out=stats.json]

Run it from outside the repository: inside it, `scrapy` finds scrapy.cfg and loads zwgk's project
settings (store dupefilter, pipeline, JOBDIR …), which is exactly what the baseline must not have.
bench/run.py does that and passes the same concurrency and AutoThrottle settings zwgk's crawl gets.

It follows every same-host link with LinkExtractor and keeps nothing, which is the floor zwgk's crawl
(parsing, link records, store writes) is measured against. Attachments are denied as pages by the same
extension list zwgk uses to decide "attachment, not page" (Scrapy's IGNORED_EXTENSIONS plus the
Chinese-office formats), so both crawls fetch the same pages; a second LinkExtractor picks exactly
those links and the spider HEADs each once (Scrapy's dupefilter), the status check zwgk makes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import UsageError
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

# zwgk.understand.page.ATTACHMENT_EXTENSIONS, repeated so that the baseline imports nothing of zwgk
DENY_EXTENSIONS = sorted({*IGNORED_EXTENSIONS, "wps", "et", "dps", "ofd", "txt", "csv", "xlsx", "docx", "pptx", "7z"})


class BareSpider(CrawlSpider):
    name = "bare"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
    }

    def __init__(self, start: str, *args: Any, stats_out: str = "", urls_out: str = "", **kwargs: Any):
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname or ""]
        self.rules = (Rule(LinkExtractor(deny_extensions=DENY_EXTENSIONS), callback="parse_item", follow=True),)
        ext = "|".join(e.lstrip(".") for e in DENY_EXTENSIONS)
        # other hosts' assets are dropped by Scrapy's OffsiteMiddleware (allowed_domains), as pages are
        self.assets = LinkExtractor(allow=rf"\.({ext})$", deny_extensions=())
        self.stats_out = stats_out
        self.urls = open(urls_out, "w", encoding="utf-8") if urls_out else None  # noqa: SIM115 (closed in closed())
        super().__init__(*args, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BareSpider:
        if crawler.settings.get("BOT_NAME") == "zwgk":
            raise UsageError("bare_spider picked up zwgk's project settings (scrapy.cfg): run it from outside "
                             "the repository, as bench/run.py does")
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._dump_stats, signal=signals.engine_stopped)  # after CoreStats
        return spider

    async def start(self) -> AsyncIterator[Request]:
        # not dont_filter (Spider's default): the homepage's own link to "/" must not fetch it twice
        for url in self.start_urls:
            yield Request(url)

    def _count(self, response: Any) -> None:
        stats = self.crawler.stats
        stats.inc_value("bare/pages")
        if response.status == 200:
            stats.inc_value("bare/pages_200")
        if self.urls is not None:
            self.urls.write(response.url + "\n")

    def _heads(self, response: Any) -> Iterator[Request]:
        for link in self.assets.extract_links(response):
            yield Request(link.url, method="HEAD", callback=self.parse_asset)

    def parse_item(self, response: Any) -> Iterator[Request]:
        self._count(response)
        yield from self._heads(response)

    def parse_start_url(self, response: Any) -> Iterator[Request]:
        self._count(response)
        yield from self._heads(response)

    def parse_asset(self, response: Any) -> None:
        self.crawler.stats.inc_value("bare/assets")

    def _dump_stats(self) -> None:
        if self.urls is not None:
            self.urls.close()
        if self.stats_out:
            stats = {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, int | float | str)}
            with open(self.stats_out, "w", encoding="utf-8") as fh:
                json.dump(stats, fh, indent=1, sort_keys=True)
