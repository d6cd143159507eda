"""Crawl traps: URL patterns that can generate pages without end, each held to a small budget of its own.

A trap must never eat the page budget that the homepage's sections, the 专栏 tree and their documents
need. Four kinds are recognised from the URL (and the page that linked it):

* calendar  a query parameter holding a date (?date=2026-11, ?ym=202611, ?year=2026&month=11) or a
            calendar path (/rili/2026-11.html): 活动日历, 领导日程 widgets link the next month forever
* repeat    a path whose segments repeat (/a/b/a/b/…, /x/x/x/): relative links on a catch-all page
* params    a query that multiplies (a key given twice, or more than MAX_PARAMS keys): links that
            append to the current query (?sort=1&sort=1&…)
* counter   the same URL template with only a number changing, found on a page of that template
            (an endless 下一页/下一月 chain); legitimate pagers end, so this budget is max_list_pages

calendar, repeat and params URLs count against TRAP_BUDGET however they were found, and rank below
every ordinary page (focus.TRAP_MALUS). A counter URL counts only when a page of its own template
linked it: documents listed by a column page never do, so a cut never costs a listed document
(a URL cut on one page is still requested when another kind of page links it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

TRAP_BUDGET = 10                 # URLs per calendar/repeat/params pattern and site
MAX_PARAMS = 8
_DATE_VALUE = re.compile(r"^(19|20)\d\d([-/.]?(0?[1-9]|1[0-2]))([-/.]?\d{1,2})?$")
_DATE_KEYS = re.compile(r"^(date|day|days|month|year|ym|ymd|yearmonth|riqi|rq|time|d|m|y|cal|calendar)$", re.I)
_CAL_PATH = re.compile(r"/(calendar|rili|rl|richeng|rcap|schedule|huodongrili|ldrc)(/|[-_.]|$)", re.I)
_DATE_TOKEN = re.compile(r"(19|20)\d\d[-_/]?(0[1-9]|1[0-2])")
_DIGITS = re.compile(r"\d+")
KIND_LABELS = {"calendar": "日历/日期参数", "repeat": "路径重复", "params": "查询参数叠加", "counter": "编号递增链"}


@dataclass(frozen=True)
class TrapPattern:
    kind: str                    # calendar | repeat | params | counter
    key: str                     # host + template: what the budget is counted by
    label: str                   # for people and sites.capped ("trap:<label>")


def template(url: str) -> str:
    """host + path + query keys with every number replaced: the shape a counter chain keeps."""
    parts = urlsplit(url)
    query = "&".join(f"{k}={_DIGITS.sub('{n}', v)}" for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return f"{parts.hostname or ''}{_DIGITS.sub('{n}', parts.path or '/')}" + (f"?{query}" if query else "")


def _repeated_block(segments: list[str]) -> tuple[int, int] | None:
    """(start, size) of the first block of 1-3 segments that occurs twice in a row."""
    for size in (1, 2, 3):
        for start in range(len(segments) - 2 * size + 1):
            if segments[start:start + size] == segments[start + size:start + 2 * size]:
                return start, size
    return None


def classify(url: str, referer: str | None = None) -> TrapPattern | None:
    """The trap pattern `url` belongs to, if any (`referer`: the page that linked it)."""
    parts = urlsplit(url)
    host, path = parts.hostname or "", parts.path or "/"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keys = [k for k, _ in pairs]
    if any(_DATE_VALUE.match(v) and (_DATE_KEYS.match(k) or len(v) >= 6) for k, v in pairs) or (
            _CAL_PATH.search(path) and (_DATE_TOKEN.search(path) or any(_DATE_VALUE.match(v) for _, v in pairs))):
        shape = "&".join(f"{k}=…" for k in sorted(set(keys)))
        label = f"{host}{_DIGITS.sub('…', path) if not keys else path}" + (f"?{shape}" if shape else "")
        return TrapPattern("calendar", f"calendar {label}", label)
    segments = [s for s in path.split("/") if s]
    found = _repeated_block(segments)
    if found is not None:
        start, size = found
        block = "/".join(segments[start:start + size])
        label = f"{host}/{'/'.join([*segments[:start], f'({block}/)…'])}"
        return TrapPattern("repeat", f"repeat {label}", label)
    if len(keys) != len(set(keys)) or len(keys) > MAX_PARAMS:
        label = f"{host}{path}?{'&'.join(sorted(set(keys)))}…"
        return TrapPattern("params", f"params {label}", label)
    shape = template(url)
    if referer and "{n}" in shape and template(referer) == shape and referer != url:
        return TrapPattern("counter", f"counter {shape}", shape.replace("{n}", "N"))
    return None


@dataclass
class TrapBudget:
    """One site's trap counters: how many URLs of each pattern were admitted, and which were cut."""

    budget: int = TRAP_BUDGET
    counter_budget: int = 50     # max_list_pages: a real pager is as long as a list may be read
    admitted: dict[str, int] = field(default_factory=dict)
    cut: dict[str, set[str]] = field(default_factory=dict)
    patterns: dict[str, TrapPattern] = field(default_factory=dict)

    def admit(self, url: str, referer: str | None) -> tuple[bool, TrapPattern | None]:
        """(request it?, its trap pattern if it has one)."""
        pattern = classify(url, referer)
        if pattern is None:
            return True, None
        limit = self.counter_budget if pattern.kind == "counter" else self.budget
        self.patterns.setdefault(pattern.key, pattern)
        if not self.take(pattern.key, limit, url):
            self.cut.setdefault(pattern.key, set()).add(url)
            return False, pattern
        self.admitted[pattern.key] = self.admitted.get(pattern.key, 0) + 1
        return True, pattern

    def take(self, key: str, limit: int, url: str) -> bool:
        """May `url` of the pattern be requested? One process counts in `admitted` alone (the spider
        asks only for URLs it has not requested yet). With several crawl workers the crawl state
        replaces this with the run's count, which must not charge a URL the run already requested
        or admitted (another worker's seen-set, or a page fetched again after its worker died)."""
        return self.admitted.get(key, 0) < limit

    def outcome(self, requested: set[str]) -> list[tuple[TrapPattern, int, int]]:
        """(pattern, admitted, cut and never requested otherwise) for every pattern that lost URLs."""
        out = []
        for key, urls in self.cut.items():
            lost = len(urls - requested)
            if lost:
                out.append((self.patterns[key], self.admitted.get(key, 0), lost))
        return out


def detail_sentence(lost: list[tuple[TrapPattern, int, int]]) -> str:
    """The crawl status's Chinese sentence naming every pattern a trap budget cut."""
    parts = [f"{KIND_LABELS[p.kind]} {p.label}（已抓取 {n} 个，另有 {cut} 个链接未抓取）" for p, n, cut in lost]
    return "疑似爬虫陷阱已按限额抓取：" + "；".join(parts) + "。" if parts else ""
