"""`--workers N`: several crawl processes on one run give the one-process results, politely.

Measured where it matters: the pages and findings of a whole audit (compared with `--workers 1`),
the requests in flight and their spacing at the server (per site, over all workers together), and
what a SIGKILLed worker costs (nothing lost, nothing fetched again but what it had not committed).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from zwgk.portal_sim import RunningPortal

from support.compare import outcome as _outcome
from support.compare import sites as _sites
from support.compare import stored as _stored
from support.compare import wait_for as _wait_for
from support.metered import politeness_inspection
from support.portals import crawler_requests
from support.procs import crawl_started, ended, running
from support.runhelp import run_dir, store_of, write_inspection, zwgk, zwgk_popen

pytestmark = pytest.mark.slow

LEDGER = Path(__file__).parent / "fixtures" / "ledgers" / "chengzihe-district-2021-ledger.txt"




def _audit(tmp: Path, config: Path, workers: int) -> tuple[dict[str, Any], Path]:
    done = zwgk("audit", "-c", str(config), "-o", str(tmp / f"runs-{workers}"), "--workers", str(workers),
                timeout=300)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    run = run_dir(tmp / f"runs-{workers}")
    return json.loads((run / "results.json").read_text(encoding="utf-8")), run






def test_two_workers_audit_equals_one(audit_portal, audit_dns, tmp_path):
    """Pages, links, list coverage, findings, check statuses, task statuses and scores: identical."""
    config = write_inspection(tmp_path / "i.yaml", _sites(audit_portal, "example-a", "example-b"),
                              dns=audit_dns.address, ledger=str(LEDGER), max_pages=2000, max_depth=30,
                              screenshots=False)
    one, run1 = _audit(tmp_path, config, 1)
    two, run2 = _audit(tmp_path, config, 2)
    workers = {w["id"]: w["reason"] for w in store_of(run2).workers()}
    assert workers == {"w1": "finished", "w2": "finished"}
    fetched_by = {r[0] for r in store_of(run2).query("SELECT DISTINCT worker FROM frontier WHERE state = 'done'")}
    assert fetched_by == {"w1", "w2"}                      # both processes crawled
    pages1, links1, lists1 = _stored(run1)
    pages2, links2, lists2 = _stored(run2)
    assert pages2 == pages1
    assert links2 == links1                                # every link once, as one process records it
    assert lists2 == lists1                                # list coverage (DESIGN §12), crawl status
    assert _outcome(two) == _outcome(one)


def test_politeness_holds_over_all_workers(metered, tmp_path):
    """Site a: at most 2 requests in flight at its server, though both workers crawl it at once.
    Site b: starts at least its delay apart. robots.txt is obeyed by every worker."""
    server, dns = metered
    delay_b = 0.25
    config = politeness_inspection(tmp_path / "i.yaml", server, dns, delay_b)
    done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2")
    assert done.returncode == 0, done.stderr[-3000:]

    assert 1 <= server.peak("a.metered.gov.cn") <= 2
    assert 1 <= server.peak("b.metered.gov.cn") <= 3
    b = sorted(h.at for h in server.hits("b.metered.gov.cn") if not h.probe)   # the crawl's, not the probes'

    gaps = [later - earlier for earlier, later in itertools.pairwise(b)]
    assert gaps and min(gaps) >= delay_b / 2, min(gaps)    # the arrival times jitter; a double rate would not
    assert len(b) - 1 <= (b[-1] - b[0]) / delay_b + 1     # and on average no faster than the delay allows

    for host in ("a.metered.gov.cn", "b.metered.gov.cn"):
        hits = Counter(h.path for h in server.hits(host) if h.path != "/robots.txt" and not h.probe)
        assert set(hits) == server.expected_paths(host)    # every page and attachment; /private/ never
        assert max(hits.values()) == 1                     # none twice
    store = store_of(run_dir(tmp_path / "runs"))
    by_worker = Counter(r[0] for r in store.query(
        "SELECT worker FROM frontier WHERE site = 'a.metered.gov.cn' AND state = 'done'"))
    assert set(by_worker) == {"w1", "w2"}                  # one site split between the processes
    assert all(s["status"] == "complete" for s in store.sites())


# --- SIGKILL --------------------------------------------------------------------------------------


def _leased(run: Path, worker: str | None = None) -> set[tuple[str, str]]:
    """(host, path) of the frontier rows leased — fetched or in flight, not committed."""
    store = store_of(run)
    sql, args = "SELECT url FROM frontier WHERE state = 'leased'", []
    if worker:
        sql += " AND worker = ?"
        args.append(worker)
    out = set()
    for (url,) in store.query(sql, args):
        parts = urlsplit(url)
        out.add((parts.hostname or "", parts.path + (f"?{parts.query}" if parts.query else "")))
    store.close()
    return out


def _refetch_allowed(truth: dict[str, Any], uncommitted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """What may be fetched twice: the uncommitted rows, the hops of their redirects, and what the crawl
    fetches twice by design anyway (a 5xx is retried once)."""
    allowed = set(uncommitted)
    for url, page in truth["pages"].items():
        parts = urlsplit(url)
        key = (parts.hostname or "", parts.path)
        if key in uncommitted:
            allowed |= {(urlsplit(u).hostname or "", urlsplit(u).path) for u in page.get("redirects", [])}
        if (page.get("status") or 0) >= 500:
            allowed.add(key)
    return allowed


def _check_complete(portal: RunningPortal, run: Path, allowed: set[tuple[str, str]]) -> None:
    truth = portal.truth("example-b")
    records = store_of(run).pages()
    urls = [(r.url, r.method) for r in records]
    assert len(urls) == len(set(urls))                     # nothing stored twice
    want = ({u for u, p in truth["pages"].items() if not p.get("hop_only")} | set(truth["attachments"])
            | set(truth["listings"]))
    assert truth["listings"] and {u for u, _ in urls} == want     # nothing lost
    served = Counter((e.method, e.host, e.path) for e in crawler_requests(portal.request_log)
                     if e.path != "/robots.txt")
    twice = {(host, path) for (_m, host, path), n in served.items() if n > 1}
    assert twice <= allowed, twice - allowed


def test_sigkill_one_worker_loses_nothing(portal, dns_server, tmp_path):
    """A worker killed mid-crawl: its leases go back to the queue, the crawl completes, and only what it
    held uncommitted is fetched again; `--resume` then finds nothing to do."""
    site = _sites(portal, "example-b")
    config = write_inspection(tmp_path / "i.yaml", site, dns=dns_server.address, concurrency_per_site=2,
                              delay=0.03, max_pages=1000, max_depth=30, render_js="never")
    portal.clear_log()
    with running(zwgk_popen("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2")) as proc:
        pids = _wait_for(lambda: crawl_started(tmp_path / "runs", 25, 2))
        run = run_dir(tmp_path / "runs")
        victim = "w2"
        os.kill(pids[victim], signal.SIGSTOP)              # frozen: its leases are exactly what it holds
        uncommitted = _leased(run, victim)
        os.kill(pids[victim], signal.SIGKILL)
        ended(proc, 180)
    workers = {w["id"]: w["reason"] for w in store_of(run).workers()}
    assert workers[victim] is None and "finished" in workers.values()
    _check_complete(portal, run, _refetch_allowed(portal.truth("example-b"), uncommitted))

    before = len(portal.request_log)
    done = zwgk("crawl", "--resume", str(run), "--workers", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    assert all(e.path == "/robots.txt" for e in crawler_requests(portal.request_log[before:]))  # nothing left


def test_ctrl_c_stops_every_worker_cleanly_and_resume_completes(portal, dns_server, tmp_path):
    """SIGINT to the command (a terminal's Ctrl-C): every worker commits what it fetched and gives its
    other leases back, the sites are `interrupted`, and `--resume` fetches only what was left."""
    site = _sites(portal, "example-b")
    config = write_inspection(tmp_path / "i.yaml", site, dns=dns_server.address, concurrency_per_site=2,
                              delay=0.03, max_pages=1000, max_depth=30, render_js="never")
    portal.clear_log()
    with running(zwgk_popen("crawl", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2")) as proc:
        _wait_for(lambda: crawl_started(tmp_path / "runs", 25, 2))
        proc.send_signal(signal.SIGINT)
        ended(proc, 120, returncode=130)                         # interrupted (DESIGN §3)
    run = run_dir(tmp_path / "runs")
    store = store_of(run)
    assert {w["reason"] for w in store.workers()} == {"shutdown"}
    assert store.sites()[0]["status"] == "interrupted"
    assert "leased" not in store.frontier_counts() and store.frontier_counts().get("queued")
    done = zwgk("crawl", "--resume", str(run), "--workers", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    _check_complete(portal, run, _refetch_allowed(portal.truth("example-b"), set()))
