"""The crawl store: written as the crawl goes, read by the checks and reports. One interface, any backend.

The default is one SQLite file per run (crawl.sqlite in the run directory); `Store(url)` opens any
backend zwgk.db knows (a PostgreSQL URL in the distributed mode), and the SQL here is the dialect both
accept (see zwgk/db/__init__.py). The crawl writes in batches (zwgk/crawler/writer.py): many records
per transaction, each page committed together with its frontier rows, so that a killed crawl keeps
everything it committed and the `frontier` table is the resume state (queued → leased → done).
The schema is the contract between the crawler and the checks: add columns, don't rename them
(an older store gets the new columns when it is opened).
"""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from zwgk.db import Backend, Row, connect

SCHEMA_VERSION = 1
RENDER_METHOD = "RENDER"      # method of a page's rendered DOM (the raw fetch keeps GET)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sites (
    key TEXT PRIMARY KEY,           -- stable slug of the site within the run
    name TEXT, url TEXT, unit TEXT,
    hosts TEXT,                     -- JSON list of hosts that belong to the site
    status TEXT,                    -- pending | running | complete | capped | unreachable | interrupted
    capped TEXT,                    -- JSON list: max_pages / max_depth / max_seconds / trap:<pattern>
    started TEXT, finished TEXT, detail TEXT,
    ord INTEGER                     -- position in the inspection (sites are listed in config order)
);
CREATE TABLE IF NOT EXISTS frontier (
    site TEXT, url TEXT, method TEXT, kind TEXT, depth INTEGER, priority INTEGER,
    referer TEXT, anchor TEXT,
    form TEXT,                      -- JSON form body of a POST (Hanweb dataproxy.jsp), else NULL
    state TEXT,                     -- queued | leased (a worker holds it) | done | dropped
    reason TEXT,                    -- why dropped (max_pages, max_seconds, no_record ...)
    worker TEXT,                    -- the worker that leased it (kept once done: who fetched it)
    leased_at REAL,                 -- when (epoch seconds), for lease timeouts of remote workers
    seq INTEGER,                    -- discovery order (monotonic ns): FIFO among equal priorities
    PRIMARY KEY (site, url, method)
);
CREATE INDEX IF NOT EXISTS frontier_queued ON frontier(priority DESC, seq) WHERE state = 'queued';
CREATE INDEX IF NOT EXISTS frontier_leased ON frontier(worker) WHERE state = 'leased';
CREATE TABLE IF NOT EXISTS pages (
    id INTEGER PRIMARY KEY,
    site TEXT, url TEXT, final_url TEXT,
    kind TEXT,                      -- page | attachment | related | listing (a list API answer)
    method TEXT,                    -- GET | HEAD | POST | RENDER (the DOM after the browser ran the page)
    redirects TEXT,                 -- JSON list of {url, status}
    status INTEGER,                 -- HTTP status, NULL when the fetch failed
    content_type TEXT, charset TEXT, title TEXT,
    meta TEXT,                      -- JSON {name: content} of <meta name=...>
    breadcrumb TEXT,
    depth INTEGER, referer TEXT,
    error_kind TEXT,                -- dns | timeout | refused | tls | redirect_loop | robots | connection | other
                                    -- | render_unavailable | render_timeout | render_failed (RENDER rows)
    error TEXT,
    elapsed REAL, size INTEGER, fetched_at TEXT,
    body BLOB,                      -- zlib-compressed decoded HTML (pages only)
    UNIQUE (site, url, method)
);
CREATE TABLE IF NOT EXISTS links (
    page_id INTEGER REFERENCES pages(id),
    url TEXT,                       -- absolute target, or the raw href for mailto:/tel:/javascript:
    anchor TEXT,
    kind TEXT,                      -- page | attachment | related | listing | external | mailto | tel | javascript
    hidden INTEGER,                 -- 1 when the link sat inside display:none / hidden markup
    tag TEXT,                       -- a | area | frame | iframe | script (a link only a script pager or list
                                    -- API makes)
    state TEXT,                     -- NULL: followed or status-checked as its kind says | invalid (the href is
                                    -- no usable address: bad port, broken IPv6 literal, control characters in
                                    -- the host; a browser fails on it too) | not_checked (a real address the
                                    -- crawl did not request: longer than the URL length limit, cut by a trap
                                    -- budget)
    reason TEXT                     -- why invalid / not_checked, for people (Chinese)
);
CREATE INDEX IF NOT EXISTS links_page ON links(page_id);
CREATE INDEX IF NOT EXISTS links_url ON links(url);
CREATE TABLE IF NOT EXISTS list_coverage (
    site TEXT, url TEXT,            -- a list (column) page, as the crawl requested it
    source TEXT,                    -- how its items were obtained: markup | adapter | browser | none
    adapter TEXT,                   -- which paging adapter (trs, hanweb, jpaas, gkmlpt, uid_pagenum …)
    stated_total INTEGER,           -- the count the page states (共N条, totalRecord …), NULL if none
    obtained INTEGER,               -- items the crawl obtained for this list, all its pages together
    pages INTEGER,                  -- list pages / API groups fetched for it
    state TEXT,                     -- complete | partial (fewer than stated, or paging cut) | unknown | unread
    note TEXT, at TEXT,
    stated_pages INTEGER,           -- the page count the list states (共N页, countPage …), NULL if none
    members TEXT,                   -- JSON list of the further list pages / API answers fetched for it, in order
    PRIMARY KEY (site, url)
);
CREATE TABLE IF NOT EXISTS probes (
    id INTEGER PRIMARY KEY, site TEXT, kind TEXT, target TEXT, data TEXT, at TEXT
);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY,            -- w1, w2 … (unique within the run)
    pid INTEGER, host TEXT,
    started TEXT, finished TEXT,
    reason TEXT                     -- Scrapy's finish reason (finished, shutdown …); NULL while running
);
-- what the checks need of every HTML page, taken by the crawler from its parse of the page
-- (zwgk/understand/facts.py: encode, decode); a page without a row is read from its body
CREATE TABLE IF NOT EXISTS page_facts (
    page_id INTEGER PRIMARY KEY,
    facts BLOB
);
CREATE INDEX IF NOT EXISTS pages_site_kind ON pages(site, kind);
CREATE INDEX IF NOT EXISTS pages_site_final ON pages(site, final_url);
CREATE INDEX IF NOT EXISTS pages_site_referer ON pages(site, referer);
"""
FRONTIER_COLUMNS = ("site, url, method, kind, depth, priority, referer, anchor, form, state, reason, worker, "
                    "leased_at, seq")
FrontierKey = tuple[str, str, str]          # (site, url, method)



_last_now: tuple[int, str] = (-1, "")


def now_iso() -> str:
    # every fetched record is stamped: the text changes once a second, so it is built once a second
    global _last_now
    second = int(time.time())
    if second != _last_now[0]:
        _last_now = (second, datetime.fromtimestamp(second, UTC).astimezone().isoformat(timespec="seconds"))
    return _last_now[1]


@dataclass
class Link:
    url: str
    anchor: str
    kind: str
    hidden: bool = False
    tag: str = "a"
    state: str | None = None        # None (used as its kind says) | invalid | not_checked
    reason: str | None = None       # why invalid / not checked (Chinese, for people)


@dataclass
class PageRecord:
    site: str
    url: str
    kind: str = "page"
    method: str = "GET"
    final_url: str | None = None
    redirects: list[dict[str, Any]] = field(default_factory=list)
    status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    breadcrumb: str | None = None
    depth: int = 0
    referer: str | None = None
    error_kind: str | None = None
    error: str | None = None
    elapsed: float | None = None
    size: int | None = None
    fetched_at: str = field(default_factory=now_iso)
    body: str | None = None
    links: list[Link] = field(default_factory=list)
    id: int | None = None
    facts: Any = None               # understand.facts.PageFacts, set by the crawler; stored, not read back

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


def json_column(text: str | None, empty: type[list[Any]] | type[dict[str, Any]]) -> Any:
    """A page row's JSON column (redirects, meta) decoded: `empty()` for NULL, "" and the empty forms."""
    return json.loads(text) if text and text not in ("[]", "{}") else empty()


class _Decoded:
    """A JSON column of a StoredRecord (redirects, meta), decoded when first read. A non-data
    descriptor: once decoded (or set), the value is the instance's own attribute and found first."""

    def __init__(self, empty: type[list[Any]] | type[dict[str, Any]]):
        self.empty = empty

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.column = name, f"_{name}_json"

    def __get__(self, rec: PageRecord | None, owner: type | None = None) -> Any:
        if rec is None:
            return self
        value = json_column(rec.__dict__.pop(self.column, None), self.empty)
        rec.__dict__[self.name] = value
        return value


class StoredRecord(PageRecord):
    """A PageRecord read from the store: its redirects and meta (JSON text in the row) decoded only
    when read — most passes over the pages read neither. Equal to a PageRecord with the same fields;
    pickles, copies, asdict() and replace() as one."""

    redirects = _Decoded(list)      # type: ignore[assignment]
    meta = _Decoded(dict)           # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PageRecord):
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(PageRecord))

    __hash__ = None                 # type: ignore[assignment] (as PageRecord's: mutable)


class LinkedTarget(NamedTuple):
    """What judging a link target needs of its record (Store.linked_targets)."""
    id: int
    url: str
    method: str
    status: int | None
    error_kind: str | None
    error: str | None


@dataclass
class ListCoverage:
    """What the crawl saw of one list page: the evidence the column checks stand on (DESIGN §11)."""
    site: str
    url: str
    source: str = "markup"          # markup | adapter | browser | none
    adapter: str | None = None
    stated_total: int | None = None
    obtained: int = 0
    pages: int = 1
    state: str = "unknown"          # complete | partial | unknown | unread
    note: str = ""
    at: str = field(default_factory=now_iso)
    stated_pages: int | None = None
    members: list[str] = field(default_factory=list)

    @property
    def count_matched(self) -> bool | None:
        """Whether the items obtained reach the count the page states; None when it states none."""
        return None if self.stated_total is None else self.obtained >= self.stated_total


class Store:
    """The data layer over one backend connection; used from one thread (the reactor's, in the crawl).

    `Store(path_or_url)`: a path (or sqlite:/// URL) is the embedded SQLite file; other URLs go to the
    backend zwgk.db selects. Reads that may be large stream (iter_pages, iter_links); the list-returning
    ones (pages, all_links) are kept for callers that want everything. A store written by an older
    version (resumed runs, stored runs re-evaluated) gains the columns added since (db.create_schema).
    """

    def __init__(self, target: str | Path):
        self.db: Backend = connect(target)
        self.path = Path(target) if self.db.dialect == "sqlite" and "://" not in str(target) else None
        self.db.create_schema(SCHEMA)
        self.db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO NOTHING",
                        (str(SCHEMA_VERSION),))
        if self.db.dialect == "sqlite":      # stores written before sites.ord: config order = insertion order
            self.db.execute("UPDATE sites SET ord = rowid WHERE ord IS NULL")

    def close(self) -> None:
        self.db.close()

    def transaction(self) -> AbstractContextManager[Any]:
        return self.db.transaction()

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        """A read-only query in the portable dialect (zwgk/db/__init__.py), for ad-hoc callers."""
        return self.db.query(sql, args)

    # --- run metadata -------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        (key, json.dumps(value, ensure_ascii=False)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        rows = self.db.query("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    # --- sites --------------------------------------------------------------------------------
    def upsert_site(self, key: str, name: str, url: str, unit: str, hosts: Iterable[str],
                    position: int | None = None) -> None:
        if position is None:     # where it already stands, else last
            rows = self.db.query("SELECT ord FROM sites WHERE key = ?", (key,))
            position = rows[0][0] if rows and rows[0][0] is not None else int(
                self.db.query("SELECT COUNT(*) FROM sites")[0][0])
        self.db.execute(
            "INSERT INTO sites (key, name, url, unit, hosts, status, capped, ord) VALUES (?,?,?,?,?,'pending','[]',?) "
            "ON CONFLICT (key) DO UPDATE SET name = excluded.name, url = excluded.url, unit = excluded.unit, "
            "hosts = excluded.hosts, ord = excluded.ord",
            (key, name, url, unit, json.dumps(sorted(hosts)), position),
        )

    def update_site(self, key: str, **fields: Any) -> None:
        if "capped" in fields:
            fields["capped"] = json.dumps(sorted(set(fields["capped"])))
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE sites SET {cols} WHERE key = ?", (*fields.values(), key))

    def add_capped(self, key: str, reasons: Iterable[str]) -> None:
        """Merge caps one crawl worker hit into the site's list (several workers may share a site)."""
        reasons = set(reasons)
        if not reasons:
            return
        with self.transaction():
            rows = self.db.query("SELECT capped FROM sites WHERE key = ?", (key,))
            if rows:
                merged = set(json.loads(rows[0][0] or "[]")) | reasons
                self.db.execute("UPDATE sites SET capped = ? WHERE key = ?", (json.dumps(sorted(merged)), key))

    def sites(self) -> list[dict[str, Any]]:
        out = []
        for row in self.db.query("SELECT * FROM sites ORDER BY ord, key"):
            site = dict(row)
            site["hosts"] = json.loads(site["hosts"] or "[]")
            site["capped"] = json.loads(site["capped"] or "[]")
            out.append(site)
        return out

    def site_stats(self, key: str) -> dict[str, int]:
        """Fetch counts. A RENDER row counts as a fetch only when it is the page's one record (render_js:
        always); a failed render is not a crawl error (the page's plain fetch stands), it is counted
        apart in render_failed."""
        row = self.db.query(
            "SELECT COUNT(*) AS fetched, "
            "SUM(CASE WHEN kind = 'page' THEN 1 ELSE 0 END) AS pages, "
            "SUM(CASE WHEN kind = 'attachment' THEN 1 ELSE 0 END) AS attachments, "
            "SUM(CASE WHEN error_kind IS NOT NULL THEN 1 ELSE 0 END) AS errors, "
            "SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS http_errors "
            "FROM pages p WHERE site = ? AND (method <> 'RENDER' OR (error_kind IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM pages g WHERE g.site = p.site AND g.url = p.url AND g.method = 'GET')))",
            (key,))[0]
        stats = {k: int(row[k] or 0) for k in row.keys()}  # noqa: SIM118 (Row)
        render = self.db.query(
            "SELECT SUM(CASE WHEN error_kind IS NULL THEN 1 ELSE 0 END) AS rendered, "
            "SUM(CASE WHEN error_kind IS NOT NULL THEN 1 ELSE 0 END) AS render_failed "
            "FROM pages WHERE site = ? AND method = 'RENDER'", (key,))[0]
        stats.update({k: int(render[k] or 0) for k in ("rendered", "render_failed")})
        return stats

    # --- frontier -----------------------------------------------------------------------------
    # A row per request the crawl decided to make: queued (waiting), leased (a worker holds it: fetched
    # or in flight, not yet committed), done (its record is stored), dropped (a cap stopped it).
    # Workers lease rows instead of popping them, so a worker that dies returns its leases (requeue).
    def add_frontier(self, site: str, url: str, method: str, kind: str, depth: int, priority: int,
                     referer: str | None, anchor: str | None, form: dict[str, str] | None = None) -> None:
        self.add_frontier_rows([frontier_row(site, url, method, kind, depth, priority, referer, anchor, form)])

    def add_frontier_rows(self, rows: Iterable[Sequence[Any]]) -> None:
        """Insert frontier rows (FRONTIER_COLUMNS order); a key already there keeps its row."""
        self.db.executemany(f"INSERT INTO frontier ({FRONTIER_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                            "ON CONFLICT (site, url, method) DO NOTHING", rows)

    def drop_frontier(self, site: str, url: str, method: str, reason: str) -> None:
        self.settle_frontier([(site, url, method)], "dropped", reason)

    def settle_frontier(self, keys: Iterable[FrontierKey], state: str, reason: str | None = None) -> None:
        """Set rows' state: dropped (with the reason), queued (a lease given back), done."""
        if state == "queued":
            self.db.executemany("UPDATE frontier SET state = 'queued', worker = NULL, leased_at = NULL "
                                "WHERE site = ? AND url = ? AND method = ? AND state = 'leased'", keys)
        else:
            self.db.executemany("UPDATE frontier SET state = ?, reason = ? WHERE site = ? AND url = ? AND method = ?",
                                [(state, reason, *k) for k in keys])

    def has_frontier_row(self, key: FrontierKey) -> bool:
        return bool(self.db.query("SELECT 1 FROM frontier WHERE site = ? AND url = ? AND method = ?", key))

    def frontier_keys(self) -> set[FrontierKey]:
        return set(self.iter_frontier_keys())

    def iter_frontier_keys(self) -> Iterator[FrontierKey]:
        return ((r[0], r[1], r[2]) for r in self.db.stream("SELECT site, url, method FROM frontier"))

    def frontier_rows(self, site: str, states: tuple[str, ...] = ("queued", "dropped")) -> list[Row]:
        """A site's requests that were not done: queued when the crawl stopped (a row leased by a worker
        that never committed it counts as queued), dropped by a cap."""
        wanted = set(states) | ({"leased"} if "queued" in states else set())
        marks = ",".join("?" * len(wanted))
        return self.db.query(
            f"SELECT site, url, method, kind, depth, priority, referer, anchor, form, "
            f"CASE WHEN state = 'leased' THEN 'queued' ELSE state END AS state, reason "
            f"FROM frontier WHERE site = ? AND state IN ({marks})", (site, *sorted(wanted)))

    def requeue(self, site: str, urls: Iterable[str] | None = None, reasons: Iterable[str] = ()) -> int:
        """Queue again (resume): the given URLs — fetched anew: the records they had go, the new ones
        stand (a record is otherwise written once) — and the requests a cap dropped for one of `reasons`."""
        n = 0
        with self.transaction():
            for url in urls or ():
                self.db.execute("DELETE FROM links WHERE page_id IN (SELECT id FROM pages WHERE site = ? AND url = ?)",
                                (site, url))
                self.db.execute("DELETE FROM pages WHERE site = ? AND url = ?", (site, url))
                n += self.db.execute("UPDATE frontier SET state = 'queued', reason = NULL, worker = NULL, "
                                     "leased_at = NULL WHERE site = ? AND url = ?", (site, url)).rowcount
            for reason in reasons:
                n += self.db.execute("UPDATE frontier SET state = 'queued', reason = NULL, worker = NULL, "
                                     "leased_at = NULL WHERE site = ? AND state = 'dropped' AND reason = ?",
                                     (site, reason)).rowcount
        return n

    def pending_frontier(self) -> list[Row]:
        """Rows not yet done: queued, and leased ones (whose worker has not committed them)."""
        return self.db.query(f"SELECT {FRONTIER_COLUMNS} FROM frontier WHERE state IN ('queued', 'leased') "
                             "ORDER BY priority DESC, seq")

    def lease_frontier(self, worker: str, limit: int) -> list[Row]:
        """Lease up to `limit` queued rows, highest priority first (then oldest), to `worker`."""
        with self.transaction():
            return self._lease(worker, limit)

    def _lease(self, worker: str, limit: int) -> list[Row]:
        return self.db.query(
            "UPDATE frontier SET state = 'leased', worker = ?, leased_at = ? WHERE state = 'queued' AND "
            "(site, url, method) IN (SELECT site, url, method FROM frontier WHERE state = 'queued' "
            f"ORDER BY priority DESC, seq LIMIT ?) RETURNING {FRONTIER_COLUMNS}",
            (worker, time.time(), limit))

    def claim_frontier(self, worker: str, keys: Iterable[tuple[str, str, str | None]]) -> list[Row]:
        """Lease these rows to `worker` if they are queued ((site, url, method); method None: the page's
        GET or POST row); the rows it got."""
        out: list[Row] = []
        for site, url, method in keys:
            sql = ("UPDATE frontier SET state = 'leased', worker = ?, leased_at = ? WHERE site = ? AND url = ? "
                   "AND state = 'queued' AND " + ("method = ?" if method else "method IN ('GET', 'POST')") +
                   f" RETURNING {FRONTIER_COLUMNS}")
            out += self.db.query(sql, (worker, time.time(), site, url, *([method] if method else [])))
        return out

    def leased_to(self, worker: str, keys: Iterable[FrontierKey]) -> set[FrontierKey]:
        """Which of these rows `worker` holds."""
        return {k for k in keys if self.db.query(
            "SELECT 1 FROM frontier WHERE site = ? AND url = ? AND method = ? AND state = 'leased' AND worker = ?",
            (*k, worker))}

    def requeue_leases(self, worker: str | None = None, *, older_than: float | None = None) -> int:
        """Give leased rows back to the queue: a worker's (it died), all (a resumed run), or those leased
        before `older_than` (epoch seconds: lease timeout). Returns how many."""
        sql, args = "UPDATE frontier SET state = 'queued', worker = NULL, leased_at = NULL WHERE state = 'leased'", []
        if worker is not None:
            sql += " AND worker = ?"
            args.append(worker)
        if older_than is not None:
            sql += " AND leased_at < ?"
            args.append(older_than)
        return self.db.execute(sql, args).rowcount

    def drop_leases(self, worker: str, reason: str) -> int:
        """A worker that has gone idle still holding leases: their requests ended without a record."""
        return self.db.execute("UPDATE frontier SET state = 'dropped', reason = ? WHERE state = 'leased' "
                               "AND worker = ?", (reason, worker)).rowcount

    def frontier_counts(self, site: str | None = None) -> dict[str, int]:
        sql, args = "SELECT state, COUNT(*) FROM frontier", []
        if site is not None:
            sql += " WHERE site = ?"
            args.append(site)
        return {r[0]: int(r[1]) for r in self.db.query(sql + " GROUP BY state", args)}

    def frontier_busy(self, exclude_worker: str | None = None) -> bool:
        """Is there work a crawl worker could still get: queued rows, or leases held by another worker
        (its pages may add rows)?"""
        if self.db.query("SELECT 1 FROM frontier WHERE state = 'queued' LIMIT 1"):
            return True
        return bool(self.db.query("SELECT 1 FROM frontier WHERE state = 'leased' AND worker <> ? LIMIT 1",
                                  (exclude_worker or "",)))

    def queued_by_site(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.db.query(
            "SELECT site, COUNT(*) FROM frontier WHERE state IN ('queued', 'leased') GROUP BY site")}

    # --- crawl workers ------------------------------------------------------------------------
    def register_worker(self, worker: str, pid: int, host: str) -> None:
        self.db.execute("INSERT INTO workers (id, pid, host, started) VALUES (?,?,?,?) ON CONFLICT (id) DO UPDATE "
                        "SET pid = excluded.pid, host = excluded.host, started = excluded.started, finished = NULL, "
                        "reason = NULL", (worker, pid, host, now_iso()))

    def finish_worker(self, worker: str, reason: str) -> None:
        self.db.execute("UPDATE workers SET finished = ?, reason = ? WHERE id = ?", (now_iso(), reason, worker))

    def workers(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("SELECT id, pid, host, started, finished, reason FROM workers "
                                               "ORDER BY started, id")]

    # --- pages --------------------------------------------------------------------------------
    def save_page(self, rec: PageRecord) -> int:
        """Store a fetched page with its links and mark it done in the frontier, atomically."""
        with self.transaction():
            return self.insert_page(rec, compress_body(rec.body))

    def insert_page(self, rec: PageRecord, body: bytes | None) -> int:
        """The page, its links and its frontier row done, inside the caller's transaction. A record
        already stored (same site, URL, method) stays as it is: the first one written wins, so a page
        fetched twice (a lease returned from a worker presumed dead) is never stored twice."""
        rows = self.db.query(
            "INSERT INTO pages (site, url, final_url, kind, method, redirects, status, "
            "content_type, charset, title, meta, breadcrumb, depth, referer, error_kind, error, "
            "elapsed, size, fetched_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (site, url, method) DO NOTHING RETURNING id",
            (rec.site, rec.url, rec.final_url, rec.kind, rec.method,
             json.dumps(rec.redirects, ensure_ascii=False), rec.status, rec.content_type, rec.charset,
             rec.title, json.dumps(rec.meta, ensure_ascii=False), rec.breadcrumb, rec.depth, rec.referer,
             rec.error_kind, rec.error, rec.elapsed, rec.size, rec.fetched_at, body),
        )
        if rows:
            page_id = int(rows[0][0])
            if rec.facts is not None:
                from zwgk.understand.facts import encode

                self.db.execute("INSERT INTO page_facts (page_id, facts) VALUES (?, ?)", (page_id, encode(rec.facts)))
            if rec.links:
                self.db.executemany(
                    "INSERT INTO links (page_id, url, anchor, kind, hidden, tag, state, reason) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    [(page_id, ln.url, ln.anchor, ln.kind, int(ln.hidden), ln.tag, ln.state, ln.reason)
                     for ln in rec.links],
                )
        else:
            page_id = int(self.db.query("SELECT id FROM pages WHERE site = ? AND url = ? AND method = ?",
                                        (rec.site, rec.url, rec.method))[0][0])
        self.db.execute("UPDATE frontier SET state = 'done' WHERE site = ? AND url = ? "
                        "AND method IN (?, 'GET', 'HEAD')", (rec.site, rec.url, rec.method))
        return page_id

    def pages(self, site: str | None = None, kind: str | None = None) -> list[PageRecord]:
        return list(self.iter_pages(site, kind, body=True))

    def iter_pages(self, site: str | None = None, kind: str | Collection[str] | None = None, *,
                   body: bool = False, methods: Collection[str] | None = None, ok: bool | None = None,
                   referers: Collection[str] | None = None, has_body: bool | None = None,
                   order: str = "id", id_range: tuple[int, int] | None = None) -> Iterator[PageRecord]:
        """Records one at a time in id order, without their bodies unless `body` (see body(id)).
        `kind`: one kind or several; `ok`: only 2xx/3xx (True) or only the others (False);
        `referers`: only records requested from these pages (e.g. a column's list-API answers);
        `has_body`: only records with (True) or without (False) a stored body; `order`: "id" or "url";
        `id_range`: only ids lo..hi (inclusive: a share of the records for one of several processes)."""
        where, args = self._page_filter(site, kind, methods, ok, referers, has_body)
        if id_range is not None:
            where += " AND id >= ? AND id <= ?"
            args += list(id_range)
        sql = f"SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE {where}"
        for row in self.db.stream(sql + (" ORDER BY url, id" if order == "url" else " ORDER BY id"), args):
            yield self._page(row)

    def iter_page_addresses(self, site: str, kind: str, *, ok: bool | None = None, has_body: bool | None = None
                            ) -> Iterator[tuple[int, str, str | None, str, str | None]]:
        """(id, url, final_url, method, error_kind) of the records iter_pages would give, in id order:
        for a pass that needs only where the pages are (a fraction of building the records)."""
        where, args = self._page_filter(site, kind, None, ok, None, has_body)
        for row in self.db.stream(f"SELECT id, url, final_url, method, error_kind FROM pages WHERE {where} "
                                  "ORDER BY id", args):
            yield row[0], row[1], row[2], row[3], row[4]

    def iter_pages_with_facts(self, site: str, kind: str, *, ok: bool | None = None, has_body: bool | None = None,
                              id_range: tuple[int, int] | None = None) -> Iterator[tuple[PageRecord, bytes | None]]:
        """(record without its body, its crawl-time facts or None) in id order: iter_pages for the
        evaluation's page scan (checks/facts.py), which reads the body only of a record without facts."""
        where, args = self._page_filter(site, kind, None, ok, None, has_body)
        if id_range is not None:
            where += " AND id >= ? AND id <= ?"
            args += list(id_range)
        cols = ", ".join(f"pages.{c}" for c in PAGE_COLUMNS.split(", "))
        sql = (f"SELECT {cols}, CASE WHEN pages.body IS NULL THEN 0 ELSE 1 END AS has_body, f.facts FROM pages "
               f"LEFT JOIN page_facts f ON f.page_id = pages.id WHERE {where} ORDER BY pages.id")
        for row in self.db.stream(sql, args):
            yield self._page(row[:-1]), row[-1]

    def page_facts(self, page_id: int) -> bytes | None:
        """One record's crawl-time facts (understand/facts.py, encoded), or None."""
        rows = self.db.query("SELECT facts FROM page_facts WHERE page_id = ?", (page_id,))
        return rows[0][0] if rows else None

    def page_ids(self, site: str, kind: str | None = None, *, ok: bool | None = None,
                 has_body: bool | None = None) -> list[int]:
        """The ids iter_pages would give (for splitting the work over processes)."""
        where, args = self._page_filter(site, kind, None, ok, None, has_body)
        return [int(r[0]) for r in self.db.query(f"SELECT id FROM pages WHERE {where} ORDER BY id", args)]

    def count_where(self, site: str | None = None, kind: str | Collection[str] | None = None, *,
                    methods: Collection[str] | None = None, ok: bool | None = None,
                    has_body: bool | None = None, exclude_ids: Collection[int] = ()) -> int:
        """How many records iter_pages would give with these filters (minus `exclude_ids`)."""
        where, args = self._page_filter(site, kind, methods, ok, None, has_body)
        if exclude_ids:
            where += f" AND id NOT IN ({','.join('?' * len(exclude_ids))})"
            args += list(exclude_ids)
        return int(self.db.query(f"SELECT COUNT(*) FROM pages WHERE {where}", args)[0][0])

    @staticmethod
    def _page_filter(site: str | None, kind: str | Collection[str] | None, methods: Collection[str] | None,
                     ok: bool | None, referers: Collection[str] | None, has_body: bool | None
                     ) -> tuple[str, list[Any]]:
        sql, args = "1=1", []
        if site:
            sql += " AND site = ?"
            args.append(site)
        if kind:
            kinds = [kind] if isinstance(kind, str) else list(kind)
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            args += kinds
        if methods:
            sql += f" AND method IN ({','.join('?' * len(methods))})"
            args += list(methods)
        if ok is not None:
            sql += (" AND status >= 200 AND status < 400" if ok
                    else " AND (status IS NULL OR status < 200 OR status >= 400)")
        if referers:
            sql += f" AND referer IN ({','.join('?' * len(referers))})"
            args += list(referers)
        if has_body is not None:
            sql += " AND body IS NOT NULL" if has_body else " AND body IS NULL"
        return sql, args

    # --- reads for a streaming evaluation (checks/context.py) --------------------------------
    def superseded_ids(self, site: str) -> set[int]:
        """Ids of raw page fetches whose rendered DOM (a successful RENDER record) stands for them."""
        return {int(r[0]) for r in self.db.query(
            "SELECT g.id FROM pages g WHERE g.site = ? AND g.kind = 'page' AND g.method <> 'RENDER' AND EXISTS "
            "(SELECT 1 FROM pages r WHERE r.site = g.site AND r.url = g.url AND r.method = 'RENDER' "
            "AND r.error_kind IS NULL)", (site,))}

    def failed_renders(self, site: str) -> dict[str, PageRecord]:
        """url -> the RENDER record of a page the browser could not render."""
        return {r["url"]: self._page(r) for r in self.db.query(
            f"SELECT {PAGE_SELECT} FROM pages WHERE site = ? AND method = 'RENDER' AND error_kind IS NOT NULL "
            "ORDER BY id", (site,))}

    def records_at(self, site: str, url: str, *, body: bool = False) -> list[PageRecord]:
        """Every record requested as `url` or that ended there (final URL), in id order."""
        return [self._page(r) for r in self.db.query(
            f"SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE site = ? AND url = ? "
            f"UNION SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE site = ? AND final_url = ? "
            "ORDER BY id", (site, url, site, url))]

    def iter_site_links(self, site: str, exclude_pages: Collection[int] = (), *,
                        kinds: Collection[str] | None = None, usable: bool | None = None,
                        states: Collection[str] | None = None, anchor_has: Collection[str] = (),
                        targets: Collection[str] | None = None) -> Iterator[tuple[str, Link]]:
        """(source page URL, link) like iter_links, filtered in the database: `usable` True: links
        used as their kind says (state NULL), False: the others; `states`: only these states;
        `anchor_has`: only anchors containing one of these characters/strings (a cheap pre-filter
        for callers that match the anchor with a pattern needing one of them); `targets`: only
        links to these URLs."""
        sql, args = ("SELECT p.url, l.url, l.anchor, l.kind, l.hidden, l.tag, p.id, l.state, l.reason FROM links l "
                     "JOIN pages p ON p.id = l.page_id WHERE p.site = ?", [site])
        if kinds:
            sql += f" AND l.kind IN ({','.join('?' * len(kinds))})"
            args += list(kinds)
        if usable is not None:
            sql += " AND l.state IS NULL" if usable else " AND l.state IS NOT NULL"
        if states:
            sql += f" AND l.state IN ({','.join('?' * len(states))})"
            args += list(states)
        if anchor_has:
            sql += " AND (" + " OR ".join("l.anchor LIKE ?" for _ in anchor_has) + ")"
            args += [f"%{a}%" for a in anchor_has]
        if targets is not None:
            if not targets:
                return
            sql += f" AND l.url IN ({','.join('?' * len(targets))})"
            args += list(targets)
        skip = set(exclude_pages)
        for r in self.db.stream(sql + " ORDER BY l.page_id", args):
            if r[6] not in skip:
                yield r[0], Link(r[1], r[2], r[3], bool(r[4]), r[5], r[7], r[8])

    def linked_targets(self, site: str, kinds: Collection[str], exclude_pages: Collection[int] = ()
                       ) -> Iterator[LinkedTarget]:
        """(id, url, method, status, error_kind, error) of the records of these kinds, in id order, that
        a usable link of one of these kinds on the site's pages points at (pages in `exclude_pages` not
        counting as sources): what judging a target needs; page_by_id gives the record of one judged
        broken (links.broken reads every target, and most open)."""
        marks = ",".join("?" * len(kinds))
        skip = ""
        if exclude_pages:
            skip = f" AND s.id NOT IN ({','.join('?' * len(exclude_pages))})"
        sql = (f"SELECT t.id, t.url, t.method, t.status, t.error_kind, t.error FROM pages t WHERE t.site = ? "
               f"AND t.kind IN ({marks}) AND EXISTS "
               f"(SELECT 1 FROM links l JOIN pages s ON s.id = l.page_id WHERE l.url = t.url AND s.site = t.site "
               f"AND l.kind IN ({marks}) AND l.state IS NULL{skip}) ORDER BY t.id")
        for row in self.db.stream(sql, (site, *kinds, *kinds, *exclude_pages)):
            yield LinkedTarget(*row)

    def frontier_at(self, site: str, url: str, states: tuple[str, ...] = ("queued", "dropped")) -> Row | None:
        """The not-done frontier row of one URL (as frontier_rows gives them), or None."""
        wanted = set(states) | ({"leased"} if "queued" in states else set())
        rows = self.db.query(
            f"SELECT site, url, method, kind, depth, priority, referer, anchor, form, "
            f"CASE WHEN state = 'leased' THEN 'queued' ELSE state END AS state, reason "
            f"FROM frontier WHERE site = ? AND url = ? AND state IN ({','.join('?' * len(wanted))}) ORDER BY method",
            (site, url, *sorted(wanted)))
        return rows[-1] if rows else None

    def trap_cuts(self, site: str) -> dict[str, int]:
        """pattern -> URLs a trap budget cut (frontier rows dropped for `trap:<pattern>`)."""
        return {r[0][5:]: int(r[1]) for r in self.db.query(
            "SELECT reason, COUNT(DISTINCT url) FROM frontier WHERE site = ? AND state = 'dropped' "
            "AND reason LIKE ? GROUP BY reason ORDER BY reason", (site, "trap:%"))}

    def count_pages(self, site: str, kind: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM pages WHERE site = ?", [site]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        return int(self.db.query(sql, args)[0][0])

    def page(self, site: str, url: str, *, body: bool = True) -> PageRecord | None:
        """The first record of a URL; a failed render never stands for the page (its fetch does)."""
        rows = self.db.query(f"SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE site = ? AND url = ? "
                             "ORDER BY CASE WHEN method = 'RENDER' AND error_kind IS NOT NULL THEN 1 ELSE 0 END, id "
                             "LIMIT 1", (site, url))
        return self._page(rows[0]) if rows else None

    def find_page(self, site: str, url: str, *, body: bool = False) -> PageRecord | None:
        """The first record requested as `url` or that ended there (its final URL after redirects)."""
        return self.page(site, url, body=body) or next(
            (self._page(r) for r in self.db.query(
                f"SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE site = ? AND final_url = ? "
                "ORDER BY id LIMIT 1", (site, url))), None)

    def page_by_id(self, page_id: int, *, body: bool = True) -> PageRecord | None:
        rows = self.db.query(f"SELECT {PAGE_SELECT}{', body' if body else ''} FROM pages WHERE id = ?", (page_id,))
        return self._page(rows[0]) if rows else None

    def body(self, page_id: int) -> str | None:
        """One record's decoded body (HTML or list-API text), or None."""
        rows = self.db.query("SELECT body FROM pages WHERE id = ?", (page_id,))
        return decompress_body(rows[0][0]) if rows else None

    def links(self, page_id: int) -> list[Link]:
        rows = self.db.query("SELECT url, anchor, kind, hidden, tag, state, reason FROM links WHERE page_id = ?",
                             (page_id,))
        return [Link(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]

    def all_links(self, site: str, exclude_pages: Collection[int] = ()) -> Iterator[tuple[str, Link]]:
        """(source page URL, link) for every link recorded on the site's pages (but `exclude_pages`:
        records another one stands for, e.g. a raw fetch whose rendered DOM is used). Streams."""
        return self.iter_links(site, exclude_pages)

    def iter_links(self, site: str, exclude_pages: Collection[int] = (), *,
                   kinds: Collection[str] | None = None) -> Iterator[tuple[str, Link]]:
        sql, args = ("SELECT p.url, l.url, l.anchor, l.kind, l.hidden, l.tag, p.id, l.state, l.reason FROM links l "
                     "JOIN pages p ON p.id = l.page_id WHERE p.site = ?", [site])
        if kinds:
            sql += f" AND l.kind IN ({','.join('?' * len(kinds))})"
            args += list(kinds)
        skip = set(exclude_pages)
        for r in self.db.stream(sql + " ORDER BY l.page_id", args):
            if r[6] not in skip:
                yield r[0], Link(r[1], r[2], r[3], bool(r[4]), r[5], r[7], r[8])

    def iter_links_by_page(self, site: str, kinds: Collection[str]) -> Iterator[tuple[int, list[tuple[str, str]]]]:
        """(page id, [(url, anchor) of each of its links of these kinds]) of the site's pages with such
        links, in page id order (to be merged with a stream of its pages: SiteContext.pages.with_links):
        what column recognition reads, from a narrow query, without a Link per row."""
        # Through the links' page index, page by page: no join row or sort per link (SQLite: a page's
        # links in the order stored, as the index holds them)
        sql = (f"SELECT page_id, url, anchor FROM links WHERE page_id IN (SELECT id FROM pages WHERE site = ?) "
               f"AND kind IN ({','.join('?' * len(kinds))}) ORDER BY page_id")
        for page_id, rows in groupby(self.db.stream(sql, [site, *kinds]), key=itemgetter(0)):
            yield page_id, [(r[1], r[2]) for r in rows]

    def links_to(self, site: str, url: str) -> list[tuple[str, Link]]:
        """(source page URL, link) of every link on the site's pages that points at `url`."""
        rows = self.db.query(
            "SELECT p.url, l.url, l.anchor, l.kind, l.hidden, l.tag, l.state, l.reason FROM links l "
            "JOIN pages p ON p.id = l.page_id WHERE l.url = ? AND p.site = ? ORDER BY l.page_id", (url, site))
        return [(r[0], Link(r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7])) for r in rows]

    @staticmethod
    def _page(row: Row) -> PageRecord:
        """A record from a row of `SELECT {PAGE_SELECT}[, body]` (read by position: the hot path of
        every streamed evaluation pass): a StoredRecord, its JSON columns decoded when first read."""
        vals = tuple(row)
        n = _N_PAGE_COLUMNS
        rec = StoredRecord.__new__(StoredRecord)
        fields_of = rec.__dict__
        fields_of.update(zip(_STORED_NAMES, vals, strict=False))      # (then has_body, body)
        fields_of.update(body=decompress_body(vals[n + 1]) if len(vals) > n + 1 else None, links=[], facts=None)
        if len(vals) > n:
            fields_of["stored_body"] = bool(vals[n])   # read without its body: whether it has one
        return rec

    # --- list coverage ------------------------------------------------------------------------
    def record_list_coverage(self, cov: ListCoverage) -> None:
        """Insert or replace what is known of one list page's items (the crawl updates it as further
        pages or API groups arrive)."""
        self.db.execute(
            "INSERT INTO list_coverage (site, url, source, adapter, stated_total, obtained, pages, state, note, at, "
            "stated_pages, members) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (site, url) DO UPDATE SET "
            "source = excluded.source, adapter = excluded.adapter, stated_total = excluded.stated_total, "
            "obtained = excluded.obtained, pages = excluded.pages, state = excluded.state, note = excluded.note, "
            "at = excluded.at, stated_pages = excluded.stated_pages, members = excluded.members",
            (cov.site, cov.url, cov.source, cov.adapter, cov.stated_total, cov.obtained, cov.pages, cov.state,
             cov.note, cov.at, cov.stated_pages, json.dumps(cov.members, ensure_ascii=False)))

    def list_coverages(self, site: str) -> dict[str, ListCoverage]:
        out = {}
        for r in self.db.query("SELECT * FROM list_coverage WHERE site = ?", (site,)):
            data = dict(r)
            data["members"] = json.loads(data.get("members") or "[]")
            out[r["url"]] = ListCoverage(**data)
        return out

    # --- probes -------------------------------------------------------------------------------
    def add_probe(self, site: str, kind: str, target: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO probes (site, kind, target, data, at) VALUES (?,?,?,?,?)",
                        (site, kind, target, json.dumps(data, ensure_ascii=False), now_iso()))

    def probes(self, site: str, kind: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT id, site, kind, target, data, at FROM probes WHERE site = ?", [site]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        out = []
        for row in self.db.query(sql + " ORDER BY id", args):
            item = dict(row)
            item["data"] = json.loads(item["data"])
            out.append(item)
        return out

    # --- narrow reads for the evaluation's passes (checks/context.py: pages_where) ---------------
    def iter_page_labels(self, site: str, kind: str, *, ok: bool | None = None, has_body: bool | None = None,
                         order: str = "id") -> Iterator[tuple[int, str, str | None, str, str | None, str | None,
                                                              str | None, str | None]]:
        """(id, url, final_url, method, error_kind, title, meta, breadcrumb) of the records iter_pages
        would give, in id or url order (order: "id" | "url"), meta as stored (its JSON text, not
        decoded): for a pass that picks a few pages by address or title before building their records
        (pages_by_ids), a fraction of building every record."""
        where, args = self._page_filter(site, kind, None, ok, None, has_body)
        sql = (f"SELECT id, url, final_url, method, error_kind, title, meta, breadcrumb FROM pages WHERE {where} "
               + ("ORDER BY url, id" if order == "url" else "ORDER BY id"))
        for row in self.db.stream(sql, args):
            yield row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7]

    def pages_by_ids(self, ids: Sequence[int]) -> list[PageRecord]:
        """The records (without bodies) of these ids, in the order given (an id not stored is left out)."""
        found: dict[int, PageRecord] = {}
        for at in range(0, len(ids), 500):
            chunk = ids[at:at + 500]
            for row in self.db.query(f"SELECT {PAGE_SELECT} FROM pages WHERE id IN ({','.join('?' * len(chunk))})",
                                     chunk):
                rec = self._page(row)
                found[rec.id or 0] = rec
        return [found[i] for i in ids if i in found]

    def first_links(self, site: str, *, kinds: Collection[str], anchor_like: Collection[str] = ()
                    ) -> Iterator[tuple[str, str, int, str]]:
        """(target URL, anchor, id and URL of the first page carrying it) of each distinct link target and
        anchor on the site's pages — links of these kinds, anchors LIKE one of `anchor_like` (SQL
        patterns) — grouped in the database: a menu link repeated on every page is one row. Pages a
        successful render stands for (superseded_ids) do not count, as iter_site_links(exclude_pages=
        superseded_ids) leaves them out; in no particular order."""
        sql = ("SELECT g.url, g.anchor, g.first_page, s.url FROM (SELECT l.url AS url, l.anchor AS anchor, "
               "MIN(l.page_id) AS first_page FROM links l JOIN pages p ON p.id = l.page_id WHERE p.site = ? "
               f"AND l.kind IN ({','.join('?' * len(kinds))})")
        args: list[Any] = [site, *kinds]
        if anchor_like:
            sql += " AND (" + " OR ".join("l.anchor LIKE ?" for _ in anchor_like) + ")"
            args += list(anchor_like)
        # (superseded_ids' condition: a raw fetch whose successful render stands for it)
        sql += (" AND NOT (p.kind = 'page' AND p.method <> 'RENDER' AND EXISTS (SELECT 1 FROM pages r WHERE "
                "r.site = p.site AND r.url = p.url AND r.method = 'RENDER' AND r.error_kind IS NULL)) "
                "GROUP BY l.url, l.anchor) g JOIN pages s ON s.id = g.first_page")
        for r in self.db.stream(sql, args):
            yield r[0], r[1], int(r[2]), r[3]


# every stored column of a page but its body, in the order of PageRecord's fields
PAGE_COLUMNS = ", ".join(f.name for f in fields(PageRecord) if f.name not in ("body", "links", "facts"))
# … and whether it has a body (a record read without it can still say so)
PAGE_SELECT = PAGE_COLUMNS + ", CASE WHEN body IS NULL THEN 0 ELSE 1 END AS has_body"
_PAGE_NAMES = PAGE_COLUMNS.split(", ")
_N_PAGE_COLUMNS = len(_PAGE_NAMES)
# … as a StoredRecord holds them: its JSON columns as read, under the names its descriptors decode
_STORED_NAMES = tuple(f"_{c}_json" if isinstance(StoredRecord.__dict__.get(c), _Decoded) else c for c in _PAGE_NAMES)
assert _PAGE_NAMES[-1] == "id" and [f.name for f in fields(PageRecord)][-4:] == ["body", "links", "id", "facts"]


def compress_body(body: str | None) -> bytes | None:
    return zlib.compress(body.encode("utf-8"), 1) if body is not None else None


def decompress_body(blob: bytes | None) -> str | None:
    return zlib.decompress(blob).decode("utf-8") if blob is not None else None


def frontier_row(site: str, url: str, method: str, kind: str, depth: int, priority: int, referer: str | None,
                 anchor: str | None, form: dict[str, str] | None = None, *, state: str = "queued",
                 worker: str | None = None) -> tuple[Any, ...]:
    """A frontier row in FRONTIER_COLUMNS order."""
    return (site, url, method, kind, depth, priority, referer, anchor,
            json.dumps(form, ensure_ascii=False) if form else None, state, None, worker,
            time.time() if state == "leased" else None, time.monotonic_ns())
