"""One crawl worker process of a multi-worker run (started by workers.py, never by people):

    python -m zwgk.crawler.worker RUN_DIR --id w2 --workers 2 --limits RUN_DIR/crawl.limits.json --parent PID

(or `main` with those arguments in a process forked from the coordinator: workers.py)

It builds the same Scrapy settings as a single-process crawl from the run's inspection, plus its
name and the shared limits, crawls until the shared frontier is done, and records how it finished in
the store's `workers` table. It dies with its coordinator.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path


def _die_with_parent(parent: int) -> None:
    """SIGKILL when the coordinator goes (Linux prctl PR_SET_PDEATHSIG); exit if it is already gone."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):    # not Linux: the coordinator still stops its workers itself
        pass
    if os.getppid() != parent:
        sys.exit(1)


def tell_coordinator(store_location: Path | str, reason: str) -> None:
    """The browser is unavailable: the coordinator says so once for the run (store meta). Used by
    every worker process, local (the run's SQLite file) or distributed (its PostgreSQL URL)."""
    from zwgk.store import Store

    store = Store(store_location)
    try:
        if store.get_meta("browser_unavailable") is None:
            store.set_meta("browser_unavailable", reason)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="zwgk.crawler.worker")
    p.add_argument("run", type=Path)
    p.add_argument("--id", required=True)
    p.add_argument("--workers", type=int, required=True)
    p.add_argument("--limits", type=Path, required=True)
    p.add_argument("--parent", type=int, required=True)
    args = p.parse_args(argv)
    _die_with_parent(args.parent)

    from scrapy.crawler import CrawlerProcess

    from zwgk.browser import relay_announcements
    from zwgk.crawler.runner import build_settings, start_lean
    from zwgk.crawler.spiders.portal import PortalSpider
    from zwgk.rundir import RunDir

    run = RunDir.open(args.run)
    relay_announcements(lambda reason: tell_coordinator(run.store, reason))
    layout = json.loads(args.limits.read_text(encoding="utf-8"))
    settings = build_settings(run.load_config(), run, progress=False, worker=args.id, workers=args.workers,
                              limits=layout)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler)
    start_lean(process)
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    return 0 if reason == "finished" else 3


if __name__ == "__main__":
    sys.exit(main())
