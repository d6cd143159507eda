"""Pager information on list pages: how many pages a column has and how later pages are addressed.

Most pagers are written by JavaScript, so the numbers are read from the script source, never from
rendered links (a raw HTTP fetch has no rendered links). Forms seen on real portals:
* TRS   createPageHTML(countPage, currentPage0, "index", "html")  → index.html, index_1.html, …
* TRS   createPageHTML('page_div', countPage, currentPage1, 'fg', 'shtml', totalRecords) → fg_2.shtml …
* TRS   var countPage = 56; var currentPage = 0; var countnum = 6348   (邯郸, document.write loop)
* jpaas div.pagination[count][rows][pageNo]                           (工信部, pages come from an API)
* Hanweb <datastore><totalpage>/<totalrecord>/<nextgroup>              (pages come from dataproxy.jsp)
* rendered text 共N页 and a 下一页 link, as a last resort.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from zwgk.understand._html import clean, text_of

_CREATE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_VAR = re.compile(r"\b(countPage|currentPage|countnum|recordCount|pageCount)\s*=\s*['\"]?(\d+)")
_TOTAL_PAGES_TEXT = re.compile(r"共\s*(\d+)\s*页")
_NEXT_TEXT = re.compile(r"^(下一页|下页|后一页|>|›|»)$")
_PAGER_BLOCK = re.compile(r"pag|fenye|fy\b|pnum|turn", re.I)


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
        if not self.page_count or self.scheme not in ("createPageHTML4", "createPageHTML6", "countPage"):
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
    for m in _CREATE.finditer(html):
        args = _args(m.group(1))
        if len(args) >= 6 and _int(args[1]) is not None:        # ('page_div', count, cur1, prefix, ext, total)
            return Pager(page_count=_int(args[1]), current=_int(args[2]), prefix=args[3] or None,
                         ext=args[4] or None, total_records=_int(args[5]), scheme="createPageHTML6")
        if len(args) >= 2 and _int(args[0]) is not None:        # (count, cur0, prefix, ext)
            cur0 = _int(args[1])
            return Pager(page_count=_int(args[0]), current=None if cur0 is None else cur0 + 1,
                         prefix=(args[2] if len(args) > 2 else None) or None,
                         ext=(args[3] if len(args) > 3 else None) or None, scheme="createPageHTML4")
    return None


def _from_vars(html: str) -> Pager | None:
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
    m = _TOTAL_PAGES_TEXT.search(text_of(root))
    if not m and not next_url and not numbered:
        return None
    count = int(m.group(1)) if m else (max(numbered) if numbered else None)
    return Pager(page_count=count, next_url=next_url, scheme="text",
                 seen_urls=[u for n, u in sorted(numbered.items()) if n >= 2])


def parse_pager(html: str, root: etree._Element | None, base_url: str) -> Pager | None:
    """The first pager form found, strongest first (script arguments over rendered text)."""
    pager = _from_create(html) or _from_vars(html)
    if pager is None and root is not None:
        pager = _from_pagination(root) or _from_text(root, base_url)
    return pager
