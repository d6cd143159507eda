"""Run the portal crawl for an inspection: Scrapy settings from the config, then the crawl workers.

One worker (`--workers 1`) crawls in this process; with N, this process is worker w1 and starts
w2 … wN, all sharing the run's frontier and politeness limits (workers.py). The reactor runs once per
process, so the CLI calls this once; tests run the CLI in a subprocess.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import shutil
import signal
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from zwgk.config.inspection import Inspection
from zwgk.crawler import settings as default_settings
from zwgk.crawler.outcome import SiteOutcome
from zwgk.crawler.render import RENDER_SLOT, render_settings
from zwgk.crawler.spiders.portal import PortalSpider
from zwgk.crawler.state import crawl_state
from zwgk.error_kinds import ERROR_LABELS
from zwgk.rundir import RunDir
from zwgk.store import Store, now_iso

log = logging.getLogger(__name__)


def site_key(url: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9.-]+", "-", (urlsplit(url).hostname or "site").lower())
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def focus_terms() -> tuple[list[str], list[str]]:
    """Column names and URL segments of the 政府信息公开 tree, from the column catalogue."""
    from zwgk.rules.columns import load_columns  # data file; imported late to keep start-up light

    terms: list[str] = []
    segments: list[str] = []
    for col in load_columns().values():
        terms += [col.name, *col.aliases]
        segments += list(col.url_segments)
    return terms, segments


def default_workers() -> int:
    """The machine's cores (those this process may run on)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:              # not Linux
        return max(1, os.cpu_count() or 1)


def build_settings(insp: Inspection, run: RunDir, *, progress: bool, worker: str = "w1", workers: int = 1,
                   limits: dict[str, Any] | None = None) -> Settings:
    """Scrapy settings of one crawl worker. `limits` (several workers): the shared limits file's layout,
    which makes the downloader ask it before every request."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    taken: set[str] = set()
    sites: list[dict[str, Any]] = []
    slots: dict[str, dict[str, Any]] = {}
    for site in insp.sites:
        crawl = insp.site_crawl(site)
        key = site_key(site.url, taken)
        sites.append({"key": key, "name": site.name, "url": site.url, "unit": site.unit,
                      "hosts": site.all_hosts, "crawl": crawl.model_dump()})
        slots[key] = {"concurrency": crawl.concurrency_per_site, "delay": crawl.delay, "randomize_delay": False}
        # rendered pages get a slot of their own: a slow render must not hold the plain crawl's slots,
        # nor teach AutoThrottle that the site is slow
        pages = insp.crawl.browser_pages_per_context * insp.crawl.browser_contexts
        slots[f"{key}{RENDER_SLOT}"] = {"concurrency": pages, "delay": crawl.delay, "randomize_delay": False}
    terms, segments = focus_terms()
    delays = [s["delay"] for s in slots.values()]
    concurrency = max(s["concurrency"] for k, s in slots.items() if not k.endswith(RENDER_SLOT))
    settings.setdict({
        "ZWGK_SITES": sites,
        "ZWGK_STORE": str(run.store),
        "ZWGK_PROGRESS": progress,
        "ZWGK_FOCUS_TERMS": terms,
        "ZWGK_FOCUS_URL_SEGMENTS": segments,
        "DOWNLOAD_SLOTS": slots,
        "DOWNLOAD_DELAY": min(delays),
        "AUTOTHROTTLE_START_DELAY": max(min(delays), 0.01),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(concurrency),
        "CONCURRENT_REQUESTS": min(256, sum(s["concurrency"] for s in slots.values())),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_TIMEOUT": max(s["crawl"]["timeout"] for s in sites),
        "RETRY_TIMES": insp.crawl.retries,
        "ROBOTSTXT_OBEY": any(s["crawl"]["respect_robots"] for s in sites),
        "LOG_FILE": str(run.log),
        "LOG_FILE_APPEND": True,
        "ZWGK_WORKER": worker,
        "ZWGK_WORKERS": workers,
        "ZWGK_ANNOUNCE": worker == "w1",       # said by w1, once (the others relay it: worker.py)
    }, priority="cmdline")
    if workers > 1:
        settings.setdict({
            "ZWGK_PROGRESS": progress and worker == "w1",     # w1 shows the progress of all workers
            "LOG_FORMAT": f"%(asctime)s [{worker}] [%(name)s] %(levelname)s: %(message)s",
        }, priority="cmdline")
    if limits:
        settings.setdict({"ZWGK_LIMITS": limits, "DOWNLOADER": "zwgk.crawler.limiter.LimitedDownloader"},
                         priority="cmdline")
    hosts = sorted({h for site in sites for h in site["hosts"]})
    settings.setdict(render_settings(insp, hosts, [s["crawl"]["render_js"] for s in sites]), priority="cmdline")
    if insp.crawl.user_agent:
        settings.set("USER_AGENT", insp.crawl.user_agent, priority="cmdline")
    if insp.network.dns_servers:
        settings.set("ZWGK_DNS_SERVERS", insp.network.dns_servers, priority="cmdline")
        settings.set("TWISTED_DNS_RESOLVER", "zwgk.crawler.resolver.DnsPythonResolver", priority="cmdline")
    return settings


def prepare_resume(run: RunDir, store: Store) -> None:
    """The store's frontier is the resume state: requests leased by the interrupted run's workers (fetched
    or in flight, never committed) go back to the queue. (Runs of earlier versions left Scrapy's JOBDIR.)"""
    if run.jobdir.exists():
        shutil.rmtree(run.jobdir)
    back = store.requeue_leases()
    if back:
        log.info("Resuming: %d requests the interrupted crawl had not committed are queued again", back)


def prepare_crawl(insp: Inspection, run: RunDir, *, resume: bool = False, progress: bool = True) -> Settings:
    """The crawl's settings, with every site registered in the store (running, unless resumed) and a
    resumed run's leftovers queued again. Both modes start here: this process's workers (run_crawl)
    and a distributed run's (zwgk/distributed/coordinator.py)."""
    store = Store(run.store)
    settings = build_settings(insp, run, progress=progress)
    for position, site in enumerate(settings.getlist("ZWGK_SITES")):
        store.upsert_site(site["key"], site["name"], site["url"], site["unit"], site["hosts"], position)
        if not resume:
            store.update_site(site["key"], status="running", started=now_iso())
    store.set_meta("as_of", insp.as_of.isoformat())
    store.set_meta("config_digest", insp.digest)
    if resume:
        prepare_resume(run, store)
    store.close()
    return settings


def run_crawl(insp: Inspection, run: RunDir, *, resume: bool = False, progress: bool = True,
              workers: int | None = None) -> list[SiteOutcome]:
    """Crawl every site with `workers` processes on this machine (default: its cores; 1 = in this
    process). (A distributed run is coordinated by zwgk/distributed, above this layer.)"""
    if run.queue is not None:
        raise ValueError("a distributed run is crawled by zwgk.distributed.coordinator.crawl_distributed")
    n = workers or default_workers()
    settings = prepare_crawl(insp, run, resume=resume, progress=progress)
    pool = None
    if n > 1:          # this process is worker w1 and starts w2 … wN (workers.py)
        from zwgk.crawler.workers import WorkerPool

        pool = WorkerPool(run, n, settings)
        settings = build_settings(insp, run, progress=progress, worker="w1", workers=n, limits=pool.layout)
        pool.spawn_all()

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    if pool is not None:
        pool.attach(crawler)
    process.crawl(crawler)
    try:
        start_lean(process)
    finally:
        # Scrapy's handlers only stop its reactor; after the crawl, Ctrl-C must interrupt us again
        signal.signal(signal.SIGINT, signal.default_int_handler)

    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    interrupted = reason not in ("finished", None)
    state = crawl_state(crawler)
    if pool is not None:
        interrupted = pool.finish() or interrupted
        pool.merge_notes(state)
    return finish_sites(state.store, state.sites, interrupted=interrupted)


def start_lean(process: CrawlerProcess) -> None:
    """process.start() with the cyclic collector tuned for a crawl: what exists before it (imports,
    settings, the spider) lives as long as it, so it is left out of the collector's full passes (they
    scanned it every ≈ 10 s: 0.4 CPU-s of a 2,000-page crawl), and the young generation is collected
    every 5,000 allocations instead of 700 (a crawl allocates by the million, little of it cyclic)."""
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(5000, thresholds[1], thresholds[2])
    try:
        process.start()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def finish_sites(store: Store, states: dict[str, Any], *, interrupted: bool) -> list[SiteOutcome]:
    outcomes = []
    for site in store.sites():
        key = site["key"]
        stats = store.site_stats(key)
        home = store.page(key, site["url"])
        st = states.get(key)
        capped = sorted(set(site["capped"]) | (st.capped if st else set()))
        detail = ""
        if interrupted and (home is None or not stats["fetched"]):
            status = "interrupted"        # stopped before the homepage answered: unknown, not unreachable
        elif home is None or home.status is None or home.status >= 500 or (
                stats["pages"] and stats["http_errors"] + stats["errors"] >= stats["fetched"]):
            status = "unreachable"
            if home is not None:
                detail = (ERROR_LABELS.get(home.error_kind or "", home.error_kind or "") if home.error_kind
                          else f"HTTP {home.status}")     # the error text itself is in the page record
        elif interrupted:
            status = "interrupted"
        elif capped:
            status = "capped"
        else:
            status = "complete"
        if status != "unreachable" and st is not None:      # e.g. the trap patterns a budget cut
            detail = " ".join(n for n in st.notes if n)
        store.update_site(key, status=status, capped=capped, finished=now_iso(), detail=detail)
        outcomes.append(SiteOutcome(key, site["name"], status, stats["pages"], stats["attachments"],
                                    stats["errors"] + stats["http_errors"], capped, detail))
    return outcomes
