"""content.terms over hand-written pages, and the site builder the other 政务公开 check tests share.

`build_site` stores PageRecords the way the crawler does (title, <meta>, breadcrumb and links read
by crawler.extract from the fixture HTML) and returns a SiteContext over them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from zwgk.checks.base import CheckResult
from zwgk.checks.content import Term, configured_terms, content_text, find_term, squeeze, visible_text
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import all_checks
from zwgk.config.profile import load_profile
from zwgk.crawler.extract import extract_page
from zwgk.store import PageRecord, Store

FIXTURES = Path(__file__).parent / "fixtures" / "html" / "content"
SITE = "http://www.mq.gov.cn/"
AS_OF = date(2026, 11, 22)
FETCHED = "2026-11-21T10:00:00+08:00"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def build_site(tmp_path: Path, pages: dict[str, str], *, site: str = SITE, name: str = "某区人民政府",
               as_of: date = AS_OF, options: dict[str, Any] | None = None, probes: Any = None,
               failed: dict[str, int] | None = None) -> SiteContext:
    """A SiteContext over `pages` (path or URL → fixture file name or raw HTML); `failed` adds
    non-2xx records (URL → status) so links to them read as broken."""
    store = Store(tmp_path / f"crawl-{len(list(tmp_path.glob('crawl-*.sqlite')))}.sqlite")
    store.upsert_site("mq", name, site, "区政府办公室", [site.split("/")[2]])
    for path, source in pages.items():
        url = path if path.startswith("http") else site.rstrip("/") + path
        html = fixture(source) if source.endswith(".html") else source
        info = extract_page(lxml.html.document_fromstring(html), url)
        store.save_page(PageRecord(site="mq", url=url, status=200, content_type="text/html", title=info.title,
                                   meta=info.meta, breadcrumb=info.breadcrumb or None, body=html,
                                   fetched_at=FETCHED, links=info.links))
    for url, status in (failed or {}).items():
        store.save_page(PageRecord(site="mq", url=url, status=status, fetched_at=FETCHED))
    site_row = next(s for s in store.sites() if s["key"] == "mq")
    return SiteContext(store, site_row, as_of, load_profile("national-2019"), probes=probes, options=options)


def run(check_id: str, ctx: SiteContext) -> CheckResult:
    return all_checks()[check_id].run(ctx, {})


# --- text helpers --------------------------------------------------------------------------------


def test_visible_text_drops_scripts_styles_and_comments() -> None:
    text = squeeze(visible_text(fixture("terms.html")))
    assert "以法治国" not in text            # only in a <script> and a comment
    assert "台湾政府" not in text            # only in a <style>
    assert "坚持依法治国" in text


def test_content_text_leaves_out_navigation_and_footer() -> None:
    page = PageRecord(site="x", url=SITE, body=fixture("guide_partial.html"))
    text = squeeze(content_text(page))
    assert "受理机构" in text
    assert "行政复议" not in text and "收费标准" not in text and "主办单位" not in text


def test_term_matches_across_quotes_but_not_inside_exceptions() -> None:
    term = Term("一带一路战略", exceptions=("一带一路战略对接",))
    text = squeeze("服务国家“一带一路”战略。实现一带一路战略对接项目落地。")
    assert len(find_term(term, text)) == 1
    assert find_term(Term("北朝鲜", exceptions=("北朝鲜卑",)), "北朝鲜卑族文物") == []


def test_options_extend_and_replace_the_default_list() -> None:
    defaults = {t.term for t in configured_terms({})}
    assert {"一带一路战略", "以法治国", "北朝鲜"} <= defaults
    mixed = configured_terms({"content_terms": ["法治政府", {"term": "以法治国", "correct": "依法治国（本地）"}]})
    by_term = {t.term: t for t in mixed}
    assert "法治政府" in by_term and by_term["以法治国"].correct == "依法治国（本地）"
    assert len(mixed) == len(defaults) + 1
    only = configured_terms({"content_terms": ["法治政府"], "content_terms_defaults": False})
    assert [t.term for t in only] == ["法治政府"]
    with pytest.raises(ValueError):
        configured_terms({"content_terms": [{"correct": "no term"}]})


# --- the check -----------------------------------------------------------------------------------


def test_content_terms_flags_each_term_once_per_page_with_snippet(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", "/zwdt/202611/t20261101_1.html": "terms.html"})
    result = run("content.terms", ctx)
    assert result.status == "warn"
    assert [(f.url, f.target) for f in result.findings] == [
        (SITE + "zwdt/202611/t20261101_1.html", "一带一路战略")]
    f = result.findings[0]
    assert f.severity == "major" and f.evidence["count"] == 2
    assert "人工确认" in f.message and f.evidence["needs_confirmation"] is True
    assert "“一带一路”战略" in f.evidence["seen"] and len(f.evidence["seen"]) <= 44
    assert f.evidence["at"] == FETCHED and f.evidence["expected"] == "“一带一路”倡议"


def test_content_terms_uses_inspection_terms(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html", "/a.html": "terms.html"},
                     options={"content_terms": [{"term": "依法治国", "correct": "（测试）", "note": "测试词条"}],
                              "content_terms_defaults": False})
    result = run("content.terms", ctx)
    assert result.status == "warn"
    assert [f.target for f in result.findings] == ["依法治国"]
    assert result.findings[0].url == SITE + "a.html"


def test_content_terms_passes_a_clean_site(tmp_path: Path) -> None:
    result = run("content.terms", build_site(tmp_path, {"/": "home.html", "/g.html": "guide.html"}))
    assert result.status == "pass" and not result.findings
