"""Unit cells (牵头单位 / 责任单位) -> lists of unit names.

Cells list units separated by 、，,；; or by line breaks and spaces:
    "区政府办公室\\n区发改局\\n区自然资源和规划局"
    "市发展改革委 市自然资源局 沈阳公共资源交 易交易中心 沈河区政府"   (PDF broke a name)
    "旗县(市、区)政府、开发区管委会;市发改、自然资源、住建、生态环境等有关部门"
    "市行政审批和政务服务局牵头,有关部门配合"
Rules:
- never split inside brackets: "旗县(市、区)政府", "各乡镇（街道）人民政府（办事处）";
- "和"/"及" do not separate: "区政府各部门和单位" is one unit; nor does 、 inside a description
  ("市本级承担公共服务、行政许可、行政处罚、行政强制等职责的部门" is one unit);
- a line break or space separates only when the left part ends like a unit name (…局, …政府,
  …部门, …单位, …中心) or the right part starts like one (市…, 区…, 县…, 各…); otherwise it is a
  wrap inside one name ("沈阳公共资源交 易交易中心" stays one unit);
- "X牵头" marks X as a lead unit; a trailing "配合"/"协助"/"提供相关内容" is dropped.
"""

from __future__ import annotations

import re

from zwgk.rules.ledger.textnorm import normalize_text

_OPEN, _CLOSE = "（(【[《〔", "）)】]》〕"
_CLAUSE_SEPARATORS = "，,；;／/"   # and "、", handled apart (see split_units)
_DESCRIBED = re.compile(r"等[^、，,；;]*的")
# Last characters of unit names: 局 委 办 室 府 (政府) 门 (部门) 位 (单位) 心 (中心) 会 处 …
UNIT_END_CHARS = set("局委办室厅处府门位心会院所站队部组社行馆司校园署镇乡街道区县市村团联台关厂场库科股")
# First characters of unit names that start a new unit after a space/line break.
_UNIT_START = set("市区县旗省乡镇街各")
_CLAUSE_MARK = re.compile(r"(?:共同)?(?:牵头|牽頭)(?:落实|落實|负责)?$")
_LEAD_MARK = re.compile(r"^(.+?)(?:共同)?(?:牵头|牽頭|主办)(?:落实|落實|负责)?$")
_HELPER_MARK = re.compile(r"^(.+?)(?:配合|协助|协办|参与|提供相关内容|负责落实|负责|参照落实|按职能分工落实|"
                          r"按职责分工落实|分工落实|落实|配合落实)$")


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts, buf, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in separators and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


def _unbalanced(text: str) -> bool:
    return sum(text.count(c) for c in _OPEN) > sum(text.count(c) for c in _CLOSE)


def _join_wrapped(fragments: list[str]) -> list[str]:
    """Re-join whitespace-separated fragments that are pieces of one name (see module doc)."""
    out: list[str] = []
    for frag in fragments:
        if out and (_unbalanced(out[-1]) or (out[-1][-1] not in UNIT_END_CHARS and frag[0] not in _UNIT_START)):
            out[-1] += frag
        else:
            out.append(frag)
    return out


def split_units(cell: str) -> list[str]:
    """Unit names in a cell, in order, without duplicates."""
    units: list[str] = []
    whitespace_parts = [p for p in _split_outside_brackets(re.sub(r"[\s\u3000]+", " ", cell or ""), " ")
                        if p.strip()]
    for piece in _join_wrapped([p.strip() for p in whitespace_parts]):
        for clause in _split_outside_brackets(piece, _CLAUSE_SEPARATORS):
            names = _split_outside_brackets(clause, "、")
            # "市本级承担公共服务、行政许可、行政处罚等职责的部门" is one unit described by an
            # enumeration ("…等…的部门"), not four units.
            if _DESCRIBED.search(names[-1]):
                names = [clause]
            # "市发改局、市科工局牵头": the marker after the last name applies to each name of the clause.
            mark = _CLAUSE_MARK.search(names[-1]) if len(names) > 1 else None
            if mark and _CLAUSE_MARK.sub("", names[-1]):
                names = [n if _CLAUSE_MARK.search(n) else n + mark.group(0) for n in names]
            for raw in names:
                name = normalize_text(raw).strip("。.:：")
                if name and name not in units:
                    units.append(name)
    return units


def assign_roles(units: list[str]) -> tuple[list[str], list[str]]:
    """(lead, others): "X牵头" -> X is a lead unit; "Y配合" -> Y (marker dropped)."""
    lead: list[str] = []
    others: list[str] = []
    for unit in units:
        m = _LEAD_MARK.match(unit)
        if m:
            lead.append(m.group(1))
            continue
        m = _HELPER_MARK.match(unit)
        name = m.group(1) if m else unit
        # "基层处等": the unit is 基层处 ("and others" is not part of a name); "各有关部门等" likewise.
        others.append(name[:-1] if name.endswith("等") and len(name) > 2 else name)
    return lead, others


def merge_units(*lists: list[str]) -> list[str]:
    """Concatenate unit lists, keeping the first occurrence of each name."""
    out: list[str] = []
    for items in lists:
        out.extend(u for u in items if u not in out)
    return out
