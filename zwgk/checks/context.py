"""SiteContext: everything a check may read about one site, computed once and shared.

Checks get stored pages, parsed lists/metadata (cached), recognised columns, the profile's
thresholds and the probe layer (the only way a check learns network facts). No check fetches.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from zwgk.store import RENDER_METHOD as RENDER
from zwgk.store import Link, PageRecord, Store

if TYPE_CHECKING:
    from zwgk.config.profile import Profile
    from zwgk.probes import Probes


class SiteContext:
    def __init__(self, store: Store, site: dict[str, Any], as_of: date, profile: Profile,
                 probes: Probes | None = None, options: dict[str, Any] | None = None):
        self.store = store
        self.site = site
        self.as_of = as_of
        self.profile = profile
        self.probes = probes
        self.options = options or {}      # inspection-level inputs, e.g. content.terms lists
        self._lists: dict[str, Any] = {}
        self._meta: dict[str, Any] = {}

    @property
    def key(self) -> str:
        return self.site["key"]

    @property
    def site_url(self) -> str:
        return self.site["url"]

    def setting(self, name: str, default: Any = None) -> Any:
        """A threshold from the scoring profile; the default stays visible at the call site."""
        return self.profile.setting(name, default)

    # --- stored crawl -------------------------------------------------------------------------
    # A page the browser rendered has two records: the raw fetch (GET) and its DOM (RENDER). Checks
    # judge what a visitor sees, so the rendered one stands for the page when it succeeded; a failed
    # render is kept aside (render_failures) so a list that could not be read is `inconclusive`.
    @cached_property
    def _records(self) -> tuple[list[PageRecord], dict[str, PageRecord], set[int]]:
        records = self.store.pages(self.key)
        renders = {r.url: r for r in records if r.method == RENDER}
        rendered = {url for url, r in renders.items() if r.error_kind is None}
        chosen, superseded = [], set()
        for rec in records:
            if rec.method == RENDER:
                if rec.error_kind is None:
                    chosen.append(rec)
            elif rec.kind == "page" and rec.url in rendered:
                superseded.add(rec.id or 0)
            else:
                chosen.append(rec)
        # a render that failed still marks its page (the raw fetch is what the checks read)
        failures = {url: r for url, r in renders.items() if r.error_kind is not None}
        return chosen, failures, superseded

    @property
    def all_records(self) -> list[PageRecord]:
        """One record per fetched URL and method; a successful render replaces its page's raw fetch."""
        return self._records[0]

    @property
    def render_failures(self) -> dict[str, PageRecord]:
        """url -> the RENDER record of a page the browser could not render (unavailable, timeout …)."""
        return self._records[1]

    @cached_property
    def pages(self) -> list[PageRecord]:
        """HTML pages fetched successfully (2xx) with a body."""
        return [p for p in self.all_records if p.kind == "page" and p.ok and p.body is not None]

    @cached_property
    def by_url(self) -> dict[str, PageRecord]:
        out: dict[str, PageRecord] = {}
        for rec in self.all_records:
            out.setdefault(rec.url, rec)
            if rec.final_url:
                out.setdefault(rec.final_url, rec)
        return out

    @cached_property
    def home(self) -> PageRecord | None:
        rec = self.store.page(self.key, self.site_url)
        if rec is not None and rec.kind == "page" and (rec.id or 0) in self._records[2]:
            return next((r for r in self.all_records if r.url == rec.url and r.method == RENDER), rec)
        return rec

    def links_of(self, page: PageRecord) -> list[Link]:
        return self.store.links(page.id) if page.id is not None else []

    @cached_property
    def link_index(self) -> list[tuple[str, Link]]:
        """(source page URL, link) for every recorded link of the site."""
        return list(self.store.all_links(self.key, exclude_pages=self._records[2]))

    # --- page understanding (cached; parsing is the expensive part) ---------------------------
    def list_page(self, page: PageRecord) -> Any:
        from zwgk.understand.lists import parse_list

        if page.url not in self._lists:
            self._lists[page.url] = parse_list(page.body or "", page.final_url or page.url)
        return self._lists[page.url]

    def metadata(self, page: PageRecord) -> Any:
        from zwgk.understand.metadata import parse_metadata

        if page.url not in self._meta:
            self._meta[page.url] = parse_metadata(page.body or "")
        return self._meta[page.url]

    @cached_property
    def coverage(self) -> Any:
        """What the crawl covered (checks/coverage.py): status, caps, column lists, navigation."""
        from zwgk.checks.coverage import site_coverage

        return site_coverage(self)

    @cached_property
    def list_coverage(self) -> dict[str, Any]:
        """url -> ListCoverage the crawl recorded for a list page (empty: no coverage information)."""
        return self.store.list_coverages(self.key)

    @cached_property
    def columns(self) -> dict[str, Any]:
        from zwgk.understand.columns import recognise_columns

        return recognise_columns(self.pages)

    def page_at(self, url: str) -> PageRecord | None:
        """A stored, successfully fetched page by URL ('/dir/' and '/dir/index.html' are the same)."""
        for candidate in (url, url.rstrip("/") + "/index.html", url.removesuffix("index.html")):
            rec = self.by_url.get(candidate)
            if rec is not None and rec.ok and rec.body is not None:
                return rec
        return None

    def list_unreadable(self, page: PageRecord) -> str | None:
        """Why the list of `page` could not be read here, or None: the browser could not render a page
        whose list a script builds, or nobody tried (render_js: never)."""
        if page.method == RENDER:
            return None                     # the browser's DOM: what it lists is what there is
        failed = self.render_failures.get(page.url)
        if failed is not None:
            from zwgk.error_kinds import ERROR_LABELS

            return f"{ERROR_LABELS.get(failed.error_kind or '', failed.error_kind)}（{failed.error or ''}）"
        from zwgk.understand.scripted import script_built_list

        if script_built_list(page.body, page.final_url or page.url, page.meta):
            return "列表由页面脚本生成，本次检查未使用浏览器渲染"
        return None

    @staticmethod
    def pager_hidden(parsed: Any) -> bool:
        """A list that a script fills (JSON/XHR pager, no rows in the HTML) cannot be read here."""
        pager = getattr(parsed, "pager", None)
        return bool(pager and not parsed.items and getattr(pager, "total_records", 0))

    def column_list_pages(self, key: str) -> list[PageRecord]:
        """Every stored list page of a recognised column: page 1, the further list pages the crawl
        fetched (static index_N pages found through the pager) and the list-API answers (Hanweb
        dataproxy.jsp groups, jpaas JSON) fetched on its behalf. [] if the column was not found."""
        hit = self.columns.get(key)
        page = self.page_at(hit.url) if hit else None
        if page is None:
            return []
        first = self.list_page(page)
        urls = first.pager.page_urls(page.final_url or page.url) if first.pager else []
        pages = [page, *(p for u in urls if (p := self.page_at(u)) is not None)]
        here = {page.url, page.final_url}
        pages += [r for r in self.all_records if r.kind == "listing" and r.ok and r.referer in here]
        return pages

    def column_listing(self, key: str) -> tuple[PageRecord, list[Any]] | None:
        """(list page, items) of a recognised column, its items read from every list page stored
        (column_list_pages). None if the column was not found."""
        pages = self.column_list_pages(key)
        if not pages:
            return None
        items: list[Any] = []
        seen: set[str] = set()
        for lp in pages:
            for item in self.list_page(lp).items:
                if item.url not in seen:
                    seen.add(item.url)
                    items.append(item)
        return pages[0], items
