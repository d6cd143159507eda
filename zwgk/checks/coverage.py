"""Evidence coverage (DESIGN §11, §12): what the crawl saw of a site, and the evidence kinds checks declare.

The crawl status (complete, capped with which cap, interrupted, unreachable), the state of each
catalogue column's list (fetched, rendered, script_listed, not_reached, unread) and whether the
navigation of the 政府信息公开 tree was covered are computed once per site from the store. Checks
declare what they stand on (CheckMeta.needs / .absence, as "kind" or "kind:column-key"); the one
mechanism here answers "is it there?" and, when not, says why, so a check is `inconclusive` with
details.reason and details.missing instead of "not found" — and a defect that was seen stands.

Evidence kinds: homepage, pages, probes, document_pages, column_list (the column's list was read;
missing kind `browser` when only a browser could have read it), column_items (… and all of it: every
list page, the stated count), column_docs (… and the documents it lists were fetched), column_tree
(the column was found, or the crawl covered every navigation page where it could have been). A column
the site does not have, on a crawl that saw its whole navigation, is evidence too: the check then says
the column is absent or not applicable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from zwgk.store import RENDER_METHOD

if TYPE_CHECKING:
    from zwgk.checks.base import CheckResult
    from zwgk.checks.context import SiteContext

STATUSES = ("complete", "capped", "interrupted", "unreachable")
CAP_LABELS = {"max_pages": "页数上限", "max_depth": "深度上限", "max_seconds": "时间上限"}
STATUS_LABELS = {"complete": "抓取完成", "capped": "抓取达到上限", "interrupted": "抓取被中断",
                 "unreachable": "站点无法访问"}
# list_coverage.source → state; "none" (nothing obtained) is an empty list that was read, unless the row's
# state says `unread` (the list needed a browser and none rendered it)
_SOURCE_STATE = {"browser": "rendered", "adapter": "script_listed", "markup": "fetched", "none": "fetched"}
_MAX_ANCHOR = 24
_MAX_LISTED = 20


@dataclass(frozen=True)
class Missing:
    kind: str              # homepage | pages | probes | document_pages | column_list | column_tree | browser
    reason: str            # for people, in Chinese
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class EvidenceMissing(Exception):
    """Raised where a check finds mid-way that its evidence is absent (a probe the crawl did not record)."""

    def __init__(self, missing: Missing):
        super().__init__(missing.reason)
        self.missing = missing


@dataclass
class ColumnCoverage:
    key: str
    name: str
    state: str                      # fetched | rendered | script_listed | not_reached | unread
    url: str | None
    source: str = "none"            # markup | adapter | browser | none
    stated_total: int | None = None
    obtained: int = 0
    complete: bool | None = None    # every list page / the stated count obtained (None: unknown)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "url": self.url, "source": self.source, "stated_total": self.stated_total,
                "obtained": self.obtained, "complete": self.complete, "name": self.name, "note": self.note}


@dataclass
class Coverage:
    status: str
    capped: list[str] = field(default_factory=list)
    detail: str = ""
    columns: dict[str, ColumnCoverage] = field(default_factory=dict)
    navigation_covered: bool = True
    unreached: list[dict[str, str]] = field(default_factory=list)   # navigation links not fetched
    traps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def navigation_known(self) -> bool:
        """Everything the site links from its navigation was fetched: what was not found is absent."""
        return self.status == "complete" or self.navigation_covered

    def label(self) -> str:
        caps = "、".join(cap_label(c) for c in self.capped)
        return STATUS_LABELS.get(self.status, self.status) + (f"（{caps}）" if caps else "")

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "capped": list(self.capped), "detail": self.detail,
                "columns": {k: c.to_dict() for k, c in self.columns.items()},
                "navigation": {"covered": self.navigation_known, "unreached": self.unreached[:_MAX_LISTED],
                               "unreached_count": len(self.unreached)},
                "traps": self.traps}


def cap_label(cap: str) -> str:
    if cap.startswith("trap:"):
        return f"抓取陷阱（{cap[5:]}）"
    return CAP_LABELS.get(cap, cap)


def crawl_status(site: dict[str, Any]) -> str:
    """The site's crawl status; a crawl that never finished (killed: 'running') is interrupted."""
    status = site.get("status") or ""
    return status if status in STATUSES else "interrupted"


# --- computing it ---------------------------------------------------------------------------------


def site_coverage(ctx: SiteContext) -> Coverage:
    from zwgk.rules.columns import load_columns

    site = ctx.site
    cov = Coverage(crawl_status(site), list(site.get("capped") or []), site.get("detail") or "")
    frontier = FrontierLookup(ctx)
    catalogue = load_columns()
    keys = [k for k, c in catalogue.items() if c.required] + [k for k in ctx.columns if k in catalogue]
    for key in dict.fromkeys(keys):
        col = column_coverage(ctx, key, frontier)
        if col is not None:
            cov.columns[key] = col
    if cov.status != "complete":
        cov.unreached = _unreached_navigation(ctx, frontier)
        cov.navigation_covered = not cov.unreached and "gk.root" in ctx.columns
    cov.traps = [{"pattern": p, "cut": n} for p, n in sorted(ctx.store.trap_cuts(ctx.key).items())]
    # a required column the crawl did not find although it did not cover the navigation: not reached
    if not cov.navigation_known:
        for key, col_def in catalogue.items():
            if col_def.required and key not in cov.columns:
                cov.columns[key] = ColumnCoverage(key, col_def.name, "not_reached", None,
                                                  note="导航未抓取完整，未发现该栏目")
    return cov


def crawl_coverage(ctx: SiteContext) -> Coverage:
    """ctx.coverage, or — before it was worked out — its crawl-level part alone (status, caps, detail:
    the same values, read from the site's row), so that evidence of the crawl itself (homepage, pages,
    probes) is judged without recognising the columns first: the probe stage runs its checks while the
    columns are still being recognised."""
    full = ctx.__dict__.get("coverage")
    if full is not None:
        return full
    site = ctx.site
    return Coverage(crawl_status(site), list(site.get("capped") or []), site.get("detail") or "")


_CRAWL_KINDS = ("homepage", "pages", "probes")      # evidence kinds crawl_coverage answers


class FrontierLookup:
    """The not-done frontier row of a URL, by indexed query (not a dict of the whole frontier)."""

    def __init__(self, ctx: SiteContext):
        self._ctx = ctx

    def get(self, url: str | None) -> Any:
        return self._ctx.store.frontier_at(self._ctx.key, url) if url else None


def _frontier_note(row: Any) -> str:
    if row is None:
        return "未抓取"
    if row["state"] == "dropped":
        return f"因{cap_label(row['reason'] or '')}未抓取"
    return "排队中，抓取被中断" if row["state"] == "queued" else "未抓取"


def column_coverage(ctx: SiteContext, key: str, frontier: FrontierLookup | None = None) -> ColumnCoverage | None:
    """How the crawl obtained the list of a recognised column; None when the column was not found."""
    from zwgk.rules.columns import load_columns
    from zwgk.understand.columns import list_key

    hit = ctx.columns.get(key)
    if hit is None:
        return None
    col_def = load_columns().get(key)
    name = col_def.name if col_def else key
    page = ctx.page_at(hit.url)
    if page is None:
        rec = ctx.by_url.get(hit.url) or ctx.by_url.get(hit.url.rstrip("/") + "/index.html")
        if rec is not None:           # fetched, but it failed: a fact about the column, not a gap
            from zwgk.error_kinds import error_label

            why = error_label(rec.error_kind) if rec.error_kind else f"HTTP {rec.status}"
            return ColumnCoverage(key, name, "unread", hit.url, note=f"栏目页打开失败：{why}")
        frontier = frontier if frontier is not None else FrontierLookup(ctx)
        row = frontier.get(hit.url) or frontier.get(hit.url.rstrip("/") + "/index.html")
        return ColumnCoverage(key, name, "not_reached", hit.url, note=_frontier_note(row))
    listing = ctx.column_listing(key)
    items = listing[1] if listing else []
    parsed = ctx.list_page(page)
    stored = ctx.list_coverage.get(page.url) or ctx.list_coverage.get(page.final_url or "") or next(
        (c for u, c in ctx.list_coverage.items() if list_key(u) == list_key(page.final_url or page.url)), None)
    if stored is not None:             # what the crawl recorded (issue 11's list_coverage)
        state = "unread" if stored.state == "unread" else _SOURCE_STATE.get(stored.source, "fetched")
        complete = {"complete": True, "partial": False}.get(stored.state)
        return ColumnCoverage(key, name, state, page.url, stored.source, stored.stated_total,
                              stored.obtained or len(items), complete, stored.note)
    pager = parsed.pager
    stated = getattr(pager, "total_records", None) if pager else None
    if page.method == RENDER_METHOD:
        state, source = "rendered", "browser"
    elif next(ctx.records("listing", ok=True, referers=[u for u in (page.url, page.final_url) if u]), None):
        state, source = "script_listed", "adapter"
    else:
        state, source = "fetched", "markup"
    note = ""
    if not items:
        why = ctx.list_unreadable(page)
        if why is None and ctx.pager_hidden(parsed):
            why = "列表由脚本分页加载，未能读取"
        if why is not None:
            state, source, note = "unread", "none", why
    complete: bool | None = None
    if items or parsed.has_list:
        more = pager.page_urls(page.final_url or page.url) if pager else []
        complete = all(ctx.page_at(u) is not None for u in more)
        if stated is not None and len(items) < stated:
            complete = False
    return ColumnCoverage(key, name, state, page.url, source, stated, len(items), complete, note)


def _unreached_navigation(ctx: SiteContext, frontier: FrontierLookup) -> list[dict[str, str]]:
    """Navigation links (homepage, the 专栏 and the column pages) the crawl did not fetch: where a
    column could be that the crawl therefore could not have found."""
    from zwgk.store import PageRecord
    from zwgk.understand.columns import gov_domain, is_detail, list_key

    domains = {gov_domain(h) for h in ctx.site.get("hosts") or []} | {gov_domain(ctx.site_url)}
    tree: dict[str, PageRecord] = {p.url: p for p in [ctx.home] if p is not None and p.ok}
    root = ctx.columns.get("gk.root")
    gk_prefix = list_key(root.url) if root else None
    for page in ctx.pages:
        if page.url not in tree and not is_detail(page) and gk_prefix \
                and list_key(page.final_url or page.url).startswith(gk_prefix):
            tree[page.url] = page
    for hit in ctx.columns.values():
        if (page := ctx.page_at(hit.url)) is not None:
            tree.setdefault(page.url, page)
    fetched = {list_key(u) for u in ctx.by_url}
    out: dict[str, dict[str, str]] = {}
    for page in tree.values():
        for link in ctx.links_of(page):
            if link.kind != "page" or not link.anchor or len(link.anchor) > _MAX_ANCHOR or link.hidden:
                continue
            if gov_domain(link.url) not in domains or is_detail(PageRecord(site="", url=link.url)):
                continue
            key = list_key(link.url)
            if key in fetched or key in out:
                continue
            out[key] = {"url": link.url, "anchor": link.anchor, "from": page.url,
                        "note": _frontier_note(frontier.get(link.url))}
    return list(out.values())


# --- evidence kinds -----------------------------------------------------------------------------


EVIDENCE_LABELS = {"homepage": "首页", "pages": "抓取到的页面", "probes": "抓取时的网络探测记录",
                   "document_pages": "文件页面", "column_list": "栏目列表", "column_items": "栏目完整列表",
                   "column_docs": "栏目所列文件页面", "column_tree": "栏目导航（或该栏目本身）"}


def describe(spec: str) -> str:
    """An evidence spec for people: "column_items:gk.annual_report" → "「政府信息公开年报」栏目完整列表"."""
    kind, _, column = spec.partition(":")
    label = EVIDENCE_LABELS.get(kind, kind)
    return f"「{_column_name(column)}」{label}" if column else label


def _spec(spec: str, params: dict[str, Any]) -> tuple[str, str | None]:
    kind, _, column = spec.partition(":")
    return kind, (column or params.get("column"))


def _column_name(key: str) -> str:
    from zwgk.rules.columns import load_columns

    col = load_columns().get(key)
    return col.name if col else key


def missing_evidence(ctx: SiteContext, spec: str, params: dict[str, Any]) -> Missing | None:
    """None when the evidence `spec` names was seen; else what is missing and why."""
    kind, column = _spec(spec, params)
    cov = crawl_coverage(ctx) if kind in _CRAWL_KINDS else ctx.coverage
    if kind == "homepage":
        home = ctx.home
        if home is not None and home.ok and home.body is not None:
            return None
        if cov.status == "unreachable":
            return Missing("homepage", f"站点无法访问，首页未能获取{('：' + cov.detail) if cov.detail else ''}")
        if home is None:
            return Missing("homepage", f"首页未抓取（{cov.label()}）")
        return Missing("homepage", "首页未能获取" + (f"（HTTP {home.status}）" if home.status else ""))
    if kind == "pages":
        return None if ctx.pages else Missing("pages", f"未抓取到任何页面（{cov.label()}）")
    if kind == "probes":
        return None if ctx.probes is not None else Missing("probes", "离线评估，没有网络探测记录")
    if kind == "document_pages":
        from zwgk.understand.columns import is_detail

        if cov.navigation_known or any(is_detail(p) for p in ctx.pages):
            return None
        return Missing("document_pages", f"未抓到任何文件页面（{cov.label()}）")
    if kind in ("column_list", "column_items", "column_docs", "column_tree"):
        if column is None:
            raise ValueError(f"evidence {spec!r} needs a column (a `column` parameter or {kind}:KEY)")
        col = cov.columns.get(column) or column_coverage(ctx, column)
        name = _column_name(column)
        if col is None or (col.state == "not_reached" and col.url is None):
            if kind == "column_tree" and column in ctx.columns:
                return None
            if cov.navigation_known:
                return None     # the crawl saw every page the column could be linked from: it is absent
            return Missing("column_tree", f"{cov.label()}，导航未抓取完整，未能确认是否设有「{name}」栏目", column)
        if kind == "column_tree":
            return None
        if col.state == "not_reached":
            return Missing("column_list", f"「{name}」栏目页{col.note or '未抓取'}（{cov.label()}）", column)
        if col.state == "unread" and col.note.startswith("栏目页打开失败"):
            return None         # the page failed: the checks report that, it is no lack of evidence
        if col.state == "unread":
            return Missing("browser", f"「{name}」栏目列表需浏览器渲染，未能读取：{col.note or '列表由脚本生成'}",
                           column)
        if kind == "column_items" and col.complete is False:
            got = f"已取得 {col.obtained}" + (f"/{col.stated_total}" if col.stated_total else "") + " 条"
            return Missing("column_list", f"「{name}」栏目列表未抓取完整（{got}，{cov.label()}）", column)
        if kind == "column_docs":
            listing = ctx.column_listing(column)
            items = listing[1] if listing else []
            if items and not any(ctx.page_at(i.url) is not None for i in items):
                return Missing("document_pages",
                               f"「{name}」栏目列出的 {len(items)} 个文件页面均未抓取（{cov.label()}）", column)
        return None
    raise ValueError(f"unknown evidence kind {kind!r}")


def lacking(ctx: SiteContext, specs: Iterable[str], params: dict[str, Any]) -> list[Missing]:
    out: list[Missing] = []
    for spec in specs:
        missing = missing_evidence(ctx, spec, params)
        if missing is not None and missing not in out:
            out.append(missing)
    return out


def judge_absence(ctx: SiteContext, specs: Iterable[str], params: dict[str, Any], result: CheckResult) -> None:
    """Drop "not found" findings whose evidence the crawl did not see; a check left with nothing is
    `inconclusive` with the reason, one that still holds seen defects keeps them (and says what it
    could not judge)."""
    absent = [f for f in result.findings if f.absent]
    if not absent:
        return
    missing = lacking(ctx, specs, params)
    if not missing:
        return
    reason = "；".join(m.reason for m in missing)
    result.findings = [f for f in result.findings if not f.absent]
    result.details.update(reason=reason, missing=sorted({m.kind for m in missing}),
                          missing_evidence=[m.to_dict() for m in missing], unjudged=len(absent))
    if result.findings:
        result.summary += f"；另有 {len(absent)} 项因缺少证据未判定（{reason}）"
    else:
        result.status = "inconclusive"
        result.summary = f"无法判定：{reason}"
        result.evidence = []


def note_missing(details: dict[str, Any], missing: Missing) -> None:
    """Record in a result's details that part of its judgement lacked evidence (DESIGN §12 keys)."""
    details.setdefault("missing_evidence", []).append(missing.to_dict())
    details["missing"] = sorted({*details.get("missing", []), missing.kind})
    details["reason"] = "；".join(m["reason"] for m in details["missing_evidence"])


def mark_partial(ctx: SiteContext, needs: Iterable[str], result: CheckResult) -> None:
    """A check that reads the crawled pages judged only those a cut crawl fetched: its pass is no
    proof that what was not fetched is clean (复查 calls a finding gone from it 未能复查)."""
    cov = crawl_coverage(ctx)
    if cov.status == "complete" or result.status not in ("pass", "fail", "warn"):
        return
    if {"pages", "document_pages"} & {n.partition(":")[0] for n in needs}:
        result.details["partial"] = f"{cov.label()}，只检查了已抓取的页面"
