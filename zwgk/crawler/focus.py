"""Crawl focus: which requests go first, so a page cap cuts the pages that matter least.

Scrapy pops the highest priority first. The 政府信息公开 专栏 tree (recognised by column names and
URL segments from the column catalogue), 解读 links and list pages rank above ordinary deep pages.
URLs of a crawl-trap pattern (calendar, repeating path, multiplying query; traps.py) rank below every
ordinary page, whatever bonuses their anchor or path would earn: a trap can never starve the
homepage's sections, the 专栏 tree or the documents they list of the page budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

BASE = 1000
PER_DEPTH = 100                  # one level deeper costs more than any topical bonus but the 专栏's
GK_BONUS = 300                   # the 政府信息公开 tree: the subject of the inspection
INTERPRETATION_BONUS = 150       # 解读 pages decide policy.interpretation
LIST_BONUS = 50                  # list pages lead to many documents
GK_LIST_BONUS = 150              # a 专栏 column page outranks the documents one level above it:
                                 # every column must be seen, not every document
ATTACHMENT_MALUS = 80            # status checks only; after the pages that link them
TRAP_MALUS = 10_000              # a crawl-trap pattern (traps.py): after every ordinary page at any depth

_LIST_URL = re.compile(r"(/|/index(_\d+)?\.s?html?|/col/col\d+/index\.html|/list[^/]*\.s?html?)$", re.I)


class Focus:
    def __init__(self, terms: Iterable[str], url_segments: Iterable[str]):
        words = sorted({t for t in terms if t}, key=len, reverse=True)
        self._terms = re.compile("|".join(map(re.escape, words))) if words else None
        segs = sorted({s.strip("/").lower() for s in url_segments if s.strip("/")})
        self._segments = re.compile(r"/(" + "|".join(map(re.escape, segs)) + r")(/|$)", re.I) if segs else None

    def is_gk(self, url: str, anchor: str = "", path: str | None = None) -> bool:
        if self._terms and anchor and self._terms.search(anchor):
            return True
        return bool(self._segments and self._segments.search(urlsplit(url).path if path is None else path))

    def priority(self, url: str, anchor: str, depth: int, kind: str = "page") -> int:
        score = BASE - PER_DEPTH * depth
        path = urlsplit(url).path           # once per link, for both tests below
        gk = self.is_gk(url, anchor, path)
        if gk:
            score += GK_BONUS
        if "解读" in anchor or "图解" in anchor:
            score += INTERPRETATION_BONUS
        if kind == "attachment":
            score -= ATTACHMENT_MALUS
        elif _LIST_URL.search(path or "/"):
            score += GK_LIST_BONUS if gk else LIST_BONUS
        return score
