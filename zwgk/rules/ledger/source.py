"""What every reader hands over (a TableSource), and how it becomes a Ledger.

Readers only find the table (rows, column roles, the text above it); title, year, tasks, warnings
and the "nothing found" errors are decided here once, the same way for every format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zwgk.errors import LedgerError
from zwgk.rules.ledger.dates import find_year
from zwgk.rules.ledger.layout import Anchor, Cell, Layout
from zwgk.rules.ledger.table import build_tasks
from zwgk.rules.ledger.textnorm import normalize_text
from zwgk.rules.models import Ledger

_TITLE_WORDS = re.compile(r"台账|分解表|清单|要点|方案|安排|计划|任务表")
_ATTACHMENT = re.compile(r"^\s*附件\s*\d*\s*[:：]?\s*")


@dataclass
class TableSource:
    dialect: str                      # which reader recognised it (for messages and tests)
    rows: list[list[Cell]]
    layout: Layout
    where: list[str] = field(default_factory=list)        # "第12行 / line 12" per row
    title_lines: list[str] = field(default_factory=list)  # text above the table: title, preamble
    inherit: bool = True              # blank unit/deadline cells mean "same as above" (tables only)
    anchor: Anchor = "auto"
    warnings: list[str] = field(default_factory=list)     # repairs the reader made
    preview: list[str] = field(default_factory=list)      # the first lines/rows, for "cannot read" messages


def guess_title(lines: list[str]) -> str:
    """The ledger's title: the line nearest above the table that names a ledger
    ("…台账", "…任务分解表", "…工作要点", "…实施方案"), not a cover letter ("关于印发《…》的通知")."""
    clean = [normalize_text(_ATTACHMENT.sub("", line)) for line in lines]
    clean = [c for c in clean if c]
    good = [c for c in clean if _TITLE_WORDS.search(c) and "通知" not in c and "《" not in c and len(c) <= 60
            and not any(p in c for p in "。，,；;")]
    return good[-1] if good else (clean[0][:60] if clean else "")


TEXT_LAYOUTS = ("| 分隔的表格行", "每格一行的表格", "制表符分隔的表格", "Word 表格粘贴", "一段一格的表格",
                "编号段落（1. / （一））", "以“牵头落实”结尾的段落")
TEMPLATE_HINT = ("可用 zwgk ledger template 生成标准台账模板（.xlsx 或 -o 模板.yaml），按模板整理后再用 / "
                 "bring any ledger in through the template from `zwgk ledger template`")


def preview_of(lines: list[str], limit: int = 3) -> list[str]:
    out = []
    for line in lines:
        clean = " ".join(line.split())
        if clean:
            out.append(clean[:40] + ("…" if len(clean) > 40 else ""))
        if len(out) == limit:
            break
    return out


def unreadable(what: str, source: str, tried: tuple[str, ...] | list[str], preview: list[str]) -> LedgerError:
    """The error for a ledger that could not be read: what, which layouts were tried, what its first
    rows looked like, and the template as the way in."""
    seen = "；".join(f"「{p}」" for p in preview) or "（没有文字）"
    return LedgerError(f"{what} / {source}：已尝试的读法 / layouts tried：{'、'.join(tried)}；"
                       f"开头几行 / first rows：{seen}。{TEMPLATE_HINT}")


def all_blank(rows: list[list[Cell]]) -> bool:
    return not any((c.text or "").strip() for row in rows for c in row)


def ledger_from_source(src: TableSource, ledger_id: str, source: str) -> Ledger:
    """Build the Ledger. An empty table gives zero tasks and a warning; a table or text with
    content but no recognisable task is an error (the caller's file is not a ledger)."""
    title = guess_title(src.title_lines)
    year = find_year(title, *src.title_lines)
    ledger = Ledger(id=ledger_id, title=title, year=year, source=source, warnings=list(src.warnings))
    if year is None:
        ledger.warnings.append("未找到台账年份，不带年份的日期无法确定 / no year found in the title: "
                               "dates written without a year stay undated")
    if "prose" not in src.dialect and all_blank(src.rows):
        ledger.warnings.append(f"表格为空，没有任务 / the table in {source or ledger_id} has no filled "
                               "cells: no tasks")
        return ledger
    tasks, warnings = build_tasks(src.rows, src.layout, ledger_id=ledger_id, year=year, where=src.where,
                                  inherit=src.inherit, anchor=src.anchor)
    if not tasks:
        raise unreadable(
            "台账中没有可识别的任务 / no recognisable tasks: expected a table with a header row (序号/任务名称/"
            "具体内容/责任单位/完成时限 …) or numbered items (“1.”, “2.” …) under 一、/（一） headings",
            source or ledger_id, [f"{src.dialect}（最后一种，未读出任务）", *TEXT_LAYOUTS] if src.dialect == "prose"
            else [src.dialect], src.preview or preview_of(src.title_lines))
    ledger.tasks, ledger.warnings = tasks, ledger.warnings + warnings
    return ledger
