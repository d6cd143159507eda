"""Distributed mode (DESIGN §10) against a real redis-server and PostgreSQL: a coordinator and workers
give the single-machine results, lose nothing when a worker is SIGKILLed, keep per-host politeness
at the server over all workers, and two inspections in one Redis never mix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from zwgk.distributed.worker import worker_dir

from support.compare import outcome as _outcome
from support.compare import sites as _sites
from support.compare import stored as _stored
from support.compare import wait_for as _wait_for
from support.metered import politeness_inspection
from support.procs import crawl_started, ended, running
from support.runhelp import run_dir, store_of, write_inspection, zwgk
from support.services import fresh_database, run_prefix

pytestmark = [pytest.mark.services]
LEDGER = Path(__file__).parent / "fixtures" / "ledgers" / "chengzihe-district-2021-ledger.txt"


@pytest.fixture
def services(redis_server, postgres_server) -> tuple[str, str]:
    """A queue URL with a key namespace of this test's own, and a database of its own."""
    return f"{redis_server.url}?namespace={run_prefix('dist')}", fresh_database(postgres_server, "dist")


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "CI": "true", **extra}


def _worker(queue: str, store: str, *args: str, **env: str) -> subprocess.Popen[str]:
    """`zwgk worker` as another machine would run it (URLs in the environment, not argv)."""
    return subprocess.Popen([sys.executable, "-m", "zwgk", "worker", "--idle-exit", "120", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(ZWGK_QUEUE=queue, ZWGK_STORE=store, **env))


def _audit(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zwgk", "audit", *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(**env))


def _finish(procs: list[subprocess.Popen[str]]) -> list[str]:
    return [ended(proc, 120)[1] for proc in procs]


def test_queue_leases_not_pops(redis_server) -> None:
    """The Lua operations: a new request once per run, leases exclusive, an expired lease back in the
    queue at its place, acks forget, give-backs return, two runs apart."""
    from zwgk.distributed.queue import RunQueue, fingerprint

    url = f"{redis_server.url}?namespace={run_prefix('q')}"
    q = RunQueue(url, "run-1", ttl=0.3)
    other = RunQueue(url, "run-2", server=q.server)

    def row(path: str, priority: int) -> tuple[Any, dict[str, Any], bool]:
        key = ("s", f"http://s/{path}", "GET")
        return key, {"site": "s", "url": key[1], "method": "GET", "priority": priority}, False

    q.add("", [row("a", 5), row("b", 9), row("c", 5)])
    q.add("", [row("a", 100)])                                # seen by the run: not queued again
    other.add("", [row("a", 1)])
    assert q.counts() == (3, 0) and other.counts() == (1, 0)
    got = q.lease("w1", 2)
    assert [r["url"] for _, r in got] == ["http://s/b", "http://s/a"]      # best first, then FIFO
    assert q.lease("w2", 5)[0][1]["url"] == "http://s/c" and q.counts() == (0, 3)
    q.ack([fingerprint(("s", "http://s/b", "GET"))])
    assert q.renew("w1", [fp for fp, _ in got]) == {fingerprint(("s", "http://s/b", "GET"))}
    assert q.give_back("w2", [fingerprint(("s", "http://s/c", "GET"))]) == 1
    time.sleep(0.5)                                          # w1 died: its lease on a expires
    assert q.reap() == 1 and q.counts() == (2, 0)
    assert [r["url"] for _, r in q.lease("w3", 5)] == ["http://s/a", "http://s/c"]
    assert other.counts() == (1, 0)
    q.retire()
    other.retire()
    assert not list(q.server.scan_iter(match=f"{q.ns}:*"))


def test_trap_budget_charges_only_urls_new_to_the_run(redis_server, tmp_path) -> None:
    """The cause of a page lost after a SIGKILL: worker B fetched again the page its dead worker A had
    read, and the run-wide trap budget charged A's links twice (and every link B had not itself seen,
    though the run had requested it), so it ran out and cut a URL only that page links. Now a URL the
    run already requested is free, and one admitted before is admitted again for free."""
    from functools import partial

    from zwgk.crawler.state import _take_trap
    from zwgk.crawler.traps import TrapBudget
    from zwgk.crawler.writer import BatchWriter
    from zwgk.distributed.limiter import RedisLimits
    from zwgk.distributed.queue import RedisFrontier, RunQueue
    from zwgk.store import Store

    url = f"{redis_server.url}?namespace={run_prefix('trap')}"
    queue = RunQueue(url, "run-1")
    limits = RedisLimits({"records": {"s": [0, 2, 0.0]}, "hosts": {}}, queue=queue)
    store = Store(tmp_path / "crawl.sqlite")
    article = "http://s.gov.cn/art/2026/11/2/art_1_{}.html"      # an article linking others of its template

    def worker(name: str) -> TrapBudget:
        traps = TrapBudget(counter_budget=2)
        frontier = RedisFrontier(store, BatchWriter(store), name, queue)
        traps.take = partial(_take_trap, limits, frontier, "s")  # type: ignore[method-assign]
        return traps

    a, b = worker("A"), worker("B")
    referer = article.format(0)
    assert a.admit(article.format(1), referer)[0] and a.admit(article.format(2), referer)[0]
    assert not a.admit(article.format(3), referer)[0]                 # the budget of 2 is spent
    # A queued the first (the run's dupefilter has it), then died before queueing the second
    queue.add("A", [(("s", article.format(1), "GET"), {"site": "s", "url": article.format(1),
                                                       "method": "GET", "priority": 0}, False)])
    assert b.admit(article.format(1), referer)[0]                     # requested by the run: free
    assert b.admit(article.format(2), referer)[0]                     # admitted before: again, free
    assert not b.admit(article.format(4), referer)[0]                 # a new one: still cut
    store.close()
    queue.retire()


def test_the_services_must_answer(tmp_path: Path) -> None:
    """Unreachable Redis or PostgreSQL: a Chinese message, exit 2, no traceback, no run directory."""
    from zwgk.services import free_port

    config = write_inspection(tmp_path / "i.yaml", [{"name": "甲", "url": "http://a.example.gov.cn/"}])
    done = _audit("-c", str(config), "-o", str(tmp_path / "runs"), "--queue", f"redis://127.0.0.1:{free_port()}/0",
                  "--store", f"postgresql://zwgk:topsecret@127.0.0.1:{free_port()}/zwgk")
    assert done.returncode == 2, done.stderr
    assert "无法连接 Redis" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()
    done = zwgk("worker", "--queue", "redis://127.0.0.1:1/0", "--store", "postgresql://zwgk@127.0.0.1:1/zwgk")
    assert done.returncode == 2 and "无法连接" in done.stderr and "Traceback" not in done.stderr
    done = _audit("-c", str(config), "--queue", "redis://127.0.0.1:1/0")
    assert done.returncode == 2 and "--store" in done.stderr


@pytest.mark.slow
def test_coordinator_and_two_workers_equal_one_machine(audit_portal, audit_dns, services, tmp_path):
    """Pages, links, list coverage, findings, check and task statuses, scores: as `--workers 1` finds."""
    queue, store = services
    config = write_inspection(tmp_path / "i.yaml", _sites(audit_portal, "example-a", "example-b"),
                              dns=audit_dns.address, ledger=str(LEDGER), max_pages=2000, max_depth=30,
                              screenshots=False)
    single = _audit("-c", str(config), "-o", str(tmp_path / "one"), "--workers", "1")
    assert single.returncode in (0, 1), single.stderr[-3000:]

    workers = [_worker(queue, store), _worker(queue, store)]
    try:
        done = _audit("-c", str(config), "-o", str(tmp_path / "dist"), "--workers", "0", "--queue", queue,
                      "--store", store)
    finally:
        errs = _finish(workers)
    assert done.returncode == single.returncode, done.stderr[-3000:]
    assert all("Traceback" not in e for e in (done.stderr, *errs))
    run1, run2 = run_dir(tmp_path / "one"), run_dir(tmp_path / "dist")
    assert (run2 / "store.url").read_text().startswith("postgresql://") and not (run2 / "crawl.sqlite").exists()
    reasons = {w["id"]: w["reason"] for w in store_of(run2).workers()}
    assert len(reasons) == 2 and set(reasons.values()) == {"finished"}
    pages1, links1, lists1 = _stored(run1)
    pages2, links2, lists2 = _stored(run2)
    assert pages2 == pages1
    assert links2 == links1
    assert lists2 == lists1
    one = json.loads((run1 / "results.json").read_text(encoding="utf-8"))
    two = json.loads((run2 / "results.json").read_text(encoding="utf-8"))
    assert _outcome(two) == _outcome(one)


@pytest.mark.slow
def test_a_sigkilled_worker_loses_nothing(portal, dns_server, services, tmp_path):
    """One of the coordinator's workers SIGKILLed mid-crawl: its leases expire back into the queue, the
    run completes, every page is stored once, and nothing is lost."""
    queue, store = services
    config = write_inspection(tmp_path / "i.yaml", _sites(portal, "example-b"), dns=dns_server.address,
                              concurrency_per_site=2, delay=0.03, max_pages=1000, max_depth=30, render_js="never")
    single = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "one"), "--workers", "1")
    assert single.returncode == 0, single.stderr[-2000:]
    portal.clear_log()
    with running(subprocess.Popen(
            [sys.executable, "-m", "zwgk", "audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2",
             "--queue", queue, "--store", store, "--fail-on", "never", "--no-screenshots"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(ZWGK_LEASE_TTL="3"))) as proc:
        pids = _wait_for(lambda: crawl_started(tmp_path / "runs", 25, 2))
        victim = sorted(pids)[0]
        os.kill(pids[victim], signal.SIGKILL)
        ended(proc, 240)
    run = run_dir(tmp_path / "runs")
    s = store_of(run)
    workers = {w["id"]: w["reason"] for w in s.workers()}
    assert workers[victim] is None and "finished" in workers.values()     # a replacement finished the run
    records = [(p.url, p.method) for p in s.pages()]
    assert len(records) == len(set(records))                              # none stored twice
    one = {(p.url, p.method, p.status) for p in store_of(run_dir(tmp_path / "one")).pages()}
    got = {(p.url, p.method, p.status) for p in s.pages()}
    assert got == one, (sorted(one - got), sorted(got - one))            # none lost
    assert s.sites()[0]["status"] == "complete"


@pytest.mark.slow
def test_politeness_holds_over_all_workers(metered, services, tmp_path):
    """Per host, requests in flight at the server never exceed the setting, and starts keep the delay,
    though three worker processes (two of the coordinator's, one joined) crawl the sites together."""
    server, dns = metered
    queue, store = services
    delay_b = 0.25
    config = politeness_inspection(tmp_path / "i.yaml", server, dns, delay_b)
    joined = _worker(queue, store)
    try:
        done = _audit("-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2", "--queue", queue,
                      "--store", store, "--fail-on", "never", "--no-screenshots")
    finally:
        _finish([joined])
    assert done.returncode == 0, done.stderr[-3000:]
    assert 1 <= server.peak("a.metered.gov.cn") <= 2
    assert 1 <= server.peak("b.metered.gov.cn") <= 3
    b = sorted(h.at for h in server.hits("b.metered.gov.cn") if not h.probe)
    # starts are spaced where a worker releases them to its downloader; a busy worker can hold one a
    # while before its bytes reach the server, so single gaps jitter (bench/SCALE.md): the rate holds
    assert len(b) > 5 and len(b) - 1 <= (b[-1] - b[0]) / delay_b + 1
    for host in ("a.metered.gov.cn", "b.metered.gov.cn"):
        hits = Counter(h.path for h in server.hits(host) if h.path != "/robots.txt" and not h.probe)
        assert set(hits) == server.expected_paths(host)
        assert max(hits.values()) == 1
    run = run_dir(tmp_path / "runs")
    s = store_of(run)
    assert len(s.workers()) == 3
    assert all(site["status"] == "complete" for site in s.sites())
    # the coordinator's workers leave nothing in /tmp; a joined worker keeps its log there
    joined_dir = worker_dir(run.name, f"{socket.gethostname()}-{joined.pid}")
    assert set(Path(tempfile.gettempdir()).glob(f"zwgk-worker-{run.name}-*")) <= {joined_dir}
    assert (joined_dir / "crawl.log").is_file()
    shutil.rmtree(joined_dir)


@pytest.mark.slow
def test_two_inspections_in_one_queue_do_not_mix(portal, dns_server, services, tmp_path):
    """Two coordinators on the same Redis and database at once, each with its worker: each run holds
    exactly its own site's pages, in its own schema."""
    queue, store = services
    procs = []
    for key in ("example-a", "example-b"):
        config = write_inspection(tmp_path / f"{key}.yaml", _sites(portal, key), dns=dns_server.address,
                                  max_pages=300, max_depth=30, render_js="never")
        flags = ["--queue", queue, "--store", store]
        if key == "example-b":             # the inspection's own `distributed` keys do the same
            data = yaml.safe_load(config.read_text(encoding="utf-8"))
            data["distributed"] = {"queue": queue, "store": store}
            config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            flags = []
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "zwgk", "audit", "-c", str(config), "-o", str(tmp_path / key), "--workers", "1",
             *flags, "--fail-on", "never", "--no-screenshots"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()))
        time.sleep(0.5)
    _finish(procs)
    schemas = set()
    for key in ("example-a", "example-b"):
        run = run_dir(tmp_path / key)
        schemas.add((run / "store.url").read_text().strip())
        s = store_of(run)
        assert [site["key"] for site in s.sites()] == [site_key(portal, key)]
        hosts = set(portal.site(key).hosts)
        pages = s.pages()
        assert pages and all(_host(p.url) in hosts or p.kind != "page" for p in pages)
        assert json.loads((run / "results.json").read_text(encoding="utf-8"))["sites"][0]["crawl"]["status"] \
            == "complete"
    assert len(schemas) == 2
    import redis

    server = redis.Redis.from_url(queue.split("?")[0])
    left = {k.decode().rsplit(":", 1)[1] for k in server.scan_iter(match=queue.split("namespace=")[1] + ":*")}
    assert left == {"done"}                  # a finished run leaves only the word to late workers


def site_key(portal: Any, key: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(portal.url(key)).hostname or ""


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or ""



@pytest.mark.slow
def test_coordinator_interrupted_then_resumed(portal, dns_server, services, tmp_path):
    """Ctrl-C to the coordinator: its workers give their leases back, exit 130 with the resume command;
    `zwgk audit --resume RUN_DIR` continues the same run (same schema) to the single-machine pages."""
    queue, store = services
    config = write_inspection(tmp_path / "i.yaml", _sites(portal, "example-b"), dns=dns_server.address,
                              concurrency_per_site=2, delay=0.03, max_pages=1000, max_depth=30, render_js="never")
    single = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "one"), "--workers", "1")
    assert single.returncode == 0, single.stderr[-2000:]
    # (a test run started as a background job inherits SIGINT ignored: the audit gets Ctrl-C's default)
    with running(subprocess.Popen(
            [sys.executable, "-m", "zwgk", "audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2",
             "--queue", queue, "--store", store, "--fail-on", "never", "--no-screenshots"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))) as proc:
        def started() -> bool:
            runs = list((tmp_path / "runs").glob("*/store.url"))
            if not runs:
                return False
            s = store_of(runs[0].parent)
            try:
                return bool(s.sites()) and s.count_pages(s.sites()[0]["key"]) >= 20
            finally:
                s.close()

        _wait_for(started)
        assert proc.poll() is None, "the audit ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = ended(proc, 180, returncode=130)
    run = run_dir(tmp_path / "runs")
    assert f"zwgk audit --resume {run}" in out + err
    s = store_of(run)
    assert {w["reason"] for w in s.workers()} == {"shutdown"}
    done = _audit("--resume", str(run), "--workers", "2", "--fail-on", "never", "--no-screenshots")
    assert done.returncode == 0, done.stderr[-3000:]
    records = [(p.url, p.method) for p in store_of(run).pages()]
    assert len(records) == len(set(records))
    one = {(p.url, p.method, p.status) for p in store_of(run_dir(tmp_path / "one")).pages()}
    assert {(p.url, p.method, p.status) for p in store_of(run).pages()} == one
