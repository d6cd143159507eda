"""report.annual: last year's 政府信息公开工作年度报告 is published by its deadline, in the 2021 format.

Which year is due depends on the check date: 条例第四十九条 gives government portals until 3月31日
(departments 1月31日) to publish the previous year's report, so before the deadline the year before
last is the one that must be there. Reports are found by title — stored pages, and link anchors
anywhere on the site (a report listed but not crawled still exists) — not only in the 年报 column,
because many portals file them under 法定主动公开 or 通知公告.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.content import (
    cn_date,
    column_pages,
    content_text,
    evidence,
    issue,
    page_title,
    page_url,
    published_on,
    squeeze,
)
from zwgk.checks.context import SiteContext
from zwgk.checks.coverage import Missing, note_missing
from zwgk.checks.registry import check
from zwgk.store import PageRecord

# A title names an annual 政务公开 report when it says 政府信息公开 … 年度报告/年报; inside the 年报
# column a bare "2025年度报告" is enough. 政府网站年度报表 and 政务新媒体 reports are other things.
_STRICT_TITLE = re.compile(r"(?:政府)?信息公开.*?(?:年度报告|年报)|政务公开.*?年度报告")
_LOOSE_TITLE = re.compile(r"年度报告|年报")
_NOT_REPORT = re.compile(r"报表|网站工作|新媒体|企业年报|工作要点|解读|通知|征集|统计表")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_ATTACHMENT = re.compile(r"\.(?:pdf|docx?|wps|ofd|xlsx?)(?:$|\?)", re.I)
_DEPARTMENT_NAME = re.compile(r"(?:局|委员会|委|厅|办公室|办|中心|署|部|院|所|站)$")

# The six parts of the 2021 format (国办公开办函〔2021〕30号), matched by name so "一、", "（一）",
# "1." or no numbering at all read the same; whitespace is removed before matching.
SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一、总体情况", re.compile(r"总体情况")),
    ("二、主动公开政府信息情况", re.compile(r"主动公开(?:政府信息)?(?:的)?情况")),
    ("三、收到和处理政府信息公开申请情况",
     re.compile(r"收到和处理政府信息公开申请|政府信息公开申请(?:的)?(?:办理|处理)情况|依申请公开(?:政府信息)?(?:的)?情况")),
    ("四、政府信息公开行政复议、行政诉讼情况", re.compile(r"行政复议[、，,和及与]*行政诉讼(?:的)?情况")),
    ("五、存在的主要问题及改进情况", re.compile(r"存在(?:的)?主要问题")),
    ("六、其他需要报告的事项", re.compile(r"其他需(?:要)?报告(?:的)?事项")),
)
# Table headings of the 2021 format; each group needs all of its words (first used for 2021 reports).
TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("表二：规章和行政规范性文件（本年制发件数、本年废止件数、现行有效件数）",
     ("本年制发件数", "本年废止件数", "现行有效件数")),
    ("表二：行政许可、行政处罚等处理决定", ("行政许可", "行政处罚")),
    ("表三：收到和处理政府信息公开申请（本年新收、上年结转申请数量）",
     ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量")),
    ("表四：政府信息公开行政复议、行政诉讼（结果维持、结果纠正）", ("行政复议", "行政诉讼", "结果维持", "结果纠正")),
)
FORMAT_2021_FROM = 2021


@dataclass
class Candidate:
    year: int
    title: str
    url: str
    page: PageRecord | None = None           # None: seen only as a link or list row
    published: date | None = None
    published_source: str = ""
    found_on: list[str] = field(default_factory=list)


def publisher_kind(ctx: SiteContext) -> str:
    """'government' (3月31日) or 'department' (1月31日): `checks.annual_report_publisher`, else the name."""
    kind = ctx.options.get("annual_report_publisher")
    if kind in ("government", "department"):
        return str(kind)
    name = squeeze(ctx.site.get("name") or "")
    if not name or name.endswith("政府"):
        return "government"
    return "department" if _DEPARTMENT_NAME.search(name) else "government"


def deadline(ctx: SiteContext, year: int) -> date:
    """The date by which the report for year-1 must be out, in `year`."""
    kind = publisher_kind(ctx)
    default = "03-31" if kind == "government" else "01-31"
    month, day = str(ctx.setting(f"annual_report_deadline_{kind}", default)).split("-")
    return date(year, int(month), int(day))


def required_year(ctx: SiteContext) -> tuple[int, str]:
    """(report year that must exist at as_of, why) — last year's once its deadline has passed."""
    as_of = ctx.as_of
    due = deadline(ctx, as_of.year)
    who = "本级政府" if publisher_kind(ctx) == "government" else "政府部门"
    if as_of > due:
        return as_of.year - 1, (f"检查日 {as_of:%Y-%m-%d} 已过 {as_of.year - 1} 年度年报的公布期限 "
                                f"{cn_date(due)}（{who}，条例第四十九条）")
    return as_of.year - 2, (f"检查日 {as_of:%Y-%m-%d} 未过 {as_of.year - 1} 年度年报的公布期限 "
                            f"{cn_date(due)}（{who}），故要求 {as_of.year - 2} 年度年报")


def report_year(title: str, *, in_column: bool) -> int | None:
    """The report year a title names, or None when the title is not an annual 公开 report."""
    t = squeeze(title)
    if not t or _NOT_REPORT.search(t):
        return None
    if not (_STRICT_TITLE.search(t) or (in_column and _LOOSE_TITLE.search(t))):
        return None
    m = _YEAR.search(t) or _ANY_YEAR.search(t)
    return int(m.group(1)) if m else None


def find_reports(ctx: SiteContext) -> tuple[dict[int, list[Candidate]], list[PageRecord]]:
    """Candidates by report year, and the 年报 column pages they were looked for on."""
    column = column_pages(ctx, "gk.annual_report")
    column_urls = {p.url for p in column}
    by_url: dict[str, Candidate] = {}
    # (a report's title says 年报 or 年度报告: only pages whose title or <meta> could are read)
    for page in ctx.pages_mentioning(("年报", "年度报告"), spaced=True):
        year = report_year(page_title(page), in_column=False)
        if year:
            cand = by_url.setdefault(page_url(page), Candidate(year, page_title(page), page_url(page)))
            cand.page = page
            cand.published, cand.published_source = published_on(ctx, page)
    for page in column:
        for item in ctx.list_page(page).items:
            _add_link(ctx, by_url, item.title, item.url, page.url, in_column=True, listed=item.date)
    # every title a report has contains 报 (年报 / 年度报告): the database drops the other anchors
    for source, link in ctx.iter_links(kinds=("page", "attachment"), anchor_has=("报",)):
        if link.kind in ("page", "attachment"):
            _add_link(ctx, by_url, link.anchor, link.url, source, in_column=source in column_urls, listed=None)
    out: dict[int, list[Candidate]] = {}
    for cand in by_url.values():
        out.setdefault(cand.year, []).append(cand)
    return out, column


def _add_link(ctx: SiteContext, by_url: dict[str, Candidate], title: str, url: str, source: str, *,
              in_column: bool, listed: date | None) -> None:
    year = report_year(title, in_column=in_column)
    if not year:
        return
    rec = ctx.by_url.get(url)
    key = page_url(rec) if rec is not None else url
    cand = by_url.get(key)
    if cand is None:
        cand = by_url[key] = Candidate(year, squeeze(title), key)
        if rec is not None and rec.ok and rec.body is not None and rec.kind == "page":
            cand.page = rec
            cand.published, cand.published_source = published_on(ctx, rec)
    if source not in cand.found_on:
        cand.found_on.append(source)
    if cand.published is None and listed is not None:
        cand.published, cand.published_source = listed, "栏目列表日期"


# --- content ------------------------------------------------------------------------------------


def missing_parts(page: PageRecord, year: int) -> tuple[list[str], list[str], str]:
    """(missing sections, missing table groups, note) of a report page."""
    text = squeeze(content_text(page))
    sections = [name for name, pattern in SECTIONS if not pattern.search(text)]
    tables: list[str] = []
    note = ""
    if year >= FORMAT_2021_FROM:
        tables = [name for name, words in TABLES if not all(w in text for w in words)]
        body = page.body or ""
        if len(tables) == len(TABLES) and "<table" not in body.lower() and "<img" in body.lower():
            # The tables are pictures (scanned forms): unreadable, not absent.
            tables, note = [], "统计表为图片，未能核对表头，需人工查看"
    return sections, tables, note


def _attachment_only(ctx: SiteContext, page: PageRecord, missing: list[str]) -> bool:
    """The report body is a PDF/Word attachment: no section is in the HTML but a document is linked."""
    if len(missing) < len(SECTIONS):
        return False
    return any(link.kind == "attachment" or _ATTACHMENT.search(link.url) for link in ctx.links_of(page))


# --- the check ----------------------------------------------------------------------------------


@check(
    id="report.annual",
    title="按时公布上一年度政府信息公开工作年度报告，内容符合统一格式",
    severity="major",
    needs=("homepage",),
    absence=("column_items:gk.annual_report",),
    basis="《中华人民共和国政府信息公开条例》第四十九条（县级以上人民政府部门每年1月31日前、"
          "县级以上地方人民政府每年3月31日前公布上一年度年报）、第五十条（年报内容）；"
          "《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》"
          "（国办公开办函〔2021〕30号）",
    remediation="在“政府信息公开年报”栏目按期发布上一年度年报，按国办公开办函〔2021〕30号格式完整编写"
                "六部分内容及统计表；已逾期的尽快补发并说明原因。",
)
def annual_report(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    year, why = required_year(ctx)
    due = deadline(ctx, year + 1)
    reports, column = find_reports(ctx)
    home = ctx.home
    anchor_page = column[0] if column else home
    anchor_url = page_url(anchor_page) if anchor_page else ctx.site_url
    details: dict[str, Any] = {"required_year": year, "deadline": due.isoformat(), "reason": why,
                               "publisher": publisher_kind(ctx),
                               "column_pages": [page_url(p) for p in column],
                               "years_found": sorted(reports)}
    candidates = reports.get(year, [])
    if not candidates:
        seen = "、".join(f"{y}年度" for y in sorted(reports)) or "未发现任何年报"
        f = issue(f"未找到{year}年度政府信息公开工作年度报告（应于{cn_date(due)}前公布）", anchor_url,
                    target=str(year), absent=True,
                    ev=evidence(anchor_page, f"{year}年度政府信息公开工作年度报告", f"已发现：{seen}",
                               required_year=year, deadline=due.isoformat()))
        return CheckResult("report.annual", "fail", f"缺少{year}年度年报。{why}", details=details, findings=[f])

    judged = _best(candidates, year, ctx)
    details["report"] = {"title": judged.title, "url": judged.url, "published": _iso(judged.published),
                         "published_source": judged.published_source, "found_on": judged.found_on[:5]}
    findings: list[Finding] = []
    if judged.published and judged.published > due:
        findings.append(issue(
            f"{year}年度年报逾期发布：发布日期 {judged.published:%Y-%m-%d}，晚于公布期限 {due:%Y-%m-%d}",
            judged.url, target=f"{year}:逾期发布",
            ev=evidence(judged.page, f"{due:%Y-%m-%d} 前发布",
                        f"{judged.published:%Y-%m-%d}（{judged.published_source}）",
                        required_year=year, deadline=due.isoformat())))
    ev = [evidence(judged.page, f"{year}年度年报", judged.title)] if judged.page else [
        {"url": judged.url, "expected": f"{year}年度年报", "seen": judged.title, "at": None}]

    if judged.page is None:
        details["content"] = "年报页面未抓取，未核对内容"
        note_missing(details, Missing("document_pages", f"{year}年度年报页面未抓取，未能核对内容"))
        status = "fail" if findings else "inconclusive"
        return CheckResult("report.annual", status, f"已发现{year}年度年报（未抓取正文，内容未核对）。{why}",
                           details=details, findings=findings, evidence=ev)
    sections, tables, note = missing_parts(judged.page, year)
    if _attachment_only(ctx, judged.page, sections):
        details["content"] = "年报正文为附件（PDF/Word），未核对内容"
        status = "fail" if findings else "inconclusive"
        return CheckResult("report.annual", status, f"已发现{year}年度年报，正文为附件，需人工核对内容。{why}",
                           details=details, findings=findings, evidence=ev)
    for name in sections:
        findings.append(issue(f"{year}年度年报缺少“{name}”部分", judged.url, target=f"{year}:{name}",
                              ev=evidence(judged.page, name, "正文未见该部分标题", required_year=year)))
    words = dict(TABLES)
    text = squeeze(content_text(judged.page))
    for name in tables:
        absent = "、".join(w for w in words[name] if w not in text)
        findings.append(issue(f"{year}年度年报缺少统计表“{name}”（2021年格式）", judged.url, target=f"{year}:{name}",
                              ev=evidence(judged.page, "表头：" + "、".join(words[name]), f"正文未见：{absent}",
                                          required_year=year)))
    details.update(missing_sections=sections, missing_tables=tables, note=note)
    if not findings:
        return CheckResult("report.annual", "pass", f"{year}年度年报已按期发布，六部分及统计表齐全。{why}",
                           details=details, evidence=ev)
    return CheckResult("report.annual", "fail", f"{year}年度年报存在 {len(findings)} 个问题。{why}",
                       details=details, findings=findings, evidence=ev)


def _best(candidates: list[Candidate], year: int, ctx: SiteContext) -> Candidate:
    """The report to judge: a crawled page over a bare link, the site's own over a department's,
    then the most complete one (a government column also lists its departments' reports)."""
    name = squeeze(ctx.site.get("name") or "")

    def rank(c: Candidate) -> tuple[int, int, int]:
        complete = 0
        if c.page is not None:
            sections, tables, _ = missing_parts(c.page, year)
            complete = -(len(sections) + len(tables))
        return (c.page is not None, bool(name) and name in c.title, complete)

    return max(candidates, key=rank)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
