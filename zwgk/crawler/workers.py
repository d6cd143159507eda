"""Several crawl worker processes on one run: both cores, one command (`zwgk audit --workers N`).

Every worker is a whole Scrapy crawler (worker.py) over the same inspection and the same store. They
share the frontier (frontier.py: a worker leases rows, a page's commit marks its row done), so a
multi-site inspection spreads over the workers and one large site is split between them too, and they
share the politeness limits and caps (limiter.py: a site's concurrency, delay and page cap hold over
all of them, counted in the run's limits file). This process only coordinates: it starts the workers,
gives a dead worker's leases back to the queue (a replacement is started while work is left), passes
Ctrl-C on to them once, and reports whether the crawl was interrupted.

Workers run in their own sessions (a terminal's Ctrl-C reaches them once, through here) and die with
this process (PR_SET_PDEATHSIG): a killed coordinator leaves no crawler running behind a `--resume`.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.utils.log import configure_logging

from zwgk.browser import announce_unavailable
from zwgk.crawler.limiter import SharedLimits, limits_layout
from zwgk.store import Store

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from zwgk.config.inspection import Inspection
    from zwgk.rundir import RunDir

log = logging.getLogger(__name__)
TICK_S = 0.2


def limits_for(settings: Settings, path: Path) -> dict[str, Any]:
    """The shared limits' layout for these crawl settings: a record per download slot, and the hosts
    of each site (a request without a slot of ours, robots.txt, counts against its site)."""
    hosts = {h: site["key"] for site in settings.getlist("ZWGK_SITES") for h in site["hosts"]}
    layout = limits_layout(settings.getdict("DOWNLOAD_SLOTS"), hosts)
    layout["path"] = str(path)
    return layout


class WorkerPool:
    def __init__(self, run: RunDir, workers: int, layout_file: Path):
        self.run = run
        self.workers = workers
        self.layout_file = layout_file
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.started = 0
        self.stops = 0                 # Ctrl-C / SIGTERM received (and passed on)

    def spawn(self) -> str:
        self.started += 1
        wid = f"w{self.started}"
        cmd = [sys.executable, "-m", "zwgk.crawler.worker", str(self.run.path), "--id", wid,
               "--workers", str(self.workers), "--limits", str(self.layout_file), "--parent", str(os.getpid())]
        self.procs[wid] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
        log.info("crawl worker %s started (pid %d)", wid, self.procs[wid].pid)
        return wid

    def stop(self, signum: int = signal.SIGINT) -> None:
        """Pass a stop on: the first asks each worker to finish cleanly, a second one forces it."""
        self.stops += 1
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signum)

    def kill(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs.values():
            proc.wait()


def crawl_with_workers(insp: Inspection, run: RunDir, workers: int, settings: Settings, *,
                       progress: bool) -> bool:
    """Crawl with `workers` processes until the frontier is done; True if the crawl was interrupted."""
    limits = run.path / "crawl.limits"
    layout_file = run.path / "crawl.limits.json"
    layout = limits_for(settings, limits)
    SharedLimits.create(limits, layout)
    layout_file.write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")
    pool = WorkerPool(run, workers, layout_file)
    # this process logs to the crawl log as a single-process crawl does (Scrapy sets that up there)
    configure_logging({**settings.copy_to_dict(), "LOG_FORMAT": "%(asctime)s [coordinator] [%(name)s] "
                                                                  "%(levelname)s: %(message)s"})
    _announce_browser(settings)
    store = Store(run.store)
    line = _Progress(store, len(settings.getlist("ZWGK_SITES")), workers) if progress else None

    def on_stop(signum: int, _frame: Any) -> None:
        pool.stop(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    previous = {sig: signal.signal(sig, on_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for _ in range(workers):
            pool.spawn()
        respawns = 0
        while pool.procs:
            time.sleep(TICK_S)
            for wid, proc in list(pool.procs.items()):
                rc = proc.poll()
                if rc is None:
                    continue
                del pool.procs[wid]
                if rc != 0 and _crashed(store, wid):
                    back = store.requeue_leases(wid)
                    log.warning("crawl worker %s ended abnormally (exit %s); %d leased requests queued again",
                                wid, rc, back)
                    if not pool.stops and respawns < 2 * workers and store.frontier_busy():
                        respawns += 1
                        pool.spawn()
            _relayed(store)
            if line is not None:
                line.show()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if pool.procs:                 # an error here: no worker may outlive the crawl it belongs to
            pool.kill()
        if line is not None:
            line.done()
    _relayed(store)
    reasons = {w["id"]: w["reason"] for w in store.workers()}
    interrupted = bool(pool.stops) or store.frontier_busy() or any(
        r not in ("finished", None) for r in reasons.values())
    store.close()
    for path in (limits, layout_file):
        path.unlink(missing_ok=True)
    return interrupted


def _announce_browser(settings: Settings) -> None:
    """Said once for the run (the evaluation's screenshots, in this process too, will not repeat it)."""
    render = settings.getdict("ZWGK_RENDER")
    if not render.get("available") and any(s["crawl"].get("render_js", "auto") != "never"
                                           for s in settings.getlist("ZWGK_SITES")):
        announce_unavailable(render.get("reason") or "未找到浏览器")


def _relayed(store: Store) -> None:
    """What a worker found out about the browser while crawling (browser.relay_announcements)."""
    reason = store.get_meta("browser_unavailable")
    if reason is not None:
        announce_unavailable(reason)


def _crashed(store: Store, worker: str) -> bool:
    """A worker that exited without recording how it finished (killed, or an error)."""
    return not any(w["id"] == worker and w["reason"] for w in store.workers())


class _Progress:
    """The coordinator's one-line progress on a terminal, from the store (all workers together)."""

    def __init__(self, store: Store, sites: int, workers: int):
        self.store, self.sites, self.workers = store, sites, workers
        self.last = 0.0

    def text(self) -> str:
        counts = self.store.frontier_counts()
        fetched = int(self.store.query("SELECT COUNT(*) FROM pages")[0][0])
        waiting = counts.get("queued", 0) + counts.get("leased", 0)
        busy = self.store.queued_by_site()
        begun = {r[0] for r in self.store.query("SELECT DISTINCT site FROM frontier")}
        done = len(begun - set(busy))
        return (f"站点 {done}/{self.sites} 完成 · 已抓取 {fetched} 个页面/附件 · 待抓取 {waiting} · "
                f"{self.workers} 个抓取进程")

    def show(self) -> None:
        if time.monotonic() - self.last >= 1.0:
            self.last = time.monotonic()
            sys.stderr.write("\r\033[K" + self.text())
            sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\r\033[K" + self.text() + "\n")
        sys.stderr.flush()
