"""A table flattened into paragraphs, one paragraph per cell line (通辽's 附件 台账 as a web page).

The header labels stand alone on consecutive lines (任务名称 / 具体任务 / 责任单位 / 完成时限);
everything before them (the 要点 prose, the cover letter) is not read for tasks: when a document
has both a prose 要点 and its 台账, the 台账 is the ledger (it has the units and deadlines, and the
prose would only duplicate its tasks).

Below the header, cells have no separators, so each paragraph is read by what it is:
- "一、…" / "(一)…": section headings (merged 任务名称 cells, repeated at page breaks);
- "N.…": a task's wording, starting a new task;
- a short deadline ("2021年12月底", "全年持续推进", "适时推进"): the task's deadline;
- anything else: the task's unit cell. Unit lines are wrapped, not separated ("市旗两级政务
  服务(行政" / "审批和政务服务)部门"), so they are joined as they are; the separators that matter
  are in the text (、;,).
A whitespace-only paragraph is an empty cell: it ends a unit cell, so a merged cell printed twice
(通辽 #28) reads as the same cell twice, not as one doubled name. Web-page chrome after the table
("信息来源:…", "首页") ends it.
"""

from __future__ import annotations

import re

from zwgk.rules.ledger.dates import parse_deadline
from zwgk.rules.ledger.layout import Cell, Layout, label_role
from zwgk.rules.ledger.source import TableSource
from zwgk.rules.ledger.textnorm import heading_level, split_number
from zwgk.rules.ledger.units import UNIT_END_CHARS

_CHROME = re.compile(r"^(信息来源|来源[:：]|首页|发布日期|浏览次数|【?打印|【?关闭|分享到|扫一扫|上一篇|下一篇)")
_LAYOUT = Layout(["section", "text", "responsible", "deadline"])


def _header_end(lines: list[str]) -> int | None:
    """Index of the first paragraph after a run of header labels (>= 3 roles, one of them the
    task wording or name), or None when there is no such run."""
    run: set[str] = set()
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        role = label_role(text)
        if role:
            run.add(role)
            continue
        if len(run - {"ignore"}) >= 3 and run & {"text", "title"}:
            return i
        run = set()
    return None


def _is_deadline(text: str) -> bool:
    """A deadline cell is short; a "continuous" word inside a unit name ("…动态管理办公室") is not one."""
    d = parse_deadline(text, 2000)  # any year: only the kind matters here
    if d.kind == "date":
        return len(text) <= 30
    return d.kind != "unknown" and len(text) <= 12 and text[-1] not in UNIT_END_CHARS


def read_paragraph_table(lines: list[str]) -> TableSource | None:
    start = _header_end(lines)
    if start is None:
        return None
    rows: list[list[Cell]] = []
    where: list[str] = []
    task: dict[str, list[str]] | None = None
    unit_lines: list[str] = []

    def end_unit_cell() -> None:
        if task is not None and unit_lines:
            cell = "".join(unit_lines)
            if cell not in task["units"]:
                task["units"].append(cell)
        unit_lines.clear()

    def end_task() -> None:
        end_unit_cell()
        if task is not None:
            rows.append([Cell(""), Cell(task["text"][0]), Cell("；".join(task["units"])),
                         Cell("；".join(task["deadlines"]))])

    for i, line in enumerate(lines[start:], start=start + 1):
        if line == "":
            continue                    # paragraph spacing
        text = line.strip()
        if not text:
            end_unit_cell()             # an empty table cell
            continue
        if _CHROME.match(text):
            break
        if split_number(text)[0]:
            end_task()
            task = {"text": [text], "units": [], "deadlines": []}
            where.append(f"第{i}行 / line {i}")
        elif heading_level(text) is not None:
            end_task()
            task = None
            rows.append([Cell(text), Cell(""), Cell(""), Cell("")])
            where.append(f"第{i}行 / line {i}")
        elif task is None:
            continue                    # stray text between a heading and the first task
        elif _is_deadline(text):
            end_unit_cell()
            if text not in task["deadlines"]:
                task["deadlines"].append(text)
        else:
            unit_lines.append(text)
    end_task()
    if not any(row[1].text for row in rows):
        return None   # header labels on their own lines, but no "N." task under them: not this layout
    # `where` was appended as rows were started; headings and tasks alternate in the same order.
    return TableSource("paragraph-table", rows, _LAYOUT, where=where, title_lines=lines[:start])
