"""Render a mapped ledger for `zwgk ledger parse`: a Chinese terminal table, JSON or YAML."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from zwgk.rules.mapping import coverage_summary
from zwgk.rules.models import CheckRef, Ledger, Task

ELLIPSIS = "…"
_MANUAL = "人工核查"
_HEADERS = ("编号", "章节", "任务", "责任单位", "时限", "核查方式")
_MAX_WIDTHS = (8, 18, 40, 24, 18)   # display columns; the last column (核查方式) is never cut
_HINT_WIDTH = 30


# --- display width ---------------------------------------------------------------------------------


def char_width(ch: str) -> int:
    """Terminal columns of one character: 2 for wide/full-width (CJK), 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def truncate(text: str, width: int) -> str:
    """Cut `text` to at most `width` display columns, ending in … when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    limit = width - display_width(ELLIPSIS)
    for ch in text:
        w = char_width(ch)
        if used + w > limit:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


# --- cells -----------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe_checks(checks: list[CheckRef]) -> str:
    """"ipv6.aaaa, column[gk.planning]": column.missing/empty/stale of one column shown once."""
    parts: list[str] = []
    for ref in checks:
        column = ref.params.get("column") if ref.check.startswith("column.") else None
        part = f"column[{column}]" if column else ref.key()
        if part not in parts:
            parts.append(part)
    return ", ".join(parts)


def method_cell(task: Task) -> str:
    if task.coverage == "manual" or not task.checks:
        hint = _one_line(task.manual_hint)
        return f"{_MANUAL}：{truncate(hint, _HINT_WIDTH)}" if hint else _MANUAL
    text = describe_checks(task.checks)
    return f"{text} +人工" if task.coverage == "partial" else text


def _deadline(task: Task) -> str:
    d = task.deadline
    return _one_line(d.text) or (d.date.isoformat() if d.date else "")


def units_cell(task: Task) -> str:
    """Lead units first ("（牵头）" after them when others share the task), then the others."""
    lead, others = "、".join(task.lead_units), "、".join(u for u in task.responsible_units if u not in task.lead_units)
    if lead and others:
        return f"{lead}（牵头）；{others}"
    return lead or others or "—"


def _task_cell(task: Task) -> str:
    text = _one_line(task.text)
    return f"{task.title}：{text}" if task.title and text else (task.title or text)


def _row(task: Task) -> tuple[str, ...]:
    section = _one_line(task.section[-1]) if task.section else "—"
    return (task.number, section, _task_cell(task), units_cell(task), _deadline(task) or "—", method_cell(task))


def coverage_line(ledger: Ledger) -> str:
    c = coverage_summary(ledger)
    return (f"共 {c['total']} 项任务：自动核查 {c['automated']} 项，部分自动 {c['partial']} 项，"
            f"需人工核查 {c['manual']} 项")


def render_table(ledger: Ledger) -> str:
    """The mapped tasks as an aligned table (CJK counted as two columns) plus a coverage line."""
    rows = [tuple(truncate(cell, w) for cell, w in zip(r, _MAX_WIDTHS, strict=False)) + r[len(_MAX_WIDTHS):]
            for r in map(_row, ledger.tasks)]
    widths = [max(display_width(cell) for cell in col) for col in zip(_HEADERS, *rows, strict=True)]
    widths[-1] = 0   # last column: no padding

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = []
    if ledger.title or ledger.id:
        out.append(f"{ledger.title}（{ledger.id}）" if ledger.title else ledger.id)
    out.append(line(_HEADERS))
    out.append("-+-".join("-" * (w or display_width(_HEADERS[-1]) + 4) for w in widths))
    out.extend(line(r) for r in rows)
    out.append("")
    out.append(coverage_line(ledger))
    return "\n".join(out) + "\n"


# --- structured output -----------------------------------------------------------------------------


def ledger_dict(ledger: Ledger) -> dict[str, Any]:
    """Ledger, tasks (with checks, coverage, hint) and the coverage counts, as plain data."""
    return {
        "id": ledger.id,
        "title": ledger.title,
        "year": ledger.year,
        "source": ledger.source,
        "coverage": coverage_summary(ledger),
        "warnings": list(ledger.warnings),
        "tasks": [task.to_dict() for task in ledger.tasks],
    }


def render_json(ledger: Ledger) -> str:
    return json.dumps(ledger_dict(ledger), ensure_ascii=False, indent=2) + "\n"


def render_yaml(ledger: Ledger) -> str:
    """The parser's canonical, reloadable YAML (zwgk.rules.ledger.dump_yaml), with the coverage line
    as a comment under its header (a key would break reloading)."""
    from zwgk.rules.ledger import dump_yaml

    text = dump_yaml(ledger)
    head, sep, body = text.partition("\n") if text.startswith("#") else ("", "", text)
    return f"{head}{sep}# {coverage_line(ledger)}\n{body}"
