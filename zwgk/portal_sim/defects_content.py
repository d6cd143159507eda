"""Planted content defects (and look-alike traps) for the 政务公开 checks.

Same registry as defects.py (`@defect`), same rule: a defect changes the planned site and records
what it did; truth derives the expected findings from the site as built (`expected.py`), never from
this list. Column-level defects act before planning (`prepare`): they change what a column holds.

Defects (a finding follows): empty_column, stale_column, missing_metadata, written_after_published,
annual_report_missing_section, guide_missing, footer_missing, site_id_meta_mismatch,
search_stale_index, search_broken, unanswered_message, wrong_term.
Traps (no finding may follow): no_doc_number (文号 "无"), dated_index_numbers (索引号 2026-02-00018),
commented_link (a broken link inside <!-- -->), interpretation_elsewhere (a 解读 filed in another
column, found by its title, linked both ways).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from zwgk.portal_sim import content as C
from zwgk.portal_sim.bodies import GUIDE_OMITTABLE, REPORT_SECTIONS
from zwgk.portal_sim.chrome import FOOTER_OMITTABLE
from zwgk.portal_sim.defects import DefectContext, Params, defect
from zwgk.portal_sim.metadata import STATES, VISIBLE
from zwgk.portal_sim.model import Doc, Link, Site
from zwgk.portal_sim.spec import SpecError

# -- columns ---------------------------------------------------------------------------------------


def _column_override(site: Site, p: Params, **changes: Any) -> None:
    if "column" not in p:
        raise SpecError(f"{site.key}: this defect needs `column`")
    site.knobs.setdefault("columns", {}).setdefault(p["column"], {}).update(changes)   # type: ignore[union-attr]


@defect("empty_column", prepare=lambda site, p: _column_override(site, p, docs=0))
def empty_column(ctx: DefectContext, p: Params) -> None:
    """A column that exists (named, linked) but lists nothing: 空白栏目."""
    ctx.record("empty_column", column=p["column"])


def _stale(site: Site, p: Params) -> None:
    _column_override(site, p, newest=int(p.get("days", 200)))


@defect("stale_column", prepare=_stale)
def stale_column(ctx: DefectContext, p: Params) -> None:
    """A column whose newest item is `days` old (2-week kind: 政务动态; 6-month kind: 通知公告 …)."""
    col = ctx.site.column(p["column"])
    ctx.record("stale_column", column=p["column"], newest=col.docs[0].date.isoformat() if col and col.docs else None)


# -- document metadata -----------------------------------------------------------------------------


@defect("missing_metadata")
def missing_metadata(ctx: DefectContext, p: Params) -> None:
    """One document's header lacks fields: absent (no label), empty (label, blank value) or commented."""
    how = p.get("how", "absent")
    if how not in STATES:
        raise SpecError(f"{ctx.site.key}: missing_metadata how must be one of {STATES}")
    fields = list(p.get("fields") or ["索引号"])
    if {"发布日期", "发布机构"} & set(fields):   # the article info line repeats them (发布时间/来源)
        raise SpecError(f"{ctx.site.key}: missing_metadata cannot hide 发布日期/发布机构: the info line shows them")
    doc = ctx.pick_doc(p.get("column", "gk.policy"), p.get("n"),
                       where=lambda d: bool(d.fields) and all(f in VISIBLE.get(d.dialect, ()) for f in fields))
    for name in fields:
        doc.meta_state[name] = how
    ctx.record("missing_metadata", target=doc.url, fields=fields, how=how, dialect=doc.dialect)


def _shows_written(doc: Doc) -> bool:
    return bool(doc.fields) and "成文日期" in VISIBLE.get(doc.dialect, ())


@defect("written_after_published")
def written_after_published(ctx: DefectContext, p: Params) -> None:
    """成文日期 after 发布日期 (a back-dated or mistyped header): 47号 要素准确."""
    doc = ctx.pick_doc(p.get("column", "gk.policy"), p.get("n"), where=_shows_written)
    doc.fields["成文日期"] = C.cn_date(doc.date + timedelta(days=int(p.get("days", 3))))
    ctx.record("written_after_published", target=doc.url, written=doc.fields["成文日期"])


@defect("no_doc_number")
def no_doc_number(ctx: DefectContext, p: Params) -> None:
    """Trap: 文号 "无" is a value (邯郸 writes it), not a missing 文号."""
    doc = ctx.pick_doc(p.get("column", "gk.policy"), p.get("n"), where=lambda d: bool(d.fields))
    doc.fields["发文字号"] = "无"
    ctx.record("no_doc_number", target=doc.url)


@defect("dated_index_numbers")
def dated_index_numbers(ctx: DefectContext, p: Params) -> None:
    """Trap: 索引号 of the form 2026-02-00018 (year-month-serial) next to the real dates. The
    year-month is seven months before publication, so a reader that takes the 索引号 for the date
    sees a stale column (and one that reads "2026-02-00" sees no date at all)."""
    col = ctx.site.column(p.get("column", "gk.normative"))
    for doc in col.docs if col else []:
        if doc.fields:
            made = doc.date - timedelta(days=213)
            doc.fields["索引号"] = f"{made.year}-{made.month:02d}-{doc.id % 100000:05d}"
    ctx.record("dated_index_numbers", column=p.get("column", "gk.normative"))


# -- 年报, 指南, footer ----------------------------------------------------------------------------


@defect("annual_report_missing_section")
def annual_report_missing_section(ctx: DefectContext, p: Params) -> None:
    """A 年报 without one of the text-only parts (五、存在的主要问题… / 六、其他需要报告的事项)."""
    want = str(p.get("section", "五"))
    section = next((t for t in REPORT_SECTIONS[4:] if t == want or t.startswith(want)), None)
    if section is None:   # 一 to 四 carry the 表二–表四 tables: leaving them out is a different defect
        raise SpecError(f"{ctx.site.key}: annual_report_missing_section takes 五 or 六, not {want!r}")
    col = ctx.site.column("gk.annual_report")
    year = p.get("year")
    doc = next((d for d in (col.docs if col else []) if year is None or d.extra.get("year") == year), None)
    if doc is None:
        raise SpecError(f"{ctx.site.key}: annual_report_missing_section: no 年报 for year {year}")
    doc.extra.setdefault("omit_sections", []).append(section)   # type: ignore[union-attr]
    ctx.record("annual_report_missing_section", target=doc.url, section=section, year=doc.extra.get("year"))


@defect("guide_missing")
def guide_missing(ctx: DefectContext, p: Params) -> None:
    element = p.get("element", "信息处理费")
    if element not in GUIDE_OMITTABLE:
        raise SpecError(f"{ctx.site.key}: guide_missing element must be one of {GUIDE_OMITTABLE}")
    ctx.site.knobs.setdefault("guide_omit", []).append(element)   # type: ignore[union-attr]
    ctx.record("guide_missing", element=element)


@defect("footer_missing")
def footer_missing(ctx: DefectContext, p: Params) -> None:
    """The site-wide footer template lacks an identity element (公网安备 …)."""
    element = p.get("element", "公网安备")
    if element not in FOOTER_OMITTABLE:
        raise SpecError(f"{ctx.site.key}: footer_missing element must be one of {FOOTER_OMITTABLE}")
    ctx.site.knobs.setdefault("footer_omit", []).append(element)   # type: ignore[union-attr]
    ctx.record("footer_missing", element=element)


@defect("site_id_meta_mismatch")
def site_id_meta_mismatch(ctx: DefectContext, p: Params) -> None:
    """The homepage template's <meta name="SiteIDCode"> disagrees with the footer's 网站标识码."""
    code = str(p.get("code") or (ctx.site.spec.site_id_code[:6] + "0000"))
    if code == ctx.site.spec.site_id_code:
        raise SpecError(f"{ctx.site.key}: site_id_meta_mismatch needs a code other than the site's")
    ctx.site.knobs["home_site_id_code"] = code
    ctx.record("site_id_meta_mismatch", target=ctx.url("/"), meta=code, footer=ctx.site.spec.site_id_code)


# -- search, 留言, wording -------------------------------------------------------------------------


@defect("search_stale_index")
def search_stale_index(ctx: DefectContext, p: Params) -> None:
    """The search index lags: documents of the last `days` days are not found (查不到近期文档)."""
    ctx.site.knobs["search_index_lag_days"] = int(p.get("days", 60))
    ctx.record("search_stale_index", days=int(p.get("days", 60)))


@defect("search_broken")
def search_broken(ctx: DefectContext, p: Params) -> None:
    ctx.site.knobs["search_status"] = int(p.get("status", 500))
    ctx.record("search_broken", status=int(p.get("status", 500)))


def _unanswered(site: Site, p: Params) -> None:
    days = int(p.get("days", 120))
    site.knobs.setdefault("unanswered", []).extend([days] * int(p.get("count", 1)))   # type: ignore[union-attr]


@defect("unanswered_message", prepare=_unanswered)
def unanswered_message(ctx: DefectContext, p: Params) -> None:
    """A 留言 asked `days` ago and never answered (veto: 互动回应差 beyond 3 months)."""
    col = ctx.site.column("gk.interaction")
    for doc in col.docs if col else []:
        if doc.extra.get("answer_date") is None:
            ctx.record("unanswered_message", target=doc.url, asked=doc.date.isoformat())


@defect("wrong_term")
def wrong_term(ctx: DefectContext, p: Params) -> None:
    """A 错误表述 from zwgk/config/terms.yaml in one article's text."""
    term = p.get("term", "一带一路战略")
    doc = ctx.pick_doc(p.get("column", "gk.news"), p.get("n"))
    doc.extra.setdefault("terms", []).append(term)   # type: ignore[union-attr]
    ctx.record("wrong_term", target=doc.url, term=term)


@defect("commented_link")
def commented_link(ctx: DefectContext, p: Params) -> None:
    """Trap: a dead link an editor commented out of the page — not a link, not broken."""
    path = p.get("path", "/ztzl/2018gqzt/index.html")
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "往年专题"), hidden="comment", note="commented_link"))
    ctx.record("commented_link", source=source, target=ctx.url(path))


def _elsewhere(site: Site, p: Params) -> None:
    site.knobs["interpretation_elsewhere"] = {"column": p.get("column", "gk.news"), "n": int(p.get("n", 0))}


@defect("interpretation_elsewhere", prepare=_elsewhere)
def interpretation_elsewhere(ctx: DefectContext, p: Params) -> None:
    """Trap: a 解读 filed under another column, found only by its title; it links its policy and
    the policy links it, so it is not a finding."""
    col = ctx.site.column(p.get("column", "gk.news"))
    for doc in col.docs if col else []:
        if doc.kind == "interpretation":
            ctx.record("interpretation_elsewhere", target=doc.url, column=col.key)   # type: ignore[union-attr]
