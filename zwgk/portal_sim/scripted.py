"""Column lists that scripts load, and what each script makes a browser request (portal-structures §7).

The markup follows real portals (tests/fixtures/html/real/SOURCES.md):
* TRS `pager: script`   createPageHTML / countPage pagers: static index_N.html pages, no plain <a> to them
* TRS `pager: text`     the count only in the pager's text (共N页 共M条); the page links come from a script
                        no adapter knows, so a crawler tries the TRS file rule page by page
* TRS `pager: jpaas`    工信部/市场监管总局 shell: `<script parseType="buildstatic" url=… queryData=…>` names
                        the build/unit API (its queryData keys are the request's parameters) whose
                        `data.html` holds one page; pages 2… add paramJson={"pageNo":N,"pageSize":rows};
                        div.pagination[count][rows] states the size (`total: none` drops count)
* TRS `pager: gkmlpt`   Guangdong's 政府信息公开目录: /gkmlpt/index is a shell whose window._CONFIG names
                        SID and the category TREE; /gkmlpt/api/all/<cat>?page=N&sid=SID answers
                        {classify:{post_count}, articles:[{url,…}], total} (`total: none`: no counts)
* TRS `pager: browser`  the list is built by inline JS from an endpoint no fast-path adapter knows
                        (`list_data.do` answering {"rows": [...]}): only a real browser sees the items
* TRS `pager: more`     page 1's items in the markup and 共N条 in the text; the rest appended by inline JS
                        from list_data.do: the list states more than a plain read obtains, so the crawl's
                        cross-check sends it to the browser
Hanweb datastore records, dataproxy.jsp groups and ?uid=&pageNum= pages are in templates_hanweb.py.

Each list page's Resource carries `scripted` (what the fast-path rule follows, links.CRAWL_RULE 2b)
and `rendered` (links only a browser sees, rule 2c), so the truth never has to run JavaScript. A list
that states no count is read by probing: the page asks for page 2, and every answer that brought
items asks for the next (`chain` below), until one comes back empty.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote, urlencode

from zwgk.portal_sim import chrome
from zwgk.portal_sim.model import Column, Request, Resource, Route, ScriptLink, Site
from zwgk.portal_sim.style import Page

JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
JPAAS_WEB_ID = "8d828e408d90447786ddbe128d495e9e"          # 工信部's webId and tplSetId (real values)
JPAAS_TPL_SET = "209741b2109044b5b7695700b2bec37e"
BROWSER_DATA = "list_data.do"
GKMLPT_SHELL = "/gkmlpt/index"
GKMLPT_API = re.compile(r"/gkmlpt/api/all/(\d+)")
GKMLPT_SID = "755031"
SCRIPT_PAGERS = ("script", "jpaas", "browser", "text", "gkmlpt", "more")


def page_count(col: Column) -> int:
    return max(1, -(-len(col.docs) // col.spec.per_page))


def _pages(col: Column, n: int) -> list:
    pp = col.spec.per_page
    return col.docs[(n - 1) * pp:n * pp]


def chain(n: int, more: bool, make: object) -> tuple[ScriptLink, ...]:
    """A probe chain: the answer for page n asks for page n+1 when it brought items."""
    return (make(n + 1),) if more else ()        # type: ignore[operator]


# --- jpaas --------------------------------------------------------------------------------------------


def jpaas_params(col: Column) -> dict[str, str]:
    """The build/unit parameters the shell's queryData names (as 工信部 writes them)."""
    return {"parseType": "buildstatic", "webId": JPAAS_WEB_ID, "tplSetId": JPAAS_TPL_SET, "pageType": "column",
            "tagId": "当前栏目_list", "editType": "null", "pageId": col.colid_text}


def jpaas_url(col: Column, n: int = 1) -> str:
    params = jpaas_params(col)
    if n > 1:
        params["paramJson"] = json.dumps({"pageNo": n, "pageSize": col.spec.per_page}, separators=(",", ":"))
    return f"http://{col.host}{JPAAS_API}?{urlencode(params, quote_via=quote)}"


def jpaas_link(col: Column, n: int, probe: bool) -> ScriptLink:
    return ScriptLink(jpaas_url(col, n), "listing", same_level=True, via="jpaas_api", page=n)


def _jpaas_first(col: Column) -> tuple[ScriptLink, ...]:
    if col.spec.total == "none":          # the count is not stated: page 1, and whatever it leads to
        return (jpaas_link(col, 1, True),)
    return tuple(jpaas_link(col, n, False) for n in range(1, page_count(col) + 1))


# --- gkmlpt -------------------------------------------------------------------------------------------


def gkmlpt_api(col: Column, n: int) -> str:
    return f"http://{col.host}/gkmlpt/api/all/{col.colid}?page={n}&sid={GKMLPT_SID}"


def gkmlpt_columns(site: Site) -> list[Column]:
    return [c for c in site.columns.values() if c.spec.pager == "gkmlpt"]


# --- TRS pagers ---------------------------------------------------------------------------------------


def trs_page_link(col: Column, i: int) -> ScriptLink:
    """The static file of list page i+1 (index_i.html): what a TRS pager script links."""
    return ScriptLink(f"http://{col.host}{col.dir}index_{i}.html", same_level=True, via="trs_pager", page=i + 1)


def trs_script_links(col: Column, index: int = 0) -> tuple[ScriptLink, ...]:
    """What list page `index`'s scripts load: the other static pages (TRS pager), the next page when
    only the text states the count (the adapter tries them one at a time), or the list API (jpaas)."""
    pager = col.spec.pager
    if pager == "jpaas":
        return _jpaas_first(col)
    if pager == "text":
        return (trs_page_link(col, index + 1),) if index + 1 < page_count(col) else ()
    if pager != "script":
        return ()
    return tuple(trs_page_link(col, i) for i in range(1, page_count(col)))


def rendered_links(col: Column) -> tuple[str, ...]:
    """Links a browser sees on a `pager: browser` column page once its script has run."""
    if col.spec.pager == "browser":
        return tuple(d.url for d in col.docs)
    if col.spec.pager == "more":
        return tuple(d.url for d in col.docs[col.spec.per_page:])
    return ()


def text_pager(col: Column, index: int) -> str:
    """A pager whose page links a site script writes (pageNav, unknown to any adapter); only its text
    says how big the list is."""
    return (f'<div class="page">共 {page_count(col)} 页 共 {len(col.docs)} 条 '
            f'<span id="pagenav"></span><script type="text/javascript">pageNav("pagenav", {index});</script>'
            "</div>\n")


# --- markup -------------------------------------------------------------------------------------------

_JPAAS_LOADER = '<script src="/cms_files/default/script/AuthorizedRead/unitbuild.js?v=3.1.3-GXB"></script>\n'

_BROWSER_LOADER = """<script type="text/javascript">
fetch('%s?pageIndex=1', {credentials: 'same-origin'})
  .then(function (r) { return r.json(); })
  .then(function (d) {
    var html = '';
    for (var i = 0; i < d.rows.length; i++) {
      var x = d.rows[i];
      html += '<li><a href="' + x.link + '" title="' + x.name + '" target="_blank">' + x.name
            + '</a><span>' + x.day + '</span></li>';
    }
    document.getElementById('list-items').innerHTML = html;
  });
</script>
"""


def jpaas_shell(col: Column) -> str:
    """工信部 shell: an empty list box, the pagination attributes, and the buildstatic script tag."""
    params = jpaas_params(col)
    query = "{" + ",".join(f"'{k}':'{v}'" for k, v in params.items()) + "}"   # raw single quotes, as 工信部
    count = f'count="{len(col.docs)}" ' if col.spec.total != "none" else ""
    return (f'<div class="page-content" id="jpaas-list"></div>\n'
            f'<div class="pagination" queryData="{{\'pageId\':\'{params["pageId"]}\'}}" rows="{col.spec.per_page}" '
            f'{count}pageNo="1"></div>\n'
            f'<script id="{col.colid_text}" src="/cms_files/default/script/AuthorizedRead/unitbuild.js?v=3.1.3-GXB" '
            f'webId="{JPAAS_WEB_ID}" parseType="buildstatic" url="{JPAAS_API}" queryData="{query}"></script>\n')


def more_shell(page: Page, col: Column) -> str:
    """The first page in markup, 共N条, and a script that appends the rest (no pager, no adapter form)."""
    rows = "".join(chrome.doc_li(page, d, limit=34) for d in col.docs[:col.spec.per_page])
    return (f'<ul class="list" id="list-items">{rows}</ul>\n<div class="total">共{len(col.docs)}条</div>\n'
            + _BROWSER_LOADER.replace("innerHTML = html", "innerHTML += html") % BROWSER_DATA)


def browser_shell(col: Column) -> str:
    """An empty <ul> the inline script fills from list_data.do (no pager, no datastore, no API tag)."""
    return f'<ul class="list" id="list-items"></ul>\n{_BROWSER_LOADER % BROWSER_DATA}'


def gkmlpt_shell(site: Site) -> str:
    """/gkmlpt/index: the SPA shell. window._CONFIG holds SID and the category TREE (as Guangdong's
    sites serve it); the app lists a category from the JSON API."""
    tree = [{"id": c.colid, "name": c.name, "parent": 0, "children": [], "jump_url": "",
             **({"post_count": len(c.docs)} if c.spec.total != "none" else {})} for c in gkmlpt_columns(site)]
    config = (f"window._CONFIG = {{ SID:'{GKMLPT_SID}', TREE:{json.dumps(tree, ensure_ascii=False)}, "
              "SERVICE_AREA_ID:'', LEVEL:1 };")
    return (f'<div id="app"></div>\n<script type="text/javascript">{config}</script>\n'
            '<script src="/gkmlpt/static/js/app.js"></script>\n')


def gkmlpt_first(site: Site) -> tuple[ScriptLink, ...]:
    return tuple(ScriptLink(gkmlpt_api(c, 1), "listing", same_level=True, via="gkmlpt_api", page=1)
                 for c in gkmlpt_columns(site))


# --- the endpoints the scripts call --------------------------------------------------------------------


def _json(data: object, scripted: tuple[ScriptLink, ...] = ()) -> Resource:
    return Resource(body=json.dumps(data, ensure_ascii=False).encode("utf-8"), content_type="application/json",
                    charset="utf-8", kind="json", dynamic=True, scripted=scripted)


def jpaas_api(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """{"success":true,"data":{"html":"<ul>…"}}: page N (paramJson pageNo) of the column pageId names."""
    q = {k: v[-1] for k, v in parse_qs(request.query).items()}
    col = next((c for c in site.columns.values() if c.spec.pager == "jpaas" and c.colid_text == q.get("pageId")),
               None)
    if col is None:
        return _json({"success": False, "code": "404", "message": "栏目不存在"})
    try:
        n = int(json.loads(q.get("paramJson") or "{}").get("pageNo", 1))
    except (ValueError, AttributeError):
        n = 1
    docs = _pages(col, n)
    page = Page(site, col.host, col.dir)
    rows = "".join(chrome.doc_li(page, d, limit=34) for d in docs)
    links = tuple(ScriptLink(d.url, via="listing") for d in docs)
    if col.spec.total == "none" and docs:
        links += (jpaas_link(col, n + 1, True),)
    return _json({"success": True, "code": "200", "data": {"html": f'<ul class="list">{rows}</ul>'},
                  "message": "生成成功"}, links)


def gkmlpt_answer(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """{classify:{id,name,post_count}, articles:[…], total} — page N of a category (100 per page on
    gd.gov.cn; the column's per_page here)."""
    col = next((c for c in gkmlpt_columns(site) if str(c.colid) == match[1]), None)
    if col is None:
        return _json({"classify": {}, "articles": [], "total": 0})
    q = {k: v[-1] for k, v in parse_qs(request.query).items()}
    n = int(q["page"]) if q.get("page", "").isdigit() else 1
    docs = _pages(col, n)
    articles = [{"id": d.id, "title": d.title, "url": d.url, "post_url": d.path, "date": 0,
                 "created_at": f"{d.date.isoformat()} 09:00:00", "publisher": d.fields.get("发布机构", ""),
                 "identifier": d.fields.get("索引号", ""), "document_number": d.fields.get("发文字号", ""),
                 "attachment": [], "relation": ""} for d in docs]
    counted = col.spec.total != "none"
    data: dict[str, object] = {"classify": {"id": col.colid, "name": col.name,
                                            **({"post_count": len(col.docs)} if counted else {})},
                               "articles": articles}
    if counted:
        data["total"] = len(col.docs)
    links = tuple(ScriptLink(d.url, via="listing") for d in docs)
    more: tuple[ScriptLink, ...] = ()
    if counted and n == 1:          # page 1 states the count: the adapter asks for every other page at once
        more = tuple(ScriptLink(gkmlpt_api(col, k), "listing", same_level=True, via="gkmlpt_api", page=k)
                     for k in range(2, page_count(col) + 1))
    elif not counted and docs:
        more = (ScriptLink(gkmlpt_api(col, n + 1), "listing", same_level=True, via="gkmlpt_api", page=n + 1),)
    return _json(data, links + more)


def browser_data(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """The private JSON the `pager: browser` script reads; no adapter understands it (no data.html)."""
    col = next((c for c in site.columns.values() if c.spec.pager in ("browser", "more") and c.host == request.host
                and c.dir == match[1]), None)
    if col is None:
        return None
    skip = col.spec.per_page if col.spec.pager == "more" else 0
    rows = [{"name": d.title, "link": d.path, "day": d.date.isoformat()} for d in col.docs[skip:]]
    return _json({"total": len(rows), "rows": rows})


def routes() -> list[Route]:
    return [Route(re.compile(re.escape(JPAAS_API)), jpaas_api), Route(GKMLPT_API, gkmlpt_answer),
            Route(re.compile(r"(/.*/)" + re.escape(BROWSER_DATA)), browser_data)]
