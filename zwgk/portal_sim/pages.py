"""Pages every style shares: homepage, 政府信息公开 专栏 index, 法定主动公开内容 index, 指南, 留言 list,
办事服务, the 404 page. Style-specific parts (breadcrumb, list markup) come from the `Style`.

Homepage tab panes: only the first is visible; the others carry style="display:none" — their links
are real and a crawler must record them as hidden (portal-structures.md §1.1a).
"""

from __future__ import annotations

from zwgk.portal_sim import bodies, chrome
from zwgk.portal_sim.catalogue import XXGK_TOP
from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.model import Column, Doc
from zwgk.portal_sim.style import Page, Style

SERVICE_URL = "http://zwfw.example-province.gov.cn/"   # external 政务服务网 (other .gov.cn host)
HIDDEN = ' style="display:none"'
NAV_KEYS = ("gk.root", "gk.news", "gk.notice", "gk.interaction")   # columns chrome.nav links
FRIEND_SITES = ("http://www.gov.cn/", "http://www.example-province.gov.cn/")


def _doctype(style: Style) -> str:
    return chrome.HTML5_DOCTYPE if style.name == "hanweb" else chrome.XHTML_DOCTYPE


def _search(style: Style) -> str:
    return "/jsearchfront/search.do" if style.name == "hanweb" else "/was5/web/search"


def _block(page: Page, title: str, col: Column | None, docs: list[Doc], cls: str, *, limit: int = 26) -> str:
    more = f'<a class="more" href="{page.col_href(col)}">更多&gt;&gt;</a>' if col else ""
    lis = "\n".join(chrome.doc_li(page, d, limit=limit) for d in docs)
    return f'<div class="{cls}"><div class="hd"><h3>{e(title)}</h3>{more}</div>\n<ul>\n{lis}\n</ul></div>\n'


def render_home(style: Style, page: Page) -> str:
    site, spec = page.site, page.site.spec
    head = chrome.head(page, spec.name, "首页", "首页", doctype=_doctype(style))
    parts = ['<div class="main">\n']
    for key, title, cls, n in (("gk.news", "政务动态", "news", 7), ("gk.notice", "通知公告", "tzgg", 7)):
        col = site.column(key)
        if col is not None:
            parts.append(_block(page, title, col, col.docs[:n], cls))
    tabs = [c for c in site.columns.values() if c.spec.on_home == "tab"]
    if tabs:
        heads = "".join(f'<a class="s2r-as{" on" if i == 0 else ""}" href="{page.col_href(c)}">{e(c.name)}</a>'
                        for i, c in enumerate(tabs))
        panes = "".join(
            f'<ul class="sx-c1-list list1"{"" if i == 0 else HIDDEN}>\n'
            + "\n".join(chrome.doc_li(page, d, limit=26) for d in c.docs[:5]) + "\n</ul>\n"
            for i, c in enumerate(tabs))
        parts.append(f'<div class="tabs"><div class="sx-c2r-title">{heads}</div>\n{panes}</div>\n')
    gk_links = [site.column(k) for k in ("gk.root", *XXGK_TOP)]
    lis = "".join(f'<li><a href="{page.col_href(c)}">{e(c.name)}</a></li>' for c in gk_links if c)
    parts.append(f'<div class="zwgk-entry"><ul>{lis}</ul></div>\n')
    others = [c for c in site.columns.values() if c.parent is None and c.key not in NAV_KEYS]
    if others:       # top-level columns the nav does not carry (政务新媒体 …): a 栏目导航 box
        lis = "".join(f'<li><a href="{page.col_href(c)}">{e(c.name)}</a></li>' for c in others)
        parts.append(f'<div class="lmdh"><ul>{lis}</ul></div>\n')
    inter = site.column("gk.interaction")
    if inter is not None:
        parts.append(_block(page, "政民互动", inter, inter.docs[:5], "hdjl"))
    parts.append(bodies.links_block(page, site.home_links, cls="home-links"))
    options = "".join(f'<option value="{u}">{u}</option>' for u in FRIEND_SITES)
    parts.append(f'<div class="friend"><select onchange="window.open(this.value)"><option>政府网站</option>'
                 f"{options}</select></div>\n</div>\n")
    return chrome.page_shell(page, head, "".join(parts), home=True, search_action=_search(style), current="home")


def render_index(style: Style, page: Page, col: Column) -> str:
    """gk.root (专栏 index: 一级栏目 + 近期信息公开) and gk.statutory (sub-columns with newest items)."""
    site = page.site
    head = chrome.head(page, f"{col.name}_{site.spec.name}", col.name, "信息公开", doctype=_doctype(style))
    parts = [f'<div class="main">\n{style.breadcrumb(page, style.trail(page, col))}']
    menu = "".join(f'<li><div class="su-l2"><a href="{page.col_href(c)}">{e(c.name)}</a></div></li>'
                   for c in col.children)
    parts.append(f'<div class="sx-c1-left"><ul class="sx-uls">{menu}</ul></div>\n')
    if col.key == "gk.root":
        recent = sorted((d for d in site.docs if d.host == col.host and d.kind not in ("news", "message")
                         and not _script_listed(d.column)), key=lambda d: d.date, reverse=True)[:8]
        parts.append(_block(page, "近期信息公开", None, recent, "sx-c1-list"))
        for child in col.children:      # 年报 and 制度 boxes list their items as plain links (both CMSs)
            if child.spec.kind in ("annual_report", "system"):
                parts.append(_block(page, child.name, child, child.docs[:5], "gk-box"))
    else:
        for child in col.children:
            docs = [] if _script_listed(child) else child.docs[:3]
            parts.append(_block(page, child.name, child, docs, "sub-col"))
    parts.append("</div>\n")
    return chrome.page_shell(page, head, "".join(parts), search_action=_search(style), current="gk.root")


def _script_listed(col: Column) -> bool:
    """Columns whose list only scripts load (jpaas API, inline JS) show no items in index blocks
    either: the CMS fills those from the same script, so a plain crawl sees none of their documents."""
    return col.spec.pager in ("jpaas", "browser", "gkmlpt")


def render_guide(style: Style, page: Page, col: Column) -> str:
    site = page.site
    head = chrome.head(page, f"{col.name}_{site.spec.name}", col.name, "信息公开", doctype=_doctype(style))
    text = bodies.guide_body(site.spec, tuple(site.knobs.get("guide_omit", ())))   # type: ignore[call-overload]
    body = (f'<div class="main">\n{style.breadcrumb(page, style.trail(page, col))}'
            f'<div class="article"><h1 class="title">{e(site.spec.name)}{e(col.name)}</h1>\n'
            f'<div class="TRS_Editor">\n{text}</div></div>\n</div>\n')
    return chrome.page_shell(page, head, body, search_action=_search(style), current="gk.root")


def render_messages(style: Style, page: Page, col: Column, docs: list[Doc], pager: str) -> str:
    """政民互动 留言 list: 标题 | 提问日期 | 答复日期 | 状态."""
    site = page.site
    rows = "".join(
        f'<tr><td><a href="{page.doc_href(d)}" title="{e(d.title)}">{e(d.title)}</a></td>'
        f"<td>{d.date.isoformat()}</td><td>{d.extra.get('answer_date') or ''}</td>"
        f"<td>{'已答复' if d.extra.get('answer_date') else '未答复'}</td></tr>\n" for d in docs)
    head = chrome.head(page, f"{col.name}_{site.spec.name}", col.name, "互动交流", doctype=_doctype(style))
    write = f'<div class="ly-btn"><a href="{page.href(col.host, write_path(col))}">我要留言</a></div>\n'
    body = (f'<div class="main">\n{style.breadcrumb(page, style.trail(page, col))}'
            f'<div class="ly-list"><h2>{e(col.name)}</h2>{write}<table width="100%">\n'
            f"<tr><th>留言标题</th><th>提问日期</th><th>答复日期</th><th>状态</th></tr>\n{rows}</table>\n"
            f"{pager}</div>\n</div>\n")
    return chrome.page_shell(page, head, body, search_action=_search(style), current=col.key)


def write_path(col: Column) -> str:
    """The 我要留言 form of a 留言 column (every 留言 board has one: the 咨询 channel itself)."""
    base = col.dir if col.dir.endswith("/") else col.dir.rsplit("/", 1)[0] + "/"
    return base + "wyly/index.html"


def render_write(style: Style, page: Page, col: Column) -> str:
    """The 我要留言 page: a form posting a message (no links; nothing to crawl beyond it)."""
    site = page.site
    head = chrome.head(page, f"我要留言_{site.spec.name}", "我要留言", "互动交流", doctype=_doctype(style))
    fields = "".join(f'<p><label>{label}：</label><input type="text" name="{name}"></p>'
                     for label, name in (("姓名", "name"), ("联系电话", "phone"), ("留言标题", "title")))
    body = (f'<div class="main">\n{style.breadcrumb(page, style.trail(page, col))}<div class="ly-form">'
            f'<h2>我要留言</h2><form action="{write_path(col).removesuffix("index.html")}submit.jsp" method="post">'
            f'{fields}<p><label>留言内容：</label><textarea name="content"></textarea></p>'
            '<p><input type="submit" value="提交"></p></form>'
            "<p>留言将在审核后公开，相关部门一般在15个工作日内答复。</p></div>\n</div>\n")
    return chrome.page_shell(page, head, body, search_action=_search(style), current=col.key)


def render_service(style: Style, page: Page) -> str:
    spec = page.site.spec
    head = chrome.head(page, f"办事服务_{spec.name}", "办事服务", "办事服务", doctype=_doctype(style))
    body = ('<div class="main"><div class="bsfw"><h2>办事服务</h2>\n'
            f'<p>{e(spec.short_name)}政务服务事项已全部接入省政务服务网。</p>\n'
            f'<p><a href="{SERVICE_URL}" target="_blank">进入政务服务网办事大厅</a></p></div></div>\n')
    return chrome.page_shell(page, head, body, search_action=_search(style), current="bsfw")


def render_not_found(spec_name: str, home: str) -> str:
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 页面不存在</title></head>\n'
            f'<body><div class="error"><h1>抱歉，您访问的页面不存在或已删除</h1>'
            f'<p><a href="{home}">返回{e(spec_name)}首页</a></p></div></body></html>\n')
