"""TRS WCM dialect (拓尔思): `/<col>/index.html` + `index_N.html`, `/<col>/YYYYMM/tYYYYMMDD_<id>.html`.

List pages page with an inline `createPageHTML(countPage, 0, "index", "html")` script (NDRC) or the
邯郸 `var countPage=…; document.write(…)` loop: the `index_N.html` files exist but no plain <a>
points at them unless the column says `pager: links` (a server-rendered pager, used by the bench).
"""

from __future__ import annotations

from zwgk.portal_sim import bodies, chrome, scripted
from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.metadata import render_metadata
from zwgk.portal_sim.model import Column, Doc, Route, ScriptLink, Site
from zwgk.portal_sim.style import Page, Style, area_root, ym

PAGER_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span> <span>上一页</span> ");
  else {
    document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a> ");
    if(nCurrIndex == 1) document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">上一页</a> ");
    else document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt + "\\">上一页</a> ");
  }
  if(nCurrIndex + 1 >= _nPageCount) document.write("<span>下一页</span> <span>尾页</span>");
  else document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> "
    + "<a href=\\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\\">尾页</a>");
}
</script>
"""


page_count = scripted.page_count


class TrsStyle(Style):
    name = "trs"
    default_dialects = ("govcn", "handan", "wuxi")

    def place_column(self, site: Site, col: Column, index: int) -> None:
        host, prefix = area_root(site, col.spec.area)
        col.host = host
        if col.spec.pager == "gkmlpt":      # a category of the site's 公开目录 app: /gkmlpt/index#<id>
            col.colid = 2800 + index
            col.dir, col.index_path = f"{scripted.GKMLPT_SHELL}#{col.colid}", scripted.GKMLPT_SHELL
            return
        col.dir = f"{prefix}/{col.spec.slug}/" if col.spec.slug else f"{prefix}/"
        col.index_path = col.dir + "index.html"

    def place_doc(self, site: Site, doc: Doc) -> None:
        doc.host = doc.column.host
        if doc.column.spec.pager == "gkmlpt":     # Guangdong: /gkmlpt/content/<id÷10⁶>/<id÷10³>/post_<id>.html
            doc.path = f"/gkmlpt/content/{doc.id // 1_000_000}/{doc.id // 1000}/post_{doc.id}.html"
            return
        doc.path = f"{doc.column.dir}{ym(doc.date)}/t{doc.date:%Y%m%d}_{doc.id}.html"

    def attachment_path(self, site: Site, doc: Doc, n: int, ext: str, token: str) -> str:
        if doc.column.spec.pager == "gkmlpt":
            return f"/attachment/0/{doc.id // 1000}/{doc.id}/{token}.{ext}"
        return f"{doc.column.dir}{ym(doc.date)}/W0{doc.date:%Y%m%d}{token}.{ext}"

    def list_paths(self, col: Column) -> list[str]:
        if col.spec.kind in ("index", "guide") or col.spec.pager in ("jpaas", "browser", "gkmlpt", "more"):
            return [col.index_path]
        return [col.index_path] + [f"{col.dir}index_{i}.html" for i in range(1, page_count(col))]

    # -- rendering --------------------------------------------------------------------------------
    def breadcrumb(self, page: Page, trail: list[tuple[str, str, str]]) -> str:
        links = [f'<a href="{page.href(h, p, relative=True)}" title="{e(label)}" class="CurrChnlCls">{e(label)}</a>'
                 for h, p, label in trail]
        return f'<div class="position">当前位置：{"&nbsp;&gt;&nbsp;".join(links)}</div>\n'

    def sidebar(self, page: Page, col: Column) -> str:
        siblings = col.parent.children if col.parent else []
        if not siblings:
            return ""
        lis = "".join(f'<li{chrome.ON if c is col else ""}><a href="{page.col_href(c, relative=True)}">'
                      f"{e(c.name)}</a></li>" for c in siblings)
        return f'<div class="left-menu"><h2>{e(col.parent.name)}</h2><ul>{lis}</ul></div>\n'

    def _rows(self, page: Page, col: Column, docs: list[Doc]) -> str:
        if not docs:
            return '<p class="no-data">暂无信息</p>\n'
        if col.spec.layout == "table":   # 邯郸: 名称 | 索引号 | 发布机构 | 发布日期, absolute hrefs
            rows = "".join(
                f'<tr><td><a href="{d.url}" title="{e(d.title)}" target="_blank">{e(chrome.cut(d.title, 30))}'
                f'</a></td><td>{e(d.fields.get("索引号", ""))}</td><td>{e(d.fields.get("发布机构", ""))}</td>'
                f"<td>{d.date.isoformat()}</td></tr>\n" for d in docs)
            return ('<div class="szbmtclb"><table width="100%">\n<tr><th>名称</th><th>索引号</th><th>发布机构</th>'
                    f"<th>发布日期</th></tr>\n{rows}</table></div>\n")
        items = []
        for d in docs:
            li = chrome.doc_li(page, d, limit=34, relative=True)
            if d.kind in ("policy", "normative") and d.related:   # NDRC: hidden 相关解读 pop-up in the row
                pop = "".join(f'<li><a href="{page.doc_href(j, relative=True)}" title="{e(j.title)}">'
                              f"{e(j.title)}</a></li>" for j in d.related)
                li = li.replace("<span>", '<div class="popbox" style="display:none"><div class="close"></div>'
                                f'<h3 title="相关解读">相关解读</h3><ul>{pop}</ul></div><span>', 1)
            items.append(li)
        return '<ul class="list">\n' + "\n".join(items) + "\n</ul>\n"

    def pager(self, col: Column, index: int) -> str:
        count = page_count(col)
        if col.spec.pager == "text":
            return scripted.text_pager(col, index)
        if col.spec.pager == "links":   # server-rendered pager: plain links to every page
            def target(i: int) -> str:
                return "./" if i == 0 else f"index_{i}.html"
            nums = " ".join(f"<span>{i + 1}</span>" if i == index else f'<a href="{target(i)}">{i + 1}</a>'
                            for i in range(count))
            nxt = f' <a href="{target(index + 1)}">下一页</a>' if index + 1 < count else ""
            return f'<div class="pagination">{nums}{nxt}</div>\n'
        if col.spec.layout == "table":   # 邯郸 variant
            return ('<div class="page"><script language="JavaScript">\n'
                    f"var countnum= {len(col.docs)}; var currentPage={index}; var countPage={count};\n"
                    "for (var i = 0; i < countPage; i++) {\n"
                    "  if (i == currentPage) document.write('<span>' + (i + 1) + '</span> ');\n"
                    "  else document.write('<a class=\"pnum\" href=\"' + (i == 0 ? 'index' : 'index_' + i)"
                    " + '.html\">' + (i + 1) + '</a> ');\n}\n</script></div>\n")
        return (f'<div class="page"><script type="text/javascript">createPageHTML({count}, {index}, '
                '"index", "html");</script></div>\n')

    def render_list(self, page: Page, col: Column, index: int) -> str:
        pp = col.spec.per_page
        docs = col.docs[index * pp:(index + 1) * pp]
        if col.spec.pager == "jpaas":          # the list comes from a JSON API (scripted.py)
            listing = scripted.jpaas_shell(col)
        elif col.spec.pager == "browser":      # the list is built by inline JS: browser only
            listing = scripted.browser_shell(col)
        elif col.spec.pager == "gkmlpt":       # the 公开目录 app: a shell for every category
            listing = scripted.gkmlpt_shell(page.site)
        elif col.spec.pager == "more":         # page 1 in markup, the rest by inline JS (scripted.py)
            listing = scripted.more_shell(page, col)
        else:
            listing = f"{self._rows(page, col, docs)}{self.pager(col, index)}"
        head = chrome.head(page, f"{col.name}_{page.site.spec.name}", col.name, col.name, extra=PAGER_JS)
        body = (f'<div class="main">\n{self.breadcrumb(page, self.trail(page, col))}{self.sidebar(page, col)}'
                f'<div class="list-box"><div class="list-title"><h2>{e(col.name)}</h2></div>\n'
                f"{listing}</div>\n</div>\n")
        return chrome.page_shell(page, head, body, current=self._nav_key(col))

    def script_links(self, site: Site, col: Column, index: int) -> tuple[ScriptLink, ...]:
        if col.spec.pager == "gkmlpt":
            return scripted.gkmlpt_first(site)
        return scripted.trs_script_links(col, index)

    def rendered_links(self, site: Site, col: Column, index: int) -> tuple[str, ...]:
        return scripted.rendered_links(col)

    def routes(self, site: Site) -> list[Route]:
        return scripted.routes()

    def _nav_key(self, col: Column) -> str:
        return col.trail()[0].key

    def render_detail(self, page: Page, doc: Doc) -> str:
        site, col = page.site, doc.column
        head = chrome.head(page, f"{doc.title}_{site.spec.name}", col.name, col.name, doc)
        source = doc.fields.get("发布机构", f"{site.spec.short_name}融媒体中心")
        info = (f'<div class="info">发布时间：{doc.date.isoformat()}　来源：{e(source)}　'
                '<span class="print" onclick="window.print()">【打印】</span></div>\n')
        content = (f'<div class="TRS_Editor">\n{bodies.article_body(doc, site.spec)}'
                   "</div>\n")
        body = (f'<div class="main">\n{self.breadcrumb(page, self.trail(page, col))}{render_metadata(doc)}'
                f'<div class="article">\n<h1 class="title">{e(doc.title)}</h1>\n{info}{content}'
                f"{bodies.attachments_block(page, doc, relative=True)}"
                f"{bodies.related_block(page, doc, relative=True)}"
                f"{bodies.links_block(page, doc.links)}{prev_next(page, doc, relative=True)}</div>\n</div>\n")
        return chrome.page_shell(page, head, body, current=self._nav_key(col))


def prev_next(page: Page, doc: Doc, *, relative: bool) -> str:
    """上一篇/下一篇 within the column, when the column asks for it (plain links: crawl depth)."""
    if not doc.column.spec.prev_next:
        return ""
    docs = doc.column.docs
    parts = []
    if doc.seq > 0:
        newer = docs[doc.seq - 1]
        parts.append(f'<p>上一篇：<a href="{page.doc_href(newer, relative=relative)}">{e(newer.title)}</a></p>')
    if doc.seq + 1 < len(docs):
        older = docs[doc.seq + 1]
        parts.append(f'<p>下一篇：<a href="{page.doc_href(older, relative=relative)}">{e(older.title)}</a></p>')
    return f'<div class="prev-next">{"".join(parts)}</div>\n' if parts else ""
