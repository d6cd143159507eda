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
"（牵头单位：区政府办公室；完成时限：9月底前）" or a line "责任单位：…" under the item, or a trailing
parenthesis of units "(市府办〔市大数据局〕牵头,市政府各部门配合)"; otherwise deadline phrases in the text
("2021年底前，在区级政务服务大厅……"). Prose has no merged cells, so a task without a deadline does not
borrow the previous one.

Other prose shapes:
- a plan whose items are its （一）/(二) paragraphs (no "1." items anywhere): each such paragraph is a task,
  except under the plan's own aims and arrangements (总体要求, 保障措施 … listed in ledger_headers.yaml);
- a plan that closes each task with its units, "……扩大政策知晓度。（县编办牵头落实）": each closer ends a task;
- a page flattened to one long line ("…制定本方案。一、工作目标……二、工作任务(一)…1.…"): split back
  into paragraphs at its 一、/（一）/1. markers first.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from zwgk.rules.ledger.dates import prose_deadlines
from zwgk.rules.ledger.layout import Cell, Layout, label_role
from zwgk.rules.ledger.roles import is_unit_like, simplify
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


_OPENS, _CLOSES = "（(〔", "）)〕"
_UNIT_WORDS = re.compile(r"牵头|负责|配合|落实|主办|协办")
_CLOSER = re.compile(r"[（(]\s*((?:[^（()）]|[（(][^（()）]{1,8}[)）]){2,80}?(?:牵头|负责)(?:落实)?)\s*[)）]")
_RUNON_MARK = re.compile(r"(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
                         r"|\d{1,4}[.．、](?!\d))")
_AFTER_SENTENCE = "。；;：:）)"


@cache
def _skip_sections() -> tuple[str, ...]:
    text = resources.files("zwgk.rules").joinpath("ledger_headers.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text).get("prose_skip_sections") or ())


def trailing_units(text: str) -> tuple[str, str]:
    """(text without it, units) when the wording ends in a parenthesis of units — closed, or cut off at
    the end of a truncated page; ("", "") otherwise."""
    stripped = text.rstrip().rstrip("。.；;")
    stack: list[int] = []
    last_closed: tuple[int, int] | None = None
    for i, ch in enumerate(stripped):
        if ch in _OPENS:
            stack.append(i)
        elif ch in _CLOSES and stack:
            start = stack.pop()
            if not stack:
                last_closed = (start, i)
    if stack:
        start, end = stack[0], len(stripped)
    elif last_closed and last_closed[1] == len(stripped) - 1:
        start, end = last_closed
    else:
        return "", ""
    inner = stripped[start + 1:end].strip()
    if start == 0 or not inner:
        return "", ""
    if not (_UNIT_WORDS.search(simplify(inner)) or is_unit_like(inner)):
        return "", ""
    return stripped[:start].rstrip(), inner


def split_runon(lines: list[str]) -> list[str]:
    """Lines of a page flattened into one long line, split again at its heading and item markers."""
    out: list[str] = []
    for line in lines:
        if len(line) < 200 or len(_RUNON_MARK.findall(line)) < 2:
            out.append(line)
            continue
        pieces: list[str] = []
        start = 0
        for m in _RUNON_MARK.finditer(line):
            k = m.start()
            if k == 0:
                continue
            before = line[:k].rstrip()
            segment = line[start:k].strip()
            numbered = m.group(0)[0].isdigit()
            spaced = line[k - 1].isspace()  # paragraph breaks flattened into spaces
            if (before and (before[-1] in _AFTER_SENTENCE or spaced)) or (not numbered and 0 < len(segment) <= 12
                                                            and heading_level(segment) is not None):
                pieces.append(line[start:k])
                start = k
        pieces.append(line[start:])
        out.extend(p.strip() for p in pieces if p.strip())
    return out


def _read_closers(lines: list[str]) -> TableSource | None:
    """Tasks closed by their units: "……。（县编办牵头落实）"."""
    text = "\n".join(lines)
    simple = simplify(text)  # one-to-one characters: positions are the same
    closers = list(_CLOSER.finditer(simple))
    if len(closers) < 2:
        return None
    rows: list[list[Cell]] = []
    where: list[str] = []
    start = 0
    for m in closers:
        wording = " ".join(text[start:m.start()].split())
        if wording:
            rows.append([Cell(""), Cell(wording), Cell(""), Cell(text[m.start(1):m.end(1)]), Cell("")])
            line = text.count("\n", 0, start) + 1
            where.append(f"第{line}行 / line {line}")
        start = m.end()
    warnings = []
    rest = " ".join(text[start:].split())
    if rest:
        warnings.append(f"最后一段没有“牵头落实”结尾，未作为任务读取 / the last passage has no closing unit "
                        f"bracket and was not read as a task: {rest[:30]}…")
    return TableSource("prose (closers)", rows, _LAYOUT, where=where, title_lines=[], inherit=False,
                       anchor="top", warnings=warnings)


def _row(item: dict[str, str]) -> list[Cell]:
    text = item["text"]
    if not (item["lead"] or item["responsible"]):
        rest, units = trailing_units(text)
        if units and not _META_KEY.search(units):
            text, item["responsible"] = rest, units
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
    lines = split_runon(lines)
    numbered = any(split_number(line.strip())[0] for line in lines)
    if not numbered:
        closers = _read_closers(lines)
        if closers is not None:
            return closers
    skip = _skip_sections()
    rows: list[list[Cell]] = []
    where: list[str] = []
    title_lines: list[str] = []
    item: dict[str, str] | None = None
    seen_structure = False
    heads: list[str] = []

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
        level = heading_level(text)
        # Without "1." items, a （一） paragraph is the task (unless under the plan's own aims).
        as_item = (not numbered and level == 1 and not any(w in text[:16] for w in skip)
                   and not any(w in h for h in heads for w in skip))
        if level == 0:
            heads = [text]
        if split_number(text)[0] or as_item:
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
