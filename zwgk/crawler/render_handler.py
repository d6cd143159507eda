"""scrapy-playwright's download handler, bounded for an audit (installed by render.render_settings).

Only requests with meta["playwright"] reach Chromium; everything else is Scrapy's plain HTTP. On top
of scrapy-playwright this adds what a crawl of thousands of pages needs:
* context recycling: requests go to context "render-<n>", a new one every ZWGK_BROWSER_RECYCLE_PAGES
  pages; a retired context is closed once its last page is done (memory and cookies do not pile up);
* a hard deadline per render (ZWGK_BROWSER_PAGE_TIMEOUT): a page that hangs (script loop, stuck
  network) fails with RenderTimeout and its context is closed — the crawl never waits forever;
* a browser that cannot start fails every render at once with BrowserUnavailable (no relaunch per
  page), which the spider records as `render_unavailable` and announces once;
* settling: after `load`, until no request has been under way for QUIET_MS (at most SETTLE_MS),
  so XHR/fetch lists arrive without paying `networkidle`'s fixed 500 ms per page.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from zwgk.browser import track_requests

if TYPE_CHECKING:
    from playwright.async_api import Page
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

SETTLE_MS = 3000      # longest wait for a quiet network after `load` (lists arrive by XHR after load)
QUIET_MS = 200        # no request under way for this long: the page has what it will show
POLL_MS = 50
CONTEXT_OPTIONS = {"locale": "zh-CN", "ignore_https_errors": True,   # as the plain crawl (no cert checks)
                   "viewport": {"width": 1280, "height": 900}}


class BrowserUnavailable(Exception):
    """Chromium could not be started (missing, broken, refused by the system)."""


class RenderTimeout(Exception):
    """A render did not finish within the page deadline."""


class RenderHandler(ScrapyPlaywrightDownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.recycle_every = max(1, settings.getint("ZWGK_BROWSER_RECYCLE_PAGES", 50))
        self.page_timeout = settings.getfloat("ZWGK_BROWSER_PAGE_TIMEOUT", 60.0)
        self.generation = 0
        self.assigned = 0                       # pages given to the current context
        self.inflight: Counter[str] = Counter()
        self.retired: set[str] = set()
        self.unavailable: str | None = None
        self.started = False
        self.start_lock = asyncio.Lock()

    # --- launching ----------------------------------------------------------------------------
    async def _launch(self) -> None:
        """Nothing at engine start: most crawls render few pages or none, and Scrapy builds one
        handler per scheme — the Playwright driver starts with the first render instead."""

    async def _maybe_launch_browser(self) -> None:
        if self.unavailable:
            raise BrowserUnavailable(self.unavailable)
        async with self.start_lock:
            if not self.started:
                try:
                    await super()._launch()
                except Exception as exc:    # the Playwright driver itself did not start
                    self.unavailable = f"Playwright 无法启动：{_first_line(exc)}"
                    raise BrowserUnavailable(self.unavailable) from exc
                self.started = True
        try:
            await super()._maybe_launch_browser()
        except Exception as exc:
            self.unavailable = f"浏览器无法启动：{_first_line(exc)}"
            raise BrowserUnavailable(self.unavailable) from exc

    # --- one render ---------------------------------------------------------------------------
    def _context_name(self) -> str:
        if self.assigned >= self.recycle_every:
            self._retire()
        self.assigned += 1
        return self._current()

    def _current(self) -> str:
        return f"render-{self.generation}"

    def _retire(self) -> None:
        self.retired.add(self._current())
        self.generation, self.assigned = self.generation + 1, 0
        self.stats.inc_value("zwgk/render/contexts_recycled")

    async def _close_retired(self) -> None:
        for name in [n for n in self.retired if self.inflight[n] <= 0]:
            self.retired.discard(name)
            self.inflight.pop(name, None)
            await self._close_context(name)

    async def _download_request(self, request: Request, spider: Spider | None = None) -> Response:
        if self.unavailable:
            raise BrowserUnavailable(self.unavailable)
        name = self._context_name()
        request.meta["playwright_context"] = name
        request.meta["playwright_context_kwargs"] = CONTEXT_OPTIONS
        self.inflight[name] += 1
        await self._close_retired()
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), self.page_timeout)
        except TimeoutError:
            self.stats.inc_value("zwgk/render/timeouts")
            if name == self._current():        # send no more pages into a stuck context
                self._retire()
            await self._close_context(name)    # closing it ends the hung page (and its siblings)
            raise RenderTimeout(f"浏览器渲染超过 {self.page_timeout:g} 秒未完成") from None
        finally:
            self.inflight[name] -= 1
            await self._close_retired()

    async def _create_page(self, request: Request, spider: Spider) -> Page:
        page = await super()._create_page(request, spider)
        page.zwgk_inflight = track_requests(page)    # type: ignore[attr-defined]
        return page

    async def _apply_page_methods(self, page: Page, request: Request, spider: Spider) -> None:
        await super()._apply_page_methods(page, request, spider)
        await settle(page)

    async def _close_context(self, name: str) -> None:
        wrapper = self.context_wrappers.get(name)
        if wrapper is not None:
            with contextlib.suppress(Exception):
                await wrapper.context.close()


async def settle(page: Page) -> None:
    """After `load`, wait until the page has had no request under way for QUIET_MS (its XHR/fetch
    list has arrived), at most SETTLE_MS: Playwright's `networkidle` would cost 500 ms on every page,
    and a page that keeps polling must not hold the crawl."""
    inflight: set[Any] = getattr(page, "zwgk_inflight", set())
    loop = asyncio.get_running_loop()
    deadline, quiet_since = loop.time() + SETTLE_MS / 1000, loop.time()
    while loop.time() < deadline:
        if inflight:
            quiet_since = loop.time()
        elif loop.time() - quiet_since >= QUIET_MS / 1000:
            return
        await asyncio.sleep(POLL_MS / 1000)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
