"""The browser path: render_js: auto lists the column only a browser can list, evidence screenshots,
and what happens without a browser (or with one that hangs): the run completes and says so once.

Browser tests use Debian's chromium (skipped with a reason when it is missing); the no-browser tests
need none. Unit tests of the heuristic and the settings are at the end (fast).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from zwgk.browser import find_browser
from zwgk.config.inspection import Inspection
from zwgk.crawler.render import render_settings
from zwgk.understand.scripted import script_built_list

from support.loopback import LoopbackServer, Reply
from support.runhelp import run_dir, store_of, write_inspection, zwgk

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
UNAVAILABLE = "浏览器不可用"
PNG = b"\x89PNG\r\n\x1a\n"


def site_a(portal: Any) -> list[dict[str, Any]]:
    site = portal.site("example-a")
    return [{"name": site.spec.name, "url": portal.url("example-a"), "unit": "办公室", "hosts": list(site.hosts)}]


def audit(tmp: Path, portal: Any, dns: Any, **crawl: Any) -> tuple[Any, dict[str, Any], Path]:
    config = write_inspection(tmp / "i.yaml", site_a(portal), dns=dns.address, max_pages=400, max_depth=30, **crawl)
    done = zwgk("audit", "-c", str(config), "-o", str(tmp / "runs"), "--fail-on", "never", timeout=240)
    run = run_dir(tmp / "runs")
    return done, json.loads((run / "results.json").read_text(encoding="utf-8")), run


def check_status(results: dict[str, Any], key: str) -> str:
    return next(c["status"] for c in results["sites"][0]["checks"] if c["key"] == key)


SOLICITATION = "column.empty[column=gk.solicitation]"


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_auto_renders_the_browser_only_column_and_screenshots_the_evidence(portal, dns_server, tmp_path):
    done, results, run = audit(tmp_path, portal, dns_server, max_screenshots=4)
    assert done.returncode == 0, done.stderr[-3000:]
    assert UNAVAILABLE not in done.stderr
    store = store_of(run)
    renders = [r for r in store.pages() if r.method == "RENDER"]
    truth = portal.truth("example-a")
    column = truth["columns"]["gk.solicitation"]["url"]
    assert [(r.url, r.status, r.error_kind) for r in renders] == [(column, 200, None)]   # auto: only that page
    docs = {u for u, d in truth["documents"].items() if d["column"] == "gk.solicitation"}
    fetched = {r.url for r in store.pages() if r.status == 200}
    assert docs and docs <= fetched                                     # listed by the browser, then fetched
    assert check_status(results, SOLICITATION) == "pass"
    assert results["sites"][0]["crawl"]["rendered"] == 1
    # evidence screenshots: PNGs in the run directory, findings point at them, the site report shows them
    shots = [f["evidence"]["screenshot"] for f in results["sites"][0]["findings"] if "screenshot" in f["evidence"]]
    assert shots and results["evidence"]["screenshots"] == len({s["path"] for s in shots}) <= 4
    for shot in shots:
        for key in ("path", "thumb"):
            assert (run / shot[key]).read_bytes().startswith(PNG), shot
        assert shot["path"].startswith("screenshots/") and shot["at"]
    home = next(f for f in results["sites"][0]["findings"] if f["check"] == "site.identity")
    assert home["evidence"]["screenshot"]["path"].endswith("/1.png")      # the homepage comes first
    page = (run / "sites" / "www.example-a.gov.cn.html").read_text(encoding="utf-8")
    assert f'<img src="../{shots[0]["thumb"]}"' in page and f'href="../{shots[0]["path"]}"' in page
    # --no-screenshots: the same run re-evaluated takes none and links none
    again = zwgk("evaluate", str(run), "--no-screenshots", "--fail-on", "never", timeout=120)
    assert again.returncode == 0, again.stderr[-2000:]
    results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    assert "evidence" not in results and not any("screenshot" in f["evidence"] for f in results["sites"][0]["findings"])
    assert "<img" not in (run / "sites" / "www.example-a.gov.cn.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("browser", ["/nonexistent", "/bin/false"])
def test_without_a_browser_the_run_completes_says_so_once_and_is_inconclusive(portal, dns_server, tmp_path,
                                                                             browser):
    """/nonexistent: no program (found before the crawl); /bin/false: a program that is no browser (its
    launch fails during the crawl). Either way: one message, the column that needed the browser is
    inconclusive — not empty — and nothing else changes."""
    started = time.monotonic()
    done, results, run = audit(tmp_path, portal, dns_server, browser_path=browser)
    assert done.returncode in (0, 3), done.stderr[-3000:]
    assert done.stderr.count(UNAVAILABLE) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert check_status(results, SOLICITATION) == "inconclusive"
    assert check_status(results, "column.empty[column=gk.meetings]") == "pass"      # the fast path still works
    (failed,) = [r for r in store_of(run).pages() if r.method == "RENDER"]
    assert failed.error_kind == "render_unavailable"
    assert results["sites"][0]["crawl"]["render_failed"] == 1
    assert not (run / "screenshots").exists() and results["evidence"]["screenshots"] == 0
    assert time.monotonic() - started < 120


HANG = """<html><head><title>通知公告</title></head><body><h2>通知公告</h2><ul id="list"></ul>
<script>fetch('/api/list.json'); while (true) {}</script></body></html>"""


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_a_hanging_page_is_inconclusive_and_the_crawl_goes_on(tmp_path):
    def app(path: str, headers: dict[str, str]) -> Reply:
        if path == "/":
            return Reply(body='<html><head><title>首页</title></head><body><a href="/tzgg/">通知公告</a></body></html>')
        if path == "/tzgg/":
            return Reply(body=HANG)
        return Reply(404, "not found", {"Content-Type": "text/plain"})

    with LoopbackServer(app) as server:
        site = {"name": "测试站", "url": f"http://127.0.0.1:{server.port}/"}
        config = write_inspection(tmp_path / "i.yaml", [site], browser_timeout=2)
        started = time.monotonic()
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), timeout=90)
        elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    records = {(r.url.rsplit(":", 1)[-1], r.method): r for r in store_of(tmp_path / "runs").pages()}
    hung = records[(f"{server.port}/tzgg/", "RENDER")]
    assert hung.error_kind in ("render_timeout", "render_failed") and hung.status is None
    assert records[(f"{server.port}/tzgg/", "GET")].status == 200          # the raw fetch stands
    assert elapsed < 60


PAGES = 6


def small_site(path: str, headers: dict[str, str]) -> Reply:
    """A homepage linking PAGES pages that each write one more link with document.write."""
    if path == "/":
        links = "".join(f'<li><a href="/p{n}.html">第{n}页</a></li>' for n in range(1, PAGES + 1))
        return Reply(body=f"<html><head><title>首页</title></head><body><ul>{links}</ul></body></html>")
    if path.startswith("/p") and path.endswith(".html"):
        return Reply(body=f"<html><head><title>{path}</title></head><body><p>正文</p>"
                          f"<script>document.write('<a href=\"/js{path[2:]}\">脚本链接</a>')</script></body></html>")
    if path.startswith("/js"):
        return Reply(body="<html><head><title>js</title></head><body>脚本写出的页面</body></html>")
    return Reply(404, "not found", {"Content-Type": "text/plain"})


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_always_renders_every_page_and_recycles_contexts(tmp_path):
    with LoopbackServer(small_site) as server:
        site = {"name": "测试站", "url": f"http://127.0.0.1:{server.port}/"}
        config = write_inspection(tmp_path / "i.yaml", [site], render_js="always", browser_recycle_pages=2,
                                  browser_contexts=1, browser_pages_per_context=2)
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    records = store_of(tmp_path / "runs").pages()
    pages = [r for r in records if r.kind == "page"]
    assert {r.method for r in pages} == {"RENDER"} and all(r.status == 200 for r in pages)   # no plain fetch
    # the links document.write adds exist only in the rendered DOM, and were followed
    assert sum(r.url.split("/")[-1].startswith("js") for r in pages) == PAGES
    log = (run_dir(tmp_path / "runs") / "crawl.log").read_text(encoding="utf-8")
    contexts = int(log.split("'playwright/context_count': ", 1)[1].split(",", 1)[0])
    assert contexts >= (2 * PAGES + 1) // 2 and "'zwgk/render/contexts_recycled'" in log   # a fresh one every 2 pages


# --- units --------------------------------------------------------------------------------------------

JS_LIST = '<html><body><ul class="list" id="l"></ul><script>fetch("data.do").then(r => r.json())</script></body></html>'


def test_the_render_heuristic_wants_an_empty_list_that_a_script_fills():
    url = "http://www.example.gov.cn/xxgk/yjzj/"
    assert script_built_list(JS_LIST, url)
    assert not script_built_list(JS_LIST, "http://www.example.gov.cn/xxgk/yjzj/202611/t20261101_1.html")  # a document
    filled = JS_LIST.replace('id="l">', 'id="l"><li><a href="/a/t20261101_1.html">通知</a><span>2026-11-01</span></li>')
    assert not script_built_list(filled, url)                          # the list is there already
    quiet = JS_LIST.replace('fetch("data.do").then(r => r.json())', 'var visits = 1;')
    assert not script_built_list(quiet, url)                          # no script builds it
    datastore = JS_LIST + '<script type="text/xml"><datastore><recordset></recordset></datastore></script>'
    assert not script_built_list(datastore, url)                      # the Hanweb adapter reads it
    jpaas = JS_LIST + '<script parseType="buildstatic" url="/api/x" querydata="{}"></script>'
    assert not script_built_list(jpaas, url)                          # the jpaas adapter reads it


def test_render_settings_only_install_the_browser_when_needed(tmp_path):
    def insp(**crawl: Any) -> Inspection:
        return Inspection(sites=[{"name": "站", "url": "http://www.example.gov.cn/"}], crawl=crawl)

    assert set(render_settings(insp(render_js="never"), [], ["never"])) == {"ZWGK_RENDER"}
    missing = render_settings(insp(browser_path="/nonexistent"), [], ["auto"])
    assert set(missing) == {"ZWGK_RENDER"} and not missing["ZWGK_RENDER"]["available"]
    assert "/nonexistent" in missing["ZWGK_RENDER"]["reason"]
    if not find_browser(for_crawl=True).available:
        pytest.skip("no chromium here: the installed settings cannot be checked")
    on = render_settings(insp(browser_contexts=3, browser_recycle_pages=7), ["www.example.gov.cn"], ["auto", "never"])
    assert on["DOWNLOAD_HANDLERS"]["http"].endswith("RenderHandler") and on["PLAYWRIGHT_MAX_CONTEXTS"] == 3
    launch = on["PLAYWRIGHT_LAUNCH_OPTIONS"]
    assert launch["executable_path"] and "--no-sandbox" in launch["args"] and "--disable-quic" in launch["args"]
    assert on["ZWGK_BROWSER_RECYCLE_PAGES"] == 7 and on["PLAYWRIGHT_ABORT_REQUEST"].endswith("abort_request")


def test_chromium_resolves_the_sites_through_the_configured_dns(portal, dns_server):
    from zwgk.browser import launch_args, resolver_rules

    rules = resolver_rules(["www.example-a.gov.cn", "xxgk.example-a.gov.cn", "127.0.0.1", "old.example-a.gov.cn"],
                           [dns_server.address])
    assert rules == "MAP www.example-a.gov.cn 127.0.0.1, MAP xxgk.example-a.gov.cn 127.0.0.1"   # NXDOMAIN: left out
    assert resolver_rules(["www.example-a.gov.cn"], []) == ""           # no override: the system resolver
    assert launch_args(rules)[-1] == f"--host-resolver-rules={rules}"


LIST_JS = """<html><head><title>通知公告</title></head><body><h2>通知公告</h2><ul id="list"></ul>
<script>fetch('/api/list.json').then(r => r.json()).then(d => { document.getElementById('list').innerHTML =
  d.map(x => `<li><a href="${x.url}">${x.title}</a><span>2026-11-20</span></li>`).join(''); });</script>
</body></html>"""
DOCS = [{"url": f"/tzgg/202611/t2026112{n}_{n}.html", "title": f"关于第{n}号事项的通知"} for n in range(3)]


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_a_render_that_times_out_once_is_tried_again(tmp_path):
    """The list page hangs in the browser the first time (a busy machine, a slow script) and renders the
    second: the crawl reads the list from the second render, and records no render failure."""
    renders = []

    def app(path: str, headers: dict[str, str]) -> Reply:
        if path == "/":
            return Reply(body='<html><head><title>首页</title></head><body><a href="/tzgg/">通知公告</a></body></html>')
        if path == "/tzgg/":
            renders.append(path)          # 1: the plain fetch, 2: the first render, 3: the second
            return Reply(body=HANG if len(renders) == 2 else LIST_JS)
        if path == "/api/list.json":
            return Reply(body=json.dumps(DOCS), headers={"Content-Type": "application/json"})
        if path.startswith("/tzgg/2026"):
            return Reply(body="<html><head><title>通知</title></head><body>正文</body></html>")
        return Reply(404, "not found", {"Content-Type": "text/plain"})

    with LoopbackServer(app) as server:
        site = {"name": "测试站", "url": f"http://127.0.0.1:{server.port}/"}
        config = write_inspection(tmp_path / "i.yaml", [site], browser_timeout=2)
        done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(renders) == 3
    records = store_of(tmp_path / "runs").pages()
    (render,) = [r for r in records if r.method == "RENDER"]
    assert (render.status, render.error_kind) == (200, None)
    fetched = {r.url.split(f":{server.port}", 1)[1] for r in records if r.method == "GET" and r.ok}
    assert {d["url"] for d in DOCS} <= fetched        # the list the second render showed was followed


def test_a_render_timeout_is_retried_once_then_recorded(tmp_path):
    from scrapy import Request
    from scrapy.utils.test import get_crawler
    from twisted.python.failure import Failure

    from zwgk.config.inspection import CrawlSettings
    from zwgk.crawler.render_handler import BrowserUnavailable, RenderTimeout
    from zwgk.crawler.spiders.portal import PortalSpider
    from zwgk.store import PageRecord

    sites = [{"key": "www.x.gov.cn", "name": "x", "url": "http://www.x.gov.cn/", "unit": "",
              "hosts": ["www.x.gov.cn"], "crawl": CrawlSettings(delay=0).model_dump()}]
    crawler = get_crawler(PortalSpider, {"ZWGK_SITES": sites, "ZWGK_STORE": str(tmp_path / "crawl.sqlite"),
                                         "ZWGK_RENDER": {"available": True, "reason": ""}})
    spider = PortalSpider.from_crawler(crawler)

    def fail(request: Request, exc: Exception) -> list:
        failure = Failure(exc)
        failure.request = request       # type: ignore[attr-defined]   (as Scrapy's errback gets it)
        return list(spider.on_error(failure))

    first = spider._request("www.x.gov.cn", "http://www.x.gov.cn/tzgg/", kind="page", depth=1, referer=None,
                            anchor="render", render=True)
    (again,) = fail(first, RenderTimeout("浏览器渲染超过 60 秒未完成"))
    assert isinstance(again, Request) and again.dont_filter and again.meta["zwgk_render"]
    (record,) = fail(again, RenderTimeout("浏览器渲染超过 60 秒未完成"))     # twice: recorded, not tried again
    assert isinstance(record, PageRecord) and (record.method, record.error_kind) == ("RENDER", "render_timeout")
    (gone,) = fail(first, BrowserUnavailable("浏览器无法启动"))              # no browser: nothing to retry
    assert isinstance(gone, PageRecord) and gone.error_kind == "render_unavailable"
