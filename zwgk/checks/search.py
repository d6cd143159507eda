"""site.search: the homepage has a site search, and searching for a recent document finds it.

The form is read from the stored homepage (TRS WAS5 `/was5/web/search?searchword=`, TRS IGS
`/igs/front/search.jhtml`, 开普云 search5, JCMS `jsearch`, or any form with a searchword/keyword/q
input); the query is sent through the probe layer, the only way a check touches the network. A hit
is the document's title in a result *link* (or a JSON result's title field): "您搜索的“…”共0条"
echoes the query in plain text and must not count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.content import (
    element_text,
    evidence,
    in_chrome,
    issue,
    page_title,
    page_url,
    parse_html,
    published_on,
    squeeze,
)
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.columns import is_detail

SEARCH_ACTION = re.compile(r"search|was5|igs|jsearch|s\.jsp|sousuo|query|irs/front|so\.", re.I)
QUERY_NAMES = ("searchword", "searchWord", "keyword", "keywords", "q", "wd", "query", "kw", "word", "key",
               "searchKey", "searchText")
_QUERY_NAMES_LOWER = {n.lower() for n in QUERY_NAMES}
_SCRIPT_ENDPOINT = re.compile(
    r"[\"']((?:https?:)?[^\"'\s]*(?:/was5/web/search|/igs/front/search\.jhtml|/search5/search/s|/jsearch/[^\"'\s]*"
    r"|/s\.jsp)[^\"'\s]*)[\"']", re.I)
_CUT = re.compile(r"[，,：:；;（(【\[|｜]")
_MARKS = re.compile(r"[\s\u3000\xa0“”\"'‘’《》〈〉「」『』…]+|\.{3,}")
# Challenge pages a WAF serves with status 200 instead of results.
_WAF = re.compile(r"安全验证|访问验证|滑动验证|人机验证|请开启JavaScript|请启用JavaScript|访问过于频繁|WAF"
                  r"|验证码", re.I)
DOUBTFUL_STATUS = {401, 403, 429, 503}
UNREACHED_ERRORS = {"dns", "no_address"}      # the search host does not exist: search is broken
MAX_QUERY = 20


@dataclass
class SearchForm:
    action: str                  # absolute URL ("" when only a search box was seen)
    method: str = "GET"
    query_field: str = "searchword"
    fields: dict[str, str] = field(default_factory=dict)    # hidden inputs (channelid, siteCode …)
    source: str = "form"         # form | script | box
    charset: str = ""

    def url_for(self, query: str) -> str:
        params = {**self.fields, self.query_field: query}
        sep = "&" if urlsplit(self.action).query else "?"
        try:
            encoded = urlencode(params, encoding=self.charset or "utf-8")
        except (LookupError, UnicodeEncodeError):
            encoded = urlencode(params)
        return f"{self.action}{sep}{encoded}"


def find_form(page: PageRecord) -> SearchForm | None:
    """The homepage's search form: a <form> that searches, else a script endpoint + a search box."""
    root = parse_html(page.body)
    if root is None:
        return None
    base = page_url(page)
    box: str | None = None
    for form in root.iter("form"):
        names = {(el.get("name") or "").strip(): el for el in form.iter("input", "select", "textarea")}
        query = next((n for n in names if n.lower() in _QUERY_NAMES_LOWER), None)
        action = (form.get("action") or "").strip()
        if not (query or SEARCH_ACTION.search(action) or SEARCH_ACTION.search(form.get("name") or "")):
            continue
        if query is None:
            query = next((n for n, el in names.items() if n and (el.get("type") or "text").lower()
                          in ("text", "search")), "")
        if not query:
            continue
        fields = {n: el.get("value") or "" for n, el in names.items()
                  if n and n != query and (el.get("type") or "").lower() == "hidden"}
        if action.lower().startswith("javascript") or (not action and form.get("onsubmit")):
            target = ""          # the script builds the URL: nothing to replay
        else:
            target = urljoin(base, action)   # an empty action submits to the page itself
        return SearchForm(target, (form.get("method") or "GET").upper(), query, fields, "form",
                          (form.get("accept-charset") or "").split(",")[0].strip())
    for el in root.iter("input"):
        name = (el.get("name") or el.get("id") or "").strip()
        if name.lower() in _QUERY_NAMES_LOWER:
            box = name
            break
    script = _SCRIPT_ENDPOINT.search(page.body or "")
    if script:
        return SearchForm(urljoin(base, script.group(1)), "GET", box or "searchword", {}, "script")
    if box:
        return SearchForm("", "GET", box, {}, "box")
    return None


# --- what to search for --------------------------------------------------------------------------


def query_text(title: str) -> str:
    """A distinctive prefix of a title: quote marks dropped, cut at the first clause mark, ≤20 chars."""
    t = _MARKS.sub("", title)
    head = _CUT.split(t, 1)[0]
    if len(head) >= 8:
        t = head
    return t[:MAX_QUERY]


def recent_document(ctx: SiteContext) -> tuple[str, str, date | None] | None:
    """(title, url, date) of the newest dated document: crawled pages first, then homepage list rows."""
    home = ctx.home
    best: tuple[date, str, str] | None = None
    for page in ctx.pages:
        if home is not None and page.url == home.url:
            continue
        title = page_title(page)
        if len(squeeze(title)) < 8 or not is_detail(page):
            continue
        published, source = published_on(ctx, page)
        if published and source != "网址日期" and (best is None or published > best[0]):
            best = (published, title, page_url(page))
    if best:
        return best[1], best[2], best[0]
    if home is not None:
        items = [i for i in ctx.list_page(home).items if i.date and len(squeeze(i.title)) >= 8]
        if items:
            item = max(items, key=lambda i: i.date or date.min)
            return item.title, item.url, item.date
    return None


def _norm(text: str) -> str:
    return _MARKS.sub("", text or "")


def result_hits(body: str, query: str, doc_url: str) -> list[str]:
    """Result entries (link texts or JSON titles) that show the document."""
    q = _norm(query)
    path = urlsplit(doc_url).path
    hits: list[str] = []

    def matches(text: str) -> bool:
        t = _norm(re.sub(r"<[^>]+>", "", text))
        return bool(t) and (q in t or (len(t) >= 10 and q.startswith(t)))

    stripped = body.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if data is not None:
            for key, value in _walk(data):
                if isinstance(value, str) and (("title" in key.lower() and matches(value))
                                               or ("url" in key.lower() and path and value.endswith(path))):
                    hits.append(value)
            return hits
    root = parse_html(body)
    if root is None:
        return hits
    for a in root.iter("a"):
        if in_chrome(a):
            continue   # a "最新动态" side list on the result page is not a search hit
        text = element_text(a) or a.get("title") or ""
        href = a.get("href") or ""
        if matches(text) or matches(a.get("title") or "") or (path and len(path) > 1 and href.endswith(path)):
            hits.append(text or href)
    return hits


def _walk(data: Any, key: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _walk(v, str(k))
    elif isinstance(data, list):
        for v in data:
            out += _walk(v, key)
    else:
        out.append((key, data))
    return out


# --- the check ----------------------------------------------------------------------------------


@check(
    id="site.search",
    title="网站提供可用的站内搜索",
    severity="major",
    needs=("homepage",),
    probes=True,
    basis="《政府网站发展指引》（国办发〔2017〕47号）站内搜索功能；《中华人民共和国政府信息公开条例》第二十四条"
          "（政府信息公开平台应具备信息检索、查阅、下载等功能）；国办公开办函〔2019〕61号",
    remediation="在首页提供站内搜索，确保检索覆盖全站（含政府信息公开专栏）且新发布信息能及时检索到。",
)
def site_search(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    home = ctx.home
    assert home is not None and home.body is not None      # needs=("homepage",)
    url = page_url(home)
    form = find_form(home)
    if form is None:
        f = issue("首页未提供站内搜索", url, target="search_form",
                  ev=evidence(home, "首页有站内搜索表单（搜索框及提交地址）", "首页未见搜索表单或搜索框",
                              on_homepage=True))
        return CheckResult("site.search", "fail", "首页未见站内搜索", findings=[f])
    details: dict[str, Any] = {"form": {"action": form.action, "method": form.method, "field": form.query_field,
                                        "hidden": form.fields, "source": form.source}}
    if not form.action:
        return CheckResult("site.search", "inconclusive", "首页有搜索框，但提交地址由脚本生成，未能实测，需人工核查",
                           details=details)
    if ctx.probes is None:
        return CheckResult("site.search", "inconclusive", f"首页有搜索表单（{form.action}），离线评估未实测检索",
                           details=details)
    doc = _query_source(ctx)
    if doc is None:
        return CheckResult("site.search", "inconclusive", "首页有搜索表单，但未找到可用于检索的近期文档标题",
                           details=details)
    title, doc_url = doc
    query = query_text(title)
    search_url = form.url_for(query)
    # The probe layer only sends GET; a POST form is tried with GET (TRS WAS5/IGS accept both).
    probe = ctx.probes.http(search_url, method="GET")
    details.update(query=query, document={"title": title, "url": doc_url}, search_url=search_url,
                   probe={"status": probe.status, "error_kind": probe.error_kind, "final_url": probe.final_url,
                          "at": probe.at})
    return _judge(home, probe, query, title, doc_url, search_url, form, details)


def _query_source(ctx: SiteContext) -> tuple[str, str] | None:
    """`checks.search_query` (title, optionally with `search_query_url`) else the newest document."""
    fixed = ctx.options.get("search_query")
    if fixed:
        return str(fixed), str(ctx.options.get("search_query_url") or "")
    doc = recent_document(ctx)
    return (doc[0], doc[1]) if doc else None


def _judge(home: PageRecord, probe: Any, query: str, title: str, doc_url: str, search_url: str,
           form: SearchForm, details: dict[str, Any]) -> CheckResult:
    url = page_url(home)
    ev_base = {"url": search_url, "at": probe.at, "query": query, "document": doc_url, "on_homepage": True}
    what = f"检索“{query}”"
    if probe.error_kind:
        if probe.error_kind in UNREACHED_ERRORS:
            f = _finding(url, "search_endpoint", f"站内搜索无法访问：{what}时{probe.error or probe.error_kind}",
                         ev_base, "搜索服务可访问", f"{probe.error_kind}: {probe.error}")
            return CheckResult("site.search", "fail", f"站内搜索无法访问（{probe.error_kind}）", details=details,
                               findings=[f])
        return CheckResult("site.search", "inconclusive",
                           f"{what}未得到应答（{probe.error_kind}），无法判定", details=details)
    status = probe.status or 0
    if status in DOUBTFUL_STATUS:
        return CheckResult("site.search", "inconclusive", f"{what}返回 HTTP {status}（疑似访问限制），无法判定",
                           details=details)
    if status >= 400:
        f = _finding(url, "search_endpoint", f"站内搜索出错：{what}返回 HTTP {status}", ev_base,
                     "HTTP 200 及检索结果", f"HTTP {status}")
        return CheckResult("site.search", "fail", f"站内搜索出错（HTTP {status}）", details=details, findings=[f])
    text = probe.text or ""
    hits = result_hits(text, query, doc_url)
    details["hits"] = hits[:5]
    if hits:
        return CheckResult("site.search", "pass", f"站内搜索可用：{what}，结果中有该文档",
                           details=details, evidence=[{**ev_base, "expected": title, "seen": hits[0]}])
    if _WAF.search(squeeze(element_text(root)) if (root := parse_html(text)) is not None else text):
        return CheckResult("site.search", "inconclusive", f"{what}返回验证/拦截页面，无法判定", details=details)
    seen = squeeze(element_text(root))[:120] if (root := parse_html(text)) is not None else text[:120]
    f = _finding(url, "search_result", f"站内搜索查不到近期文档：{what}，结果中没有“{title}”", ev_base,
                 f"结果列表含“{title}”", seen or "（空页面）")
    return CheckResult("site.search", "fail", f"站内搜索查不到近期文档（{what}）", details=details, findings=[f])


def _finding(url: str, target: str, message: str, ev_base: dict[str, Any], expected: str, seen: str) -> Finding:
    return issue(message, url, target=target, ev={**ev_base, "expected": expected, "seen": seen})
