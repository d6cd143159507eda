"""Read what a fetched page says about itself: title, meta tags, breadcrumb, links.

One pass over the lxml tree that Scrapy's selector already built. Scrapy's LinkExtractor is not
used for recording because it drops the element: we need each link's anchor text and whether it
sat inside hidden markup (tab panes, pop-ups), and we must keep mailto:/javascript: links as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.url import canonicalize_url, safe_url_string

from zwgk.store import Link

# Documents people download from 信息公开 pages; checked for status, never parsed.
ATTACHMENT_EXTENSIONS = frozenset(
    {*IGNORED_EXTENSIONS, "wps", "et", "dps", "ofd", "txt", "csv", "xlsx", "docx", "pptx", "7z"}
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS = re.compile(r"\s+")
_CRUMB_HINT = re.compile(r"crumb|position|location|dqwz|curr|path|weizhi|navbar-sub", re.I)
_CRUMB_TEXT = re.compile(r"^\s*(当前位置|您的位置|你的位置|您现在的位置|所在位置|当前栏目)\s*[:：]?")
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|»|›|→|/|－|-)\s*")


def clean(text: str | None) -> str:
    return _WS.sub(" ", (text or "").replace("\u3000", " ")).strip()


@dataclass
class PageInfo:
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    breadcrumb: str = ""
    links: list[Link] = field(default_factory=list)


def url_extension(url: str) -> str:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def classify_href(href: str, base_url: str) -> tuple[str, str]:
    """(kind, absolute url) for an href; non-HTTP schemes keep their raw text."""
    raw = href.strip()
    low = raw.lower()
    for scheme in ("mailto", "tel", "javascript"):
        if low.startswith(scheme + ":"):
            return scheme, raw
    if low.startswith(("data:", "about:", "ftp:", "file:")) or raw.startswith("#") or not raw:
        return "other", raw
    absolute = safe_url_string(urljoin(base_url, raw))
    absolute = absolute.split("#", 1)[0]
    if urlsplit(absolute).scheme not in ("http", "https"):
        return "other", raw
    kind = "attachment" if url_extension(absolute) in ATTACHMENT_EXTENSIONS else "page"
    return kind, absolute


def canonical(url: str) -> str:
    """The form URLs are deduplicated and stored in (query order, escaping, no fragment)."""
    return canonicalize_url(url, keep_fragments=False)


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _text(el: etree._Element) -> str:
    return clean("".join(t for t in el.itertext() if isinstance(t, str)))


def extract_page(root: etree._Element | None, base_url: str) -> PageInfo:
    info = PageInfo()
    if root is None:
        return info
    base = root.find(".//base[@href]")
    if base is not None:
        base_url = urljoin(base_url, base.get("href", ""))
    crumb_candidates: list[str] = []
    # Explicit stack instead of recursion: malformed pages can nest thousands deep.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, hidden = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):          # comments and processing instructions: not content
            continue
        tag = tag.lower()
        if tag in ("script", "style", "template", "noscript"):
            continue
        hidden = hidden or _is_hidden(el)
        if tag == "title" and not info.title:
            info.title = clean(el.text)
        elif tag == "meta":
            name = el.get("name") or el.get("property")
            if name and el.get("content") is not None:
                info.meta.setdefault(name, clean(el.get("content")))
        elif tag in ("a", "area"):
            href = el.get("href")
            if href is not None:
                kind, url = classify_href(href, base_url)
                anchor = _text(el) or clean(el.get("title")) or clean(el.get("alt"))
                info.links.append(Link(url=url, anchor=anchor[:300], kind=kind, hidden=hidden, tag=tag))
        elif not crumb_candidates or len(crumb_candidates) < 3:
            cls = f"{el.get('class', '')} {el.get('id', '')}"
            if tag in ("div", "p", "span", "td", "ul", "nav", "ol") and (
                _CRUMB_HINT.search(cls) or (el.text and _CRUMB_TEXT.match(el.text))
            ):
                crumb_candidates.append(_text(el))
        stack.extend((child, hidden) for child in reversed(el))
    info.breadcrumb = pick_breadcrumb(crumb_candidates)
    return info


def pick_breadcrumb(candidates: list[str]) -> str:
    """Choose the trail that looks like 首页 > A > B and normalise its separators to ' > '."""
    for text in candidates:
        body = _CRUMB_TEXT.sub("", text)
        if ("首页" in body or ">" in body or "»" in body) and len(body) < 200:
            parts = [p for p in _CRUMB_SEP.split(body) if p and p.strip()]
            if parts:
                return " > ".join(p.strip() for p in parts)
    return ""
