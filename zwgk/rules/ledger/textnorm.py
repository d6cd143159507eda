"""Text helpers shared by every ledger dialect: whitespace clean-up, headings, task numbers.

Ledgers reach us pasted out of Word, PDF and web pages, so the same wording shows up with stray
line breaks, non-breaking spaces, spaces between Chinese characters ("开展政府 网站整合") and
left-over HTML (<p>…</p>). Everything here is about reading through that noise without changing
what the ledger says.
"""

from __future__ import annotations

import re

# CJK ideographs plus full-width punctuation/forms. A space next to one of these is a line-wrap or
# layout artifact in Chinese text (Chinese does not separate words with spaces), so it is dropped.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef" \
       "\u201c\u201d\u2018\u2019\u2014\u2026"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_TAG = re.compile(r"</?(?:p|br|div|span|strong|b|i|font)\b[^>]*>", re.IGNORECASE)
_PARA_TAG = re.compile(r"<p\b[^>]*>(.*?)</p>", re.IGNORECASE | re.DOTALL)
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# 一、 二、 … (level 0) and （一） (一) … (level 1): the two heading levels every dialect uses.
_HEADING_L0 = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]")
_HEADING_L1 = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]{1,3}\s*[）)]")
# "23." "23．" "23、" "8. " at the start of a cell or paragraph. The separator is required (and may
# not be followed by a digit) so that "2021年…" or "1.5万" never read as task numbers.
_NUMBERED = re.compile(r"^\s*(\d{1,5})\s*[.．、](?:(?!\d)|(?=(?:19|20)\d\d年))\s*(.*)$", re.DOTALL)
_BARE_NUMBER = re.compile(r"^\s*(\d{1,5}(?:\.\d{1,2})?)\s*[.．、]?\s*$")
_SENTENCE_END = "。！？；;!?"


def ascii_digits(text: str) -> str:
    """Full-width digits (０-９) as ASCII, for number and date matching only."""
    return text.translate(_FULLWIDTH_DIGITS)


def normalize_text(text: str) -> str:
    """One line of clean text: tags stripped, whitespace runs collapsed, spaces next to Chinese
    characters removed ("2021 年" -> "2021年", "政府 网站" -> "政府网站"); ASCII words keep theirs."""
    text = _TAG.sub(" ", text or "")
    text = re.sub(r"[\s\u00a0\u3000]+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def split_points(text: str) -> list[str]:
    """The points of a cell: its <p>…</p> paragraphs when it has them, else the whole cell.

    Some ledgers (exported from web CMSs) keep the sub-points of a task as HTML paragraphs."""
    paragraphs = [normalize_text(p) for p in _PARA_TAG.findall(text or "")]
    paragraphs = [p for p in paragraphs if p]
    if len(paragraphs) > 1:
        return paragraphs
    clean = normalize_text(text)
    return [clean] if clean else []


def heading_level(text: str) -> int | None:
    """0 for "一、…", 1 for "（一）…"/"(一)…", None when the text is not a section heading."""
    if _HEADING_L1.match(text):
        return 1
    if _HEADING_L0.match(text):
        return 0
    return None


def split_number(text: str) -> tuple[str | None, str]:
    """("23", rest) for "23．区政府门户网站…", (None, text) when the text does not start numbered."""
    m = _NUMBERED.match(ascii_digits(text or ""))
    if not m:
        return None, text or ""
    # Slice the original (not the digit-translated) text so full-width characters survive.
    rest = (text or "")[m.start(2):]
    return m.group(1), rest


def bare_number(text: str) -> str | None:
    """The number in a 序号 cell ("16", " 21", "3."), or None."""
    m = _BARE_NUMBER.match(ascii_digits(text or ""))
    return m.group(1) if m else None


def ends_sentence(text: str) -> bool:
    """True when `text` ends a sentence (so a following paragraph is not its wrapped tail)."""
    stripped = text.rstrip().rstrip("”’\"')）")
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def is_title_like(text: str) -> bool:
    """A short name ("年度报告", "各类规划") rather than a sentence of task wording.

    Used to tell an unnumbered table row that names its own task from one that merely continues
    the task above (see table.build_tasks)."""
    clean = normalize_text(text)
    return 0 < len(clean) <= 20 and not any(ch in clean for ch in "。；;，,")
