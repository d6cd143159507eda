"""The simulator's content defects, traps and site search (no server: Site.respond and the truth)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from zwgk.portal_sim import build_site, build_truth, load_spec
from zwgk.portal_sim.links import extract_links
from zwgk.portal_sim.metadata import visible_metadata
from zwgk.portal_sim.model import Request, Site
from zwgk.portal_sim.spec import DefectSpec, SpecError

SITES = Path(__file__).parent / "fixtures" / "sites"


def site_with(key: str, *defects: DefectSpec) -> Site:
    spec = load_spec(SITES / f"{key}.yaml")
    return build_site(spec.with_changes(defects=spec.defects + defects))


def search(site: Site, query: str) -> tuple[int, set[str]]:
    path = "/jsearchfront/search.do" if site.spec.style == "hanweb" else "/was5/web/search"
    res = site.respond(Request("GET", site.spec.main_host, path, urlencode({"searchword": query})))
    links = extract_links(res.body, res.charset or "utf-8", f"http://{site.spec.main_host}{path}")
    return res.status, {ln.url for ln in links}


def test_search_finds_documents_by_title_prefix() -> None:
    site = build_site(load_spec(SITES / "example-clean.yaml"))
    doc = max(site.docs, key=lambda d: d.date)
    status, links = search(site, doc.title[:12])
    assert status == 200 and doc.url in links
    gbk = site.respond(Request("GET", site.spec.main_host, "/was5/web/search",
                               urlencode({"searchword": doc.title[:12]}, encoding="gb18030")))
    assert doc.url.removeprefix(f"http://{site.spec.main_host}").encode() in gbk.body   # GBK query too


def test_search_defects() -> None:
    stale = site_with("example-clean", DefectSpec("search_stale_index", {"days": 30}))
    newest, old = max(stale.docs, key=lambda d: d.date), min(stale.docs, key=lambda d: d.date)
    assert newest.url not in search(stale, newest.title)[1] and old.url in search(stale, old.title)[1]
    broken = site_with("example-clean", DefectSpec("search_broken", {"status": 503}))
    assert search(broken, newest.title)[0] == 503
    assert [f["target"] for f in build_truth(broken)["findings"]["site.search"]] == ["search_endpoint"]


def test_metadata_states_render_as_planted() -> None:
    site = build_site(load_spec(SITES / "example-b.yaml"))
    planted = {p["target"]: p for p in site.planted if p["kind"] == "missing_metadata"}
    labels = {"成文日期": ("成文日期", "发文日期"), "索引号": ("索引号",)}
    assert {p["how"] for p in planted.values()} == {"absent", "commented"}
    for doc in site.docs:
        if doc.url in planted:
            res = site.lookup(doc.host, doc.path)
            body = res.body.decode(res.charset)
            shown = re.sub(r"<!--.*?-->", "", body, flags=re.S)
            for name in planted[doc.url]["fields"]:
                assert name not in visible_metadata(doc)
                assert not any(label in shown for label in labels[name]), (doc.url, name)
                assert any(label in body for label in labels[name]) == (planted[doc.url]["how"] == "commented")


def test_defects_refuse_what_they_cannot_plant_faithfully() -> None:
    with pytest.raises(SpecError, match="info line"):
        site_with("example-clean", DefectSpec("missing_metadata", {"fields": ["发布日期"]}))
    with pytest.raises(SpecError, match="五 or 六"):
        site_with("example-clean", DefectSpec("annual_report_missing_section", {"section": "三"}))
    with pytest.raises(SpecError, match="guide_missing"):
        site_with("example-clean", DefectSpec("guide_missing", {"element": "办理时限"}))


def test_clean_truth_expects_only_https() -> None:
    truth = build_truth(build_site(load_spec(SITES / "example-clean.yaml")))
    assert {k for k, v in truth["findings"].items() if v} == {"https.available"}
    planted = {p["kind"] for p in truth["planted"]}
    assert {"redirect", "non_http_link", "commented_link", "no_doc_number", "dated_index_numbers",
            "interpretation_elsewhere"} <= planted


def test_empty_and_stale_columns_come_from_the_served_lists() -> None:
    site = site_with("example-clean", DefectSpec("empty_column", {"column": "gk.fees"}),
                     DefectSpec("stale_column", {"column": "gk.meetings", "days": 200}))
    findings = build_truth(site)["findings"]
    assert [f["target"] for f in findings["column.empty"]] == ["gk.fees"]
    assert [(f["target"], f["window"]) for f in findings["column.stale"]] == [("gk.meetings", "six_months")]
    fees = site.column("gk.fees")
    assert "暂无信息" in site.lookup(fees.host, fees.index_path).body.decode()
