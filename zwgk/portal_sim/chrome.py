"""Markup every page shares: <head> with the national meta tags, header, nav, footer, list rows.

Footer carries what `site.identity` looks for (网站标识码, ICP备案, 公网安备, 主办单位, 联系电话, the
党政机关 badge linking bszs.conac.cn); links to other hosts (conac, beian, 找错) are external.
"""

from __future__ import annotations

from html import escape

from zwgk.portal_sim.model import Doc
from zwgk.portal_sim.style import Page

XHTML_DOCTYPE = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                 '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                 '<html xmlns="http://www.w3.org/1999/xhtml">')
HTML5_DOCTYPE = '<!DOCTYPE html>\n<html lang="zh-CN">'
ON = ' class="on"'


def e(text: object) -> str:
    return escape(str(text), quote=True)


def pub_date(doc: Doc) -> str:
    """PubDate meta: ISO with time on most pages, the Chinese form on some (邯郸 uses 2020年08月02日)."""
    if doc.id % 3 == 0:
        return f"{doc.date.year}年{doc.date.month:02d}月{doc.date.day:02d}日"
    return f"{doc.date.isoformat()} {8 + doc.id % 10:02d}:{doc.id % 60:02d}"


def head(page: Page, title: str, column: str, column_type: str, doc: Doc | None = None,
         *, doctype: str = XHTML_DOCTYPE, extra: str = "") -> str:
    spec = page.site.spec
    code = spec.site_id_code
    if page.path == "/" and page.host == spec.main_host:   # site_id_meta_mismatch: the homepage template
        code = str(page.site.knobs.get("home_site_id_code", code))
    metas = [("SiteName", spec.name), ("SiteDomain", spec.main_host), ("SiteIDCode", code),
             ("ColumnName", column), ("ColumnDescription", f"{spec.name}{column}栏目"),
             ("ColumnKeywords", column), ("ColumnType", column_type)]
    if doc is not None:
        source = doc.fields.get("发布机构") or doc.extra.get("source") or spec.sponsor
        metas += [("ArticleTitle", doc.title), ("PubDate", pub_date(doc)), ("ContentSource", source),
                  ("Keywords", column), ("Url", doc.url)]
    meta_html = "\n".join(f'<meta name="{k}" content="{e(v)}">' for k, v in metas)
    return (f"{doctype}\n<head>\n{page.charset_tag}\n<title>{e(title)}</title>\n{meta_html}\n"
            f'<link rel="stylesheet" href="/images/style.css">\n{extra}</head>\n')


def header(page: Page, *, home: bool = False, search_action: str = "/was5/web/search") -> str:
    spec = page.site.spec
    tools = ('<a href="javascript:void(0);" id="cniil_wza">无障碍浏览</a> '
             '<a href="javascript:void(0);" id="zhangbei">长者模式</a>') if home else ""
    return (f'<div class="header">\n<div class="top-bar">{tools}</div>\n'
            f'<div class="logo"><a href="{page.href(spec.main_host, "/")}">'
            f'<img src="/images/logo.png" alt="{e(spec.name)}"></a></div>\n'
            f'<form name="searchform" class="trssearchform" action="{search_action}" method="get">'
            '<input type="hidden" name="channelid" value="258715">'
            '<input type="text" name="searchword" placeholder="请输入关键词">'
            '<input type="submit" value="搜索"></form>\n</div>\n')


def nav(page: Page, current: str = "") -> str:
    site, spec = page.site, page.site.spec
    items = [("home", "首页", spec.main_host, "/")]
    for key, label in (("gk.root", "政府信息公开"), ("gk.news", "政务动态"), ("gk.notice", "通知公告"),
                       ("gk.interaction", "政民互动")):
        col = site.column(key)
        if col is not None:
            items.append((key, label, col.host, col.dir))
    items.append(("bsfw", "办事服务", spec.main_host, "/bsfw/"))
    lis = "".join(f'<li{ON if key == current else ""}><a href="{page.href(h, p)}">{label}</a></li>'
                  for key, label, h, p in items)
    return f'<div class="nav"><ul>{lis}</ul></div>\n'


FOOTER_OMITTABLE = ("网站标识码", "ICP备案", "公网安备", "党政机关标识", "主办单位")


def footer(page: Page) -> str:
    """The identity block; `footer_missing` leaves elements out of the (site-wide) template."""
    spec = page.site.spec
    code = spec.site_id_code
    omit = set(page.site.knobs.get("footer_omit", ()))   # type: ignore[call-overload]
    psb_digits = "".join(ch for ch in spec.psb if ch.isdigit())
    sponsor = "" if "主办单位" in omit else f"主办单位：{e(spec.sponsor)}　"
    parts = {
        "网站标识码": f"网站标识码：{code}　",
        "ICP备案": f'<a href="https://beian.miit.gov.cn/" target="_blank">{e(spec.icp)}</a>　',
        "公网安备": (f'<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode={psb_digits}" '
                   f'target="_blank"><img src="/images/ga.png" alt="">{e(spec.psb)}</a>'),
    }
    ids = "".join(html for name, html in parts.items() if name not in omit)
    badge = "" if "党政机关标识" in omit else (
        f'<a href="https://bszs.conac.cn/sitename?method=show&amp;id={code}" target="_blank">'
        '<img src="/images/dzjgbs.png" alt="党政机关"></a>\n')
    return (
        '<div class="footer">\n'
        f"<p>{sponsor}联系电话：{e(spec.phone)}　地址：{e(spec.address)}</p>\n"
        f"<p>{ids}</p>\n<p>{badge}"
        f'<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}" target="_blank">'
        '<img src="/images/jiucuo.png" alt="政府网站找错"></a></p>\n</div>\n')


def cut(title: str, limit: int) -> str:
    """List text is cut with … (the full title stays in title=)."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def doc_li(page: Page, doc: Doc, *, limit: int = 32, relative: bool = False, date_fmt: str = "-") -> str:
    shown = doc.date.isoformat() if date_fmt == "-" else doc.date.strftime("%Y/%m/%d")
    return (f'<li><a href="{page.doc_href(doc, relative=relative)}" title="{e(doc.title)}" target="_blank">'
            f"{e(cut(doc.title, limit))}</a><span>{shown}</span></li>")


def page_shell(page: Page, head_html: str, body: str, *, home: bool = False, body_class: str = "",
               search_action: str = "/was5/web/search", current: str = "", tail: str = "") -> str:
    """Assemble a page: head, header, nav, main body, footer (tail: appended before </body>)."""
    cls = f' class="{body_class}"' if body_class else ""
    return (f"{head_html}<body{cls}>\n{header(page, home=home, search_action=search_action)}"
            f"{nav(page, current)}{body}{footer(page)}{tail}</body>\n</html>\n")
