"""SiteContext: everything a check may read about one site, computed once and shared.

Checks get stored pages, parsed lists/metadata (cached), recognised columns, the profile's
thresholds and the probe layer (the only way a check learns network facts). No check fetches.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

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
    @cached_property
    def all_records(self) -> list[PageRecord]:
        return self.store.pages(self.key)

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
        return self.store.page(self.key, self.site_url)

    def links_of(self, page: PageRecord) -> list[Link]:
        return self.store.links(page.id) if page.id is not None else []

    @cached_property
    def link_index(self) -> list[tuple[str, Link]]:
        """(source page URL, link) for every recorded link of the site."""
        return list(self.store.all_links(self.key))

    # --- page understanding (cached; parsing is the expensive part) ---------------------------
    def list_page(self, page: PageRecord) -> Any:
        from zwgk.checks.understand.lists import parse_list

        if page.url not in self._lists:
            self._lists[page.url] = parse_list(page.body or "", page.final_url or page.url)
        return self._lists[page.url]

    def metadata(self, page: PageRecord) -> Any:
        from zwgk.checks.understand.metadata import parse_metadata

        if page.url not in self._meta:
            self._meta[page.url] = parse_metadata(page.body or "")
        return self._meta[page.url]

    @cached_property
    def columns(self) -> dict[str, Any]:
        from zwgk.checks.understand.columns import recognise_columns

        return recognise_columns(self.pages)

    def page_at(self, url: str) -> PageRecord | None:
        """A stored, successfully fetched page by URL ('/dir/' and '/dir/index.html' are the same)."""
        for candidate in (url, url.rstrip("/") + "/index.html", url.removesuffix("index.html")):
            rec = self.by_url.get(candidate)
            if rec is not None and rec.ok and rec.body is not None:
                return rec
        return None

    @staticmethod
    def pager_hidden(parsed: Any) -> bool:
        """A list that a script fills (JSON/XHR pager, no rows in the HTML) cannot be read here."""
        pager = getattr(parsed, "pager", None)
        return bool(pager and not parsed.items and getattr(pager, "total_records", 0))

    def column_listing(self, key: str) -> tuple[PageRecord, list[Any]] | None:
        """(list page, items) of a recognised column: page 1 plus any further list pages the crawl
        fetched (static index_N pages found through the pager). None if the column was not found."""
        hit = self.columns.get(key)
        page = self.page_at(hit.url) if hit else None
        if page is None:
            return None
        first = self.list_page(page)
        items = list(first.items)
        seen = {i.url for i in items}
        more_pages = [self.page_at(u) for u in first.pager.page_urls(page.final_url or page.url)] if first.pager else []
        # list-API answers (Hanweb dataproxy.jsp groups) the crawl fetched on behalf of this page
        here = {page.url, page.final_url}
        more_pages += [r for r in self.all_records if r.kind == "listing" and r.ok and r.referer in here]
        for more in more_pages:
            if more is None:
                continue
            for item in self.list_page(more).items:
                if item.url not in seen:
                    seen.add(item.url)
                    items.append(item)
        return page, items
