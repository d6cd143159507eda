"""Script-paged column lists without a browser: TRS createPageHTML, Hanweb datastore/dataproxy, jpaas."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from zwgk.crawler.paging import listing_links, script_requests

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


def test_listing_links_from_xml_and_jpaas_json():
    xml = '<?xml version="1.0"?><datastore><recordset><record><![CDATA[<a href="/art/1.html">x</a>]]></record>' \
          "</recordset></datastore>"
    proxy = "http://h.gov.cn/module/web/jpage/dataproxy.jsp"
    assert listing_links(xml, "text/xml", proxy) == ["http://h.gov.cn/art/1.html"]
    html = '<ul><li><a href="/zwgk/art/2026/art_ab.html">t</a></li></ul>'
    body = json.dumps({"success": True, "data": {"html": html}})
    assert listing_links(body, "application/json", "http://www.miit.gov.cn/api/x") == [
        "http://www.miit.gov.cn/zwgk/art/2026/art_ab.html"]
    shell = '<script parseType="buildstatic" url="/api-gateway/jpaas-publish-server/front/page/build/unit" ' \
            "querydata=\"{'pageId':'abc'}\"></script>"
    (req,) = script_requests(shell, "http://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/index.html")
    assert req.via == "jpaas_api" and req.kind == "listing"
    assert req.url.endswith("?querydata=%7B%27pageId%27%3A%27abc%27%7D")          # encodeURIComponent


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
