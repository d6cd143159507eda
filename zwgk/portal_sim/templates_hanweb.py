"""Hanweb / 大汉 JCMS dialect: `/col/col<N>/index.html`, `/art/Y/M/D/art_<col>_<id>.html`, dataproxy.jsp.

A column page embeds its first group of records as `<script type="text/xml"><datastore>…<record>
<![CDATA[<li><a href=…>]]>` — not plain links, so a plain crawler sees no items there. Later records
come from `POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=` (a dynamic route);
static `index_N.html` pages do not exist (they 404, as on real Hanweb sites). Where the list states
its size varies as on real sites (tests/fixtures/html/real/SOURCES.md):
* `total: default`  <totalrecord>/<totalpage> in the datastore (and in every dataproxy answer)
* `total: script`   only in the jpage({totalRecord, perPage, groupSize, proxyUrl, ajaxParam}) call
                    (江苏省政府, 南通): the datastore has a <nextgroup> and records, no totals
* `total: none`     nowhere (定西, 南通 col31685): a reader asks for group after group until one is empty
`pager: uid` is the newer form (江西, 内蒙古, 舟山): col/colN/index.html?uid=<unit>&pageNum=N, each page
rendered by the server (ul.List_list), the page links written by script; 共N条 in the text, or nothing.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlencode

from zwgk.portal_sim import bodies, chrome
from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.encoding import html_resource
from zwgk.portal_sim.metadata import render_metadata
from zwgk.portal_sim.model import Column, Doc, Request, Resource, Route, ScriptLink, Site
from zwgk.portal_sim.style import Page, Style, area_root
from zwgk.portal_sim.templates_trs import prev_next

GROUP_PAGES = 3     # one dataproxy call returns a "group" of 3 pages (endrecord = 3 × perpage)
DATAPROXY = "/module/web/jpage/dataproxy.jsp"


def record(doc: Doc) -> str:
    return (f'<record><![CDATA[<li><a href="{doc.path}" title="{e(doc.title)}" target="_blank">'
            f"{e(chrome.cut(doc.title, 30))}</a><span>{doc.date.isoformat()}</span></li>]]></record>")


class HanwebStyle(Style):
    name = "hanweb"
    default_dialects = ("jiangyin", "ul")

    def _ids(self, site: Site) -> dict[str, int]:
        h = site.spec.hanweb
        return {"webid": h.get("webid", 1), "unitid": h.get("unitid", 4000001),
                "col_base": h.get("col_base", 1229400000)}

    def place_column(self, site: Site, col: Column, index: int) -> None:
        col.host, _ = area_root(site, col.spec.area)
        col.colid = self._ids(site)["col_base"] + 11 * index
        col.dir = col.index_path = f"/col/col{col.colid}/index.html"
        if col.spec.pager == "uid":       # every link to the column carries its unit and page
            col.dir = uid_path(col, self._ids(site)["unitid"], 1)

    def place_doc(self, site: Site, doc: Doc) -> None:
        d = doc.date
        doc.host = doc.column.host
        doc.path = f"/art/{d.year}/{d.month}/{d.day}/art_{doc.column.colid}_{doc.id}.html"

    def attachment_path(self, site: Site, doc: Doc, n: int, ext: str, token: str) -> str:
        return f"/attach/0/{doc.date:%Y%m%d}{token}.{ext}"

    def list_paths(self, col: Column) -> list[str]:
        if col.spec.pager == "uid":
            unit = int(col.dir.split("uid=", 1)[1].split("&", 1)[0])
            return [uid_path(col, unit, n) for n in range(1, max(1, -(-len(col.docs) // col.spec.per_page)) + 1)]
        return [col.index_path]

    # -- rendering --------------------------------------------------------------------------------
    def breadcrumb(self, page: Page, trail: list[tuple[str, str, str]]) -> str:
        links = [f'<a href="{page.href(h, p)}">{e(label)}</a>' for h, p, label in trail]
        return f'<div class="bt-position">当前位置：{" &gt; ".join(links)}</div>\n'

    def sidebar(self, page: Page, col: Column) -> str:
        siblings = col.parent.children if col.parent else []
        lis = "".join(f'<li><a href="{page.col_href(c)}">{e(c.name)}</a></li>' for c in siblings)
        return f'<div class="left-nav"><ul>{lis}</ul></div>\n' if lis else ""

    def datastore(self, site: Site, col: Column, docs: list[Doc], total: int, start: int) -> str:
        ids, pp = self._ids(site), col.spec.per_page
        webname = quote(site.spec.name)
        nxt = (f'<nextgroup><![CDATA[<a href="{DATAPROXY}?page={start // (pp * GROUP_PAGES) + 2}'
               f'&webid={ids["webid"]}&path=/&columnid={col.colid}&unitid={ids["unitid"]}'
               f'&webname={webname}&permissiontype=0"></a>]]></nextgroup>')
        records = "\n".join(record(d) for d in docs)
        totals = (f"<totalrecord>{total}</totalrecord><totalpage>{-(-total // pp) or 1}</totalpage>\n"
                  if col.spec.total == "default" else "")
        return f"<datastore>\n{nxt}\n<recordset>\n{records}\n</recordset>\n{totals}</datastore>"

    def jpage_call(self, site: Site, col: Column) -> str:
        """南通's jpage() call: the total, page size, group size, proxy and form (ajaxParam) of the list."""
        ids = self._ids(site)
        return (f'<script type="text/javascript">$(function(){{$(\'#{ids["unitid"]}\').jpage({{themeName:\'default\','
                f"showMode:'full',totalRecord:{len(col.docs)},openCookies:false,dataBefore:'',dataStore:null,"
                f"dataAfter:'',groupSize:{GROUP_PAGES},proxyUrl:'{DATAPROXY}',perPage:{col.spec.per_page},"
                f"barPosition:'bottom',ajaxParam:{{col:1,appid:'1',webid:{ids['webid']},path:'/',"
                f"columnid:{col.colid},unitid:'{ids['unitid']}',webname:'{e(site.spec.name)}',permissiontype:0}}}});}});"
                "</script>\n")

    def render_list(self, page: Page, col: Column, index: int) -> str:
        site, pp = page.site, col.spec.per_page
        if col.spec.pager == "uid":
            return self.render_uid(page, col, index + 1)
        first = col.docs[: pp * GROUP_PAGES]
        ids = self._ids(site)
        settings = (self.jpage_call(site, col) if col.spec.total == "script" else
                    f'<script type="text/javascript">var jpage_col = {col.colid}, jpage_perpage = {pp};</script>\n')
        listing = (f'<div id="{ids["unitid"]}"><script type="text/xml">\n'
                   f"{self.datastore(site, col, first, len(col.docs), 0)}\n</script></div>\n{settings}")
        head = chrome.head(page, f"{col.name} {site.spec.name}", col.name, col.name, doctype=chrome.HTML5_DOCTYPE)
        body = (f'<div class="main">\n{self.breadcrumb(page, self.trail(page, col))}{self.sidebar(page, col)}'
                f'<div class="list-box"><h2>{e(col.name)}</h2>\n{listing}</div>\n</div>\n')
        return chrome.page_shell(page, head, body, search_action="/jsearchfront/search.do")

    def script_links(self, site: Site, col: Column, index: int) -> tuple[ScriptLink, ...]:
        """The embedded records (links inside CDATA), then one dataproxy.jsp POST per further group
        of records (3 pages each), as jpage requests them; `columnid` also rides in the query so
        two columns' groups are two addresses (the form alone would make them one)."""
        if col.spec.pager == "uid":
            return uid_links(col, self._ids(site)["unitid"], index + 1)
        group = col.spec.per_page * GROUP_PAGES
        out = [ScriptLink(d.url, via="hanweb_records") for d in col.docs[:group]]
        if col.spec.total == "none":      # no count stated: group 2, and whatever each answer leads to
            return (*out, group_link(site, col, group))
        return (*out, *(group_link(site, col, start) for start in range(group, len(col.docs), group)))

    def render_detail(self, page: Page, doc: Doc) -> str:
        site, col = page.site, doc.column
        head = chrome.head(page, doc.title, col.name, col.name, doc, doctype=chrome.HTML5_DOCTYPE)
        source = doc.fields.get("发布机构", f"{site.spec.short_name}融媒体中心")
        info = (f'<div class="info"><span>发布日期：{doc.date.isoformat()}</span>　'
                f"<span>信息来源：<!--<$[信息来源]>begin-->{e(source)}<!--<$[信息来源]>end--></span>　"
                '<span>浏览次数：<script language="javascript">document.write(123)</script></span></div>\n')
        body = (f'<div class="main">\n{self.breadcrumb(page, self.trail(page, col))}{render_metadata(doc)}'
                f'<div class="title"><!--<$[标题名称]>begin--><h1>{e(doc.title)}</h1><!--<$[标题名称]>end--></div>\n'
                f'{info}<meta name="ContentStart">\n<div id="zoom">\n'
                f"{bodies.article_body(doc, site.spec)}</div>\n<meta name=\"ContentEnd\">\n"
                f"{bodies.attachments_block(page, doc, relative=False)}"
                f"{bodies.related_block(page, doc, relative=False)}"
                f"{bodies.links_block(page, doc.links)}{prev_next(page, doc, relative=False)}</div>\n")
        return chrome.page_shell(page, head, body, search_action="/jsearchfront/search.do")

    def render_uid(self, page: Page, col: Column, n: int) -> str:
        """Page n of a `pager: uid` column: the server renders its items (江西: ul.List_list); the page
        links come from a script (no plain <a>); 共N条 in the text unless `total: none`."""
        site, pp = page.site, col.spec.per_page
        unit = self._ids(site)["unitid"]
        docs = col.docs[(n - 1) * pp:n * pp]
        rows = "".join(chrome.doc_li(page, d, limit=34) for d in docs) or '<li class="empty">暂无信息</li>'
        count = f'<span class="total">共{len(col.docs)}条</span>' if col.spec.total != "none" else ""
        pager = (f'<div class="pager">{count}<span id="pages"></span><script type="text/javascript">'
                 f"pageLinks('pages', {unit}, {n});</script></div>\n")
        head = chrome.head(page, f"{col.name} {site.spec.name}", col.name, col.name, doctype=chrome.HTML5_DOCTYPE)
        body = (f'<div class="main">\n{self.breadcrumb(page, self.trail(page, col))}{self.sidebar(page, col)}'
                f'<div class="list-box"><h2>{e(col.name)}</h2>\n<div id="{unit}"><ul class="List_list">{rows}</ul>'
                f"</div>\n{pager}</div>\n</div>\n")
        return chrome.page_shell(page, head, body, search_action="/jsearchfront/search.do")

    def routes(self, site: Site) -> list[Route]:
        return [Route(re.compile(re.escape(DATAPROXY)), dataproxy, ("GET", "POST", "HEAD")),
                Route(re.compile(r"/col/col(\d+)/index\.html"), uid_page)]


def uid_path(col: Column, unit: int, n: int) -> str:
    return f"/col/col{col.colid}/index.html?uid={unit}&pageNum={n}"


def uid_links(col: Column, unit: int, n: int) -> tuple[ScriptLink, ...]:
    """What page n of a `pager: uid` column makes a reader ask for: from page 1 every other page when
    the count is stated; without one, the next page while this one brought items."""
    pages = max(1, -(-len(col.docs) // col.spec.per_page))

    def link(k: int) -> ScriptLink:
        return ScriptLink(f"http://{col.host}{uid_path(col, unit, k)}", same_level=True, via="uid_pagenum", page=k)
    if col.spec.total != "none":
        return tuple(link(k) for k in range(2, pages + 1)) if n == 1 else ()
    return (link(n + 1),) if col.docs[(n - 1) * col.spec.per_page:n * col.spec.per_page] else ()


def uid_page(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """/col/colN/index.html?uid=&pageNum= of a `pager: uid` column (other columns: the static file)."""
    col = next((c for c in site.columns.values() if c.spec.pager == "uid" and str(c.colid) == match[1]), None)
    if col is None:
        return None
    q = {k: v[-1] for k, v in parse_qs(request.query).items()}
    n = int(q["pageNum"]) if q.get("pageNum", "").isdigit() and int(q["pageNum"]) > 0 else 1
    style = HanwebStyle()
    path = uid_path(col, style._ids(site)["unitid"], n)
    res = html_resource(site, col.host, path, lambda p: style.render_uid(p, col, n), dynamic=True)
    res.scripted = uid_links(col, style._ids(site)["unitid"], n)
    return res


def group_link(site: Site, col: Column, start: int) -> ScriptLink:
    """The dataproxy.jsp POST for the records after `start` (one group of 3 pages), as jpage sends it;
    `columnid` also rides in the query so two columns' groups are two addresses (the form alone would
    make them one)."""
    pp, ids = col.spec.per_page, HanwebStyle()._ids(site)
    group = pp * GROUP_PAGES
    form = urlencode({"col": 1, "appid": 1, "webid": ids["webid"], "path": "/", "columnid": col.colid,
                      "sourceContentType": 1, "unitid": ids["unitid"], "webname": site.spec.name,
                      "permissiontype": 0})
    url = (f"http://{col.host}{DATAPROXY}?startrecord={start + 1}&endrecord={start + group}"
           f"&perpage={pp}&columnid={col.colid}")
    return ScriptLink(url, "listing", method="POST", form=form, same_level=True, via="hanweb_dataproxy",
                      page=start // pp + 1)


def dataproxy(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """Answer jpage's XHR: records startrecord..endrecord (1-based) of the column named in the form."""
    q = {k: v[-1] for k, v in parse_qs(request.query).items()}
    form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    params = {**q, **form}
    col = next((c for c in site.columns.values() if str(c.colid) == params.get("columnid")), None)
    style = HanwebStyle()
    if col is None:
        body = "<datastore><recordset></recordset><totalrecord>0</totalrecord><totalpage>0</totalpage></datastore>"
        return Resource(body=body.encode(), content_type="text/xml", charset="UTF-8", kind="xml", dynamic=True)
    try:
        pp = int(params.get("perpage") or col.spec.per_page)
        if "startrecord" in params:
            start = max(1, int(params["startrecord"])) - 1
            end = int(params.get("endrecord") or start + pp * GROUP_PAGES)
        else:   # GET ?page=N (N-th group)
            start = (max(1, int(params.get("page") or 1)) - 1) * pp * GROUP_PAGES
            end = start + pp * GROUP_PAGES
    except ValueError:
        return Resource(status=400, body=b"bad paging parameters", content_type="text/plain", dynamic=True)
    docs = col.docs[start:end]
    xml = style.datastore(site, col, docs, len(col.docs), start)
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'.encode()
    scripted = tuple(ScriptLink(d.url, via="listing") for d in docs)
    if col.spec.total == "none" and docs:      # a reader without a count asks for the next group
        scripted += (group_link(site, col, end),)
    return Resource(body=body, content_type="text/xml", charset="UTF-8", kind="xml", dynamic=True,
                    scripted=scripted)
