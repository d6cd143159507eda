"""站内搜索: the search the homepage form submits to (TRS WAS5 `/was5/web/search?searchword=…`, Hanweb
`/jsearchfront/search.do?searchword=…`), answering with a result page that lists matching documents
as links — what `site.search` replays.

Matching is a substring test on titles with spaces and punctuation removed (a real engine segments
words; for a title prefix the outcome is the same). The query is read as UTF-8, else GB18030, as
portals accept both. Defects: `search_stale_index` (new documents are not indexed yet) and
`search_broken` (the search service answers an error status).
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs

from zwgk.portal_sim import chrome
from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.encoding import html_resource
from zwgk.portal_sim.model import Doc, Request, Resource, Route, Site
from zwgk.portal_sim.style import Page, Style

PATHS = {"trs": "/was5/web/search", "hanweb": "/jsearchfront/search.do"}
QUERY_FIELDS = ("searchword", "q", "keyword")
MAX_RESULTS = 20
_MARKS = re.compile(r"[\s\u3000\xa0《》〈〉“”\"'‘’「」『』【】\[\]（）()，,。.：:；;、！!？?…—\-_/|·]+")


def search_path(style: Style) -> str:
    return PATHS[style.name]


def normalise(text: str) -> str:
    return _MARKS.sub("", text or "")


def query_of(request: Request) -> str:
    for codec in ("utf-8", "gb18030"):
        try:
            params = parse_qs(request.query, encoding=codec, errors="strict")
        except UnicodeDecodeError:
            continue
        for name in QUERY_FIELDS:
            if params.get(name):
                return params[name][-1].strip()
        return ""
    return ""


def indexed(site: Site) -> list[Doc]:
    """Documents the search index holds (all, unless `search_stale_index` holds back new ones)."""
    lag = int(site.knobs.get("search_index_lag_days", 0))   # type: ignore[call-overload]
    cutoff = site.spec.as_of - timedelta(days=lag)
    return [d for d in site.docs if not lag or d.date <= cutoff]


def results(site: Site, query: str) -> list[Doc]:
    q = normalise(query)
    if not q:
        return []
    hits = [d for d in indexed(site) if q in normalise(d.title)]
    return sorted(hits, key=lambda d: d.date, reverse=True)[:MAX_RESULTS]


def _render(page: Page, style: Style, query: str, docs: list[Doc]) -> str:
    spec = page.site.spec
    head = chrome.head(page, f"搜索结果_{spec.name}", "站内搜索", "搜索")
    rows = "".join(f'<li><a href="{page.doc_href(d)}" target="_blank">{e(d.title)}</a>'
                   f"<span>{d.date.isoformat()}</span></li>" for d in docs)
    listing = f"<ul>{rows}</ul>" if docs else '<p class="no-data">没有找到相关结果</p>'
    body = (f'<div class="main"><div class="search-result"><h2>站内搜索</h2>'
            f"<p>您搜索的“{e(query)}”共找到 {len(docs)} 条结果</p>\n{listing}</div></div>\n")
    return chrome.page_shell(page, head, body, search_action=search_path(style))


def routes(site: Site, style: Style) -> list[Route]:
    path = search_path(style)

    def handler(site: Site, request: Request, match: re.Match[str]) -> Resource:
        status = int(site.knobs.get("search_status", 200))   # type: ignore[call-overload]
        if status != 200:
            body = f"<html><body><h1>{status}</h1><p>检索服务暂时不可用</p></body></html>".encode()
            return Resource(status=status, body=body, charset="utf-8", kind="error", dynamic=True)
        query = query_of(request)
        docs = results(site, query)
        return html_resource(site, request.host, path, lambda p: _render(p, style, query, docs), dynamic=True)

    return [Route(re.compile(re.escape(path)), handler)]
