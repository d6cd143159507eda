"""Downloader middlewares: per-site caps (pages, wall-clock) and loop-aware redirects; a spider middleware
tagging the requests a callback yields with its page (several workers)."""

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


class FoundOnMiddleware:
    """Spider middleware (several workers): each request a callback yields is tagged with the response
    it was found on, so the scheduler holds it until that page's record is written (scheduler.py)."""

    @staticmethod
    def _tag(response: Any, item: Any) -> Any:
        if isinstance(item, Request) and response is not None:
            item.meta.setdefault("zwgk_found_on", response.url)
        return item

    def process_spider_output(self, response: Any, result: Any, spider: Any = None) -> Any:
        for item in result:
            yield self._tag(response, item)

    async def process_spider_output_async(self, response: Any, result: Any, spider: Any = None) -> Any:
        async for item in result:
            yield self._tag(response, item)
