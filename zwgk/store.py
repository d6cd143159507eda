"""The crawl store: one SQLite file per run, written as the crawl goes, read by the checks.

Written incrementally (one transaction per fetched page) so that a killed crawl keeps everything
it committed; the `frontier` table doubles as the resume state (see crawler/dupefilter.py).
The schema is the contract between the crawler and the checks: add columns, don't rename them.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    started TEXT, finished TEXT, detail TEXT
);
CREATE TABLE IF NOT EXISTS frontier (
    site TEXT, url TEXT, method TEXT, kind TEXT, depth INTEGER, priority INTEGER,
    referer TEXT, anchor TEXT,
    form TEXT,                      -- JSON form body of a POST (Hanweb dataproxy.jsp), else NULL
    state TEXT,                     -- queued | done | dropped
    reason TEXT,                    -- why dropped (max_pages, max_seconds ...)
    PRIMARY KEY (site, url, method)
);
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
"""


ADDED_COLUMNS = {"links": (("state", "TEXT"), ("reason", "TEXT")),
                 "list_coverage": (("stated_pages", "INTEGER"), ("members", "TEXT"))}


def now_iso() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


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

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 400


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
    """Thin data layer over SQLite. One connection; used from one thread (the reactor's)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)  # explicit transactions
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")   # WAL+NORMAL: durable across process kills
        self.db.executescript(SCHEMA)
        self._add_columns()
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))

    def _add_columns(self) -> None:
        """A store written by an older version (resumed runs, stored runs re-evaluated) gains the columns
        added since; columns are only ever added, never renamed."""
        for table, columns in ADDED_COLUMNS.items():
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
            for name, decl in columns:
                if name not in have:
                    self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- run metadata -------------------------------------------------------------------------
    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value, ensure_ascii=False)))

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    # --- sites --------------------------------------------------------------------------------
    def upsert_site(self, key: str, name: str, url: str, unit: str, hosts: Iterable[str]) -> None:
        self.db.execute(
            "INSERT INTO sites (key, name, url, unit, hosts, status, capped) VALUES (?,?,?,?,?,'pending','[]') "
            "ON CONFLICT(key) DO UPDATE SET name=excluded.name, url=excluded.url, unit=excluded.unit, "
            "hosts=excluded.hosts",
            (key, name, url, unit, json.dumps(sorted(hosts))),
        )

    def update_site(self, key: str, **fields: Any) -> None:
        if "capped" in fields:
            fields["capped"] = json.dumps(sorted(set(fields["capped"])))
        cols = ", ".join(f"{k} = ?" for k in fields)
        self.db.execute(f"UPDATE sites SET {cols} WHERE key = ?", (*fields.values(), key))

    def sites(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM sites ORDER BY rowid").fetchall()
        out = []
        for row in rows:
            site = dict(row)
            site["hosts"] = json.loads(site["hosts"] or "[]")
            site["capped"] = json.loads(site["capped"] or "[]")
            out.append(site)
        return out

    def site_stats(self, key: str) -> dict[str, int]:
        """Fetch counts. A RENDER row counts as a fetch only when it is the page's one record (render_js:
        always); a failed render is not a crawl error (the page's plain fetch stands), it is counted
        apart in render_failed."""
        row = self.db.execute(
            "SELECT COUNT(*) AS fetched, "
            "SUM(kind = 'page') AS pages, SUM(kind = 'attachment') AS attachments, "
            "SUM(error_kind IS NOT NULL) AS errors, SUM(status >= 400) AS http_errors "
            "FROM pages p WHERE site = ? AND (method != 'RENDER' OR (error_kind IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM pages g WHERE g.site = p.site AND g.url = p.url AND g.method = 'GET')))",
            (key,)).fetchone()
        stats = {k: int(row[k] or 0) for k in row.keys()}  # noqa: SIM118 (sqlite3.Row)
        render = self.db.execute(
            "SELECT SUM(error_kind IS NULL) AS rendered, SUM(error_kind IS NOT NULL) AS render_failed "
            "FROM pages WHERE site = ? AND method = 'RENDER'", (key,)).fetchone()
        stats.update({k: int(render[k] or 0) for k in ("rendered", "render_failed")})
        return stats

    # --- frontier -----------------------------------------------------------------------------
    def add_frontier(self, site: str, url: str, method: str, kind: str, depth: int, priority: int,
                     referer: str | None, anchor: str | None, form: dict[str, str] | None = None) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO frontier VALUES (?,?,?,?,?,?,?,?,?,'queued',NULL)",
            (site, url, method, kind, depth, priority, referer, anchor,
             json.dumps(form, ensure_ascii=False) if form else None),
        )

    def drop_frontier(self, site: str, url: str, method: str, reason: str) -> None:
        self.db.execute("UPDATE frontier SET state='dropped', reason=? WHERE site=? AND url=? AND method=?",
                        (reason, site, url, method))

    def frontier_keys(self) -> set[tuple[str, str, str]]:
        return {(r[0], r[1], r[2]) for r in self.db.execute("SELECT site, url, method FROM frontier")}

    def frontier_rows(self, site: str, states: tuple[str, ...] = ("queued", "dropped")) -> list[sqlite3.Row]:
        """A site's requests that were not done (queued when the crawl stopped, dropped by a cap)."""
        marks = ",".join("?" * len(states))
        return self.db.execute(f"SELECT * FROM frontier WHERE site = ? AND state IN ({marks})",
                               (site, *states)).fetchall()

    def requeue(self, site: str, urls: Iterable[str] | None = None, reasons: Iterable[str] = ()) -> int:
        """Queue again (resume): the given URLs, and the requests a cap dropped for one of `reasons`."""
        n = 0
        for url in urls or ():
            n += self.db.execute("UPDATE frontier SET state='queued', reason=NULL WHERE site=? AND url=?",
                                 (site, url)).rowcount
        for reason in reasons:
            n += self.db.execute("UPDATE frontier SET state='queued', reason=NULL WHERE site=? AND state='dropped' "
                                 "AND reason=?", (site, reason)).rowcount
        return n

    def pending_frontier(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT * FROM frontier WHERE state = 'queued' ORDER BY priority DESC, depth").fetchall()

    # --- pages --------------------------------------------------------------------------------
    def save_page(self, rec: PageRecord) -> int:
        """Store a fetched page with its links and mark it done in the frontier, atomically."""
        body = zlib.compress(rec.body.encode("utf-8"), 1) if rec.body is not None else None
        with self.transaction() as db:
            cur = db.execute(
                "INSERT OR REPLACE INTO pages (site, url, final_url, kind, method, redirects, status, "
                "content_type, charset, title, meta, breadcrumb, depth, referer, error_kind, error, "
                "elapsed, size, fetched_at, body) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rec.site, rec.url, rec.final_url, rec.kind, rec.method,
                 json.dumps(rec.redirects, ensure_ascii=False), rec.status, rec.content_type, rec.charset,
                 rec.title, json.dumps(rec.meta, ensure_ascii=False), rec.breadcrumb, rec.depth, rec.referer,
                 rec.error_kind, rec.error, rec.elapsed, rec.size, rec.fetched_at, body),
            )
            page_id = int(cur.lastrowid or 0)
            if rec.links:
                db.executemany(
                    "INSERT INTO links (page_id, url, anchor, kind, hidden, tag, state, reason) "
                    "VALUES (?,?,?,?,?,?,?,?)",
                    [(page_id, ln.url, ln.anchor, ln.kind, int(ln.hidden), ln.tag, ln.state, ln.reason)
                     for ln in rec.links],
                )
            db.execute("UPDATE frontier SET state='done' WHERE site=? AND url=? AND method IN (?, 'GET', 'HEAD')",
                       (rec.site, rec.url, rec.method))
        return page_id

    def pages(self, site: str | None = None, kind: str | None = None) -> list[PageRecord]:
        sql, args = "SELECT * FROM pages WHERE 1=1", []
        if site:
            sql += " AND site = ?"
            args.append(site)
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        return [self._page(row) for row in self.db.execute(sql + " ORDER BY id", args)]

    def page(self, site: str, url: str) -> PageRecord | None:
        """The first record of a URL; a failed render never stands for the page (its fetch does)."""
        row = self.db.execute("SELECT * FROM pages WHERE site = ? AND url = ? "
                              "ORDER BY (method = 'RENDER' AND error_kind IS NOT NULL), id LIMIT 1",
                              (site, url)).fetchone()
        return self._page(row) if row else None

    def links(self, page_id: int) -> list[Link]:
        rows = self.db.execute("SELECT url, anchor, kind, hidden, tag, state, reason FROM links WHERE page_id = ?",
                               (page_id,))
        return [Link(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]

    def all_links(self, site: str, exclude_pages: Collection[int] = ()) -> Iterator[tuple[str, Link]]:
        """(source page URL, link) for every link recorded on the site's pages (but `exclude_pages`:
        records another one stands for, e.g. a raw fetch whose rendered DOM is used)."""
        rows = self.db.execute(
            "SELECT p.url, l.url, l.anchor, l.kind, l.hidden, l.tag, p.id, l.state, l.reason FROM links l "
            "JOIN pages p ON p.id = l.page_id WHERE p.site = ? ORDER BY l.rowid", (site,))
        skip = set(exclude_pages)
        for r in rows:
            if r[6] not in skip:
                yield r[0], Link(r[1], r[2], r[3], bool(r[4]), r[5], r[7], r[8])

    @staticmethod
    def _page(row: sqlite3.Row) -> PageRecord:
        data = dict(row)
        body = data.pop("body")
        data["body"] = zlib.decompress(body).decode("utf-8") if body is not None else None
        data["redirects"] = json.loads(data["redirects"] or "[]")
        data["meta"] = json.loads(data["meta"] or "{}")
        return PageRecord(**data)

    # --- list coverage ------------------------------------------------------------------------
    def record_list_coverage(self, cov: ListCoverage) -> None:
        """Insert or replace what is known of one list page's items (the crawl updates it as further
        pages or API groups arrive)."""
        self.db.execute(
            "INSERT OR REPLACE INTO list_coverage (site, url, source, adapter, stated_total, obtained, pages, state, "
            "note, at, stated_pages, members) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (cov.site, cov.url, cov.source, cov.adapter, cov.stated_total, cov.obtained, cov.pages, cov.state,
             cov.note, cov.at, cov.stated_pages, json.dumps(cov.members, ensure_ascii=False)))

    def list_coverages(self, site: str) -> dict[str, ListCoverage]:
        out = {}
        for r in self.db.execute("SELECT * FROM list_coverage WHERE site = ?", (site,)):
            data = dict(r)
            data["members"] = json.loads(data.get("members") or "[]")
            out[r["url"]] = ListCoverage(**data)
        return out

    # --- probes -------------------------------------------------------------------------------
    def add_probe(self, site: str, kind: str, target: str, data: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO probes (site, kind, target, data, at) VALUES (?,?,?,?,?)",
                        (site, kind, target, json.dumps(data, ensure_ascii=False), now_iso()))

    def probes(self, site: str, kind: str | None = None) -> list[dict[str, Any]]:
        sql, args = "SELECT * FROM probes WHERE site = ?", [site]
        if kind:
            sql += " AND kind = ?"
            args.append(kind)
        out = []
        for row in self.db.execute(sql + " ORDER BY id", args):
            item = dict(row)
            item["data"] = json.loads(item["data"])
            out.append(item)
        return out
