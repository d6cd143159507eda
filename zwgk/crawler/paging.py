"""Fast-path adapters for script-paged column lists: what a browser would load, without a browser.

Real portals write their pagers and lists with JavaScript (see the portal-structures reference):
* TRS       createPageHTML(count, cur, "index", "html") / var countPage → static index_N.html pages
* Hanweb    <datastore> records embedded as XML in the column page (links inside CDATA), further
            groups of records from POST /module/web/jpage/dataproxy.jsp (form taken from <nextgroup>)
* jpaas     <script parseType="buildstatic" url=… querydata=…> → a JSON API wrapping list HTML
Each adapter turns a page into the requests a browser would make; unknown patterns fall through to
the browser path (render_js). The list parsing itself is the checks' (zwgk.understand).
"""

from __future__ import annotations

import html as htmllib
import json
import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from zwgk.understand.pager import parse_pager

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
_RECORD_HREF = re.compile(r"<record\b[^>]*>.*?href=['\"]([^'\"]+)['\"]", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?.*?href=['\"]([^'\"]+)", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_PERPAGE = re.compile(r"\bjpage_perpage\s*=\s*(\d+)|<perpage>\s*(\d+)\s*</perpage>"
                      r"|\bperpage\s*[:=]\s*['\"]?(\d+)", re.I)
_BUILDSTATIC = re.compile(r"<script\b[^>]*parseType=['\"]buildstatic['\"][^>]*>", re.I)
_ATTR = re.compile(r"""(\w+)\s*=\s*(['"])(.*?)\2""", re.S)
GROUP_PAGES = 3                       # jpage fetches three pages of records per call
HANWEB_FORM_DEFAULTS = {"col": "1", "appid": "1", "sourceContentType": "1", "permissiontype": "0"}


@dataclass
class ScriptRequest:
    url: str
    kind: str                         # page (a list or detail page) | listing (an API answer holding records)
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    same_level: bool = False          # list page N is a sibling of page 1, not a level deeper
    via: str = ""                     # which adapter: trs_pager | hanweb_records | hanweb_dataproxy | jpaas_api


def trs_pages(html: str, base_url: str, limit: int) -> list[ScriptRequest]:
    pager = parse_pager(html, None, base_url)
    if pager is None:
        return []
    return [ScriptRequest(u, "page", same_level=True, via="trs_pager") for u in pager.page_urls(base_url, limit)]


def record_links(text: str, base_url: str) -> list[str]:
    """Detail links inside <record> CDATA (column page or dataproxy answer)."""
    return [urljoin(base_url, href) for block in _DATASTORE.findall(text) for href in _RECORD_HREF.findall(block)]


def hanweb_requests(html: str, base_url: str, limit: int) -> list[ScriptRequest]:
    blocks = _DATASTORE.findall(html)
    if not blocks:
        return []
    out = [ScriptRequest(u, "page", via="hanweb_records") for u in record_links(html, base_url)]
    block = blocks[0]
    nxt, total = _NEXTGROUP.search(block), _TOTAL.search(block)
    per = _PERPAGE.search(html)
    if not (nxt and total and per):
        return out
    perpage = int(next(g for g in per.groups() if g))
    first_group = perpage * GROUP_PAGES
    proxy = urljoin(base_url, nxt.group(1))
    form = {**HANWEB_FORM_DEFAULTS, **dict(parse_qsl(urlsplit(proxy).query))}
    form.pop("page", None)
    path = urlsplit(proxy).path
    pages = math.ceil(int(total.group(1)) / perpage)
    # `columnid` rides in the query too: jpage POSTs every column's groups to the same address, and
    # the crawl keys requests by (url, method) — the form alone would make two columns' groups one.
    # JSP reads query and form parameters alike, so the server sees the same request.
    column = f"&columnid={form['columnid']}" if form.get("columnid") else ""
    for start in range(first_group, min(pages, limit) * perpage, first_group):
        end = start + first_group
        url = urljoin(base_url, f"{path}?startrecord={start + 1}&endrecord={end}&perpage={perpage}{column}")
        # a group of records is list pages 4-6 …: a sibling of page 1, as TRS index_N pages are
        out.append(ScriptRequest(url, "listing", method="POST", form=form, same_level=True, via="hanweb_dataproxy"))
    return out


def jpaas_requests(html: str, base_url: str) -> list[ScriptRequest]:
    out = []
    for tag in _BUILDSTATIC.findall(html):
        attrs = {k.lower(): v for k, _, v in _ATTR.findall(tag)}
        if "url" in attrs:
            query = attrs.get("querydata", "")
            url = urljoin(base_url, attrs["url"])
            if query:   # {'pageId':'…'} percent-encoded, as the page's loader (encodeURIComponent) sends it
                url += ("&" if "?" in url else "?") + "querydata=" + quote(htmllib.unescape(query), safe="")
            out.append(ScriptRequest(url, "listing", same_level=True, via="jpaas_api"))
    return out


def script_requests(html: str, base_url: str, limit: int = 200) -> list[ScriptRequest]:
    """Every request the page's list scripts would make; `limit` caps the pages per column."""
    return [*trs_pages(html, base_url, limit), *hanweb_requests(html, base_url, limit),
            *jpaas_requests(html, base_url)]


def listing_links(body: str, content_type: str, base_url: str) -> list[str]:
    """Detail links in an API answer: Hanweb XML records, or jpaas JSON whose data.html holds the list."""
    if "json" in content_type or body.lstrip().startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            return []
        html = (data.get("data") or {}).get("html", "") if isinstance(data, dict) else ""
        return [urljoin(base_url, h) for h in re.findall(r"href=['\"]([^'\"]+)['\"]", html)]
    return record_links(body, base_url)
