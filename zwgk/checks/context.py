"""SiteContext: everything a check may read about one site, computed once and shared.

Checks get stored pages, parsed lists/metadata (cached), recognised columns, the profile's
thresholds and the probe layer (the only way a check learns network facts). No check fetches.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from zwgk.store import RENDER_METHOD as RENDER
from zwgk.store import Link, PageRecord, Store, StoredRecord, json_column
from zwgk.understand.columns import LINK_KINDS

if TYPE_CHECKING:
    from zwgk.config.profile import Profile
    from zwgk.probes import Probes

BODY_CACHE = 64          # decompressed bodies kept (a check reading a page twice reads it once)
PARSED_CACHE = 1024      # parsed lists / metadata blocks kept (column pages are read by many checks)
# What the probe stage worked out of the stored crawl (recognised columns, coverage), kept for the
# evaluation that follows in the same process (zwgk audit) when the store still holds the same crawl.
_KEPT: dict[tuple[Any, ...], dict[str, Any]] = {}
_DERIVED = ("columns", "coverage")


def chosen(page_id: int, method: str, error_kind: str | None, superseded: frozenset[int]) -> bool:
    """Whether a stored record stands for its page (see SiteContext's "stored crawl"): a render that
    succeeded, or a fetch no successful render replaced (its id not in `superseded`)."""
    if method == RENDER:
        return error_kind is None
    return page_id not in superseded


class SiteContext:
    def __init__(self, store: Store, site: dict[str, Any], as_of: date, profile: Profile,
                 probes: Probes | None = None, options: dict[str, Any] | None = None):
        self.store = store
        self.site = site
        self.as_of = as_of
        self.profile = profile
        self.probes = probes
        self.options = options or {}      # inspection-level inputs, e.g. content.terms lists
        self._facts: dict[str, MetaFacts] = {}
        # set by scan() (checks/facts.py): what one streamed pass over the pages found
        self._problems: dict[str, Any] = {}          # url -> DocJudgement of a page that lacks metadata
        self._judged_upto: str | None = None         # … kept for URLs up to this one only (None: all)
        self._term_hits: dict[int, list[Any]] = {}   # page id -> content.terms findings on it
        self._scanned_terms: list[Any] | None = None
        self._meta_scanned = False      # the scan read the metadata of every document it could take
        # result key -> the probe stage's result of a probing check, handed to the evaluation that
        # follows (zwgk audit): its probes answered as their records do (probes/core.py), so it is
        # the result the evaluation would work out again from those records
        self.probed: dict[str, Any] = {}

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
    #
    # Nothing here holds the whole crawl: pages are streamed from the store on every pass (records
    # without bodies; a body is read when a check touches it, through a small cache), lookups by URL
    # are indexed queries, links are streamed with filters the database applies. What is kept is small
    # and bounded (caches of parsed lists and metadata) or per column (list coverage).
    @cached_property
    def _superseded(self) -> frozenset[int]:
        """Ids of raw fetches a successful render stands for (few: render_js pages only)."""
        return frozenset(self.store.superseded_ids(self.key))

    def _chosen(self, rec: PageRecord) -> bool:
        return chosen(rec.id or 0, rec.method, rec.error_kind, self._superseded)

    def records(self, kind: str | tuple[str, ...] | None = None, *, ok: bool | None = None,
                referers: list[str] | None = None) -> Iterator[PageRecord]:
        """One record per fetched URL and method (a successful render replaces its page's raw fetch),
        streamed in id order; bodies are read lazily."""
        for rec in self.store.iter_pages(self.key, kind, ok=ok, referers=referers):
            if self._chosen(rec):
                yield self._lazy(rec)

    def _lazy(self, rec: PageRecord) -> PageRecord:
        return StoredPage.of(rec, self._body)

    @property
    def all_records(self) -> Iterator[PageRecord]:
        """Every chosen record (streamed: iterate, don't keep)."""
        return self.records()

    @cached_property
    def render_failures(self) -> dict[str, PageRecord]:
        """url -> the RENDER record of a page the browser could not render (unavailable, timeout …)."""
        return self.store.failed_renders(self.key)

    @cached_property
    def pages(self) -> PageStream:
        """HTML pages fetched successfully (2xx) with a body: re-iterable, streamed from the store."""
        return PageStream(self)

    @cached_property
    def by_url(self) -> UrlLookup:
        """url (as requested, or the final URL after redirects) -> the first chosen record."""
        return UrlLookup(self)

    @cached_property
    def home(self) -> PageRecord | None:
        rec = self.store.page(self.key, self.site_url, body=False)
        if rec is None:
            return None
        if rec.kind == "page" and (rec.id or 0) in self._superseded:
            rendered = next((r for r in self.store.records_at(self.key, rec.url)
                             if r.url == rec.url and r.method == RENDER and r.error_kind is None), None)
            rec = rendered or rec
        return self._lazy(rec)

    def links_of(self, page: PageRecord) -> list[Link]:
        return self.store.links(page.id) if page.id is not None else []

    @property
    def link_index(self) -> Iterator[tuple[str, Link]]:
        """(source page URL, link) for every recorded link of the site, streamed (iterate, don't keep);
        iter_links() filters in the database."""
        return self.iter_links()

    def iter_links(self, **filters: Any) -> Iterator[tuple[str, Link]]:
        """(source page URL, link) of the chosen pages' links; filters: Store.iter_site_links."""
        return self.store.iter_site_links(self.key, self._superseded, **filters)

    def _body(self, page_id: int) -> str | None:
        return self._bodies(page_id)

    @cached_property
    def _bodies(self) -> Any:
        return lru_cache(maxsize=BODY_CACHE)(self.store.body)

    def reconnect(self, store: Store) -> None:
        """Read through another connection to the same store from now on (a forked process must not
        use its parent's); what the context derived stays."""
        self.store = store
        self.__dict__.pop("_bodies", None)          # (bound to the old connection)
        if self.probes is not None and getattr(self.probes, "store", None) is not None:
            self.probes.store = store

    # --- handing derived state from the probe stage to the evaluation -------------------------
    def _state(self) -> tuple[Any, ...]:
        """What the derived state depends on: this store's crawl of the site, the profile, the options."""
        pages = tuple(self.store.query("SELECT COUNT(*), MAX(id) FROM pages WHERE site = ?", (self.key,))[0])
        frontier = tuple(sorted(self.store.frontier_counts(self.key).items()))
        target = str(self.store.path) if self.store.path is not None else self.store.db.url
        return (target, self.key, repr(self.site), pages, frontier, self.profile.id,
                repr(self.profile.settings), repr(self.options))

    def keep(self) -> None:
        """Leave the recognised columns, the coverage and the probing checks' results (probed) for the
        next context of the same crawl."""
        # (every site's: the probe stage goes through all sites before the evaluation; a site's columns
        # and coverage are small next to the metadata facts facts._KEPT holds for it)
        _KEPT[self._state()] = {**{n: self.__dict__[n] for n in _DERIVED if n in self.__dict__},
                                "probed": self.probed}

    def adopt(self) -> None:
        """Take what a previous context of the same crawl kept (keep()), if anything."""
        if _KEPT and (kept := _KEPT.pop(self._state(), None)) is not None:
            self.__dict__.update(kept)

    # --- page understanding (cached, bounded; parsing is the expensive part) -------------------
    def scan(self, processes: int = 1, *, keep: bool = False, terms_too: bool = False,
             meanwhile: Callable[[], Any] | None = None, then: Callable[[], Any] | None = None) -> None:
        """Read every page once for the per-page facts several checks need (checks/facts.py), in
        `processes` worker processes when more than one; checks then read the facts, not the pages.
        keep: leave the facts for the evaluation that follows in this process (facts.scan_site), with
        content.terms' findings too if terms_too. The columns are recognised meanwhile (they need no
        facts: this process is free), and so is `meanwhile`, work of this process that needs neither
        the facts nor the columns (the probe stage's network checks); `then`: work that reads the facts
        but not the columns, done after the scan — while the column process, if any, may still run."""
        from zwgk.checks.facts import ColumnsProcess, scan_site

        # With processes to spare, the columns are recognised in a process of their own too (this one
        # merges what the page scan sends back), else here while the scan runs.
        elsewhere = ColumnsProcess.start(self) if processes > 1 and "columns" not in self.__dict__ else None

        def here() -> None:
            if elsewhere is None:
                self.columns            # noqa: B018 (worked out now, while the scan runs)
            if meanwhile is not None:
                meanwhile()

        # (the column process is one of the `processes`: the others read the pages — with two, this one
        # alone, after its own work: a pool beside it would leave the columns, the longest part, a
        # third of the two cores while the pages are read, and the other core idle at the end)
        try:
            scan_site(self, processes - 1 if elsewhere is not None else processes, keep=keep,
                      terms_too=terms_too, meanwhile=here)
            if then is not None:
                then()
        except BaseException:           # (Ctrl-C, a failed scan: the column process is not waited for)
            if elsewhere is not None:
                elsewhere.stop()
            raise
        if elsewhere is not None:
            self.__dict__["columns"] = elsewhere.result()

    def doc_judgement(self, page: PageRecord, fields: list[str]) -> Any:
        """doc.metadata's judgement of a document page (None: it lacks nothing)."""
        from zwgk.checks.documents import judge_metadata

        wanted = tuple(fields)
        facts = self._facts.get(page.url)
        if facts is not None and facts.judged_fields == wanted and (
                self._judged_upto is None or page.url <= self._judged_upto):
            return self._problems.get(page.url)
        return judge_metadata(self.metadata(page), wanted)

    def term_findings(self, page: PageRecord, terms: list[Any]) -> list[Any]:
        """content.terms' findings on one page (from the scan when it read the same term list)."""
        if self._scanned_terms is not None and self._scanned_terms == terms:
            # copies: Check.run completes a finding in place, the scan's stay as they were found
            return [copy.copy(f) for f in self._term_hits.get(page.id or 0, [])]
        from zwgk.checks.content import page_term_findings

        return page_term_findings(page, terms)

    def scanned_term_findings(self, terms: list[Any]) -> list[Any] | None:
        """content.terms' findings on every page, in page order, when the scan read this term list
        (without a pass over the pages: the scan read the same pages, ctx.pages, and kept the
        findings by page id, ids being the pages' order); None when it did not."""
        if self._scanned_terms is None or self._scanned_terms != terms:
            return None
        return [copy.copy(f) for page_id in sorted(self._term_hits) for f in self._term_hits[page_id]]

    def list_page(self, page: PageRecord) -> Any:
        return self._list_cached(page.url, page)

    def metadata(self, page: PageRecord) -> Any:
        meta = self._meta_cached(page.url, page)
        if page.url not in self._facts:
            self._facts[page.url] = MetaFacts.of(meta)
        return meta

    def block_words(self, page: PageRecord) -> bool:
        """A metadata block's label word (BLOCK_WORDS) is in a document page's HTML. After the scan,
        from its facts — it kept every document page with one — else from the body."""
        facts = self._facts.get(page.url)
        if facts is not None and facts.words is not None:
            return facts.words
        if facts is None and self._meta_scanned:
            return False
        from zwgk.understand.facts import has_block_words

        return has_block_words(page.body)

    def meta_facts(self, page: PageRecord) -> MetaFacts:
        """The few metadata facts checks need of every document page (has a block, 发布日期), kept
        for the whole evaluation so a page's metadata is parsed once, not once per check."""
        facts = self._facts.get(page.url)
        if facts is None:
            self.metadata(page)
            facts = self._facts[page.url]
        return facts

    @cached_property
    def _list_cached(self) -> Any:
        from zwgk.understand.lists import parse_list

        return _url_cache(lambda page: parse_list(page.body or "", page.final_url or page.url), PARSED_CACHE)

    @cached_property
    def _meta_cached(self) -> Any:
        from zwgk.understand.metadata import parse_metadata

        return _url_cache(lambda page: parse_metadata(page.body or ""), PARSED_CACHE)

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
        return self.recognise_columns()

    def recognise_columns(self) -> dict[str, Any]:
        """What `columns` holds, worked out anew (understand/columns.py on the stored pages and links)."""
        from zwgk.understand.columns import recognise_columns

        return recognise_columns(self.pages, linked=self.pages.with_links(), addresses=self.pages.addresses)

    def page_at(self, url: str) -> PageRecord | None:
        """A stored, successfully fetched page by URL ('/dir/' and '/dir/index.html' are the same)."""
        for candidate in (url, url.rstrip("/") + "/index.html", url.removesuffix("index.html")):
            rec = self.by_url.get(candidate)
            if rec is not None and rec.ok and has_body(rec):
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
        pages += list(self.records("listing", ok=True, referers=sorted(u for u in here if u)))
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

    # --- passes that pick a few pages before building their records ---------------------------
    def pages_where(self, keep: Callable[[PageLabel], bool], *, order: str = "id",
                    batch: int = 256) -> Iterator[PageRecord]:
        """The pages of ctx.pages (the same records, in id order, or URL order as by_url_order) for
        which keep(label) is true, label: the page's address, title, breadcrumb and meta as stored
        (PageLabel) — read from a narrow query, the record built only for the pages kept. `keep` is a
        pre-filter that must pass every page the caller could want; the caller still tests the record."""
        wanted: list[int] = []
        for label in self.page_labels(order=order):
            if keep(label):
                wanted.append(label.id)
                if len(wanted) >= batch:
                    yield from map(self._lazy, self.store.pages_by_ids(wanted))
                    wanted = []
        yield from map(self._lazy, self.store.pages_by_ids(wanted))

    def page_labels(self, *, order: str = "id") -> Iterator[PageLabel]:
        """What pages_where's pre-filter sees of each page of ctx.pages, in id or URL order (record(label):
        the page's record)."""
        rows = self.store.iter_page_labels(self.key, "page", ok=True, has_body=True,
                                           order="url" if order == "url" and self.store.db.dialect == "sqlite"
                                           else "id")
        if order == "url" and self.store.db.dialect != "sqlite":    # (a server's collation: see by_url_order)
            rows = iter(sorted(rows, key=lambda r: r[1]))
        superseded = self._superseded
        for row in rows:
            if chosen(row[0], row[3], row[4], superseded):
                yield PageLabel(*row)

    def record(self, label: PageLabel) -> PageRecord:
        """The page a label stands for (as ctx.pages gives it)."""
        rec = self.store.page_by_id(label.id, body=False)
        assert rec is not None, label
        return self._lazy(rec)

    def block_known(self, url: str) -> bool | None:
        """Whether the document page at `url` carries a metadata block — block_words(page) and
        meta_facts(page).has_block — from the facts kept (the scan's, earlier reads'), without the
        page; None when that takes reading the page."""
        facts = self._facts.get(url)
        if facts is None:
            return False if self._meta_scanned else None
        return None if facts.words is None else facts.words and facts.has_block

    def pages_mentioning(self, words: Collection[str], *, spaced: bool = False) -> Iterator[PageRecord]:
        """The pages of ctx.pages (id order) whose title, breadcrumb or <meta> values contain one of
        `words` (spaced: could, with whitespace between its characters — for labels read squeezed):
        the candidates of a pass that looks for pages by title (callers test the record)."""
        def keep(label: PageLabel) -> bool:
            text = label.text
            for word in words:
                if not spaced:
                    if word in text:
                        return True
                    continue
                for c in word:     # (whitespace may sit between a word's characters: each one is there)
                    if c not in text:
                        break
                else:
                    return True
            return label.escaped

        return self.pages_where(keep)


@dataclass(frozen=True, slots=True)
class MetaFacts:
    """What checks read of a page's metadata besides doc.metadata itself (small: kept per page)."""
    has_block: bool
    published: date | None          # 发布日期
    published_source: str           # "PubDate" (a <meta> tag) | "发布日期" (a label on the page) | ""
    judged_fields: tuple[str, ...] | None = None    # the scan judged it for doc.metadata with these fields
    words: bool | None = None       # the scan: a block label word is in the HTML (None: not recorded)

    @classmethod
    def of(cls, meta: Any, judged_fields: tuple[str, ...] | None = None, words: bool | None = None) -> MetaFacts:
        d = meta.date("发布日期")
        field = meta.fields.get("发布日期")
        source = ("PubDate" if field is not None and field.source == "meta" else "发布日期") if d else ""
        return cls(bool(meta.has_block), d, source, judged_fields, words)


class PageLabel(NamedTuple):
    """What pages_where's pre-filter sees of a page: its address, title, breadcrumb, meta (JSON text)."""
    id: int
    url: str
    final_url: str | None
    method: str
    error_kind: str | None
    title: str | None
    meta: str | None
    breadcrumb: str | None

    def is_detail(self) -> bool:
        """understand.columns.is_detail of the page, its meta decoded only when its URL does not say."""
        from zwgk.understand.columns import detail_by_meta, detail_by_url

        return detail_by_url(self.final_url or self.url) or detail_by_meta(json_column(self.meta, dict))

    @property
    def text(self) -> str:
        """Title, breadcrumb and meta (JSON text) in one string."""
        return f"{self.title or ''}\n{self.breadcrumb or ''}\n{self.meta or ''}"

    @property
    def escaped(self) -> bool:
        """The meta's JSON text escapes characters (written with ensure_ascii): a word in a <meta>
        value may not be there as written."""
        return "\\u" in (self.meta or "")


class StoredPage(StoredRecord):
    """A stored record whose body is read from the store when first used (never kept by the record)."""

    _loader: Callable[[int], str | None] | None = None
    _own_body: str | None = None

    @classmethod
    def of(cls, rec: PageRecord, loader: Callable[[int], str | None]) -> StoredPage:
        page = cls.__new__(cls)
        page.__dict__.update(rec.__dict__)
        page.__dict__.pop("body", None)
        page._loader = loader
        page._own_body = rec.__dict__.get("body")
        return page

    @property
    def has_body(self) -> bool:
        """Whether the store holds a body for it (without reading the body)."""
        stored = self.__dict__.get("stored_body")
        return self.body is not None if stored is None else bool(stored or self._own_body is not None)

    @property  # type: ignore[override]
    def body(self) -> str | None:
        if self._own_body is not None or self._loader is None or self.id is None:
            return self._own_body
        if self.__dict__.get("stored_body") is False:
            return None
        return self._loader(self.id)

    @body.setter
    def body(self, value: str | None) -> None:
        self._own_body = value


class PageStream:
    """ctx.pages: the site's successfully fetched HTML pages, streamed from the store on every pass
    (id order, bodies lazy). len() and truth are counts; use list(...) only on a filtered few."""

    def __init__(self, ctx: SiteContext):
        self._ctx = ctx

    def __iter__(self) -> Iterator[PageRecord]:
        ctx = self._ctx
        for rec in ctx.store.iter_pages(ctx.key, "page", ok=True, has_body=True):
            if ctx._chosen(rec):
                yield ctx._lazy(rec)

    def addresses(self) -> Iterator[str]:
        """Each page's address (its final URL, else its URL), in the same order, without the records."""
        ctx = self._ctx
        superseded = ctx._superseded
        for page_id, url, final_url, method, error_kind in ctx.store.iter_page_addresses(
                ctx.key, "page", ok=True, has_body=True):
            if chosen(page_id, method, error_kind, superseded):
                yield final_url or url

    def count_other_than(self, url: str) -> int:
        """How many of the pages have another URL than `url` (requested URL), read without the records."""
        ctx = self._ctx
        superseded = ctx._superseded
        return sum(1 for page_id, page_url, _, method, error_kind in ctx.store.iter_page_addresses(
            ctx.key, "page", ok=True, has_body=True) if page_url != url and chosen(page_id, method, error_kind,
                                                                                superseded))

    def with_links(self, kinds: tuple[str, ...] = LINK_KINDS) -> Iterator[tuple[PageRecord, list[tuple[str, str]]]]:
        """The same pages, each with the (url, anchor) of its links of these kinds (understand/columns.py
        page_links): one more streamed query, merged by page id — what column recognition reads of
        menus and tab strips (Store.iter_links_by_page). The records come without their bodies."""
        ctx = self._ctx
        links = ctx.store.iter_links_by_page(ctx.key, kinds)
        pending = next(links, None)
        for rec in ctx.store.iter_pages(ctx.key, "page", ok=True, has_body=True):
            if not ctx._chosen(rec):
                continue
            page_id = rec.id or 0
            while pending is not None and pending[0] < page_id:
                pending = next(links, None)
            if pending is not None and pending[0] == page_id:
                yield rec, pending[1]
                pending = next(links, None)
            else:
                yield rec, []

    def by_url_order(self) -> Iterator[PageRecord]:
        """The same pages in URL order (what sorted(pages, key=url) gave)."""
        ctx = self._ctx
        if ctx.store.db.dialect != "sqlite":    # a server's collation may not be code-point order
            yield from sorted(self, key=lambda p: p.url)
            return
        for rec in ctx.store.iter_pages(ctx.key, "page", ok=True, has_body=True, order="url"):
            if ctx._chosen(rec):
                yield ctx._lazy(rec)

    @cached_property
    def _count(self) -> int:
        ctx = self._ctx
        failed = [r.id for r in ctx.render_failures.values() if r.id is not None]
        return ctx.store.count_where(ctx.key, "page", ok=True, has_body=True,
                                     exclude_ids=[*ctx._superseded, *failed])

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0


class UrlLookup:
    """ctx.by_url: the first chosen record (id order) requested as a URL or redirected to it; indexed
    queries with a small cache instead of a dict of the whole crawl."""

    def __init__(self, ctx: SiteContext, size: int = 4096):
        self._ctx = ctx
        self._cache: OrderedDict[str, PageRecord | None] = OrderedDict()
        self._size = size

    def get(self, url: str | None, default: PageRecord | None = None) -> PageRecord | None:
        if not url:
            return default
        if url in self._cache:
            self._cache.move_to_end(url)
            found = self._cache[url]
        else:
            ctx = self._ctx
            found = next((ctx._lazy(r) for r in ctx.store.records_at(ctx.key, url) if ctx._chosen(r)), None)
            self._cache[url] = found
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return default if found is None else found

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.get(url) is not None

    def __getitem__(self, url: str) -> PageRecord:
        rec = self.get(url)
        if rec is None:
            raise KeyError(url)
        return rec

    def __iter__(self) -> Iterator[str]:
        """Every URL a record was requested as or ended at (each once), in record order."""
        seen: set[str] = set()
        for rec in self._ctx.records():
            for u in (rec.url, rec.final_url):
                if u and u not in seen:
                    seen.add(u)
                    yield u


def _url_cache(fn: Callable[[PageRecord], Any], size: int) -> Callable[[str, PageRecord], Any]:
    """A bounded cache of fn(page) by the page's URL (as the unbounded dicts before it were keyed)."""
    cache: OrderedDict[str, Any] = OrderedDict()

    def get(url: str, page: PageRecord) -> Any:
        if url in cache:
            cache.move_to_end(url)
            return cache[url]
        value = cache[url] = fn(page)
        if len(cache) > size:
            cache.popitem(last=False)
        return value

    return get


def has_body(rec: PageRecord) -> bool:
    """rec.body is not None, without reading a stored page's body."""
    return rec.has_body if isinstance(rec, StoredPage) else rec.body is not None
