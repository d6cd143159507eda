"""The crawl's browser path: the Scrapy settings that route some requests through scrapy-playwright.

Rendering is the slow path (one Chromium page per request): the crawl fetches plainly, follows the
fast-path adapters (paging.py) and asks the browser only for pages whose list a script builds
(understand.scripted; render_js: auto), or for every page (always), or never. Which browser and how
it is launched is the browser layer's (zwgk/browser.py). The download handler that imports Playwright
lives in render_handler.py and is installed only when a browser was found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from zwgk.browser import find_browser, launch_args, resolver_rules
from zwgk.store import RENDER_METHOD

if TYPE_CHECKING:
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
    handler = "zwgk.crawler.render_handler.RenderHandler"
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
