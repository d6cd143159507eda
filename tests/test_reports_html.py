"""index.html and sites/<site>.html rendered from stored results: content, escaping, offline-ness."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from zwgk.reports.html import assets
from zwgk.reports.text import safe_url

from support.reportdata import ID_LIKE, XSS_IMG, XSS_TITLE, load, render, visible_text


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(path: Path) -> Tags:
    tags = Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return render(tmp_path_factory.mktemp("demo"), load("demo-run"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return render(tmp_path_factory.mktemp("hostile"), load("hostile-run"))


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_index_lists_every_site_with_score_verdict_and_counts(hostile):
    html = text_of(hostile.index)
    for name, score in (("东岚县人民政府", "62.9"), ("西崖县人民政府", "69.8")):
        assert name in html and score in html
    assert "首页不更新" in html                           # veto item named in the ranking
    assert "合格率" in html and "50.0%" in html          # 1 合格 of 2 assessed; the unassessed ones apart
    assert "台账任务落实率" in html
    ranking = html[html.index('id="ranking-table"'):html.index("</table>", html.index('id="ranking-table"'))]
    # 合格 first: the vetoed 不合格 site comes after it although it has more points
    assert re.findall(r'<tr data-site="([^"]+)">', ranking) == ["www.example-a.gov.cn.html",
                                                                 "www.example-b.gov.cn.html"]
    apart = html[html.index('id="unassessed-table"'):]
    assert re.findall(r'<tr data-site="([^"]+)">', apart) == ["www.example-c.gov.cn.html",
                                                               "www.example-d.gov.cn.html"]
    text = visible_text(apart)
    assert "站点无法访问：连接超时" in text and "抓取被中断（Ctrl-C）" in text
    for link in ("通报.docx", "问题清单.xlsx", "junit.xml", "results.json"):
        assert f'href="{link}"' in html


def test_index_has_three_inline_svg_charts(demo):
    tags = parse(demo.index)
    assert sum(1 for tag, _ in tags.tags if tag == "svg") == 3
    html = text_of(demo.index)
    assert "得分分布" in html and "各检查项通过率" in html and "各部分台账任务落实情况" in html
    assert "links.broken" in html and "一、紧扣“十四五”开好局起好步，进一步深化政务公开" in html


def test_site_page_shows_score_arithmetic_and_rules(demo):
    html = text_of(demo.outdir / "sites" / "www.example-a.gov.cn.html")
    assert "得分 = 100 − 38.1" in html and "61.9" in html
    assert "链接可用性" in html and "−4.3" in html and "2015年普查评分表" in html
    assert "合格线 60 分" in html


def test_site_page_ledger_table_has_every_task_and_its_evidence(demo):
    html = text_of(demo.outdir / "sites" / "www.example-a.gov.cn.html")
    rows = re.findall(r'<tr data-item data-status="(\w+)"', html)
    assert len(rows) == 32 and {"fulfilled", "partial", "unfulfilled", "manual"} <= set(rows)
    assert "区发改局、区市场监管局" in html and "2021年12月10日前" in html
    assert 'href="http://xxgk.example-a.gov.cn/fdzdgk/ghxx/"' in html      # evidence that decided task 1
    assert "请牵头单位提供落实材料" in html                                # manual hint


def test_site_page_groups_findings_by_check_with_basis_and_remediation(demo):
    html = text_of(demo.outdir / "sites" / "www.example-a.gov.cn.html")
    groups = re.findall(r'<section class="fgroup" data-group id="check-([\w.]+)">', html)
    assert len(groups) == len(set(groups)) == 7
    assert "依据：</b>国办秘函〔2019〕19号“链接可用性”" in html
    assert "整改建议：</b>修复或删除不可用链接和附件" in html
    assert len(re.findall(r'<div class="finding[^"]*" id="f-\d+" data-item', html)) == 44


def test_fix_first_is_ordered_by_points_to_regain(demo):
    html = text_of(demo.outdir / "sites" / "www.example-a.gov.cn.html")
    fix = html[html.index('<ol class="fix">'):html.index("</ol>", html.index('<ol class="fix">'))]
    points = [float(p) for p in re.findall(r"可收回 ([\d.]+) 分", fix)]
    assert points == sorted(points, reverse=True) and points[0] == 12


def test_veto_site_puts_veto_first(hostile):
    html = text_of(hostile.outdir / "sites" / "www.example-b.gov.cn.html")
    fix = html[html.index('<ol class="fix">'):]
    assert fix.index("单项否决：首页不更新") < fix.index("必设栏目缺失")
    assert "存在单项否决项，不论得分均为不合格" in html


def test_crawled_text_is_escaped_everywhere(hostile):
    for page in [hostile.index, *hostile.sites]:
        html = text_of(page)
        assert XSS_TITLE not in html and XSS_IMG not in html and "<svg onload" not in html
        assert "<b>信息中心</b>" not in html and "<i>暂不</i>" not in html
    site = text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in site
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in site
    assert "\x07" not in site


def test_only_http_links_and_no_external_resources(hostile):
    for page in [hostile.index, *hostile.sites]:
        tags = parse(page)
        for tag, attrs in tags.tags:
            href = attrs.get("href")
            if href is not None:
                assert safe_url(href) or not re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) or href == "data:,", href
            assert "src" not in attrs, (tag, attrs)                   # nothing is loaded: no img/script src
            assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert [s for s in tags.scripts if s.strip()] == [str(assets().js)]
        html = text_of(page)
        assert 'href="javascript' not in html.lower()
        assert "@import" not in html and "url(" not in html
    site = text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html")
    assert "javascript:alert(3)" in site and "javascript:alert(5)" in site      # shown as text


def test_content_security_policy_allows_only_our_inline_code(hostile):
    html = text_of(hostile.index)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1]
    assert "default-src 'none'" in csp
    assert assets().js_hash in csp and assets().css_hash in csp and "unsafe-inline" not in csp


def test_waived_and_unassessed_are_shown_not_counted(hostile):
    a = text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html")
    assert "已豁免：内网站点" in a and "县政府办公室 张三" in a
    c = text_of(hostile.outdir / "sites" / "www.example-c.gov.cn.html")
    assert "无法评估" in c and "站点无法访问：连接超时" in c and "未发现问题" in c
    assert "栏目列表" in c                                # the missing evidence, by its label
    d = visible_text(text_of(hostile.outdir / "sites" / "www.example-d.gov.cn.html"))
    assert "本次未能完成评估，不评分、不排名" in d and "所列问题不计分" in d
    assert "得分计算" not in d and "zwgk audit --resume runs/20261122-hostile" in d


def test_print_css_present(demo):
    assert "@media print" in str(assets().css)


def test_minimal_design_results_still_render(tmp_path):
    """Only the fields DESIGN §5 promises: every writer renders, missing numbers show as —."""
    minimal = {"schema": 1, "run": {"id": "r1", "as_of": "2026-11-22", "tool_version": "0"},
               "sites": [{"name": "某站", "url": "http://a.gov.cn/", "unit": "", "score": 90, "verdict": "合格",
                          "crawl": {"status": "complete", "pages": 1, "errors": 0, "capped": []},
                          "checks": [{"id": "links.broken", "status": "fail", "severity": "minor", "summary": "1 处"}],
                          "findings": [{"check": "links.broken", "severity": "minor", "message": "坏链",
                                        "url": "http://a.gov.cn/", "evidence": {}, "basis": "", "waived": False,
                                        "key": "links.broken|http://a.gov.cn/|"}],
                          "tasks": [{"id": "t1", "ledger": "l", "number": "1", "title": "任务", "lead_units": [],
                                     "responsible_units": [], "deadline": "2026-12-31", "status": "not_due",
                                     "checks": [], "evidence": [], "manual_hint": ""}]}]}
    paths = render(tmp_path, minimal)
    html = text_of(paths.sites[0])
    assert "坏链" in html and "未到期" in html and "任务落实率 —" in html
    assert all(p.is_file() for p in (paths.index, paths.bulletin, paths.issues, paths.junit))


def test_evidence_screenshots_show_as_thumbnails_linking_to_the_png(tmp_path):
    """A finding with evidence["screenshot"] gets a thumbnail linking to the full PNG, by relative path;
    a path that is not one of the run's screenshots is never linked (results.json may be doctored)."""
    def finding(n: int, path: str, thumb: str) -> dict:
        return {"check": "column.empty", "severity": "major", "message": f"空白栏目{n}", "url": f"http://a.gov.cn/{n}/",
                "target": f"gk.c{n}", "key": f"column.empty|http://a.gov.cn/{n}/|gk.c{n}", "basis": "", "waived": False,
                "evidence": {"url": f"http://a.gov.cn/{n}/", "seen": "没有条目", "at": "2026-11-22T10:00:00+08:00",
                             "screenshot": {"path": path, "thumb": thumb, "at": "2026-11-22T10:05:00+08:00"}}}
    results = {"schema": 1, "run": {"id": "r1", "as_of": "2026-11-22", "tool_version": "0"},
               "sites": [{"name": "某站", "url": "http://a.gov.cn/", "unit": "", "score": 90, "verdict": "合格",
                          "crawl": {"status": "complete", "pages": 1, "errors": 0, "capped": []},
                          "checks": [{"id": "column.empty", "status": "fail", "severity": "major", "summary": "2 个"}],
                          "findings": [finding(1, "screenshots/a.gov.cn/1.png", "screenshots/a.gov.cn/1.thumb.png"),
                                       finding(2, "../../../etc/x.png", "javascript:alert(1)")],
                          "tasks": []}]}
    paths = render(tmp_path, results)
    html = text_of(paths.sites[0])
    tags = parse(paths.sites[0]).tags
    imgs = [a for t, a in tags if t == "img"]
    assert [a["src"] for a in imgs] == ["../screenshots/a.gov.cn/1.thumb.png"]
    assert ("a", {"href": "../screenshots/a.gov.cn/1.png", "title": "打开完整截图"}) in tags
    assert "证据截图 · 2026-11-22 10:05:00 +08:00" in html
    assert "etc/x.png" not in html and "alert(1)" not in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1]
    assert "img-src data: 'self'" in csp          # the run's own files, nothing remote


def test_no_ids_in_visible_text(hostile, tmp_path):
    """Every id is shown by its label: no gk.* column keys, no snake_case codes, no check key with
    params, anywhere a reader looks (technical details included); check ids only in the method
    section's table, where waivers.yaml needs them."""
    old, new = load("hostile-run"), load("hostile-run")
    new["sites"][0]["findings"] = new["sites"][0]["findings"][3:]
    from zwgk.reports.diff import compare

    new["diff"] = compare(old, new)
    paths = render(tmp_path, new)
    for page in [paths.index, *paths.sites, paths.diff]:
        text = visible_text(text_of(page))
        assert not ID_LIKE.search(text), (page.name, ID_LIKE.findall(text)[:10])
        assert not re.search(r"\[column=", text), page.name
    site = visible_text(text_of(paths.outdir / "sites" / "www.example-a.gov.cn.html"))
    assert "policy.interpretation" not in site and "column.missing" not in site
    assert "文件页未链接解读材料" in site and "识别依据：页面元数据" in site


def test_times_in_the_inspection_time_zone(hostile):
    for page in [hostile.index, *hostile.sites]:
        text = visible_text(text_of(page))
        for stamp in re.findall(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2})?\S*(?: [+-]\d{2}:\d{2})?", text):
            assert stamp.endswith("+08:00"), (page.name, stamp)
        assert "+00:00" not in text
    site = visible_text(text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html"))
    assert "2026-11-22 19:08:5" in site                 # 11:08 UTC is 19:08 in Asia/Shanghai


def test_english_error_detail_behind_a_disclosure(hostile):
    html = text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html")
    tech = re.findall(r'<details class="tech"><summary>技术细节</summary><pre>(.*?)</pre>', html, re.S)
    assert any("DNS lookup failed" in t for t in tech)
    outside = re.sub(r'<details class="tech">.*?</details>', "", html, flags=re.S)
    assert "DNS lookup failed" not in visible_text(outside)
    assert "域名无法解析" in visible_text(outside)
    d = text_of(hostile.outdir / "sites" / "www.example-d.gov.cn.html")
    assert "Call log" not in visible_text(re.sub(r'<details class="tech">.*?</details>', "", d, flags=re.S))


def test_mainland_quotes_and_nested_quotes(hostile):
    for page in [hostile.index, *hostile.sites]:
        text = visible_text(text_of(page))
        assert "「" not in text and "」" not in text, page.name
        assert "““" not in text, page.name
    site = visible_text(text_of(hostile.outdir / "sites" / "www.example-a.gov.cn.html"))
    assert "规范表述为“‘一带一路’倡议”" in site
    assert "需人工核实" in site


def test_ledger_table_collapsed_by_section_with_failing_tasks_first(demo):
    html = text_of(demo.outdir / "sites" / "www.example-a.gov.cn.html")
    sections = re.findall(r'<details class="section" data-group>(.*?)</details>', html, re.S)
    assert len(sections) == 5                              # the ledger's five parts, all collapsed
    order = {"unfulfilled": 0, "partial": 1, "inconclusive": 2}
    for section in sections:
        statuses = re.findall(r'<tr data-item data-status="(\w+)"', section)
        ranks = [order.get(s, 9) for s in statuses]
        assert ranks == sorted(ranks), statuses
    assert "一、紧扣“十四五”开好局起好步，进一步深化政务公开" in sections[0]


def test_a_screenshot_is_shown_once_and_referred_to(tmp_path):
    results = load("demo-run")
    site = results["sites"][0]
    homepage = [f for f in site["findings"] if f["check"] == "column.missing"][:3]
    shot = {"path": "screenshots/www.example-a.gov.cn/1.png", "thumb": "screenshots/www.example-a.gov.cn/1.thumb.png",
            "at": "2026-11-22T11:09:30+00:00"}
    for f in homepage:
        f["evidence"]["screenshot"] = dict(shot)
    paths = render(tmp_path, results)
    html = text_of(paths.outdir / "sites" / "www.example-a.gov.cn.html")
    assert html.count('<img src="../screenshots/www.example-a.gov.cn/1.thumb.png"') == 1
    refs = re.findall(r'<div class="shot-ref"><a href="#(f-\d+)">', html)
    assert len(refs) == 2 and len(set(refs)) == 1
    first = re.search(rf'id="{refs[0]}"(.*?)</div>\s*</div>|id="{refs[0]}"', html, re.S)
    assert first is not None
    assert "证据截图 · 2026-11-22 19:09:30 +08:00" in html


def test_without_a_ledger_no_ledger_section(tmp_path):
    results = load("demo-run")
    results["ledgers"] = []
    for site in results["sites"]:
        site["tasks"], site["task_summary"] = [], {"fulfilment_rate": None, "by_status": {}}
    paths = render(tmp_path, results)
    index = visible_text(text_of(paths.index))
    assert "未使用工作台账，仅按全国性检查项评价" in index and "台账任务落实率" not in index
    site = visible_text(text_of(paths.sites[0]))
    assert "工作台账任务落实情况" not in site
