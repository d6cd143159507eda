"""guide.content: the 政府信息公开指南 elements, read from the guide (and 依申请公开) pages only."""

from __future__ import annotations

from pathlib import Path

from support.sitebuild import FETCHED, SITE, build_site, run

GUIDE = "/zwgk/gkzn/202301/t20230105_500.html"


def test_complete_guide_passes(tmp_path: Path) -> None:
    result = run("guide.content", build_site(tmp_path, {"/": "home.html", GUIDE: "guide.html"}))
    assert result.status == "pass", [f.message for f in result.findings]
    assert set(result.details["elements"]) == {"主动公开", "依申请公开渠道", "受理机构及联系方式", "办理时限",
                                               "信息处理费", "救济方式"}
    assert result.details["elements"]["依申请公开渠道"]["seen"] == "在线/网上、信函、当面"


def test_partial_guide_one_finding_per_missing_element(tmp_path: Path) -> None:
    # The page's navigation links 行政复议 and 收费标准: menu words are not the guide's content.
    result = run("guide.content", build_site(tmp_path, {"/": "home.html", GUIDE: "guide_partial.html"}))
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [
        (SITE.rstrip("/") + GUIDE, "信息处理费"), (SITE.rstrip("/") + GUIDE, "救济方式")]
    f = result.findings[0]
    assert f.evidence["at"] == FETCHED and "第四十二条" in f.evidence["expected"]


def test_elements_on_the_apply_page_count(tmp_path: Path) -> None:
    apply_page = ('<html><head><title>依申请公开_某镇人民政府</title></head><body><div class="article">'
                  '<p>申请人申请公开政府信息的，行政机关不收取费用。</p>'
                  '<p>申请人认为行政机关侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。</p>'
                  '</div></body></html>')
    ctx = build_site(tmp_path, {"/": "home.html", GUIDE: "guide_partial.html", "/zwgk/ysqgk/": apply_page})
    result = run("guide.content", ctx)
    assert result.status == "pass", [f.message for f in result.findings]
    assert result.details["elements"]["救济方式"]["url"] == SITE + "zwgk/ysqgk/"


OTHER_GUIDE = '<html><head><title>户籍办理办事指南</title></head><body><p>20个工作日</p></body></html>'


def test_no_guide_fails_once(tmp_path: Path) -> None:
    # A 办事指南 is not the 政府信息公开指南; the menu's 政府信息公开指南 link answers 404.
    ctx = build_site(tmp_path, {"/": "home.html", "/bszn/1.html": OTHER_GUIDE},
                     failed={SITE + "zwgk/gkzn/": 404})
    result = run("guide.content", ctx)
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [(SITE, "指南")]


def test_a_guide_the_menu_names_but_no_page_was_read_is_unknown(tmp_path: Path) -> None:
    """The homepage's menu links 政府信息公开指南 (/zwgk/gkzn/) but the crawl holds no record of that page:
    its content cannot be judged (无法判定), and "no guide" would be a false finding."""
    result = run("guide.content", build_site(tmp_path, {"/": "home.html", "/bszn/1.html": OTHER_GUIDE}))
    assert result.status == "inconclusive" and not result.findings
    assert result.details["missing"] == ["column_list"]
