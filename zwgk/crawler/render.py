"""The crawl's browser path: the Scrapy settings that route some requests through scrapy-playwright.

Rendering is the slow path (one Chromium page per request): the crawl fetches plainly, follows the
fast-path adapters (paging.py) and asks the browser only for pages whose list a script builds
(understand.scripted; render_js: auto), or for every page (always), or never. Which browser and how
it is launched is the browser layer's (zwgk/browser.py). The download handler that imports Playwright
lives in render_handler.py; when a browser was found, LazyRenderHandler is installed, which makes it
with the first request to render (most crawls render few pages or none, and importing scrapy-playwright
and Playwright cost ≈ 0.1 s of every start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from zwgk.browser import find_browser, launch_args, resolver_rules
from zwgk.store import RENDER_METHOD

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from zwgk.config.inspection import Inspection

__all__ = ["RENDER_METHOD", "RENDER_SLOT", "render_settings"]

RENDER_SLOT = "#render"         # download slot suffix of a site's browser requests


def render_settings(insp: Inspection, hosts: list[str], modes: list[str]) -> dict[str, Any]:
    """Scrapy settings for the browser path. The handler is installed only when some site may render
    and a browser was found; ZWGK_RENDER tells the spider what it may do."""
    crawl = insp.crawl
    info: dict[str, Any] = {"available": False, "reason": "", "browser": None}
    if all(m == "never" for m in modes):
        return {"ZWGK_RENDER": info}
    browser = find_browser(crawl.browser_path, for_crawl=True)
    info.update(available=browser.available, reason=browser.reason, browser=browser.path)
    if not browser.available:
        return {"ZWGK_RENDER": info}
    handler = "zwgk.crawler.render.LazyRenderHandler"
    return {
        "ZWGK_RENDER": info,
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": browser.path, "headless": True,
                                      "args": launch_args(resolver_rules(hosts, insp.network.dns_servers)),
                                      "timeout": crawl.browser_timeout * 1000},
        "PLAYWRIGHT_MAX_CONTEXTS": crawl.browser_contexts,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": crawl.browser_pages_per_context,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": crawl.browser_timeout * 1000,
        "PLAYWRIGHT_ABORT_REQUEST": "zwgk.browser.abort_request",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        "ZWGK_BROWSER_RECYCLE_PAGES": crawl.browser_recycle_pages,
        # the whole render (navigation, settling, reading the DOM) is bounded: a hung page is dropped
        "ZWGK_BROWSER_PAGE_TIMEOUT": crawl.browser_timeout * 2,
    }


class LazyRenderHandler(HTTP11DownloadHandler):
    """The download handler when pages may be rendered: Scrapy's HTTP/1.1 handler for the plain
    requests (as scrapy-playwright's handler passes them on), and render_handler.RenderHandler, made
    with the first request marked `playwright`, for the rest. (RenderHandler launches nothing at engine
    start — the Playwright driver starts with the first render — so making it later changes nothing.)"""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._renderer: Any = None

    def _render_handler(self) -> Any:
        if self._renderer is None:
            from zwgk.crawler.render_handler import RenderHandler

            self._renderer = RenderHandler.from_crawler(self._crawler)
        return self._renderer

    async def download_request(self, request: Request) -> Response:
        if request.meta.get("playwright"):
            return await self._render_handler().download_request(request)
        return await super().download_request(request)

    async def close(self) -> None:
        await super().close()
        if self._renderer is not None:
            await self._renderer.close()
