"""List pages: which links are the column's documents, with their titles and dates.

How the main list is found (pages differ too much for one selector):
1. Every ul/ol (rows = li), table (rows = tr, through tbody/thead), dl (rows = dd) and div with ≥2
   same-tag div/p children is a candidate container.
2. Each row is read by rows.read_row (title link, date, 解读 links). Rows without a link (li.empty
   spacers) are skipped; rows that hold many links or long text are wrappers, not rows.
3. A container scores 1 per row dated in its text, 0.8 per row dated only by URL, 0.3 per undated row
   linking to a document-looking URL (not a directory or index page). Containers inside page furniture
   (nav, header, footer, menu classes) count a quarter. The best container must score ≥ 0.85
   (one dated row, or three undated document rows).
4. Containers like the best one are added: same tag and first class (repeated blocks), or hidden
   siblings near it (tab panes with display:none — their items are kept and flagged hidden).
Hanweb pages carry the first group of records as <datastore> XML in a script; those records are
the list (source="datastore"). 工信部 (jpaas) serves the list inside JSON ({"data":{"html":…}}).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

from lxml import etree

from zwgk.understand._html import (
    clean,
    describe,
    is_chrome,
    is_hidden,
    parse_fragment,
    parse_html,
    tag_of,
    text_of,
)
from zwgk.understand.dates import newest
from zwgk.understand.pager import Pager, parse_pager
from zwgk.understand.rows import INTERP_WORDS, ListItem, Row, read_row

__all__ = ["INTERP_WORDS", "ListItem", "ListPage", "Pager", "newest_date", "parse_list"]

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.S | re.I)
_DS_FIELD = re.compile(r"<(totalpage|totalrecord|perpage)>\s*(\d+)\s*</\1>", re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?.*?href=['\"]([^'\"]+)", re.S | re.I)
_EMPTY_MARK = re.compile(r"暂无(信息|数据|内容|记录|相关)|没有(找到|相关|记录)|无相关(信息|记录)")
_DATE_HEAD = (re.compile(r"发布|公开"), re.compile(r"日期|时间"), re.compile(r"成文|发文"))
_INDEX_HEAD = re.compile(r"索引")
_HEAD_WORDS = re.compile(r"名称|标题|题目|日期|时间|索引|文号|发布机构|序号")
_MIN_SCORE = 0.85                # one dated row, or three undated document rows (3 × 0.3)


@dataclass
class ListPage:
    items: list[ListItem] = field(default_factory=list)
    has_list: bool = False              # a list area was found (it may hold no items)
    pager: Pager | None = None
    containers: list[str] = field(default_factory=list)   # evidence: "ul.u-list", "datastore" …
    empty_marker: bool = False          # the page says 暂无信息 / 没有记录

    @property
    def newest(self) -> date | None:
        return newest_date(self.items)

    @property
    def undated(self) -> list[ListItem]:
        return [i for i in self.items if i.date is None]


def newest_date(items: list[ListItem]) -> date | None:
    """The newest item date; undated items are ignored (the check counts them separately)."""
    return newest(i.date for i in items)


# --- containers ----------------------------------------------------------------------------------


def _rows_of(el: etree._Element) -> list[etree._Element]:
    tag = tag_of(el)
    if tag in ("ul", "ol"):
        return [c for c in el if tag_of(c) == "li"]
    if tag == "table":
        rows = []
        for c in el:
            if tag_of(c) == "tr":
                rows.append(c)
            elif tag_of(c) in ("tbody", "thead", "tfoot"):
                rows.extend(r for r in c if tag_of(r) == "tr")
        return rows
    if tag == "dl":
        return [c for c in el if tag_of(c) == "dd"]
    if tag == "div":
        kids = [c for c in el if tag_of(c) in ("div", "p", "li", "dd")]
        tags = [tag_of(c) for c in kids]
        return kids if any(tags.count(t) >= 2 for t in set(tags)) else []
    return []


def _table_columns(rows: list[etree._Element]) -> tuple[int | None, int | None, list[etree._Element]]:
    """(date column, 索引号 column, data rows) from a header row 名称|索引号|发布机构|发布日期."""
    if not rows:
        return None, None, rows
    head = rows[0]
    cells = [c for c in head if tag_of(c) in ("td", "th")]
    texts = [clean(text_of(c)) for c in cells]
    is_head = cells and (all(tag_of(c) == "th" for c in cells) or (
        not list(head.iter("a")) and sum(bool(_HEAD_WORDS.search(t)) for t in texts) >= 2))
    if not is_head:
        return None, None, rows
    date_col = None
    for pattern in _DATE_HEAD:      # 发布/公开日期 first, then any 日期/时间, 成文日期 last
        date_col = next((i for i, t in enumerate(texts) if pattern.search(t) and not _INDEX_HEAD.search(t)
                         and ("日期" in t or "时间" in t)), None)
        if date_col is not None:
            break
    index_col = next((i for i, t in enumerate(texts) if _INDEX_HEAD.search(t)), None)
    return date_col, index_col, rows[1:]


def _read_container(el: etree._Element, base_url: str) -> tuple[float, list[Row]]:
    rows = _rows_of(el)
    date_col = index_col = None
    if tag_of(el) == "table":
        date_col, index_col, rows = _table_columns(rows)
    read = [r for row in rows if (r := read_row(row, base_url, date_col, index_col))]
    score = sum(r.score for r in read)
    if is_chrome(el):
        score *= 0.25
    return score, read


def _signature(el: etree._Element) -> tuple[str, str]:
    classes = el.get("class", "").split()
    return tag_of(el), classes[0] if classes else ""


def _related(el: etree._Element, best: etree._Element) -> bool:
    """Same kind of block as the best list, or a hidden tab pane next to it."""
    if el in best.iterancestors() or best in el.iterancestors():
        return False
    if _signature(el) == _signature(best) and _signature(el)[1]:
        return True
    if is_hidden(el):
        near = list(best.iterancestors())[:3]
        return any(a in near for a in el.iterancestors())
    return False


def _dom_items(root: etree._Element, base_url: str) -> tuple[list[ListItem], list[str]]:
    scored = []
    for el in root.iter("ul", "ol", "table", "dl", "div"):
        score, rows = _read_container(el, base_url)
        if rows:
            scored.append((score, len(rows), el, rows))
    if not scored:
        return [], []
    order = {id(s[2]): i for i, s in enumerate(scored)}
    best = max(scored, key=lambda s: (s[0], s[1], -order[id(s[2])]))
    if best[0] < _MIN_SCORE:
        return [], []
    chosen = [best] + [s for s in scored if s is not best and s[0] >= _MIN_SCORE and _related(s[2], best[2])]
    chosen.sort(key=lambda s: order[id(s[2])])
    items: list[ListItem] = []
    for _, _, _, rows in chosen:
        for r in rows:
            r.item.hidden = is_hidden(r.el)
            items.append(r.item)
    return items, [describe(s[2]) + (" (hidden)" if is_hidden(s[2]) else "") for s in chosen]


# --- Hanweb datastore and JSON-wrapped lists ------------------------------------------------------


def _datastore_items(blocks: list[str], base_url: str) -> tuple[list[ListItem], Pager | None]:
    items: list[ListItem] = []
    pager = None
    for block in blocks:
        for cdata, plain in _RECORD.findall(block):
            frag = parse_fragment(cdata if cdata else htmllib.unescape(plain))
            if frag is None:
                continue
            rows = [r for r in frag.iter("li", "tr")] or [frag]
            for row in rows:
                if (r := read_row(row, base_url)) is not None:
                    r.item.source = "datastore"
                    items.append(r.item)
        fields = {k.lower(): int(v) for k, v in _DS_FIELD.findall(block)}
        nxt = _NEXTGROUP.search(block)
        if pager is None and (fields or nxt):
            pager = Pager(page_count=fields.get("totalpage"), total_records=fields.get("totalrecord"),
                          per_page=fields.get("perpage"), scheme="datastore",
                          next_url=urljoin(base_url, htmllib.unescape(nxt.group(1))) if nxt else None)
    return items, pager


def _unwrap_json(text: str) -> str:
    """jpaas APIs answer {"data": {"html": "<ul>…"}}; return the HTML inside, else the text."""
    if not text.lstrip().startswith("{"):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("html"), str):
                return node["html"]
            stack.extend(node.values())
    return text


def _dedupe(items: list[ListItem]) -> list[ListItem]:
    """One item per URL; a visible copy wins over a hidden one (tabs often repeat the first tab)."""
    seen: dict[str, ListItem] = {}
    for item in items:
        prev = seen.setdefault(item.url, item)
        if prev is item:
            continue
        prev.hidden = prev.hidden and item.hidden
        known = {x.url for x in prev.interpretation_links}
        prev.interpretation_links.extend(x for x in item.interpretation_links if x.url not in known)
    return list(seen.values())


def _says_empty(root: etree._Element) -> bool:
    """A short text of its own saying 暂无信息 / 没有记录 (not a sentence of some article)."""
    for el in root.iter():
        if isinstance(el.tag, str) and tag_of(el) not in ("script", "style"):
            for text in (el.text, el.tail):
                t = (text or "").strip()
                if t and len(t) <= 20 and _EMPTY_MARK.search(t):
                    return True
    return False


def _tree_without_datastore(html: str, blocks: list[str], root: etree._Element | None) -> etree._Element | None:
    """The parse of `html` without its <datastore> blocks. `root`, the parse of `html` itself, is that
    tree when there are none, or when each is text of a <script> (which no list reader reads) that
    holds no other markup (so removing the blocks cannot move where the script ends)."""
    if root is not None:
        if not blocks:
            return root
        in_scripts: list[str] = []
        for el in root.iter("script"):
            found = _DATASTORE.findall(el.text or "")
            if found and "<" in _DATASTORE.sub("", el.text):
                in_scripts = []
                break
            in_scripts += found
        if in_scripts == blocks:
            return root
    return parse_html(_DATASTORE.sub("", html) if blocks else html)


def parse_list(html: str | None, base_url: str, root: etree._Element | None = None) -> ListPage:
    """Read a column list page (HTML, a Hanweb page with <datastore>, or a jpaas JSON answer).
    `root`: the page's tree when the caller has already parsed `html` (parse_html), so it is not
    parsed again."""
    page = ListPage()
    if not html:
        return page
    text = _unwrap_json(html)
    blocks = _DATASTORE.findall(text)
    ds_items, ds_pager = _datastore_items(blocks, base_url)
    root = _tree_without_datastore(text, blocks, root if text is html else None)
    html = text
    page.pager = parse_pager(html, root, base_url) or ds_pager
    if blocks:
        page.items, page.has_list, page.containers = _dedupe(ds_items), True, ["datastore"]
        if ds_pager and (page.pager is None or page.pager.scheme == "text"):
            page.pager = ds_pager
    elif root is not None:
        items, containers = _dom_items(root, base_url)
        page.items, page.containers, page.has_list = _dedupe(items), containers, bool(containers)
    if root is not None and _says_empty(root):
        page.empty_marker = True
        page.has_list = True
    return page
