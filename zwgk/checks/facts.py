"""One streamed pass over a site's pages for the per-page facts several checks need.

Reading a page is the evaluation's expensive part (decompress, parse, walk): content.terms reads the
visible text of every page, doc.metadata and the 发布日期 that site.search and report.annual use read
every document's metadata block. `scan_site` reads each page once and keeps only small results —
the metadata facts (has a block, 发布日期), doc.metadata's judgement of a page that lacks something,
content.terms' findings — so the checks then read facts, not pages. The crawler stores what this
needs of each page (understand/facts.py: the metadata block, the block-word test, the visible text,
taken from its own parse of the page), so the pass reads those small rows; a page stored without them
(an older store) is read from its body with the same functions. With several processes (the
crawl's worker count), each reads a contiguous share of the page ids through its own store
connection (fork), and the parent merges the shares in id order: the same facts as one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from zwgk.store import PageRecord, Store

if TYPE_CHECKING:
    from zwgk.checks.context import SiteContext

log = logging.getLogger(__name__)

MIN_PARALLEL_PAGES = 1000     # below this, starting processes costs more than it saves
CHUNK = 500                   # pages per task: the parent holds a few chunks' facts, not all of them
# facts the probe stage read, for the evaluation in the same process: key -> (facts, problems, judged up
# to, content.terms' findings by page id, the term list they were read with or None: not read)
_KEPT: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any], str | None, dict[int, list[Any]], Any]] = {}

# (page id, url, metadata facts or None, doc.metadata judgement or None, content.terms findings)
Fact = tuple[int, str, Any, Any, list[Any]]


def scan_site(ctx: SiteContext, processes: int = 1, *, keep: bool = False, terms_too: bool = False,
              meanwhile: Callable[[], Any] | None = None) -> None:
    """Fill ctx's fact tables from one pass over ctx.pages (see the module docstring). keep=True (the
    probe stage, whose site.search needs the 发布日期 too): only the metadata is read, and its facts
    stay for the evaluation that follows in the same process, which then reads the pages for
    content.terms only — provided the store holds the same pages and the settings are the same;
    terms_too (zwgk audit, whose evaluation follows at once): content.terms' findings are read in the
    same pass and kept too, so the evaluation reads no page at all.
    meanwhile: work of this process that needs none of the facts (column recognition), done while
    forked processes read the pages — or before the pass, in one process."""
    from zwgk.checks.content import configured_terms
    from zwgk.checks.documents import DEFAULT_FIELDS, DEFAULT_LIMIT

    try:
        terms = configured_terms(ctx.options)
    except ValueError:
        terms = []                  # content.terms reports the bad term list itself
    fields = tuple(ctx.setting("metadata_required_fields", DEFAULT_FIELDS))
    superseded = frozenset(ctx._superseded)
    ids = ctx.store.page_ids(ctx.key, "page", ok=True, has_body=True)
    if not ids:
        if meanwhile is not None:
            meanwhile()
        return
    target = str(ctx.store.path) if ctx.store.path is not None else ctx.store.db.url
    key = (target, ctx.key, len(ids), ids[-1], fields, superseded)
    meta_wanted = True
    if (kept := _KEPT.pop(key, None)) is not None:     # the probe stage read the metadata already
        ctx._facts, ctx._problems, ctx._judged_upto, term_hits, scanned = kept
        ctx._meta_scanned = True
        meta_wanted = False
        if scanned is not None and scanned == terms:    # … and the terms
            ctx._term_hits, ctx._scanned_terms = term_hits, scanned
            terms = []
    if keep and not terms_too:
        terms = []                  # the probe stage needs the metadata only (site.search's 发布日期)
    if not meta_wanted and not terms:
        if meanwhile is not None:
            meanwhile()
        return
    limit = int(ctx.options.get("metadata_max_documents") or DEFAULT_LIMIT)
    job = (ctx.key, superseded, terms, fields, meta_wanted)
    chunks = _chunks(ids, CHUNK)
    # (a server store's URL carries no password for a new connection: its scan stays in this process)
    if processes > 1 and len(ids) >= MIN_PARALLEL_PAGES and ctx.store.path is not None:
        try:
            pool = multiprocessing.get_context("fork").Pool(processes, _open_store, (target,))
        except (OSError, ValueError) as exc:      # no fork here: read them in this process
            log.warning("parallel page scan unavailable (%s); scanning in one process", exc)
            pool = None
        if pool is not None:
            with pool:                             # in id order, a chunk at a time (bounded memory)
                parts = pool.imap(_scan_chunk, [(chunk, *job) for chunk in chunks])
                # The chunks are merged as they come (a thread) while this process does its own work:
                # left waiting until then, every page's facts would pile up in the pool's results.
                merging = _Merging(ctx, parts, limit)
                if meanwhile is not None:
                    meanwhile()
                merging.join()
                pool.close()                       # let the workers finish and exit on their own,
                pool.join()                        # rather than be terminated by the with-block
    else:
        pool = None
    if pool is None:
        if meanwhile is not None:
            meanwhile()
        for chunk in chunks:
            _merge(ctx, _scan(ctx.store, chunk, *job), limit)
    _prune(ctx, limit)
    if meta_wanted:
        ctx._meta_scanned = True
    if not keep:
        ctx._scanned_terms = terms
    else:
        _KEPT[key] = (ctx._facts, ctx._problems, ctx._judged_upto, ctx._term_hits if terms_too else {},
                      terms if terms_too else None)


class ColumnsProcess:
    """Column recognition (SiteContext.columns) in a forked process with its own store connection,
    while the page scan runs: it reads pages and links, no facts. It works out the coverage too (the
    columns and the store are all it reads), which this process would do after waiting for them.
    result() gives the columns it sent back — or, if it could not start or died without them, the same
    columns worked out here — and leaves the coverage it sent in the context."""

    def __init__(self, ctx: SiteContext, process: Any, conn: Any):
        self.ctx, self.process, self.conn = ctx, process, conn

    @classmethod
    def start(cls, ctx: SiteContext) -> ColumnsProcess | None:
        """Started for a large site whose store is a file (a server store's URL carries no password
        for a new connection), else None: the caller recognises them itself."""
        if ctx.store.path is None or len(ctx.pages) < MIN_PARALLEL_PAGES:
            return None
        try:
            fork = multiprocessing.get_context("fork")
            receive, send = fork.Pipe(duplex=False)
            process = fork.Process(target=_columns_child, args=(ctx, str(ctx.store.path), send),
                                   name="zwgk-columns", daemon=True)
            process.start()
        except (OSError, ValueError) as exc:
            log.warning("column recognition in a process of its own unavailable (%s); recognising here", exc)
            return None
        send.close()            # (this process's copy: recv() then ends when the child's does)
        return cls(ctx, process, receive)

    def result(self) -> dict[str, Any]:
        columns: dict[str, Any] | None = None
        try:
            outcome, value = self.conn.recv()
            if outcome == "ok":
                columns, coverage = value
                if coverage is not None:            # (else worked out here when first asked for)
                    self.ctx.__dict__.setdefault("coverage", coverage)
            else:
                log.warning("column recognition in its own process failed (%s); recognising here", value)
        except (EOFError, OSError) as exc:         # it died before sending anything
            log.warning("column recognition process ended without a result (%s); recognising here",
                        type(exc).__name__)
        finally:
            self.conn.close()
            self.process.join()
        return columns if columns is not None else self.ctx.recognise_columns()

    def stop(self) -> None:
        """End the process without its result."""
        self.process.terminate()
        self.process.join()
        self.conn.close()


def _columns_child(ctx: SiteContext, target: str, conn: Any) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)       # (see _open_store)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ctx.reconnect(Store(target))
        columns = ctx.__dict__["columns"] = _recognise(ctx)
        outcome: tuple[str, Any] = ("ok", (columns, _coverage(ctx)))
    except Exception as exc:            # (told to the parent, which recognises them itself)
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    conn.send(outcome)
    conn.close()


def _coverage(ctx: SiteContext) -> Any:
    """ctx.coverage, or None if it cannot be worked out here (the parent then tries, and reports it)."""
    try:
        return ctx.coverage
    except Exception:
        return None


def _recognise(ctx: SiteContext) -> dict[str, Any]:
    return ctx.recognise_columns()


class _Merging(threading.Thread):
    """_merge of every part, in a thread of this process; join() re-raises what the pool raised."""

    def __init__(self, ctx: SiteContext, parts: Iterable[Iterable[Fact]], limit: int):
        super().__init__(name="zwgk-scan-merge", daemon=True)
        self.ctx, self.parts, self.limit = ctx, parts, limit
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            for part in self.parts:
                _merge(self.ctx, part, self.limit)
        except BaseException as exc:        # (re-raised in the caller's thread)
            self.error = exc

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def _merge(ctx: SiteContext, facts: Iterable[Fact], limit: int) -> None:
    for page_id, url, meta, judged, hits in facts:
        if meta is not None and url not in ctx._facts:     # the first record of a URL wins, as in the cache
            ctx._facts[url] = meta
            if judged is not None and (ctx._judged_upto is None or url <= ctx._judged_upto):
                ctx._problems[url] = judged
        if hits:
            ctx._term_hits[page_id] = hits
    if len(ctx._problems) > 2 * limit:
        _prune(ctx, limit)


def _prune(ctx: SiteContext, limit: int) -> None:
    """Keep doc.metadata's judgements of the `limit` smallest URLs only: it judges at most `limit`
    documents, the ones it takes after its policy columns' in URL order. A URL past the last one kept
    (ctx._judged_upto) is judged again if asked — so memory does not grow with the site."""
    if len(ctx._problems) <= limit:
        return
    kept = sorted(ctx._problems)[:limit]
    ctx._problems = {u: ctx._problems[u] for u in kept}
    ctx._judged_upto = kept[-1]


def _chunks(ids: list[int], size: int) -> list[tuple[int, int]]:
    """Contiguous id ranges of `size` pages each."""
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


_STORE: Store | None = None        # a scan worker's own connection (a forked one is never reused)


def _open_store(target: str) -> None:
    global _STORE
    # A forked worker inherits the crawl's signal handlers (Scrapy's SIGTERM/SIGINT shutdown): with
    # them, Pool.terminate() could not end a worker blocked on the task queue and the scan hung.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # Ctrl-C is the parent's to handle
    _STORE = Store(target)


def _scan_chunk(args: tuple[Any, ...]) -> list[Fact]:
    assert _STORE is not None
    return list(_scan(_STORE, *args))


def _scan(store: Store, id_range: tuple[int, int], site: str, superseded: frozenset[int],
          terms: list[Any], fields: tuple[str, ...], meta_wanted: bool) -> Iterator[Fact]:
    from zwgk.checks.content import page_term_findings, page_title, squeeze
    from zwgk.checks.context import MetaFacts, chosen
    from zwgk.checks.documents import judge_metadata
    from zwgk.understand.columns import is_detail
    from zwgk.understand.facts import decode, has_block_words, squeezed_text
    from zwgk.understand.metadata import parse_metadata

    for page, blob in store.iter_pages_with_facts(site, "page", ok=True, has_body=True, id_range=id_range):
        if not chosen(page.id or 0, page.method, page.error_kind, superseded):
            continue                # not what the checks read (ctx.pages)
        stored = decode(blob) if blob is not None else None     # taken by the crawler from its parse
        tree = Tree(store, page)    # else: the page is read (the same functions on the same tree)
        text = stored.text if stored is not None else squeezed_text(tree.root) if terms else ""
        # (most pages have none of the terms: one search each says so, cheaper than finding them all)
        hits = page_term_findings(page, terms, text) if terms and any(t.pattern.search(text) for t in terms) else []
        meta = judged = None
        # the pages whose metadata checks ask for: documents with a block's labels (doc.metadata) or a
        # title a search could use (site.search's 发布日期); others are read when a check asks
        words = meta_wanted and (stored.words if stored is not None else has_block_words(tree.body))
        if meta_wanted and is_detail(page) and (words or len(squeeze(page_title(page))) >= 8):
            parsed = stored.meta if stored is not None and stored.meta is not None else (
                parse_metadata(tree.body, tree.root))
            meta = MetaFacts.of(parsed, fields if parsed.has_block else None, words)
            if meta.has_block:
                judged = judge_metadata(parsed, fields)
        yield page.id or 0, page.url, meta, judged, hits


class Tree:
    """A stored page's body and parse, read only when first asked for."""

    def __init__(self, store: Store, page: PageRecord):
        self.store, self.page = store, page

    @cached_property
    def body(self) -> str:
        return self.store.body(self.page.id or 0) or ""

    @cached_property
    def root(self) -> Any:
        from zwgk.understand._html import parse_html

        return parse_html(self.body)
