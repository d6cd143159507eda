"""Read what a fetched page says about itself: title, meta tags, breadcrumb, links.

One pass over the lxml tree that Scrapy's selector already built. Scrapy's LinkExtractor is not
used for recording because it drops the element: we need each link's anchor text and whether it
sat inside hidden markup (tab panes, pop-ups), and we must keep mailto:/javascript: links as data.

Hostile markup is data, never an exception:
* an href no browser can open (port out of range, broken IPv6 literal, control characters or spaces
  in the host) is a link of kind `invalid` with the reason; the rest of the page is read;
* <frame src> and <iframe src> are links (tag frame/iframe): a frameset page is its frames;
* libxml2 stops building the tree a few hundred levels deep (5,000 nested <div>s lose everything
  below); when the raw markup holds more link tags than the tree, a scan of the raw text adds the
  links the tree lost.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse, urlsplit

from lxml import etree
from w3lib.url import canonicalize_url, safe_url_string

from zwgk.store import Link
from zwgk.understand._html import clean, subtrees

# Scrapy's scrapy.linkextractors.IGNORED_EXTENSIONS (2.19), written out: importing it pulled Scrapy and
# Twisted into every process that reads a page, the evaluation's too (tests/test_crawl_apart.py keeps
# the two lists equal)
SCRAPY_IGNORED_EXTENSIONS = (
    "7z", "7zip", "bz2", "rar", "tar", "tar.gz", "xz", "zip",
    "mng", "pct", "bmp", "gif", "jpg", "jpeg", "png", "pst", "psp", "tif", "tiff", "ai", "drw", "dxf", "eps",
    "ps", "svg", "cdr", "ico", "webp",
    "mp3", "wma", "ogg", "wav", "ra", "aac", "mid", "au", "aiff",
    "3gp", "asf", "asx", "avi", "mov", "mp4", "mpg", "qt", "rm", "swf", "wmv", "m4a", "m4v", "flv", "webm",
    "xls", "xlsm", "xlsx", "xltm", "xltx", "potm", "potx", "ppt", "pptm", "pptx", "pps", "doc", "docb", "docm",
    "docx", "dotm", "dotx", "odt", "ods", "odg", "odp",
    "css", "pdf", "exe", "bin", "rss", "dmg", "iso", "apk", "jar", "sh", "rb", "js", "hta", "bat", "cpl", "msi",
    "msp", "py",
)
# Documents people download from 信息公开 pages; checked for status, never parsed.
ATTACHMENT_EXTENSIONS = frozenset(
    {*SCRAPY_IGNORED_EXTENSIONS, "wps", "et", "dps", "ofd", "txt", "csv", "xlsx", "docx", "pptx", "7z"}
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CRUMB_HINT = re.compile(r"crumb|position|location|dqwz|curr|path|weizhi|navbar-sub", re.I)
_CRUMB_TEXT = re.compile(r"^\s*(当前位置|您的位置|你的位置|您现在的位置|所在位置|当前栏目)\s*[:：]?")
_CRUMB_SEP = re.compile(r"\s*(?:>>|>|»|›|→|/|－|-)\s*")
_TAB_NL = re.compile(r"[\t\n\r]")
_C0_SPACE = "".join(map(chr, range(0x21)))
_BAD_HOST = re.compile(r"[\x00-\x20\x7f#%/:<>?@\[\\\]^|]")
LINK_TAGS = ("a", "area", "frame", "iframe")
_SKIP = frozenset({"script", "style", "template", "noscript"})
_CRUMB_TAGS = frozenset({"div", "p", "span", "td", "ul", "nav", "ol"})
# the raw-text scan: link tags outside comments, scripts and styles
_RAW_SKIP = re.compile(r"<!--.*?-->|<(script|style|template|noscript)\b.*?</\1\s*>", re.S | re.I)
_RAW_TAG = re.compile(r"<(a|area|i?frame)\b([^>]*)>", re.I)
_RAW_ATTR = re.compile(r"""\b(href|src|title)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_RAW_COUNT = re.compile(r"<(?:a|area|i?frame)[\s>]", re.I)


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


@dataclass(frozen=True)
class Href:
    kind: str                       # page | attachment | mailto | tel | javascript | other | invalid
    url: str                        # absolute URL; the raw href for non-HTTP schemes and invalid ones
    reason: str | None = None       # why invalid (Chinese)


def check_href(href: str, base_url: str) -> Href:
    """An href as a browser reads it (WHATWG: strip surrounding controls and spaces, drop tabs and
    newlines anywhere), resolved and checked: a host no browser accepts makes it `invalid`."""
    return _check(_clean_href(href), base_url)


def _clean_href(href: str) -> str:
    return _TAB_NL.sub("", href.strip(_C0_SPACE))


def _check(raw: str, base_url: str) -> Href:
    low = raw.lower()
    for scheme in ("mailto", "tel", "javascript"):
        if low.startswith(scheme + ":"):
            return Href(scheme, raw)
    if low.startswith(("data:", "about:", "ftp:", "file:")) or raw.startswith("#") or not raw:
        return Href("other", raw)
    try:
        joined = urljoin(base_url, raw)
        parts = urlsplit(joined)
        parts.port                                   # noqa: B018 (raises on a bad port)
    except ValueError as exc:
        return Href("invalid", raw, _invalid_reason(str(exc)))
    if parts.scheme not in ("http", "https"):
        return Href("other", raw)
    if not _good_host(parts.netloc):
        host = _host(parts.netloc)
        return Href("invalid", raw, "主机名为空或含非法字符（空格、控制字符等）" if host else "缺少主机名")
    return _absolute(raw, joined, parts.scheme, parts.netloc)


def _host(netloc: str) -> str:
    host = netloc.rpartition("@")[2]
    return host if host.startswith("[") else host.rsplit(":", 1)[0]


def _good_host(netloc: str) -> bool:
    host = _host(netloc)
    return bool(host) and (host.startswith("[") or not _BAD_HOST.search(host))


def _absolute(raw: str, joined: str, scheme: str, netloc: str) -> Href:
    """The page or attachment link to `joined` (an http(s) URL with a good host): made safe, no fragment."""
    absolute = _quick_safe(joined, scheme, netloc)
    if absolute is None:
        try:
            absolute = safe_url_string(joined)
        except (ValueError, UnicodeError) as exc:
            return Href("invalid", raw, _invalid_reason(str(exc)))
    absolute = absolute.split("#", 1)[0]
    return Href("attachment" if url_extension(absolute) in ATTACHMENT_EXTENSIONS else "page", absolute)


# What safe_url_string leaves as it is after the host: RFC 3986 characters but for "%" (an escape it
# may fix), "'" (escaped in a query) and "#"; a path from "/" (an empty one it makes "/" before a query),
# a query, if any, not empty (a bare "?" is dropped).
_PLAIN_REST = re.compile(r"(?:/[A-Za-z0-9\-._~/;:@&=+$,!*()]*(?:\?[A-Za-z0-9\-._~/;:@&=+$,!*()?]+)?)?\Z")
_PLAIN_NETLOC = re.compile(r"[A-Za-z0-9.\-_]+(?::[0-9]*)?\Z")     # an ASCII host name, a port
_ORIGINS: dict[str, str | None] = {}


def _quick_safe(joined: str, scheme: str, netloc: str) -> str | None:
    """safe_url_string(joined) without its cost for the common URL (plain ASCII after the host): the
    scheme and host are made safe once per origin, the rest is already safe. None: do it the slow way."""
    head = len(scheme) + 3 + len(netloc)
    if (joined[head - len(netloc) - 3:head - len(netloc)] != "://" or not _PLAIN_NETLOC.match(netloc)
            or not _PLAIN_REST.match(joined, head)):
        return None
    origin = joined[:head]
    if origin not in _ORIGINS:
        if len(_ORIGINS) >= _SHARED_MAX:
            _ORIGINS.clear()
        try:
            safe = safe_url_string(origin)
        except (ValueError, UnicodeError):
            safe = None            # the slow way says why it is invalid
        _ORIGINS[origin] = safe
    safe = _ORIGINS[origin]
    return None if safe is None else safe + joined[head:]


# An href that names its host ("//h/x", "http://h/x") or starts at the root ("/zwgk/") resolves the same
# on every page of a scheme and host (urljoin reads only the base's scheme and host for it), and a relative
# path ("../", "t1.html": no colon, so no scheme) the same on every page of a directory. Navigation, footer,
# breadcrumb and column links, repeated on every page of a site, are resolved once per site.
_BASE_FREE = re.compile(r"(?:https?:)?//[^/?#]|/(?!/)")
_RELATIVE = re.compile(r"[^/?#;:][^:]*\Z")
_SHARED: dict[tuple[str, ...], Href] = {}
_SHARED_MAX = 20_000


class Resolver:
    """check_href for the links of one page: each distinct href is resolved once per page, and one
    of the kinds above once per site (or directory)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        try:
            parts = urlsplit(base_url)
        except ValueError:
            parts = None
        self.origin: tuple[str, str] | None = None
        self.directory = ""
        if parts is not None and parts.scheme in ("http", "https") and parts.netloc:
            self.origin = (parts.scheme, parts.netloc)
            self.directory = parts.path[:parts.path.rfind("/") + 1]
        self.memo: dict[str, Href] = {}
        self._join_base: tuple[str, list[str]] | None = None
        if self.origin is not None:
            self._join_base = _join_base(base_url)

    def _relative(self, raw: str) -> Href:
        """_check(raw, base) for a relative href; a plain path ("../x/t1.html", "./W02.pdf") is joined here
        exactly as urljoin joins it, without urljoin's and urlsplit's parsing of both URLs."""
        if self._join_base is None or not _PLAIN_PATH.match(raw):
            return _check(raw, self.base_url)
        prefix, base_dirs = self._join_base
        assert self.origin is not None
        return _absolute(raw, prefix + _join_path(base_dirs, raw), *self.origin)

    def __call__(self, href: str) -> Href:
        found = self.memo.get(href)
        if found is not None:
            return found
        raw = _clean_href(href)
        key: tuple[str, ...] | None = None
        relative = False
        if self.origin is not None:
            if _BASE_FREE.match(raw):
                key = (*self.origin, raw)
            elif _RELATIVE.match(raw):
                key, relative = (*self.origin, self.directory, raw), True
        if key is None:
            found = _check(raw, self.base_url)
        else:
            found = _SHARED.get(key)
            if found is None:
                found = self._relative(raw) if relative else _check(raw, self.base_url)
                if len(_SHARED) >= _SHARED_MAX:
                    _SHARED.clear()
                _SHARED[key] = found
        self.memo[href] = found
        return found


# A relative path of plain characters: no scheme (":"), params (";"), query or fragment, not from the root.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,=@%][A-Za-z0-9\-._~!$&'()*+,=@%/]*\Z")


def _join_base(base_url: str) -> tuple[str, list[str]] | None:
    """What urljoin reads of an http(s) base for a plain relative path: "scheme://netloc" and the base
    path's directories; None when the base itself would make the join fail or be invalid (then _check)."""
    try:
        scheme, netloc, path, _params, _query, _fragment = urlparse(base_url)
        urlsplit(f"{scheme}://{netloc}/").port          # noqa: B018 (raises on a bad port)
    except ValueError:
        return None
    if scheme not in ("http", "https") or not netloc or not _good_host(netloc):
        return None
    dirs = path.split("/")
    if dirs[-1] != "":
        del dirs[-1]
    return f"{scheme}://{netloc}", dirs


def _join_path(base_dirs: list[str], raw: str) -> str:
    """urljoin's path for a plain relative path (Python 3.11's urllib.parse.urljoin, step by step:
    dot segments resolved, empty middle segments dropped, a ".." above the root ignored)."""
    segments = base_dirs + raw.split("/")
    segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for seg in segments:
        if seg == "..":
            if resolved:
                resolved.pop()
        elif seg != ".":
            resolved.append(seg)
    if segments[-1] in (".", ".."):
        resolved.append("")
    path = "/".join(resolved) or "/"
    return path if path.startswith("/") else "/" + path


_last_resolver: Resolver | None = None


def resolver(base_url: str) -> Resolver:
    """The resolver of `base_url`; the last one is reused (a list's rows all resolve against its page)."""
    global _last_resolver
    last = _last_resolver
    if last is None or last.base_url != base_url:
        last = _last_resolver = Resolver(base_url)
    return last


def _invalid_reason(message: str) -> str:
    low = message.lower()
    if "port" in low:
        return f"端口号无效（{message}）"
    if "ipv6" in low or "ipv4" in low or "address" in low:
        return f"IPv6 地址格式错误（{message}）"
    return f"网址格式错误（{message}）"


def classify_href(href: str, base_url: str) -> tuple[str, str]:
    """(kind, absolute url) for an href; non-HTTP schemes and invalid hrefs keep their raw text."""
    found = resolver(base_url)(href)
    return found.kind, found.url


def canonical(url: str) -> str:
    """The form URLs are deduplicated and stored in (query order, escaping, no fragment)."""
    return canonicalize_url(url, keep_fragments=False)


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _text(el: etree._Element) -> str:
    if not len(el):         # most anchors: text only, no child elements
        return clean(el.text)
    # its text nodes in document order, read by libxml2 (comments have none; their tails are kept)
    return clean(etree.tostring(el, method="text", encoding=str, with_tail=False))


def _link(el_href: str, resolve: Resolver, anchor: str, hidden: bool, tag: str) -> Link:
    found = resolve(el_href)
    return Link(url=found.url, anchor=anchor[:300], kind=found.kind, hidden=hidden, tag=tag,
                state="invalid" if found.kind == "invalid" else None, reason=found.reason)


_HEAD_AND_LINK_TAGS = ("title", "meta", *LINK_TAGS)
# the attributes by which an element may hide itself (hidden, aria-hidden, style), in document order: a
# quarter of the cost of selecting the elements with a predicate on every element
_MAY_HIDE = etree.XPath("descendant-or-self::*/@style|descendant-or-self::*/@hidden|descendant-or-self::*/@aria-hidden")


def extract_page(root: etree._Element | None, base_url: str, html: str | None = None) -> PageInfo:
    """`html`, the raw markup, lets links the tree lost (too deeply nested) be recovered.

    The elements are read in document order, skipping scripts, styles, templates and noscript with all
    they hold; an element is hidden when it or an ancestor hides itself. libxml2 picks the elements of
    the wanted tags (no Python per element of the page); the few skipped and hidden subtrees are sets."""
    info = PageInfo()
    if root is None:
        return info
    # root.find(".//base[@href]") without ElementPath's Python machinery
    base = next((el for el in root.iterdescendants("base") if el.get("href") is not None), None)
    if base is not None:
        base_url = urljoin(base_url, base.get("href", ""))
    resolve = resolver(base_url)
    crumb_candidates: list[str] = []
    if isinstance(root.tag, str):
        skipped = subtrees(root.iter(*_SKIP))
        hidden = subtrees(el for el in (attr.getparent() for attr in _MAY_HIDE(root))
                           if el not in skipped and _is_hidden(el))
        links = info.links
        for el in root.iter(*_HEAD_AND_LINK_TAGS):
            if skipped and el in skipped:
                continue
            tag = el.tag
            if tag == "title":
                if not info.title:
                    info.title = clean(el.text)
            elif tag == "meta":
                name = el.get("name") or el.get("property")
                if name and el.get("content") is not None:
                    info.meta.setdefault(name, clean(el.get("content")))
            elif tag == "a" or tag == "area":
                href = el.get("href")
                if href is not None:
                    anchor = _text(el) or clean(el.get("title")) or clean(el.get("alt"))
                    links.append(_link(href, resolve, anchor, el in hidden, tag))
            else:                                   # frame, iframe
                src = el.get("src")
                if src is not None and src.strip():
                    links.append(_link(src, resolve, clean(el.get("title")) or clean(el.get("name")),
                                       el in hidden, tag))
        for el in root.iter(*_CRUMB_TAGS):
            if len(crumb_candidates) >= 3:
                break
            if skipped and el in skipped:
                continue
            if _CRUMB_HINT.search(f"{el.get('class', '')} {el.get('id', '')}") or (
                    el.text and _CRUMB_TEXT.match(el.text)):
                crumb_candidates.append(_text(el))
    info.breadcrumb = pick_breadcrumb(crumb_candidates)
    if html and len(_RAW_COUNT.findall(html)) > len(info.links):
        info.links += raw_links(html, base_url, {(ln.url, ln.tag) for ln in info.links})
    return info


def raw_links(html: str, base_url: str, known: set[tuple[str, str]]) -> list[Link]:
    """Link tags found by scanning the raw markup (outside comments and scripts) that the parsed tree
    does not hold; anchor text is the title attribute (the tree that held the text is gone)."""
    out = []
    for m in _RAW_TAG.finditer(_RAW_SKIP.sub("", html)):
        tag = m.group(1).lower()
        attrs = {k.lower(): htmllib.unescape(next(v for v in vals if v is not None))
                 for k, *vals in _RAW_ATTR.findall(m.group(2))}
        target = attrs.get("src" if tag.endswith("frame") else "href")
        if target is None or (tag.endswith("frame") and not target.strip()):
            continue
        link = _link(target, resolver(base_url), clean(attrs.get("title")), False, tag)
        if (link.url, tag) not in known:
            known.add((link.url, tag))
            out.append(link)
    return out


def pick_breadcrumb(candidates: list[str]) -> str:
    """Choose the trail that looks like 首页 > A > B and normalise its separators to ' > '."""
    for text in candidates:
        body = _CRUMB_TEXT.sub("", text)
        if ("首页" in body or ">" in body or "»" in body) and len(body) < 200:
            parts = [p for p in _CRUMB_SEP.split(body) if p and p.strip()]
            if parts:
                return " > ".join(p.strip() for p in parts)
    return ""
