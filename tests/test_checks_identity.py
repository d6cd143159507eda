"""site.identity: footer identity elements on the homepage and a sample of pages, SiteIDCode agreement."""

from __future__ import annotations

from pathlib import Path

from zwgk.checks.identity import footer_of, site_code
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
