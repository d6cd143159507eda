"""A prose plan (实施方案 / 工作要点 written as paragraphs, 峄城/峰城 style):

    二、主要任务
    （一）加大重点领域“五公开”力度
    1. 主动公开本地区“十四五”规划……
    2. 围绕“工业强区、产业兴区”战略，做好培育壮大
    高端化工、装备制造……                      <- the same item, wrapped (blank lines between)

Numbered paragraphs are tasks under the current 一、/（一） headings. A paragraph that follows an
item whose text stops mid-sentence is that item's wrapped tail; once an item ends a sentence, an
unnumbered paragraph closes it (closing words, signatures and dates are not task wording).

Units and deadlines, when a plan states them, come from the wording itself: a bracket such as
"（牵头单位：区政府办公室；完成时限：9月底前）" or a line "责任单位：…" under the item; otherwise
deadline phrases in the text ("2021年底前，在区级政务服务大厅……"). Prose has no merged cells, so a
task without a deadline does not borrow the previous one.
"""

from __future__ import annotations

import re

from zwgk.rules.ledger.dates import prose_deadlines
from zwgk.rules.ledger.layout import Cell, Layout, label_role
from zwgk.rules.ledger.source import TableSource
from zwgk.rules.ledger.textnorm import ends_sentence, heading_level, split_number

_LAYOUT = Layout(["section", "text", "lead", "responsible", "deadline"])
_META_LABEL = r"(?:牵头单位|牵头部门|责任单位|责任部门|配合单位|完成时限|时限要求|完成时间|时限)"
_META_BRACKET = re.compile(rf"[（(]\s*({_META_LABEL}\s*[:：][^（()）]*)[)）]")
_META_KEY = re.compile(rf"({_META_LABEL})\s*[:：]")
_META_LINE = re.compile(rf"^\s*({_META_LABEL})\s*[:：]\s*(.+)$")


def _meta(item: dict[str, str], label: str, value: str) -> None:
    role = label_role(label)
    if role in ("lead", "responsible", "deadline"):
        item[role] = f"{item[role]}；{value}" if item[role] else value


def _row(item: dict[str, str]) -> list[Cell]:
    text = item["text"]
    for bracket in _META_BRACKET.finditer(text):
        # "牵头单位：A；B；完成时限：9月底前": each label's value runs up to the next label.
        inner = bracket.group(1)
        labels = list(_META_KEY.finditer(inner))
        for k, m in enumerate(labels):
            end = labels[k + 1].start() if k + 1 < len(labels) else len(inner)
            _meta(item, m.group(1), inner[m.end():end].strip(" ；;，,"))
    text = _META_BRACKET.sub("", text)
    deadline = item["deadline"] or "；".join(prose_deadlines(text))
    return [Cell(""), Cell(text), Cell(item["lead"]), Cell(item["responsible"]), Cell(deadline)]


def read_prose(lines: list[str]) -> TableSource:
    rows: list[list[Cell]] = []
    where: list[str] = []
    title_lines: list[str] = []
    item: dict[str, str] | None = None
    seen_structure = False

    def close() -> None:
        nonlocal item
        if item is not None:
            rows.append(_row(item))
        item = None

    for i, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        meta = _META_LINE.match(text)
        if split_number(text)[0]:
            close()
            seen_structure = True
            item = {"text": text, "lead": "", "responsible": "", "deadline": ""}
            where.append(f"第{i}行 / line {i}")
        elif heading_level(text) is not None:
            close()
            seen_structure = True
            rows.append([Cell(text), Cell(""), Cell(""), Cell(""), Cell("")])
            where.append(f"第{i}行 / line {i}")
        elif item is not None and meta:
            _meta(item, meta.group(1), meta.group(2))
        elif item is not None and not ends_sentence(item["text"]):
            item["text"] += text        # wrapped tail of the item
        else:
            close()
            if not seen_structure:
                title_lines.append(text)
    close()
    return TableSource("prose", rows, _LAYOUT, where=where, title_lines=title_lines, inherit=False,
                       anchor="top")
