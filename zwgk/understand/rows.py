"""One row of a list: its document link, title, date and inline 解读 links.

A row (li / tr / dd / repeated div) is read as:
* primary link — the longest-titled link outside nested pop-ups and lists (a category tag "[通知]" or
  an inline "解读" link is shorter than the title);
* title — the link text, or its title= when the text is cut short with … / ...;
* date — the last date in the row text outside the title link and the pop-ups (so a date inside a
  title, or inside a 解读 pop-up, is not the row's date); in tables the header-named date column,
  and never the 索引号 column; failing that, the date in the document URL;
* 解读 links — the row's other links whose text, or pop-up label (相关解读), says 解读/图解 …, incl.
  hidden pop-ups (NDRC div.popbox, MIIT dl.tslb-list). They belong to the row; they are not items.
* 解读 label — a tag in the row that only says 解读/图解 (MIIT's hidden `font.jd`): the list states the
  document has a 解读, even where it links none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from lxml import etree

from zwgk.store import Link
from zwgk.understand._html import SKIP_TAGS, clean, is_element, is_hidden, own_hidden, tag_of, text_of
from zwgk.understand.dates import date_from_url, find_dates
from zwgk.understand.page import classify_href

INTERP_WORDS = re.compile(r"解读|图解|一图|图表|答记者问|问答|政策解析|视频解读")
_LABEL = re.compile(r"[【\[（(]?(?:政策)?(?:解读|图解|一图读懂)[】\]）)]?")
_ELLIPSIS = re.compile(r"(…|\.{2,}|。。)\s*$")
_INDEX_FILE = re.compile(r"^(index|default|list|main)(_\d+)?\.\w+$", re.I)
_JD_CLASS = re.compile(r"(^|[\s_-])(ts)?jd([\s_-]|box|list|$)", re.I)
_ROW_TEXT_LIMIT = 400


@dataclass
class ListItem:
    title: str
    url: str
    date: date | None
    hidden: bool = False
    interpretation_links: list[Link] = field(default_factory=list)
    source: str = "dom"                 # dom | datastore
    date_source: str | None = None      # row | url (None: undated)
    interpretation_label: bool = False  # the row says it has a 解读 (a "解读" tag, MIIT font.jd) without a link


@dataclass
class Row:
    item: ListItem
    score: float
    el: etree._Element


def _link_title(a: etree._Element) -> str:
    """Link text, or the full title= when the text is cut short (…) or empty."""
    text, full = text_of(a), clean(a.get("title"))
    if not text:
        return full
    stem = _ELLIPSIS.sub("", text).strip()
    if full and (_ELLIPSIS.search(text) or (len(full) > len(text) and full.startswith(stem))):
        return full
    return text


def _asides(row: etree._Element) -> list[etree._Element]:
    """Nested pop-ups and lists inside a row (NDRC div.popbox, MIIT dl.tslb-list): not the row's title."""
    out = []
    for el in row.iterdescendants():
        nested = is_element(el) and (own_hidden(el) or tag_of(el) in ("ul", "ol", "dl", "table"))
        if nested and not any(a in out for a in el.iterancestors()):
            out.append(el)
    return out


def _inside(el: etree._Element, containers: list[etree._Element]) -> etree._Element | None:
    for anc in el.iterancestors():
        if anc in containers:
            return anc
    return None


def _text_outside(row: etree._Element, exclude: list[etree._Element]) -> str:
    """Row text without the excluded subtrees (title link, pop-ups), comments and scripts."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node in exclude or tag_of(node) in SKIP_TAGS:
            return
        parts.append(node.text or "")
        for child in node:
            if is_element(child):
                walk(child)
            parts.append(child.tail or "")

    walk(row)
    return " ".join(p for p in parts if p.strip())


def _doc_like(url: str) -> bool:
    """A document URL, not a directory or a column index page."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(name) and not _INDEX_FILE.match(name)


def read_row(row: etree._Element, base_url: str, date_col: int | None = None,
              skip_col: int | None = None) -> Row | None:
    anchors = list(row.iter("a"))
    if not anchors or len(anchors) > 12:
        return None                                        # spacer, or a wrapper around many rows
    asides = _asides(row)
    links: list[tuple[etree._Element, str, str]] = []     # (element, kind, url)
    for a in anchors:
        kind, url = classify_href(a.get("href") or "", base_url)
        if kind in ("page", "attachment", "external"):
            links.append((a, kind, url))
    main = [x for x in links if _inside(x[0], asides) is None]
    if not main:
        return None                                        # spacer row (li.empty) or text-only row
    primary = max(main, key=lambda x: len(_link_title(x[0])))
    title = _link_title(primary[0])
    if not title:
        return None
    interp, others = [], 0
    for a, kind, url in links:
        if a is primary[0]:
            continue
        aside = _inside(a, asides)
        says = f"{text_of(a)} {a.get('title', '')}"
        if aside is not None:       # the pop-up's own label (h3/dt 相关解读) and class (tsjd, jd-box)
            says += f" {_text_outside(aside, [x[0] for x in links])} {aside.get('class', '')}"
        if INTERP_WORDS.search(says) or _JD_CLASS.search(says):
            interp.append(Link(url=url, anchor=clean(a.get("title")) or text_of(a), kind=kind,
                               hidden=is_hidden(a)))
        elif aside is None:
            others += 1
    label = any(is_element(el) and tag_of(el) != "a" and _LABEL.fullmatch(clean(el.text or ""))
                and not list(el) for el in row.iterdescendants())
    outside = _text_outside(row, [primary[0], *asides])
    if others > 2 or len(outside) + len(title) > _ROW_TEXT_LIMIT:
        return None                                        # a wrapper around many rows, not a row
    cells = [c for c in row if tag_of(c) in ("td", "th")]
    if date_col is not None and date_col < len(cells):
        dates = find_dates(_text_outside(cells[date_col], asides))
    else:
        skip = [cells[skip_col]] if skip_col is not None and skip_col < len(cells) else []
        dates = find_dates(_text_outside(row, [primary[0], *asides, *skip]))
    item = ListItem(title=title, url=primary[2], date=dates[-1] if dates else None, interpretation_links=interp,
                    interpretation_label=label)
    if item.date:
        item.date_source, score = "row", 1.0
    elif (d := date_from_url(item.url)) is not None:
        item.date, item.date_source, score = d, "url", 0.8
    else:
        score = 0.3 if _doc_like(item.url) and len(title) >= 6 else 0.0
    return Row(item, score, row)
