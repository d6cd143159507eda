"""The store-only checks on simulated sites, without the crawler: the pages the crawl rule reaches
(the truth's link graph, fast-path adapters included) are stored as the crawler stores them, the
checks run over them, and their findings must equal the truth's. Fast companion to
test_e2e_checks.py (which crawls and probes), and home of the variants the fixtures do not carry (a
homepage left stale for weeks).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from zwgk.checks.context import SiteContext
from zwgk.checks.registry import all_checks
from zwgk.config.profile import load_profile
from zwgk.portal_sim import build_site, build_truth, load_spec
from zwgk.portal_sim.graph import crawl
from zwgk.portal_sim.model import Site
from zwgk.store import PageRecord, Store
from zwgk.understand.page import extract_page

SITES = Path(__file__).parent / "fixtures" / "sites"
# Checks that read only stored pages (no probes, no failed-link records).
STORE_CHECKS = ("column.empty", "column.stale", "homepage.stale", "doc.metadata", "policy.interpretation",
                "report.annual", "guide.content", "site.identity", "interaction.reply", "content.terms")
FETCHED = "2026-11-22T09:00:00+08:00"


def stored(site: Site, tmp_path: Path) -> SiteContext:
    store = Store(tmp_path / f"{site.key}.sqlite")
    start = f"http://{site.spec.main_host}/"
    store.upsert_site(site.key, site.spec.name, start, "办公室", list(site.hosts))
    store.update_site(site.key, status="complete")
    graph = crawl(site)
    for url, got in graph.listings.items():     # list API answers, stored as the spider stores them
        source = next(e.source for e in graph.edges.values() if e.target == url and e.kind == "listing")
        store.save_page(PageRecord(site=site.key, url=url, kind="listing", method=got.method, status=got.status,
                                   content_type=got.resource.content_type if got.resource else None,
                                   body=got.resource.body.decode("utf-8") if got.resource else None,
                                   referer=source, fetched_at=FETCHED))
    for url, got in graph.pages.items():
        res = got.resource
        if res is None or res.status != 200 or res.content_type != "text/html":
            continue
        html = res.body.decode(res.charset or "utf-8")
        info = extract_page(lxml.html.document_fromstring(html), url)
        store.save_page(PageRecord(site=site.key, url=url, status=200, content_type="text/html", title=info.title,
                                   meta=info.meta, breadcrumb=info.breadcrumb or None, body=html, depth=got.depth,
                                   fetched_at=FETCHED, links=info.links))
    row = next(s for s in store.sites() if s["key"] == site.key)
    return SiteContext(store, row, site.spec.as_of, load_profile("national-2019"))


def compare(site: Site, tmp_path: Path) -> dict[str, tuple[set[tuple[str, str]], set[tuple[str, str]]]]:
    """check id -> (findings, truth) as key sets, for every store-only check that disagrees."""
    ctx, truth = stored(site, tmp_path), build_truth(site)
    out = {}
    for check_id in STORE_CHECKS:
        check = all_checks()[check_id]
        got = {(f.url, f.target or "") for p in check.param_sets(ctx, []) for f in check.run(ctx, p).findings}
        want = {(f["url"], f["target"] or "") for f in truth["findings"][check_id]}
        if got != want:
            out[check_id] = (got, want)
    return out


@pytest.mark.parametrize("key", [pytest.param("example-a", marks=pytest.mark.slow),   # e2e covers a and b too
                                 pytest.param("example-b", marks=pytest.mark.slow), "example-clean"])
def test_store_checks_equal_truth(tmp_path: Path, key: str) -> None:
    assert compare(build_site(load_spec(SITES / f"{key}.yaml")), tmp_path) == {}


def test_stale_homepage_variant(tmp_path: Path) -> None:
    """Every column of the clean site last updated 20+ days ago: homepage.stale (veto 3) and the
    2-week column are findings in the truth and in the checks alike."""
    spec = load_spec(SITES / "example-clean.yaml")
    spec = spec.with_changes(columns=tuple(dataclasses.replace(c, newest=max(c.newest, 20)) for c in spec.columns))
    site = build_site(spec)
    truth = build_truth(site)["findings"]
    assert [f["url"] for f in truth["homepage.stale"]] == [f"http://{spec.main_host}/"]
    assert [f["target"] for f in truth["column.stale"]] == ["gk.news"]
    assert compare(site, tmp_path) == {}


def test_as_of_moves_the_required_annual_report(tmp_path: Path) -> None:
    """Before 3月31日 the year before last is the one due (条例第四十九条): the planted gap in the
    2025 report is then no finding."""
    spec = load_spec(SITES / "example-a.yaml", as_of=date(2026, 3, 1))
    truth = build_truth(build_site(spec))["findings"]["report.annual"]
    assert truth == []


def test_metadata_gap_outside_the_policy_columns(tmp_path: Path) -> None:
    """The clean portal with one 通知公告 document whose header lacks 成文日期: doc.metadata judges every
    document that carries a header, so this is the one finding, in the truth and in the check alike."""
    from zwgk.portal_sim.spec import DefectSpec

    from support.variants import clean_variant

    spec = clean_variant("notice-gap", "北泉县人民政府", "www.notice-gap.gov.cn",
                         defects=(DefectSpec("missing_metadata", {"column": "gk.notice", "fields": ["成文日期"]}),))
    site = build_site(spec)
    truth = build_truth(site)["findings"]["doc.metadata"]
    notices = {d.url for d in site.column("gk.notice").docs}
    assert [(f["url"] in notices, f["missing"]) for f in truth] == [(True, ["成文日期"])]
    assert compare(site, tmp_path) == {}
