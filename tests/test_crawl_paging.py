"""Script-paged column lists without a browser: TRS createPageHTML/Pager/共N页, Hanweb datastore/dataproxy
(with the total in XML, in the jpage() call, or nowhere), jpaas build/unit pages, gkmlpt, ?uid=&pageNum=.
The unit tests read real markup (tests/fixtures/html/real/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest

from zwgk.crawler.paging import listing_links, more_requests, plan_lists, script_requests, stated_total
from zwgk.understand.pager import paging_hints

from support.portals import crawl_truth
from support.runhelp import run_dir, store_of, write_inspection, zwgk

BASE = "http://www.example.gov.cn/zwgk/zcwj/index.html"


def test_trs_create_page_html_four_arguments_is_zero_based():
    html = '<div class="page"><script>createPageHTML(4, 0, "index", "html");</script></div>'
    reqs = script_requests(html, BASE)
    assert [r.url for r in reqs] == [f"http://www.example.gov.cn/zwgk/zcwj/index_{n}.html" for n in (1, 2, 3)]
    assert all(r.kind == "page" and r.same_level and r.via == "trs_pager" for r in reqs)


def test_trs_create_page_html_six_arguments_is_one_based():
    html = "<script>createPageHTML('page_div', 3, 1, 'fg', 'shtml', 89);</script>"
    assert [r.url for r in script_requests(html, "http://www.csrc.gov.cn/csrc/c1/fg.shtml")] == [
        "http://www.csrc.gov.cn/csrc/c1/fg_2.shtml", "http://www.csrc.gov.cn/csrc/c1/fg_3.shtml"]


def test_handan_count_page_variable_and_page_limit():
    html = "<script>var countnum= 6348; var currentPage=0; var countPage=56</script>"
    reqs = script_requests(html, "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html", limit=3)
    assert [r.url.rsplit("/", 1)[-1] for r in reqs] == ["index_1.html", "index_2.html"]


REAL = Path(__file__).parent / "fixtures" / "html" / "real"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


HANWEB = (Path(__file__).parent / "fixtures" / "html" / "paging" / "hanweb-column.html").read_text(encoding="utf-8")


def test_hanweb_embedded_records_and_dataproxy_groups():
    reqs = script_requests(HANWEB, "http://www.example-b.gov.cn/col/col1229543166/index.html")
    records = [r for r in reqs if r.via == "hanweb_records"]
    assert [r.url for r in records] == ["http://www.example-b.gov.cn/art/2026/8/11/art_1229543166_5873424.html",
                                        "http://www.example-b.gov.cn/art/2026/7/4/art_1229543166_5873347.html"]
    proxies = [r for r in reqs if r.via == "hanweb_dataproxy"]
    # 100 records, 15 per page = 7 pages; the page holds group 1 (pages 1-3); groups 2 and 3 remain
    assert [r.url.split("?", 1)[1] for r in proxies] == ["startrecord=46&endrecord=90&perpage=15&columnid=1229543166",
                                                       "startrecord=91&endrecord=135&perpage=15&columnid=1229543166"]
    assert all(r.method == "POST" and r.kind == "listing" and r.same_level for r in proxies)
    assert proxies[0].form["columnid"] == "1229543166" and proxies[0].form["unitid"] == "4000001"
    assert "page" not in proxies[0].form and proxies[0].form["webname"] == "西"


def test_listing_links_from_xml_jpaas_and_gkmlpt_json():
    xml = '<?xml version="1.0"?><datastore><recordset><record><![CDATA[<a href="/art/1.html">x</a>]]></record>' \
          "</recordset></datastore>"
    proxy = "http://h.gov.cn/module/web/jpage/dataproxy.jsp"
    assert listing_links(xml, "text/xml", proxy) == ["http://h.gov.cn/art/1.html"]
    html = '<ul><li><a href="/zwgk/art/2026/art_ab.html">t</a></li></ul>'
    body = json.dumps({"success": True, "data": {"html": html}})
    assert listing_links(body, "application/json", "http://www.miit.gov.cn/api/x") == [
        "http://www.miit.gov.cn/zwgk/art/2026/art_ab.html"]
    gk = json.dumps({"classify": {"id": 20765, "post_count": 2}, "total": 2, "articles": [
        {"id": 9103540, "url": "http://www.szpsq.gov.cn/gkmlpt/content/9/9103/post_9103540.html"},
        {"id": 9103541, "post_url": "/gkmlpt/content/9/9103/post_9103541.html"}]})
    api = "http://www.szpsq.gov.cn/gkmlpt/api/all/20765?page=1&sid=755041"
    assert listing_links(gk, "application/json", api) == [
        "http://www.szpsq.gov.cn/gkmlpt/content/9/9103/post_9103540.html",
        "http://www.szpsq.gov.cn/gkmlpt/content/9/9103/post_9103541.html"]
    assert stated_total(gk, "application/json") == 2


# --- real markup (tests/fixtures/html/real/SOURCES.md) -------------------------------------------------


def test_hanweb_datastore_without_totals_probes_group_by_group():
    """定西: a <nextgroup> but no <totalrecord> — group 2 is asked for, and each group that brings new
    records asks for the next, until one comes back empty (it used to ask for nothing at all)."""
    page = real("hanweb_dingxi_col12377.xml")
    (plan,) = plan_lists(page, "http://zwgk.dingxi.gov.cn/col/col12377/index.html")
    assert plan.adapter == "hanweb" and plan.probing and plan.stated_total is None
    records = [r for r in plan.requests if r.via == "hanweb_records"]
    assert len(records) == 5 and records[3].url.startswith("http://zwgk.dingxi.gov.cn/art/2021/11/4/")
    (group,) = [r for r in plan.requests if r.via == "hanweb_dataproxy"]
    assert group.url.startswith("http://zwgk.dingxi.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=")
    assert group.method == "POST" and group.chain is not None
    assert (group.form["columnid"], group.form["unitid"], group.form["webid"]) == ("12377", "38486", "110")
    nxt, why = more_requests(group.chain, 200, ["http://zwgk.dingxi.gov.cn/art/a.html"])
    assert why == "more" and nxt[0].chain["n"] == 3 and "startrecord=" in nxt[0].url
    assert more_requests(nxt[0].chain, 200, [])[1] == "empty"
    assert more_requests(nxt[0].chain, 200, ["http://zwgk.dingxi.gov.cn/art/a.html"])[1] == "repeat"


def test_hanweb_proxy_path_and_form_come_from_the_page():
    """南通 col31685: the proxy lives at /module/jslib/jquery/jpage/dataproxy.jsp; table-row records."""
    (plan,) = plan_lists(real("hanweb_nantong_col31685.html"), "http://zfcg.nantong.gov.cn/col/col31685/index.html")
    assert [r.url.rsplit("_", 1)[-1] for r in plan.requests if r.via == "hanweb_records"] == [
        "2451995.html", "2451309.html", "2432948.html"]
    (group,) = [r for r in plan.requests if r.via == "hanweb_dataproxy"]
    assert urlsplit(group.url).path == "/module/jslib/jquery/jpage/dataproxy.jsp"
    assert group.form["columnid"] == "31685" and group.form["unitid"] == "80325"


def test_hanweb_total_only_in_the_jpage_call():
    """南通 col30067: totalRecord, perPage, groupSize, proxyUrl and the form are in the jpage() call."""
    call = real("hanweb_nantong_col30067_jpage.html")
    hints = paging_hints(call)
    assert (hints.total_records, hints.per_page) == (1418, 25)
    datastore = real("hanweb_nantong_col31685.html")
    (plan,) = plan_lists(datastore + call, "http://zfcg.nantong.gov.cn/col/col30067/index.html", limit=9)
    groups = [r for r in plan.requests if r.via == "hanweb_dataproxy"]
    assert not plan.probing and plan.stated_total == 1418
    assert [r.page for r in groups] == [4, 7]                   # limit 9 pages: groups 2 and 3 of 57 pages
    assert groups[0].url.endswith("startrecord=76&endrecord=150&perpage=25&columnid=30067")
    assert urlsplit(groups[0].url).path == "/module/jslib/jquery/jpage/dataproxy.jsp"
    assert groups[0].form["webname"] == "南通市政府采购网" and groups[0].form["unitid"] == "49468"


def test_jpaas_shell_parameters_and_pages():
    """工信部: the buildstatic tag's queryData keys are the build/unit parameters; with a stated count,
    pages 2… add paramJson={"pageNo":N,"pageSize":rows} (as 市场监管总局/瓯海 requests are written)."""
    shell = real("jpaas_miit_shell.html")
    (plan,) = plan_lists(shell, "https://www.miit.gov.cn/xwdt/gxdt/ldhd/index.html")
    (req,) = plan.requests
    query = dict(parse_qsl(urlsplit(req.url).query))
    assert urlsplit(req.url).path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert query["pageId"] == "ca517c97303b40cf80bd668b35f6148f" and query["tagId"] == "右侧内容"
    assert query["parseType"] == "buildstatic" and "paramJson" not in query
    counted = shell + '<div class="pagination" rows="24" count="50" pageNo="1"></div>'
    root = lxml.html.document_fromstring(counted)
    (plan,) = plan_lists(counted, "https://www.miit.gov.cn/xwdt/gxdt/ldhd/index.html", root=root)
    assert [r.page for r in plan.requests] == [1, 2, 3] and plan.stated_total == 50
    assert plan.requests[1].url.endswith("&paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A24%7D")
    template = real("jpaas_build_unit_urls.txt").splitlines()[-1]
    assert "paramJson=%7B%22pageNo%22%3A{page}%2C%22pageSize%22%3A50%7D" in template      # the same encoding
    uncounted = shell + '<div class="pagination" rows="24" pageNo="1"></div>'
    (plan,) = plan_lists(uncounted, "https://www.miit.gov.cn/x/index.html",
                         root=lxml.html.document_fromstring(uncounted))
    assert plan.probing and plan.requests[0].chain is not None


def test_trs_pager_call_and_count_only_in_text():
    (plan,) = plan_lists(real("trs_beijing_pager.html"), "http://www.beijing.gov.cn/zhengce/zhengcefagui/index.html",
                         limit=3)
    assert [r.url.rsplit("/", 1)[-1] for r in plan.requests] == ["index_1.html", "index_2.html"]
    text = '<ul><li><a href="./202611/t20261101_1.html">一</a><span>2026-11-01</span></li></ul>' \
           '<div class="page">共 3 页 共 25 条 <script>pageNav("p", 0);</script></div>'
    root = lxml.html.document_fromstring(text)
    (plan,) = plan_lists(text, "http://x.gov.cn/zwgk/tzgg/", root=root, items=lambda: ["http://x.gov.cn/a.html"])
    assert plan.probing and (plan.stated_total, plan.stated_pages) == (25, 3)
    (first,) = plan.requests
    assert first.url == "http://x.gov.cn/zwgk/tzgg/index_1.html"
    (second,), why = more_requests(first.chain, 200, ["http://x.gov.cn/b.html"])
    assert why == "more" and second.url.endswith("index_2.html")
    assert more_requests(second.chain, 200, ["http://x.gov.cn/c.html"])[1] == "last"


def test_wuxi_pager_tries_the_next_naming_rule_when_index_1_is_missing():
    """无锡: pageCount given, page 2 is index_2.shtml (index_1.shtml 404s): index_1 is tried, then index_2."""
    page = (Path(__file__).parent / "fixtures" / "html" / "understand" / "wuxi_list.html").read_text(encoding="utf-8")
    url = "https://www.wuxi.gov.cn/zfxxgk/gfxwj/index.shtml"
    (plan,) = plan_lists(page, url, root=lxml.html.document_fromstring(page), items=lambda: ["https://a/1"])
    (first,) = plan.requests
    assert first.url.endswith("/index_1.shtml") and plan.stated_pages == 12
    (retry,), why = more_requests(first.chain, 404, [])
    assert why == "retry" and retry.url.endswith("/index_2.shtml")
    (third,), _ = more_requests(retry.chain, 200, ["https://a/2"])
    assert third.url.endswith("/index_3.shtml")


def test_uid_pagenum_lists():
    """江西 / 内蒙古: col/colN/index.html?uid=<unit>&pageNum=N pages, with 共N条 or with nothing."""
    url = real("uid_pagenum_urls.txt").splitlines()[1]
    assert url == "https://www.jiangxi.gov.cn/col/col48473/index.html?uid=406462&pageNum=1"
    items = [f"https://www.jiangxi.gov.cn/art/{i}.html" for i in range(10)]
    counted = '<div id="406462"><ul class="List_list"></ul></div><span>共23条</span>'
    (plan,) = plan_lists(counted, url, root=lxml.html.document_fromstring(counted), items=lambda: items)
    assert plan.adapter == "uid_pagenum" and [r.url[-9:] for r in plan.requests] == ["pageNum=2", "pageNum=3"]
    (plan,) = plan_lists('<div id="406462"></div>', url, items=lambda: items)
    (probe,) = plan.requests
    assert plan.probing and probe.url.endswith("uid=406462&pageNum=2")
    assert more_requests(probe.chain, 200, items)[1] == "repeat"       # an out-of-range page repeating page 1
    # a link to ANOTHER column's uid list does not make this page one
    other = '<a href="/col/col999/index.html?uid=1&pageNum=1">x</a>'
    assert plan_lists(other, "https://www.jiangxi.gov.cn/col/col48473/index.html") == []


def test_gkmlpt_shell_lists_every_leaf_category():
    """Guangdong's 公开目录 (gkmlpt_observed.md): SID and TREE in window._CONFIG; one list per leaf
    category, its pages from /gkmlpt/api/all/<cat>?page=N&sid=SID (all at once once post_count is known)."""
    tree = [{"id": 1, "name": "政策文件", "children": [{"id": 11, "name": "规范性文件", "post_count": 250},
                                                     {"id": 12, "name": "其他文件"}]},
            {"id": 2, "name": "外链", "jump_url": "http://www.gd.gov.cn/"}]
    shell = f"<script>window._CONFIG = {{ SID:'755041', TREE:{json.dumps(tree, ensure_ascii=False)}, " \
            "SERVICE_AREA_ID:'' }};</script>"
    plans = plan_lists(shell, "http://www.szpsq.gov.cn/gkmlpt/index")
    assert [p.list_url for p in plans] == ["http://www.szpsq.gov.cn/gkmlpt/api/all/11?page=1&sid=755041",
                                           "http://www.szpsq.gov.cn/gkmlpt/api/all/12?page=1&sid=755041"]
    assert plans[0].stated_total == 250 and not plans[0].probing and plans[1].probing
    first = plans[0].requests[0]
    items = [f"http://www.szpsq.gov.cn/gkmlpt/content/9/9103/post_{i}.html" for i in range(100)]
    rest, why = more_requests(first.chain, 200, items, total=250)
    assert why == "counted" and [r.page for r in rest] == [2, 3] and all(r.chain is None for r in rest)


@pytest.mark.slow
@pytest.mark.parametrize("adapters", [True, False])
def test_adapters_find_every_document_behind_script_paging(portal, dns_server, tmp_path, adapters):
    """render_js: never — without a browser the fast path alone finds every document behind TRS pager
    pages, Hanweb records and dataproxy groups and the jpaas API (the planted 解读-less policies on
    TRS page 3 and Hanweb record 48 among them), and nothing a plain crawl could not otherwise see
    when it is off (the plain rule, compared exactly)."""
    sites = [{"name": s.spec.name, "url": portal.url(k), "hosts": list(s.hosts)} for k, s in portal.sites.items()]
    config = write_inspection(tmp_path / "i.yaml", sites, dns=dns_server.address, max_pages=2000, max_depth=30,
                              paging_adapters=adapters, render_js="never")
    done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr[-2000:]
    store = store_of(run_dir(tmp_path / "runs"))
    fetched = {r.url for r in store.pages() if r.status == 200}
    assert not [r for r in store.pages() if r.method == "RENDER"]            # never: no browser at all
    for key in portal.sites:
        plain = crawl_truth(portal, key, render=False, adapters=False)
        fast = crawl_truth(portal, key, render=False)
        behind_scripts = {u for u, d in fast["documents"].items() if d["reachable"]} - set(plain["pages"])
        assert behind_scripts, "the fixture must hide documents behind script paging"
        planted = {p["target"] for p in fast["planted"] if p["kind"] == "policy_without_interpretation"}
        assert planted & behind_scripts                  # a 解读-less policy only the pager reaches
        browser_only = {u for u, d in fast["documents"].items() if not d["reachable"]}
        assert not browser_only & fetched                # what only a browser lists stays unseen
        want = fast if adapters else plain
        pages = {u for u, p in want["pages"].items() if not p.get("hop_only")}
        assert {r.url for r in store.pages(urlsplit(portal.url(key)).hostname) if r.kind in ("page", "related")
                and r.error_kind != "robots"} == pages
        if not adapters:
            assert not behind_scripts & fetched          # a plain crawl cannot see them
