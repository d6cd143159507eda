"""The row model every table-shaped ledger is read through: cells, header labels, column roles.

Each source (tab-pasted Word tables, TSV, .docx tables, .xlsx/.csv sheets, the paragraph-per-cell
台账 of a web page) turns its table into `rows: list[list[Cell]]` plus a `Layout` (the role of each
column, from the header row); table.build_tasks does the rest the same way for all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Role = Literal["number", "section", "title", "text", "lead", "responsible", "deadline", "ignore"]
Anchor = Literal["top", "auto"]

# Header labels seen in 政务公开 ledgers (compared with whitespace and colons removed).
HEADER_LABELS: dict[str, Role] = {
    **dict.fromkeys(["序号", "编号", "序"], "number"),
    **dict.fromkeys(["事项名称", "任务名称", "工作事项", "事项", "名称", "项目名称", "任务事项"], "title"),
    **dict.fromkeys(["主要任务", "具体内容", "工作任务", "具体任务", "任务内容", "工作内容", "工作措施",
                     "具体措施", "重点任务", "重点工作", "任务", "内容", "工作要求", "任务要求"], "text"),
    **dict.fromkeys(["牵头单位", "牵头部门", "主责单位", "牵头"], "lead"),
    **dict.fromkeys(["责任单位", "责任部门", "配合单位", "配合部门", "参与单位", "责任主体", "实施单位",
                     "承办单位"], "responsible"),
    **dict.fromkeys(["完成时限", "时限要求", "完成时间", "时限", "完成期限", "办结时限", "时间节点",
                     "时间安排"], "deadline"),
    **dict.fromkeys(["备注", "完成情况", "进展情况", "分管领导", "责任人"], "ignore"),
}
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


def label_role(text: str) -> Role | None:
    return HEADER_LABELS.get(re.sub(r"[\s:：*＊]", "", text or ""))


def is_header(row: list[Cell] | list[str]) -> bool:
    """A header row names at least three distinct roles, one of them the task wording/name."""
    texts = [c.text if isinstance(c, Cell) else c for c in row]
    roles = {label_role(t) for t in texts} - {None, "ignore"}
    return len(roles) >= 3 and bool(roles & {"text", "title"})


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
