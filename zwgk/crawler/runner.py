"""Run the portal crawl for an inspection: Scrapy settings from the config, then one CrawlerProcess.

The reactor runs once per process, so the CLI calls this once; tests run the CLI in a subprocess.
"""

from __future__ import annotations

import logging
import re
import shutil
import signal
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from zwgk.config.inspection import Inspection
from zwgk.crawler import settings as default_settings
from zwgk.crawler.render import RENDER_SLOT, render_settings
from zwgk.crawler.spiders.portal import PortalSpider
from zwgk.crawler.state import crawl_state
from zwgk.error_kinds import ERROR_LABELS
from zwgk.rundir import RunDir
from zwgk.store import Store, now_iso

log = logging.getLogger(__name__)


@dataclass
class SiteOutcome:
    key: str
    name: str
    status: str                 # complete | capped | unreachable | interrupted
    pages: int
    attachments: int
    errors: int
    capped: list[str] = field(default_factory=list)
    detail: str = ""


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


def build_settings(insp: Inspection, run: RunDir, *, progress: bool) -> Settings:
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
        "JOBDIR": str(run.jobdir),
        "LOG_FILE": str(run.log),
        "LOG_FILE_APPEND": True,
    }, priority="cmdline")
    hosts = sorted({h for site in sites for h in site["hosts"]})
    settings.setdict(render_settings(insp, hosts, [s["crawl"]["render_js"] for s in sites]), priority="cmdline")
    if insp.crawl.user_agent:
        settings.set("USER_AGENT", insp.crawl.user_agent, priority="cmdline")
    if insp.network.dns_servers:
        settings.set("ZWGK_DNS_SERVERS", insp.network.dns_servers, priority="cmdline")
        settings.set("TWISTED_DNS_RESOLVER", "zwgk.crawler.resolver.DnsPythonResolver", priority="cmdline")
    return settings


def prepare_resume(run: RunDir) -> None:
    """Scrapy's queue files are only consistent after a clean stop; the store's frontier always is.
    Start the queue afresh and let the spider re-queue the frontier's waiting requests."""
    if run.jobdir.exists():
        shutil.rmtree(run.jobdir)


def run_crawl(insp: Inspection, run: RunDir, *, resume: bool = False, progress: bool = True) -> list[SiteOutcome]:
    store = Store(run.store)
    settings = build_settings(insp, run, progress=progress)
    for site in settings.getlist("ZWGK_SITES"):
        store.upsert_site(site["key"], site["name"], site["url"], site["unit"], site["hosts"])
        if not resume:
            store.update_site(site["key"], status="running", started=now_iso())
    store.set_meta("as_of", insp.as_of.isoformat())
    store.set_meta("config_digest", insp.digest)
    if resume:
        prepare_resume(run)
    store.close()

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(crawler)
    try:
        process.start()
    finally:
        # Scrapy's handlers only stop its reactor; after the crawl, Ctrl-C must interrupt us again
        signal.signal(signal.SIGINT, signal.default_int_handler)

    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    state = crawl_state(crawler)
    return finish_sites(state.store, state.sites, interrupted=reason not in ("finished", None))


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
