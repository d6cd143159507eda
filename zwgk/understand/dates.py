"""Dates as Chinese government pages write them, and the strings that only look like dates.

Read: 2021-06-01, 2021/06/01, 2021.06.01, 2021年6月1日, 2021年06月01日 16:40, 2026-05-15 17:10:41,
[2021-06-01], dates split over lines by XML pretty-printing ("2026-\\n01-\\n23"), and 06-01 / 6月1日
when the caller knows the year.

Not read (they decide freshness, so a false date is worse than none):
* 索引号 tails: 000014348/2020-35428, 6107280000/2024-001005, 11341700mb1911893j/202211-00054 — a
  date never starts right after "/", "-", ".", a digit or a letter;
* 索引号 bodies such as 2026-02-00018 — the day may not run on into more digits;
* 文号 〔2021〕16号 — no month/day separators at all.
Impossible dates (month 35) are skipped, and the search goes on to the next candidate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_FULLWIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")

# Year-month-day with one separator used twice, or 年/月/日. The negative look-behind keeps
# index numbers out; the look-aheads stop "2026-02-00018" and "2021-06-01-0003" (index serials).
_FULL = re.compile(
    r"(?<![\d/\\.A-Za-z_-])(?P<y>(?:19|20)\d{2})\s*"
    r"(?:(?P<s>[-/.])\s*(?P<m>\d{1,2})\s*(?P=s)\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)"
    r"(?!\d)(?![-/]\d)"
)
# Month-day without a year (list rows on some portals); only read when the caller supplies the year.
_PARTIAL = re.compile(
    r"(?<![\d/\\.A-Za-z_年-])(?P<m>\d{1,2})\s*(?:(?P<s>[-/])\s*(?P<d>\d{1,2})|月\s*(?P<d2>\d{1,2})\s*日)"
    r"(?!\d)(?![-/.]\d)"
)
_TIME = r"(?:\s*T?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
_BRACKETS = "[]【】()（）〔〕<>「」"
_WHOLE_PARTIAL = re.compile(r"(?P<m>\d{1,2})\s*(?:[-/.]\s*(?P<d>\d{1,2})|月\s*(?P<d2>\d{1,2})\s*日?)" + _TIME)
_COMPACT = re.compile(r"(?:19|20)\d{6}")

# Dates that CMSs write into document URLs (TRS t20210601_, Hanweb /art/2021/6/1/, 无锡 /doc/…,
# gov.cn /2018-12/29/content_, and plain 8-digit date directories).
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/doc/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/content_"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
)


def _mk(y: int | str, m: int | str, d: int | str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def _from_full(m: re.Match[str]) -> date | None:
    return _mk(m["y"], m["m"] or m["m2"], m["d"] or m["d2"])


def _normalise(text: str) -> str:
    return text.translate(_FULLWIDTH)


def find_dates(text: str | None) -> list[date]:
    """Every valid year-month-day date in `text`, in order of appearance."""
    if not text:
        return []
    return [d for m in _FULL.finditer(_normalise(text)) if (d := _from_full(m))]


def find_date(text: str | None, year: int | None = None) -> date | None:
    """The first valid date in `text`; month-day forms only when `year` is given."""
    if not text:
        return None
    text = _normalise(text)
    for m in _FULL.finditer(text):
        if d := _from_full(m):
            return d
    if year is not None:
        for m in _PARTIAL.finditer(text):
            if d := _mk(year, m["m"], m["d"] or m["d2"]):
                return d
    return None


def parse_date(text: str | None, year: int | None = None) -> date | None:
    """`text` is exactly one date (brackets, a time of day and surrounding blanks allowed), else None.

    Stricter than find_date: "发布日期：2021-06-01" is not a date, "[2021-06-01 16:40]" is.
    """
    if not text:
        return None
    s = _normalise(text).strip().strip(_BRACKETS).strip()
    if _COMPACT.fullmatch(s):
        return _mk(s[:4], s[4:6], s[6:])
    m = _FULL.match(s)
    if m and re.fullmatch(_TIME, s[m.end():]):
        return _from_full(m)
    if year is not None and (p := _WHOLE_PARTIAL.fullmatch(s)):
        return _mk(year, p["m"], p["d"] or p["d2"])
    return None


def date_from_url(url: str | None) -> date | None:
    """The date a CMS put into a document URL (/t20210601_1.html, /art/2021/6/1/, /doc/2021/06/01/)."""
    if not url:
        return None
    for pattern in _URL_DATES:
        for m in pattern.finditer(url):
            if d := _mk(*m.groups()):
                return d
    return None


def newest(dates: Iterable[date | None]) -> date | None:
    """The latest of the known dates (None when there is none)."""
    known = [d for d in dates if d is not None]
    return max(known) if known else None
