"""report.annual: which year is due, presence, lateness, the six sections and the 2021 tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from zwgk.checks.annual_report import report_year

from support.sitebuild import FETCHED, SITE, build_site, fixture, run

LIST = "/zwgk/gknb/"
R2025 = "/zwgk/gknb/202603/t20260328_2001.html"
R2024 = "/zwgk/gknb/202503/t20250330_1801.html"


def test_report_year_reads_titles_and_skips_other_annual_things() -> None:
    assert report_year("某区人民政府2025年政府信息公开工作年度报告", in_column=False) == 2025
    assert report_year("2025年度政府信息公开工作年度报告", in_column=False) == 2025
    assert report_year("2025年度报告", in_column=False) is None
    assert report_year("2025年度报告", in_column=True) == 2025
    assert report_year("某区人民政府网站2024年工作年度报表", in_column=True) is None
    assert report_year("关于2025年政府信息公开工作年度报告的解读", in_column=True) is None


def test_complete_report_on_time_passes(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", LIST: "annual_list.html", R2025: "annual_2025.html"})
    result = run("report.annual", ctx)
    assert result.status == "pass", [f.message for f in result.findings]
    assert result.details["required_year"] == 2025
    assert "2026年3月31日" in result.summary and "2025" in result.summary
    assert result.details["report"]["published"] == "2026-03-28"
    assert result.evidence[0]["at"] == FETCHED


def test_late_report_missing_sections_and_table(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", LIST: "annual_list.html", R2025: "annual_2025_partial.html"})
    result = run("report.annual", ctx)
    assert result.status == "fail"
    assert [f.target for f in result.findings] == [
        "2025:逾期发布",
        "2025:五、存在的主要问题及改进情况",
        "2025:六、其他需要报告的事项",        # the nav link with that text does not count
        "2025:表四：政府信息公开行政复议、行政诉讼（结果维持、结果纠正）",
    ]
    late = result.findings[0]
    assert late.url == SITE.rstrip("/") + R2025
    assert late.evidence["seen"].startswith("2026-04-15") and late.evidence["expected"].startswith("2026-03-31")
    assert all({"url", "expected", "seen", "at"} <= set(f.evidence) for f in result.findings)


def test_missing_report_names_the_required_year(tmp_path: Path) -> None:
    # The only report on the site is last year's (the 2025 fixture renamed to 2024); the 年报
    # column lists it alone.
    html = fixture("annual_2025.html")
    listing = "\n".join(line for line in fixture("annual_list.html").splitlines() if "2025年政府信息" not in line)
    ctx = build_site(tmp_path, {"/": "home.html", LIST: listing, R2024: html.replace("2025年", "2024年")})
    result = run("report.annual", ctx)
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [(SITE.rstrip("/") + LIST, "2025")]
    assert "2024年度" in result.findings[0].evidence["seen"]


def test_missing_report_is_unknown_when_the_column_was_not_read(tmp_path: Path) -> None:
    """The homepage links the 年报 column but its list page was never fetched: "未找到年报" would be a
    claim on nothing — inconclusive, naming the column."""
    html = fixture("annual_2025.html")
    ctx = build_site(tmp_path, {"/": "home.html", R2024: html.replace("2025年", "2024年")})
    result = run("report.annual", ctx)
    assert (result.status, result.findings) == ("inconclusive", [])
    assert result.details["missing"] == ["column_list"]
    assert result.details["reason"] == "「政府信息公开年报」栏目页未抓取（抓取完成）"


def test_before_the_deadline_the_year_before_last_is_due(tmp_path: Path) -> None:
    # 15 Feb 2026: the 2025 report is not due until 31 Mar; the 2024 one is listed but not crawled.
    ctx = build_site(tmp_path, {"/": "home.html", LIST: "annual_list.html"}, as_of=date(2026, 2, 15))
    result = run("report.annual", ctx)
    assert result.details["required_year"] == 2024
    assert "未过 2025 年度年报的公布期限" in result.summary
    assert result.status == "inconclusive"          # present, on time by the list date, content unread
    assert result.details["report"]["published"] == "2025-03-30"
    assert not result.findings


def test_department_deadline_is_31_january(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", LIST: "annual_list.html", R2025: "annual_2025.html"},
                     name="某区教育局", as_of=date(2026, 2, 15))
    result = run("report.annual", ctx)
    assert result.details["publisher"] == "department" and result.details["required_year"] == 2025
    # Published 28 March, after the department deadline of 31 January.
    assert [f.target for f in result.findings] == ["2025:逾期发布"]


def test_report_as_attachment_is_inconclusive(tmp_path: Path) -> None:
    html = ('<html><head><title>某区人民政府2025年政府信息公开工作年度报告</title></head><body>'
            '<div class="article"><h1>某区人民政府2025年政府信息公开工作年度报告</h1><p>发布日期：2026-03-20</p>'
            '<p><a href="/zwgk/gknb/W020260320.pdf">某区人民政府2025年政府信息公开工作年度报告.pdf</a></p>'
            '</div></body></html>')
    result = run("report.annual", build_site(tmp_path, {"/": "home.html", R2025: html}))
    assert result.status == "inconclusive" and not result.findings
    assert "附件" in result.summary
