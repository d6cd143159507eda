"""The one column-role detector: header labels (data: zwgk/rules/ledger_headers.yaml) and cell kinds.

Every tabular reader — .docx, .xlsx/.xls/.csv, .html, .pdf, and text pastes rebuilt into rows — asks
here what a header cell names (`label_role`) and what a data cell looks like (`cell_kind`: a bare
number, a 一、/（一） heading, a numbered item, a unit list, a deadline, long wording, a short label).
`fit(kind, role)` scores how well a cell belongs in a column; the text-paste readers use it to put
cells whose row lost its merged neighbours back under the right header, and layout.py uses it to
tell a group-label column from the requirement column.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from zwgk.rules.ledger.dates import parse_deadline
from zwgk.rules.ledger.textnorm import bare_number, heading_level, normalize_text, split_number
from zwgk.rules.ledger.units import UNIT_END_CHARS

Role = Literal["number", "section", "title", "text", "lead", "responsible", "deadline", "ignore"]
Kind = Literal["empty", "number", "heading", "item", "numlabel", "unit", "deadline", "long", "label"]
ROLES: tuple[str, ...] = ("number", "title", "text", "lead", "responsible", "deadline", "ignore")

_CLEAN = re.compile(r"[\s:：*＊]")


@cache
def _table() -> dict:
    text = resources.files("zwgk.rules").joinpath("ledger_headers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    variants = {str(k): str(v) for k, v in (data.get("variants") or {}).items()}
    exact: dict[str, str] = {}
    for role, spec in data["roles"].items():
        for label in spec.get("exact") or []:
            exact.setdefault(_CLEAN.sub("", str(label)), role)
    contains = [(role, [str(w) for w in data["contains"].get(role) or []]) for role in data["contains_order"]]
    return {"variants": str.maketrans(variants), "exact": exact, "contains": contains}


def simplify(text: str) -> str:
    """Traditional characters of the header table mapped to simplified (for matching only)."""
    return (text or "").translate(_table()["variants"])


def label_role(text: str) -> Role | None:
    """The role a header cell names, or None when it is not a known header label."""
    label = _CLEAN.sub("", simplify(text))
    if not label or len(label) > 12 or heading_level(label) is not None or split_number(label)[0]:
        return None
    table = _table()
    role = table["exact"].get(label)
    if role:
        return role  # type: ignore[return-value]
    for role, words in table["contains"]:
        if any(w in label for w in words):
            return role  # type: ignore[return-value]
    return None


_ROLE_SUFFIX = re.compile(r"(?:共同牵头|牵头落实|牵头负责|牵头|配合落实|配合|负责落实|负责|参照落实|按职能分工落实|"
                          r"按职责分工落实|分工落实|落实|主办|协办|参与|协助|等有关部门|等相关部门|等部门|等单位|等)+$")


def unit_core(part: str) -> str:
    """A unit list item without its role words: "办公室牵头" -> "办公室", "土管所等" -> "土管所"."""
    return _ROLE_SUFFIX.sub("", part.strip()).rstrip(")）〕]」").strip()


def is_unit_like(text: str) -> bool:
    """A cell naming units ("办公室", "财政所、便民综合服务中心、土管所等", "市发改委牵头，各部门配合")."""
    clean = simplify(normalize_text(text)).rstrip("。.；;")
    if not clean or len(clean) > 90 or "。" in clean:
        return False
    parts = [p for p in re.split(r"[、，,；;/\s]+", clean) if p.strip()]
    cores = [unit_core(p) for p in parts]
    ends = sum(1 for c in cores if c[-1:] in UNIT_END_CHARS)
    return bool(parts) and ends * 2 >= len(parts) and all(len(p) <= 30 for p in parts)


def is_deadline_like(text: str) -> bool:
    clean = normalize_text(text)
    if not clean or len(clean) > 40:
        return False
    kind = parse_deadline(clean, 2000).kind  # any year: only the kind matters
    if kind == "date":
        return True
    return kind != "unknown" and len(clean) <= 12 and clean[-1] not in UNIT_END_CHARS


def cell_kind(text: str) -> Kind:
    clean = normalize_text(text)
    if not clean:
        return "empty"
    if bare_number(clean):
        return "number"
    if heading_level(clean) is not None and not split_number(clean)[0]:
        return "heading"
    if split_number(clean)[0]:
        return "numlabel" if len(clean) <= 22 and "。" not in clean else "item"
    if is_deadline_like(clean):
        return "deadline"
    if is_unit_like(clean):
        return "unit"
    if len(clean) >= 25 or "。" in clean:
        return "long"
    return "label"


# fit[kind][role]: how well a cell of that kind belongs in a column of that role.
_FIT: dict[str, dict[str, float]] = {
    "number":   {"number": 4, "section": -3, "title": -3, "text": -3, "lead": -3, "responsible": -3,
                 "deadline": -3},
    "heading":  {"number": -4, "section": 3, "title": 1, "text": 0, "lead": -2, "responsible": -2, "deadline": -2},
    "item":     {"number": -4, "section": -1, "title": 1, "text": 3, "lead": -2, "responsible": -2, "deadline": -2},
    "numlabel": {"number": -4, "section": 1, "title": 3, "text": 1, "lead": -2, "responsible": -2, "deadline": -2},
    "unit":     {"number": -4, "section": -1, "title": -1, "text": -1, "lead": 3, "responsible": 3, "deadline": -1},
    "deadline": {"number": -4, "section": -2, "title": -2, "text": -1, "lead": -1, "responsible": -1, "deadline": 3},
    "long":     {"number": -4, "section": -2, "title": 0, "text": 3, "lead": -2, "responsible": -2, "deadline": -2},
    "label":    {"number": -4, "section": 2, "title": 2, "text": 1, "lead": 1, "responsible": 1, "deadline": -1},
}


def fit(kind: Kind, role: str) -> float:
    if kind == "empty" or role == "ignore":
        return 0.0
    return _FIT[kind].get(role, 0.0)
