"""DOM helpers shared by the page-understanding modules (lxml only, no network).

`parse_html` is the one parse of a page: the crawler parses each fetched page once with it and hands
the same tree to link extraction, pager detection, list reading and the render decision; the checks
parse stored pages with it too, so both see the same tree.

Two rules every module relies on:
* HTML comments are never content. `<!--<p>成文日期…</p>-->` is absent markup, and the 无锡 template
  markers `<!--<$[SYH]>-->value<!--<$[SYH]>-->` are markup around a value that *is* present; reading
  element text while skipping comment nodes (but keeping their tails) gets both cases right.
* Hidden markup (display:none tab panes, 解读 pop-ups) is real content that a visitor can reach by a
  click, so it is parsed and flagged, never dropped.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable

import lxml.html
from lxml import etree

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Page furniture: header, navigation, footers. Lists and relation links inside them are not content.
_CHROME_TAGS = frozenset({"nav", "header", "footer"})
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|menus|header|footer|foot|bottom|banner|dhlm|daohang|"
    r"subnav|sitemap|copyright|yqlj|friendlink|crumbs?|breadcrumbs?|position|location)([\s_-]|\d|$)",
    re.I,
)
SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "select", "option"})


def clean(text: str | None) -> str:
    """Collapse all whitespace (incl. full-width and no-break spaces) to single spaces. (str.split
    splits at the characters of a regex's \\s, str.isspace, and is several times quicker than one;
    tests/test_understand_fastpaths.py checks every code point.)"""
    return " ".join(text.split()) if text else ""


def squeeze(text: str | None) -> str:
    """Remove all whitespace: label text padded as "索　引　号" becomes "索引号"."""
    return "".join(text.split()) if text else ""


# Called once per page parse (not per fragment): lets tests count parses without timing anything.
parse_hooks: list[Callable[[], None]] = []
_local = threading.local()          # lxml parsers must not be shared between threads


def _parser() -> etree.HTMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        # as Scrapy's selector (parsel) parses a response: recover, UTF-8 bytes, no depth limit of 256.
        # etree's parser, not lxml.html's: the same parse, but lxml.html picks each element's Python
        # class with a lookup written in Python, every time an element is reached without a live
        # proxy — a third of the cost of reading the tree (links, metadata, lists). Nothing here uses
        # lxml.html's element methods (text_content, cssselect …).
        parser = _local.parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    return parser


def parse_html(html: str | bytes | None) -> etree._Element | None:
    """Parse a page or fragment; None for empty or unparsable input (never raises).

    The text is stripped, NUL characters are dropped and it is parsed as UTF-8 bytes, exactly as
    Scrapy's selector does, so an XML declaration naming another encoding is harmless."""
    if not html:
        return None
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    data = html.strip().replace("\x00", "").encode("utf-8", "replace")
    if not data:
        return None
    for hook in parse_hooks:
        hook()
    try:
        return etree.fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


# re.IGNORECASE matches these with ASCII letters, str.lower() does not map them there (İ it even turns
# into two characters): folded text maps them first.
_IGNORECASE_EXTRA = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_last_folded: tuple[str, str] = ("", "")


def folded(text: str) -> str:
    """`text` lower-cased, character for character, for quick marker tests ahead of case-insensitive
    patterns: where a lower-case ASCII marker is absent from folded(text), no re.IGNORECASE pattern that
    needs it can match `text`. The last text's result is kept, since every reader of a page asks."""
    global _last_folded
    last = _last_folded
    if last[0] is text:
        return last[1]
    low = text
    if any(ch in text for ch in "\u0130\u0131\u017f\u212a"):
        low = text.translate(_IGNORECASE_EXTRA)
    low = low.lower()
    _last_folded = (text, low)
    return low


def parse_fragment(html: str) -> etree._Element | None:
    """Parse a fragment (a Hanweb <record>) under a synthetic <div>."""
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def is_element(node: object) -> bool:
    """True for real elements (comments and processing instructions have a non-str tag)."""
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def tag_of(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def subtrees(roots: Iterable[etree._Element]) -> set[etree._Element]:
    """Every element of these elements' subtrees (the elements themselves included): what a few skipped
    or hidden elements hold, as a set to test membership in while iterating the page by tag."""
    out: set[etree._Element] = set()
    for el in roots:
        if el not in out:
            out.update(el.iter())
    return out


def holders(elements: Iterable[etree._Element]) -> set[etree._Element]:
    """Every ancestor of these elements: the elements holding one of them somewhere below. (An
    ancestor already marked has all of its own ancestors marked too; getparent makes no iterator.)"""
    out: set[etree._Element] = set()
    for el in elements:
        anc = el.getparent()
        while anc is not None and anc not in out:
            out.add(anc)
            anc = anc.getparent()
    return out


def text_of(el: etree._Element, *, skip: frozenset[str] = SKIP_TAGS) -> str:
    """Element text without comments, scripts and styles (tails of comments are kept)."""
    if not len(el):             # no child nodes (most cells and spans): its text is all of it
        tag = el.tag
        return "" if not isinstance(tag, str) or tag.lower() in skip else clean(el.text)
    parts: list[str] = []
    append = parts.append

    def walk(node: etree._Element) -> None:
        tag = node.tag
        if not isinstance(tag, str) or tag.lower() in skip:
            return          # comments: their own text is skipped; the caller appends their tail
        if node.text:
            append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                append(child.tail)

    walk(el)
    return clean(" ".join(parts))


def own_hidden(el: etree._Element) -> bool:
    """Hidden by its own attributes (style display:none, hidden, aria-hidden)."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def is_hidden(el: etree._Element, stop: etree._Element | None = None) -> bool:
    """Hidden by itself or an ancestor (up to, not including, `stop`)."""
    node: etree._Element | None = el
    while node is not None and node is not stop:
        if is_element(node) and own_hidden(node):
            return True
        node = node.getparent()
    return False


def is_chrome(el: etree._Element) -> bool:
    """Inside page furniture (nav/header/footer tags, or class/id naming a menu, footer, banner …)."""
    node: etree._Element | None = el
    while node is not None:
        if is_element(node):
            if tag_of(node) in _CHROME_TAGS:
                return True
            attrs = f"{node.get('class', '')} {node.get('id', '')}"
            if attrs.strip() and _CHROME_ATTR.search(attrs):
                return True
        node = node.getparent()
    return False


def describe(el: etree._Element) -> str:
    """A short CSS-like name for evidence: "ul.u-list", "table#list"."""
    name = tag_of(el)
    if el.get("id"):
        name += "#" + el.get("id", "").strip()
    classes = el.get("class", "").split()
    if classes:
        name += "." + ".".join(classes)
    return name
