"""End to end: `zwgk crawl` over the simulated portals, compared with their ground truth.

The truth is computed from the served link graph (zwgk/portal_sim/truth.py), so these tests say:
the crawler, with the default config (paging adapters on, render_js: auto), fetched exactly the
pages and list APIs the crawl rule reaches, decoded GBK pages, recorded broken links, attachments
and hidden links, and resolved the fixture hostnames through the DNS override. (The plain rule, without
the adapters, is compared in test_crawl_paging.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.portal_sim import RunningPortal

from support.portals import crawl_truth, crawler_requests
from support.runhelp import run_dir, store_of, write_inspection, zwgk

pytestmark = pytest.mark.slow


def site_entry(portal: RunningPortal, key: str) -> dict:
    site = portal.site(key)
    return {"name": site.spec.name, "url": portal.url(key), "unit": "办公室", "hosts": list(site.hosts)}


@pytest.fixture(scope="module")
def crawl(portal: RunningPortal, dns_server, tmp_path_factory) -> tuple[Path, list]:
    """One crawl of both example sites, shared by the assertions below."""
    tmp = tmp_path_factory.mktemp("crawl")
    sites = [site_entry(portal, "example-a"), site_entry(portal, "example-b")]
    config = write_inspection(tmp / "inspection.yaml", sites, dns=dns_server.address, max_pages=1000, max_depth=30)
    portal.clear_log()
    done = zwgk("crawl", "-c", str(config), "-o", str(tmp / "runs"))
    assert done.returncode == 0, done.stderr[-3000:]
    return run_dir(tmp / "runs"), crawler_requests(portal.request_log)


@pytest.fixture
def crawled(crawl) -> Path:
    return crawl[0]


def site_key(portal: RunningPortal, key: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(portal.url(key)).hostname or ""


def expected_pages(truth: dict) -> dict[str, dict]:
    return {u: p for u, p in truth["pages"].items() if not p.get("hop_only")}


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_fetches_exactly_the_reachable_pages(portal, crawled, key):
    truth = crawl_truth(portal, key)
    store = store_of(crawled)
    records = [r for r in store.pages(site_key(portal, key)) if r.kind in ("page", "related")]
    fetched = {r.url for r in records if r.error_kind != "robots"}
    assert fetched == set(expected_pages(truth))
    listings = {(r.url, r.method, r.status) for r in store.pages(site_key(portal, key), kind="listing")}
    assert listings == {(u, x["method"], x["status"]) for u, x in truth["listings"].items()}
    assert len(fetched) == truth["counts"]["pages"] - sum(1 for p in truth["pages"].values() if p.get("hop_only"))
    robots = {r.url for r in records if r.error_kind == "robots"}
    assert robots == {d["target"] for d in truth["robots_disallowed"]}
    site = next(s for s in store.sites() if s["key"] == site_key(portal, key))
    assert site["status"] == "complete"


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_statuses_redirects_and_errors_match_truth(portal, crawled, key):
    truth = expected_pages(crawl_truth(portal, key))
    by_url = {r.url: r for r in store_of(crawled).pages(site_key(portal, key))}
    for url, want in truth.items():
        got = by_url[url]
        if want.get("error") == "redirect_loop":
            assert got.error_kind == "redirect_loop", url
        elif want.get("error") == "dns":
            assert got.error_kind == "dns", url
        elif want.get("role") == "redirect":
            assert got.status == want["final_status"] and got.final_url == want["final"], url
            assert [h["url"] for h in got.redirects] == want["redirects"][:-1], url
        else:
            assert got.status == want["status"], url


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_attachments_checked_with_head_fallback(portal, crawled, key):
    truth = crawl_truth(portal, key)
    store = store_of(crawled)
    got = {r.url: r for r in store.pages(site_key(portal, key), kind="attachment")}
    assert set(got) == set(truth["attachments"])
    for url, want in truth["attachments"].items():
        assert got[url].status == want["status"], url
        # One level below the page that linked it (the HEAD→GET fallback must not add a level). Not the
        # truth's BFS minimum: with concurrency the first page to link an attachment may be a deeper one.
        referer = store.page(site_key(portal, key), got[url].referer)
        assert referer is not None and got[url].depth == referer.depth + 1, url
        assert got[url].depth >= want["depth"], url
        assert got[url].body is None          # status only: never parsed or stored


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_gbk_pages_decode(portal, crawled, key):
    truth = crawl_truth(portal, key)
    store = store_of(crawled)
    gbk = {u: c for u, c in truth["encodings"].items() if c in ("gbk", "gb18030", "gb2312")}
    assert gbk, "the fixture must plant GBK pages"
    for url in gbk:
        page = store.page(site_key(portal, key), url)
        assert page is not None and page.charset in ("gbk", "gb18030"), (url, page and page.charset)
        assert page.title and "\ufffd" not in page.title and "\ufffd" not in (page.body or "")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in page.title)   # real Chinese, not mojibake


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_broken_links_and_hidden_flags_recorded(portal, crawled, key):
    truth = crawl_truth(portal, key)
    store = store_of(crawled)
    links = list(store.all_links(site_key(portal, key)))
    pairs = {(src, ln.url) for src, ln in links}
    for item in truth["broken"]:
        assert (item["source"], item["target"]) in pairs, item
        rec = store.page(site_key(portal, key), item["target"])
        if item["error"]:
            assert rec.error_kind == item["error"], item
        else:
            assert rec.status == item["status"], item
    hidden = {(src, ln.url) for src, ln in links if ln.hidden}
    assert hidden == {(h["source"], h["target"]) for h in truth["hidden_links"]}
    not_followed = {(src, ln.url, ln.kind) for src, ln in links if ln.kind in ("mailto", "tel", "javascript")}
    assert not_followed == {(n["source"], n["target"], n["scheme"]) for n in truth["not_followed"]}
    fetched = {r.url for r in store.pages(site_key(portal, key))}
    assert not {t for _, t, _ in not_followed} & fetched


def test_no_request_twice(portal, crawl):
    """Each URL is requested once; by design, 5xx answers are retried once (RETRY_TIMES=1), a
    redirect target is fetched once as the hop (recorded under the linked URL) and once when linked,
    and a page the browser renders is fetched plainly first."""
    from urllib.parse import urlsplit

    rendered = {(urlsplit(r.url).hostname, urlsplit(r.url).path) for r in store_of(crawl[0]).pages()
                if r.method == "RENDER"}
    counts: dict[tuple[str, str, str], int] = {}
    for entry in crawl[1]:
        key = (entry.method, entry.host, entry.path)
        counts[key] = counts.get(key, 0) + 1
    server_errors = {(urlsplit(u).hostname, urlsplit(u).path) for t in ("example-a", "example-b")
                     for u, p in crawl_truth(portal, t)["pages"].items() if (p["status"] or 0) >= 500}
    redirect_targets = {(urlsplit(u).hostname, urlsplit(u).path) for t in ("example-a", "example-b")
                        for p in crawl_truth(portal, t)["pages"].values() for u in p.get("redirects", [])[1:]}
    assert server_errors and redirect_targets
    for (_method, host, path), n in counts.items():
        if path == "/robots.txt":
            continue
        allowed = 2 if (host, path) in server_errors | redirect_targets | rendered else 1
        assert n <= allowed, (host, path, n)


def test_dns_override_resolves_over_ipv6(portal, tmp_path):
    """With only an AAAA record, the crawler must reach the fixture over ::1 through the override."""
    from zwgk.portal_sim import DnsFixture

    hosts = portal.site("example-b").hosts
    with DnsFixture({h: {"AAAA": ["::1"]} for h in hosts}) as v6dns:
        config = write_inspection(tmp_path / "v6.yaml", [site_entry(portal, "example-b")], dns=v6dns.address,
                                  max_pages=5)
        portal.clear_log()
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 3, done.stderr[-2000:]            # capped at 5 pages: incomplete by design
    served = [e for e in crawler_requests(portal.request_log) if e.host in hosts]
    assert served and all(e.family == "v6" for e in served)
    pages = store_of(tmp_path / "runs").pages()
    assert sum(1 for p in pages if p.kind == "page" and p.status == 200) == 5
    site = store_of(tmp_path / "runs").sites()[0]
    assert site["status"] == "capped" and site["capped"] == ["max_pages"]


def test_dns_override_resolves_over_ipv4(crawl):
    served = [e for e in crawl[1] if e.host.endswith("example-a.gov.cn")]
    assert served and {e.family for e in served} == {"v4"}


def test_crawl_log_has_no_traceback(crawl):
    """A robots.txt on the planted dead host cannot be fetched (DNS): one line, never a traceback."""
    log = (crawl[0] / "crawl.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    assert "robots.txt 获取失败（域名无法解析）" in log


def test_pages_carry_their_facts(crawled):
    """The crawler stores each page's facts from its one parse (understand/facts.py): exactly what
    the evaluation would read from the stored body."""
    from zwgk.understand._html import parse_html
    from zwgk.understand.facts import decode, page_facts

    store = store_of(crawled)
    seen = 0
    for site in store.sites():
        for rec, blob in store.iter_pages_with_facts(site["key"], "page", ok=True, has_body=True):
            if rec.content_type and "html" not in rec.content_type:
                continue
            rec.body = store.body(rec.id or 0)
            assert blob is not None, rec.url
            assert decode(blob) == page_facts(rec, parse_html(rec.body)), rec.url
            seen += 1
    assert seen > 100
