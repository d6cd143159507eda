"""Detail-page metadata (the 信息公开 header of a document): 索引号, 发布机构, 成文日期, 文号 …

One reader for every dialect instead of one selector per site. A *label* is a short element (td,
th, dt, b, strong, span, label …) whose text, without padding spaces and colon, is a known label; its
*value* is the next cell (td/th → td, dt → dd) or the text that follows it inside its parent (p/li:
`<strong>索引号</strong>：value`, `<span class="lab">发布机构：</span><span>value</span>`). A second
pass reads "标签：值" lines (`<li>发文字号：镇政发〔2024〕6号</li>`, "发布时间：… 来源：…").

Absent and empty are different findings: a label with a blank, dash or "—&nbsp;&nbsp;—" value is
present-but-empty; "无" is a real 文号; commented-out markup is absent (comments are skipped, but
their tails are kept, so 无锡's `<!--<$[SYH]>-->value<!--<$[SYH]>-->` still reads as the value).
生成日期 is an index stamp, not 成文日期: it is kept only under its raw label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from zwgk.understand._html import (
    SKIP_TAGS,
    clean,
    holders,
    is_chrome,
    is_element,
    parse_html,
    squeeze,
    subtrees,
    tag_of,
    text_of,
)
from zwgk.understand.dates import find_date

FIELDS = ("索引号", "主题分类", "发布机构", "成文日期", "文号", "发布日期", "标题", "有效性", "关键词")
ALIASES: dict[str, tuple[str, ...]] = {
    "索引号": ("索引号", "信息索引号"),
    "主题分类": ("主题分类", "主题类别", "主题分类号"),
    "发布机构": ("发布机构", "发文机关", "制发机关", "发布单位", "发文机构", "发文单位"),
    "成文日期": ("成文日期", "发文日期", "成文时间"),
    "文号": ("文号", "发文字号", "文件编号", "字号", "发文文号", "文件字号"),
    "发布日期": ("发布日期", "公开日期", "发布时间", "公开时间"),
    "标题": ("标题", "名称", "文件名称", "信息名称", "文件标题"),
    "有效性": ("有效性", "效力状况", "时效", "有效期", "时效性", "效力状态"),
    "关键词": ("关键词", "主题词", "关键字"),
}
BLOCK_FIELDS = ("索引号", "文号", "成文日期", "主题分类")
BLOCK_WORDS = ("索引号", "文号", "字号", "文件编号", "成文日期", "发文日期", "主题分类")   # cheap pre-filter
# Used only when no primary label is on the page: 来源 is often the author office, not the issuer.
FALLBACK_ALIASES: dict[str, tuple[str, ...]] = {"发布机构": ("来源", "信息来源", "文章来源")}
META_FALLBACK = {"发布日期": "PubDate", "发布机构": "ContentSource", "标题": "ArticleTitle"}
# Labels that are not canonical fields but are labels (kept raw, and they end a preceding value).
OTHER_LABELS = ("生成日期", "公开方式", "公开时限", "公开范围", "公开形式", "组配分类", "内容概述", "体裁分类",
                "规范性文件登记号", "登记号", "统一登记号", "归档时间", "浏览次数", "文件下载", "附件下载", "附件",
                "日期", "公开主体", "所属机构", "服务对象")

_CANON = {alias: canon for canon, aliases in ALIASES.items() for alias in aliases}
_FALLBACK = {alias: canon for canon, aliases in FALLBACK_ALIASES.items() for alias in aliases}
_KNOWN = {*_CANON, *_FALLBACK, *OTHER_LABELS}
_LABEL_TAGS = frozenset({"td", "th", "dt", "b", "strong", "span", "label", "em", "font", "div", "i"})
_CELL_TAGS = frozenset({"td", "th"})
_BLOCK_TAGS = frozenset({"p", "div", "li", "ul", "ol", "table", "tr", "td", "th", "dl", "dt", "dd", "h1", "h2",
                         "h3", "h4", "h5", "h6", "section", "article", "form", "tbody"})
_LINE_TAGS = ("p", "li", "td", "dd", "div", "span", "h2", "h3", "h4", "h5", "h6")
_LABEL_CLASS = re.compile(r"(^|\s)(t|title|lab|label|tit|name|bt|key|th|left)(\s|$)", re.I)
_CJK_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_COLON = ":："
_BLANK = re.compile(r"^[\s\u3000\xa0\-－—–_/／·.…]*$")
_FONT_SIZE = re.compile(r"^[【\[(（]?\s*[大中小]\s*[大中小]")    # 字号：【大 中 小】 is the font switcher
_PADDED = "|".join(r"\s*".join(map(re.escape, label)) for label in sorted(_KNOWN, key=len, reverse=True))
_LINE_LABEL = re.compile(rf"(?<![\u4e00-\u9fffA-Za-z0-9])({_PADDED}|[\u4e00-\u9fff]{{2,8}})\s*[:：]")


@dataclass
class MetaField:
    value: str                # "" when the label is on the page with no value
    label: str                # the label as written (spaces removed), or the <meta> name
    source: str               # label | fallback-label (来源) | meta
    empty_label: bool = False  # a visible label was there but empty (the value came from a fallback)


@dataclass
class DocMeta:
    fields: dict[str, MetaField] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)       # every label seen → its value (first wins)
    meta: dict[str, str] = field(default_factory=dict)      # <meta name=…> of the page

    def value(self, name: str) -> str | None:
        """The field's value ("" present-but-empty, None absent), fallbacks included."""
        f = self.fields.get(name)
        return None if f is None else f.value

    def visible(self, name: str) -> str | None:
        """What the page shows under a label: None when no label, "" when the label is empty."""
        f = self.fields.get(name)
        if f is None:
            return None
        if f.source == "meta":
            return "" if f.empty_label else None
        return f.value

    def filled(self, name: str) -> bool:
        return bool(self.value(name))

    def date(self, name: str) -> date | None:
        return find_date(self.value(name))

    @property
    def title(self) -> str | None:
        return self.value("标题") or None

    @property
    def has_block(self) -> bool:
        """The page carries a 公开目录 metadata block: one of its own labels (索引号, 文号, 成文日期,
        主题分类) is on the page, filled or not — an article's "发布日期 … 来源" line is not one."""
        return any((f := self.fields.get(name)) is not None and f.source == "label" for name in BLOCK_FIELDS)

    def evidence(self) -> dict[str, dict[str, str]]:
        return {k: {"value": f.value, "label": f.label, "source": f.source} for k, f in self.fields.items()}

    def to_data(self) -> list[object]:
        """A JSON-able form (stored with the page at crawl time: understand/facts.py)."""
        return [{k: [f.value, f.label, f.source, f.empty_label] for k, f in self.fields.items()}, self.raw, self.meta]

    @classmethod
    def from_data(cls, data: list[object]) -> DocMeta:
        fields, raw, meta = data
        assert isinstance(fields, dict) and isinstance(raw, dict) and isinstance(meta, dict)
        return cls({k: MetaField(*v) for k, v in fields.items()}, raw, meta)


def _clean_value(text: str) -> str:
    value = clean(text).lstrip(_COLON).strip()
    return "" if _BLANK.match(value) else value


def _label_of(el: etree._Element) -> str | None:
    """The label an element states, or None. Unknown labels count only in label-looking cells."""
    text = _short_squeezed(el, 12)
    if not text:
        return None
    has_colon = text[-1] in _COLON
    label = text.rstrip(_COLON).strip("【】[]")
    if label in _KNOWN:
        return label
    tag = tag_of(el)
    labelish = tag in ("th", "dt") or bool(_LABEL_CLASS.search(el.get("class", ""))) or (
        has_colon and tag in _LABEL_TAGS)
    return label if labelish and _CJK_LABEL.match(label) else None


def _short_squeezed(el: etree._Element, limit: int) -> str | None:
    """squeeze(text_of(el)) when it has at most `limit` characters, else None — without reading the
    rest of a large element (a container div holding the page): the walk stops once past the limit.
    (squeeze(text_of(el)) is the element's text pieces, whitespace removed, in document order.)"""
    tag = el.tag
    if not isinstance(tag, str) or tag.lower() in SKIP_TAGS:
        return ""
    if not len(el):                     # no child nodes (most cells and spans): its text is all of it
        text = squeeze(el.text) if el.text else ""
        return text if len(text) <= limit else None
    if next(el.iterdescendants(*SKIP_TAGS), None) is None:
        # libxml2 reads a subtree's text nodes in one call (comments have none; their tails are text
        # nodes): far cheaper than the walk below, even for a container read to its end
        text = squeeze(etree.tostring(el, method="text", encoding=str, with_tail=False))
        return text if len(text) <= limit else None
    return _short_squeezed_walk(el, limit)


def _short_squeezed_walk(el: etree._Element, limit: int) -> str | None:
    parts: list[str] = []
    count = 0

    def take(text: str | None) -> bool:
        """Keep a text piece; False once the element has more than `limit` characters."""
        nonlocal count
        if text:
            piece = squeeze(text)
            count += len(piece)
            if count > limit:
                return False
            parts.append(piece)
        return True

    def walk(node: etree._Element) -> bool:
        if is_element(node):
            if tag_of(node) in SKIP_TAGS:
                return True
            if not take(node.text):
                return False
            for child in node:
                if not walk(child) or not take(child.tail):
                    return False
        return True

    return "".join(parts) if walk(el) else None


def _next_element(el: etree._Element) -> etree._Element | None:
    node = el.getnext()
    while node is not None and not is_element(node):
        node = node.getnext()
    return node


def _cell_value(cell: etree._Element) -> str:
    """td/th → the next td; dt → the next dd. A label in the next cell means this one is empty."""
    nxt = _next_element(cell)
    want = ("dd",) if tag_of(cell) == "dt" else ("td", "th")
    if nxt is None or tag_of(nxt) not in want or _label_of(nxt):
        return ""
    return _clean_value(text_of(nxt))


def _label_matches(text: str) -> list[re.Match[str]]:
    """Label positions in a line. An unknown "词：" splits only after a blank: in "名称：图解：《…》" the
    图解： is part of the value, in "来源：县政府办 浏览次数：123" 浏览次数 is the next field."""
    return [m for m in _LINE_LABEL.finditer(text)
            if m.start() == 0 or squeeze(m.group(1)) in _KNOWN or text[m.start() - 1].isspace()]


def _cut_at_label(text: str) -> str:
    """'：X 发布日期：Y' → '：X' (a value never runs into the next label)."""
    later = [m for m in _label_matches(text) if m.start() > 0]
    return text[: later[0].start()] if later else text


def _inline_value(el: etree._Element) -> str:
    """Text after an inline label inside its parent, up to the next label element."""
    parts = [el.tail or ""]
    node = el.getnext()
    while node is not None:
        if is_element(node):
            if _label_of(node) or tag_of(node) in _BLOCK_TAGS:
                break
            if tag_of(node) not in SKIP_TAGS:
                parts.append(text_of(node))
        parts.append(node.tail or "")
        node = node.getnext()
    return _clean_value(_cut_at_label(clean(" ".join(parts))))


def _structured_pairs(root: etree._Element) -> list[tuple[str, str, str]]:
    pairs = []
    # what scripts, styles, templates, noscript and selects hold (usually nothing): never a label
    skipped = subtrees(root.iter(*SKIP_TAGS))
    # (the HTML parser lower-cases element names, so lxml's own tag filters select exactly these)
    for el in root.iter(*_LABEL_TAGS):
        if skipped and el in skipped:
            continue
        label = _label_of(el)
        if label is None or (label not in _KNOWN and is_chrome(el)):
            continue                                             # menus (dl > dt 信息公开) are not metadata
        tag = tag_of(el)
        if tag in _CELL_TAGS or tag == "dt":
            pairs.append((label, _cell_value(el), "cell"))
            continue
        value = _inline_value(el)
        parent = el.getparent()
        if not value and parent is not None and tag_of(parent) in (*_CELL_TAGS, "dt") and squeeze(
                text_of(parent)).rstrip(_COLON).strip("【】[]") == label:
            value = _cell_value(parent)                          # <td><b>标题</b>：</td><td>value</td>
        if tag == "div" and not value:
            value = _cell_value_div(el)
        pairs.append((label, value, "inline"))
    return pairs


def _cell_value_div(el: etree._Element) -> str:
    """<div class="label">索引号：</div><div class="value">…</div>."""
    nxt = _next_element(el)
    return "" if nxt is None or _label_of(nxt) else _clean_value(text_of(nxt))


def _line_pairs(root: etree._Element) -> list[tuple[str, str, str]]:
    pairs = []
    # elements holding a block element somewhere below: not a line
    blocks_below = holders(root.iter(*_BLOCK_TAGS))
    for el in root.iter(*_LINE_TAGS):
        if el in blocks_below:
            continue
        # a line states a label with a colon: no colon anywhere in its text (all of it, scripts too:
        # libxml2's own read, much cheaper than text_of), no pair
        whole = el.text or "" if not len(el) else etree.tostring(el, method="text", encoding=str, with_tail=False)
        if ":" not in whole and "：" not in whole:
            continue
        text = text_of(el)
        if len(text) > 300 or not _LINE_LABEL.match(text):    # (a line starts with its label)
            continue
        matches = _label_matches(text)
        if not matches or matches[0].start() != 0:
            continue
        for i, m in enumerate(matches):
            label = squeeze(m.group(1))
            if label not in _KNOWN:
                continue
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            pairs.append((label, _clean_value(text[m.end():end]), "line"))
    return pairs


def _meta_tags(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        name, content = m.get("name"), m.get("content")
        if name and content is not None:
            out.setdefault(name, clean(content))
    return out


def parse_metadata(html: str | None, root: etree._Element | None = None) -> DocMeta:
    """Canonical metadata fields of a document page, with the raw labels and where each value came from.
    `root`: the page's tree from parse_html(html) when the caller has it (the crawler's one parse);
    it is only read."""
    doc = DocMeta()
    if root is None:
        root = parse_html(html)
    if root is None:
        return doc
    # lxml.html makes a Python proxy (a class lookup in Python) each time an element is reached while
    # none exists; the passes below reach each element several times: holding them all makes one each
    proxies = list(root.iter())
    doc.meta = _meta_tags(root)
    fallback: dict[str, MetaField] = {}
    for label, value, _how in [*_structured_pairs(root), *_line_pairs(root)]:
        if label == "字号" and _FONT_SIZE.match(value):
            continue                                     # the page's font-size switcher, not a 文号
        if label not in doc.raw or (value and not doc.raw[label]):
            doc.raw[label] = value
        canon, target = (_CANON[label], doc.fields) if label in _CANON else (_FALLBACK.get(label), fallback)
        if canon is None:
            continue
        prev = target.get(canon)
        if prev is None or (value and not prev.value):   # first non-empty value wins
            target[canon] = MetaField(value, label, "label" if target is doc.fields else "fallback-label")
    for canon, f in fallback.items():
        if not doc.filled(canon):
            doc.fields[canon] = MetaField(f.value, f.label, f.source, empty_label=canon in doc.fields)
    for canon, name in META_FALLBACK.items():
        if not doc.filled(canon) and doc.meta.get(name):
            doc.fields[canon] = MetaField(doc.meta[name], name, "meta", empty_label=canon in doc.fields)
    del proxies
    return doc
