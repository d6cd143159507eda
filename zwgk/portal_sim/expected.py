"""The findings a correct audit must report on a built site, per check id (truth["findings"]).

Each expected finding is keyed like `Finding.key` (check, url, target): `url` and `target` are what
the check puts there (source page + link target, list page + column key, document + reason …).
Everything is read off the site as built and served — the link graph, the documents and their
rendered metadata, the pages' text, the search route's answers — and judged by the rules, whose
numbers come from the same data the checks read (rules/columns.yaml for which columns are required
and their update windows, the national-2019 profile for day limits, config/terms.yaml for wording).
`planted` is never read: a defect that did not change what is served yields no finding.

Scope is what the crawl rule reaches (links.CRAWL_RULE: plain links, the paging adapters' requests,
and a browser's links when the truth is built with render=True): documents and pages it cannot reach
are not expected to be judged. A column whose list only a browser shows is never expected empty
(the check says inconclusive without a browser, and sees the items with one). Content-page findings
live in expected_content.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from zwgk.config.profile import Profile, load_profile
from zwgk.portal_sim.graph import CrawlGraph
from zwgk.portal_sim.links import extract_links
from zwgk.portal_sim.metadata import visible_metadata
from zwgk.portal_sim.model import Column, Doc, Site
from zwgk.rules.columns import ColumnDef, load_columns

Rebase = Callable[[str], str]
Expected = dict[str, Any]      # {"url", "target", …facts}
WINDOWS = {"two_weeks": "window_two_weeks_days", "six_months": "window_six_months_days",
           "one_year": "window_one_year_days"}
# doc.metadata: the fields every document's metadata header must show (standards.md A16; the check's
# default list). Every document that carries a header is judged, in whatever column it is filed.
METADATA_FIELDS = ("索引号", "发布机构", "成文日期", "文号", "发布日期")
# policy.interpretation: 三同步 for 政策文件 and 行政规范性文件 (standards.md §5, A17 "each 规范性文件").
INTERPRETED_KINDS = ("policy", "normative")


@lru_cache(maxsize=1)
def profile() -> Profile:
    return load_profile("national-2019")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, ColumnDef]:
    return load_columns()


class View:
    """The site as the crawl sees it: reachable pages, served URLs, list pages' URLs."""

    def __init__(self, site: Site, graph: CrawlGraph, u: Rebase) -> None:
        self.site, self.graph, self.u = site, graph, u
        self.start = graph.start
        self.as_of: date = site.spec.as_of

    def reachable(self, url: str) -> bool:
        got = self.graph.pages.get(url)
        return got is not None and got.status == 200

    def column_url(self, col: Column) -> str:
        return f"http://{col.host}{col.dir}"

    def links_of(self, url: str) -> set[str]:
        res = self.graph.pages[url].resource if url in self.graph.pages else None
        if res is None or res.status != 200 or res.content_type != "text/html":
            return set()
        return {ln.url for ln in extract_links(res.body, res.charset or "utf-8", url)}

    def entry(self, url: str, target: str | None = None, **facts: Any) -> Expected:
        return {"url": self.u(url), "target": target, **facts}


# --- links ----------------------------------------------------------------------------------------


def broken_links(view: View, broken: list[dict[str, Any]]) -> list[Expected]:
    start = view.u(view.start)
    return [{"url": b["source"], "target": b["target"], "status": b["status"], "error": b["error"],
             "homepage": b["source"] == start} for b in broken]


# --- columns --------------------------------------------------------------------------------------


def required_columns(extra: Iterable[str] = ()) -> list[str]:
    """Catalogue columns marked required, plus those a ledger asks for (the check's parameter sets)."""
    keys = [k for k, c in catalogue().items() if c.required]
    return keys + [k for k in extra if k not in keys]


def missing_columns(view: View, extra: Iterable[str]) -> list[Expected]:
    out = []
    for key in required_columns(extra):
        col = view.site.column(key)
        if col is None or not view.reachable(view.column_url(col)):
            out.append(view.entry(view.start, key, column=key))
    return out


def _listed(col: Column) -> bool:
    return col.spec.kind not in ("guide", "index")


def empty_columns(view: View) -> list[Expected]:
    return [view.entry(view.column_url(c), c.key, column=c.key) for c in view.site.columns.values()
            if _listed(c) and not c.docs and view.reachable(view.column_url(c))]


def window_days(key: str) -> tuple[str, int] | None:
    col = catalogue().get(key)
    if col is None or col.update_window not in WINDOWS:
        return None
    return col.update_window, int(profile().setting(WINDOWS[col.update_window]))


def stale_columns(view: View) -> list[Expected]:
    """Columns with an update window whose newest document is older than it (DESIGN §8)."""
    out = []
    for col in view.site.columns.values():
        window = window_days(col.key)
        if window is None or not col.docs or not view.reachable(view.column_url(col)):
            continue
        newest = col.docs[0].date
        if newest < view.as_of - timedelta(days=window[1]):
            out.append(view.entry(view.column_url(col), col.key, column=col.key, window=window[0],
                                  newest=newest.isoformat()))
    return out


def homepage_stale(view: View) -> list[Expected]:
    """Nothing on the homepage dated within the last 2 weeks (veto 3)."""
    docs = {d.url: d for d in view.site.docs}
    dates = [docs[t].date for t in view.links_of(view.start) if t in docs]
    days = int(profile().setting("homepage_stale_days"))
    newest = max(dates) if dates else None
    if newest is not None and newest >= view.as_of - timedelta(days=days):
        return []
    return [view.entry(view.start, None, newest=newest.isoformat() if newest else None)]


# --- documents ------------------------------------------------------------------------------------


def _reachable_docs(view: View, keep: Callable[[Doc], bool]) -> list[Doc]:
    return sorted((d for d in view.site.docs if keep(d) and view.reachable(d.url)), key=lambda d: d.url)


def metadata_findings(view: View) -> list[Expected]:
    """Document pages with a metadata header (any column: 政策文件, 通知公告, 解读, 制度, 年报 …; news
    items carry none) whose header lacks a required field (commented-out = absent, blank = missing,
    文号 "无" = present) or states a 成文日期 after the 发布日期."""
    from zwgk.portal_sim.content import cn_date
    from zwgk.portal_sim.metadata import VISIBLE

    out = []
    for d in _reachable_docs(view, lambda d: bool(d.fields) and d.dialect in VISIBLE):
        seen = visible_metadata(d)
        missing = [f for f in METADATA_FIELDS if not seen.get(f)]
        late = bool(seen.get("成文日期") and seen.get("发布日期") and seen["成文日期"] > cn_date(d.date))
        if missing or late:
            out.append(view.entry(d.url, None, missing=missing, written_after_published=late,
                                  dialect=d.dialect))
    return out


def interpretation_findings(view: View) -> list[Expected]:
    """三同步, association from either side: a policy/规范性文件 that no 解读 is associated with (its
    page links none and no 解读 page links it; the list-row pop-ups repeat the page's links), and a 解读
    linked from neither side (its page links no policy and no policy page links it)."""
    kinds = {d.url: d.kind for d in view.site.docs}
    docs = _reachable_docs(view, lambda d: d.kind in (*INTERPRETED_KINDS, "interpretation"))
    links = {d.url: view.links_of(d.url) for d in docs}
    out = []
    for d in docs:
        if d.kind == "interpretation":
            mine = any(kinds.get(t) in INTERPRETED_KINDS for t in links[d.url])
            theirs = any(d.url in links[p.url] for p in docs if p.kind in INTERPRETED_KINDS)
            if not (mine or theirs):
                out.append(view.entry(d.url, "no_policy_link", title=d.title, reason="no_policy_link"))
        else:
            mine = any(kinds.get(t) == "interpretation" for t in links[d.url])
            theirs = any(d.url in links[i.url] for i in docs if i.kind == "interpretation")
            if not (mine or theirs):
                out.append(view.entry(d.url, "no_interpretation_link", title=d.title,
                                      reason="no_interpretation_link"))
    return out


def expected_findings(site: Site, graph: CrawlGraph, u: Rebase, broken: list[dict[str, Any]], *,
                      extra_columns: Iterable[str] = (),
                      dns: dict[str, dict[str, list[str]]] | None = None) -> dict[str, list[Expected]]:
    """check id -> expected findings. `extra_columns`: the column keys a ledger's tasks ask for;
    `dns`: the records the resolver serves (default: every host has A and AAAA on loopback)."""
    from zwgk.portal_sim import expected_content as EC

    view = View(site, graph, u)
    extra = tuple(extra_columns)
    return {
        "site.reachable": EC.reachable(view),
        "ipv6.aaaa": EC.ipv6(view, dns), "ipv6.reachable": EC.ipv6(view, dns), "ipv6.links": [],
        "https.available": EC.https(view),
        "links.broken": broken_links(view, broken),
        "column.missing": missing_columns(view, extra),
        "column.empty": empty_columns(view),
        "column.stale": stale_columns(view),
        "homepage.stale": homepage_stale(view),
        "doc.metadata": metadata_findings(view),
        "policy.interpretation": interpretation_findings(view),
        "report.annual": EC.annual_report(view),
        "guide.content": EC.guide(view),
        "site.identity": EC.identity(view),
        "site.search": EC.search(view),
        "interaction.reply": EC.messages(view),
        "content.terms": EC.terms(view),
    }
