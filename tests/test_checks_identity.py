"""site.identity: footer identity elements on the homepage and a sample of pages, SiteIDCode agreement."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.checks.identity import contact, footer_of, host_unit, labelled_values, site_code
from zwgk.store import PageRecord

from support.sitebuild import FETCHED, SITE, build_site, fixture, run

ARTICLE = "/zwdt/202611/t20261118_1001.html"


def test_site_code_tolerates_spaces_and_rejects_bad_lengths() -> None:
    assert site_code("网站标识码：1304 000009　冀ICP备05003000号-1") == ("1304000009", "1304 000009")
    assert site_code("网站标识码:bm07000001") == ("bm07000001", "bm07000001")
    assert site_code("网站标识码 1304000009 0310-3120000")[0] == "1304000009"
    assert site_code("网站标识码：130400009 京ICP备")[0] is None
    assert site_code("标识：1304000009") == (None, None)


def test_footer_region_ignores_the_page_body() -> None:
    footer = footer_of(PageRecord(site="x", url=SITE, body=fixture("home_bare.html")))
    assert footer.found
    assert "服务热线" not in footer.text          # in the content, not the footer
    assert "公网安备" not in footer.text         # commented out


def test_complete_homepage_passes_and_sample_gap_is_reported(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", ARTICLE: "article.html"})
    result = run("site.identity", ctx)
    assert result.status == "fail"
    # The homepage has everything; the sampled article lacks only the 公网安备 number.
    assert [(f.url, f.target) for f in result.findings] == [(SITE.rstrip("/") + ARTICLE, "公网安备")]
    assert result.details["homepage"]["网站标识码"] == "1304000009"
    assert result.details["homepage"]["ICP备案"] == "冀ICP备05003000号-1"
    f = result.findings[0]
    assert f.evidence["at"] == FETCHED and f.evidence["on_homepage"] is False


def test_homepage_alone_passes(tmp_path: Path) -> None:
    result = run("site.identity", build_site(tmp_path, {"/": "home.html"}))
    assert result.status == "pass", result.summary
    assert not result.findings


def test_bare_footer_one_finding_per_missing_element(tmp_path: Path) -> None:
    result = run("site.identity", build_site(tmp_path, {"/": "home_bare.html"}))
    assert result.status == "fail"
    assert [f.target for f in result.findings] == ["网站标识码", "公网安备", "党政机关标识", "主办单位", "联系方式"]
    assert all(f.url == SITE for f in result.findings)
    code = result.findings[0]
    assert "格式不正确" in code.message and code.evidence["seen"] == "130400009"
    assert all({"url", "expected", "seen", "at"} <= set(f.evidence) for f in result.findings)


def test_siteidcode_meta_must_match_footer(tmp_path: Path) -> None:
    html = fixture("home.html").replace('content="1304000009"', 'content="1304000010"')
    result = run("site.identity", build_site(tmp_path, {"/": html}))
    assert [f.target for f in result.findings] == ["SiteIDCode"]
    f = result.findings[0]
    assert f.evidence["meta_SiteIDCode"] == "1304000010" and f.evidence["footer_code"] == "1304000009"
    assert "1304000010" in f.message and "1304000009" in f.message


def test_missing_homepage_is_inconclusive(tmp_path: Path) -> None:
    result = run("site.identity", build_site(tmp_path, {"/other.html": "article.html"}))
    assert result.status == "inconclusive"


# --- labelled values, on real footers ----------------------------------------------------------------

REAL = Path(__file__).parent / "fixtures" / "html" / "real"


def test_host_unit_is_the_labelled_value_not_the_nearest_characters() -> None:
    text = ("网站地图 | 关于我们 | QQ及时咨询 (2513807704) | 本站已支持 IPv6 访问 主办：宜春市人民政府 "
            "承办：宜春市人民政府办公室 技术支持：宜春市大数据发展管理局")
    assert labelled_values(text)[:2] == [("主办", "宜春市人民政府"), ("承办", "宜春市人民政府办公室")]
    assert host_unit(text) == "宜春市人民政府"                       # never "访问主办"
    assert host_unit("中共寿光市委 寿光市人民政府主办 Tel：0536-5221234") == "寿光市人民政府"
    assert host_unit("主办单位: 榆林市农业农村局") == "榆林市农业农村局"
    assert host_unit("本站已支持 IPv6 访问") is None


def test_contact_needs_a_value_not_a_menu_word() -> None:
    assert contact("政务微信 政务邮箱 手机版 赣政通") is None              # channel names, no contact
    assert contact("邮箱 手机版") is None
    assert contact("地址：某市某区人民路1号 电话：0310-3120000") == "地址：某市某区人民路1号"
    assert contact("联系电话：0310-3120000") == "联系电话：0310-3120000"
    assert contact("联系电邮：jxgxwbgs@jxciit.gov.cn") == "联系电邮：jxgxwbgs@jxciit.gov.cn"
    assert contact("咨询请拨打 0795-3999999") == "0795-3999999"


@pytest.mark.parametrize(("fixture_name", "host", "contact_seen", "findings"), [
    # 宜春 2023: "…IPv6 访问 主办：宜春市人民政府", a quick bar "政务邮箱 手机版" after the footer, no contact
    ("yichun_home_2023_footer.html", "宜春市人民政府", None, ["联系方式"]),
    # 宜春 2017: 联系我们 mails the webmaster; no 网站标识码 in that footer
    ("yichun_2017_footer.html", "宜春市人民政府", "电子邮件：webmaster@yichun.gov.cn", ["网站标识码"]),
    # 江西省工信委: labelled 主办单位 / 地址 / 联系电邮; no 公网安备, no 党政机关标识
    ("jxciit_footer.html", "江西省工业和信息化委员会", "地址：南昌市红谷滩新区卧龙路999号西三栋",
     ["公网安备", "党政机关标识"]),
])
def test_real_footers(tmp_path: Path, fixture_name: str, host: str, contact_seen: str | None,
                      findings: list[str]) -> None:
    html = (REAL / fixture_name).read_text(encoding="utf-8")
    result = run("site.identity", build_site(tmp_path, {"/": html}))
    assert result.details["homepage"]["主办单位"] == host
    assert result.details["homepage"]["联系方式"] == contact_seen
    assert [f.target for f in result.findings] == findings


def test_the_page_sample_does_not_depend_on_the_fetch_order(tmp_path: Path) -> None:
    # Two audits of an unchanged site must sample the same pages (their findings are the sample's),
    # whichever order the crawl happened to fetch them in.
    paths = [f"/col{c}/202611/t2026111{c}_{n}.html" for c in range(4) for n in range(6)]
    pages = {path: "article.html" for path in paths}
    first = build_site(tmp_path, {"/": "home.html", **pages}, options={"identity_sample_pages": 5})
    second = build_site(tmp_path, {"/": "home.html", **dict(reversed(pages.items()))},
                        options={"identity_sample_pages": 5})
    one, two = run("site.identity", first), run("site.identity", second)
    assert one.details["sampled"] == two.details["sampled"]
    assert len(one.details["sampled"]) == 5 and len({u.split("/")[3] for u in one.details["sampled"]}) == 4
    assert [(f.url, f.target) for f in one.findings] == [(f.url, f.target) for f in two.findings]
