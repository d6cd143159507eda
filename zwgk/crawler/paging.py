"""Fast-path adapters for script-paged column lists: what a browser would load, without a browser.

Real portals write their pagers and lists with JavaScript (see the portal-structures reference):
* trs         createPageHTML(count, cur, "index", "html") / var countPage / Pager({size}) → static
              index_N.html pages; a count stated only as 共N页/共N条 text → the TRS file rule, tried
              one page at a time (index_1 first, index_2 when index_1 is missing, as 无锡's pager has it)
* hanweb      <datastore> records embedded in the column page (links inside CDATA), further groups of
              records from POST dataproxy.jsp (form from <nextgroup> and the jpage({ajaxParam}) call);
              the total from <totalrecord>, the jpage({totalRecord}) call or 共N条 text
* jpaas       <script parseType="buildstatic" url=… queryData=…> → the build/unit JSON API (data.html),
              further pages with paramJson={"pageNo":N,"pageSize":rows}; the count from div.pagination
* gkmlpt      Guangdong's 政府信息公开目录: window._CONFIG = {SID, TREE} → /gkmlpt/api/all/<cat>?page=N&sid=SID
              per category (JSON articles; the count from classify.post_count / total)
* uid_pagenum newer Hanweb lists at col/colN/index.html?uid=U&pageNum=N (server-rendered pages)

Every adapter uses whatever numbers the page states (understand.pager.paging_hints). With none it
degrades instead of going blind: it asks for the next page or group, and the next only when that
one came back with items it had not seen (a probe chain), bounded by max_list_pages. Each adapter
turns a page into ListPlans (one per list) whose requests the spider makes; what no adapter reads
goes to the browser path (render_js). The list parsing itself is understand's (parse_list).
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from zwgk.understand.pager import STATIC_SCHEMES, PagingHints, has_pager_markup, paging_hints, parse_pager

_DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
_RECORD_HREF = re.compile(r"<record\b[^>]*>.*?href=['\"]([^'\"]+)['\"]", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?.*?href=(?P<q>['\"])(?P<href>.*?)(?P=q)", re.S | re.I)
_INIT_DATA = re.compile(r"\bvar\s+(InitData\w*)\s*=\s*\[(.*?)\]\s*;", re.S)   # older jpage: records as JS strings
_JPAGE_CALL = re.compile(r"\.jpage\s*\(\s*\{(.*?)\}\s*\)\s*;?\s*\}?\s*\)?", re.S)
_AJAX_PARAM = re.compile(r"ajaxParam\s*:\s*\{([^{}]*)\}", re.S)
_JS_KV = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([\w./-]+))""")
_BUILDSTATIC = re.compile(r"<script\b[^>]*parseType=['\"]buildstatic['\"][^>]*>", re.I)
_ATTR = re.compile(r"""(\w+)\s*=\s*(['"])(.*?)\2""", re.S)
_GKMLPT_SID = re.compile(r"\bSID\s*:\s*['\"]?(\d+)")
_GKMLPT_TREE = re.compile(r"\bTREE\s*:\s*\[")
_UID_PAGENUM = re.compile(r"""([^\s'"<>]*)[?&](?:amp;)?uid=(\d+)&(?:amp;)?pageNum=\d+""", re.I)
_HREF = re.compile(r"href=['\"]([^'\"]+)['\"]")
GROUP_PAGES = 3                       # jpage fetches three pages of records per call
HANWEB_PER_PAGE = 15                  # jpage's usual page size, when a page states none
HANWEB_FORM_DEFAULTS = {"col": "1", "appid": "1", "sourceContentType": "1", "permissiontype": "0"}
ADAPTERS = ("trs", "hanweb", "jpaas", "gkmlpt", "uid_pagenum")


@dataclass
class ScriptRequest:
    url: str
    kind: str                         # page (a list or detail page) | listing (an API answer holding records)
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    same_level: bool = False          # list page N is a sibling of page 1, not a level deeper
    via: str = ""                     # trs_pager | hanweb_records | hanweb_dataproxy | jpaas_api | gkmlpt_api
                                      # | uid_pagenum
    page: int = 1                     # the first list page it loads (a Hanweb group loads three)
    chain: dict[str, Any] | None = None   # a list member whose answer decides what is asked next


@dataclass
class ListPlan:
    """One list on a page: where its items come from, what it states about itself, what to request."""

    list_url: str                     # the list page as requested (a gkmlpt category: its first API page)
    adapter: str                      # one of ADAPTERS (ListCoverage.adapter)
    requests: list[ScriptRequest] = field(default_factory=list)   # documents and further list members
    members: list[str] = field(default_factory=list)   # further list pages/answers, incl. plain-linked ones
    stated_total: int | None = None
    stated_pages: int | None = None
    first_items: list[str] = field(default_factory=list)   # item URLs the list page itself holds (records)
    probing: bool = False             # no count stated: pages are asked for one at a time
    note: str = ""


def signature(urls: Iterable[str]) -> str:
    """A short fingerprint of a page's items: two pages with the same items are the same page."""
    return hashlib.sha1("\n".join(sorted(set(urls))).encode()).hexdigest()[:16]


def _chain(adapter: str, n: int, last: int | None, limit: int, prev: Iterable[str], per_request: int | None,
           spec: dict[str, Any]) -> dict[str, Any]:
    """How a probing member's answer continues its list (see more_requests); JSON-serialisable."""
    return {"adapter": adapter, "n": n, "last": last, "limit": limit, "prev": signature(prev), "per": per_request,
            "spec": spec}


# --- TRS: static pages behind a script pager -------------------------------------------------------


def _trs_url(spec: dict[str, Any], n: int) -> str:
    return urljoin(spec["base"], f"{spec['prefix']}_{n - spec['offset']}.{spec['ext']}")


def _looks_static_list(url: str) -> tuple[str, str] | None:
    """(prefix, ext) of a static list page: …/ , …/index.html, …/index.shtml."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    if not name:
        return "index", "html"
    m = re.fullmatch(r"(index|list|default)\.(s?html?)", name, re.I)
    return (m.group(1), m.group(2)) if m else None


def trs_plan(html: str, base_url: str, limit: int, root: etree._Element | None,
             hints: PagingHints, first_items: Callable[[], list[str]]) -> ListPlan | None:
    pager = parse_pager(html, None, base_url)
    if pager is not None and pager.scheme in STATIC_SCHEMES:
        urls = pager.page_urls(base_url, limit)
        reqs = [ScriptRequest(u, "page", same_level=True, via="trs_pager", page=i + 2) for i, u in enumerate(urls)]
        return ListPlan(base_url, "trs", reqs, urls, hints.total_records, pager.page_count,
                        note=f"分页脚本 {pager.scheme}：共 {pager.page_count} 页")
    rendered = parse_pager(html, root, base_url) if root is not None and has_pager_markup(html) else None
    if rendered is not None and rendered.scheme == "text" and rendered.seen_urls:
        # a pager the server wrote as links: they are followed as links; here they only count as the list's pages
        return ListPlan(base_url, "trs", [], rendered.seen_urls[: max(limit - 1, 0)], hints.total_records,
                        hints.pages() or rendered.page_count, note="页面分页链接")
    pages = hints.pages() or (pager.page_count if pager is not None else None)
    rule = _looks_static_list(base_url)
    if not pages or pages < 2 or rule is None or "<datastore" in html.lower():
        return None
    # the count is stated but no script says how pages are named: the TRS rule, tried page by page
    prefix, ext = rule
    shown = first_items()
    spec = {"base": base_url, "prefix": prefix, "ext": ext, "offset": 1, "alternatives": [0]}
    first = ScriptRequest(_trs_url(spec, 2), "page", same_level=True, via="trs_pager", page=2,
                          chain=_chain("trs", 2, pages, limit, shown, len(shown) or None, spec))
    return ListPlan(base_url, "trs", [first], [first.url], hints.total_records, pages, probing=True,
                    note=f"页面只写明数量（{'、'.join(hints.sources)}），按 TRS 命名规则逐页尝试")


# --- Hanweb: embedded records and dataproxy.jsp groups ---------------------------------------------


def record_links(text: str, base_url: str) -> list[str]:
    """Detail links inside <record> CDATA (column page or dataproxy answer)."""
    return [urljoin(base_url, htmllib.unescape(href)) for block in _DATASTORE.findall(text)
            for href in _RECORD_HREF.findall(block)]


def _js_object(text: str) -> dict[str, str]:
    return {k: next((v for v in vals if v), "") for k, *vals in _JS_KV.findall(text)}


def _hanweb_url(spec: dict[str, Any], g: int) -> ScriptRequest:
    per, group = spec["per"], spec["group"]
    start = (g - 1) * per * group
    column = f"&columnid={spec['column']}" if spec.get("column") else ""
    # `columnid` rides in the query too: jpage POSTs every column's groups to the same address, and
    # the crawl keys requests by (url, method) — the form alone would make two columns' groups one.
    # JSP reads query and form parameters alike, so the server sees the same request.
    url = urljoin(spec["base"], f"{spec['path']}?startrecord={start + 1}&endrecord={start + per * group}"
                                f"&perpage={per}{column}")
    # a group of records is list pages 4-6 …: a sibling of page 1, as TRS index_N pages are
    return ScriptRequest(url, "listing", method="POST", form=dict(spec["form"]), same_level=True,
                         via="hanweb_dataproxy", page=(g - 1) * group + 1)


def hanweb_plan(html: str, base_url: str, limit: int, hints: PagingHints) -> ListPlan | None:
    blocks = _DATASTORE.findall(html)
    init = _INIT_DATA.search(html) if not blocks and "InitData" in html else None
    if not blocks and not (init and ".jpage(" in html):
        return None
    records = (record_links(html, base_url) if blocks else
               [urljoin(base_url, htmllib.unescape(h)) for h in _HREF.findall(init.group(2).replace("\\", ""))])
    plan = ListPlan(base_url, "hanweb", [ScriptRequest(u, "page", via="hanweb_records") for u in records],
                    first_items=records, stated_total=hints.total_records)
    nxt = _NEXTGROUP.search(blocks[0]) if blocks else None
    jpage = _JPAGE_CALL.search(html)
    conf = _js_object(jpage.group(1)) if jpage else {}
    ajax = _js_object(m.group(1)) if jpage and (m := _AJAX_PARAM.search(jpage.group(1))) else {}
    if not nxt and not conf.get("proxyUrl"):
        return plan
    proxy = urljoin(base_url, htmllib.unescape(nxt.group("href")) if nxt else conf["proxyUrl"])
    form = {**HANWEB_FORM_DEFAULTS, **dict(parse_qsl(urlsplit(proxy).query)), **ajax}
    form.pop("page", None)
    group = int(conf.get("groupSize") or GROUP_PAGES) or GROUP_PAGES
    per = hints.per_page or (math.ceil(len(records) / group) if records else 0) or HANWEB_PER_PAGE
    path = urlsplit(conf["proxyUrl"] if conf.get("proxyUrl") else proxy).path
    spec = {"base": base_url, "path": path, "per": per, "group": group, "column": form.get("columnid", ""),
            "form": form}
    pages = hints.pages(per)
    plan.stated_pages = hints.total_pages
    if pages is not None:
        last_group = math.ceil(min(pages, limit) / group)
        members = [_hanweb_url(spec, g) for g in range(2, last_group + 1)]
        plan.note = f"总数来自 {'、'.join(hints.sources)}"
    else:
        first = _hanweb_url(spec, 2)
        first.chain = _chain("hanweb", 2, None, limit, records, per * group, spec)
        members = [first] if first.page <= limit else []
        plan.probing = True
        plan.note = "页面未写明总数：逐组请求直到某组为空或重复"
    plan.requests += members
    plan.members = [r.url for r in members]
    return plan


# --- jpaas: the build/unit JSON API ---------------------------------------------------------------


def _query_data(raw: str) -> dict[str, str] | None:
    """queryData="{'webId':'…','pageId':'…'}" — a JS object with single quotes."""
    text = htmllib.unescape(raw).strip()
    try:
        data = json.loads(text.replace("'", '"'))
    except ValueError:
        data = _js_object(text.strip("{}")) or None
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else None


def _jpaas_url(spec: dict[str, Any], n: int) -> ScriptRequest:
    params = dict(spec["params"])
    if n > 1:
        params["paramJson"] = json.dumps({"pageNo": n, "pageSize": spec["rows"]}, separators=(",", ":"))
    url = spec["url"] + ("&" if "?" in spec["url"] else "?") + urlencode(params, quote_via=quote)
    return ScriptRequest(url, "listing", same_level=True, via="jpaas_api", page=n)


def jpaas_plans(html: str, base_url: str, limit: int, hints: PagingHints) -> list[ListPlan]:
    plans = []
    for i, tag in enumerate(_BUILDSTATIC.findall(html)):
        attrs = {k.lower(): v for k, _, v in _ATTR.findall(tag)}
        if "url" not in attrs:
            continue
        params = _query_data(attrs.get("querydata", "")) or {}
        spec = {"url": urljoin(base_url, attrs["url"]), "params": params, "rows": hints.per_page or 0}
        first = _jpaas_url(spec, 1)
        key = base_url if i == 0 else f"{base_url}#unit{i + 1}"
        plan = ListPlan(key, "jpaas", [first], [first.url], hints.total_records if i == 0 else None)
        pages = hints.pages() if i == 0 else None
        if pages is not None:
            plan.stated_pages = hints.total_pages
            plan.requests += [_jpaas_url(spec, n) for n in range(2, min(pages, limit) + 1)]
            plan.note = f"总数来自 {'、'.join(hints.sources)}"
        elif spec["rows"] and i == 0:
            first.chain = _chain("jpaas", 1, None, limit, [], spec["rows"], spec)
            plan.probing = True
            plan.note = "页面未写明总数：逐页请求直到某页为空或重复"
        plan.members = [r.url for r in plan.requests]
        plans.append(plan)
    return plans


# --- gkmlpt: Guangdong's 政府信息公开目录 ------------------------------------------------------------


def _bracketed(text: str, start: int) -> str | None:
    """The JSON array/object that opens at text[start], by bracket matching (strings respected)."""
    depth, quote_char, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote_char:
            if ch == "\\":
                i += 1
            elif ch == quote_char:
                quote_char = ""
        elif ch in "\"'":
            quote_char = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return None


def gkmlpt_tree(html: str) -> tuple[str, list[dict[str, Any]]] | None:
    """(SID, TREE) from window._CONFIG, or None when the page is not a gkmlpt shell."""
    if "_CONFIG" not in html:           # first: the \b-led patterns below would try every position
        return None
    sid, tree = _GKMLPT_SID.search(html), _GKMLPT_TREE.search(html)
    if not sid or not tree:
        return None
    raw = _bracketed(html, tree.end() - 1)
    try:
        nodes = json.loads(raw) if raw else None
    except ValueError:
        return None
    return (sid.group(1), nodes) if isinstance(nodes, list) else None


def _leaves(nodes: list[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Categories that hold documents: no jump_url (a link elsewhere), no children of their own."""
    for node in nodes:
        if not isinstance(node, dict) or node.get("jump_url"):
            continue
        children = node.get("children") or []
        if children:
            yield from _leaves(children)
        elif node.get("id") is not None:
            yield node


def _gkmlpt_url(spec: dict[str, Any], n: int) -> ScriptRequest:
    return ScriptRequest(f"{spec['api']}?page={n}&sid={spec['sid']}", "listing", same_level=True,
                         via="gkmlpt_api", page=n)


def gkmlpt_plans(html: str, base_url: str, limit: int) -> list[ListPlan]:
    found = gkmlpt_tree(html)
    if found is None:
        return []
    sid, tree = found
    root = base_url.split("/gkmlpt/", 1)[0] if "/gkmlpt/" in base_url else urljoin(base_url, "/").rstrip("/")
    plans = []
    for node in _leaves(tree):
        spec = {"api": f"{root}/gkmlpt/api/all/{node['id']}", "sid": sid}
        first = _gkmlpt_url(spec, 1)
        first.chain = _chain("gkmlpt", 1, None, limit, [], None, spec)
        total = node.get("post_count") if isinstance(node.get("post_count"), int) else None
        plans.append(ListPlan(first.url, "gkmlpt", [first], [first.url], total, probing=total is None,
                              note=f"公开目录分类「{node.get('name', node['id'])}」"))
    return plans


# --- uid/pageNum: newer Hanweb lists rendered by the server ------------------------------------------


def _own_uid(html: str, base_url: str) -> str | None:
    if "pageNum" not in html:
        return None
    path = urlsplit(base_url).path
    for m in _UID_PAGENUM.finditer(html):
        if urlsplit(urljoin(base_url, htmllib.unescape(m.group(1)) or "?")).path == path:
            return m.group(2)
    return None


def _uid_url(spec: dict[str, Any], n: int) -> ScriptRequest:
    return ScriptRequest(f"{spec['base']}?uid={spec['uid']}&pageNum={n}", "page", same_level=True,
                         via="uid_pagenum", page=n)


def uid_plan(html: str, base_url: str, limit: int, hints: PagingHints,
             shown: Callable[[], list[str]]) -> ListPlan | None:
    parts = urlsplit(base_url)
    query = dict(parse_qsl(parts.query))
    uid = query.get("uid") if "pageNum" in query else None
    if uid is None:       # a page of this very list linked with ?uid=&pageNum= (not another column's)
        uid = _own_uid(html, base_url)
    if not uid or not uid.isdigit():
        return None
    current = int(query["pageNum"]) if query.get("pageNum", "").isdigit() else 1
    first_items = shown()
    spec = {"base": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), "uid": uid}
    plan = ListPlan(base_url, "uid_pagenum", first_items=first_items, stated_total=hints.total_records,
                    stated_pages=hints.total_pages)
    pages = hints.pages(len(first_items) or None)
    if pages is not None:
        plan.requests = [_uid_url(spec, n) for n in range(1, min(pages, limit) + 1) if n != current]
        plan.note = f"总数来自 {'、'.join(hints.sources)}"
    elif current + 1 <= limit:
        first = _uid_url(spec, current + 1)
        first.chain = _chain("uid_pagenum", current + 1, None, limit, first_items, len(first_items) or None, spec)
        plan.requests = [first]
        plan.probing = True
        plan.note = "页面未写明总数：逐页请求直到某页为空或重复"
    plan.members = [r.url for r in plan.requests]
    return plan


# --- the plans of a page, and what a probe's answer asks for next -------------------------------------


def plan_lists(html: str, base_url: str, limit: int = 50, root: etree._Element | None = None,
               items: Callable[[], list[str]] | None = None, hints: PagingHints | None = None) -> list[ListPlan]:
    """Every list the page's scripts page, with the requests a browser would make for them.
    `limit` caps the pages per list (max_list_pages); `items()` gives the items the page itself shows
    (asked only by an adapter that needs them)."""
    if not html:
        return []
    plans = gkmlpt_plans(html, base_url, limit)
    if plans:
        return plans
    hints = hints or paging_hints(html, root)

    def first_items() -> list[str]:
        return list(items()) if items else []

    plans = jpaas_plans(html, base_url, limit, hints)
    if plans:
        return plans
    hanweb = hanweb_plan(html, base_url, limit, hints)
    if hanweb is not None and (hanweb.members or (not _own_uid(html, base_url) and "pageNum" not in base_url)):
        return [hanweb]
    uid = uid_plan(html, base_url, limit, hints, (lambda: hanweb.first_items) if hanweb else first_items)
    if uid is not None:
        if hanweb is not None:       # its records are the documents of page 1
            uid.requests = hanweb.requests + uid.requests
        return [uid]
    if hanweb is not None:
        return [hanweb]
    trs = trs_plan(html, base_url, limit, root, hints, first_items)
    return [trs] if trs is not None else []


def script_requests(html: str, base_url: str, limit: int = 200) -> list[ScriptRequest]:
    """Every request the page's list scripts would make; `limit` caps the pages per list."""
    return [r for plan in plan_lists(html, base_url, limit) for r in plan.requests]


_MAKERS: dict[str, Callable[[dict[str, Any], int], ScriptRequest]] = {
    "trs": lambda spec, n: ScriptRequest(_trs_url(spec, n), "page", same_level=True, via="trs_pager", page=n),
    "hanweb": _hanweb_url, "jpaas": _jpaas_url, "gkmlpt": _gkmlpt_url, "uid_pagenum": _uid_url,
}


def stated_total(body: str, content_type: str) -> int | None:
    """The count an API answer states: gkmlpt classify.post_count / total, Hanweb <totalrecord>,
    a pagination count in a jpaas data.html."""
    data = _json(body, content_type)
    if isinstance(data, dict):
        classify = data.get("classify") if isinstance(data.get("classify"), dict) else {}
        for value in (classify.get("post_count"), data.get("total")):
            if isinstance(value, int):
                return value
        inner = (data.get("data") or {}).get("html") if isinstance(data.get("data"), dict) else None
        if isinstance(inner, str):
            return paging_hints(inner).total_records
        return None
    return paging_hints(body).total_records


def more_requests(chain: dict[str, Any], status: int | None, items: list[str],
                  total: int | None = None) -> tuple[list[ScriptRequest], str]:
    """What a probing adapter asks for after member `chain["n"]` answered with `items`, and why:
    `retry` (a guessed page name did not exist: the next naming rule, same page), `failed`, `empty` or
    `repeat` (the list ended), `counted` (the answer stated the count: every remaining page at once),
    `last` (the stated last page was reached), `limit` (max_list_pages), `more` (the next page, carrying
    the chain on)."""
    adapter, n, spec = chain["adapter"], chain["n"], chain["spec"]
    make = _MAKERS[adapter]
    if status != 200:
        alternatives = list(spec.get("alternatives") or [])
        if adapter == "trs" and n == 2 and alternatives:
            spec = {**spec, "offset": alternatives[0], "alternatives": alternatives[1:]}
            req = make(spec, n)
            req.chain = {**chain, "spec": spec}
            return [req], "retry"
        return [], "failed"
    if not items:
        return [], "empty"
    if signature(items) == chain["prev"]:
        return [], "repeat"
    span = spec.get("group", 1) if adapter == "hanweb" else 1      # list pages one request loads
    cap = (chain["limit"] - 1) // span + 1                          # requests whose first page is within limit
    per = chain.get("per") or len(items)                            # items one request returns
    last = chain.get("last")
    nxt = n + 1
    if total is not None:
        last = math.ceil(total / per) if per else n
        reqs = [make(spec, k) for k in range(nxt, min(last, cap) + 1)]
        return reqs, "counted" if last <= cap else "limit"
    if last is not None and nxt > last:
        return [], "last"
    if nxt > cap:
        return [], "limit"
    req = make(spec, nxt)
    req.chain = {**chain, "n": nxt, "last": last, "prev": signature(items), "per": per}
    return [req], "more"


def _json(body: str, content_type: str) -> Any:
    if "json" not in content_type and not body.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def listing_links(body: str, content_type: str, base_url: str) -> list[str]:
    """Detail links in an API answer: Hanweb XML records, jpaas JSON whose data.html holds the list,
    gkmlpt JSON articles[].url."""
    data = _json(body, content_type)
    if data is None:
        return record_links(body, base_url)
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return [urljoin(base_url, a.get("url") or a.get("post_url")) for a in data["articles"]
                if isinstance(a, dict) and (a.get("url") or a.get("post_url"))]
    inner = data.get("data") if isinstance(data, dict) else None
    html = inner.get("html") if isinstance(inner, dict) else None
    return [urljoin(base_url, htmllib.unescape(h)) for h in _HREF.findall(html if isinstance(html, str) else "")]
