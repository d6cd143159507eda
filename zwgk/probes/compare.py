"""Is the homepage served over IPv6 the same page as over IPv4?

Rule (国家IPv6发展监测平台 item「首页IPv6与IPv4内容一致」; its exact algorithm is not published):
both fetches are reduced to what a visitor reads — the <title> and the visible text segments
(text nodes outside script/style/noscript/template/svg), whitespace collapsed, with dates, clock
times and long digit runs (visit counters, nonces) blanked because they change between two
fetches. The pages are *consistent* when the titles are equal AND the segment sequences are at
least `min_ratio` similar (difflib ratio over segments, profile setting `ipv6_content_min_ratio`,
default 0.9). Segment-level matching is fast on large pages and, unlike a character-level ratio,
is not skewed by difflib's junk heuristic on common Chinese characters. The share of shared
links is reported as evidence only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import Any

_SKIP = frozenset({"script", "style", "noscript", "template", "svg"})
_VOLATILE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"     # 2026-11-22, 2026年11月22日
    r"|\d{1,2}:\d{2}(?::\d{2})?"                                # 09:30, 09:30:15
    r"|星期[一二三四五六日天]"
    r"|\d{5,}"                                                  # counters, nonces, cache-busters
)
_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WS.sub(" ", _VOLATILE.sub("#", text.replace("\u3000", " "))).strip()


@dataclass
class PageDigest:
    title: str = ""
    segments: list[str] = field(default_factory=list)
    links: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.digest = PageDigest()
        self._skip = 0
        self._in_title = False
        self._title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag == "title" and not self._skip and not self._title:   # the page's, not an <svg>'s
            self._in_title = True
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:")):
                self.digest.links.add(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)
        elif not self._skip:
            text = normalise(data)
            if text and text != "#":
                self.digest.segments.append(text)

    def close(self) -> None:
        super().close()
        self.digest.title = normalise("".join(self._title))


def digest(html: str) -> PageDigest:
    parser = _Collector()
    parser.feed(html or "")
    parser.close()
    return parser.digest


@dataclass
class Comparison:
    consistent: bool
    title_equal: bool
    text_ratio: float
    link_overlap: float
    min_ratio: float
    titles: dict[str, str]
    differences: list[dict[str, str]]   # a few differing passages {ipv4, ipv6}

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "text_ratio": round(self.text_ratio, 4)}

    def describe(self) -> str:
        """What differed, in one Chinese phrase for a finding message."""
        parts = []
        if not self.title_equal:
            parts.append(f"标题不同（IPv4「{self.titles['ipv4']}」，IPv6「{self.titles['ipv6']}」）")
        if self.text_ratio < self.min_ratio:
            parts.append(f"正文相似度 {self.text_ratio:.1%} 低于 {self.min_ratio:.0%}")
        return "；".join(parts) or "内容一致"


def compare_pages(html4: str, html6: str, min_ratio: float = 0.9) -> Comparison:
    d4, d6 = digest(html4), digest(html6)
    matcher = SequenceMatcher(None, d4.segments, d6.segments, autojunk=False)
    ratio = matcher.ratio()
    union = d4.links | d6.links
    differences = [
        {"ipv4": " ".join(d4.segments[i1:i2])[:120], "ipv6": " ".join(d6.segments[j1:j2])[:120]}
        for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    ][:5]
    title_equal = d4.title == d6.title
    return Comparison(
        consistent=title_equal and ratio >= min_ratio, title_equal=title_equal, text_ratio=ratio,
        link_overlap=round(len(d4.links & d6.links) / len(union), 4) if union else 1.0, min_ratio=min_ratio,
        titles={"ipv4": d4.title, "ipv6": d6.title}, differences=differences)
