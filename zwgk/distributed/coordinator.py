"""The coordinator of a distributed run (`zwgk audit -c X.yaml --queue redis://… --store postgresql://…`).

It checks that Redis and PostgreSQL answer (before anything is written), gives the run a PostgreSQL
schema and Redis keys of its own (both named after the run id), seeds the queue (the homepages; on
`--resume`, the store's unfinished frontier), publishes the run for `zwgk worker` on any machine,
starts `--workers N` local worker processes, and then watches: expired leases go back to the queue
(a dead worker's requests are fetched by the others), a local worker that dies is replaced while work
is left. When nothing is queued and no lease is held, the run is drained: the workers are told (the
`done` flag), and the command goes on to the probes, evaluation and reports, reading the shared store.

Passwords never reach argv, files or messages: the run directory keeps the URLs without them
(queue.url, store.url), local workers get the full URLs in their environment (ZWGK_QUEUE,
ZWGK_STORE), and this process's later store connections find the PostgreSQL password in PGPASSWORD.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import click
import psycopg
import redis

from zwgk.distributed.queue import DEFAULT_TTL_S, QueueUnavailable, RunQueue, connect, redact, row_of
from zwgk.errors import ZwgkError
from zwgk.store import Store, frontier_row

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from zwgk.config.inspection import Inspection
    from zwgk.crawler.outcome import SiteOutcome
    from zwgk.rundir import RunDir

log = logging.getLogger(__name__)
TICK_S = 0.5
LINGER_S = 120.0            # after the run is drained, how long local workers may take to close
DONE_TTL_S = 3600.0         # remote workers that look later still see the run is over


@dataclass
class SiteNotes:
    """What finish_sites needs of a site beyond the store: caps (in the store) and notes (merged)."""
    capped: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class WorkersFailed(ZwgkError):
    exit_code = 3


def schema_name(run_id: str) -> str:
    return "zwgk_" + re.sub(r"[^a-z0-9]+", "_", run_id.lower()).strip("_")[:50]


def lease_ttl() -> float:
    return float(os.environ.get("ZWGK_LEASE_TTL") or DEFAULT_TTL_S)


def check_services(queue_url: str, store_url: str) -> None:
    """Both services answer (else a ZwgkError with a Chinese message: exit 2, nothing written)."""
    from zwgk.db.postgres import PostgresBackend
    from zwgk.errors import ZwgkError

    if not store_url.startswith(("postgresql://", "postgres://")):
        raise ZwgkError(f"分布式模式的存储应为 postgresql://… / the distributed store must be PostgreSQL: "
                        f"{store_url.split('@')[-1]}")
    connect(queue_url).close()
    PostgresBackend(store_url).close()


def attach(run: RunDir, queue_url: str, store_url: str) -> None:
    """Make `run` a distributed run (its schema, the URLs without passwords) and keep the secrets for
    this process and its local workers in the environment."""
    from zwgk.db.postgres import redact as redact_pg
    from zwgk.db.postgres import with_schema

    run.set_distributed(redact(queue_url), with_schema(redact_pg(store_url), schema_name(run.id)))
    use_secrets(run, queue_url, store_url)


def use_secrets(run: RunDir, queue_url: str | None, store_url: str | None) -> None:
    """The full URLs (with passwords) given to this command, for this process and the workers it starts."""
    if queue_url:
        os.environ["ZWGK_QUEUE"] = queue_url
    if store_url:
        password = urlsplit(store_url).password
        if password:
            os.environ["PGPASSWORD"] = unquote(password)
        from zwgk.db.postgres import with_schema

        os.environ["ZWGK_STORE"] = with_schema(store_url, schema_name(run.id))


def _queue_url(run: RunDir) -> str:
    given = os.environ.get("ZWGK_QUEUE")
    recorded = run.queue or ""
    return given if given and redact(given) == recorded else recorded


def _store_url(run: RunDir) -> str:
    from zwgk.db.postgres import redact as redact_pg

    given = os.environ.get("ZWGK_STORE")
    return given if given and redact_pg(given) == str(run.store) else str(run.store)


def seed(queue: RunQueue, store: Store, settings: Settings, *, rebuild: bool) -> int:
    """The queue from the store's frontier (a new or resumed run), and the homepages. Returns how many
    requests are queued."""
    from zwgk.crawler.focus import Focus

    if rebuild:
        queue.reset()
        pending = store.pending_frontier()
        for i in range(0, len(pending), 1000):
            queue.add("", [((r[0], r[1], r[2]), row_of(r), False) for r in pending[i:i + 1000]])
        queue.seed_seen(store.frontier_keys())      # done and dropped requests are not fetched again
    focus = Focus(settings.getlist("ZWGK_FOCUS_TERMS"), settings.getlist("ZWGK_FOCUS_URL_SEGMENTS"))
    homes = [frontier_row(s["key"], s["url"], "GET", "page", 0, focus.priority(s["url"], "首页", 0, "page"),
                          None, "首页") for s in settings.getlist("ZWGK_SITES")]
    store.add_frontier_rows(homes)
    queue.add("", [((r[0], r[1], r[2]), row_of(r), False) for r in homes])
    return queue.counts()[0]


class LocalWorkers:
    """The coordinator's own worker processes (`--workers N`), replaced when one dies."""

    def __init__(self, run: RunDir, n: int, env: dict[str, str]):
        self.run = run
        self.env = env
        self.n = n
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.started = 0
        self.respawns = 0

    def spawn(self) -> None:
        self.started += 1
        wid = f"{socket.gethostname()}-c{os.getpid()}-{self.started}"
        cmd = [sys.executable, "-m", "zwgk.distributed.worker", "--run", self.run.id, "--id", wid,
               "--parent", str(os.getpid()), "--log", str(self.run.log)]
        self.procs[wid] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True,
                                           env={**os.environ, **self.env})
        log.info("crawl worker %s started (pid %d)", wid, self.procs[wid].pid)

    def watch(self, work_left: bool) -> None:
        for wid, proc in list(self.procs.items()):
            rc = proc.poll()
            if rc is None:
                continue
            del self.procs[wid]
            if rc != 0:
                log.warning("crawl worker %s ended abnormally (exit %s); its leases return when they expire",
                            wid, rc)
                if work_left and self.respawns < 2 * self.n:
                    self.respawns += 1
                    self.spawn()
                elif not self.procs:
                    raise WorkersFailed(f"本机的抓取工作进程反复异常退出（退出码 {rc}），见 {self.run.log} / "
                                        "local crawl workers keep failing")

    def signal(self, sig: int) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(sig)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()


def crawl_distributed(insp: Inspection, run: RunDir, *, resume: bool = False, progress: bool = True,
                      workers: int | None = None) -> list[SiteOutcome]:
    """A distributed run's crawl (its run directory names a queue): this machine's `workers` (default:
    its cores) and any machine's `zwgk worker` crawl until the queue is drained."""
    from zwgk.crawler.runner import default_workers, finish_sites, prepare_crawl

    settings = prepare_crawl(insp, run, resume=resume, progress=progress)
    interrupted, notes = coordinate(run, settings, resume=resume, progress=progress,
                                    workers=default_workers() if workers is None else workers)
    store = Store(run.store)
    try:
        return finish_sites(store, notes, interrupted=interrupted)
    finally:
        store.close()


def coordinate(run: RunDir, settings: Settings, *, resume: bool, workers: int,
               progress: bool) -> tuple[bool, dict[str, Any]]:
    """Seed, crawl with the local and remote workers until drained; (interrupted, site notes)."""
    from zwgk.crawler.workers import limits_for

    queue_url, store_url = _queue_url(run), _store_url(run)
    queue = RunQueue(queue_url, run.id, ttl=lease_ttl())
    store = Store(run.store)
    queued = seed(queue, store, settings, rebuild=resume or not queue.exists())
    layout = limits_for(settings, run.path / "crawl.limits")
    layout.pop("path", None)
    queue.register(json.loads(run.config.read_text(encoding="utf-8")), str(run.store), layout)
    log.info("distributed run %s: %d requests queued", run.id, queued)
    local = LocalWorkers(run, workers, {"ZWGK_QUEUE": queue_url, "ZWGK_STORE": store_url})
    for _ in range(workers):
        local.spawn()
    if workers == 0 or progress:
        click.echo(f"分布式运行 {run.id}：队列 {redact(queue.url)}，存储 {run.store}。其他机器加入：\n"
                   f"  ZWGK_QUEUE=… ZWGK_STORE=… zwgk worker", err=True)
    interrupted = False
    shown = 0.0
    try:
        while True:
            time.sleep(TICK_S)
            queue.reap()
            waiting, leased = queue.counts()
            local.watch(work_left=bool(waiting or leased))
            if not waiting and not leased:
                break
            if progress and time.monotonic() - shown > 10:
                shown = time.monotonic()
                fetched = store.query("SELECT COUNT(*) FROM pages")[0][0]
                click.echo(f"  已抓取 {fetched} · 队列 {waiting} · 进行中 {leased}", err=True)
        queue.set_flag("done", DONE_TTL_S)
        local.wait(LINGER_S)
    except KeyboardInterrupt:
        interrupted = True
        queue.set_flag("stop", DONE_TTL_S)
        local.signal(signal.SIGINT)
        local.wait(LINGER_S)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            queue.set_flag("stop", DONE_TTL_S)    # no worker goes on with a run nobody coordinates
        local.signal(signal.SIGINT)
        local.wait(30)
        if isinstance(exc, redis.RedisError | psycopg.Error):
            raise QueueUnavailable(f"分布式运行中断：与 Redis / PostgreSQL 的连接出错（{type(exc).__name__}）；"
                                   f"服务恢复后可继续：zwgk audit --resume {run.path} / a service failed") from None
        raise
    queue.retire()
    notes = _notes(store)
    store.close()
    return interrupted, notes


def _notes(store: Store) -> dict[str, SiteNotes]:
    """Every worker's notes for the sites' detail (e.g. a trap pattern a budget cut there)."""
    out: dict[str, SiteNotes] = {}
    workers = [w["id"] for w in store.workers()]
    for site in store.sites():
        entry = out[site["key"]] = SiteNotes()
        for wid in workers:
            for note in store.get_meta(f"notes {wid} {site['key']}", []):
                if note not in entry.notes:
                    entry.notes.append(note)
    return out
