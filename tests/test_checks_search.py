"""site.search against a loopback portal: a TRS WAS5-style /was5/web/search endpoint answers the query."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from zwgk.checks.context import SiteContext
from zwgk.checks.search import find_form, query_text, result_hits
from zwgk.netresolve import DnsLookup
from zwgk.probes import Probes
from zwgk.store import PageRecord

from support.loopback import LoopbackServer, Reply
from support.sitebuild import SITE, build_site, fixture, run

DOC = "/zwdt/202611/t20261118_1001.html"
TITLE = "某区召开2026年第四季度政务公开工作推进会"


def search_app(mode: str) -> Callable[[str, dict[str, str]], Reply]:
    def answer(path: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(path)
        if parts.path != "/was5/web/search":
            return Reply(404, "not found")
        if mode == "403":
            return Reply(403, "<html><body>Forbidden</body></html>")
        if mode == "404":
            return Reply(404, "<html><body>Not Found</body></html>")
        query = parse_qs(parts.query).get("searchword", [""])[0]
        channel = parse_qs(parts.query).get("channelid", [""])[0]
        echo = f"<p>您搜索的“{query}”共找到 0 条结果</p>"
        if mode == "waf":
            return Reply(200, "<html><body><p>安全验证：请拖动滑块完成验证</p></body></html>")
        if mode == "ok" and query and TITLE.startswith(query) and channel == "258715":
            # Highlight markup splits the title, as TRS result pages do.
            row = (f'<li><a href="{DOC}">某区召开2026年第四季度<em>政务公开</em>工作推进会</a>'
                   '<span>2026-11-18</span></li>')
            return Reply(200, f"<html><body><p>您搜索的“{query}”共找到 1 条结果</p><ul>{row}</ul></body></html>")
        if mode == "sidebar":
            # No results, but the result page's side list shows the newest news (a false-hit trap).
            side = f'<div class="sidebar"><h3>最新动态</h3><ul><li><a href="{DOC}">{TITLE}</a></li></ul></div>'
            return Reply(200, f"<html><body>{echo}<ul></ul>{side}</body></html>")
        return Reply(200, f"<html><body>{echo}<ul></ul></body></html>")
    return answer


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Callable[[str], SiteContext]]:
    servers: list[LoopbackServer] = []

    def make(mode: str) -> SiteContext:
        server = LoopbackServer(search_app(mode)).start()
        servers.append(server)
        site = f"http://127.0.0.1:{server.port}/"
        ctx = build_site(tmp_path, {"/": "home.html", DOC: "article.html"}, site=site)
        ctx.probes = Probes(ctx.store, "mq", DnsLookup(["127.0.0.1:9"]), timeout=5)
        return ctx

    yield make
    for server in servers:
        server.stop()


def test_form_found_on_a_trs_homepage() -> None:
    form = find_form(PageRecord(site="x", url=SITE, body=fixture("home.html")))
    assert form is not None
    assert (form.action, form.query_field, form.fields) == (SITE + "was5/web/search", "searchword",
                                                            {"channelid": "258715"})
    assert find_form(PageRecord(site="x", url=SITE, body=fixture("home_bare.html"))) is None


def test_query_is_a_distinctive_prefix() -> None:
    assert query_text("关于印发《某区2026年政务公开工作要点》的通知") == "关于印发某区2026年政务公开工作要点的"
    assert query_text("区政府召开常务会议：研究部署安全生产工作") == "区政府召开常务会议"


def test_echo_of_the_query_is_not_a_hit() -> None:
    page = "<html><body><p>您搜索的“某区召开2026年第四季度”共找到 0 条结果</p></body></html>"
    assert result_hits(page, "某区召开2026年第四季度", "http://x/a.html") == []
    api = ('{"searchResultAll": {"searchTotal": '
           '[{"title": "某区召开<span>2026年</span>第四季度会议", "url": "/b.html"}]}}')
    assert result_hits(api, "某区召开2026年第四季度", "http://x/a.html") == ["某区召开<span>2026年</span>第四季度会议"]


def test_search_finds_the_recent_document(portal: Callable[[str], SiteContext]) -> None:
    ctx = portal("ok")
    result = run("site.search", ctx)
    assert result.status == "pass", result.summary
    assert result.details["document"]["url"].endswith(DOC)
    assert result.details["query"] == query_text(TITLE)
    assert result.evidence[0]["seen"] == "某区召开2026年第四季度 政务公开 工作推进会"
    assert ctx.store.probes("mq", "http")                 # the query went through the probe layer


def test_search_without_the_document_fails(portal: Callable[[str], SiteContext]) -> None:
    ctx = portal("empty")
    result = run("site.search", ctx)
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [(ctx.site_url, "search_result")]
    f = result.findings[0]
    assert f.evidence["query"] == query_text(TITLE)
    assert f.evidence["url"].startswith(ctx.site_url + "was5/web/search?")
    assert "共找到0条结果" in f.evidence["seen"]


@pytest.mark.parametrize(("mode", "status", "target"), [("403", "inconclusive", None), ("waf", "inconclusive", None),
                                                        ("404", "fail", "search_endpoint"),
                                                        ("sidebar", "fail", "search_result")])
def test_endpoint_errors(portal: Callable[[str], SiteContext], mode: str, status: str, target: str | None) -> None:
    result = run("site.search", portal(mode))
    assert result.status == status, result.summary
    assert [f.target for f in result.findings] == ([target] if target else [])


def test_no_form_fails_and_offline_is_inconclusive(tmp_path: Path) -> None:
    result = run("site.search", build_site(tmp_path, {"/": "home_bare.html"}))
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [(SITE, "search_form")]
    offline = run("site.search", build_site(tmp_path, {"/": "home.html", DOC: "article.html"}))
    assert offline.status == "inconclusive" and "离线" in offline.summary
