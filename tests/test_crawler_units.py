"""Unit tests of the crawler's parts that need no server: extraction, focus, scope, errors, config."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector
from scrapy import exceptions as sx
from twisted.internet import error as terr
from twisted.python.failure import Failure

from zwgk.config.inspection import load_inspection, parse_server
from zwgk.crawler.errors import classify_failure
from zwgk.crawler.focus import Focus
from zwgk.crawler.sitescope import SiteScope, registrable
from zwgk.errors import ConfigError
from zwgk.understand.page import extract_page

PAGE = """<html><head><title> 政策文件_东岚县人民政府 </title>
<meta name="SiteIDCode" content="1309990001"><meta name="ColumnName" content="政策文件"></head><body>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt; 政策文件</div>
<ul class="tab"><li style="display: none"><a href="a.html">隐藏的标签页</a></li>
<li hidden><p><a href="b.html">hidden 属性</a></p></li><li><a href="c.html" title="完整标题">截断…</a></li></ul>
<!-- <a href="/commented.html">注释里的链接</a> -->
<script>document.write('<a href="/scripted.html">x</a>')</script>
<a href="mailto:xxgk@example.gov.cn">邮箱</a><a href="tel:0310-1234">电话</a><a href="javascript:void(0)">js</a>
<a href="/files/W020.pdf">附件</a><a href="http://www.other.gov.cn/">外站</a><a href="#top">顶部</a>
</body></html>"""


def test_extract_reads_meta_breadcrumb_and_links_with_hidden_flags():
    info = extract_page(Selector(text=PAGE).root, "http://www.example-a.gov.cn/zwgk/zcwj/index.html")
    assert info.title == "政策文件_东岚县人民政府"
    assert info.meta["SiteIDCode"] == "1309990001" and info.meta["ColumnName"] == "政策文件"
    assert info.breadcrumb == "首页 > 政府信息公开 > 政策文件"
    links = {ln.url: ln for ln in info.links}
    base = "http://www.example-a.gov.cn/zwgk/zcwj/"
    assert links[base + "a.html"].hidden and links[base + "b.html"].hidden
    assert not links[base + "c.html"].hidden and links[base + "c.html"].anchor == "截断…"
    assert links["http://www.example-a.gov.cn/files/W020.pdf"].kind == "attachment"
    assert {links[u].kind for u in ("mailto:xxgk@example.gov.cn", "tel:0310-1234", "javascript:void(0)")} == {
        "mailto", "tel", "javascript"}
    assert not any("commented" in u or "scripted" in u for u in links)   # comments and scripts are not links
    assert "#top" not in links or links["#top"].kind == "other"


def test_extract_survives_deeply_nested_malformed_html():
    html = "<div>" * 5000 + '<a href="/deep.html">深</a>'
    info = extract_page(Selector(text=html).root, "http://x.gov.cn/")
    assert isinstance(info.links, list)         # no RecursionError, whatever lxml kept


def test_focus_ranks_column_pages_above_documents_one_level_up():
    focus = Focus(["政府信息公开", "规划信息", "政策文件"], ["/xxgk/", "/fdzdgk/"])
    column_at_2 = focus.priority("http://xxgk.x.gov.cn/fdzdgk/ghxx/", "规划信息", 2)
    doc_at_1 = focus.priority("http://xxgk.x.gov.cn/fdzdgk/zcwj/202611/t20261116_1.html", "关于印发…的通知", 1)
    news_at_1 = focus.priority("http://www.x.gov.cn/zwdt/202611/t20261116_2.html", "县领导调研", 1)
    attachment = focus.priority("http://xxgk.x.gov.cn/fdzdgk/zcwj/W020.pdf", "附件", 1, "attachment")
    interp = focus.priority("http://xxgk.x.gov.cn/fdzdgk/zcjd/t1.html", "《某办法》政策解读", 2)
    assert column_at_2 > doc_at_1 > attachment > news_at_1   # attachments of 专栏 documents: status checks
    assert interp > news_at_1


def test_scope_adopts_the_xxgk_subdomain_but_only_checks_other_hosts():
    scope = SiteScope("a", {"www.example-a.gov.cn"})
    assert scope.classify("http://xxgk.example-a.gov.cn/x") == "own"
    assert "xxgk.example-a.gov.cn" in scope.hosts
    assert scope.classify("http://old.example-a.gov.cn/") == "related"
    assert scope.classify("http://www.gov.cn/") == "external"
    assert registrable("www.hd.gov.cn") == "hd.gov.cn" and registrable("a.example.com") == "example.com"


@pytest.mark.parametrize(("exc", "kind"), [
    (sx.CannotResolveHostError("x"), "dns"),
    (terr.DNSLookupError("x"), "dns"),
    (sx.DownloadTimeoutError("took longer than 5 seconds"), "timeout"),
    (sx.DownloadConnectionRefusedError("refused"), "refused"),
    (sx.IgnoreRequest("redirect loop: a -> b -> a"), "redirect_loop"),
    (sx.IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (sx.ResponseDataLossError("lost"), "connection"),
    (ValueError("odd"), "other"),
])
def test_failures_become_error_kinds(exc, kind):
    assert classify_failure(Failure(exc))[0] == kind


def test_config_defaults_and_dns_servers(tmp_path: Path):
    path = tmp_path / "i.yaml"
    path.write_text("sites:\n  - {name: 某区, url: 'http://www.example.gov.cn/'}\n"
                    "network: {dns_servers: ['127.0.0.1:5353', '[::1]:53']}\nledger: l.txt\n", encoding="utf-8")
    insp = load_inspection(path)
    assert insp.crawl.max_pages == 5000 and insp.crawl.respect_robots
    assert insp.ledgers == [tmp_path / "l.txt"]            # relative to the config file
    assert parse_server("127.0.0.1:5353") == ("127.0.0.1", 5353) and parse_server("[::1]:53") == ("::1", 53)


def test_config_rejects_bad_dns_server(tmp_path: Path):
    path = tmp_path / "i.yaml"
    path.write_text("sites:\n  - {name: a, url: 'http://a.gov.cn/'}\nnetwork: {dns_servers: ['dns.example']}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=r"network.dns_servers（第 3 行.*dns.example"):
        load_inspection(path)


def test_a_page_that_breaks_extraction_is_recorded_not_lost(monkeypatch):
    from scrapy.http import HtmlResponse, Request

    import zwgk.crawler.spiders.portal as portal_mod

    def boom(root, url, html=None):
        raise ValueError("hostile markup")

    monkeypatch.setattr(portal_mod, "extract_page", boom)
    spider = portal_mod.PortalSpider.__new__(portal_mod.PortalSpider)
    request = Request("http://www.x.gov.cn/a.html", meta={"zwgk_site": "x", "zwgk_kind": "page", "zwgk_depth": 1})
    response = HtmlResponse(request.url, body="<html><title>坏页</title></html>".encode(), encoding="utf-8",
                            request=request)
    out = list(spider.parse_page(response))
    assert len(out) == 1
    rec = out[0]
    assert rec.error_kind == "parse_error" and "hostile markup" in rec.error and rec.body and rec.status == 200
