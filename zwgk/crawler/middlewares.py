"""Downloader middlewares: per-site caps (pages, wall-clock), loop-aware redirects, a quicker meta refresh;
the spider middleware all callback output passes through (one layer instead of Scrapy's three)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse

from zwgk.crawler.frontier import frontier_key
from zwgk.crawler.state import CrawlState, crawl_state

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class CapReached(IgnoreRequest):
    """A site's cap stopped this request; the frontier records it as dropped, not as an error."""


class SiteLimitsMiddleware:
    """Enforce max_pages and max_seconds per site. Requests arrive in priority order (see focus.py),
    so what a cap cuts is the least important part of the portal. The counts are the run's (the
    state's SiteBudget): with several workers a site's cap and clock are shared by all of them."""

    def __init__(self, crawler: Crawler, state: CrawlState):
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteLimitsMiddleware:
        return cls(crawler, crawl_state(crawler))

    def process_request(self, request: Request) -> None:
        site = self.state.sites.get(request.meta.get("zwgk_site", ""))
        if site is None:
            return
        if not site.started:
            site.start(self.state.budget.started(site.key))
        reason = None
        if site.out_of_time():
            reason = "max_seconds"
        elif (request.meta.get("zwgk_kind", "page") == "page" and request.url not in site.pages_requested
              and not request.meta.get("zwgk_budgeted")):    # counted when it was leased (scheduler.py)
            if not self.state.budget.take_page(site.key, site.max_pages):
                reason = "max_pages"
            else:
                site.pages_requested.add(request.url)
        if reason:
            site.capped.add(reason)
            self.state.frontier.drop(frontier_key(request), reason)
            self.crawler.stats.inc_value(f"zwgk/capped/{reason}")
            raise CapReached(f"{site.key}: {reason}")


class LoopAwareRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirect handling, but a chain that comes back to a URL it already visited stops at
    once as a redirect loop instead of bouncing until REDIRECT_MAX_TIMES (and hammering the site)."""

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if redirected.url in visited:
            self.crawler.stats.inc_value("zwgk/redirect_loops")
            raise IgnoreRequest(f"redirect loop: {' -> '.join([*visited, redirected.url])}")
        return super()._redirect(redirected, request, reason)


class QuickMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta refresh handling, which looks for the word "refresh" in an attribute of a <meta> tag
    in the first 4,096 characters: a page without the word there is passed on without the scan (most
    pages; the scan cost 2 % of a crawl's CPU)."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if isinstance(response, HtmlResponse) and "refresh" not in response.text[0:4096].lower():
            return response
        return super().process_response(request, response)


class CountingDownloaderStats:
    """Scrapy's DownloaderStats (settings.py puts this in its place) without its byte counts: it
    rebuilt every request's full HTTP text (request_httprepr) and summed every response's headers to
    count downloader/request_bytes and response_bytes, ≈ 2 % of a crawl's CPU; nothing reads them. The
    counts of requests (by method), responses (by status) and exceptions (by type) stay as they were."""

    def __init__(self, stats: Any):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CountingDownloaderStats:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("DOWNLOADER_STATS"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_request(self, request: Request) -> None:
        inc = self.stats.inc_value
        inc("downloader/request_count")
        inc(f"downloader/request_method_count/{request.method}")

    def process_response(self, request: Request, response: Response) -> Response:
        inc = self.stats.inc_value
        inc("downloader/response_count")
        inc(f"downloader/response_status_count/{response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        from scrapy.utils.python import global_object_name

        inc = self.stats.inc_value
        inc("downloader/exception_count")
        inc(f"downloader/exception_type_count/{global_object_name(exception.__class__)}")


class SpiderOutputMiddleware:
    """Spider middleware: the one layer our callbacks' output passes through, doing exactly what Scrapy's
    StartSpiderMiddleware, RefererMiddleware and UrlLengthMiddleware do to it (settings.py disables them).

    Each spider middleware wraps every callback's output in two or three more async generators, and
    every page yields dozens of requests (≈ 5 % of a crawl's CPU for the three). Items pass untouched;
    a request is dropped when its URL is longer than URLLENGTH_LIMIT (the spider records such links
    `not_checked` and never asks for them, so this is a safety net), given the Referer Scrapy's policy
    would give it only when the spider set none (it sets one on every request it has a referer for),
    and, with several crawl workers, tagged with the page it was found on (scheduler.py holds it until
    that page's record is written)."""

    def __init__(self, crawler: Crawler):
        from scrapy.spidermiddlewares.referer import RefererMiddleware
        from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

        settings = crawler.settings
        self.referer = RefererMiddleware(settings) if settings.getbool("REFERER_ENABLED") else None
        self.url_length = None
        if settings.getint("URLLENGTH_LIMIT"):
            self.url_length = UrlLengthMiddleware.from_crawler(crawler)
        self.found_on = settings.getint("ZWGK_WORKERS", 1) > 1

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderOutputMiddleware:
        return cls(crawler)

    def _request(self, request: Request, response: Response | None) -> Request | None:
        if self.url_length is not None and len(request.url) > self.url_length.maxlength:
            return self.url_length.get_processed_request(request, response)       # logs and drops it
        if response is None:                            # a start request (StartSpiderMiddleware)
            request.meta.setdefault("is_start_request", True)
            return request
        if self.referer is not None and b"Referer" not in request.headers:
            self.referer.get_processed_request(request, response)
        if self.found_on:
            request.meta.setdefault("zwgk_found_on", response.url)
        return request

    async def process_start(self, start: Any) -> Any:
        async for item in start:
            if isinstance(item, Request):
                item = self._request(item, None)
                if item is None:
                    continue
            yield item

    def process_spider_output(self, response: Response, result: Any) -> Any:
        request = self._request
        for item in result:
            if isinstance(item, Request):
                item = request(item, response)
                if item is None:
                    continue
            yield item

    async def process_spider_output_async(self, response: Response, result: Any) -> Any:
        request = self._request
        async for item in result:
            if isinstance(item, Request):
                item = request(item, response)
                if item is None:
                    continue
            yield item
