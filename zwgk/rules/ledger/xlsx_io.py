"""The canonical ledger as an editable spreadsheet: what `zwgk ledger parse --format xlsx` writes,
what `zwgk ledger template` hands out, and what the tool reads back exactly (like the YAML form).

Sheet "任务" (one row per task, columns below); sheet "台账" (id, title, year, source, warnings);
sheet "说明" (how to fill it in). A list cell (章节, 子项, 牵头单位, 责任单位) holds one entry per line.
核查方式 is the mapped checks as JSON; leave it and 人工核查提示 empty and the rule catalogue maps the
task again. 时限类型/时限日期 may be left empty: they are read from 完成时限 then.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from zwgk.errors import LedgerError
from zwgk.rules.ledger.dates import parse_deadline
from zwgk.rules.ledger.tabular import cell_text
from zwgk.rules.models import CheckRef, Deadline, Ledger, Task

TASK_SHEET, META_SHEET, HELP_SHEET = "任务", "台账", "说明"
COLUMNS = ("编号", "章节", "任务名称", "任务内容", "子项", "牵头单位", "责任单位", "完成时限", "时限类型", "时限日期",
           "核查方式", "覆盖", "人工核查提示", "来源行", "所属台账")
META_KEYS = ("编号", "标题", "年份", "来源", "提示")
_KINDS = ("date", "continuous", "as_needed", "unknown")
_COVERAGES = ("automated", "partial", "manual")
HELP = [
    ("怎样填写", "每个任务一行。必填：编号、任务内容；建议填写：牵头单位/责任单位（每行一个单位）、完成时限"
                "（如“2026年12月底前”“持续推进”）。章节可写多级，每行一级（如“一、…”换行“（一）…”）。"),
    ("核查方式", "留空即可：工具按规则目录自动对应检查项；已有的 JSON 是上次解析的结果，可删除后重新对应。"),
    ("时限类型", "留空时按“完成时限”的文字自动判断：date（具体日期）/ continuous（持续）/ as_needed（适时）"
                "/ unknown。"),
    ("使用", "保存后作为台账使用：zwgk ledger parse 本文件，或在检查配置的 ledger: 中填写本文件路径。"),
]


def _lines(values: list[str]) -> str:
    return "\n".join(values)


def _split(value: Any) -> list[str]:
    text = cell_text(value)
    return [line.strip() for line in text.split("\n") if line.strip()]


def write_xlsx(ledger: Ledger, path: Path) -> None:
    """Write the ledger (its mapped checks included) as the canonical workbook."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = TASK_SHEET
    ws.append(list(COLUMNS))
    for task in ledger.tasks:
        ws.append([
            task.number, _lines(task.section), task.title, task.text, _lines(task.sub_items),
            _lines(task.lead_units), _lines(task.responsible_units), task.deadline.text, task.deadline.kind,
            task.deadline.date.isoformat() if task.deadline.date else "",
            json.dumps([{"check": c.check, "params": c.params, "rule": c.rule} for c in task.checks],
                       ensure_ascii=False) if task.checks else "",
            task.coverage, task.manual_hint, task.source_row, task.ledger if task.ledger != ledger.id else "",
        ])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for col, width in zip("ABCDEFGHIJKLMNO", (8, 28, 18, 60, 30, 20, 24, 18, 12, 12, 30, 10, 30, 14, 12),
                          strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    meta = book.create_sheet(META_SHEET)
    meta.append(["项目", "内容"])
    meta.append(["编号", ledger.id])
    meta.append(["标题", ledger.title])
    meta.append(["年份", ledger.year if ledger.year is not None else ""])
    meta.append(["来源", ledger.source])
    for warning in ledger.warnings:
        meta.append(["提示", warning])
    meta.column_dimensions["B"].width = 100
    help_sheet = book.create_sheet(HELP_SHEET)
    for row in HELP:
        help_sheet.append(list(row))
    help_sheet.column_dimensions["A"].width = 12
    help_sheet.column_dimensions["B"].width = 100
    book.save(path)


def is_canonical(path: Path) -> bool:
    """True when the workbook is the canonical form (its 任务 sheet starts with the canonical columns)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # not an .xlsx: the spreadsheet reader reports it
        return False
    try:
        if TASK_SHEET not in book.sheetnames:
            return False
        first = next(book[TASK_SHEET].iter_rows(min_row=1, max_row=1, values_only=True), ())
        return tuple(cell_text(v) for v in first[: len(COLUMNS)]) == COLUMNS
    finally:
        book.close()


def _fail(path: Path, where: str, message: str) -> LedgerError:
    return LedgerError(f"台账表格有误 / invalid ledger workbook {path}（{where}）：{message}")


def read_xlsx(path: Path, ledger_id: str | None = None) -> Ledger:
    """The canonical workbook back as a Ledger, exactly as written (hand edits are checked)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        meta: dict[str, Any] = {}
        warnings: list[str] = []
        if META_SHEET in book.sheetnames:
            for key, value, *_ in book[META_SHEET].iter_rows(min_row=2, values_only=True):
                if key == "提示":
                    warnings.append(cell_text(value))
                elif key in META_KEYS:
                    meta[key] = value
        lid = ledger_id or cell_text(meta.get("编号")) or path.stem
        year_raw = cell_text(meta.get("年份")).strip()
        if year_raw and not year_raw.isdigit():
            raise _fail(path, f"{META_SHEET} 年份", f"年份应为数字，如 2026，而不是 {year_raw!r}")
        ledger = Ledger(id=lid, title=cell_text(meta.get("标题")), year=int(year_raw) if year_raw else None,
                        source=cell_text(meta.get("来源")) or str(path), warnings=warnings)
        rows = book[TASK_SHEET].iter_rows(min_row=2, values_only=True)
        for n, values in enumerate(rows, start=2):
            row = dict(zip(COLUMNS, [*values, *[None] * len(COLUMNS)], strict=False))
            if not any(cell_text(v).strip() for v in row.values()):
                continue
            ledger.tasks.append(_task(row, ledger, path, f"{TASK_SHEET} 第{n}行"))
    finally:
        book.close()
    return ledger


def _task(row: dict[str, Any], ledger: Ledger, path: Path, where: str) -> Task:
    number = cell_text(row["编号"]).strip()
    text = cell_text(row["任务内容"]).strip()
    if not number:
        raise _fail(path, where, "缺少编号 / a task has no number")
    if not text and not cell_text(row["任务名称"]).strip():
        raise _fail(path, where, "缺少任务内容 / a task has no wording")
    kind = cell_text(row["时限类型"]).strip()
    deadline_text = cell_text(row["完成时限"])
    if not kind or (kind == "unknown" and deadline_text.strip()):   # edited wording: read it again
        deadline = parse_deadline(deadline_text, ledger.year) if deadline_text.strip() else Deadline()
        deadline.text = deadline_text
    else:
        if kind not in _KINDS:
            raise _fail(path, where, f"时限类型 {kind!r} 应为 {' / '.join(_KINDS)} 之一")
        raw = cell_text(row["时限日期"]).strip()
        try:
            when = date.fromisoformat(raw[:10]) if raw else None
        except ValueError:
            raise _fail(path, where, f"时限日期 {raw!r} 应为 YYYY-MM-DD") from None
        if kind == "date" and when is None:
            raise _fail(path, where, "时限类型为 date 时需要时限日期")
        deadline = Deadline(kind=kind, date=when, text=deadline_text)  # type: ignore[arg-type]
    checks_raw = cell_text(row["核查方式"]).strip()
    try:
        checks = [CheckRef(check=str(c["check"]), params=dict(c.get("params") or {}), rule=str(c.get("rule") or ""))
                  for c in (json.loads(checks_raw) if checks_raw else [])]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise _fail(path, where, "核查方式应为上次解析写出的 JSON，或留空") from None
    coverage = cell_text(row["覆盖"]).strip() or "manual"
    if coverage not in _COVERAGES:
        raise _fail(path, where, f"覆盖 {coverage!r} 应为 {' / '.join(_COVERAGES)} 之一")
    return Task(
        ledger=cell_text(row["所属台账"]).strip() or ledger.id, number=number, text=text,
        section=_split(row["章节"]), title=cell_text(row["任务名称"]), sub_items=_split(row["子项"]),
        lead_units=_split(row["牵头单位"]), responsible_units=_split(row["责任单位"]), deadline=deadline,
        checks=checks, coverage=coverage, manual_hint=cell_text(row["人工核查提示"]),  # type: ignore[arg-type]
        source_row=cell_text(row["来源行"]),
    )


def template_ledger() -> Ledger:
    """A small example ledger to start from (two rows showing how cells are filled)."""
    return Ledger(
        id="ledger", title="某单位2026年政务公开工作台账", year=2026, source="", tasks=[
            Task(ledger="ledger", number="1", section=["一、深化重点领域信息公开"], title="",
                 text="在政府门户网站政府信息公开专栏及时公开本单位预算、决算。",
                 lead_units=["办公室"], responsible_units=["财务科"],
                 deadline=Deadline(kind="date", date=date(2026, 9, 30), text="2026年9月底前")),
            Task(ledger="ledger", number="2", section=["一、深化重点领域信息公开"], title="",
                 text="按时发布政府信息公开工作年度报告。", lead_units=["办公室"],
                 deadline=Deadline(kind="continuous", text="持续推进")),
        ])
