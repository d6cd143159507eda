"""Table rows -> Task objects, the same way for every format (see layout.py for the row model).

- section headings: heading rows ("一、…" alone in a row) and section columns (the merged
  "一、…"/"（一）…" or category columns left of the task) give each task its section path;
- numbered rows start tasks; "N." may sit in a 序号 column, in front of the 事项名称, or in front of
  the task wording itself;
- unnumbered rows: a row that names its own task (a short title in the 任务名称 column, e.g.
  乐至's "年度报告" after task 31) becomes a sibling task numbered "<previous>.1", ".2", …
  (it is a separate duty with its own checks, not more wording of task 31); any other unnumbered
  row continues a task and becomes one of its sub_items;
- merged cells: a blank lead/responsible/deadline cell means "same as above" — a task whose
  cell is blank takes the value of the task before it in the same section (never across sections).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

from zwgk.rules.ledger.dates import combine_deadlines, parse_deadline
from zwgk.rules.ledger.layout import FIRST_ROW_ONLY, READ_ROLES, Anchor, Cell, Layout, Role, is_header
from zwgk.rules.ledger.textnorm import (
    bare_number,
    heading_level,
    is_title_like,
    normalize_text,
    split_number,
    split_points,
)
from zwgk.rules.ledger.units import assign_roles, merge_units, split_units
from zwgk.rules.models import Task


@dataclass
class _Record:
    """One table row read through the layout."""

    pos: int
    where: str
    section: tuple[str, ...]
    number: str | None
    title: str
    text: str
    lead: str
    responsible: str
    deadline: str

    @property
    def has_units(self) -> bool:
        return bool(self.lead.strip() or self.responsible.strip())


@dataclass
class _Group:
    main: _Record
    number: str
    title: str
    members: list[_Record] = field(default_factory=list)

    def ordered(self) -> list[_Record]:
        return sorted([self.main, *self.members], key=lambda r: r.pos)


class _Sections:
    """Current section path; re-stating the current heading (page-break repeats) changes nothing."""

    def __init__(self) -> None:
        self.levels: list[str] = []

    def set(self, level: int, heading: str) -> None:
        if level < len(self.levels) and self.levels[level] == heading:
            return
        self.levels = [*self.levels[:level], *[""] * (level - len(self.levels)), heading]

    def path(self) -> tuple[str, ...]:
        return tuple(h for h in self.levels if h)


def _value(cell: Cell, role: Role) -> str:
    if (cell.above or cell.left) and role in FIRST_ROW_ONLY:
        return ""
    return cell.text or ""


def _heading(row: list[Cell]) -> tuple[int, str] | None:
    """(level, text) when the row is only a section heading: "一、…" alone (the rest blank), or one
    text repeated across a horizontally merged row."""
    filled = [c for c in row if (c.text or "").strip()]
    if not filled or len({normalize_text(c.text) for c in filled}) != 1:
        return None
    text = normalize_text(filled[0].text)
    if split_number(text)[0] or bare_number(text) or len(text) > 60:  # a long one is a （一） task
        return None
    level = heading_level(text)
    if level is not None:
        return level, text
    if len(filled) >= 2 and any(c.left for c in filled):
        return 0, text
    return None


def _realign(row: list[Cell], layout: Layout) -> list[Cell]:
    """Undo a row shifted one cell left (its blank first cell lost in the paste): the deadline
    column is empty, the last cell is a spare blank, and the cell before the deadline column reads
    as a deadline. 沈阳's sub-row under task 4 is pasted that way."""
    d = layout.first("deadline")
    if d is None or d == 0 or len(row) < 2 or row[d].text.strip() or row[-1].text.strip():
        return row
    first = row[0].text
    if not first.strip() or split_number(first)[0] or bare_number(first):
        return row
    if parse_deadline(row[d - 1].text, 2000).kind == "unknown":  # any year: only the kind matters
        return row
    return [Cell(""), *row[:-1]]


def _read_rows(rows: list[list[Cell]], layout: Layout, where: list[str]) -> list[_Record]:
    width = len(layout.roles)
    sections = _Sections()
    section_cols = [i for i, r in enumerate(layout.roles) if r == "section"]
    num_col, title_col = layout.first("number"), layout.first("title")
    records: list[_Record] = []
    for pos, raw in enumerate(rows):
        row = (list(raw) + [Cell()] * width)[:width]
        if is_header(row):  # header repeated after a page break
            continue
        heading = _heading(row)
        if heading:
            sections.set(*heading)
            continue
        row = _realign(row, layout)
        for k, col in enumerate(section_cols):
            value = normalize_text(row[col].text)
            if value:
                level = heading_level(value)
                sections.set(k if level is None else level, value)
        got: dict[str, str] = {}
        for role in READ_ROLES:
            col = layout.first(role)
            got[role] = _value(row[col], role) if col is not None else ""
        number: str | None
        title, text = got["title"], got["text"]
        if num_col is not None:
            number = bare_number(got["number"]) or split_number(got["number"])[0]
        elif title_col is not None:
            number, title = split_number(title)
        else:
            number, text = split_number(text)
        if not (number or any(v.strip() for v in got.values())):
            continue
        records.append(_Record(pos, where[pos] if pos < len(where) else f"row {pos + 1}",
                               sections.path(), number, title, text,
                               got["lead"], got["responsible"], got["deadline"]))
    return records


def _centred(records: list[_Record]) -> bool:
    """True when merged cells show their text in the middle of the span (PDF/HTML exports): a
    numbered row has blank unit cells while the unnumbered row just above it, in the same
    section, carries them (沈阳 task 19)."""
    for prev, rec in pairwise(records):
        if (rec.number and not prev.number and prev.section == rec.section
                and prev.has_units and not rec.has_units):
            return True
    return False


def _group(records: list[_Record], anchor: Anchor, warnings: list[str]) -> list[_Group]:
    """Tasks with their sub-rows.

    top:    a merged cell keeps its text in its first row (Word, docx, xlsx), so an unnumbered
            row continues the task above it;
    centre: the text sits in the middle row of the span, so the unnumbered rows between two
            numbered rows are split between them (the odd middle one goes to the later task).
    Either way rows never join a task across a section boundary unless nothing else is there."""
    groups: list[_Group] = []
    base, sibling = "0", 0
    for rec in records:
        if rec.number:
            base, sibling = rec.number, 0
            groups.append(_Group(rec, rec.number, rec.title))
        elif rec.title and is_title_like(rec.title):
            sibling += 1
            groups.append(_Group(rec, f"{base.split('.')[0]}.{sibling}", rec.title))
    if not groups:
        if records:
            warnings.append(f"{len(records)} 行没有编号，无法归入任务 / {len(records)} unnumbered rows "
                            "belong to no task")
        return groups
    mains = {id(g.main): g for g in groups}
    centre = anchor == "auto" and _centred(records)
    # Walk each run of rows with one section path; attach the unnumbered rows of the run.
    start = 0
    while start < len(records):
        stop = start
        while stop < len(records) and records[stop].section == records[start].section:
            stop += 1
        run = records[start:stop]
        heads = [k for k, r in enumerate(run) if id(r) in mains]
        earlier = [g for g in groups if g.main.pos < run[0].pos]
        prior = earlier[-1] if earlier else None
        for k, rec in enumerate(run):
            if id(rec) in mains:
                continue
            before = [h for h in heads if h < k]
            after = [h for h in heads if h > k]
            owner: _Group | None
            if before and after and centre:
                gap = after[0] - before[-1] - 1
                owner = mains[id(run[before[-1] if k - before[-1] <= gap // 2 else after[0]])]
            elif before:
                owner = mains[id(run[before[-1]])]
            elif after and (centre or prior is None):
                owner = mains[id(run[after[0]])]
            else:
                owner = prior
            if owner is None:
                warnings.append(f"{rec.where}: 无编号的行不属于任何任务，已忽略 / unnumbered row "
                                "before the first task ignored")
            else:
                owner.members.append(rec)
        start = stop
    return groups


def _unique_numbers(groups: list[_Group], warnings: list[str]) -> None:
    counts = Counter(g.number for g in groups)
    seen: Counter[str] = Counter()
    for g in groups:
        if counts[g.number] > 1:
            seen[g.number] += 1
            if seen[g.number] > 1:
                warnings.append(f"{g.main.where}: 任务编号 {g.number} 重复 / task number {g.number} "
                                f"repeats; this one is numbered {g.number}-{seen[g.number]}")
                g.number = f"{g.number}-{seen[g.number]}"
    numbers = sorted(int(g.number) for g in groups if g.number.isdigit())
    if numbers:
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        if missing:
            warnings.append(f"任务编号不连续，缺少 / task numbers skip: {', '.join(map(str, missing))}")


def build_tasks(rows: list[list[Cell]], layout: Layout, *, ledger_id: str, year: int | None,
                where: list[str] | None = None, inherit: bool = True,
                anchor: Anchor = "auto") -> tuple[list[Task], list[str]]:
    """Tasks from table rows (see the module doc). Returns (tasks, warnings)."""
    warnings: list[str] = []
    records = _read_rows(rows, layout, where or [])
    if records and not any(r.number for r in records):
        # No 序号 and no "N." anywhere: each row that names a task (or, without a name column,
        # states one) is a task, numbered in row order; other rows continue the one above.
        key = "title" if layout.first("title") is not None else "text"
        count = 0
        for rec in records:
            if getattr(rec, key).strip():
                count += 1
                rec.number = str(count)
        warnings.append("表中没有任务编号，按行顺序编号 / the table numbers no task: tasks are numbered in row order")
    groups = _group(records, anchor, warnings)
    _unique_numbers(groups, warnings)
    tasks: list[Task] = []
    prev: tuple[tuple[str, ...], dict[str, list[str]]] | None = None
    for g in groups:
        ordered = g.ordered()
        # The numbered row's units come first; the other rows add theirs in document order.
        unit_rows = [g.main, *[r for r in ordered if r is not g.main]]
        raw = {
            "lead": [r.lead for r in unit_rows if r.lead.strip()],
            "responsible": [r.responsible for r in unit_rows if r.responsible.strip()],
            "deadline": [r.deadline for r in ordered if r.deadline.strip()],
        }
        if inherit and prev is not None and prev[0] == g.main.section:
            for key, values in raw.items():
                if not values:
                    raw[key] = list(prev[1][key])
        prev = (g.main.section, raw)
        points: list[str] = []
        for r in ordered:
            lead_in = r.title if (r is not g.main and r.title and not is_title_like(r.title)) else ""
            points.extend(split_points(f"{lead_in} {r.text}" if lead_in else r.text))
        # Everything in the lead column leads; in the responsible column only "X牵头" does.
        lead_cells = merge_units(*assign_roles(merge_units(*map(split_units, raw["lead"]))))
        marked_lead, responsible = assign_roles(merge_units(*map(split_units, raw["responsible"])))
        tasks.append(Task(
            ledger=ledger_id,
            number=g.number,
            text=normalize_text(" ".join(points)),
            section=list(g.main.section),
            title=normalize_text(g.title),
            sub_items=points if len(points) > 1 else [],
            lead_units=merge_units(lead_cells, marked_lead),
            responsible_units=responsible,
            deadline=combine_deadlines(raw["deadline"], year),
            source_row=_cn(g.main.where),
        ))
    warnings.extend(row_warnings(tasks))
    return tasks, warnings


def _cn(where: str) -> str:
    """The Chinese half of a row label ("第12行 / line 12" -> "第12行")."""
    return where.split(" / ")[0].strip()


def row_warnings(tasks: list[Task], limit: int = 20) -> list[str]:
    """What is uncertain about each task, naming its row ("第12行：任务 5 未识别责任单位"); at most
    `limit` lines per kind, then a count (a 5,000-row ledger should not print 5,000 warnings)."""
    out: list[str] = []
    checks = (
        ("没有内容", "has no wording", lambda t: not t.text),
        ("未识别完成时限", "no deadline that could be read", lambda t: t.deadline.kind == "unknown"),
        ("未识别责任单位", "names no unit", lambda t: not (t.lead_units or t.responsible_units)),
    )
    for cn, en, bad in checks:
        hits = [t for t in tasks if bad(t)]
        if len(hits) == len(tasks) > 1:   # the table has no such column at all: say it once
            out.append(f"全部 {len(tasks)} 个任务都{cn} / none of the {len(tasks)} tasks: {en}")
            continue
        for t in hits[:limit]:
            where = f"{t.source_row}：" if t.source_row else ""
            out.append(f"{where}任务 {t.number} {cn} / task {t.number} {en}")
        if len(hits) > limit:
            out.append(f"另有 {len(hits) - limit} 个任务{cn} / {len(hits) - limit} more tasks: {en}")
    return out
