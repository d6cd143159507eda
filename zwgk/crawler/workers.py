"""Several crawl worker processes on one run: both cores, one command (`zwgk audit --workers N`).

Every worker is a whole Scrapy crawler over the same inspection and the same store. They share the
frontier (frontier.py: a worker leases rows, a page's commit marks its row done), so a multi-site
inspection spreads over the workers and one large site is split between them too, and they share the
politeness limits and caps (limiter.py: a site's concurrency, delay and page cap hold over all of them,
counted in the run's limits file).

The process that calls runner.run_crawl (`zwgk crawl`'s own; for `zwgk audit` a child forked to crawl:
apart.py) is worker w1 and coordinates the others (worker.py, w2 … wN): it starts
them, gives a dead worker's leases back to the queue (w1 and the others take them; a replacement is
started while work is left), and when its own crawl stops for any reason but "finished" (Ctrl-C,
SIGTERM) it asks the others to stop cleanly too. Workers run in their own sessions (a terminal's
Ctrl-C reaches them once, through w1) and die with it (PR_SET_PDEATHSIG): a killed crawl leaves no
process running behind a `--resume`. The workers started with the crawl are forked from w1 before its
reactor exists (they skip the imports and the config a new interpreter would load again); a
replacement started mid-crawl is a new interpreter (`python -m zwgk.crawler.worker`).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import subprocess
import sys
import time
import traceback
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from zwgk.browser import announce_unavailable
from zwgk.crawler.apart import fork_safe
from zwgk.crawler.limiter import SharedLimits, limits_layout
from zwgk.store import Store

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    from zwgk.crawler.state import CrawlState
    from zwgk.rundir import RunDir

log = logging.getLogger(__name__)
TICK_S = 0.2
LINGER_S = 120.0        # after w1's crawl, how long the others may take to finish theirs


def limits_for(settings: Settings, path: Path) -> dict[str, Any]:
    """The shared limits' layout for these crawl settings: a record per download slot, and the hosts
    of each site (a request without a slot of ours, robots.txt, counts against its site)."""
    hosts = {h: site["key"] for site in settings.getlist("ZWGK_SITES") for h in site["hosts"]}
    layout = limits_layout(settings.getdict("DOWNLOAD_SLOTS"), hosts)
    layout["path"] = str(path)
    return layout


class WorkerPool:
    """Workers w2 … wN of a run, watched from w1's reactor."""

    def __init__(self, run: RunDir, workers: int, settings: Settings):
        self.run = run
        self.workers = workers
        self.limits = run.path / "crawl.limits"
        self.layout_file = run.path / "crawl.limits.json"
        self.layout = limits_for(settings, self.limits)
        SharedLimits.create(self.limits, self.layout)
        self.layout_file.write_text(json.dumps(self.layout, ensure_ascii=False), encoding="utf-8")
        self.procs: dict[str, subprocess.Popen[bytes] | Forked] = {}
        self.started = 1                   # w1 is this process
        self.respawns = 0
        self.stopped = False
        self.store = Store(run.store)
        self.loop: task.LoopingCall | None = None

    def spawn_all(self) -> None:
        # no SQLite connection may cross a fork (the child's SQLite would take the parent's locks for
        # its own): this one closes while the workers are forked
        self.store.close()
        try:
            for _ in range(self.workers - 1):
                self.spawn()
        finally:
            self.store = Store(self.run.store)

    def spawn(self) -> str:
        self.started += 1
        wid = f"w{self.started}"
        args = [str(self.run.path), "--id", wid, "--workers", str(self.workers), "--limits", str(self.layout_file),
                "--parent", str(os.getpid())]
        proc = _fork_worker(args)
        if proc is None:
            proc = subprocess.Popen([sys.executable, "-m", "zwgk.crawler.worker", *args], stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        self.procs[wid] = proc
        log.info("crawl worker %s started (pid %d%s)", wid, proc.pid, ", forked" if isinstance(proc, Forked) else "")
        return wid

    # --- watched from w1's reactor ----------------------------------------------------------
    def attach(self, crawler: Crawler) -> None:
        crawler.signals.connect(self._opened, signal=signals.engine_started)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _opened(self) -> None:
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(TICK_S, now=False)
        from twisted.internet import reactor

        reactor.callLater(0.5, self._forward_signals)   # once Scrapy has installed its own handlers

    def _forward_signals(self) -> None:
        """Ctrl-C / SIGTERM to w1 reaches the others at once (they run in their own sessions)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(sig)
            if callable(previous):
                signal.signal(sig, partial(self._on_signal, previous))

    def _on_signal(self, previous: Any, signum: int, frame: Any) -> None:
        self.stop()
        previous(signum, frame)

    def _closed(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if reason != "finished":          # Ctrl-C, SIGTERM …: the others stop cleanly as well
            self.stop()

    def tick(self) -> None:
        """A worker that is gone without saying how it finished (killed, or an error): its leases go
        back to the queue, and while work is left a replacement starts."""
        for wid, proc in list(self.procs.items()):
            rc = proc.poll()
            if rc is None:
                continue
            del self.procs[wid]
            if rc != 0 and self._crashed(wid):
                back = self.store.requeue_leases(wid)
                log.warning("crawl worker %s ended abnormally (exit %s); %d leased requests queued again",
                            wid, rc, back)
                if not self.stopped and self.respawns < 2 * self.workers and self.store.frontier_busy():
                    self.respawns += 1
                    self.spawn()
        self._relayed()

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)

    def finish(self) -> bool:
        """After w1's crawl: wait for the others (idle ones close within a poll); True if any of them
        did not finish (stopped, or work left in the frontier)."""
        deadline = time.monotonic() + LINGER_S
        try:
            while self.procs:
                # on the first worker still running (the crawl ends in all of them at about the same
                # time): back as soon as it has exited, not at the next tick
                running = [p for p in self.procs.values() if p.poll() is None]
                if running:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        running[0].wait(TICK_S)
                self.tick()
                if time.monotonic() > deadline:      # a worker that does not finish: stop it, then kill it
                    log.warning("crawl workers %s still running; stopping them", ", ".join(self.procs))
                    self.stop()
                    for proc in self.procs.values():
                        try:
                            proc.wait(LINGER_S)
                        except subprocess.TimeoutExpired:
                            proc.kill()
                    deadline = float("inf")
        except BaseException:
            for proc in self.procs.values():      # no worker may outlive the crawl it belongs to
                proc.kill()
            raise
        self._relayed()
        reasons = [w["reason"] for w in self.store.workers()]
        interrupted = self.stopped or self.store.frontier_busy() or any(
            r not in ("finished", None) for r in reasons)
        self.store.close()
        for path in (self.limits, self.layout_file):
            path.unlink(missing_ok=True)
        return interrupted

    def merge_notes(self, state: CrawlState) -> None:
        """The other workers' notes for the sites' detail (e.g. a trap pattern a budget cut there)."""
        store = Store(self.run.store)
        try:
            for site in state.sites.values():
                for worker in range(2, self.started + 1):
                    for note in store.get_meta(f"notes w{worker} {site.key}", []):
                        if note not in site.notes:
                            site.notes.append(note)
        finally:
            store.close()

    def _relayed(self) -> None:
        """What a worker found out about the browser while crawling (browser.relay_announcements)."""
        reason = self.store.get_meta("browser_unavailable")
        if reason is not None:
            announce_unavailable(reason)

    def _crashed(self, worker: str) -> bool:
        return not any(w["id"] == worker and w["reason"] for w in self.store.workers())


# --- forked workers ---------------------------------------------------------------------------------
class Forked:
    """A worker forked from w1 before any crawl started: it has the imports and the loaded inspection
    already (a new interpreter spends ≈ 1–1.5 CPU-s on them). What WorkerPool uses of Popen."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:       # reaped elsewhere: gone, how it ended is in the store
                self.returncode = -1
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (rc := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0)
            time.sleep(0.02)
        return rc

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _fork_worker(args: list[str]) -> Forked | None:
    """Fork a worker (zwgk.crawler.worker.main with `args`) if it is safe here: no reactor yet and no
    other thread (a lock held by one would stay locked in the child). None: start a new interpreter."""
    if not fork_safe():
        return None
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()          # else the child would write the parent's pending output again
    # What both processes hold from before the fork leaves the collector's reach: its passes would
    # write to every object's header and so copy the pages they share (the workers' memory, PSS).
    gc.freeze()
    pid = os.fork()
    if pid:
        return Forked(pid)
    code = 1
    try:                            # the child: as `python -m zwgk.crawler.worker ARGS` would run
        os.setsid()                 # its own session, as start_new_session (Ctrl-C reaches it through w1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        from zwgk.crawler.worker import main

        code = main(args)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        # never back into the parent's stack (its CLI, its open store): the worker ends here
        os._exit(code)
    return None     # not reached
