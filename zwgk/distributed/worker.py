"""A distributed crawl worker: `zwgk worker --queue redis://… --store postgresql://…` on any machine,
or started by the coordinator for its `--workers N` (python -m zwgk.distributed.worker --run ID …).

It joins a run published in the queue (the oldest one still going, or `--run ID`), builds the same
Scrapy settings as the coordinator's machine would from the run's inspection (kept in Redis), with
the Redis frontier, scheduler and limits, and crawls into the run's PostgreSQL schema until the
coordinator says the run is over (or stop), or nothing has been anywhere for `--idle-exit` seconds.
Its log goes to a directory of its own (`--workdir`, default a temp directory); its account (caps,
notes, how it finished) goes to the store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zwgk.distributed.queue import RunQueue, active_runs, connect, split_namespace


def find_run(queue_url: str, wanted: str | None, wait: float) -> str | None:
    """The run to join: `wanted`, or the oldest published one not yet over; waits up to `wait` s."""
    server = connect(queue_url)
    ns = split_namespace(queue_url)[1]
    deadline = time.monotonic() + wait
    while True:
        for run_id in ([wanted] if wanted else active_runs(server, ns)):
            queue = RunQueue(queue_url, run_id, server=server)
            if queue.exists() and not queue.flag("done") and not queue.flag("stop"):
                return run_id
        if time.monotonic() >= deadline:
            return None
        time.sleep(1.0)


def worker_dir(run_id: str, worker_id: str) -> Path:
    """Where a worker without --workdir keeps the run's inspection and its log."""
    return Path(tempfile.gettempdir()) / f"zwgk-worker-{run_id}-{worker_id}"


def crawl(queue_url: str, store_url: str, run_id: str, worker_id: str, *, log: Path | None = None,
          workdir: Path | None = None, idle_exit: float = 0.0, on_start: Any = None) -> int:
    """Crawl one run as worker `worker_id`; 0 when it finished with the run, 3 otherwise."""
    from scrapy.crawler import CrawlerProcess

    from zwgk.browser import relay_announcements
    from zwgk.crawler.runner import build_settings
    from zwgk.crawler.spiders.portal import PortalSpider
    from zwgk.crawler.worker import tell_coordinator
    from zwgk.db.postgres import split_schema, with_schema
    from zwgk.distributed.coordinator import lease_ttl
    from zwgk.rundir import RunDir

    queue = RunQueue(queue_url, run_id, ttl=lease_ttl())
    config = queue.read("config")
    schema = split_schema(queue.read("store") or "")[1]
    if config is None or schema is None:
        return 0                  # the run is over (its keys are gone)
    store = with_schema(store_url, schema)
    directory = workdir or worker_dir(run_id, worker_id)
    directory.mkdir(parents=True, exist_ok=True)
    run = RunDir(directory)
    run.config.write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    insp = run.load_config()
    layout = queue.read("limits") or {"records": {}, "hosts": {}}
    settings = build_settings(insp, run, progress=False, worker=worker_id, workers=2, limits=layout)
    layout.update(queue=queue_url, run_id=run_id, timeout=settings.getfloat("DOWNLOAD_TIMEOUT"))
    settings.setdict({
        "ZWGK_STORE": store, "ZWGK_QUEUE": queue_url, "ZWGK_RUN_ID": run_id, "ZWGK_LIMITS": layout,
        "ZWGK_LEASE_TTL": lease_ttl(), "ZWGK_IDLE_EXIT": idle_exit, "ZWGK_ANNOUNCE": False,
        "SCHEDULER": "zwgk.distributed.scheduler.RedisScheduler",
        "ZWGK_FRONTIER": "zwgk.distributed.queue.RedisFrontier",
        "ZWGK_LIMITS_CLASS": "zwgk.distributed.limiter.RedisLimits",
        "LOG_FILE": str(log or run.log),
    }, priority="cmdline")

    relay_announcements(lambda reason: tell_coordinator(store, reason))
    if on_start is not None:
        on_start(run_id)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler)
    try:
        process.start()
    finally:
        if workdir is None and log is not None:     # the coordinator's worker: its log is the run's,
            shutil.rmtree(directory, ignore_errors=True)    # the directory held only the inspection
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return 0 if reason == "finished" else 3


def main(argv: list[str] | None = None) -> int:
    """The coordinator's local worker (queue and store URLs in ZWGK_QUEUE / ZWGK_STORE, never argv)."""
    from zwgk.crawler.worker import _die_with_parent

    p = argparse.ArgumentParser(prog="zwgk.distributed.worker")
    p.add_argument("--run", required=True)
    p.add_argument("--id", default=f"{socket.gethostname()}-{os.getpid()}")
    p.add_argument("--parent", type=int)
    p.add_argument("--log", type=Path)
    p.add_argument("--idle-exit", type=float, default=0.0)
    args = p.parse_args(argv)
    if args.parent:
        _die_with_parent(args.parent)
    return crawl(os.environ["ZWGK_QUEUE"], os.environ["ZWGK_STORE"], args.run, args.id, log=args.log,
                 idle_exit=args.idle_exit)


if __name__ == "__main__":
    sys.exit(main())
