"""Per-list evidence coverage: how each list page's items were obtained and whether the count matched.

The crawl opens a ListState when it reads a list page (one with a pager, a paging adapter, a stated
count, or a script-built list), credits every further list page or API answer that arrives for it,
and writes the store's `list_coverage` row as it goes (DESIGN §11/§12; the column checks read it to
say inconclusive when a list was not fully seen):

  source        markup (page 1 and linked pages) | adapter (a paging adapter fetched members) |
                browser (the rendered DOM showed items the raw pages did not) | none (nothing obtained)
  stated_total  the item count the list states (共N条, totalRecord, <totalrecord>, post_count …)
  stated_pages  the page count it states (共N页, countPage, createPageHTML …)
  obtained      distinct items obtained over all its pages;  pages  list pages/answers read
  state         complete: the stated count was reached, or every stated page read, or a probe chain
                          reached an empty/repeated page
                partial:  fewer items than stated, a member failed, or paging was cut (max_list_pages,
                          max_depth, a page cap)
                unknown:  nothing stated and the end not seen (or still in progress)
                unread:   the list needed a browser and none could render it
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from zwgk.crawler.paging import ListPlan
from zwgk.crawler.seen import SeenTexts
from zwgk.store import ListCoverage


@dataclass
class ListState:
    site: str
    url: str
    adapter: str | None = None
    stated_total: int | None = None
    stated_pages: int | None = None
    depth: int = 0
    referer: str | None = None
    items: SeenTexts = field(default_factory=SeenTexts)    # distinct item URLs (fingerprints: seen.py)
    pages: int = 1
    members: list[str] = field(default_factory=list)      # answered, in order
    waiting: set[str] = field(default_factory=set)        # requested or linked, not answered yet
    failed: list[str] = field(default_factory=list)
    adapter_items: int = 0                                # items that only adapter-fetched members held
    browser_items: int = 0                                # items that only the rendered DOM held
    probing: bool = False
    ended: bool = False                                   # a probe chain reached an empty/repeated page
    cut: list[str] = field(default_factory=list)          # why paging stopped early (Chinese)
    unread: str = ""                                      # why the list could not be read at all
    render_asked: bool = False
    scripted: bool = False                                # the page's own items come from an adapter
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.site, self.url

    def state(self, final: bool = False) -> str:
        if self.unread and not self.items:
            return "unread"
        if self.failed or self.cut or (final and self.waiting):
            return "partial"
        if self.waiting:
            return "unknown"
        if self.stated_total is not None:
            return "complete" if len(self.items) >= self.stated_total else "partial"
        if self.stated_pages is not None:
            return "complete" if self.pages >= self.stated_pages else "partial"
        if self.probing:
            return "complete" if self.ended else "partial"
        return "unknown"

    def coverage(self, final: bool = False) -> ListCoverage:
        if self.browser_items:
            source = "browser"
        elif self.items and (self.adapter_items or self.scripted):
            source = "adapter"
        else:
            source = "markup" if self.items else "none"
        notes = [n for n in (self.note, *self.cut, self.unread) if n]
        if final and self.waiting:
            notes.append(f"{len(self.waiting)} 个分页未能抓取")
        if self.failed:
            notes.append(f"{len(self.failed)} 个分页抓取失败")
        return ListCoverage(site=self.site, url=self.url, source=source, adapter=self.adapter,
                            stated_total=self.stated_total, obtained=len(self.items), pages=self.pages,
                            state=self.state(final), note="；".join(notes), stated_pages=self.stated_pages,
                            members=list(self.members))

    def short_of_count(self) -> bool:
        """Everything the adapters could fetch is in, and the list still holds fewer than it states."""
        return (not self.waiting and self.stated_total is not None and len(self.items) < self.stated_total)


class ListTracker:
    """The lists of a crawl in progress, and which list each awaited member belongs to."""

    def __init__(self) -> None:
        self.lists: dict[tuple[str, str], ListState] = {}
        self._members: dict[tuple[str, str], tuple[ListState, dict[str, Any] | None]] = {}

    def open(self, site: str, url: str, depth: int, referer: str | None, items: list[str],
             plan: ListPlan | None = None, stated_total: int | None = None, stated_pages: int | None = None,
             note: str = "", pages: int = 1) -> ListState:
        """A list read from the page at `url` (`pages`=0: a list whose first page is an API answer
        still to come, as a gkmlpt category)."""
        state = self.lists.get((site, url))
        if state is None:
            state = self.lists[(site, url)] = ListState(site, url, depth=depth, referer=referer, pages=pages)
        state.items.update(items)
        if plan is not None:
            state.adapter = plan.adapter
            state.stated_total = plan.stated_total if plan.stated_total is not None else stated_total
            state.stated_pages = plan.stated_pages if plan.stated_pages is not None else stated_pages
            state.probing = state.probing or plan.probing
            state.note = plan.note or note
        else:
            state.stated_total = stated_total if state.stated_total is None else state.stated_total
            state.stated_pages = stated_pages if state.stated_pages is None else state.stated_pages
            state.note = state.note or note
        return state

    def expect(self, state: ListState, url: str, chain: dict[str, Any] | None = None) -> None:
        """A further page/answer of `state` will arrive at `url` (requested by an adapter, or linked)."""
        if url in state.members or (url == state.url and state.pages):
            return
        state.waiting.add(url)
        self._members[(state.site, url)] = (state, chain)

    def take(self, site: str, url: str) -> tuple[ListState, dict[str, Any] | None] | None:
        """The list `url` is a member of (and the probe chain it carries), once."""
        return self._members.pop((site, url), None)

    def credit(self, state: ListState, url: str, items: list[str] | None, by_adapter: bool) -> None:
        """A member answered: `items` (None when it failed)."""
        state.waiting.discard(url)
        if items is None:
            state.failed.append(url)
            return
        state.members.append(url)
        state.pages += 1
        new = state.items.update(items)
        if by_adapter:
            state.adapter_items += new

    def rendered(self, site: str, url: str, items: list[str]) -> ListState | None:
        state = self.lists.get((site, url))
        if state is not None:
            state.browser_items += state.items.update(items)
        return state

    def uncount(self, state: ListState, url: str, reason: str) -> None:
        """An awaited member will not come (a cap, the depth limit): paging was cut."""
        state.waiting.discard(url)
        self._members.pop((state.site, url), None)
        if reason not in state.cut:
            state.cut.append(reason)

    def awaited(self) -> Collection[tuple[str, str]]:
        """(site, url) of every member still awaited (crawl workers keep them with the list's reader)."""
        return self._members.keys()

    def waiting_members(self) -> list[tuple[str, str, ListState]]:
        return [(site, url, state) for (site, url), (state, _) in self._members.items()]
