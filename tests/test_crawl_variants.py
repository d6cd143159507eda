"""List-paging variants of real portals, crawled end to end: nothing behind a pager is missed, and every
list leaves its coverage row.

example-variants (TRS): jpaas build/unit pages with and without a stated count, a list whose count is
only in its pager text, gkmlpt categories with and without counts. example-hanweb-variants (Hanweb):
the total only in the jpage() call, no total anywhere, ?uid=&pageNum= pages with and without 共N条.
The crawl must fetch exactly the pages and list-API answers the crawl rule reaches (the truth follows
what each page's scripts load, including the probe requests that end on an empty page), and record
for every list: the adapter, the stated count, what was obtained, complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from zwgk.portal_sim import DnsFixture, RunningPortal
from zwgk.store import Store

from support.portals import AS_OF, BROWSER, SITES_DIR, crawl_truth
from support.runhelp import run_dir, store_of, write_inspection, zwgk

pytestmark = pytest.mark.slow
KEYS = ("example-variants", "example-hanweb-variants")
# column key -> (adapter, the count the list states or None, documents) per variant site
LISTS = {
    "example-variants": {"gk.policy": ("jpaas", 25), "gk.normative": ("jpaas", None),
                         "gk.notice": ("trs", 23), "gk.planning": ("gkmlpt", 7), "gk.budget": ("gkmlpt", None)},
    "example-hanweb-variants": {"gk.policy": ("hanweb", 50), "gk.normative": ("hanweb", None),
                                "gk.notice": ("uid_pagenum", 23), "gk.planning": ("uid_pagenum", None)},
}


@pytest.fixture(scope="module")
def variants() -> Iterator[RunningPortal]:
    with RunningPortal.from_files([SITES_DIR / f"{k}.yaml" for k in KEYS], as_of=AS_OF) as running:
        yield running


@pytest.fixture(scope="module")
def crawled(variants: RunningPortal, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Store]:
    tmp = tmp_path_factory.mktemp("variants")
    sites = [{"name": variants.site(k).spec.name, "url": variants.url(k), "hosts": list(variants.site(k).hosts)}
             for k in KEYS]
    with DnsFixture(variants.dns_records()) as dns:
        config = write_inspection(tmp / "i.yaml", sites, dns=dns.address, max_pages=2000, max_depth=30)
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp / "runs"))
    assert done.returncode == 0, done.stderr[-3000:]
    run = run_dir(tmp / "runs")
    return run, store_of(run)


def site_key(portal: RunningPortal, key: str) -> str:
    return urlsplit(portal.url(key)).hostname or ""


@pytest.mark.parametrize("key", KEYS)
def test_fetches_exactly_what_the_list_scripts_load(variants, crawled, key):
    _, store = crawled
    truth = crawl_truth(variants, key)
    records = store.pages(site_key(variants, key))
    pages = {r.url for r in records if r.kind == "page" and r.method == "GET"}
    assert pages == {u for u, p in truth["pages"].items() if not p.get("hop_only")}
    listings = {(r.url, r.method, r.status) for r in records if r.kind == "listing"}
    assert listings == {(u, x["method"], x["status"]) for u, x in truth["listings"].items()}
    behind = {u for u, d in truth["documents"].items() if d["reachable"]}
    assert behind <= pages                            # every document, whatever pager it hides behind
    # every count matched but one: the list that states 共9条 and shows 4 goes to the browser (cross-check)
    rendered = {(r.url, r.error_kind) for r in records if r.method == "RENDER"}
    more = variants.site(key).column("gk.gazette")
    want = {(f"{variants.base_urls(key)[more.host]}{more.dir}", None if BROWSER else "render_unavailable")} if more \
        else set()
    assert rendered == want


@pytest.mark.parametrize("key", KEYS)
def test_every_paged_list_records_complete_coverage(variants, crawled, key):
    _, store = crawled
    site = variants.site(key)
    coverage = store.list_coverages(site_key(variants, key))
    truth = crawl_truth(variants, key)
    for column, (adapter, stated) in LISTS[key].items():
        col = site.column(column)
        rows = [c for c in coverage.values() if c.adapter == adapter
                and (truth["columns"][column]["url"].split("#")[0] == c.url
                     or (adapter == "gkmlpt" and f"/all/{col.colid}?" in c.url))]
        assert len(rows) == 1, (column, sorted(coverage))
        row = rows[0]
        assert (row.state, row.obtained, row.stated_total) == ("complete", len(col.docs), stated), (column, row)
        assert row.source == "adapter", row          # the items beyond page 1 came from the adapter
        assert row.pages >= 1 and len(row.members) == row.pages - (adapter != "gkmlpt"), row
    more = site.column("gk.gazette")
    if more is not None:            # the cross-check: 共9条 stated, 4 in the markup, the rest only in a browser
        row = coverage[f"{variants.base_urls(key)[more.host]}{more.dir}"]
        assert (row.stated_total, row.adapter) == (9, None)
        assert (row.state, row.obtained, row.source) == (("complete", 9, "browser") if BROWSER
                                                          else ("partial", 4, "markup")), row
    # nothing else recorded as partial or unread on these sites
    assert {c.state for u, c in coverage.items() if not more or not u.endswith(more.dir)} <= {"complete", "unknown"}


def test_without_a_browser_the_short_list_is_recorded_partial(variants, tmp_path):
    """The same cross-check with no browser: the list that states 共9条 and shows 4 is recorded as a
    failed render and a partial list (the checks then say inconclusive), and the crawl still fetches
    everything the adapters reach."""
    key = "example-variants"
    site = variants.site(key)
    with DnsFixture(variants.dns_records()) as dns:
        config = write_inspection(tmp_path / "i.yaml", [{"name": site.spec.name, "url": variants.url(key),
                                                         "hosts": list(site.hosts)}],
                                  dns=dns.address, max_pages=2000, max_depth=30,
                                  browser_path=str(tmp_path / "no-such-chromium"))
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 0, done.stderr[-3000:]
    store = store_of(run_dir(tmp_path / "runs"))
    records = store.pages(site_key(variants, key))
    truth = crawl_truth(variants, key, render=False)
    assert {r.url for r in records if r.kind == "page" and r.method == "GET"} == {
        u for u, p in truth["pages"].items() if not p.get("hop_only")}
    more = site.column("gk.gazette")
    url = f"{variants.base_urls(key)[more.host]}{more.dir}"
    assert {(r.url, r.error_kind) for r in records if r.method == "RENDER"} == {(url, "render_unavailable")}
    row = store.list_coverages(site_key(variants, key))[url]
    assert (row.state, row.obtained, row.stated_total, row.source) == ("partial", 4, 9, "markup"), row


SHORT_LIST = """<html><head><title>政府公报</title></head><body><ul class="list">{rows}</ul>
<div class="page">共9条</div></body></html>"""
SHORT_ROW = '<li><a href="./202611/t2026110{n}_{n}.html">南岭县第{n}号公报</a><span>2026-11-0{n}</span></li>'


def test_a_list_is_rendered_by_the_worker_that_reads_it(tmp_path):
    """Several workers: the render cross-check of a list (共9条, 4 in the markup) is leased to the worker
    whose spider reads the list; another worker rendering it would credit the browser's items to no list,
    and the list would stay partial from the markup (the intermittent failure of the test above, when
    the other worker happened to lease the render row first)."""
    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from zwgk.config.inspection import CrawlSettings
    from zwgk.crawler.middlewares import SpiderOutputMiddleware
    from zwgk.crawler.render import RENDER_SLOT
    from zwgk.crawler.scheduler import FrontierScheduler
    from zwgk.crawler.spiders.portal import PortalSpider
    from zwgk.store import ListCoverage, PageRecord

    site, url = "www.x.gov.cn", "http://www.x.gov.cn/zfgb/"
    sites = [{"key": site, "name": "x", "url": "http://www.x.gov.cn/", "unit": "", "hosts": [site],
              "crawl": CrawlSettings(delay=0).model_dump()}]
    workers = []
    for name in ("w1", "w2"):
        crawler = get_crawler(PortalSpider, {"ZWGK_SITES": sites, "ZWGK_STORE": str(tmp_path / "crawl.sqlite"),
                                             "ZWGK_WORKER": name, "ZWGK_WORKERS": 2,
                                             "ZWGK_RENDER": {"available": True, "reason": ""}})
        spider = PortalSpider.from_crawler(crawler)
        scheduler = FrontierScheduler.from_crawler(crawler)
        scheduler.open(spider)
        workers.append((spider, scheduler))
    (reader, mine), (_, other) = workers

    request = reader._request(site, url, kind="page", depth=1, referer="http://www.x.gov.cn/", anchor="政府公报")
    body = SHORT_LIST.format(rows="".join(SHORT_ROW.format(n=n) for n in range(1, 5)))
    response = HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    out = list(SpiderOutputMiddleware.from_crawler(reader.crawler).process_spider_output(response,
                                                                               reader.parse_page(response)))
    (cov,) = [o for o in out if isinstance(o, ListCoverage)]
    assert (cov.state, cov.obtained, cov.stated_total) == ("partial", 4, 9)
    for o in out:
        if isinstance(o, Request):
            mine.enqueue_request(o)
    (rec,) = [o for o in out if isinstance(o, PageRecord)]
    mine.before_record(rec)                    # as the pipeline: the page's requests go out with its record
    mine.state.writer.page(rec)
    mine.state.writer.flush()

    taken = {(row["url"], row["method"]) for row in other.frontier.lease(100)}
    assert taken and (url, "RENDER") not in taken          # the other worker gets the documents only
    assert [(r.url, r.meta.get("zwgk_method")) for *_, r, _ in mine._local[site + RENDER_SLOT]] == [(url, "RENDER")]
    assert [tuple(r) for r in mine.state.store.db.query(
        "SELECT state, worker FROM frontier WHERE method = 'RENDER'")] == [("leased", "w1")]
