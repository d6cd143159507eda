"""The baseline: a bare Scrapy CrawlSpider over the same site, same concurrency, no store.

    scrapy runspider bench/bare_spider.py -a start=http://127.0.0.1:8080/ -s CONCURRENT_REQUESTS=8

It follows every same-host link (LinkExtractor defaults, so attachments are not fetched) and keeps
nothing, which is the floor zwgk's crawl (parsing, link records, SQLite writes) is measured against.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BareSpider(CrawlSpider):
    name = "bare"
    custom_settings: ClassVar[dict[str, Any]] = {
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
    }

    def __init__(self, start: str, *args: Any, **kwargs: Any):
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname or ""]
        self.rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)
        super().__init__(*args, **kwargs)

    def parse_item(self, response: Any) -> None:
        self.crawler.stats.inc_value("bare/pages")

    def parse_start_url(self, response: Any) -> None:
        self.crawler.stats.inc_value("bare/pages")
