"""Planted defects: each spec entry `{kind: …, …params}` is one registered function here.

A defect changes the planned site (adds a link, a status route, a flag on a document) and records
what it did in `site.planted`. Truth does NOT read `planted` to decide what is broken: it re-derives
everything from the served link graph; `planted` is published beside it for people and for
`findings` the graph cannot show on its own. New kinds: add a function with `@defect("name")`.

`from:` picks the page that carries the link — `home`, or `detail` (a document of `column`, default
gk.news; `n` picks the n-th newest, default: the next one not yet used, among the newest five so it is
linked from the homepage / list page 1), or a column key (same as detail with that column).
The crawl trap (a calendar linking next month forever) sits behind robots.txt; truth lists it under
`traps` and `robots_disallowed` and never expands it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zwgk.portal_sim import chrome
from zwgk.portal_sim.encoding import html_resource
from zwgk.portal_sim.model import Attachment, Doc, Link, Request, Resource, Route, Site
from zwgk.portal_sim.spec import SpecError
from zwgk.portal_sim.style import Page, Style

Params = dict[str, Any]


@dataclass
class Defect:
    apply: Callable[[DefectContext, Params], None]
    prepare: Callable[[Site, Params], None] | None = None


DEFECTS: dict[str, Defect] = {}


def defect(kind: str, prepare: Callable[[Site, Params], None] | None = None) -> Callable[..., Any]:
    def register(fn: Callable[[DefectContext, Params], None]) -> Callable[[DefectContext, Params], None]:
        DEFECTS[kind] = Defect(apply=fn, prepare=prepare)
        return fn
    return register


class DefectContext:
    def __init__(self, site: Site, style: Style) -> None:
        self.site, self.style = site, style
        self.main = site.spec.main_host
        self._picks: dict[str, int] = {}     # per column: the next document not yet used

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.main}{path}"

    def pick_doc(self, column: str | None, n: int | None = None,
                 where: Callable[[Doc], bool] | None = None) -> Doc:
        """The n-th newest document of `column` (default: the next unused one) among the newest five;
        with `where`, the next unused one that satisfies it."""
        col = self.site.column(column or "gk.news")
        if col is None or not col.docs:
            col = next((c for c in self.site.columns.values() if c.docs and c.spec.on_home), None)
        if col is None:
            raise SpecError(f"{self.site.key}: a detail-page defect needs a column with documents")
        newest = col.docs[:5]          # newest five: on the homepage / list page 1
        if n is not None:
            return newest[min(n, len(newest) - 1)]
        start = self._picks.get(col.key, 0)
        for i in range(start, start + len(newest)):
            if where is None or where(newest[i % len(newest)]):
                self._picks[col.key] = i + 1
                return newest[i % len(newest)]
        raise SpecError(f"{self.site.key}: no document of {col.key} among the newest five fits this defect")

    def holder(self, params: Params) -> Doc | None:
        """The page `from:` names: None for the homepage, else a document."""
        where = params.get("from", "home")
        if where == "home":
            return None
        return self.pick_doc(params.get("column") if where == "detail" else where, params.get("n"))

    def place(self, params: Params, link: Link, holder: Doc | str | None = "pick") -> str:
        """Put `link` on the page `from:` names (or on `holder`); returns that page's canonical URL."""
        doc = self.holder(params) if holder == "pick" else holder
        if doc is None:
            self.site.home_links.append(link)
            return self.url("/")
        doc.links.append(link)    # type: ignore[union-attr]
        return doc.url            # type: ignore[union-attr]

    def page(self, path: str, title: str, text: str, *, host: str | None = None, **kw: Any) -> None:
        """A small real page (chrome included) at `path`."""
        host = host or self.main

        def render(page: Page) -> str:
            head = chrome.head(page, f"{title}_{self.site.spec.name}", title, title)
            return chrome.page_shell(page, head, f'<div class="main"><h2>{title}</h2><p>{text}</p></div>\n')
        self.site.add(host, path, html_resource(self.site, host, path, render, **kw))

    def status_page(self, path: str, status: int, host: str | None = None) -> None:
        body = f"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"
        self.site.add(host or self.main, path, Resource(status=status, body=body.encode(), charset="utf-8",
                                                         kind="error"))

    def disallow(self, host: str, prefix: str) -> None:
        text = self.site.robots.get(host, "User-agent: *\n")
        self.site.robots[host] = text.rstrip("\n") + f"\nDisallow: {prefix}\n"

    def dead_path(self, status: int) -> str:
        """A plausible address for a gone page: an old article of the news column, in the style's URLs."""
        news = self.site.column("gk.news")
        if status == 404 and self.style.name == "hanweb" and news is not None:
            return f"/art/2019/5/10/art_{news.colid}_1290001.html"
        return DEAD_PATHS.get(status, f"/broken/{status}.html")

    def record(self, kind: str, **facts: Any) -> None:
        self.site.planted.append({"kind": kind, **facts})


DEAD_PATHS = {404: "/zwdt/201905/t20190510_1290001.html", 410: "/ztzl/2019lhzt/index.html",
              500: "/hdjl/wsdc/index.html", 403: "/xxgk/ysqgk/index.jsp"}


@defect("broken_link")
def broken_link(ctx: DefectContext, p: Params) -> None:
    status = int(p.get("status", 404))
    path = p.get("path") or ctx.dead_path(status)
    if status != 404:
        ctx.status_page(path, status)
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "往期专题"), hidden=p.get("hidden", ""),
                               note="broken_link"))
    ctx.record("broken_link", source=source, target=ctx.url(path), status=status)


@defect("broken_attachment")
def broken_attachment(ctx: DefectContext, p: Params) -> None:
    att = _attachment(ctx, p.get("column", "gk.policy"), 0)
    att.status = int(p.get("status", 404))
    ctx.record("broken_attachment", target=ctx.url(att.path, att.host), status=att.status)


@defect("head_405")
def head_405(ctx: DefectContext, p: Params) -> None:
    for i in range(int(p.get("count", 1))):
        att = _attachment(ctx, p.get("column", "gk.policy"), i + 1)
        att.head_status = 405
        ctx.record("head_405", target=ctx.url(att.path, att.host))


def _attachment(ctx: DefectContext, column: str, skip: int) -> Attachment:
    """The `skip`-th healthy attachment among the newest documents (adds one if there is none)."""
    docs = ctx.site.column(column).docs if ctx.site.column(column) else []
    found = [a for d in docs[:5] for a in d.attachments if a.status == 200 and a.head_status is None]
    if found:
        return found[0]
    doc = ctx.pick_doc(column, skip % 5)
    att = Attachment(doc.host, ctx.style.attachment_path(ctx.site, doc, 9, "pdf", f"{skip:012d}"),
                     f"附件{len(doc.attachments) + 1}：补充材料.pdf", "pdf")
    doc.attachments.append(att)
    return att


@defect("dead_host_link")
def dead_host_link(ctx: DefectContext, p: Params) -> None:
    host = p.get("host") or "old." + ctx.main.removeprefix("www.")
    ctx.site.dead_hosts.append(host)
    target = f"http://{host}{p.get('path', '/')}"
    source = ctx.place(p, Link(target, p.get("text", "原网站入口"), note="dead_host_link"))
    ctx.record("dead_host_link", source=source, target=target, error="dns")


@defect("redirect")
def redirect(ctx: DefectContext, p: Params) -> None:
    """An old address that answers 301 to a working page: NOT a broken link."""
    path = p.get("path", "/zwgk/index.html")
    col = ctx.site.column(p.get("target", "gk.root"))
    location = f"http://{col.host}{col.dir}" if col else ctx.url(p["target"])
    ctx.site.add(ctx.main, path, Resource(status=int(p.get("status", 301)), location=location, kind="redirect"))
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "政务公开"), note="redirect"))
    ctx.record("redirect", source=source, target=ctx.url(path), location=location)


@defect("redirect_loop")
def redirect_loop(ctx: DefectContext, p: Params) -> None:
    a, b = p.get("path", "/zxft/index.html"), p.get("other", "/zxft/index.jsp")
    ctx.site.add(ctx.main, a, Resource(status=302, location=ctx.url(b), kind="redirect"))
    ctx.site.add(ctx.main, b, Resource(status=302, location=ctx.url(a), kind="redirect"))
    source = ctx.place(p, Link(ctx.url(a), p.get("text", "在线访谈"), note="redirect_loop"))
    ctx.record("redirect_loop", source=source, target=ctx.url(a), error="redirect_loop")


@defect("slow_page")
def slow_page(ctx: DefectContext, p: Params) -> None:
    path, seconds = p.get("path", "/ztzl/index.html"), float(p.get("seconds", 2.0))
    ctx.page(path, "专题专栏", "专题专栏页面。", delay=seconds)
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "专题专栏"), note="slow_page"))
    ctx.record("slow_page", source=source, target=ctx.url(path), seconds=seconds)


@defect("robots_disallowed_link")
def robots_disallowed_link(ctx: DefectContext, p: Params) -> None:
    prefix = p.get("prefix", "/nbgl/")
    path = prefix + "index.html"
    ctx.page(path, "内部管理", "内部管理系统入口。")
    ctx.disallow(ctx.main, prefix)
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "内部办公"), note="robots_disallowed_link"))
    ctx.record("robots_disallowed_link", source=source, target=ctx.url(path))


@defect("non_http_links")
def non_http_links(ctx: DefectContext, p: Params) -> None:
    domain, holder = ctx.main.removeprefix("www."), ctx.holder(p)
    for url, text in ((f"mailto:xxgk@{domain}", "联系我们"), (f"tel:{ctx.site.spec.phone}", "值班电话"),
                      ("javascript:void(0)", "切换繁体")):
        source = ctx.place(p, Link(url, text, note="non_http_links"), holder)
        ctx.record("non_http_link", source=source, target=url)


@defect("external_link")
def external_link(ctx: DefectContext, p: Params) -> None:
    url = p.get("url", "http://www.example-province.gov.cn/zwgk/zcwj/")
    source = ctx.place(p, Link(url, p.get("text", "省政府文件"), note="external_link"))
    ctx.record("external_link", source=source, target=url)


@defect("hidden_link")
def hidden_link(ctx: DefectContext, p: Params) -> None:
    """A link only inside hidden markup, to a page nothing else links (手机版 entry)."""
    how = p.get("how", "attr")
    path = p.get("path", f"/m/{how}/index.html")
    ctx.page(path, "手机版", "手机版入口。")
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "手机版"), hidden=how, note="hidden_link"))
    ctx.record("hidden_link", source=source, target=ctx.url(path), how=how)


CALENDAR = re.compile(r"/calendar/(\d{4})-(\d{2})\.html")


@defect("crawl_trap")
def crawl_trap(ctx: DefectContext, p: Params) -> None:
    """A 活动日历 whose every month links the next and previous month, forever — behind robots.txt."""
    as_of = ctx.site.spec.as_of
    ctx.disallow(ctx.main, "/calendar/")
    ctx.site.routes.append(Route(CALENDAR, _calendar))
    target = ctx.url(f"/calendar/{as_of.year}-{as_of.month:02d}.html")
    source = ctx.place(p, Link(target, p.get("text", "活动日历"), note="crawl_trap"))
    ctx.record("crawl_trap", source=source, target=target, robots=True)


def _calendar(site: Site, request: Request, match: re.Match[str]) -> Resource:
    y, m = int(match[1]), int(match[2])
    prev = f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"
    nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
    body = (f'<html><head><meta charset="utf-8"><title>活动日历 {y}年{m}月</title></head><body>'
            f'<a href="/calendar/{prev}.html">上一月</a> <a href="/calendar/{nxt}.html">下一月</a></body></html>')
    return Resource(body=body.encode(), charset="utf-8", dynamic=True)


@defect("malformed_html")
def malformed_html(ctx: DefectContext, p: Params) -> None:
    doc = ctx.pick_doc(p.get("column"), p.get("n"))
    doc.malformed = True
    ctx.record("malformed_html", target=doc.url)


def _unpaired(site: Site, p: Params) -> None:
    """`count: n` picks the 2nd, 4th, … newest (list page 1); `seqs: [22]` picks positions anywhere,
    e.g. on list page 3, reachable only through the script pager. Entries for one column add up."""
    picked: set[int] = site.knobs.setdefault("unpaired", {}).setdefault(   # type: ignore[union-attr, assignment]
        p.get("column", "gk.policy"), set())
    picked.update(_unpaired_params(p))


def _unpaired_params(p: Params) -> set[int]:
    seqs = {int(x) for x in p.get("seqs", ())}
    return {1 + 2 * i for i in range(int(p.get("count", 0 if seqs else 1)))} | seqs


def unpaired_seqs(site: Site, column: str = "gk.policy") -> set[int]:
    """Which documents of `column` (by position, newest = 0) get no 解读."""
    return set(site.knobs.get("unpaired", {}).get(column, set()))   # type: ignore[union-attr]


@defect("policy_without_interpretation", prepare=_unpaired)
def policy_without_interpretation(ctx: DefectContext, p: Params) -> None:
    col = ctx.site.column(p.get("column", "gk.policy"))
    for doc in col.docs if col else []:
        if doc.seq in _unpaired_params(p):
            ctx.record("policy_without_interpretation", target=doc.url)


@defect("interpretation_without_backlink")
def interpretation_without_backlink(ctx: DefectContext, p: Params) -> None:
    col = ctx.site.column("gk.interpretation")
    for doc in (col.docs if col else [])[: int(p.get("count", 1))]:
        doc.backlink = False
        ctx.record("interpretation_without_backlink", target=doc.url)




# --- crawl traps beside ordinary sections (no robots.txt to hide them) ------------------------------

RILI = re.compile(r"\?date=\d{4}-\d{2}(-\d{2})?$")


@defect("calendar_trap")
def calendar_trap(ctx: DefectContext, p: Params) -> None:
    """A 活动日历 under a section, NOT behind robots.txt: ?date=YYYY-MM pages link the previous and
    next month and three event days, forever (the calendar of the issue that starved a crawl)."""
    col = ctx.site.column(p.get("column", "gk.news"))
    base = (col.dir if col and col.dir.endswith("/") else "/") + "rili/"
    host = col.host if col else ctx.main
    as_of = ctx.site.spec.as_of
    ctx.site.routes.append(Route(re.compile(re.escape(base)), _rili))
    ctx.site.trap_patterns.append((f"{host}{base}?date=…",
                                   re.compile(re.escape(f"http://{host}{base}") + RILI.pattern)))
    target = f"http://{host}{base}?date={as_of:%Y-%m}"
    source = ctx.place(p, Link(target, p.get("text", "活动日历"), note="calendar_trap"))
    ctx.record("calendar_trap", source=source, target=target, robots=False)


def _rili(site: Site, request: Request, match: re.Match[str]) -> Resource | None:
    day = re.fullmatch(r"date=(\d{4})-(\d{2})(?:-(\d{2}))?", request.query)
    if day is None:
        return None
    y, m = int(day[1]), int(day[2])
    prev = f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"
    nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
    days = "".join(f'<li><a href="?date={y}-{m:02d}-{d:02d}">{m}月{d}日 政务活动</a></li>' for d in (5, 15, 25))
    body = (f'<html><head><meta charset="utf-8"><title>活动日历 {y}年{m}月</title></head><body>'
            f'<div class="rili"><a href="?date={prev}">上一月</a> <a href="?date={nxt}">下一月</a>'
            f"<ul>{days}</ul></div></body></html>")
    return Resource(body=body.encode(), charset="utf-8", dynamic=True)


@defect("repeat_trap")
def repeat_trap(ctx: DefectContext, p: Params) -> None:
    """A catch-all page whose relative link `zxdc/` leads one level deeper each time (/hdjl/zxdc/zxdc/…)."""
    prefix = p.get("path", "/hdjl/zxdc/")
    seg = prefix.rstrip("/").rsplit("/", 1)[-1]
    ctx.site.routes.append(Route(re.compile(re.escape(prefix) + rf"(?:{re.escape(seg)}/)*"), _catch_all))
    ctx.site.trap_patterns.append((f"{ctx.main}{prefix}({seg}/)…", re.compile(
        re.escape(ctx.url(prefix)) + rf"(?:{re.escape(seg)}/)+$")))
    source = ctx.place(p, Link(ctx.url(prefix), p.get("text", "在线调查"), note="repeat_trap"))
    ctx.record("repeat_trap", source=source, target=ctx.url(prefix))


def _catch_all(site: Site, request: Request, match: re.Match[str]) -> Resource:
    seg = request.path.rstrip("/").rsplit("/", 1)[-1]
    body = (f'<html><head><meta charset="utf-8"><title>在线调查</title></head><body><div class="dc">'
            f'<p>调查已结束。</p><a href="{seg}/">往期调查</a></div></body></html>')
    return Resource(body=body.encode(), charset="utf-8", dynamic=True)


@defect("params_trap")
def params_trap(ctx: DefectContext, p: Params) -> None:
    """A list whose sort link appends to the current query (?order=asc&order=asc&…)."""
    path = p.get("path", "/zwgk/px.html")
    ctx.site.routes.append(Route(re.compile(re.escape(path)), _sorter))
    ctx.site.trap_patterns.append((f"{ctx.main}{path}?order&…", re.compile(
        re.escape(ctx.url(path)) + r"\?order=asc(&order=asc)+$")))
    target = ctx.url(path) + "?order=asc"
    source = ctx.place(p, Link(target, p.get("text", "按时间排序"), note="params_trap"))
    ctx.record("params_trap", source=source, target=target)


def _sorter(site: Site, request: Request, match: re.Match[str]) -> Resource:
    query = request.query or "order=asc"
    body = (f'<html><head><meta charset="utf-8"><title>排序</title></head><body>'
            f'<a href="?{query}&amp;order=asc">再次排序</a></body></html>')
    return Resource(body=body.encode(), charset="utf-8", dynamic=True)


# --- hostile input -------------------------------------------------------------------------------------


@defect("hostile_links")
def hostile_links(ctx: DefectContext, p: Params) -> None:
    """One page with hrefs no browser opens (a port of 99999, a broken IPv6 literal, a control character
    in the host), an 8 KB same-site URL, an iframe, a link to a frameset page, to a page of 5,000 nested
    <div>s (its own link at the bottom), and to a slow-drip page (one byte every `drip` seconds)."""
    main, path = ctx.main, p.get("path", "/ztzl/tsym/index.html")
    base = path.rsplit("/", 1)[0] + "/"
    long_url = ctx.url(base + "search.html?q=" + "x" * int(p.get("long", 8192)))
    drip = float(p.get("drip", 0.25))
    bad = [(f"http://{main}:99999/", "端口错误"), ("http://[::1/zwgk/", "IPv6 写错"),
           ("http://www.exa&#1;mple.gov.cn/", "控制字符")]
    links = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in bad)
    links += (f'<li><a href="{long_url}">超长链接</a></li><li><a href="{base}frames.html">框架页</a></li>'
              f'<li><a href="{base}deep.html">深层页面</a></li><li><a href="{base}drip.html">慢速页面</a></li>'
              f'<li><a href="{base}ok.html">正常页面</a></li>')
    ctx.page(base + "ok.html", "正常页面", "这一页应被正常抓取。")
    ctx.page(base + "nav.html", "框架导航", "框架导航。")
    ctx.page(base + "main.html", "框架正文", "框架正文。")
    ctx.page(base + "embed.html", "内嵌页面", "内嵌页面。")
    ctx.page(base + "deep-end.html", "深层链接", "只有嵌套页面的底部链接到这一页。")
    html = (f'<html><head><meta charset="utf-8"><title>专题</title></head><body><ul class="ts">{links}</ul>'
            f'<iframe src="{base}embed.html" title="内嵌"></iframe></body></html>')
    ctx.site.add(main, path, Resource(body=html.encode(), charset="utf-8"))
    frames = (f'<html><head><meta charset="utf-8"><title>框架页</title></head><frameset cols="20%,80%">'
              f'<frame src="{base}nav.html" name="nav"><frame src="{base}main.html" name="main"></frameset></html>')
    ctx.site.add(main, base + "frames.html", Resource(body=frames.encode(), charset="utf-8"))
    deep = ('<html><head><meta charset="utf-8"><title>深层页面</title></head><body>' + "<div>" * 5000
            + f'<a href="{base}deep-end.html">底部链接</a>' + "</div>" * 5000 + "</body></html>")
    ctx.site.add(main, base + "deep.html", Resource(body=deep.encode(), charset="utf-8"))
    slow = ('<html><head><meta charset="utf-8"><title>慢速页面</title></head><body>' + "<p>慢</p>" * 60
            + "</body></html>")
    ctx.site.add(main, base + "drip.html", Resource(body=slow.encode(), charset="utf-8", drip=drip))
    source = ctx.place(p, Link(ctx.url(path), p.get("text", "专题页面"), note="hostile_links"))
    ctx.record("hostile_links", source=source, target=ctx.url(path), long_url=long_url)


# Content defects register into the same DEFECTS table (imported last: they use `defect` above).
from zwgk.portal_sim import defects_content  # noqa: E402,F401
