"""Pager information on list pages: how many pages a column has and how later pages are addressed.

Most pagers are written by JavaScript, so the numbers are read from the script source, never from
rendered links (a raw HTTP fetch has no rendered links). Forms seen on real portals:
* TRS   createPageHTML(countPage, currentPage0, "index", "html")  → index.html, index_1.html, …
* TRS   createPageHTML('page_div', countPage, currentPage1, 'fg', 'shtml', totalRecords) → fg_2.shtml …
* TRS   var countPage = 56; var currentPage = 0; var countnum = 6348   (邯郸, document.write loop)
* TRS   Pager({size:266, current:0, prefix:'index',suffix:'html'})   (北京, 0-based like createPageHTML)
* jpaas div.pagination[count][rows][pageNo]                           (工信部, pages come from an API)
* Hanweb <datastore><totalpage>/<totalrecord>/<nextgroup>              (pages come from dataproxy.jsp)
* rendered text 共N页 and a 下一页 link, as a last resort.

`paging_hints` collects every number a page states about its list (records, pages, page size) from
all of these places at once, for the paging adapters to use whichever the page happens to give.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from zwgk.understand._html import clean, folded, text_of

_CREATE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_PAGER_CALL = re.compile(r"\bPager\s*\(\s*\{([^{}]*)\}\s*\)")
_KV = re.compile(r"""(\w+)\s*:\s*['"]?([\w.]*)['"]?""")
_VAR = re.compile(r"\b(countPage|currentPage|countnum|recordCount|pageCount)\s*=\s*['\"]?(\d+)")
_TOTAL_PAGES_TEXT = re.compile(r"共\s*(\d+)\s*页")
_NEXT_TEXT = re.compile(r"^(下一页|下页|后一页|>|›|»)$")
_PAGER_BLOCK = re.compile(r"pag|fenye|fy\b|pnum|turn", re.I)


STATIC_SCHEMES = ("createPageHTML3", "createPageHTML4", "createPageHTML6", "countPage", "pagerjs")


@dataclass
class Pager:
    page_count: int | None = None
    current: int | None = None          # 1-based
    total_records: int | None = None
    per_page: int | None = None
    prefix: str | None = None
    ext: str | None = None
    scheme: str = ""   # createPageHTML4 | createPageHTML6 | countPage | vars | pagination | datastore | text
    next_url: str | None = None         # Hanweb nextgroup / rendered 下一页 link
    extra: dict[str, str] = field(default_factory=dict)
    seen_urls: list[str] = field(default_factory=list)   # rendered numbered links (pages 2…), scheme text

    def page_urls(self, base_url: str, limit: int | None = None) -> list[str]:
        """URLs of pages 2..N for the static TRS schemes (or the rendered links seen); [] for API pagers.

        The two createPageHTML signatures number differently: the 4-argument form is 0-based
        (page 2 = index_1.html), the 6-argument form is 1-based (page 2 = fg_2.shtml).
        """
        if self.scheme == "text":
            return self.seen_urls[: None if limit is None else max(limit - 1, 0)]
        if not self.page_count or self.scheme not in STATIC_SCHEMES:
            return []
        prefix = self.prefix or "index"
        ext = self.ext or _ext_of(base_url) or "html"
        offset = 0 if self.scheme == "createPageHTML6" else 1
        last = self.page_count if limit is None else min(self.page_count, limit)
        return [urljoin(base_url, f"{prefix}_{n - offset}.{ext}") for n in range(2, last + 1)]


def _ext_of(url: str) -> str:
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if "." in name else ""


def _args(raw: str) -> list[str]:
    return [a.strip().strip("'\"").strip() for a in raw.split(",")]


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _from_create(html: str) -> Pager | None:
    if "createPageHTML" not in html:
        return None
    for m in _CREATE.finditer(html):
        args = _args(m.group(1))
        if len(args) >= 3 and all(_int(a) is not None for a in args[:3]):   # (records, pages, current …)
            cur0 = _int(args[2])
            return Pager(page_count=_int(args[1]), total_records=_int(args[0]), scheme="createPageHTML3",
                         current=None if cur0 is None else cur0 + 1,
                         prefix=(args[3] if len(args) > 3 else None) or None,
                         ext=(args[4] if len(args) > 4 else None) or None)
        if len(args) >= 6 and _int(args[1]) is not None:        # ('page_div', count, cur1, prefix, ext, total)
            return Pager(page_count=_int(args[1]), current=_int(args[2]), prefix=args[3] or None,
                         ext=args[4] or None, total_records=_int(args[5]), scheme="createPageHTML6")
        if len(args) >= 2 and _int(args[0]) is not None:        # (count, cur0, prefix, ext)
            cur0 = _int(args[1])
            return Pager(page_count=_int(args[0]), current=None if cur0 is None else cur0 + 1,
                         prefix=(args[2] if len(args) > 2 else None) or None,
                         ext=(args[3] if len(args) > 3 else None) or None, scheme="createPageHTML4")
    return None


def _from_pager_call(html: str) -> Pager | None:
    # a literal test first: the regex, led by \b, would try every position of the page
    m = _PAGER_CALL.search(html) if "Pager" in html else None
    if m is None:
        return None
    kv = dict(_KV.findall(m.group(1)))
    count = _int(kv.get("size"))
    if count is None:
        return None
    cur0 = _int(kv.get("current"))
    return Pager(page_count=count, current=None if cur0 is None else cur0 + 1, prefix=kv.get("prefix") or None,
                 ext=kv.get("suffix") or None, scheme="pagerjs")


def _from_vars(html: str) -> Pager | None:
    if "countPage" not in html and "pageCount" not in html:
        return None       # no page count without one of them
    found = {name: int(value) for name, value in _VAR.findall(html)}
    count = found.get("countPage", found.get("pageCount"))
    if count is None:
        return None
    cur = found.get("currentPage")
    # Only 邯郸's `var countPage` loop is known to write index_{n-1}; other variables (无锡's pageCount,
    # whose page 2 is index_2 and index_1 404s) give the count but no URL rule.
    return Pager(page_count=count, current=None if cur is None else cur + 1,
                 total_records=found.get("countnum", found.get("recordCount")),
                 scheme="countPage" if "countPage" in found else "vars")


def _from_pagination(root: etree._Element) -> Pager | None:
    for el in root.iter("div", "ul", "span"):
        if el.get("count") is None or el.get("rows") is None:
            continue
        total, rows = _int(el.get("count")), _int(el.get("rows"))
        count = math.ceil(total / rows) if total is not None and rows else None
        extra = {"queryData": el.get("querydata", el.get("queryData", ""))}
        return Pager(page_count=count, current=_int(el.get("pageno") or el.get("pageNo")), total_records=total,
                     per_page=rows, scheme="pagination", extra=extra)
    return None


def page_text(root: etree._Element) -> str:
    """The text of a page outside scripts, styles and comments, gathered without recursion (a page
    of thousands of nested elements must not exhaust Python's stack)."""
    parts: list[str] = []
    for el in root.iter():
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag and tag not in ("script", "style", "template", "noscript") and el.text:
            parts.append(el.text)
        if el.tail and el is not root:
            parts.append(el.tail)
    return clean(" ".join(parts))


def _from_text(root: etree._Element, base_url: str) -> Pager | None:
    """A pager rendered on the server: 共N页, numbered links in a page/pagination block, 下一页."""
    next_url = None
    numbered: dict[int, str] = {}
    for a in root.iter("a"):
        href, text = (a.get("href") or "").strip(), clean(text_of(a))
        if not href or href.lower().startswith("javascript") or href.startswith("#"):
            continue
        if next_url is None and _NEXT_TEXT.match(text):
            next_url = urljoin(base_url, href)
        elif text.isdigit() and any(_PAGER_BLOCK.search(f"{el.get('class', '')} {el.get('id', '')}")
                                    for el in a.iterancestors()):
            numbered.setdefault(int(text), urljoin(base_url, href))
    m = _TOTAL_PAGES_TEXT.search(page_text(root))
    if not m and not next_url and not numbered:
        return None
    count = int(m.group(1)) if m else (max(numbered) if numbered else None)
    return Pager(page_count=count, next_url=next_url, scheme="text",
                 seen_urls=[u for n, u in sorted(numbered.items()) if n >= 2])


def parse_pager(html: str, root: etree._Element | None, base_url: str) -> Pager | None:
    """The first pager form found, strongest first (script arguments over rendered text)."""
    pager = _from_create(html) or _from_pager_call(html) or _from_vars(html)
    if pager is None and root is not None:
        pager = _from_pagination(root) or _from_text(root, base_url)
    return pager


# --- every number a page states about its list ------------------------------------------------------

_HINT_VARS = re.compile(
    r"""\b(totalRecords?|recordCount|countnum|totalCount|totalNum|total_count|countPage|pageCount|totalPages?|"""
    r"""pageTotal|perPage|pageSize|page_size|rows|jpage_perpage|totalData|showData)\b['"]?\s*[:=]\s*['"]?(\d+)""",
    re.I)
# _HINT_VARS without IGNORECASE, for the folded text (see folded()): it matches at exactly the places
# _HINT_VARS matches in the page, and the page's own text there gives the name as written
_HINT_VARS_FOLDED = re.compile(
    r"""\b(totalrecords?|recordcount|countnum|totalcount|totalnum|total_count|countpage|pagecount|totalpages?|"""
    r"""pagetotal|perpage|pagesize|page_size|rows|jpage_perpage|totaldata|showdata)\b['"]?\s*[:=]\s*['"]?(\d+)""")
_XML_FIELDS = re.compile(r"<(totalrecord|totalpage|perpage)>\s*(\d+)\s*</\1>", re.I)
_RECORDS_TEXT = re.compile(r"(?:共|总共|共有|合计)\s*(\d+)\s*(?:条|篇|项|个记录)")
_PAGES_TEXT = re.compile(r"(?:共|总共|共有)\s*(\d+)\s*页")
# worth reading the text for 共N条/共N页: 共, a number (maybe inside its own tags), then the unit
_COUNT_HINT = re.compile(r"共(?:\s|&nbsp;|<[^<>]{0,80}>){0,6}\d+(?:\s|&nbsp;|<[^<>]{0,80}>){0,6}[条篇项页]")
_ROWS_ATTR = re.compile(r"""\brows\s*=\s*["']?\d""", re.I)
PAGER_MARKUP = re.compile(r"""下一?页|尾页|末页|class\s*=\s*["'][^"']*(pag|fenye|page)""", re.I)
_PAGER_WORDS = re.compile(r"下一?页|尾页|末页")
_PAGER_CLASS = re.compile(r"""class\s*=\s*["'][^"']*(pag|fenye|page)""")     # on folded text
_RECORD_KEYS = {"totalrecord", "totalrecords", "recordcount", "countnum", "totalcount", "totalnum", "total_count",
                "totaldata"}
_PAGE_KEYS = {"countpage", "pagecount", "totalpage", "totalpages", "pagetotal"}
_SIZE_KEYS = {"perpage", "pagesize", "page_size", "rows", "jpage_perpage", "showdata"}
# every _HINT_VARS name, lower-cased, holds one of these (totalrecord for totalRecords, perpage for jpage_perpage)
_HINT_MARKERS = ("totalrecord", "recordcount", "countnum", "totalcount", "totalnum", "total_count", "countpage",
                 "pagecount", "totalpage", "pagetotal", "perpage", "pagesize", "page_size", "rows", "totaldata",
                 "showdata")
_XML_MARKERS = ("<totalrecord", "<totalpage", "<perpage")


def has_pager_markup(html: str) -> bool:
    """PAGER_MARKUP.search(html), without trying a case-insensitive pattern at every position: the
    class alternative is searched case-sensitively in the folded text, where it matches exactly where
    the case-insensitive one matches in the page."""
    return bool(_PAGER_WORDS.search(html) or _PAGER_CLASS.search(folded(html)))


@dataclass
class PagingHints:
    """What a list page states about its size, from wherever it states it (first source wins)."""

    total_records: int | None = None
    total_pages: int | None = None
    per_page: int | None = None
    sources: list[str] = field(default_factory=list)    # evidence: "xml totalrecord", "script totalRecord" …

    def pages(self, per_page: int | None = None) -> int | None:
        """Pages of the list: stated, or records ÷ page size."""
        if self.total_pages:
            return self.total_pages
        per = self.per_page or per_page
        if self.total_records is not None and per:
            return max(1, math.ceil(self.total_records / per))
        return None

    def any(self) -> bool:
        return self.total_records is not None or self.total_pages is not None

    def _set(self, what: str, value: int, source: str) -> None:
        if getattr(self, what) is None:
            setattr(self, what, value)
            self.sources.append(source)


def paging_hints(html: str, root: etree._Element | None = None) -> PagingHints:
    """Record counts, page counts and page sizes stated in XML totals (Hanweb <datastore>), script
    variables and calls (totalRecord, countPage, perPage, createPageHTML, Pager({size})), pagination
    attributes (count/rows) and the page text (共N条 / 共N页)."""
    hints = PagingHints()
    low = folded(html)      # markers first: the patterns below are case-insensitive and led by \b
    for name, value in _XML_FIELDS.findall(html) if any(m in low for m in _XML_MARKERS) else ():
        key = name.lower()
        what = {"totalrecord": "total_records", "totalpage": "total_pages", "perpage": "per_page"}[key]
        hints._set(what, int(value), f"xml {key}")
    pager = _from_create(html) or _from_pager_call(html)
    if pager is not None:
        if pager.page_count is not None:
            hints._set("total_pages", pager.page_count, f"script {pager.scheme}")
        if pager.total_records is not None:
            hints._set("total_records", pager.total_records, f"script {pager.scheme}")
    for found in _HINT_VARS_FOLDED.finditer(low) if any(m in low for m in _HINT_MARKERS) else ():
        name, value = html[found.start(1):found.end(1)], found.group(2)
        key = name.lower()
        what = ("total_records" if key in _RECORD_KEYS else "total_pages" if key in _PAGE_KEYS
                else "per_page" if key in _SIZE_KEYS else None)
        if what and (what != "per_page" or int(value) > 0):
            hints._set(what, int(value), f"script {name}")
    if root is not None and "rows" in low and _ROWS_ATTR.search(html):
        for el in root.iter("div", "ul", "span"):       # jpaas div.pagination[count][rows]
            count, rows = _int(el.get("count")), _int(el.get("rows"))
            if rows:
                if count is not None:
                    hints._set("total_records", count, "pagination count")
                hints._set("per_page", rows, "pagination rows")
                break
    if root is not None:
        text = page_text(root) if _COUNT_HINT.search(html) else ""
        if (m := _RECORDS_TEXT.search(text)) is not None:
            hints._set("total_records", int(m.group(1)), "text 共N条")
        if (m := _PAGES_TEXT.search(text)) is not None:
            hints._set("total_pages", int(m.group(1)), "text 共N页")
    return hints
