"""问题清单.xlsx: one row per finding, one sheet per site plus a summary sheet (filters, frozen header).

For the unit that fixes its site: the first ten columns are the ones a 整改台账 asks for; the
evidence (what was seen, when) follows on the right. Crawled text is written as text, never as a
formula (a page title "=HYPERLINK(...)" must not become a live link), and only http/https URLs
become hyperlinks.
"""

from __future__ import annotations

import re
from copy import copy
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zwgk.reports import view
from zwgk.reports.labels import DIFF_LABELS, SEVERITY_LABELS, problem_label
from zwgk.reports.options import ReportOptions
from zwgk.reports.text import clean, safe_url

ISSUE_COLUMNS: list[tuple[str, float]] = [
    ("单位", 22), ("网站", 20), ("任务编号", 10), ("问题类型", 20), ("问题描述", 48), ("链接", 40), ("依据", 40),
    ("整改建议", 40), ("整改时限", 12), ("状态", 14),
    ("严重程度", 10), ("检查项", 18), ("对象", 30), ("实际所见", 36), ("检查时间", 20),
]
SUMMARY_COLUMNS: list[tuple[str, float]] = [
    ("排名", 6), ("单位", 24), ("网站", 22), ("网址", 32), ("得分", 8), ("结论", 10), ("单项否决项", 20),
    ("任务落实率", 11), ("问题数", 8), ("单项否决级", 10), ("严重", 8), ("一般", 8), ("提示", 8), ("已豁免", 8),
]
DIFF_COLUMNS: list[tuple[str, float]] = [("新增", 8), ("已整改", 8), ("仍存在", 8)]
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


class _Styles:
    """Cell styles applied by copying a prepared style array: assigning Alignment/Font objects per
    cell makes openpyxl hash and look them up every time, which dominates large workbooks."""

    def __init__(self, ws: Worksheet) -> None:
        scratch = ws.cell(row=1, column=1)
        saved = copy(scratch._style)
        scratch.alignment = Alignment(vertical="top", wrap_text=True)
        self.text = copy(scratch._style)
        scratch.font = Font(color="0563C1", underline="single")
        self.link = copy(scratch._style)
        scratch._style = copy(self.text)
        scratch.number_format = "yyyy-mm-dd"
        self.date = copy(scratch._style)
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


def _link(ws: Worksheet, row: int, col: int, url: Any, styles: _Styles) -> None:
    target = safe_url(url)
    cell = _put(ws, row, col, url or "", styles.link if target else styles.text)
    if target:
        cell.hyperlink = target


def _header(ws: Worksheet, columns: list[tuple[str, float]]) -> None:
    for i, (name, width) in enumerate(columns, 1):
        cell = ws.cell(row=1, column=i, value=name)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def _finish(ws: Worksheet, columns: int, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"


def sheet_names(results: dict[str, Any]) -> list[str]:
    """A worksheet name per site: ≤31 characters, none of []:*?/\\', unique (Excel's rules)."""
    taken = {"汇总"}
    names = []
    for i, site in enumerate(results.get("sites", []), 1):
        base = _SHEET_BAD.sub("", clean(site.get("name")))[:28].strip() or f"网站{i}"
        name, n = base, 2
        while name in taken:
            name, n = f"{base[:26]}-{n}", n + 1
        taken.add(name)
        names.append(name)
    return names


def _status(f: dict[str, Any], marks: dict[str, str]) -> str:
    if f.get("waived"):
        reason = (f.get("waiver") or {}).get("reason")
        return f"已豁免：{reason}" if reason else "已豁免"
    mark = marks.get(f["key"])
    return f"{DIFF_LABELS[mark]}，待整改" if mark else "待整改"


def _site_sheet(ws: Worksheet, results: dict[str, Any], site: dict[str, Any], deadline: date) -> None:
    styles = _Styles(ws)
    _header(ws, ISSUE_COLUMNS)
    tasks = view.tasks_for_finding(site)
    marks = view.diff_marks(results, site)
    row = 1
    for group in view.finding_groups(site):
        for f in group.findings:
            row += 1
            ev = f.get("evidence") or {}
            values = [site.get("unit") or site.get("name"), site.get("name"), "、".join(tasks.get(f["key"], [])),
                      problem_label(f["check"]), f.get("message"), None, f.get("basis"), f.get("remediation"),
                      deadline, _status(f, marks), SEVERITY_LABELS.get(f.get("severity", ""), f.get("severity")),
                      f["check"], f.get("target") or "", ev.get("seen", ""), ev.get("at", "")]
            for col, value in enumerate(values, 1):
                if col == 6:
                    _link(ws, row, col, f.get("url"), styles)
                else:
                    _put(ws, row, col, value, styles.date if isinstance(value, date) else styles.text)
    _finish(ws, len(ISSUE_COLUMNS), row)


def _summary_sheet(ws: Worksheet, results: dict[str, Any], names: list[str]) -> None:
    styles = _Styles(ws)
    columns = SUMMARY_COLUMNS + (DIFF_COLUMNS if results.get("diff") else []) + [("工作表", 22)]
    _header(ws, columns)
    row = 1
    for rank, i, site in view.ranking(results):
        row += 1
        live = view.live(site)
        sev = view.severity_counts(live)
        values: list[Any] = [rank if rank is not None else "—", site.get("unit"), site.get("name"), None,
                             site.get("score"), site.get("verdict"),
                             "、".join(v.get("title", "") for v in view.vetoes(site)) or "无",
                             (site.get("task_summary") or {}).get("fulfilment_rate"), len(live),
                             sev["veto"], sev["major"], sev["minor"], sev["info"],
                             sum(1 for f in site.get("findings", []) if f.get("waived"))]
        if results.get("diff"):
            counts = (view.diff_for(results, site) or {}).get("counts") or {}
            values += [counts.get("new"), counts.get("fixed"), counts.get("open")]
        for col, value in enumerate(values, 1):
            if col == 4:
                _link(ws, row, col, site.get("url"), styles)
            else:
                _put(ws, row, col, value, styles.percent if col == 8 else styles.text)
        sheet = _put(ws, row, len(values) + 1, names[i], styles.link)
        sheet.hyperlink = f"#'{names[i]}'!A1"      # internal link to the site's sheet
    _finish(ws, len(columns), row)


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
    wb.properties.title = "问题清单"
    wb.properties.creator = options.issuer or "zwgk-audit"
    wb.save(str(path))
    return path
