"""A crawl that meets dead sites, and a crawl that is killed: what was fetched is never lost."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from zwgk.portal_sim import DnsFixture, RunningPortal

from support.portals import crawler_requests
from support.procs import wait_gone
from support.runhelp import run_dir, store_of, write_inspection, zwgk, zwgk_popen

pytestmark = pytest.mark.slow


class _Always500(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write("<html><title>服务器错误</title></html>".encode())

    def log_message(self, *args: object) -> None:
        pass


class _Hang(_Always500):
    def do_GET(self) -> None:
        time.sleep(4)          # longer than the crawl timeout (1 s); the client has gone by then
        with contextlib.suppress(OSError):
            super().do_GET()


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]          # closed again when we return: connections are refused


@pytest.fixture
def dead_sites(portal: RunningPortal) -> Iterator[tuple[DnsFixture, dict[str, str]]]:
    broken, hanging = _serve(_Always500), _serve(_Hang)
    urls = {"refused": f"http://refused.example-d.gov.cn:{_closed_port()}/",
            "timeout": f"http://slow.example-d.gov.cn:{hanging.server_address[1]}/",
            "http500": f"http://broken.example-d.gov.cn:{broken.server_address[1]}/",
            "nxdomain": "http://nowhere.example-d.gov.cn/"}
    records = portal.dns_records()
    for name in ("refused", "slow", "broken"):
        records[f"{name}.example-d.gov.cn"] = {"A": ["127.0.0.1"]}
    with DnsFixture(records) as dns:
        yield dns, urls
    broken.shutdown()
    hanging.shutdown()


def test_dead_sites_are_recorded_and_the_others_complete(portal, dead_sites, tmp_path):
    dns, urls = dead_sites
    sites = [{"name": "西崖县人民政府", "url": portal.url("example-b"), "hosts": list(portal.site("example-b").hosts)}]
    sites += [{"name": f"故障站点-{k}", "url": u} for k, u in urls.items()]
    config = write_inspection(tmp_path / "i.yaml", sites, dns=dns.address, timeout=1, retries=1, max_pages=500,
                              max_depth=30)
    done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 3, done.stderr[-2000:]          # incomplete: some sites could not be assessed
    assert "Traceback" not in done.stderr
    store = store_of(tmp_path / "runs")
    status = {s["url"]: s for s in store.sites()}
    assert status[portal.url("example-b")]["status"] == "complete"
    assert len(store.pages(urlsplit(portal.url("example-b")).hostname)) > 50
    expected = {"refused": "连接被拒绝", "timeout": "超时", "http500": "HTTP 500", "nxdomain": "域名无法解析"}
    for key, url in urls.items():
        assert status[url]["status"] == "unreachable", (key, status[url])
        assert expected[key] in status[url]["detail"], (key, status[url]["detail"])
    assert "无法访问" in done.stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_then_resume_loses_nothing_and_refetches_nothing(portal, dns_server, tmp_path, workers):
    """The whole crawl SIGKILLed mid-way (writes are batched): `--resume` loses no page and fetches
    again only what was leased and not committed at the kill — the uncommitted batch and what was in
    flight — plus what a crawl fetches twice by design (a 5xx is retried once, hops of redirects)."""
    site = {"name": "西崖县人民政府", "url": portal.url("example-b"), "hosts": list(portal.site("example-b").hosts)}
    config = write_inspection(tmp_path / "i.yaml", [site], dns=dns_server.address, concurrency_per_site=1,
                              delay=0.05, max_pages=1000, max_depth=30)
    portal.clear_log()
    proc = zwgk_popen("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", str(workers))
    try:
        pids = _wait_for_crawl(tmp_path / "runs", pages=25, workers=workers)
        run = run_dir(tmp_path / "runs")
        frozen = list(pids.values()) if workers > 1 else [proc.pid]
        for pid in frozen:                    # frozen, the store shows exactly what each process holds
            os.kill(pid, signal.SIGSTOP)
        stored_before = {r.url for r in store_of(run).pages()}
        uncommitted = _leased_paths(run)
        proc.send_signal(signal.SIGKILL)      # the workers die with their coordinator
        proc.wait(10)
        wait_gone(frozen, "its crawl")
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = {r.url for r in store_of(run).pages()}
    assert kept == stored_before                              # everything committed survived the kill

    done = zwgk("crawl", "--resume", str(run), "--workers", str(workers))
    assert done.returncode == 0, done.stderr[-2000:]
    truth = portal.truth("example-b")
    records = store_of(run).pages()
    keys = [(r.url, r.method) for r in records]
    assert len(keys) == len(set(keys))                       # nothing stored twice
    want = ({u for u, p in truth["pages"].items() if not p.get("hop_only")} | set(truth["attachments"])
            | set(truth["listings"]))                        # the dataproxy.jsp POSTs resume with their form
    assert truth["listings"] and {u for u, _ in keys} == want   # nothing lost
    assert kept <= {u for u, _ in keys}

    served = Counter((e.method, e.host, e.path) for e in crawler_requests(portal.request_log)
                     if e.path != "/robots.txt")
    twice = {(host, path) for (_m, host, path), n in served.items() if n > 1}
    assert uncommitted                                       # the kill did cut a batch short
    allowed = set(uncommitted)
    for url, page in truth["pages"].items():
        key = (urlsplit(url).hostname or "", urlsplit(url).path)
        if key in uncommitted:
            allowed |= {(urlsplit(u).hostname or "", urlsplit(u).path) for u in page.get("redirects", [])}
        if (page.get("status") or 0) >= 500:
            allowed.add(key)
    assert twice <= allowed, twice - allowed


def _wait_for_crawl(outdir, *, pages: int, workers: int) -> dict[str, int]:
    """The crawl's worker pids once it has stored `pages` records (the coordinator's own for 1 worker)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)
        runs = list(outdir.glob("*/crawl.sqlite"))
        if not runs:
            continue
        store = store_of(runs[0].parent)
        pids = {w["id"]: w["pid"] for w in store.workers() if not w["finished"]}
        if len(store.pages()) >= pages and len(pids) >= workers:
            return pids
    raise AssertionError("the crawl should have stored pages before the kill")


def _leased_paths(run) -> set[tuple[str, str]]:
    rows = store_of(run).query("SELECT url FROM frontier WHERE state = 'leased'")
    return {(urlsplit(u).hostname or "", urlsplit(u).path) for (u,) in rows}


