"""The portal spider: one process crawls every site of an inspection, each within its own hosts.

For every response it records a PageRecord (status, redirects, charset, title, meta tags, breadcrumb,
links with anchor text and hidden flag); failures become records too (error_kind), never exceptions.
Attachments are status-checked with HEAD (GET, stopped after the headers, when HEAD is refused).

Script-built lists: the fast-path adapters (paging.py, driven by listpaging.py) run on every page;
the browser (render.py) is asked only for what they cannot read, and for lists that state more items
than the raw pages and the adapters produced (the cross-check). A rendered page is a second record of
the same URL with method RENDER (its DOM, its links); the raw GET stays. With render_js: always the
page is fetched by the browser first and plainly only when the render fails. A render that times out
is tried once more; one that fails, or is impossible (no browser), is recorded too, so the checks can
say `inconclusive` instead of "empty".
Every list read this way leaves a `list_coverage` row (coverage.py).

Links are data: an href no browser can open is recorded as an `invalid` link with its reason; a URL
over the length limit, or cut by a crawl-trap budget (traps.py), is recorded `not_checked`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Collection, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import FormRequest, Request, Spider, signals
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Response, TextResponse

from zwgk.browser import announce_unavailable, failure_kind
from zwgk.crawler.errors import classify_failure, quiet_expected_failures
from zwgk.crawler.focus import TRAP_MALUS, Focus
from zwgk.crawler.listpaging import ListPaging
from zwgk.crawler.middlewares import CapReached
from zwgk.crawler.paging import ScriptRequest
from zwgk.crawler.render import RENDER_METHOD, RENDER_SLOT
from zwgk.crawler.sitescope import SiteScope
from zwgk.crawler.state import CrawlState, crawl_state
from zwgk.crawler.traps import KIND_LABELS, detail_sentence
from zwgk.store import PageRecord
from zwgk.understand._html import parse_html
from zwgk.understand.facts import page_facts
from zwgk.understand.page import extract_page
from zwgk.understand.scripted import script_built_list

if TYPE_CHECKING:
    from lxml import etree
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

HEAD_REFUSED = frozenset({403, 405, 501})   # servers that refuse HEAD but serve GET


class PortalSpider(Spider):
    name = "portal"
    # Scrapy would re-read each callback's source (inspect + ast) to warn about generators that return a
    # value, once per callback object that is not cached: 4 % of a crawl's CPU. Ours return none.
    custom_settings: ClassVar[dict[str, Any]] = {"WARN_ON_GENERATOR_RETURN_VALUE": False}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.cstate: CrawlState
        self.sites: dict[str, dict[str, Any]] = {}
        self.scopes: dict[str, SiteScope] = {}
        self.focus = Focus((), ())
        self.browser: dict[str, Any] = {"available": False, "reason": ""}
        self.lists = ListPaging(lambda site: int(self.sites[site]["crawl"].get("max_list_pages", 50)),
                                self._render_list)
        self.url_limit = 2083
        # one bound method per kind for every Request (a fresh one per request costs, and defeats
        # Scrapy's per-callback caches)
        self._callbacks = {"page": self.parse_page, "listing": self.parse_listing}
        self._parse_resource = self.parse_resource
        self._on_error = self.on_error

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.cstate = crawl_state(crawler)
        spider.sites = {s["key"]: s for s in settings.getlist("ZWGK_SITES")}
        spider.scopes = {k: SiteScope(k, set(s["hosts"])) for k, s in spider.sites.items()}
        spider.focus = Focus(settings.getlist("ZWGK_FOCUS_TERMS"), settings.getlist("ZWGK_FOCUS_URL_SEGMENTS"))
        spider.browser = dict(settings.getdict("ZWGK_RENDER") or spider.browser)
        spider.url_limit = settings.getint("URLLENGTH_LIMIT", 2083)
        crawler.signals.connect(spider._headers_received, signal=signals.headers_received)
        quiet_expected_failures()
        return spider

    # --- requests -----------------------------------------------------------------------------
    def _request(self, site: str, url: str, *, kind: str, depth: int, referer: str | None, anchor: str,
                 method: str = "GET", priority: int | None = None, dont_filter: bool = False,
                 headers_only: bool = False, form: dict[str, str] | None = None, render: bool | None = None,
                 keep: bool = False) -> Request:
        """`keep`: several workers — this worker fetches it itself (scheduler.py), as a render of a list it
        reads: only the reader's ListState can credit what the browser shows."""
        cfg = self.sites[site]["crawl"]
        render_only = False        # render_js: always — the browser fetches the page first, plainly on failure
        if method == RENDER_METHOD:       # a resumed frontier row of a rendered page
            method, render, render_only = "GET", True, cfg.get("render_js") == "always"
        elif render is None:
            render = render_only = (kind == "page" and method == "GET" and cfg.get("render_js") == "always"
                                    and self._can_render())
        meta = {
            "zwgk_site": site, "zwgk_kind": kind, "zwgk_depth": depth, "zwgk_referer": referer,
            "zwgk_anchor": anchor, "download_slot": site, "download_timeout": cfg["timeout"],
            "zwgk_headers_only": headers_only, "zwgk_started": time.monotonic(), "zwgk_form": form,
        }
        if render:
            # same URL as the raw fetch: the dupefilter and frontier key it by method RENDER
            meta.update(playwright=True, zwgk_render=True, zwgk_render_only=render_only, zwgk_method=RENDER_METHOD,
                        download_slot=site + RENDER_SLOT)
        if keep:
            meta["zwgk_keep"] = True
        if not cfg["respect_robots"]:
            meta["dont_obey_robotstxt"] = True
        callback = self._callbacks.get(kind, self._parse_resource)
        if priority is None:
            priority = self.focus.priority(url, anchor, depth, kind)
        headers = {"Referer": referer} if referer else None
        if form is not None:   # a list API (Hanweb dataproxy.jsp) takes its column ids as a POST form
            return FormRequest(url, formdata=form, callback=callback, errback=self._on_error, meta=meta,
                               priority=priority, dont_filter=dont_filter, headers=headers)
        return Request(url, method=method, callback=callback, errback=self._on_error, meta=meta,
                       priority=priority, dont_filter=dont_filter, headers=headers)

    async def start(self) -> AsyncIterator[Any]:
        # The homepages; on a resumed run (or in a second worker) they are known and the dupefilter
        # drops them. What the frontier holds is leased by the scheduler (request_from_frontier).
        if (not self.browser.get("available") and self.settings.getbool("ZWGK_ANNOUNCE", True)
                and any(s["crawl"].get("render_js", "auto") != "never" for s in self.sites.values())):
            announce_unavailable(self.browser.get("reason") or "未找到浏览器")
        for key, site in self.sites.items():
            yield self._request(key, site["url"], kind="page", depth=0, referer=None, anchor="首页")

    def request_from_frontier(self, row: Mapping[str, Any]) -> Request | PageRecord | None:
        """The Request of a frontier row the scheduler leased (a resumed run's queue, another worker's
        discoveries); a page to render without a browser becomes its failure record instead."""
        if row["site"] not in self.sites:
            return None
        if row["method"] == RENDER_METHOD and not self._can_render():
            return self._render_failure(row["site"], row["url"], row["depth"], row["referer"],
                                        "render_unavailable", self.browser.get("reason") or "浏览器不可用")
        form = json.loads(row["form"]) if row["form"] else None
        return self._request(row["site"], row["url"], kind=row["kind"], depth=row["depth"], referer=row["referer"],
                             anchor=row["anchor"] or "", method=row["method"], priority=row["priority"],
                             dont_filter=True, form=form)

    def awaited_members(self) -> Collection[tuple[str, str]]:
        """(site, url) of the list pages and answers this process awaits for the lists it reads: with
        several crawl workers it fetches them itself (scheduler.py), so a list is read in one place."""
        return self.lists.tracker.awaited()

    # --- responses ----------------------------------------------------------------------------
    def _record(self, response: Response, kind: str) -> PageRecord:
        meta = response.meta
        chain = [{"url": u, "status": s} for u, s in zip(meta.get("redirect_urls", []),
                                                           meta.get("redirect_reasons", []), strict=False)]
        return PageRecord(
            site=meta["zwgk_site"], url=chain[0]["url"] if chain else response.url, kind=kind,
            method=response.request.method if response.request else "GET",
            final_url=response.url, redirects=chain, status=response.status,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1") or None,
            depth=meta.get("zwgk_depth", 0), referer=meta.get("zwgk_referer"),
            elapsed=round(time.monotonic() - meta.get("zwgk_started", time.monotonic()), 3),
            size=len(response.body),
        )

    def parse_page(self, response: Response) -> Iterator[Any]:
        rec = self._record(response, "page")
        rendered = bool(response.meta.get("zwgk_render"))
        if rendered:
            rec.method = RENDER_METHOD
        if not (isinstance(response, TextResponse) and b"html" in response.headers.get(b"Content-Type", b"html")):
            yield from self.lists.failed(rec.site, rec.url, "") if not rec.ok else ()
            yield rec
            return
        rec.charset = response.encoding
        rec.body = response.text
        # the page's one parse: extraction, list reading, paging and the render decision share this tree
        root = parse_html(rec.body)
        try:
            info = extract_page(root, response.url, rec.body)
        except Exception as exc:     # a hostile page: keep what was fetched, say why it was not read
            self.logger.warning("Could not read %s: %r", response.url, exc)
            rec.error_kind, rec.error = "parse_error", f"页面无法解析：{type(exc).__name__}: {exc}"[:500]
            yield rec
            return
        rec.title, rec.meta, rec.breadcrumb = info.title, info.meta, info.breadcrumb
        if rec.ok:                   # what the checks need of the page, from this same tree (stored with it)
            rec.facts = page_facts(rec, root)
        self._scope_links(rec.site, info.links)
        rec.links = info.links
        # Requests before the item: the frontier rows they create commit with this page.
        if 200 <= response.status < 300:
            yield from self._follow(rec)
        if rendered:
            yield from self.lists.rendered(rec, root)
        else:
            yield from self.lists.page(rec, root, self._script_request, self._own(rec.site))
            if 200 <= response.status < 300:
                yield from self._maybe_render(rec, root)
        yield rec

    def _scope_links(self, site: str, links: list[Any]) -> None:
        scope = self.scopes[site]
        for link in links:
            if link.kind in ("page", "attachment"):
                where = scope.classify(link.url)
                if where == "external":
                    link.kind = "external"
                elif where == "related" and link.kind == "page":
                    link.kind = "related"

    def _own(self, site: str) -> Any:
        scope = self.scopes[site]
        return lambda url: scope.classify(url) == "own"

    # --- the browser path ---------------------------------------------------------------------
    def _can_render(self) -> bool:
        return bool(self.browser.get("available"))

    def _maybe_render(self, rec: PageRecord, root: etree._Element | None = None) -> Iterator[Any]:
        """render_js: auto — ask the browser for a page whose list only a script builds, or whose list
        states more items than the raw pages and the adapters produced; without a browser, record that
        it could not be rendered (the checks then say inconclusive)."""
        if self.sites[rec.site]["crawl"].get("render_js", "auto") == "never":
            return
        short = self.lists.wants_render(rec.site, rec.url)
        if short is None and not script_built_list(rec.body, rec.final_url or rec.url, rec.meta, root):
            return
        if self._can_render():
            yield self._request(rec.site, rec.url, kind="page", depth=rec.depth, referer=rec.referer,
                                anchor="render", render=True, keep=self.lists.reads(rec.site, rec.url))
        else:
            reason = self.browser.get("reason") or "浏览器不可用"
            yield self._render_failure(rec.site, rec.url, rec.depth, rec.referer, "render_unavailable", reason)
            yield from self.lists.unreadable(rec, f"列表需浏览器读取：{reason}")

    def _render_list(self, site: str, url: str, depth: int, referer: str | None) -> Iterator[Any]:
        """The cross-check, once a list's last member is in: it still holds fewer items than it states."""
        if self.sites[site]["crawl"].get("render_js", "auto") == "never":
            return
        if self._can_render():      # rendered here: the list's state, which the DOM completes, is here
            yield self._request(site, url, kind="page", depth=depth, referer=referer, anchor="render", render=True,
                                keep=True)
        else:
            yield self._render_failure(site, url, depth, referer, "render_unavailable",
                                       self.browser.get("reason") or "浏览器不可用")

    def _render_failure(self, site: str, url: str, depth: int, referer: str | None, kind: str,
                        message: str, elapsed: float | None = None) -> PageRecord:
        self.crawler.stats.inc_value(f"zwgk/render/{kind}")
        return PageRecord(site=site, url=url, kind="page", method=RENDER_METHOD, depth=depth, referer=referer,
                          error_kind=kind, error=message[:500], elapsed=elapsed)

    def _on_render_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        kind = failure_kind(failure.value)
        message = str(failure.value) or type(failure.value).__name__
        if kind == "render_timeout" and not meta.get("zwgk_render_retried"):
            # a render that timed out is often a busy machine, not the page: once more, in a fresh
            # context (the handler retired the stuck one), before the list is left to 无法判定
            self.crawler.stats.inc_value("zwgk/render/retried")
            self.logger.info("Render timed out, trying once more: %s", request.url)
            yield request.replace(dont_filter=True, meta={**meta, "zwgk_render_retried": True})
            return
        if kind == "render_unavailable" and self.browser.get("available"):
            self.browser.update(available=False, reason=message)   # no more renders this run
            announce_unavailable(message)
        self.logger.info("Render failed (%s): %s %s", kind, request.url, message[:200])
        yield self._render_failure(meta["zwgk_site"], request.url, meta.get("zwgk_depth", 0), meta.get("zwgk_referer"),
                                   kind, message,
                                   round(time.monotonic() - meta.get("zwgk_started", time.monotonic()), 3))
        if meta.get("zwgk_render_only"):   # render_js: always — the page still needs its plain fetch
            yield self._request(meta["zwgk_site"], request.url, kind="page", depth=meta.get("zwgk_depth", 0),
                                referer=meta.get("zwgk_referer"), anchor=meta.get("zwgk_anchor", ""),
                                render=False)

    def _follow(self, rec: PageRecord) -> Iterator[Request]:
        site = self.cstate.sites[rec.site]
        depth = rec.depth + 1
        final = rec.final_url or rec.url
        seen = self.cstate.seen
        # Scrapy schedules a page's requests only after the callback has yielded them all: a second
        # link to the same URL on this page is not in `seen` yet, but the dupefilter would drop it
        asked: set[tuple[str, str, str]] = set()
        for link in rec.links:
            if link.kind not in ("page", "attachment", "related") or link.state:
                continue
            key = (rec.site, link.url, "GET" if link.kind == "page" else "HEAD")
            if key in seen:
                continue            # the dupefilter would drop it; don't build the Request at all
            if len(link.url) > self.url_limit:
                link.state = "not_checked"
                link.reason = f"网址过长（{len(link.url)} 个字符，超过抓取上限 {self.url_limit}），未检查"
                continue
            if link.kind == "page":
                if depth > site.max_depth:
                    site.capped.add("max_depth")
                    continue
                priority = None
                if link.tag != "script":       # adapter requests are bounded by max_list_pages instead
                    admit, trap = site.traps.admit(link.url, final)
                    if not admit and trap is not None:
                        link.state = "not_checked"
                        link.reason = (f"疑似爬虫陷阱（{KIND_LABELS[trap.kind]}：{trap.label}），"
                                       "超出该模式的抓取限额，未抓取")
                        continue
                    if trap is not None and trap.kind != "counter":
                        priority = self.focus.priority(link.url, link.anchor, depth) - TRAP_MALUS
                if key not in asked:
                    asked.add(key)
                    yield self._request(rec.site, link.url, kind="page", depth=depth, referer=final,
                                        anchor=link.anchor, priority=priority)
            elif key not in asked:
                asked.add(key)
                # status checks only: depth does not limit them, they are never parsed
                yield self._request(rec.site, link.url, kind=link.kind, depth=depth, referer=final,
                                    anchor=link.anchor, method="HEAD")

    def _script_request(self, rec: PageRecord, sr: ScriptRequest, depth: int) -> Request | bool | None:
        """The request for what a list script would load; None beyond max_depth (the list is cut),
        False when it needs none (already requested, or too long to request)."""
        if (rec.site, sr.url, sr.method) in self.cstate.seen:
            return False
        if len(sr.url) > self.url_limit:
            return False
        if not self.sites[rec.site]["crawl"].get("paging_adapters", True):
            return False
        site = self.cstate.sites[rec.site]
        if depth > site.max_depth:
            site.capped.add("max_depth")
            return None
        return self._request(rec.site, sr.url, kind=sr.kind, depth=depth, referer=rec.final_url or rec.url,
                             anchor=sr.via, method=sr.method, form=sr.form or None)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A list API's answer (XML records, JSON-wrapped HTML, JSON articles): kept as a `listing`
        record for the checks, and its documents followed one level below the column."""
        rec = self._record(response, "listing")
        if isinstance(response, TextResponse):
            rec.charset = response.encoding
            rec.body = response.text
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1")
            yield from self.lists.listing(rec, ctype, self._script_request, self._own(rec.site))
            if 200 <= response.status < 300:
                yield from self._follow(rec)
        else:
            yield from self.lists.failed(rec.site, rec.url, "")
        yield rec

    def parse_resource(self, response: Response) -> Iterator[Any]:
        request = response.request
        if request is not None and request.method == "HEAD" and response.status in HEAD_REFUSED:
            meta = response.meta
            yield self._request(meta["zwgk_site"], request.url, kind=meta["zwgk_kind"], depth=meta["zwgk_depth"],
                                referer=meta.get("zwgk_referer"), anchor=meta.get("zwgk_anchor", ""),
                                dont_filter=True, headers_only=True)
            return
        rec = self._record(response, response.meta["zwgk_kind"])
        if request is not None and request.method == "GET":
            rec.method = "HEAD"   # one record per resource: the GET stood in for a refused HEAD
        yield rec

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        if failure.check(CapReached):
            yield from self.lists.failed(meta["zwgk_site"], request.url, f"分页未抓取（{failure.value}）")
            return
        if meta.get("zwgk_render") and not failure.check(IgnoreRequest):
            yield from self._on_render_error(failure)
            return
        kind, message = classify_failure(failure)
        hops = meta.get("redirect_urls") or []
        yield from self.lists.failed(meta["zwgk_site"], hops[0] if hops else request.url, "")
        yield PageRecord(
            # a failure mid-chain (loop, dead target) belongs to the URL that was linked
            site=meta["zwgk_site"], url=hops[0] if hops else request.url, kind=meta.get("zwgk_kind", "page"),
            final_url=request.url if hops else None,
            redirects=[{"url": u, "status": s} for u, s in zip(hops, meta.get("redirect_reasons", []), strict=False)],
            method="HEAD" if meta.get("zwgk_headers_only") else request.method,
            depth=meta.get("zwgk_depth", 0), referer=meta.get("zwgk_referer"), error_kind=kind, error=message[:500],
            elapsed=round(time.monotonic() - meta.get("zwgk_started", time.monotonic()), 3),
        )

    def closed(self, reason: str) -> None:
        """Final list coverage rows; the trap patterns that cost pages, into the sites' caps and detail."""
        store = self.cstate.store
        for cov in self.lists.close(lambda site, url: store.page(site, url)):
            store.record_list_coverage(cov)
        seen, frontier = self.cstate.seen, self.cstate.frontier
        for key, site in self.cstate.sites.items():
            # a URL cut here was lost only if no worker requested it (this one's seen-set, the run's frontier)
            cut = set().union(*site.traps.cut.values())
            lost = site.traps.outcome({url for url in cut if (key, url, "GET") in seen
                                       or frontier.known((key, url, "GET"))})
            for pattern, admitted, cut in lost:
                site.capped.add(f"trap:{pattern.label}")
                self.logger.info("Trap budget cut %s: %s (%d requested, %d not)", key, pattern.label, admitted, cut)
            site.notes.append(detail_sentence(lost))

    def _headers_received(self, headers: Any, body_length: int, request: Request, spider: Spider) -> None:
        if request.meta.get("zwgk_headers_only"):
            raise StopDownload(fail=False)     # the status is all we need of an attachment
