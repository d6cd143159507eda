"""The simulator's list-paging variants, traps and hostile page reproduce the real markup they model
(tests/fixtures/html/real/SOURCES.md), and the truth follows each list to the end: probe chains end on
an empty answer, trap patterns stop at their budget, bad hrefs are invalid, long URLs unchecked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest

from zwgk.crawler.paging import gkmlpt_tree, plan_lists
from zwgk.portal_sim import build_site, build_truth, load_spec
from zwgk.portal_sim.links import TRAP_BUDGET, URL_LIMIT
from zwgk.portal_sim.model import Request, Site

SITES = Path(__file__).parent / "fixtures" / "sites"
REAL = Path(__file__).parent / "fixtures" / "html" / "real"


@pytest.fixture(scope="module")
def sites() -> dict[str, Site]:
    return {k: build_site(load_spec(SITES / f"{k}.yaml")) for k in ("example-variants", "example-hanweb-variants",
                                                                    "example-trap")}


def served(site: Site, url: str, method: str = "GET", body: bytes = b"") -> str:
    parts = urlsplit(url)
    res = site.respond(Request(method, parts.hostname or "", parts.path, parts.query, body))
    assert res.status == 200, url
    return res.body.decode(res.charset or "utf-8")


def column_page(site: Site, key: str) -> tuple[str, str]:
    col = site.column(key)
    url = f"http://{col.host}{col.dir.split('#')[0]}"
    return url, served(site, url)


def test_hanweb_variants_state_their_size_where_real_sites_do(sites):
    site = sites["example-hanweb-variants"]
    _, scripted_total = column_page(site, "gk.policy")
    assert "<totalrecord>" not in scripted_total and "<nextgroup>" in scripted_total
    real_call = (REAL / "hanweb_nantong_col30067_jpage.html").read_text(encoding="utf-8")
    shape = re.compile(r"\.jpage\(\{themeName:'default',showMode:'full',totalRecord:\d+,openCookies:false,.*"
                       r"groupSize:3,proxyUrl:'[^']+',perPage:\d+,barPosition:'bottom',ajaxParam:\{col:1,appid:'1',"
                       r"webid:\d+,path:'/',columnid:\d+,unitid:'\d+',webname:'[^']+',permissiontype:0\}\}\)")
    assert shape.search(real_call) and shape.search(scripted_total)       # the same call as 南通's
    _, untotalled = column_page(site, "gk.normative")
    assert "<totalrecord>" not in untotalled and "totalRecord" not in untotalled and "<nextgroup>" in untotalled
    # dataproxy.jsp without totals: a group beyond the last answers an empty recordset (the probe's end)
    col = site.column("gk.normative")
    empty = served(site, f"http://{col.host}/module/web/jpage/dataproxy.jsp?startrecord=61&endrecord=90&perpage=10"
                         f"&columnid={col.colid}", "POST")
    assert "<record>" not in empty and "<totalrecord>" not in empty


def test_uid_pages_are_server_rendered_and_linked_with_their_unit(sites):
    site = sites["example-hanweb-variants"]
    col = site.column("gk.notice")
    assert re.fullmatch(r"/col/col\d+/index\.html\?uid=406462&pageNum=1", col.dir)
    url, page1 = column_page(site, "gk.notice")
    assert "共23条" in page1 and 'class="List_list"' in page1 and "pageNum=2" not in page1
    page3 = served(site, url.replace("pageNum=1", "pageNum=3"))
    assert page3.split('class="List_list">')[1].split("</ul>")[0].count("<li><a ") == 3
    quiet = site.column("gk.planning")
    beyond = served(site, f"http://{quiet.host}{quiet.dir.replace('pageNum=1', 'pageNum=9')}")
    assert "暂无信息" in beyond and "共" not in beyond.split('class="List_list"')[1][:200]


def test_jpaas_shell_has_the_real_tag_and_the_api_answers_pages(sites):
    site = sites["example-variants"]
    url, shell = column_page(site, "gk.policy")
    tag = lxml.html.fragment_fromstring(re.search(r"<script[^>]*parseType=\"buildstatic\"[^>]*>", shell)[0] +
                                        "</script>")
    real = lxml.html.fragment_fromstring((REAL / "jpaas_miit_shell.html").read_text(encoding="utf-8")).find(".//script")
    assert set(tag.attrib) == set(real.attrib)                  # id, src, webid, parsetype, url, querydata
    (plan,) = plan_lists(shell, url, root=lxml.html.document_fromstring(shell))
    assert [r.page for r in plan.requests] == [1, 2, 3]
    answer = json.loads(served(site, plan.requests[2].url))
    assert answer["success"] and answer["data"]["html"].count("<li>") == 5     # 25 documents, 10 a page
    assert dict(parse_qsl(urlsplit(plan.requests[2].url).query))["paramJson"] == '{"pageNo":3,"pageSize":10}'


def test_gkmlpt_shell_reads_as_the_real_crawlers_read_it(sites):
    site = sites["example-variants"]
    _, shell = column_page(site, "gk.planning")
    assert re.search(r"SID:\s*'(\d+)'", shell) and re.search(r"window\._CONFIG\s*=\s*\{", shell)
    assert re.search(r"TREE:\s*(\[.*?\])\s*,\s*SERVICE_AREA_ID", shell, re.S)    # hulelan/china-governance's regexes
    sid, tree = gkmlpt_tree(shell)
    assert sid == "755031" and [n["name"] for n in tree] == ["规划信息", "财政预决算"]
    counted = json.loads(served(site, f"http://xxgk.example-v.gov.cn/gkmlpt/api/all/{tree[0]['id']}?page=1&sid={sid}"))
    assert counted["classify"]["post_count"] == counted["total"] == 7 and len(counted["articles"]) == 3
    quiet = json.loads(served(site, f"http://xxgk.example-v.gov.cn/gkmlpt/api/all/{tree[1]['id']}?page=9&sid={sid}"))
    assert quiet["articles"] == [] and "total" not in quiet and "post_count" not in quiet["classify"]


def test_truth_follows_probe_chains_to_their_empty_end(sites):
    truth = build_truth(sites["example-variants"])
    pages_of = {}
    for url in truth["listings"]:
        key = re.search(r"/all/(\d+)\?page=(\d+)|pageId=(\w+)(?:.*pageNo%22%3A(\d+))?", url)
        pages_of.setdefault(key[1] or key[3], []).append(int(key[2] or key[4] or 1))
    assert sorted(pages_of["fdzdgk_zcwj"]) == [1, 2, 3]          # counted: exactly the pages
    assert sorted(pages_of["fdzdgk_gfxwj"]) == [1, 2, 3, 4]       # 12 documents, 5 a page: page 4 is the empty end
    assert sorted(pages_of["2807"]) == [1, 2, 3] and sorted(pages_of["2808"]) == [1, 2, 3, 4]
    hanweb = build_truth(sites["example-hanweb-variants"])
    uid = sorted(int(u.rsplit("=", 1)[1]) for u, p in hanweb["pages"].items() if "pageNum=" in u and p["depth"] == 2)
    assert uid == [1, 2, 3, 4]                                    # 12 documents, 5 a page, page 4 empty


def test_truth_traps_stop_at_their_budget_and_hostile_links_are_classified(sites):
    truth = build_truth(sites["example-trap"])
    assert [(b["requested"], b["cut"] > 0) for b in truth["trap_budgets"]] == [(TRAP_BUDGET, True)] * 3
    assert {i["target"] for i in truth["invalid"]} == {"http://www.example-t.gov.cn:99999/", "http://[::1/zwgk/",
                                                      "http://www.exa\x01mple.gov.cn/"}
    too_long = [u for u in truth["unchecked"] if u["why"] == "too_long"]
    assert len(too_long) == 1 and len(too_long[0]["target"]) > URL_LIMIT
    for path in ("nav.html", "main.html", "embed.html", "deep-end.html"):   # frames, iframe, under 5,000 divs
        assert f"http://www.example-t.gov.cn/ztzl/tsym/{path}" in truth["pages"], path
    drip = truth["pages"]["http://www.example-t.gov.cn/ztzl/tsym/drip.html"]
    assert drip["drip"] > 60
