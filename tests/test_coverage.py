"""The evidence mechanism (checks/coverage.py, DESIGN §12): a check that lacks its evidence says
`inconclusive` with details.reason and details.missing — never "not found", never a pass on nothing —
while a defect that was seen stands; and the portable finding keys 复查 matches runs by."""

from __future__ import annotations

from pathlib import Path

from zwgk.checks.base import finding_key, portable_url
from zwgk.checks.registry import all_checks
from zwgk.reports.diff import compare
from zwgk.reports.gate import gate_hits

from support.sitebuild import SITE, build_site, fixture, run

SCRIPTED_LIST = ('<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开指南">'
                 "<title>政府信息公开指南_某区人民政府</title></head><body><ul id=\"list\"></ul>"
                 "<script>$.ajax({url: '/api/list.json', success: function (d) {"
                 "document.getElementById('list').innerHTML = d.html; }});</script></body></html>")
EMPTY_GUIDE = ('<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开指南">'
               "<title>政府信息公开指南_某区人民政府</title></head><body><ul class=\"list\"></ul>"
               '<p class="empty">暂无信息</p></body></html>')


def column(ctx, check_id: str, key: str):
    return all_checks()[check_id].run(ctx, {"column": key})


# --- columns the crawl did not reach ---------------------------------------------------------------

def test_a_column_page_a_cap_cut_is_unknown_not_missing_or_empty(tmp_path: Path) -> None:
    """A capped crawl fetched a report filed in the 年报 column (/zwgk/gknb/…), not the column's list."""
    report = fixture("annual_2025.html")
    ctx = build_site(tmp_path, {"/": "home.html", "/zwgk/gknb/202603/t20260328_2001.html": report}, status="capped")
    empty = column(ctx, "column.empty", "gk.annual_report")
    assert (empty.status, empty.findings) == ("inconclusive", [])
    assert empty.details["missing"] == ["column_list"]
    assert empty.details["reason"] == "「政府信息公开年报」栏目页未抓取（抓取达到上限）"
    # found (its document's address names it): present, whatever the cap
    assert column(ctx, "column.missing", "gk.annual_report").status == "pass"
    # not linked anywhere the crawl looked, and the navigation was not all fetched: unknown
    planning = column(ctx, "column.missing", "gk.planning")
    assert (planning.status, planning.findings) == ("inconclusive", [])
    assert planning.details["missing"] == ["column_tree"]
    assert planning.details["unjudged"] == 1
    assert ctx.coverage.columns["gk.annual_report"].state == "not_reached"


def test_on_a_complete_crawl_what_was_not_found_is_absent(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html"})
    planning = column(ctx, "column.missing", "gk.planning")
    assert planning.status == "fail"
    assert [(f.url, f.target) for f in planning.findings] == [(SITE, "gk.planning")]
    assert column(ctx, "column.empty", "gk.planning").status == "not_applicable"


def test_a_list_only_a_browser_builds_is_unknown(tmp_path: Path) -> None:
    """The 指南 column's list is built by a script and no browser ran: "未找到指南" would be a claim on
    nothing; an empty list that says 暂无信息 is seen and is a fact."""
    ctx = build_site(tmp_path, {"/": "home.html", "/zwgk/gkzn/": SCRIPTED_LIST})
    guide = run("guide.content", ctx)
    assert (guide.status, guide.findings) == ("inconclusive", [])
    assert guide.details["missing"] == ["browser"]
    assert guide.summary == ("无法判定：「政府信息公开指南」栏目列表需浏览器渲染，未能读取："
                             "列表由页面脚本生成，本次检查未使用浏览器渲染")
    assert column(ctx, "column.empty", "gk.guide").details["missing"] == ["browser"]
    assert ctx.coverage.columns["gk.guide"].state == "unread"

    seen = build_site(tmp_path, {"/": "home.html", "/zwgk/gkzn/": EMPTY_GUIDE})
    guide = run("guide.content", seen)          # the page read says nothing of what a 指南 must say
    assert guide.status == "fail" and [f.target for f in guide.findings] == [
        "主动公开", "依申请公开渠道", "受理机构及联系方式", "办理时限", "信息处理费", "救济方式"]
    assert [f.target for f in column(seen, "column.empty", "gk.guide").findings] == ["gk.guide"]


def test_a_defect_seen_on_a_capped_crawl_stands(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html"}, failed={SITE + "zwdt/": 404}, status="capped")
    broken = run("links.broken", ctx)
    assert broken.status == "fail"
    assert [(f.url, f.target) for f in broken.findings] == [(SITE, SITE + "zwdt/"), (SITE, SITE + "zwdt/")]
    assert broken.details["partial"] == "抓取达到上限，只检查了已抓取的页面"


def test_nothing_to_judge_is_never_a_pass(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {}, status="unreachable")
    for check_id in ("site.identity", "homepage.stale", "site.search", "content.terms", "links.broken",
                     "doc.metadata", "policy.interpretation", "report.annual", "guide.content", "interaction.reply"):
        result = run(check_id, ctx)
        assert result.status == "inconclusive", check_id
        assert result.details["reason"] and result.details["missing"], check_id


def test_interrupted_crawl_judges_what_it_saw_and_claims_no_absence(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html"}, status="interrupted")
    assert run("site.identity", ctx).status == "pass"                 # the homepage footer was seen
    assert column(ctx, "column.missing", "gk.planning").status == "inconclusive"
    assert ctx.coverage.to_dict()["status"] == "interrupted"


# --- keys that survive a port change or an http→https move -----------------------------------------

def test_finding_keys_drop_scheme_and_port() -> None:
    site = "http://www.x.gov.cn:8080/"
    assert portable_url("https://www.x.gov.cn:8443/a/b.html?x=1", site) == "/a/b.html?x=1"
    assert portable_url("http://xxgk.x.gov.cn:8080/c/", site) == "xxgk.x.gov.cn/c/"
    assert finding_key("links.broken", "http://www.x.gov.cn:8080/", "http://www.x.gov.cn:8080/old.html", site) == \
        "links.broken|/|/old.html"
    assert finding_key("column.missing", "https://www.x.gov.cn/", "gk.planning", "https://www.x.gov.cn/") == \
        "column.missing|/|gk.planning"


def _results(url: str, name: str, findings: list[tuple[str, str, str | None]], *, assessed: bool = True,
             checks: dict[str, dict] | None = None) -> dict:
    return {"schema": 1, "run": {"id": "r"}, "sites": [{
        "name": name, "unit": "办公室", "url": url, "verdict": "合格" if assessed else "无法评估",
        "assessment": {"assessed": assessed, "reasons": [], "missing": [], "resume": None},
        "checks": [{"id": cid, "key": cid, "status": "pass", **c} for cid, c in (checks or {}).items()],
        "findings": [{"check": c, "url": u, "target": t, "severity": "minor", "message": "m", "waived": False,
                      "key": f"{c}|{u}|{t or ''}"} for c, u, t in findings]}]}


def test_recheck_matches_the_site_across_a_port_change_and_an_https_move() -> None:
    old = _results("http://www.x.gov.cn:8080/", "某区人民政府", [
        ("links.broken", "http://www.x.gov.cn:8080/", "http://www.x.gov.cn:8080/a.html"),
        ("links.broken", "http://www.x.gov.cn:8080/", "http://www.x.gov.cn:8080/b.html")])
    new = _results("https://www.x.gov.cn/", "某区人民政府",
                   [("links.broken", "https://www.x.gov.cn/", "https://www.x.gov.cn/a.html")],
                   checks={"links.broken": {}})
    site = compare(old, new)["sites"][0]
    assert site["presence"] == "both"
    assert {k: v for k, v in site["counts"].items() if v} == {"open": 1, "fixed": 1}
    assert [f["match"] for f in site["fixed"]] == ["links.broken|/|/b.html"]
    assert gate_hits(new, "new", old) == []                       # not "new" after the move


def test_recheck_of_a_check_judged_only_partly_claims_no_fix() -> None:
    old = _results("http://www.x.gov.cn/", "某区人民政府", [("links.broken", "http://www.x.gov.cn/p.html",
                                                             "http://www.x.gov.cn/a.html")])
    new = _results("http://www.x.gov.cn/", "某区人民政府", [],
                   checks={"links.broken": {"details": {"partial": "抓取达到上限，只检查了已抓取的页面"}}})
    assert compare(old, new)["sites"][0]["counts"]["unverified"] == 1
    down = _results("http://www.x.gov.cn:9/", "某区人民政府", [("site.reachable", "http://www.x.gov.cn:9/", None)],
                    assessed=False, checks={"links.broken": {"status": "inconclusive"}})
    site = compare(old, down)["sites"][0]
    assert {k: v for k, v in site["counts"].items() if v} == {"new": 1, "unverified": 1}


def test_sites_match_by_identity_name_and_unit_first() -> None:
    old = _results("http://old.x.gov.cn/", "某区人民政府", [("site.search", "http://old.x.gov.cn/", "search_form")])
    new = _results("http://www.x.gov.cn/", "某区人民政府", [], checks={"site.search": {}})
    assert compare(old, new)["sites"][0]["presence"] == "both"
    renamed = _results("http://old.x.gov.cn/", "某区政府门户网站", [], checks={"site.search": {}})
    assert compare(old, renamed)["sites"][0]["presence"] == "both"           # same host and path
    other = _results("http://www.y.gov.cn/", "某县人民政府", [])
    assert [s["presence"] for s in compare(old, other)["sites"]] == ["added", "removed"]


def test_finding_text_for_results_json_uses_the_portable_key(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html"}, failed={SITE + "zwdt/": 404})
    f = run("links.broken", ctx).findings[0]
    assert f.to_dict(SITE)["key"] == "links.broken|/|/zwdt/"
    assert "absent" not in f.to_dict(SITE)
    assert fixture("home.html")
