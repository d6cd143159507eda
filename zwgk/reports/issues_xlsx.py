"""问题清单.xlsx: the 整改 workbook. A summary sheet, one sheet per site, a 任务落实 sheet.

A site's sheet is what the unit fills in and sends back: one row per finding with what was found,
where (the full link), the rule and the fix, the deadline as a date, then four columns the unit
fills in (整改情况, 整改完成时间, 责任人, 备注); what was seen and when follows on the right, and a
hidden 问题编号 column lets `zwgk feedback` match a returned workbook to the findings. Printed
landscape, one page wide, the header row on every page, rows tall enough for their wrapped text.

Crawled text is written as text, never as a formula (a page title "=HYPERLINK(...)" must not become a
live link), and only http/https URLs become hyperlinks. Ids are shown by their Chinese labels.
"""

from __future__ import annotations

import math
import re
from copy import copy
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from zwgk.reports import view
from zwgk.reports.labels import (
    DIFF_LABELS,
    SEVERITY_LABELS,
    TASK_STATUS_LABELS,
    problem_label,
    target_label,
    value_text,
)
from zwgk.reports.options import ReportOptions
from zwgk.reports.text import clean, human, parse_time, safe_url, split_technical, zone

KEY_HEADER = "问题编号（请勿修改）"
FILL_IN = ("整改情况", "整改完成时间", "责任人", "备注")      # what the unit writes; read back by feedback.py
ISSUE_COLUMNS: list[tuple[str, float]] = [
    ("序号", 5), ("任务编号", 8), ("问题类型", 14), ("问题描述", 36), ("页面地址", 30), ("依据", 30),
    ("整改建议", 30), ("整改时限", 12), ("状态", 12),
    ("整改情况", 26), ("整改完成时间", 12), ("责任人", 9), ("备注", 14),
    ("严重程度", 8), ("对象", 16), ("实际所见", 30), ("检查时间", 18), ("技术细节", 24), (KEY_HEADER, 20),
]
PRINTED = 13                        # the columns on paper: up to 备注
LINK_COLUMN = [n for n, _ in ISSUE_COLUMNS].index("页面地址")
SUMMARY_COLUMNS: list[tuple[str, float]] = [
    ("排名", 6), ("责任单位", 22), ("网站", 20), ("网址", 30), ("得分", 7), ("结论", 9), ("单项否决项", 16),
    ("任务落实率", 10), ("问题数", 8), ("单项否决级", 9), ("严重", 7), ("一般", 7), ("提示", 7),
    ("疑似表述待核实", 9), ("已豁免", 7),
]
DIFF_COLUMNS: list[tuple[str, float]] = [("新增", 7), ("已整改", 7), ("仍存在", 7), ("未能复查", 8)]
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
UNIT_FILL = PatternFill("solid", fgColor="FFF4CC")        # the columns the unit fills in
TASK_FILLS = {"fulfilled": "E3F1E4", "partial": "FFF0D6", "unfulfilled": "F8D7D7"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")
LINE_PT = 15                        # one wrapped line at the 11 pt default font


class _Styles:
    """Cell styles applied by copying a prepared style array: assigning Alignment/Font objects per
    cell makes openpyxl hash and look them up every time, which dominates large workbooks."""

    def __init__(self, ws: Worksheet) -> None:
        scratch = ws.cell(row=1, column=1)
        saved = copy(scratch._style)
        scratch.alignment = Alignment(vertical="top", wrap_text=True)
        self.text = copy(scratch._style)
        scratch.fill = UNIT_FILL
        self.unit = copy(scratch._style)
        scratch.number_format = 'yyyy"年"m"月"d"日"'
        self.unit_date = copy(scratch._style)
        scratch._style = copy(self.text)
        scratch.font = Font(color="0563C1", underline="single")
        self.link = copy(scratch._style)
        scratch._style = copy(self.text)
        scratch.number_format = 'yyyy"年"m"月"d"日"'
        self.date = copy(scratch._style)
        scratch._style = copy(self.text)
        scratch.number_format = "yyyy-mm-dd hh:mm"
        self.time = copy(scratch._style)
        scratch._style = copy(self.text)
        scratch.number_format = "0.0%"
        self.percent = copy(scratch._style)
        scratch._style = saved


def _put(ws: Worksheet, row: int, col: int, value: Any, style: StyleArray) -> Cell:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str | dict | list):
        cell.value = clean(value)
        cell.data_type = "s"          # openpyxl would treat a leading "=" as a formula
    else:
        cell.value = value
    cell._style = copy(style)
    return cell


def _new_cell(ws: Worksheet, value: Any, style: StyleArray) -> Cell:
    """A cell for ws.append (a whole row at once, no lookups in the sheet's cell table); text stays
    text as in _put."""
    if isinstance(value, str | dict | list):
        cell = Cell(ws, value=clean(value), style_array=style)
        cell.data_type = "s"
        return cell
    return Cell(ws, value=value, style_array=style)


def _issue_style(name: str, value: Any, styles: _Styles, linked: bool) -> StyleArray:
    if name == "页面地址":
        return styles.link if linked else styles.text
    if name in FILL_IN:
        return styles.unit_date if name == "整改完成时间" else styles.unit
    if isinstance(value, datetime):
        return styles.time
    if isinstance(value, date):
        return styles.date
    return styles.text


def _link(ws: Worksheet, row: int, col: int, url: Any, styles: _Styles) -> None:
    target = safe_url(url)
    cell = _put(ws, row, col, url or "", styles.link if target else styles.text)
    if target:
        cell.hyperlink = target


def _header(ws: Worksheet, columns: list[tuple[str, float]], titles: dict[str, str] | None = None) -> None:
    for i, (name, width) in enumerate(columns, 1):
        cell = ws.cell(row=1, column=i, value=(titles or {}).get(name, name))
        cell.font = Font(bold=True)
        cell.fill = UNIT_FILL if name in FILL_IN else HEADER_FILL
        cell.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 2 * LINE_PT
    ws.freeze_panes = "A2"


def _page_setup(ws: Worksheet, last_column: int) -> None:
    """Landscape A4, one page wide, the header row on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(last_column)}{max(ws.max_row, 1)}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.center.text = "&A"


def _width_units(text: str) -> float:
    """Display width in column-width units (a CJK character is about two)."""
    return sum(2.0 if ord(ch) > 0x2e80 else 1.1 for ch in text)


@lru_cache(maxsize=4096)
def _lines(text: str, width: float) -> int:
    """Wrapped lines of `text` in a column `width` wide (the same rule text repeats on every row)."""
    lines = 1
    for part in text.split("\n"):
        lines = max(lines, math.ceil(_width_units(part) / max(width - 1, 1)) or 1)
    return lines


def _fit_rows(ws: Worksheet, first: int, columns: list[tuple[str, float]], upto: int) -> None:
    """Row heights for the wrapped text of the printed columns (Excel does not size them on open)."""
    widths = [w for _, w in columns[:upto]]
    for row in ws.iter_rows(min_row=first, max_col=upto):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if cell.value is None or isinstance(cell.value, int | float | date):
                continue
            lines = max(lines, _lines(str(cell.value), width))
        ws.row_dimensions[row[0].row].height = min(lines, 20) * LINE_PT + 3


def _finish(ws: Worksheet, columns: int, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"


def sheet_names(results: dict[str, Any]) -> list[str]:
    """A worksheet name per site: ≤31 characters, none of []:*?/\\', unique (Excel's rules)."""
    taken = {"汇总", "任务落实"}
    names = []
    for i, site in enumerate(results.get("sites", []), 1):
        base = _SHEET_BAD.sub("", clean(site.get("name")))[:28].strip() or f"网站{i}"
        name, n = base, 2
        while name in taken:
            name, n = f"{base[:26]}-{n}", n + 1
        taken.add(name)
        names.append(name)
    return names


def time_header(results: dict[str, Any]) -> str:
    tz = zone(results)
    if getattr(tz, "key", "") == "Asia/Shanghai":
        return "检查时间（北京时间）"
    offset = datetime.now(tz).strftime("%z")
    return f"检查时间（UTC{offset[:3]}:{offset[3:]}）"


def _status(f: dict[str, Any], marks: dict[str, str], feedback: dict[str, Any]) -> str:
    if f.get("waived"):
        reason = (f.get("waiver") or {}).get("reason")
        return f"已豁免：{human(reason)}" if reason else "已豁免"
    if view.needs_confirmation(f):
        return "待人工核实"
    mark = marks.get(f["key"])
    if mark == "open" and (feedback.get(f["key"]) or {}).get("claimed"):
        return "单位称已整改，复查仍存在"
    return f"{DIFF_LABELS[mark]}，待整改" if mark else "待整改"


def _site_sheet(ws: Worksheet, results: dict[str, Any], site: dict[str, Any], deadline: date) -> None:
    styles = _Styles(ws)
    _header(ws, ISSUE_COLUMNS, {"检查时间": time_header(results)})
    for name, note in (("整改情况", "由整改单位填写：整改措施和结果。"),
                       ("整改完成时间", "由整改单位填写：日期，如 2027-01-05。"),
                       ("责任人", "由整改单位填写。"), ("备注", "由整改单位填写：如申请豁免的理由。")):
        col = [n for n, _ in ISSUE_COLUMNS].index(name) + 1
        ws.cell(row=1, column=col).comment = Comment(note, "整改单位")
    tz = zone(results)
    tasks = view.tasks_for_finding(site)
    marks = view.diff_marks(results, site)
    feedback = ((results.get("diff") or {}).get("feedback") or {}).get("items") or {}
    row = 1
    for group in view.finding_groups(site):
        for f in group.findings:
            row += 1
            ev = f.get("evidence") or {}
            said, detail = split_technical(f.get("message"))
            seen, seen_detail = split_technical(value_text(ev.get("seen")))
            at = parse_time(ev.get("at"), tz)
            values: list[Any] = [
                row - 1, "、".join(tasks.get(f["key"], [])), problem_label(f["check"]), human(said) or human(detail),
                None, human(f.get("basis")), human(f.get("remediation")), deadline, _status(f, marks, feedback),
                None, None, None, None,
                SEVERITY_LABELS.get(f.get("severity", ""), "提示"), target_label(f.get("target")),
                human(seen), at.replace(tzinfo=None) if at else None, "\n".join(x for x in (detail, seen_detail) if x),
                f["key"]]
            target = safe_url(f.get("url"))
            values[LINK_COLUMN] = f.get("url") or ""
            cells = [_new_cell(ws, value, _issue_style(name, value, styles, bool(target)))
                     for (name, _), value in zip(ISSUE_COLUMNS, values, strict=True)]
            ws.append(cells)
            if target:
                cells[LINK_COLUMN].hyperlink = target
    done = [n for n, _ in ISSUE_COLUMNS].index("整改完成时间") + 1
    check = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                           error="请填写日期，如 2027-01-05", errorTitle="整改完成时间", showErrorMessage=True)
    check.add(f"{get_column_letter(done)}2:{get_column_letter(done)}{max(row, 2)}")
    ws.add_data_validation(check)
    ws.column_dimensions[get_column_letter(len(ISSUE_COLUMNS))].hidden = True
    _finish(ws, len(ISSUE_COLUMNS), row)
    _fit_rows(ws, 2, ISSUE_COLUMNS, PRINTED)
    _page_setup(ws, PRINTED)


def _summary_sheet(ws: Worksheet, results: dict[str, Any], names: list[str]) -> None:
    styles = _Styles(ws)
    diff = results.get("diff")
    columns = SUMMARY_COLUMNS + (DIFF_COLUMNS if diff else []) + [("说明", 30), ("工作表", 16)]
    _header(ws, columns)
    ranked = view.ranking(results)
    row = 1
    for part, items in enumerate(([x for x in ranked if x[0] is not None], [x for x in ranked if x[0] is None])):
        if part == 1 and items:                        # sites not assessed: apart, under their own heading
            row += 2
            _put(ws, row, 1, "未能完成评估的网站（不评分、不排名）", styles.text).font = Font(bold=True)
        for rank, i, site in items:
            row += 1
            _summary_row(ws, row, results, site, rank, names[i], styles)
    _finish(ws, len(columns), row)
    _fit_rows(ws, 2, columns, len(columns))
    _page_setup(ws, len(columns))


def _summary_row(ws: Worksheet, row: int, results: dict[str, Any], site: dict[str, Any], rank: int | None,
                 sheet_name: str, styles: _Styles) -> None:
    problems = view.problems_of(site)
    sev = view.severity_counts(problems)
    note = "；".join(human(r) for r in view.assessment(site)["reasons"]) if rank is None else ""
    values: list[Any] = [rank if rank is not None else "—", site.get("unit"), site.get("name"), None,
                         site.get("score"), site.get("verdict"),
                         "、".join(v.get("title", "") for v in view.vetoes(site)) or "无",
                         (site.get("task_summary") or {}).get("fulfilment_rate"), len(problems),
                         sev["veto"], sev["major"], sev["minor"], sev["info"], len(view.suspicions(site)),
                         sum(1 for f in site.get("findings", []) if f.get("waived"))]
    if results.get("diff"):
        counts = (view.diff_for(results, site) or {}).get("counts") or {}
        values += [counts.get("new"), counts.get("fixed"), counts.get("open"), counts.get("unverified")]
    values.append(note)
    for col, value in enumerate(values, 1):
        if col == 4:
            _link(ws, row, col, site.get("url"), styles)
        else:
            _put(ws, row, col, value, styles.percent if col == 8 else styles.text)
    sheet = _put(ws, row, len(values) + 1, sheet_name, styles.link)
    sheet.hyperlink = f"#'{sheet_name}'!A1"      # internal link to the site's sheet


def _task_sheet(ws: Worksheet, results: dict[str, Any]) -> None:
    """Each ledger task with its status on every site (rows: tasks, columns: sites)."""
    sites = results.get("sites", [])
    tasks: dict[str, dict[str, Any]] = {}
    for site in sites:
        for t in site.get("tasks", []):
            tasks.setdefault(str(t.get("id")), t)
    columns = [("编号", 6), ("任务", 50), ("牵头单位", 18), ("完成时限", 14)]
    columns += [(clean(s.get("name")), 12) for s in sites] + [("已落实网站", 10)]
    styles = _Styles(ws)
    _header(ws, columns)
    status = {(s.get("key") or s.get("url"), str(t.get("id"))): t.get("status") for s in sites
              for t in s.get("tasks", [])}
    row = 1
    for task_id, t in tasks.items():
        row += 1
        values = [t.get("number"), t.get("text") or t.get("title"), "、".join(t.get("lead_units") or []),
                  t.get("deadline_text") or t.get("deadline")]
        for col, value in enumerate(values, 1):
            _put(ws, row, col, value, styles.text)
        fulfilled = 0
        for k, site in enumerate(sites):
            st = status.get((site.get("key") or site.get("url"), task_id))
            cell = _put(ws, row, len(values) + k + 1, TASK_STATUS_LABELS.get(st or "", "—"), styles.text)
            if st in TASK_FILLS:
                cell.fill = PatternFill("solid", fgColor=TASK_FILLS[st])
            fulfilled += st == "fulfilled"
        _put(ws, row, len(columns), fulfilled, styles.text)
    _finish(ws, len(columns), row)
    _fit_rows(ws, 2, columns, len(columns))
    _page_setup(ws, len(columns))


def write_issues(path: Path, results: dict[str, Any], options: ReportOptions | None = None) -> Path:
    options = options or ReportOptions()
    deadline = options.deadline_for(results)
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    names = sheet_names(results)
    _summary_sheet(summary, results, names)
    for name, site in zip(names, results.get("sites", []), strict=True):
        _site_sheet(wb.create_sheet(name), results, site, deadline)
    if any(site.get("tasks") for site in results.get("sites", [])):
        _task_sheet(wb.create_sheet("任务落实"), results)
    wb.properties.title = "问题清单"
    wb.properties.creator = options.issuer or "政府网站检查"
    wb.save(str(path))
    return path
