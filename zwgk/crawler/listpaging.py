"""The spider's list reading: plans from the paging adapters, their requests, probe chains, coverage.

For every page it reads, the spider asks `ListPaging.page(...)`: a page that is a member of a list
already being read (list page N, an API answer) is credited to that list and may continue its probe
chain; any other page is planned by the adapters (paging.plan_lists). Every list so read has a
ListState (coverage.py) whose `list_coverage` row is yielded as an item whenever it changes, and
written once more, final, when the crawl closes.

The cross-check that sends doubtful lists to the browser is decided here (`wants_render`): a list
that states a count (共N条, totalRecord …) larger than what the raw pages and the adapters produced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from zwgk.crawler.coverage import ListState, ListTracker
from zwgk.crawler.paging import ScriptRequest, listing_links, more_requests, plan_lists, stated_total
from zwgk.store import Link, ListCoverage, PageRecord
from zwgk.understand.lists import parse_list
from zwgk.understand.pager import PagingHints, paging_hints, parse_pager

if TYPE_CHECKING:
    from lxml import etree

# Yields Scrapy requests (built by the spider) and ListCoverage items.
Emit = Iterator[Any]
MakeRequest = Callable[[PageRecord, ScriptRequest, int], Any]


def list_items(body: str | None, url: str, root: etree._Element | None = None) -> list[str]:
    """The item URLs of a list page, as the checks read it (understand.parse_list); `root`, the
    page's tree when it is parsed already."""
    return [item.url for item in parse_list(body, url, root).items] if body else []


class ListPaging:
    def __init__(self, limit_of: Callable[[str], int],
                 render: Callable[[str, str, int, str | None], Emit] | None = None) -> None:
        self.tracker = ListTracker()
        self.limit_of = limit_of              # site key -> crawl.max_list_pages
        self.render = render                  # (site, list url, depth, referer) -> the cross-check render

    def _settled(self, state: ListState) -> Emit:
        """A member arrived: the row, and the cross-check once the list is in and still short."""
        yield state.coverage()
        if self.render is not None and self.wants_render(state.site, state.url) is not None:
            yield from self.render(state.site, state.url, state.depth, state.referer)

    # --- pages ------------------------------------------------------------------------------------
    def page(self, rec: PageRecord, root: etree._Element | None, make: MakeRequest,
             follow: Callable[[str], bool]) -> Emit:
        """A fetched page (2xx, read): credit it to its list, or plan the lists it holds.
        `make(rec, script_request, depth)` builds a request; `follow(url)` says whether the site crawls it."""
        body, final = rec.body or "", rec.final_url or rec.url
        taken = self.tracker.take(rec.site, rec.url)
        if taken is not None:
            state, chain = taken
            ok = rec.status is not None and 200 <= rec.status < 300
            items = list_items(body, final, root) if ok else []
            total = paging_hints(body, root).total_records if ok else None
            retry = chain is not None and more_requests(chain, rec.status, items, total)[1] == "retry"
            if not retry:       # a guessed page name that failed is replaced, not a failed page
                self.tracker.credit(state, rec.url, items if ok else None, by_adapter=True)
            else:
                state.waiting.discard(rec.url)
            if chain is not None:
                yield from self._continue(rec, state, chain, rec.status, items, total, make, follow)
            elif ok and root is not None:      # a pager written as links shows a window: expect what it adds
                for url in _pager_links(body, root, final):
                    if url not in state.items:
                        self.tracker.expect(state, url)
            yield from self._settled(state)
            return
        if not (rec.status is not None and 200 <= rec.status < 300):
            return
        hints = paging_hints(body, root)
        items: list[str] | None = None

        def first_items() -> list[str]:
            nonlocal items
            if items is None:
                items = list_items(body, final, root)
            return items

        plans = plan_lists(body, final, self.limit_of(rec.site), root, items=first_items, hints=hints)
        for plan in plans:
            api_list = plan.list_url != rec.url and plan.adapter == "gkmlpt"    # page 1 is an API answer
            state = self.tracker.open(rec.site, plan.list_url if api_list else rec.url, rec.depth, rec.referer,
                                      plan.first_items or ([] if api_list else first_items()), plan,
                                      pages=0 if api_list else 1)
            state.scripted = plan.adapter in ("hanweb", "jpaas", "gkmlpt")
            plain = {link.url for link in rec.links}
            for sr in plan.requests:
                member = sr.url in plan.members
                if member:
                    self.tracker.expect(state, sr.url, sr.chain)
                if sr.url in plain or not follow(sr.url):
                    continue      # a pager the server (or the browser) already wrote as links adds nothing
                rec.links.append(Link(url=sr.url, anchor=sr.via, kind=sr.kind, tag="script"))
                request = make(rec, sr, rec.depth if sr.same_level else rec.depth + 1)
                if request is None:
                    self.tracker.uncount(state, sr.url, "分页超出抓取深度上限")
                elif request is not False:
                    yield request
            for url in plan.members:
                if url not in {sr.url for sr in plan.requests}:
                    self.tracker.expect(state, url)            # plain-linked list pages
            yield state.coverage()
        if not plans and _states_more(hints):
            state = self.tracker.open(rec.site, rec.url, rec.depth, rec.referer, first_items(), None,
                                      hints.total_records, hints.total_pages,
                                      note=f"列表写明数量（{'、'.join(hints.sources)}），未识别分页方式")
            yield state.coverage()

    def listing(self, rec: PageRecord, content_type: str, make: MakeRequest, follow: Callable[[str], bool]) -> Emit:
        """A list API answer (Hanweb XML group, jpaas/gkmlpt JSON): its documents, credited to its list."""
        body, base = rec.body or "", rec.final_url or rec.url
        items = listing_links(body, content_type, base) if rec.status and 200 <= rec.status < 300 else []
        for url in items:
            if follow(url):
                rec.links.append(Link(url=url, anchor="listing", kind="page", tag="script"))
        taken = self.tracker.take(rec.site, rec.url)
        if taken is None:
            return
        state, chain = taken
        ok = rec.status is not None and 200 <= rec.status < 300
        self.tracker.credit(state, rec.url, items if ok else None, by_adapter=True)
        total = stated_total(body, content_type) if ok else None
        if total is not None and state.stated_total is None:
            state.stated_total = total
        if chain is not None:
            yield from self._continue(rec, state, chain, rec.status, items, total, make, follow)
        yield from self._settled(state)

    def failed(self, site: str, url: str, reason: str) -> Emit:
        """A member whose fetch failed (network error, cap): the list is partial."""
        taken = self.tracker.take(site, url)
        if taken is not None:
            state, _ = taken
            if reason:
                self.tracker.uncount(state, url, reason)
            else:
                self.tracker.credit(state, url, None, by_adapter=True)
            yield from self._settled(state)

    def rendered(self, rec: PageRecord, root: etree._Element | None = None) -> Emit:
        """The browser's DOM of a list page: items only it shows make the list's source `browser`."""
        if (rec.site, rec.url) in self.tracker.lists:
            state = self.tracker.rendered(rec.site, rec.url, list_items(rec.body, rec.final_url or rec.url, root))
            if state is not None:
                yield state.coverage()

    def unreadable(self, rec: PageRecord, reason: str) -> Emit:
        """A list only a browser could read, and no browser rendered it."""
        state = self.tracker.open(rec.site, rec.url, rec.depth, rec.referer, [])
        state.unread = reason
        yield state.coverage()

    def reads(self, site: str, url: str) -> bool:
        """Is `url` a list this process reads (its rendered DOM is credited here: `rendered`)?"""
        return (site, url) in self.tracker.lists

    # --- the cross-check ------------------------------------------------------------------------
    def wants_render(self, site: str, url: str) -> ListState | None:
        """The list `url` states more items than the raw pages and the adapters obtained (once per list)."""
        state = self.tracker.lists.get((site, url))
        if state is None or state.render_asked or not state.short_of_count():
            return None
        state.render_asked = True
        return state

    def close(self, stored: Callable[[str, str], PageRecord | None]) -> list[ListCoverage]:
        """Every list's final row. A member still awaited may have been fetched before its list was read
        (`stored(site, url)` finds it); one never fetched (a cap stopped the crawl) makes the list partial."""
        for site, url, state in self.tracker.waiting_members():
            rec = stored(site, url)
            if rec is not None and rec.ok and rec.body is not None:
                self.tracker.take(site, url)
                items = (listing_links(rec.body, rec.content_type or "", rec.final_url or url) if rec.kind == "listing"
                         else list_items(rec.body, rec.final_url or url))
                self.tracker.credit(state, url, items, by_adapter=True)
        return [state.coverage(final=True) for state in self.tracker.lists.values()]

    # --- probe chains ------------------------------------------------------------------------------
    def _continue(self, rec: PageRecord, state: ListState, chain: dict[str, Any], status: int | None,
                  items: list[str], total: int | None, make: MakeRequest, follow: Callable[[str], bool]) -> Emit:
        nxt, why = more_requests(chain, status, items, total)
        if why in ("empty", "repeat", "last"):
            state.ended = True
        elif why == "limit":
            state.cut.append(f"分页超过 max_list_pages（{chain['limit']} 页）")
        if total is not None and state.stated_total is None:
            state.stated_total = total
        for sr in nxt:
            self.tracker.expect(state, sr.url, sr.chain)
            if not follow(sr.url):
                self.tracker.uncount(state, sr.url, "分页地址不在站点范围内")
                continue
            request = make(rec, sr, rec.depth)
            if request is None:
                self.tracker.uncount(state, sr.url, "分页超出抓取深度上限")
            elif request is not False:
                yield request


def _pager_links(body: str, root: etree._Element, url: str) -> list[str]:
    pager = parse_pager(body, root, url)
    return pager.seen_urls if pager is not None and pager.scheme == "text" else []


def _states_more(hints: PagingHints) -> bool:
    return hints.total_records is not None or (hints.total_pages or 0) > 1
