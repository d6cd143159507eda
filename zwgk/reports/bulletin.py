"""通报.docx: the bulletin in 公文 form (GB/T 9704-2012), from results.json.

版头 (发文机关标志 and 发文字号, as {{发文机关}}/{{文号}} placeholders unless given), title, 主送机关,
正文 (一、检查情况 … 四、下一步工作要求), 附件说明, 发文机关署名 and 成文日期, the attachments
(附件1 得分表, 附件2 问题清单) on pages of their own, and the 版记 (抄送, 印发机关和印发日期) at the foot of
the last page; page numbers “— 1 —” (odd pages right, even pages left). A4, 版心 156 × 225 mm,
正文 仿宋 三号 on 28 pt lines, 一、 in 黑体, （一） in 楷体, titles in 小标宋 二号.

The wording is an office's: numbers and names, no adjectives, no tool internals. Where a rule is not
a national one or a value is a local choice, the 评分说明 paragraph says so. Suspected wrong terms are
listed for 人工核实, not as problems. Sites that could not be assessed are listed apart, unscored
and unranked.

A user template (--docx-template) keeps its letterhead and its own styles: every paragraph is
written in a named style (公文标题, 正文, 一级标题 …); a style the template defines is used as it is,
one it lacks is added with the defaults below. Word's built-in Title/Heading styles are never used.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm, Pt

from zwgk.reports import view
from zwgk.reports.docx_parts import (
    ALIGN,
    StyleSpec,
    add_text_run,
    anchor_bottom,
    borders,
    bottom_rule,
    cell_width,
    ensure_style,
    fill_placeholders,
    fit_table,
    keep_with_next,
    no_split,
    page_numbers,
    repeat_header,
    span,
    split_width,
    text_width_twips,
)
from zwgk.reports.labels import SEVERITY_LABELS, problem_label, target_label
from zwgk.reports.options import ReportOptions
from zwgk.reports.text import cn_date, cn_dates, human, local_date, mainland_quotes, percent, score_text, zone
from zwgk.reports.wording import cite

BODY_PT = 16                    # 三号
STYLES: dict[str, StyleSpec] = {
    "发文机关标志": StyleSpec("方正小标宋简体", 30, "center", line=None, color="D00000"),
    "发文字号": StyleSpec("仿宋_GB2312", BODY_PT, "center"),
    "公文标题": StyleSpec("方正小标宋简体", 22, "center", line=36, keep_next=True),
    "主送机关": StyleSpec("仿宋_GB2312", BODY_PT, "left"),
    "正文": StyleSpec("仿宋_GB2312", BODY_PT, "justify", indent=2),
    "一级标题": StyleSpec("黑体", BODY_PT, "justify", indent=2, outline=0, keep_next=True),
    "二级标题": StyleSpec("楷体_GB2312", BODY_PT, "justify", indent=2, outline=1, keep_next=True),
    "附件说明": StyleSpec("仿宋_GB2312", BODY_PT, "left"),
    "发文机关署名": StyleSpec("仿宋_GB2312", BODY_PT, "right"),
    "成文日期": StyleSpec("仿宋_GB2312", BODY_PT, "right"),
    "附件标识": StyleSpec("黑体", BODY_PT, "left"),
    "附件标题": StyleSpec("方正小标宋简体", 22, "center", line=36, keep_next=True),
    "附件注释": StyleSpec("仿宋_GB2312", 12, "left", line=None),
    "表头文字": StyleSpec("黑体", 10.5, "center", line=None),
    "表格小标题": StyleSpec("楷体_GB2312", 10.5, "left", line=None, keep_next=True),
    "表格文字": StyleSpec("宋体", 10.5, "left", line=None),
    "版记": StyleSpec("仿宋_GB2312", 14, "left", line=None),
    "页码": StyleSpec("宋体", 14, "right", line=None),
}
CN_NUMS = "一二三四五六七八九十"
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?")
ZWSP = "\u200b"                 # a line-break opportunity inside a long address


def say(text: Any) -> str:
    """Text as the 通报 prints it: mainland quotes, one date style."""
    return cn_dates(mainland_quotes(text))


def _cn_index(n: int) -> str:
    if n <= 10:
        return CN_NUMS[n - 1]
    if n < 20:
        return "十" + CN_NUMS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMS[tens - 1] + "十" + (CN_NUMS[ones - 1] if ones else "")


def new_document(template: Path | None) -> DocumentObject:
    """The user's template (its letterhead stays in front, its styles win), or a blank A4 document
    with the GB/T 9704 margins (天头 37 mm, 订口 28 mm: a 156 × 225 mm 版心)."""
    doc = Document(str(template)) if template is not None else Document()
    if template is None:
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(22)      # “— 1 —” about 7 mm below the 版心
        section.header_distance = Mm(15)
    for name, spec in STYLES.items():
        ensure_style(doc, name, spec)
    return doc


class Writer:
    """Paragraphs and tables in the document's named styles."""

    def __init__(self, doc: DocumentObject):
        self.doc = doc
        self.width = text_width_twips(doc)
        self.new_page = False
        self._style_ids: dict[str, str | None] = {}

    def _paragraph(self, text: str, style: str) -> Any:
        """doc.add_paragraph(text, style=…) with the style id looked up once per style (python-docx
        searches the styles part for the name and the default style on every call)."""
        if style not in self._style_ids:
            self._style_ids[style] = self.doc.part.get_style_id(self.doc.styles[style], WD_STYLE_TYPE.PARAGRAPH)
        para = self.doc.add_paragraph(text)
        para._p.style = self._style_ids[style]
        return para

    def p(self, text: str = "", style: str = "正文") -> Any:
        para = self._paragraph(say(text), style)
        if self.new_page:           # the attachment starts a page (no empty paragraph left at its top)
            para.paragraph_format.page_break_before = True
            self.new_page = False
        return para

    def blank(self, style: str = "正文") -> None:
        self._paragraph("", style)

    def page_break(self) -> None:
        self.new_page = True

    def table(self, header: list[str], weights: list[float], rows: list[Any]) -> Any:
        """A ruled table filling the text width; a row given as a string spans every column (a
        group heading; ("sub", text): a sub-heading). No row breaks across pages. One prototype
        row is copied per row: python-docx's add_row() rescans the whole table each time,
        quadratic for a long 问题清单."""
        widths = split_width(self.width, weights)
        table = self.doc.add_table(rows=1, cols=len(header))
        fit_table(table, widths)
        borders(table)
        head, body, sub = self.doc.styles["表头文字"], self.doc.styles["表格文字"], self.doc.styles["表格小标题"]
        for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
            cell_width(cell._tc, width)
            para = cell.paragraphs[0]
            para.style = head
            para.add_run(text)
        repeat_header(table.rows[0])
        proto = table.add_row()._tr
        no_split(proto)
        for tc, width in zip(proto.tc_lst, widths, strict=True):
            cell_width(tc, width)
            tc.p_lst[0].style = body.style_id
        tbl = table._tbl
        tbl.remove(proto)
        for values in rows:
            tr = copy.deepcopy(proto)
            tbl.append(tr)
            if isinstance(values, str | tuple):    # a heading row across the table
                first = tr.tc_lst[0]
                for tc in tr.tc_lst[1:]:
                    tr.remove(tc)
                cell_width(first, sum(widths))
                span(first, len(widths))
                first.p_lst[0].style = (sub if isinstance(values, tuple) else head).style_id
                add_text_run(first[-1], say(values[1] if isinstance(values, tuple) else values))
                keep_with_next(first.p_lst[0])
                continue
            for tc, value in zip(tr.tc_lst, values, strict=True):
                text = str(value if value is not None else "")
                add_text_run(tc[-1], text if ZWSP in text else say(text))      # addresses stay as they are
        return table


# --- what the 通报 says ----------------------------------------------------------------------------

def subject(results: dict[str, Any]) -> str:
    """What was inspected, for the title: the run's name, with a host name replaced by the site's
    name or unit ('www.example.gov.cn网站自查' → '东岚县人民政府网站自查')."""
    name = (results.get("run") or {}).get("name") or "政府网站检查"
    if not _HOST.search(name):
        return name
    sites = results.get("sites") or []
    who = ""
    if len(sites) == 1:
        site = sites[0]
        for cand in (site.get("name"), site.get("unit")):
            if cand and not _HOST.fullmatch(str(cand)):
                who = str(cand)
                break
    return re.sub(r"\s+", "", _HOST.sub(who, name)) or "政府网站检查"


def title_of(results: dict[str, Any]) -> str:
    return f"关于{subject(results)}情况的通报"


def _unit(site: dict[str, Any]) -> str:
    return str(site.get("unit") or site.get("name") or "")


def _units_of(site: dict[str, Any]) -> str:
    return f"{site.get('unit')}（{site.get('name')}）" if site.get("unit") else str(site.get("name", ""))


def recipients(results: dict[str, Any], options: ReportOptions) -> str:
    if options.recipients:
        return "、".join(options.recipients)
    units = list(dict.fromkeys(_unit(s) for s in results.get("sites", []) if _unit(s)))
    return "、".join(units) if 0 < len(units) <= 4 else "各有关单位"


def issuer(options: ReportOptions) -> str:
    return options.issuer or "{{发文机关}}"


def signed_on(results: dict[str, Any]) -> date:
    """成文日期: the day the run finished, in the inspection's time zone."""
    run = results.get("run") or {}
    return local_date(run.get("finished"), zone(results)) or date.today()


def reasons_of(site: dict[str, Any]) -> str:
    texts = [human(r) for r in view.assessment(site)["reasons"]]
    texts = [t for t in texts if t]
    return "；".join(texts) or "未能取得评估所需的页面"


def _names(sites: list[dict[str, Any]]) -> str:
    return "、".join(str(s.get("name")) for s in sites)


def _intro(w: Writer, results: dict[str, Any]) -> None:
    sites = results.get("sites", [])
    profile = (results.get("profile") or {}).get("title") or "政府网站检查指标"
    ledgers = "、".join(f"《{lg.get('title') or lg.get('id')}》" for lg in results.get("ledgers") or [])
    basis = f"{profile}和{ledgers}" if ledgers else profile
    who = f"{_names(sites)}网站" if len(sites) <= 3 else f"{len(sites)}个政府网站"
    w.p(f"按照{basis}的要求，以{cn_date(results['run'].get('as_of'))}为评估基准日，对{who}开展检查。"
        "现将检查情况通报如下。")


def scoring_note(results: dict[str, Any]) -> str:
    """评分说明: what decides a verdict, and where a value is a local choice or a rule not national."""
    profile = results.get("profile") or {}
    pass_score = score_text(profile.get("pass_score") or 60)
    rows = [d for s in results.get("sites", []) for d in view.deductions(s)]
    local = any(not d.get("confirmed", True) for d in rows)
    text = (f"评分说明：存在单项否决项的网站判定为不合格；其他问题按项扣分，满分100分，{pass_score}分以下为不合格。"
            "单项否决项按国办秘函〔2019〕19号确定。")
    if local:
        text += "各项扣分分值和扣分上限参照2015年全国政府网站普查评分办法，由本次检查确定，仅用于本次检查评分。"
    uncertain = sorted({problem_label(f["check"]) for s in results.get("sites", []) for f in view.problems_of(s)
                        if cite(f.get("basis")).uncertain})
    if uncertain:
        text += ("、".join(uncertain) + "等项目尚无全国统一的具体标准，本次按相关工作要求和通行做法检查，"
                 "所列问题供对照整改。")
    return text


def _inspection(w: Writer, results: dict[str, Any]) -> None:
    sites = results.get("sites", [])
    w.p("一、检查情况", "一级标题")
    pages = sum(int(s.get("crawl", {}).get("pages") or 0) for s in sites)
    attachments = sum(int(s.get("crawl", {}).get("attachments") or 0) for s in sites)
    tasks = sum(int(lg.get("tasks") or 0) for lg in results.get("ledgers") or [])
    check_ids = {c["id"] for s in sites for c in s.get("checks", [])}
    against = f"对照工作台账任务{tasks}项、检查项{len(check_ids)}项" if tasks else f"对照检查项{len(check_ids)}项"
    w.p(f"本次检查采用网站页面抓取与逐项核查相结合的方式，共抓取页面{pages}个、附件{attachments}个，"
        f"{against}进行核查。检查对象为：" + "、".join(_units_of(s) for s in sites) + "。")
    unassessed = view.unassessed(results)
    if unassessed:
        w.p(f"其中{len(unassessed)}个网站本次未能完成评估，不评分、不排名：" + "；".join(
            f"{s.get('name')}（{reasons_of(s)}）" for s in unassessed) + "。")
    w.p(scoring_note(results))


def _overall(w: Writer, results: dict[str, Any]) -> None:
    ov = view.overview(results)
    sites = results.get("sites", [])
    w.p("二、总体情况", "一级标题")
    assessed = ov.verdicts["合格"] + ov.verdicts["不合格"]
    text = (f"完成评估的{assessed}个网站中，合格{ov.verdicts['合格']}个、不合格{ov.verdicts['不合格']}个，"
            f"合格率{percent(ov.pass_rate)}（合格网站数/完成评估网站数）。")
    passed = [s for s in sites if view.assessed(s) and s.get("verdict") == "合格"]
    if passed:
        hi = max(passed, key=lambda s: s["score"])
        lo = min(passed, key=lambda s: s["score"])
        text += f"合格网站中，得分最高的是{hi.get('name')}（{score_text(hi['score'])}分）"
        text += f"，最低的是{lo.get('name')}（{score_text(lo['score'])}分）。" if lo is not hi else "。"
    vetoed = [s for s in sites if view.assessed(s) and view.vetoes(s)]
    if vetoed:
        text += f"{len(vetoed)}个网站因存在单项否决项判定为不合格：{_names(vetoed)}。"
    w.p(text)
    sev = "、".join(f"{SEVERITY_LABELS[k]}{v}个" for k, v in ov.severity.items() if v)
    extra = f"；另有经批准豁免的问题{ov.waived}个，不计入评分" if ov.waived else ""
    total = sum(ov.severity.values())
    text = f"共发现问题{total}个" + (f"，其中{sev}" if sev else "") + f"{extra}。"
    if ov.suspected:
        text += f"另发现疑似错误表述{ov.suspected}处，需人工核实，未列入问题数。"
    w.p(text)
    if results.get("ledgers"):
        t = ov.tasks
        judged = t["fulfilled"] + t["partial"] + t["unfulfilled"]
        w.p(f"工作台账任务方面，各网站合计应评任务{judged}项次，已落实{t['fulfilled']}项次、部分落实{t['partial']}项次、"
            f"未落实{t['unfulfilled']}项次，落实率{percent(ov.fulfilment_rate)}；另有未到期{t['not_due']}项次、"
            f"需人工核查{t['manual']}项次、无法判定{t['inconclusive']}项次，不计入落实率。")


def _columns_named(problem: view.Problem, results: dict[str, Any]) -> str:
    """For column problems: the columns concerned, most frequent first (at most five)."""
    counts: dict[str, int] = {}
    for site in results.get("sites", []):
        for f in view.problems_of(site):
            target = str(f.get("target") or "")
            if f["check"] == problem.check and target.startswith("gk."):
                counts[target] = counts.get(target, 0) + 1
    if not counts:
        return ""
    names = [target_label(k) for k, _ in sorted(counts.items(), key=lambda kv: -kv[1])]
    more = "等" if len(names) > 5 else ""
    return "涉及" + "".join(f"“{n}”" for n in names[:5]) + f"{more}栏目。"


def _problems(w: Writer, results: dict[str, Any]) -> None:
    w.p("三、存在的主要问题", "一级标题")
    n = 0
    veto_sites = [s for s in results.get("sites", []) if view.vetoes(s)]
    if veto_sites:
        n += 1
        w.p(f"（{_cn_index(n)}）单项否决问题。", "二级标题")
        parts = []
        for s in veto_sites:
            items = "、".join(f"{v.get('title')}（{v.get('basis')}）" if v.get("basis") else str(v.get("title"))
                              for v in view.vetoes(s))
            parts.append(f"{_units_of(s)}：{items}")
        w.p(f"{len(veto_sites)}个网站存在单项否决项。" + "；".join(parts) + "。")
    problems = view.problems(results)
    if not problems and not veto_sites:
        w.p("本次检查未发现问题。")
    for problem in problems:
        n += 1
        w.p(f"（{_cn_index(n)}）{problem_label(problem.check)}。", "二级标题")
        where = "；".join(f"{_units_of(site)}{count}处" for site, count in problem.sites)
        citation = cite(problem.basis, ledger=bool(results.get("ledgers"))).text
        basis = f"依据：{citation.rstrip('。；;')}。" if citation else ""
        w.p(f"{len(problem.sites)}个网站存在此类问题，共{problem.total}处：{where}。"
            + _columns_named(problem, results) + basis)
    suspected = [(s, view.suspicions(s)) for s in results.get("sites", [])]
    suspected = [(s, fs) for s, fs in suspected if fs]
    if suspected:
        where = "；".join(f"{_units_of(s)}{len(fs)}处" for s, fs in suspected)
        w.p(f"此外，检查发现网站页面存在疑似错误表述{sum(len(fs) for _, fs in suspected)}处（{where}，"
            "详见附件2）。是否属于错误表述需结合上下文人工核实，核实前不认定为问题。")


def _requirements(w: Writer, results: dict[str, Any], options: ReportOptions) -> None:
    w.p("四、下一步工作要求", "一级标题")
    deadline = cn_date(options.deadline_for(results))
    receiver = options.issuer or "检查组织单位"
    items = [f"请各责任单位对照附件2问题清单逐项整改，于{deadline}前完成整改，并将整改情况报送{receiver}。"]
    veto_sites = [s for s in results.get("sites", []) if view.vetoes(s)]
    if veto_sites:
        items.append("存在单项否决项的" + "、".join(_units_of(s) for s in veto_sites) + "应优先整改单项否决问题。")
    if any(view.suspicions(s) for s in results.get("sites", [])):
        items.append("请相关单位对附件2所列疑似错误表述逐条核实，确属错误的及时更正。")
    manual = sum(view.task_counts(s)["manual"] for s in results.get("sites", [])) if results.get("ledgers") else 0
    if manual:
        items.append(f"工作台账中无法通过网站核查的任务{manual}项次，请牵头单位提供落实材料，逐项核对。")
    unassessed = view.unassessed(results)
    if unassessed:
        items.append(f"{_names(unassessed)}本次未能完成评估，待网站恢复访问后补充检查。")
    for n, text in enumerate(items, 1):
        w.p(f"（{_cn_index(n)}）{text}")


def _attachment_note(w: Writer, names: list[str]) -> None:
    """附件说明: '附件：1．…' two characters in, later names aligned under the first name."""
    w.blank()
    for n, name in enumerate(names, 1):
        para = w.p(("附件：" if n == 1 else "") + f"{n}．{name}", "附件说明")
        fmt = para.paragraph_format
        fmt.left_indent = Pt(BODY_PT * 5)                       # 2 characters + “附件：”
        fmt.first_line_indent = Pt(-BODY_PT * 3) if n == 1 else Pt(0)


def _signature(w: Writer, results: dict[str, Any], options: ReportOptions) -> None:
    """发文机关署名 centred over the 成文日期, which is four characters in from the right."""
    signed = cn_date(signed_on(results))
    name = issuer(options)
    w.blank()
    w.blank()
    width = sum(1 if _is_wide(ch) else 0.5 for ch in signed)
    name_width = sum(1 if _is_wide(ch) else 0.5 for ch in name)
    para = w.p(name, "发文机关署名")
    para.paragraph_format.right_indent = Pt(BODY_PT * max(0.0, 4 + (width - name_width) / 2))
    para = w.p(signed, "成文日期")
    para.paragraph_format.right_indent = Pt(BODY_PT * 4)


def _is_wide(ch: str) -> bool:
    return ord(ch) > 0x2e80


def site_path(url: Any, site: dict[str, Any]) -> str:
    """An address as the 通报 prints it: the path within the site (its own host,
    or a subdomain of the site's domain; other hosts keep their name), with break opportunities
    after each '/'. The full link is in 问题清单.xlsx."""
    text = str(url or "")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return text
    home = (urlsplit(str(site.get("url") or "")).hostname or "").lower()
    host = parts.hostname.lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    domain = home.split(".", 1)[1] if home.count(".") >= 2 else home      # www.x.gov.cn → x.gov.cn
    own = host == home or host.endswith("." + domain)                      # xxgk.x.gov.cn is the site's
    shown = path if own else host.removeprefix("www.") + path
    return shown.replace("/", "/" + ZWSP).rstrip(ZWSP)


def _score_table(w: Writer, results: dict[str, Any], name: str) -> None:
    w.page_break()
    w.p("附件1", "附件标识")
    w.blank()
    w.p(name, "附件标题")
    w.blank("附件注释")
    tasks = bool(results.get("ledgers"))
    rows: list[list[Any] | str] = []
    for rank, _i, site in view.ranking(results):
        if rank is None:
            continue
        vetoes = "、".join(v.get("title", "") for v in view.vetoes(site)) or "无"
        row = [rank, site.get("name"), site.get("unit"), score_text(site.get("score")), site.get("verdict"), vetoes]
        if tasks:
            row.append(percent((site.get("task_summary") or {}).get("fulfilment_rate")))
        row.append(len(view.problems_of(site)))
        rows.append(row)
    rate = ["任务落实率"] if tasks else []
    header = ["排名", "网站名称", "责任单位", "得分", "结论", "单项否决项", *rate, "问题数"]
    weights = [12, 27, 27, 13, 15, 22, *([23] if tasks else []), 15]
    w.table(header, weights, rows)
    unassessed = view.unassessed(results)
    if unassessed:
        w.blank("附件注释")
        w.p("未能完成评估的网站（不评分、不排名）：", "附件注释")
        w.table(["序号", "网站名称", "责任单位", "原因"], [12, 30, 30, 84],
                [[n, s.get("name"), s.get("unit"), reasons_of(s)] for n, s in enumerate(unassessed, 1)])


def _issue_table(w: Writer, results: dict[str, Any], name: str, options: ReportOptions) -> None:
    w.page_break()
    w.p("附件2", "附件标识")
    w.blank()
    w.p(name, "附件标题")
    w.blank("附件注释")
    w.p(f"整改时限：{cn_date(options.deadline_for(results))}前。“页面”为问题所在页面在网站内的路径，"
        "完整链接见《问题清单》电子表格。", "附件注释")
    rows: list[list[Any] | str] = []
    n = 0
    for _rank, _i, site in view.ranking(results):
        groups = [(g, [f for f in g.findings if not f.get("waived") and not view.needs_confirmation(f)])
                  for g in view.finding_groups(site)]
        groups = [(g, fs) for g, fs in groups if fs]
        if not groups:
            continue
        note = "（未完成评估，以下为已发现的问题）" if not view.assessed(site) else ""
        rows.append(f"{_units_of(site)}：{sum(len(fs) for _, fs in groups)}个问题{note}")
        for k, (g, found) in enumerate(groups, 1):
            rows.append(("sub", f"（{_cn_index(k)}）{problem_label(g.check)}（{len(found)}处）"))
            for f in found:
                n += 1
                rows.append([n, human(f.get("message")), site_path(f.get("url"), site)])
    if rows:
        w.table(["序号", "问题描述", "页面（站内路径）"], [12, 90, 54], rows)
    else:
        w.p("本次检查未发现问题。", "附件注释")
    suspected = [(site, f) for _r, _i, site in view.ranking(results) for f in view.suspicions(site)]
    if suspected:
        w.blank("附件注释")
        w.p("需人工核实的疑似错误表述（核实前不认定为问题）：", "附件注释")
        w.table(["序号", "网站", "疑似表述", "规范表述", "页面（站内路径）"], [12, 34, 28, 28, 54],
                [[k, s.get("name"), (f.get("evidence") or {}).get("term") or f.get("target"),
                  (f.get("evidence") or {}).get("correct") or "", site_path(f.get("url"), s)]
                 for k, (s, f) in enumerate(suspected, 1)])


def _record(w: Writer, results: dict[str, Any], options: ReportOptions) -> None:
    """版记 at the foot of the last page: 抄送 (when given), 印发机关 and 印发日期, between rules
    (first and last 0.35 mm, the one between 0.25 mm)."""
    rows: list[list[Any] | str] = []
    if options.copies_to:
        rows.append("抄送：" + "，".join(options.copies_to) + "。")
    rows.append([issuer(options), f"{cn_date(signed_on(results))}印发"])
    w.blank("版记")                                      # the table must not follow another table directly
    widths = split_width(w.width - 240, [1, 1])    # LibreOffice floats a table only if it is narrower
    table = w.doc.add_table(rows=len(rows), cols=2)
    fit_table(table, widths)
    borders(table, outer=0, inner=6, vertical=False, top=8, bottom=8)
    style = w.doc.styles["版记"]
    for row, values in zip(table.rows, rows, strict=True):
        cells = row.cells
        for cell, width in zip(cells, widths, strict=True):
            cell_width(cell._tc, width)
            cell.paragraphs[0].style = style
        if isinstance(values, str):
            merged = cells[0].merge(cells[1])
            merged.paragraphs[0].style = style
            merged.paragraphs[0].paragraph_format.left_indent = Pt(14)
            merged.paragraphs[0].add_run(say(values))
            continue
        left, right = cells[0].paragraphs[0], cells[1].paragraphs[0]
        left.paragraph_format.left_indent = Pt(14)
        left.add_run(values[0])
        right.alignment = ALIGN["right"]
        right.paragraph_format.right_indent = Pt(14)
        right.add_run(values[1])
    anchor_bottom(w.doc, table, 420 * len(rows))        # a 14 pt line with its cell padding per row
    w.doc.add_paragraph(style=w.doc.styles["版记"])     # a floating table needs a paragraph after it


def write_bulletin(path: Path, results: dict[str, Any], options: ReportOptions | None = None) -> Path:
    options = options or ReportOptions()
    doc = new_document(options.docx_template)
    w = Writer(doc)
    values = {"发文机关": options.issuer, "文号": options.doc_number, "标题": title_of(results)}
    if options.docx_template is None:
        w.p(issuer(options), "发文机关标志")
        w.blank()
        w.p(options.doc_number or "{{文号}}", "发文字号")
        bottom_rule(doc.paragraphs[-1], "D00000")
        w.blank()
    else:
        fill_placeholders(doc, values)
    w.p(title_of(results), "公文标题")
    w.blank()
    w.p(recipients(results, options) + "：", "主送机关")
    _intro(w, results)
    _inspection(w, results)
    _overall(w, results)
    _problems(w, results)
    _requirements(w, results, options)
    name = subject(results)
    attachments = [f"{name}得分表", f"{name}问题清单"]
    _attachment_note(w, attachments)
    _signature(w, results, options)
    _score_table(w, results, attachments[0])
    _issue_table(w, results, attachments[1], options)
    _record(w, results, options)
    page_numbers(doc, "页码", BODY_PT)
    doc.core_properties.title = title_of(results)
    doc.core_properties.author = options.issuer or ""
    doc.core_properties.comments = ""
    doc.save(str(path))
    return path
