"""DOM helpers shared by the page-understanding modules (lxml only, no network).

Two rules every module relies on:
* HTML comments are never content. `<!--<p>成文日期…</p>-->` is absent markup, and the 无锡 template
  markers `<!--<$[SYH]>-->value<!--<$[SYH]>-->` are markup around a value that *is* present; reading
  element text while skipping comment nodes (but keeping their tails) gets both cases right.
* Hidden markup (display:none tab panes, 解读 pop-ups) is real content that a visitor can reach by a
  click, so it is parsed and flagged, never dropped.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS = re.compile(r"[\s\u3000\xa0]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Page furniture: header, navigation, footers. Lists and relation links inside them are not content.
_CHROME_TAGS = frozenset({"nav", "header", "footer"})
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|menus|header|footer|foot|bottom|banner|dhlm|daohang|"
    r"subnav|sitemap|copyright|yqlj|friendlink|crumbs?|breadcrumbs?|position|location)([\s_-]|\d|$)",
    re.I,
)
SKIP_TAGS = frozenset({"script", "style", "template", "noscript", "select", "option"})


def clean(text: str | None) -> str:
    """Collapse all whitespace (incl. full-width and no-break spaces) to single spaces."""
    return _WS.sub(" ", text or "").strip()


def squeeze(text: str | None) -> str:
    """Remove all whitespace: label text padded as "索　引　号" becomes "索引号"."""
    return _WS.sub("", text or "")


def parse_html(html: str | bytes | None) -> etree._Element | None:
    """Parse a page or fragment; None for empty or unparsable input (never raises)."""
    if not html:
        return None
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    html = _XML_DECL.sub("", html)  # lxml refuses str input that declares an encoding
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


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


def text_of(el: etree._Element, *, skip: frozenset[str] = SKIP_TAGS) -> str:
    """Element text without comments, scripts and styles (tails of comments are kept)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if is_element(node):
            if tag_of(node) in skip:
                return
            parts.append(node.text or "")
            for child in node:
                walk(child)
                parts.append(child.tail or "")
        # comments: their own text is skipped; the caller appends their tail

    walk(el)
    return clean(" ".join(p for p in parts if p))


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
