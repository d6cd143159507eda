"""The crawl rule, in one place: which links the crawler sees and follows (plain links, plus what
the fast-path paging adapters load, plus what only a browser sees).

Ground truth is computed with exactly this rule, so the project's crawler and the truth must agree on
it; change it here and in the crawler together.
"""

from __future__ import annotations

import html
import ipaddress
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html

CRAWL_RULE = """\
A plain crawler (no JavaScript) starting at http://<main host>/:
1. Fetches each URL at most once (fragment dropped). Follows redirects (301/302/303/307/308, up to 20
   hops); a redirect hop keeps the depth of the request that was redirected; a hop back to an
   already-requested URL is not re-requested (a loop ends there, reported as error redirect_loop).
2. Parses only status-200 text/html responses. Links are the href of <a> and <area> elements and
   the src of <frame> and <iframe> elements in the markup however deeply nested (the parsed DOM,
   lxml.html as Scrapy/parsel, plus the link tags a depth-limited parser drops), resolved against the
   page URL (or <base href>), with leading/trailing whitespace and controls stripped and tabs/newlines
   removed (as browsers do). Links inside hidden markup (an ancestor-or-self with the
   `hidden` attribute or a style of display:none / visibility:hidden) ARE followed and are also
   reported in `hidden_links`. Not links: anything in comments, <script> text (incl. XML/CDATA
   datastores and document.write pagers), <form action>, <img>/<link>/<script> src, <option value>.
   Empty and #fragment-only hrefs are skipped.
2b. Fast-path adapters (crawl.paging_adapters, default on; off = the plain rule): what a list page's
   scripts would load is followed too, as the page declares it (Resource.scripted, never by running
   JS): TRS createPageHTML/countPage pager pages index_N.html at the page's own depth (pages 2..
   max_list_pages, default 50); Hanweb <datastore> record links at depth + 1 and one POST
   dataproxy.jsp?startrecord=&endrecord=&perpage=&columnid= per further group of 3 pages at the
   page's depth; a jpaas buildstatic list API (GET …?querydata=<percent-encoded>) at the page's
   depth. The documents in an API answer (Hanweb XML records, jpaas data.html) are at its depth + 1.
   API answers are `listings`, not pages.
2c. Rendering (crawl.render_js, with a browser): links that exist only after the page's inline
   scripts ran (Resource.rendered) are followed at depth + 1.
2d. Hrefs no browser can open — a port that is not a number 0-65535, a broken IPv6 literal, a host
   with control characters or spaces — are `invalid` links (reported, never requested). Same-site
   URLs longer than URL_LIMIT (2083) characters are `unchecked` (too_long), never requested.
2e. Crawl traps (Site.trap_patterns: calendar/date parameters, repeating path segments, multiplying
   query parameters): at most TRAP_BUDGET URLs of each pattern are requested (the first met in this
   BFS; a crawl may meet others first, but requests the same number); the rest are `unchecked` (trap).
3. mailto:, tel:, javascript:, data: (any non-http(s) scheme) -> `not_followed`.
4. http(s) URLs whose host is not one of the site's hosts (served hosts + declared dead same-site
   hosts) -> `external`, never fetched.
5. Same-site URLs disallowed by that host's robots.txt (user-agent *) -> `robots_disallowed`, never
   fetched (a host without robots.txt allows everything).
6. Same-site URLs whose path ends in an attachment extension (.pdf .doc .docx .xls .xlsx .zip .rar .wps
   .et .ofd .txt) are HEAD-checked, not parsed; a HEAD answered 405 is retried with GET.
7. Everything else same-site is fetched as a page. Depth = link distance from the homepage (0).
8. No depth or page cap is applied: truth is the full closure. Depth is the BFS minimum (attachments:
   shallowest linking page + 1); to compare with a crawl capped at max_depth, filter depth <= max_depth
   and crawl shallow-first (Scrapy: DEPTH_PRIORITY=1 + FIFO queues), or a page first met on a longer
   path gets a larger depth than truth's.
"""

ATTACHMENT_EXTS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "wps", "et", "ofd", "txt"})
URL_LIMIT = 2083            # Scrapy's URLLENGTH_LIMIT: longer URLs are reported, not requested
TRAP_BUDGET = 10            # URLs requested per crawl-trap pattern
_LINK_TAG = re.compile(r"<(a|area|i?frame)\b([^>]*)>", re.I)
_NOT_MARKUP = re.compile(r"<!--.*?-->|<(script|style|template|noscript)\b.*?</\1\s*>", re.S | re.I)
_URL_ATTR = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_C0 = "".join(map(chr, range(0x21)))
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 20
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True)
class FoundLink:
    url: str        # absolute, without fragment (raw href for non-http schemes and invalid ones)
    scheme: str     # http, https, mailto, tel, javascript, … | invalid (no browser can open it)
    hidden: bool
    tag: str = "a"  # a | area | frame | iframe


def is_attachment(url: str) -> bool:
    name = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[-1].lower() in ATTACHMENT_EXTS


def _join_relative(base_dir: str, href: str) -> str | None:
    """RFC 3986 merge for the plain ./ ../ relative paths CMSs write; None = use urljoin."""
    if any(c in href for c in "?#:\\%"):
        return None
    joined = posixpath.normpath(base_dir + href)
    if joined.startswith("//"):
        joined = "/" + joined.lstrip("/")
    if href.endswith(("/", "/.", "/..")) or href in (".", ".."):
        joined = joined.rstrip("/") + "/"
    return joined


def _invalid(href: str) -> bool:
    """An absolute http(s) href whose authority no browser accepts (rule 2d)."""
    try:
        parts = urlsplit(href)
        parts.port                                                # noqa: B018 (raises on a bad port)
    except ValueError:
        return True
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(netloc[1:netloc.index("]")].split("%")[0])
        except ValueError:
            return True
        return False
    host = netloc.rsplit(":", 1)[0] if ":" in netloc else netloc
    return not host or any(c in host for c in _C0 + "\x7f") or "[" in netloc or "]" in netloc


def _raw_targets(text: str) -> list[tuple[str, str]]:
    """(tag, href/src) of every link tag in the markup outside comments and scripts."""
    out = []
    for m in _LINK_TAG.finditer(_NOT_MARKUP.sub("", text)):
        tag = m.group(1).lower()
        for name, *vals in _URL_ATTR.findall(m.group(2)):
            if name.lower() == ("src" if tag.endswith("frame") else "href"):
                out.append((tag, html.unescape(next(v for v in vals if v is not None))))
    return out


def extract_links(body: bytes, encoding: str, page_url: str) -> list[FoundLink]:
    """Links of an HTML page, in document order (duplicates kept; callers dedupe)."""
    text = body.decode(encoding or "utf-8", "replace")
    if not text.strip():
        return []
    root = lxml.html.document_fromstring(text)
    base = page_url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(page_url, b.get("href").strip())
            break
    parts = urlsplit(base)
    origin = f"{parts.scheme}://{parts.netloc}"
    base_dir = (parts.path or "/").rsplit("/", 1)[0] + "/"
    hidden: set[object] = set()
    for el in root.xpath("//*[@hidden or @style]"):
        if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
            hidden.update(el.iter("a", "area", "frame", "iframe"))
    found = [(el.tag, el.get("src" if el.tag.endswith("frame") else "href") or "", el in hidden)
             for el in root.iter("a", "area", "frame", "iframe")]
    raw = _raw_targets(text)
    if len(raw) > len(found):     # the parser stopped building the tree (thousands of nested elements)
        have = {(t, h) for t, h, _ in found}
        found += [(t, h, False) for t, h in raw if (t, h) not in have]
    out = []
    for tag, value, is_hidden in found:
        href = re.sub(r"[\t\n\r]", "", value.strip(_C0))   # leading/trailing space and controls, as browsers
        if not href or href.startswith("#"):
            continue
        if href.startswith(("http://", "https://")):            # fast paths: most hrefs are these
            if _invalid(href):
                out.append(FoundLink(href, "invalid", is_hidden, tag))
                continue
            url = href.split("#", 1)[0]
        elif href.startswith("/") and not href.startswith("//"):
            url = origin + href.split("#", 1)[0]
        else:
            scheme = _SCHEME.match(href)
            if scheme and scheme[1].lower() not in ("http", "https"):
                out.append(FoundLink(href, scheme[1].lower(), is_hidden, tag))
                continue
            path = None if scheme or href.startswith("//") else _join_relative(base_dir, href)
            try:
                url = origin + path if path is not None else urldefrag(urljoin(base, href))[0]
            except ValueError:
                out.append(FoundLink(href, "invalid", is_hidden, tag))
                continue
        out.append(FoundLink(url, "https" if url.startswith("https:") else "http", is_hidden, tag))
    return out
