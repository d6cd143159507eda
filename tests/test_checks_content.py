"""content.terms over hand-written pages (the stored-site builder is support.sitebuild)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.checks.content import Term, configured_terms, content_text, find_term, squeeze, visible_text
from zwgk.store import PageRecord

from support.sitebuild import FETCHED, SITE, build_site, fixture, run

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
