"""Deadlines (完成时限 / 时限要求) and the ledger's year.

A deadline cell says things like "9月底", "2021年\\n12月10日前", "年底前", "全年持续推进" or
"适时推进". Dates without a year take the ledger's year (from its title). When a wording names
several dates the last one is the deadline (ledgers list stages in order: "6月底前启动，
12月底前完成"); the ledger's own words always stay in Deadline.text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from datetime import date

from zwgk.rules.ledger.textnorm import ascii_digits, normalize_text
from zwgk.rules.models import Deadline

# One scanner over the wording, left to right, so a year ("2021年") applies to the month/day
# mentions after it ("2021年\n12月10日前") until another year appears.
_TOKEN = re.compile(
    r"(?P<ymd>(?P<y1>20\d\d)[-/.](?P<m1>\d{1,2})[-/.](?P<d1>\d{1,2}))"
    r"|(?P<half>上半年|下半年)"
    r"|(?P<quarter>第?(?P<q>[一二三四1234])季度)"
    r"|(?P<year>(?P<y>20\d\d)年(?P<yend>底|末|内)?)"
    r"|(?P<md>(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号]|(?P<part>底|末|份|上旬|中旬|下旬))?)"
    r"|(?P<yearend>年底|年末)"
)
_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
# Wordings that mean "keep doing it" and "when needed". Checked only when no date is named.
_AS_NEEDED = re.compile(r"适时|根据.{0,6}需要|按需|视情|根据上级|按照上级|按上级|另行")
_CONTINUOUS = re.compile(r"全年|持续|长期|常态|长效|每年|每半年|每季|每月|每周|日常|随时|及时|经常|动态|定期")
# A deadline inside running prose must say "before": "2021年底前", "10月底前", "6月30日以前".
_MONTH_DAY = r"\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|底|末|上旬|中旬|下旬)?"
_PROSE_DEADLINE = re.compile(
    rf"(?:20\d\d\s*年\s*(?:{_MONTH_DAY}|底|末)|{_MONTH_DAY}|年\s*[底末])\s*(?:前|以前|之前)"
)
_YEAR = re.compile(r"(20\d\d)\s*年")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _dates(wording: str, year: int | None) -> Iterator[date]:
    """Every date `wording` names, in order. Mentions without a usable year are skipped."""
    current = year
    for m in _TOKEN.finditer(wording):
        try:
            if m.group("ymd"):
                yield date(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
            elif m.group("half") and current:
                yield date(current, 6, 30) if m.group("half") == "上半年" else date(current, 12, 31)
            elif m.group("quarter") and current:
                yield _month_end(current, _QUARTER[m.group("q")])
            elif m.group("year"):
                current = int(m.group("y"))
                if m.group("yend"):
                    yield date(current, 12, 31)
            elif m.group("md") and current:
                month, day, part = int(m.group("m")), m.group("d"), m.group("part")
                if day:
                    yield date(current, month, int(day))
                elif part == "上旬":
                    yield date(current, month, 10)
                elif part == "中旬":
                    yield date(current, month, 20)
                else:  # 底 / 末 / 份 / 下旬 / bare "9月": by the end of that month
                    yield _month_end(current, month)
            elif m.group("yearend") and current:
                yield date(current, 12, 31)
        except ValueError:  # "2月30日", "13月": not a date; the wording is kept as text anyway
            continue


def parse_deadline(text: str, year: int | None) -> Deadline:
    """Read one deadline wording. `year` fills in dates written without one ("9月底")."""
    wording = normalize_text(text)
    compact = ascii_digits(re.sub(r"\s+", "", wording))
    found = list(_dates(compact, year))
    if found:
        return Deadline(kind="date", date=found[-1], text=wording)
    if _AS_NEEDED.search(compact):
        return Deadline(kind="as_needed", text=wording)
    if _CONTINUOUS.search(compact):
        return Deadline(kind="continuous", text=wording)
    return Deadline(kind="unknown", text=wording)


def combine_deadlines(wordings: Iterable[str], year: int | None) -> Deadline:
    """One deadline from the wordings of a task's rows ("9月30日前" on one sub-row, "全年" on another).

    The last dated wording wins (a date is what can be checked); with no date, the last wording
    that means continuous / as-needed. Every distinct wording is kept in the text, in order."""
    unique: list[str] = []
    for w in wordings:
        clean = normalize_text(w)
        if clean and clean not in unique:
            unique.append(clean)
    if not unique:
        return Deadline()
    parsed = [parse_deadline(w, year) for w in unique]
    dated = [d for d in parsed if d.kind == "date"]
    known = [d for d in parsed if d.kind != "unknown"]
    best = dated[-1] if dated else (known[-1] if known else parsed[-1])
    return Deadline(kind=best.kind, date=best.date, text="；".join(unique))


def prose_deadlines(text: str) -> list[str]:
    """Deadline phrases inside running prose ("2021年底前，在区级政务服务大厅…")."""
    return [normalize_text(m.group(0)) for m in _PROSE_DEADLINE.finditer(ascii_digits(text))]


def find_year(*texts: str) -> int | None:
    """The first "20xx年" in the given texts (title first), or None."""
    for text in texts:
        m = _YEAR.search(ascii_digits(text or ""))
        if m:
            return int(m.group(1))
    return None
