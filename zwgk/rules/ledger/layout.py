"""The row model every table-shaped ledger is read through: cells, header labels, column roles.

Each source (tab-pasted Word tables, TSV, .docx tables, .xlsx/.csv sheets, the paragraph-per-cell
台账 of a web page) turns its table into `rows: list[list[Cell]]` plus a `Layout` (the role of each
column, from the header row); table.build_tasks does the rest the same way for all of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import mean
from typing import Literal

from zwgk.rules.ledger.roles import Role, cell_kind, label_role
from zwgk.rules.ledger.textnorm import normalize_text

__all__ = ["FIRST_ROW_ONLY", "READ_ROLES", "Anchor", "Cell", "Layout", "Role", "cells", "is_header", "label_role",
           "subheader"]

Anchor = Literal["top", "auto"]

# Continuation cells of a merge carry the merged value; for these roles that value belongs to the
# first row only (repeating a task number or wording would invent tasks).
FIRST_ROW_ONLY: frozenset[str] = frozenset({"number", "title", "text"})
READ_ROLES: tuple[Role, ...] = ("number", "title", "text", "lead", "responsible", "deadline")


@dataclass(frozen=True)
class Cell:
    """One table cell. `above`/`left`: a continuation of a vertically/horizontally merged cell
    (docx and xlsx know this; pasted text does not, it shows such cells as blank)."""

    text: str = ""
    above: bool = False
    left: bool = False


def cells(values: list[str]) -> list[Cell]:
    return [Cell(v) for v in values]


def is_header(row: list[Cell] | list[str]) -> bool:
    """A header row names at least three distinct roles, one of them the task wording/name — or
    three columns of which two are wording (工作任务 | 具体要求 | 责任科室). Most of its filled cells
    are labels (a data row that happens to hold "各科室" is not a header)."""
    texts = [c.text if isinstance(c, Cell) else c for c in row]
    filled = [t for t in texts if (t or "").strip()]
    roles = [label_role(t) for t in filled]
    named = [r for r in roles if r and r != "ignore"]
    distinct = set(named)
    content = distinct & {"text", "title"}
    if not content or len(named) + roles.count("ignore") < (len(filled) + 1) // 2:
        return False
    if len(distinct) >= 3:
        return True
    return len(named) >= 3 and bool(distinct & {"lead", "responsible", "deadline", "number"})


def subheader(header: list[Cell], row: list[Cell]) -> list[Cell] | None:
    """The header completed by a second header row, or None when `row` is not one.

    Two-row headers split a spanning label into its parts (责任单位 over 牵头单位 | 配合单位; 完成情况
    over 时限 | 进度): the second row holds only header labels, under a spanning or empty cell of the
    first, the other positions blank or continuing a vertical merge. Each column takes the label
    nearest to its data."""
    fresh = [i for i, c in enumerate(row) if c.text.strip() and not (c.above or c.left)]
    if not fresh or any(label_role(row[i].text) is None for i in fresh):
        return None

    def spans(i: int) -> bool:   # the first row's cell over i is empty or spans more than one column
        if i >= len(header) or not header[i].text.strip() or header[i].left:
            return True        # (a CSV or paste shows a merge as blanks beside its text)
        return i + 1 < len(header) and (header[i + 1].left or not header[i + 1].text.strip())

    if not all(spans(i) for i in fresh):
        return None
    width = max(len(header), len(row))
    padded = header + [Cell()] * (width - len(header))
    return [row[i] if i in fresh else padded[i] for i in range(width)]


@dataclass
class Layout:
    roles: list[Role]

    def first(self, role: Role) -> int | None:
        return self.roles.index(role) if role in self.roles else None

    @classmethod
    def from_header(cls, header: list[Cell] | list[str], width: int) -> Layout:
        """Column roles from a header row, for data rows `width` cells wide.

        Headers often have fewer labels than data rows have cells: 城子河's "工作任务" covers the
        two merged heading columns plus the task column, 乐至's "任务名称" covers a category
        column plus the name column. Labels after the task wording line up from the right; the
        extra columns go just before the name (or wording) and hold section headings."""
        texts = [c.text if isinstance(c, Cell) else c for c in header]
        roles: list[Role | None] = [label_role(t) for t in texts]
        # A title pasted into the header block ("城子河区2021年政务公开工作台账") is not a column.
        while roles and roles[0] is None and texts[0].strip():
            roles, texts = roles[1:], texts[1:]
        # A label spanning several columns (docx/xlsx merge) names the last of them; the others
        # are the heading columns it covers.
        for i in range(len(roles) - 1):
            if roles[i] in ("text", "title") and roles[i + 1] == roles[i]:
                roles[i] = "section"
        if len(roles) < width:
            anchor = "title" if "title" in roles and (
                "text" not in roles or roles.index("title") < roles.index("text")) else "text"
            at = roles.index(anchor) if anchor in roles else 0
            roles[at:at] = ["section"] * (width - len(roles))
        content = next((i for i, r in enumerate(roles) if r in ("title", "text")), 0)
        final: list[Role] = [
            ("section" if i < content else "ignore") if r is None else r for i, r in enumerate(roles)
        ]
        final += ["ignore"] * (width - len(final))
        return cls(final)

    def refine(self, rows: list[list[Cell]]) -> Layout:
        """Correct the header's roles by what the columns hold (see ledger_headers.yaml):
        - several wording columns (工作任务 | 具体要求): the longest is the requirement, the others are
          its section (group labels) or, when they hold numbered names, its title;
        - an unlabelled column of bare numbers is the 序号;
        - no deadline column: a 备注 column of deadlines is it; no unit column: an unlabelled or
          ignored column of unit names is the 责任单位."""
        roles = list(self.roles)
        columns: list[list[str]] = [[] for _ in roles]
        for row in rows[:400]:
            for i, cell in enumerate(row[: len(roles)]):
                if cell.text.strip() and not (cell.above or cell.left):
                    columns[i].append(normalize_text(cell.text))

        def share(i: int, kinds: set[str]) -> float:
            values = columns[i]
            return sum(cell_kind(v) in kinds for v in values) / len(values) if values else 0.0

        if "number" not in roles:
            for i, r in enumerate(roles):
                if r in ("section", "ignore") and len(columns[i]) >= 2 and share(i, {"number"}) >= 0.8:
                    roles[i] = "number"
                    break
        texts = [i for i, r in enumerate(roles) if r == "text"]
        if len(texts) > 1:
            keep = max(texts, key=lambda i: (mean(len(v) for v in columns[i]) if columns[i] else 0, i))
            rows_with_text = max(1, len(columns[keep]))
            for i in texts:
                if i == keep:
                    continue
                numbered = share(i, {"numlabel", "item"}) >= 0.5
                # A name on every row, each its own (重点任务 | 具体内容): the task's title; a label on
                # the first row of its group only, or a heading: the section.
                named = (len(columns[i]) >= 0.9 * rows_with_text and len(set(columns[i])) == len(columns[i])
                         and share(i, {"heading"}) < 0.5)
                title_ok = "title" not in roles and i < keep
                roles[i] = "title" if title_ok and (numbered or named) else "section"
        if "title" not in roles:  # a group column of numbered names ("1.行政规范性文件集中公开")
            text_at = roles.index("text") if "text" in roles else len(roles)
            for i, r in enumerate(roles[:text_at]):
                if r == "section" and len(columns[i]) >= 1 and share(i, {"numlabel"}) >= 0.5:
                    roles[i] = "title"
                    break
        if "deadline" not in roles:
            for i, r in enumerate(roles):
                if r == "ignore" and share(i, {"deadline"}) >= 0.6:
                    roles[i] = "deadline"
                    break
        if not ({"lead", "responsible"} & set(roles)):
            for i, r in enumerate(roles):
                if r == "ignore" and share(i, {"unit"}) >= 0.6:
                    roles[i] = "responsible"
                    break
        return Layout(roles)


def widest(rows: list[list[Cell]] | list[list[str]], header_width: int) -> int:
    """The width data rows have: the most common one (a few glued or cut rows do not count)."""
    widths = Counter(len(r) for r in rows if any((c.text if isinstance(c, Cell) else c).strip() for c in r))
    return widths.most_common(1)[0][0] if widths else header_width
