"""Recognising catalogue columns from crawled pages (meta, breadcrumb, title, anchors, URL segments)."""

from pathlib import Path

import lxml.html
import pytest

from zwgk.store import Link, PageRecord
from zwgk.understand.columns import column_url_of, gov_domain, match_label, recognise_columns
from zwgk.understand.page import extract_page

FIX = Path(__file__).parent / "fixtures" / "html" / "understand"


def crawled(name: str, url: str) -> PageRecord:
    """A PageRecord as the crawler stores it (extract_page reads title, meta, breadcrumb, links)."""
    html = (FIX / name).read_text(encoding="utf-8")
    info = extract_page(lxml.html.document_fromstring(html), url)
    return PageRecord(site="hd", url=url, status=200, title=info.title, meta=info.meta,
                      breadcrumb=info.breadcrumb, body=html, links=info.links)


def page(url: str, *, title: str = "", meta: dict[str, str] | None = None, crumb: str = "",
         links: list[tuple[str, str]] = ()) -> PageRecord:
    return PageRecord(site="s", url=url, status=200, title=title, meta=meta or {}, breadcrumb=crumb,
                      links=[Link(url=u, anchor=a, kind="page") for a, u in links])


@pytest.fixture(scope="module")
def handan() -> dict:
    pages = [crawled("hd_index.html", "http://hdzfxxgk.hd.gov.cn/"),
             crawled("hd_list.html", "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"),
             crawled("hd_detail.html", "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")]
    return recognise_columns(pages)


@pytest.mark.parametrize(("label", "key"), [
    ("政策文件", "gk.policy"),
    ("政策解读", "gk.interpretation"),
    ("政府信息公开年报", "gk.annual_report"),        # not swallowed by 信息公开 (gk.root)
    ("县政府信息公开工作年度报告", "gk.annual_report"),
    ("信息公开", "gk.root"),
    ("邯郸市政府信息公开", "gk.root"),               # place prefix + alias
    ("政府信息公开指南（2024年版）", "gk.guide"),    # trailing note ignored
    ("市政府文件", "gk.policy"),
    ("规范性文件", "gk.normative"),
    ("近期信息公开", None),                          # 近期 is no place: not the 专栏
    ("2023年政府信息公开年报", None),                # a document, not the column
    ("关于印发《某县政府信息公开制度》的通知", None),
    ("首页", None),
])
def test_match_label(label: str, key: str | None) -> None:
    assert match_label(label) == key


def test_handan_root_from_column_name_meta(handan: dict) -> None:
    hit = handan["gk.root"]
    assert hit.url == "http://hdzfxxgk.hd.gov.cn/" and hit.strongest == "meta"
    assert hit.evidence[0].text == "邯郸市政府信息公开"
    assert all(e.text != "政府信息公开年报" for e in hit.evidence)


def test_handan_columns_on_the_main_portal_host(handan: dict) -> None:
    # 政策解读 and 财政预决算 live on www.hd.gov.cn, outside the hdzfxxgk 信息公开 subdomain
    assert handan["gk.interpretation"].url == "http://www.hd.gov.cn/xxgk/zcjd/"
    assert handan["gk.interpretation"].strongest == "anchor"
    assert handan["gk.budget"].url == "http://www.hd.gov.cn/ztzl/czyjs/"
    assert handan["gk.gazette"].url == "http://www.hd.gov.cn/zfgb/"


def test_handan_first_level_columns_from_menu_anchors(handan: dict) -> None:
    assert handan["gk.guide"].url == "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/"
    assert handan["gk.system"].url == "http://hdzfxxgk.hd.gov.cn/zfxxgkzd/"
    assert handan["gk.statutory"].url == "http://hdzfxxgk.hd.gov.cn/fdzdgknr/"
    assert handan["gk.annual_report"].url == "http://hdzfxxgk.hd.gov.cn/zfxxgknb/"
    evidence = handan["gk.annual_report"].evidence[0]
    assert (evidence.kind, evidence.text, evidence.page) == ("anchor", "政府信息公开年报", "http://hdzfxxgk.hd.gov.cn/")
    assert "gk.policy" in handan and "gk.normative" not in handan


def test_policy_and_interpretation_do_not_collide() -> None:
    home = page("http://www.x.gov.cn/", title="某县人民政府",
                links=[("政策文件", "http://www.x.gov.cn/zwgk/zcwj/"), ("政策解读", "http://www.x.gov.cn/zwgk/zcjd/"),
                       ("政府信息公开年报", "http://www.x.gov.cn/zwgk/ndbg/"), ("信息公开", "http://www.x.gov.cn/zwgk/")])
    hits = recognise_columns([home])
    assert {k: h.url for k, h in hits.items()} == {
        "gk.policy": "http://www.x.gov.cn/zwgk/zcwj/",
        "gk.interpretation": "http://www.x.gov.cn/zwgk/zcjd/",
        "gk.annual_report": "http://www.x.gov.cn/zwgk/ndbg/",
        "gk.root": "http://www.x.gov.cn/zwgk/",
    }


def test_meta_on_a_list_page_beats_menu_anchors() -> None:
    col = page("https://www.js.gov.cn/col/col64511/index.html", title="政策文件 江苏省人民政府",
               meta={"ColumnName": "政策文件"})
    home = page("https://www.js.gov.cn/", links=[("政策文件", "https://www.js.gov.cn/col/col99/index.html")])
    hit = recognise_columns([home, col])["gk.policy"]
    assert hit.url == "https://www.js.gov.cn/col/col64511/index.html" and hit.strongest == "meta"
    assert hit.candidates == ["https://www.js.gov.cn/col/col64511/index.html", "https://www.js.gov.cn/col/col99/index.html"]
    assert {e.kind for e in hit.evidence} == {"meta", "title", "anchor"}


def test_detail_pages_point_at_their_column_directory() -> None:
    trs = page("http://www.x.gov.cn/zwgk/zfwj/202401/t20240105_1.html", meta={"ColumnName": "政府文件",
                                                                             "ArticleTitle": "某通知"})
    hanweb = page("https://www.js.gov.cn/art/2026/1/23/art_84243_5012340.html",
                  meta={"ColumnName": "政策解读", "ArticleTitle": "解读"})
    hits = recognise_columns([trs, hanweb])
    assert hits["gk.policy"].url == "http://www.x.gov.cn/zwgk/zfwj/"
    assert hits["gk.interpretation"].url == "https://www.js.gov.cn/col/col84243/index.html"
    assert hits["gk.interpretation"].evidence[0].page == "https://www.js.gov.cn/art/2026/1/23/art_84243_5012340.html"


def test_breadcrumb_last_segment_uses_the_crumb_link() -> None:
    detail = page("http://www.x.gov.cn/c/202401/t20240105_1.html", crumb="首页 > 政务公开 > 规范性文件 > 正文",
                  links=[("规范性文件", "http://www.x.gov.cn/c/gf/index.html")])
    hit = recognise_columns([detail])["gk.normative"]
    assert hit.url == "http://www.x.gov.cn/c/gf/index.html" and hit.strongest == "breadcrumb"


def test_title_segment_of_a_list_page() -> None:
    hit = recognise_columns([page("http://www.x.gov.cn/c/col7/", title="政策解读-某县人民政府")])["gk.interpretation"]
    assert (hit.url, hit.strongest, hit.evidence[0].text) == ("http://www.x.gov.cn/c/col7/", "title", "政策解读")


def test_other_governments_do_not_count() -> None:
    home = page("http://www.x.gov.cn/", links=[("政策解读", "http://www.gov.cn/zhengce/jiedu/"),
                                               ("政府公报", "http://www.other.gov.cn/zfgb/")])
    assert recognise_columns([home]) == {}
    assert recognise_columns([home], domains={"www.gov.cn"}).keys() == {"gk.interpretation"}   # opt in


def test_url_segments_are_the_weakest_evidence() -> None:
    hits = recognise_columns([page("http://www.x.gov.cn/xxgk/gfxwj/202401/t20240105_1.html")])
    assert hits["gk.normative"].url == "http://www.x.gov.cn/xxgk/gfxwj/"
    assert hits["gk.normative"].strongest == "url"
    assert hits["gk.root"].url == "http://www.x.gov.cn/xxgk/"


def test_xxgk_subdomain_root_is_the_zhuanlan() -> None:
    hits = recognise_columns([page("http://xxgk.jlbc.gov.cn/", title="白城市人民政府")])
    assert hits["gk.root"].url == "http://xxgk.jlbc.gov.cn/"


def test_index_file_and_directory_are_one_candidate() -> None:
    a = page("http://www.x.gov.cn/zcjd/index.html", meta={"ColumnName": "政策解读"})
    b = page("http://www.x.gov.cn/", links=[("政策解读", "http://www.x.gov.cn/zcjd/")])
    hit = recognise_columns([a, b])["gk.interpretation"]
    assert hit.candidates == ["http://www.x.gov.cn/zcjd/index.html"]


def test_helpers() -> None:
    assert gov_domain("http://hdzfxxgk.hd.gov.cn/x") == "hd.gov.cn"
    assert gov_domain("www.hd.gov.cn") == "hd.gov.cn"
    assert gov_domain("127.0.0.1:8080") == "127.0.0.1"
    assert column_url_of("https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202604/t20260409_1404577.html") == \
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/"
    assert column_url_of("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2026/art_5b1f.html") == \
        "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/"
    assert column_url_of("https://www.wuxi.gov.cn/doc/2026/09/18/4833205.shtml") is None


def test_error_status_pages_are_ignored_for_columns() -> None:
    gone = PageRecord(site="s", url="http://www.x.gov.cn/zcjd/", status=404, title="政策解读", body="<html></html>")
    assert recognise_columns([gone]) == {}


def test_column_addresses_are_joined_as_urlunsplit_joins_them() -> None:
    """The quick join of a column's address (understand/columns._address) gives what urlunsplit gives."""
    from urllib.parse import urlunsplit

    from zwgk.understand.columns import _address

    for scheme in ("http", "https", "", "mailto", "HTTP"):
        for netloc in ("www.a.gov.cn", "www.a.gov.cn:8080", "", "[::1]:81", "user@host"):
            for path in ("/", "/zcjd/", "/col/col12/index.html", "//x/", "/a b/"):
                assert _address(scheme, netloc, path) == urlunsplit((scheme, netloc, path, "", ""))
    pages = [PageRecord(site="s", url=f"http://www.a.gov.cn/zcjd/2026{m:02d}/t2026{m:02d}01_{i}.html", status=200,
                        title=f"解读{i} - 政策解读 - 某县政府", breadcrumb="首页 > 政策解读",
                        links=[Link("http://www.a.gov.cn/zcjd/", "政策解读", "page")] * 3)
             for m in range(1, 13) for i in range(5)]
    hit = recognise_columns(pages)["gk.interpretation"]
    assert hit.url == "http://www.a.gov.cn/zcjd/"
    # evidence kept per kind stays the first five seen, though 60 pages gave each kind
    assert len([e for e in hit.evidence if e.kind == "anchor"]) == 5
    assert [e.page for e in hit.evidence if e.kind == "breadcrumb"] == [p.url for p in pages[:5]]
