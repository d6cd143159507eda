"""Scale-out measurement of the distributed mode (DESIGN §10): many small portals, 1 / 2 / 4 workers.

    .venv/bin/python bench/scale.py [--sites 200] [--workers 1,2,4] [--json bench/scale-last.json]

What it does, all on loopback: builds `--sites` small portals from portal_sim's bench spec (TRS, 25 pages
and 8 attachments each, every page reachable by plain links; hosts www.sNNN.bench.gov.cn) served by one
PortalServer, with portal_sim's DNS fixture answering for them; starts Debian's redis-server and
PostgreSQL in a temp directory (zwgk.services, fsync off); then, for each worker count, crawls the
whole inspection as a distributed run — the coordinator (this process, zwgk.distributed.coordinator.crawl_distributed
on a run directory attached to the queue and store) with N local worker processes — with politeness
on: at most 2 requests in flight and 0.25 s between request starts per host, over all workers.
Only the crawl is timed (no probes, checks or reports). Reported per run: wall time, sites/hour,
pages/s, the scaling factor against 1 worker, and what the server saw per host (most requests in
flight at once, the shortest gap between two request starts, requests served twice).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "zwgk" / "portal_sim" / "specs" / "bench.yaml"
CONCURRENCY, DELAY = 2, 0.25


def small_specs(n: int) -> list[Any]:
    from zwgk.portal_sim import load_spec

    base = load_spec(SPEC)
    cols = tuple(dataclasses.replace(c, docs=min(c.docs, 3)) if c.docs else c for c in base.columns)
    return [base.with_changes(key=f"s{i:03d}", name=f"基准{i:03d}县人民政府",
                              hosts={"main": f"www.s{i:03d}.bench.gov.cn"}, generated=None, columns=cols,
                              seed=i + 1) for i in range(n)]


class InFlight:
    """What the server sees per host: requests in flight at once, and when each request started
    (its request line and headers read), counted by wrapping the portal's request handler."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.starts: dict[str, list[float]] = defaultdict(list)

    def clear(self) -> None:
        with self.lock:
            self.peak.clear()
            self.starts.clear()

    def install(self) -> None:
        from zwgk.portal_sim import server

        handler = server._Handler
        handle, parse = handler.handle_one_request, handler.parse_request
        meter = self

        def parse_request(self: Any) -> bool:
            ok = parse(self)
            if ok:
                host = (self.headers.get("Host") or "").split(":")[0]
                agent = self.headers.get("User-Agent") or ""
                self._metered = host
                with meter.lock:
                    meter.now[host] += 1
                    meter.peak[host] = max(meter.peak[host], meter.now[host])
                    if "probe" not in agent and not self.path.startswith("/robots.txt"):
                        meter.starts[host].append(time.monotonic())
            return ok

        def handle_one_request(self: Any) -> None:
            self._metered = None
            try:
                handle(self)
            finally:
                if self._metered is not None:
                    with meter.lock:
                        meter.now[self._metered] -= 1

        handler.parse_request = parse_request
        handler.handle_one_request = handle_one_request


class Sampler(threading.Thread):
    """The peak of a reading taken every 0.2 s (Redis's used memory during the crawl)."""

    def __init__(self, read: Any) -> None:
        super().__init__(daemon=True)
        self.read, self.peak, self.done = read, 0, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.peak = max(self.peak, self.read())

    def stop(self) -> None:
        self.done.set()
        self.join()
        self.peak = max(self.peak, self.read())


def inspection(path: Path, portal: Any, dns: str) -> Path:
    sites = [{"name": s.spec.name, "url": portal.url(key), "unit": "县政府办公室"} for key, s in portal.sites.items()]
    config = {"name": "规模测试", "as_of": "2026-11-22", "sites": sites, "network": {"dns_servers": [dns]},
              "crawl": {"concurrency_per_site": CONCURRENCY, "delay": DELAY, "timeout": 20, "max_pages": 1000,
                        "max_depth": 30, "render_js": "never", "screenshots": False}}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def crawl_once(workers: int, config: Path, workdir: Path, queue: str, store: str, portal: Any,
               meter: InFlight) -> dict[str, Any]:
    from zwgk.config.inspection import load_inspection
    from zwgk.distributed.coordinator import attach, crawl_distributed
    from zwgk.distributed.queue import connect
    from zwgk.rundir import RunDir
    from zwgk.store import Store

    insp = load_inspection(config)
    run = RunDir.create(workdir / f"runs-{workers}", insp)
    attach(run, queue, store)
    portal.clear_log()
    meter.clear()
    server = connect(queue)
    server.config_resetstat()
    memory = Sampler(lambda: int(server.info("memory")["used_memory"]))
    cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    outcomes = crawl_distributed(insp, run, workers=workers, progress=False)
    wall = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_self, cpu_workers = (cpu1[i].ru_utime + cpu1[i].ru_stime - cpu0[i].ru_utime - cpu0[i].ru_stime
                             for i in (0, 1))
    memory.stop()
    commands = int(server.info("stats")["total_commands_processed"])
    st = Store(run.store)
    pages = int(st.query("SELECT COUNT(*) FROM pages")[0][0])
    pg_bytes = int(st.query("SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'")[0][0])
    st.close()
    log = [e for e in portal.request_log if "probe" not in e.agent and e.path != "/robots.txt"]
    with meter.lock:
        runs = [sorted(t) for t in meter.starts.values() if len(t) > 2]
    gaps = [min(b - a for a, b in itertools.pairwise(t)) for t in runs]
    rates = [(len(t) - 1) / (t[-1] - t[0]) for t in runs if t[-1] > t[0]]
    twice = sum(n - 1 for n in Counter((e.host, e.path, e.method) for e in log).values() if n > 1)
    n_sites = len(outcomes)
    return {
        "workers": workers, "wall_s": round(wall, 1), "sites": n_sites,
        "complete": sum(o.status == "complete" for o in outcomes), "records": pages, "requests": len(log),
        "sites_per_hour": round(n_sites / wall * 3600), "records_per_s": round(pages / wall, 1),
        "peak_in_flight_per_host": max(meter.peak.values(), default=0),
        "min_gap_per_host_s": round(min(gaps), 3) if gaps else None,
        "max_rate_per_host": round(max(rates), 2) if rates else None, "served_twice": twice,
        "load_avg_1min_at_end": round(os.getloadavg()[0], 2),
        "cpu_workers_s": round(cpu_workers, 1), "cpu_server_and_coordinator_s": round(cpu_self, 1),
        "redis_commands_per_record": round(commands / max(1, pages), 1),
        "redis_commands_per_s": round(commands / wall), "redis_peak_used_mb": round(memory.peak / 2**20, 1),
        "pg_bytes_per_record": round(pg_bytes / max(1, pages)),
    }


def table(rows: list[dict[str, Any]]) -> str:
    base = rows[0]["wall_s"] if rows else 1
    out = ["| workers | wall s | sites complete | records | sites/hour | records/s | scaling | peak in flight/host "
           "| min gap/host s | max req/s per host | served twice | load avg |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['workers']} | {r['wall_s']} | {r['complete']}/{r['sites']} | {r['records']} | "
                   f"{r['sites_per_hour']} | {r['records_per_s']} | {base / r['wall_s']:.2f}× | "
                   f"{r['peak_in_flight_per_host']} | {r['min_gap_per_host_s']} | {r['max_rate_per_host']} | "
                   f"{r['served_twice']} | {r['load_avg_1min_at_end']} |")
    out += ["", "| workers | CPU s, workers | CPU s, portal server + coordinator | Redis commands / record "
            "| Redis commands/s | Redis peak used MB | PostgreSQL bytes / record |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['workers']} | {r['cpu_workers_s']} | {r['cpu_server_and_coordinator_s']} | "
                   f"{r['redis_commands_per_record']} | {r['redis_commands_per_s']} | "
                   f"{r['redis_peak_used_mb']} | {r['pg_bytes_per_record']} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sites", type=int, default=200)
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--keep", action="store_true", help="keep the temp directory (run directories, logs)")
    args = p.parse_args(argv)
    counts = [int(x) for x in args.workers.split(",")]

    from zwgk.portal_sim import DnsFixture, RunningPortal
    from zwgk.services import free_port, start_postgres, start_redis, stop_service

    meter = InFlight()
    meter.install()
    workdir = Path(tempfile.mkdtemp(prefix="zwgk-scale-"))
    pgdir = Path(tempfile.mkdtemp(prefix="zwgk-scale-pg-"))
    os.chmod(pgdir, 0o755)      # as root, PostgreSQL runs as the postgres user (zwgk.services)
    specs = small_specs(args.sites)
    rows: list[dict[str, Any]] = []
    with RunningPortal(specs) as portal, DnsFixture({h: {"A": ["127.0.0.1"]} for h in portal.hosts}) as dns:
        redis = start_redis(workdir / "redis", free_port(), durable=False)
        pg = start_postgres(pgdir, free_port(), durable=False)
        try:
            config = inspection(workdir / "scale.yaml", portal, dns.address)
            for n in counts:
                print(f"crawling {args.sites} portals with {n} worker(s) …", file=sys.stderr, flush=True)
                rows.append(crawl_once(n, config, workdir, redis.url, pg.url, portal, meter))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
        finally:
            stop_service(pg)
            stop_service(redis)
            if not args.keep:
                shutil.rmtree(workdir, ignore_errors=True)
                shutil.rmtree(pgdir, ignore_errors=True)
    print(f"{args.sites} portals × 25 pages + 8 attachments, politeness {CONCURRENCY} in flight / {DELAY} s per host, "
          f"{os.cpu_count()} CPUs")
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
