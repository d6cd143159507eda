"""The page readers as they were before the crawl's hot-path work (main at efe5bca), kept as the reference
the quicker ones are compared with (tests/test_understand_fastpaths.py): lxml.html's parser, regex
whitespace, per-element Python walks, urljoin for every link."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import repeat

import lxml.html
from lxml import etree

from zwgk.store import Link
from zwgk.understand._html import SKIP_TAGS
from zwgk.understand.facts import NOT_TEXT
from zwgk.understand.page import (
    _CRUMB_HINT,
    _CRUMB_TAGS,
    _CRUMB_TEXT,
    _RAW_COUNT,
    _SKIP,
    PageInfo,
    _is_hidden,
    check_href,
    pick_breadcrumb,
    raw_links,
)

_WS = re.compile(r"[\s\u3000\xa0]+")
_PAGE_WS = re.compile(r"\s+")


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def squeeze(text: str | None) -> str:
    return _WS.sub("", text or "")


def page_clean(text: str | None) -> str:
    return _PAGE_WS.sub(" ", (text or "").replace("\u3000", " ")).strip()


def parse_html(html: str) -> etree._Element | None:
    data = html.strip().replace("\x00", "").encode("utf-8", "replace")
    if not data:
        return None
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    try:
        return etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def text_of(el: etree._Element, *, skip: frozenset[str] = SKIP_TAGS) -> str:
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag
        if not isinstance(tag, str) or tag.lower() in skip:
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return clean(" ".join(parts))


def short_squeezed(el: etree._Element, limit: int) -> str | None:
    parts: list[str] = []
    count = 0

    def take(text: str | None) -> bool:
        nonlocal count
        if text:
            piece = squeeze(text)
            count += len(piece)
            if count > limit:
                return False
            parts.append(piece)
        return True

    def walk(node: etree._Element) -> bool:
        if isinstance(node.tag, str):
            if node.tag.lower() in SKIP_TAGS:
                return True
            if not take(node.text):
                return False
            for child in node:
                if not walk(child) or not take(child.tail):
                    return False
        return True

    return "".join(parts) if walk(el) else None


def squeezed_text(root: etree._Element | None) -> str:
    if root is None or not isinstance(root.tag, str):
        return ""
    out: list[str] = [root.text] if root.text else []
    stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [(iter(root), None)]
    while stack:
        children, owner = stack[-1]
        for child in children:
            if isinstance(child.tag, str) and child.tag not in NOT_TEXT:
                if child.text:
                    out.append(child.text)
                stack.append((iter(child), child))
                break
            if child.tail:
                out.append(child.tail)
        else:
            stack.pop()
            if owner is not None and owner.tail:
                out.append(owner.tail)
    return squeeze("".join(out))


def _text(el: etree._Element) -> str:
    if not len(el):
        return page_clean(el.text)
    return page_clean("".join(t for t in el.itertext() if isinstance(t, str)))


def _link(href: str, base_url: str, anchor: str, hidden: bool, tag: str) -> Link:
    found = check_href(href, base_url)
    return Link(url=found.url, anchor=anchor[:300], kind=found.kind, hidden=hidden, tag=tag,
                state="invalid" if found.kind == "invalid" else None, reason=found.reason)


def extract_page(root: etree._Element | None, base_url: str, html: str | None = None) -> PageInfo:
    from urllib.parse import urljoin

    info = PageInfo()
    if root is None:
        return info
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href", ""))
    crumb_candidates: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, hidden = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        if tag in _SKIP:
            continue
        hidden = hidden or _is_hidden(el)
        if tag == "title" and not info.title:
            info.title = page_clean(el.text)
        elif tag == "meta":
            name = el.get("name") or el.get("property")
            if name and el.get("content") is not None:
                info.meta.setdefault(name, page_clean(el.get("content")))
        elif tag in ("a", "area"):
            href = el.get("href")
            if href is not None:
                anchor = _text(el) or page_clean(el.get("title")) or page_clean(el.get("alt"))
                info.links.append(_link(href, base_url, anchor, hidden, tag))
        elif tag in ("frame", "iframe"):
            src = el.get("src")
            if src is not None and src.strip():
                info.links.append(_link(src, base_url, page_clean(el.get("title")) or page_clean(el.get("name")),
                                        hidden, tag))
        elif tag in _CRUMB_TAGS and len(crumb_candidates) < 3 and (
                _CRUMB_HINT.search(f"{el.get('class', '')} {el.get('id', '')}")
                or (el.text and _CRUMB_TEXT.match(el.text))):
            crumb_candidates.append(_text(el))
        if len(el):
            stack.extend(zip(reversed(el), repeat(hidden)))
    info.breadcrumb = pick_breadcrumb(crumb_candidates)
    if html and len(_RAW_COUNT.findall(html)) > len(info.links):
        info.links += raw_links(html, base_url, {(ln.url, ln.tag) for ln in info.links})
    return info
