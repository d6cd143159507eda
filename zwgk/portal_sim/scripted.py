"""Column lists that scripts load, and what each script makes a browser request (portal-structures §7).

* TRS `pager: script`   createPageHTML / countPage pagers: static index_N.html pages, no plain <a> to them
* TRS `pager: jpaas`    工信部-style shell: `<script parseType="buildstatic" url=… querydata=…>` names a
                        JSON API whose `data.html` holds the list; the page itself lists nothing
* TRS `pager: browser`  the list is built by inline JS from an endpoint no fast-path adapter knows
                        (`list_data.do` answering {"rows": [...]}): only a real browser sees the items
Hanweb datastore records and dataproxy.jsp groups are declared in templates_hanweb.py.

Each list page's Resource carries `scripted` (what the fast-path rule follows, links.CRAWL_RULE 2b)
and `rendered` (links only a browser sees, rule 2c), so the truth never has to run JavaScript.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, quote

from zwgk.portal_sim import chrome
from zwgk.portal_sim.model import Column, Request, Resource, Route, ScriptLink, Site
from zwgk.portal_sim.style import Page

JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
BROWSER_DATA = "list_data.do"
SCRIPT_PAGERS = ("script", "jpaas", "browser")


def page_count(col: Column) -> int:
    return max(1, -(-len(col.docs) // col.spec.per_page))


def jpaas_query(col: Column) -> str:
    return f"{{'pageId':'{col.colid or col.spec.slug.replace('/', '_')}','pageNo':'1'}}"


def jpaas_url(col: Column) -> str:
    """The API request the buildstatic tag names (querydata percent-encoded, as the adapter sends it)."""
    return f"http://{col.host}{JPAAS_API}?querydata={quote(jpaas_query(col), safe='')}"


def trs_script_links(col: Column) -> tuple[ScriptLink, ...]:
    """What a list page's scripts load: the other static pages (TRS pager) or the list API (jpaas)."""
    pager = col.spec.pager
    if pager == "jpaas":
        return (ScriptLink(jpaas_url(col), "listing", same_level=True, via="jpaas_api"),)
    if pager != "script":
        return ()
    return tuple(ScriptLink(f"http://{col.host}{col.dir}index_{i}.html", same_level=True, via="trs_pager", page=i + 1)
                 for i in range(1, page_count(col)))


def rendered_links(col: Column) -> tuple[str, ...]:
    """Links a browser sees on a `pager: browser` column page once its script has run."""
    return tuple(d.url for d in col.docs) if col.spec.pager == "browser" else ()


# --- markup -------------------------------------------------------------------------------------------

_JPAAS_LOADER = """<script type="text/javascript">
(function () {
  var tag = document.querySelector('script[parseType="buildstatic"]');
  var url = tag.getAttribute('url') + '?querydata=' + encodeURIComponent(tag.getAttribute('querydata'));
  var xhr = new XMLHttpRequest();
  xhr.open('GET', url, true);
  xhr.onload = function () {
    var data = JSON.parse(xhr.responseText);
    if (data.success) { document.getElementById('jpaas-list').innerHTML = data.data.html; }
  };
  xhr.send();
})();
</script>
"""

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
    """工信部 shell: an empty list box, the pagination attributes, and the buildstatic tag."""
    query = jpaas_query(col)            # raw single quotes inside the attribute, as 工信部 writes it
    return (f'<div class="page-content" id="jpaas-list"></div>\n'
            f'<div class="pagination" queryData="{query}" rows="{col.spec.per_page}" count="{len(col.docs)}" '
            'pageNo="1"></div>\n'
            f'<script parseType="buildstatic" url="{JPAAS_API}" querydata="{query}"></script>\n{_JPAAS_LOADER}')


def browser_shell(col: Column) -> str:
    """An empty <ul> the inline script fills from list_data.do (no pager, no datastore, no API tag)."""
    return f'<ul class="list" id="list-items"></ul>\n{_BROWSER_LOADER % BROWSER_DATA}'


# --- the endpoints the scripts call --------------------------------------------------------------------


def _json(data: object, scripted: tuple[ScriptLink, ...] = ()) -> Resource:
    return Resource(body=json.dumps(data, ensure_ascii=False).encode("utf-8"), content_type="application/json",
                    charset="utf-8", kind="json", dynamic=True, scripted=scripted)


def jpaas_api(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """{"success":true,"data":{"html":"<ul>…"}} for the column the querydata names (all its items)."""
    query = parse_qs(request.query).get("querydata", [""])[-1]
    col = next((c for c in site.columns.values() if c.spec.pager == "jpaas" and jpaas_query(c) == query), None)
    if col is None:
        return _json({"success": False, "code": "404", "message": "栏目不存在"})
    page = Page(site, col.host, col.dir)
    rows = "".join(chrome.doc_li(page, d, limit=34) for d in col.docs)
    links = tuple(ScriptLink(d.url, via="listing") for d in col.docs)
    return _json({"success": True, "code": "200", "data": {"html": f'<ul class="list">{rows}</ul>'},
                  "message": "生成成功"}, links)


def browser_data(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    """The private JSON the `pager: browser` script reads; no adapter understands it (no data.html)."""
    col = next((c for c in site.columns.values() if c.spec.pager == "browser" and c.host == request.host
                and c.dir == match[1]), None)
    if col is None:
        return None
    rows = [{"name": d.title, "link": d.path, "day": d.date.isoformat()} for d in col.docs]
    return _json({"total": len(rows), "rows": rows})


def routes() -> list[Route]:
    return [Route(re.compile(re.escape(JPAAS_API)), jpaas_api),
            Route(re.compile(r"(/.*/)" + re.escape(BROWSER_DATA)), browser_data)]
