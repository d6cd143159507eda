"""通报.docx: the bulletin in the usual official form, from results.json.

Layout follows the common 党政机关公文 conventions (GB/T 9704): title in 小标宋 二号, body in
仿宋 三号 with fixed 28 pt lines, 一、 headings in 黑体, （一） headings in 楷体, attachments after
a page break. Wording is neutral and countable: numbers and names, no adjectives.

A user template (--docx-template) replaces the look: its styles named below are used as they are,
and whatever it already contains (a letterhead, 红头) stays in front of the text.
"""

from __future__ import annotations

import contextlib
import copy
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from zwgk.reports import view
from zwgk.reports.labels import SEVERITY_LABELS, problem_label
from zwgk.reports.options import ReportOptions
from zwgk.reports.text import clean, cn_date, percent, score_text

# style name → (east-asian font, size pt, bold, alignment, first-line indent in characters)
STYLES: dict[str, tuple[str, float, bool, str, int]] = {
    "Normal": ("仿宋_GB2312", 16, False, "justify", 2),
    "Title": ("方正小标宋简体", 22, False, "center", 0),
    "Heading 1": ("黑体", 16, False, "left", 2),
    "Heading 2": ("楷体_GB2312", 16, False, "left", 2),
    "附件标注": ("黑体", 16, False, "left", 0),
    "附件标题": ("方正小标宋简体", 18, False, "center", 0),
    "表格文字": ("宋体", 10.5, False, "left", 0),
    "落款": ("仿宋_GB2312", 16, False, "right", 0),
}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
CN_NUMS = "一二三四五六七八九十"


def _cn_index(n: int) -> str:
    if n <= 10:
        return CN_NUMS[n - 1]
    if n < 20:
        return "十" + CN_NUMS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMS[tens - 1] + "十" + (CN_NUMS[ones - 1] if ones else "")


def _set_style(doc: DocumentObject, name: str, font: str, size: float, bold: bool, align: str, indent: int) -> None:
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)   # theme fonts would override the names set here
    rfonts.set(qn("w:eastAsia"), font)
    fmt = style.paragraph_format
    fmt.alignment = _ALIGN[align]
    fmt.first_line_indent = Pt(size * indent) if indent else Pt(0)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if name == "表格文字":
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28 if size <= 16 else 36)
    if name.startswith("Heading") or name == "Title":
        fmt.keep_with_next = True


def new_document(template: Path | None) -> DocumentObject:
    """The user's template with its own styles, or a blank document styled as an official 通报.
    Styles a template lacks are added with the defaults, so any .docx works as a template."""
    if template is not None:
        doc = Document(str(template))
        names = {s.name for s in doc.styles}
        for name, spec in STYLES.items():
            if name not in names:
                _set_style(doc, name, *spec)
        return doc
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    for name, spec in STYLES.items():
        _set_style(doc, name, *spec)
    return doc


def _p(doc: DocumentObject, text: str, style: str = "Normal") -> None:
    doc.add_paragraph(clean(text), style=style)


def _table(doc: DocumentObject, header: list[str], rows: list[list[Any]], widths: list[float]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    with contextlib.suppress(KeyError):       # a template without "Table Grid": a plain table
        table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    style = doc.styles["表格文字"]
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        cell.width = Mm(width)
        para = cell.paragraphs[0]
        para.style = style
        para.add_run(text).bold = True
    _repeat_header(table.rows[0])
    # One prototype row (widths, paragraph style) copied per finding: python-docx's add_row() and
    # _Row.cells rescan the whole table on every call, quadratic for a 问题清单 of thousands of rows.
    proto = table.add_row()._tr
    for tc, width in zip(proto.tc_lst, widths, strict=True):
        tc.width = Mm(width)
        tc.p_lst[0].style = style.style_id
    tbl = table._tbl
    tbl.remove(proto)
    for values in rows:
        tr = copy.deepcopy(proto)
        tbl.append(tr)
        for tc, value in zip(tr.tc_lst, values, strict=True):
            tc[-1].add_r().text = clean(value)        # the <w:p> is the cell's last child


def _repeat_header(row: Any) -> None:
    # Long attachment tables span pages; the header row repeats on each (w:tblHeader).
    tr_pr = row._tr.get_or_add_trPr()
    el = tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    tr_pr.append(el)


def _page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _units_of(site: dict[str, Any]) -> str:
    return f"{site.get('unit')}（{site.get('name')}）" if site.get("unit") else str(site.get("name", ""))


def _intro(doc: DocumentObject, results: dict[str, Any], title: str) -> None:
    sites = results.get("sites", [])
    profile = (results.get("profile") or {}).get("title") or "政府网站检查指标"
    ledgers = "、".join(f"《{lg.get('title') or lg.get('id')}》" for lg in results.get("ledgers") or [])
    basis = f"{profile}和{ledgers}" if ledgers else profile
    _p(doc, f"按照{basis}的要求，以{cn_date(results['run'].get('as_of'))}为评估基准日，"
            f"对{len(sites)}个政府网站开展了{title}。现将有关情况通报如下。")


def _inspection(doc: DocumentObject, results: dict[str, Any]) -> None:
    sites = results.get("sites", [])
    doc.add_paragraph("一、检查情况", style="Heading 1")
    pages = sum(int(s.get("crawl", {}).get("pages") or 0) for s in sites)
    attachments = sum(int(s.get("crawl", {}).get("attachments") or 0) for s in sites)
    tasks = sum(int(lg.get("tasks") or 0) for lg in results.get("ledgers") or [])
    check_ids = {c["id"] for s in sites for c in s.get("checks", [])}
    _p(doc, f"本次检查采用自动抓取与逐项核查相结合的方式，共抓取页面{pages}个、附件{attachments}个，"
            f"对照工作台账任务{tasks}项、检查项{len(check_ids)}项进行核查。检查对象为："
            + "、".join(_units_of(s) for s in sites) + "。")
    unassessed = [s for s in sites if s.get("verdict") == "无法评估"]
    if unassessed:
        reasons = [(s.get("scoring") or {}).get("reason") or s.get("crawl", {}).get("detail") or "无法访问"
                   for s in unassessed]
        _p(doc, f"其中{len(unassessed)}个网站未能完成评估：" + "；".join(
            f"{s.get('name')}（{why}）" for s, why in zip(unassessed, reasons, strict=True)) + "。")


def _overall(doc: DocumentObject, results: dict[str, Any]) -> None:
    ov = view.overview(results)
    doc.add_paragraph("二、总体情况", style="Heading 1")
    assessed = ov.verdicts["合格"] + ov.verdicts["不合格"]
    text = (f"完成评估的{assessed}个网站中，合格{ov.verdicts['合格']}个、不合格{ov.verdicts['不合格']}个，"
            f"合格率{percent(ov.pass_rate)}（合格网站数/完成评估网站数）。")
    scored = [s for s in results.get("sites", []) if s.get("score") is not None]
    if scored:
        hi = max(scored, key=lambda s: s["score"])
        lo = min(scored, key=lambda s: s["score"])
        text += (f"平均得分{score_text(ov.mean_score)}分，最高{score_text(hi['score'])}分（{hi.get('name')}），"
                 f"最低{score_text(lo['score'])}分（{lo.get('name')}）。")
    text += f"存在单项否决项的网站{ov.veto_sites}个。"
    _p(doc, text)
    sev = "、".join(f"{SEVERITY_LABELS[k]}{v}个" for k, v in ov.severity.items())
    waived = f"；另有经批准豁免的问题{ov.waived}个，不计入评分" if ov.waived else ""
    _p(doc, f"共发现问题{sum(ov.severity.values())}个，其中{sev}{waived}。")
    t = ov.tasks
    judged = t["fulfilled"] + t["partial"] + t["unfulfilled"]
    _p(doc, f"工作台账任务方面，各网站合计应评任务{judged}项次，已落实{t['fulfilled']}项次、"
            f"部分落实{t['partial']}项次、未落实{t['unfulfilled']}项次，落实率{percent(ov.fulfilment_rate)}；另有未到期{t['not_due']}项次、"
            f"需人工核查{t['manual']}项次、无法判定{t['inconclusive']}项次，不计入落实率。")


def _problems(doc: DocumentObject, results: dict[str, Any]) -> None:
    doc.add_paragraph("三、存在的主要问题", style="Heading 1")
    n = 0
    veto_sites = [s for s in results.get("sites", []) if view.vetoes(s)]
    if veto_sites:
        n += 1
        doc.add_paragraph(f"（{_cn_index(n)}）单项否决问题。", style="Heading 2")
        _p(doc, f"{len(veto_sites)}个网站存在单项否决项：" + "；".join(
            f"{_units_of(s)}：" + "、".join(f"{v.get('title')}（{v.get('basis')}）" for v in view.vetoes(s))
            for s in veto_sites) + "。")
    problems = view.problems(results)
    if not problems and not veto_sites:
        _p(doc, "本次检查未发现问题。")
    for problem in problems:
        n += 1
        doc.add_paragraph(f"（{_cn_index(n)}）{problem_label(problem.check)}。", style="Heading 2")
        where = "；".join(f"{_units_of(site)}{count}处" for site, count in problem.sites)
        basis = f"依据：{problem.basis.rstrip('。；;')}。" if problem.basis else ""
        _p(doc, f"{len(problem.sites)}个网站存在此类问题，共{problem.total}处：{where}。{basis}")


def _requirements(doc: DocumentObject, results: dict[str, Any], options: ReportOptions) -> None:
    doc.add_paragraph("四、下一步工作要求", style="Heading 1")
    deadline = cn_date(options.deadline_for(results))
    receiver = options.issuer or "检查组织单位"
    n = 1
    _p(doc, f"（{_cn_index(n)}）请各责任单位对照附件2问题清单逐项整改，于{deadline}前完成整改，"
            f"并将整改情况报送{receiver}。")
    veto_sites = [s for s in results.get("sites", []) if view.vetoes(s)]
    if veto_sites:
        n += 1
        _p(doc, f"（{_cn_index(n)}）存在单项否决项的" + "、".join(_units_of(s) for s in veto_sites)
           + "应优先整改单项否决问题。")
    manual = sum(view.task_counts(s)["manual"] for s in results.get("sites", []))
    if manual:
        n += 1
        _p(doc, f"（{_cn_index(n)}）工作台账中无法通过网站自动核查的任务{manual}项次，"
                "请牵头单位提供落实材料，逐项核对。")
    unassessed = [s for s in results.get("sites", []) if s.get("verdict") == "无法评估"]
    if unassessed:
        n += 1
        _p(doc, f"（{_cn_index(n)}）" + "、".join(str(s.get("name")) for s in unassessed)
           + "本次未能完成评估，待恢复访问后补充检查。")


def _attachments(doc: DocumentObject, results: dict[str, Any], title: str, options: ReportOptions) -> None:
    _page_break(doc)
    doc.add_paragraph("附件1", style="附件标注")
    doc.add_paragraph(f"{title}得分表", style="附件标题")
    rows = []
    for rank, _i, site in view.ranking(results):
        live = view.live(site)
        vetoes = "、".join(v.get("title", "") for v in view.vetoes(site)) or "无"
        rows.append([rank if rank is not None else "—", site.get("name"), site.get("unit"),
                     score_text(site.get("score")), site.get("verdict"), vetoes,
                     percent((site.get("task_summary") or {}).get("fulfilment_rate")), len(live)])
    _table(doc, ["序号", "网站名称", "责任单位", "得分", "结论", "单项否决项", "任务落实率", "问题数"], rows,
           [12, 32, 32, 14, 16, 26, 18, 14])
    _page_break(doc)
    doc.add_paragraph("附件2", style="附件标注")
    doc.add_paragraph(f"{title}问题清单", style="附件标题")
    deadline = options.deadline_for(results).isoformat()
    rows, n = [], 0
    for site in results.get("sites", []):
        for group in view.finding_groups(site):
            for f in group.findings:
                if f.get("waived"):
                    continue
                n += 1
                rows.append([n, site.get("unit") or site.get("name"), site.get("name"), problem_label(f["check"]),
                             f.get("message"), f.get("url"), deadline])
    _table(doc, ["序号", "责任单位", "网站", "问题类型", "问题描述", "链接", "整改时限"], rows,
           [10, 24, 24, 24, 50, 40, 18])
    _p(doc, "完整问题清单（含证据、依据和整改建议）见《问题清单.xlsx》。", "表格文字")


def write_bulletin(path: Path, results: dict[str, Any], options: ReportOptions | None = None) -> Path:
    options = options or ReportOptions()
    title = results.get("run", {}).get("name") or "政府网站检查"
    doc = new_document(options.docx_template)
    doc.add_paragraph(f"关于{title}情况的通报", style="Title")
    _intro(doc, results, title)
    _inspection(doc, results)
    _overall(doc, results)
    _problems(doc, results)
    _requirements(doc, results, options)
    _p(doc, "附件：1. 得分表")
    _p(doc, "　　　2. 问题清单")
    if options.issuer:
        _p(doc, options.issuer, "落款")
    finished = results.get("run", {}).get("finished") or ""
    _p(doc, cn_date(finished[:10]) if finished else cn_date(date.today()), "落款")
    _attachments(doc, results, title, options)
    doc.core_properties.title = f"关于{title}情况的通报"
    doc.core_properties.author = options.issuer or "zwgk-audit"
    doc.save(str(path))
    return path

