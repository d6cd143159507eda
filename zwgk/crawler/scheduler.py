"""The crawl's scheduler: Scrapy's queue replaced by the shared, leased frontier (frontier.py).

Every new request (past the dupefilter) becomes a frontier row. When the local queue runs low the
scheduler leases the best queued rows (highest priority, then oldest) and rebuilds their Requests
through the spider (`request_from_frontier`). With one worker a new row is leased to it at once and the
Request object stays here while the local queue has room (no round trip through the store; beyond
`ZWGK_LOCAL_QUEUE` the least important ones wait in the store), so it behaves like Scrapy's priority
queue with bounded memory. With several workers every new row is queued and only a committed lease
says who fetches it: two workers finding the same link add one row, and one of them fetches it.
Redirect hops, retries and a GET standing in for a refused HEAD continue a row this worker holds:
they stay local.

The local queue is kept per download slot and hands the engine the best request of a slot that has
room (fewer requests in the downloader than its concurrency): requests do not wait in a busy site's
downloader queue while better ones are found, so priority order — what a page cap cuts — holds as
requests are sent, and one slow site does not fill the downloader for the others.

Scrapy's JOBDIR disk queue is not used: the frontier is the resume state. A worker with nothing to do
stays open while another one still holds leases (their pages may bring new rows), polling the
frontier, and closes when no row is queued or leased anywhere.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet import task

from zwgk.crawler.frontier import Frontier, frontier_key
from zwgk.crawler.state import CrawlState, crawl_state
from zwgk.store import RENDER_METHOD, FrontierKey, PageRecord

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)
HOLD_S = 2.0        # a page's discoveries wait at most this long for its record (several workers)


class FrontierScheduler:
    def __init__(self, crawler: Crawler, state: CrawlState, dupefilter: Any, frontier: Frontier):
        settings = crawler.settings
        self.crawler = crawler
        self.state = state
        self.df = dupefilter
        self.frontier = frontier
        self.stats = crawler.stats
        self.shared = state.workers > 1
        concurrency = settings.getint("CONCURRENT_REQUESTS") or 16
        # one worker: almost the whole frontier may wait here (like Scrapy's memory queue); several:
        # a small local queue of leased rows, so that the others find the rest in the shared frontier
        self.capacity = settings.getint("ZWGK_LOCAL_QUEUE") or (max(16, 2 * concurrency) if self.shared else 10000)
        # leased ahead of need: with several workers every row one holds is one the others cannot take
        default_batch = max(2, concurrency // 2) if self.shared else max(8, concurrency)
        self.batch = max(1, min(self.capacity, settings.getint("ZWGK_LEASE_BATCH") or default_batch))
        self.poll_seconds = settings.getfloat("ZWGK_POLL_SECONDS", 0.2)
        self.spider: Spider | None = None
        # per download slot, ascending by (priority, -seq): pop() is the best and oldest, [0] the least
        self._local: dict[str, list[tuple[int, int, Request, FrontierKey]]] = {}
        self._size = 0
        self._cont: list[tuple[int, int, Request]] = []      # continuations (heap of (-priority, seq))
        self._seq = itertools.count()
        self._maybe_queued = True       # rows may wait in the frontier (a resume, other workers, spills)
        self._quiet_until = 0.0         # several workers: no lease attempt before this after an empty one
        self._poll: task.LoopingCall | None = None
        # several workers: new requests wait here, by (site, page that found them), until that page's
        # record is written — the rows then go out with it (see _share)
        self._held: dict[tuple[str, str], list[Request]] = {}
        self._held_since: dict[tuple[str, str], float] = {}
        self._tried: set[tuple[str, str]] = set()       # awaited list members already looked for
        state.before_record = self.before_record

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        state = crawl_state(crawler)
        df = build_from_crawler(load_object(crawler.settings["DUPEFILTER_CLASS"]), crawler)
        return cls(crawler, state, df, state.frontier)

    # --- Scrapy's scheduler interface ---------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        # after the spider's own closed() (connected when it was built), which adds the trap caps
        self.crawler.signals.connect(self._report, signal=signals.spider_closed)
        self.state.store.register_worker(self.state.worker, os.getpid(), socket.gethostname())
        if hasattr(self.df, "open"):
            self.df.open()

    def close(self, reason: str) -> None:
        self._stop_poll()
        self._release_stale(0)
        left = self.frontier.finish(complete=reason == "finished")
        if left:
            log.info("%s: %d leased requests %s", self.state.worker, left,
                     "ended without a record" if reason == "finished" else "given back to the queue")
        if hasattr(self.df, "close"):
            self.df.close(reason)

    def _report(self, reason: str) -> None:
        """This worker's account in the store: the caps it hit, its notes for the sites' detail (the
        command's process adds the other workers' to its own: runner.py), how it finished."""
        store = self.state.store
        for site in self.state.sites.values():
            store.add_capped(site.key, site.capped)
            if self.shared and self.state.worker != "w1" and any(site.notes):
                store.set_meta(f"notes {self.state.worker} {site.key}", [n for n in site.notes if n])
        store.finish_worker(self.state.worker, reason)

    def has_pending_requests(self) -> bool:
        return bool(self._size or self._cont or self._held)

    def __len__(self) -> int:
        return self._size + len(self._cont) + sum(len(v) for v in self._held.values())

    def enqueue_request(self, request: Request) -> bool:
        meta = request.meta
        if meta.pop("zwgk_fresh", False):             # a leased row, rebuilt: ours until its record is stored
            self._push(request, frontier_key(request))
            return True
        if request.dont_filter or meta.get("redirect_urls"):
            heapq.heappush(self._cont, (-request.priority, next(self._seq), request))
            return True
        if self.df.request_seen(request):
            self.stats.inc_value("dupefilter/filtered")
            return False
        self.stats.inc_value("scheduler/enqueued")
        if self.shared:
            self._hold(request)
        elif self._size < self.capacity:
            self.frontier.add(request, leased=True)
            self._push(request, frontier_key(request))
        elif request.priority > self._least()[0]:       # outranks the least local request: swap them
            self.frontier.give_back(self._pop(self._least_slot(), 0)[3])
            self.frontier.add(request, leased=True)
            self._push(request, frontier_key(request))
            self._maybe_queued = True
        else:
            self.frontier.add(request, leased=False)
            self._maybe_queued = True
        return True

    def next_request(self) -> Request | None:
        if self._cont:
            return heapq.heappop(self._cont)[2]
        if self._held_since:
            self._release_stale(HOLD_S)
        busy = self._busy_slots()
        slot = self._best_ready_slot(busy)
        if (slot is None or not self.shared) and self._size < self.batch and self._maybe_queued and (
                not self.shared or time.monotonic() >= self._quiet_until):
            # several workers: lease only when nothing held here can go (every row held is one the
            # others cannot take); one worker: keep the local queue topped up from the spilled rows
            self._refill()
            slot = self._best_ready_slot(busy)
        if slot is None:
            return None
        self.stats.inc_value("scheduler/dequeued")
        return self._pop(slot)[2]

    # --- the local queue ----------------------------------------------------------------------
    def _push(self, request: Request, key: FrontierKey) -> None:
        entries = self._local.setdefault(request.meta.get("download_slot") or "", [])
        bisect.insort(entries, (request.priority, -next(self._seq), request, key), key=lambda e: (e[0], e[1]))
        self._size += 1

    def _pop(self, slot: str, index: int = -1) -> tuple[int, int, Request, FrontierKey]:
        entries = self._local[slot]
        entry = entries.pop(index)
        if not entries:
            del self._local[slot]
        self._size -= 1
        return entry

    def _busy_slots(self) -> set[str]:
        """Download slots holding as many requests as they may have in flight: counted over all the
        downloader holds (also requests still waiting for their host's robots.txt)."""
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None or not downloader.active:
            return set()
        held: dict[str, int] = {}
        for request in downloader.active:
            slot = request.meta.get("download_slot") or ""
            held[slot] = held.get(slot, 0) + 1
        limits = downloader.per_slot_settings
        default = downloader.domain_concurrency
        return {slot for slot, n in held.items() if n >= int(limits.get(slot, {}).get("concurrency", default))}

    def _best_ready_slot(self, busy: set[str]) -> str | None:
        """The slot whose best request is the best of those the downloader has room for now."""
        best, best_slot = None, None
        for slot, entries in self._local.items():
            if slot in busy:
                continue                       # its requests would only wait in the downloader
            top = entries[-1][:2]
            if best is None or top > best:
                best, best_slot = top, slot
        return best_slot

    def _least_slot(self) -> str:
        return min(self._local, key=lambda slot: self._local[slot][0][:2])

    def _least(self) -> tuple[int, int, Request, FrontierKey]:
        return self._local[self._least_slot()][0]

    # --- the frontier -------------------------------------------------------------------------

    def _refill(self) -> int:
        """Lease queued rows into the local queue; how many came."""
        want = max(1, min(self.batch, self.capacity - self._size))
        rows = self.frontier.lease(want)
        if len(rows) < want:
            if self.shared:                 # others may queue rows any time: look again a little later
                self._quiet_until = time.monotonic() + self.poll_seconds
            else:
                self._maybe_queued = False  # one worker: only it queues rows, and it has them all now
        for row in rows:
            key = (row["site"], row["url"], row["method"])
            if self.shared and not self._budget(row):
                continue
            out = self.spider.request_from_frontier(row) if self.spider is not None else None  # type: ignore[attr-defined]
            if isinstance(out, Request):
                if self.shared:
                    out.meta["zwgk_budgeted"] = True
                self._push(out, key)
            elif isinstance(out, PageRecord):    # e.g. a page that needs the browser when there is none
                self.state.writer.page(out)
            else:
                self.frontier.drop(key, "unknown_site")
        if rows:
            self.stats.inc_value("zwgk/leased", len(rows))
        return len(rows)

    # --- several workers: a page's discoveries go out with its record -------------------------------
    def _hold(self, request: Request) -> None:
        meta = request.meta
        # the page whose callback yielded it (SpiderOutputMiddleware), not its referer: a list's render
        # cross-check is yielded while its last member is read, with the list's referer, whose record
        # is long written — held under that, it waited unseen by the frontier, and a distributed run
        # could look drained and be evaluated without it
        found_on = (meta.get("zwgk_site", ""), meta.get("zwgk_found_on") or meta.get("zwgk_referer") or "")
        if not found_on[1]:               # a homepage: nothing to wait for
            self._share([request])
            return
        self._held.setdefault(found_on, []).append(request)
        self._held_since.setdefault(found_on, time.monotonic())

    def before_record(self, rec: PageRecord) -> None:
        """The pipeline is about to write `rec`: the requests its page yielded are shared now, after the
        spider has read the page to the end — so a list member it awaits is known as one."""
        if not self.shared or not self._held:
            return
        batch: list[Request] = []
        for url in {rec.url, rec.final_url or rec.url}:
            batch += self._held.pop((rec.site, url), [])
            self._held_since.pop((rec.site, url), None)
        if batch:
            self._share(batch)

    def _release_stale(self, age: float) -> None:
        """Requests whose page's record never came (or not yet, after `age` s): shared all the same."""
        now = time.monotonic()
        for found_on, since in list(self._held_since.items()):
            if now - since >= age:
                del self._held_since[found_on]
                self._share(self._held.pop(found_on, []))

    def _share(self, requests: list[Request]) -> None:
        """New rows for every worker, but the members of lists this worker reads (the list's paging and
        probe chains continue where the list is read, as in one process) and the requests the spider
        keeps (zwgk_keep: the browser render of such a list — rendered by another worker, whose spider
        does not hold the list, its DOM would be credited to nothing and the list stay partial): those it
        leases itself, and it takes the queued rows of members it awaits that another page already added."""
        awaited = self.spider.awaited_members() if self.spider is not None and hasattr(  # type: ignore[attr-defined]
            self.spider, "awaited_members") else ()
        own: list[tuple[Request, FrontierKey]] = []
        for request in requests:
            key = frontier_key(request)
            if request.meta.get("zwgk_keep") or (key[0], key[1]) in awaited:
                self.frontier.add(request, leased=True)
                own.append((request, key))
                self._tried.add((key[0], key[1]))
            else:
                self.frontier.add(request, leased=False)
                self._maybe_queued = True
                self._quiet_until = 0.0
        wanted = [k for k in awaited if k not in self._tried]
        if not own and not wanted:
            return
        self._tried.update(wanted)
        mine, rows = self.frontier.claim([key for _, key in own], wanted)
        for request, key in own:
            if key in mine:
                self._push(request, key)
        for row in rows:
            out = self.spider.request_from_frontier(row) if self.spider is not None else None  # type: ignore[attr-defined]
            if isinstance(out, Request):
                self._push(out, (row["site"], row["url"], row["method"]))
        if rows:
            self.stats.inc_value("zwgk/claimed", len(rows))

    def _budget(self, row: Any) -> bool:
        """Several workers: a page counts against its site's max_pages when it is leased — in the
        frontier's priority order, whichever worker fetches it — not when some worker gets round to
        sending it (a slower worker's leased pages would lose their place to the others' later ones).
        A page the browser renders again (render_js: auto) was counted with its plain fetch."""
        site = self.state.sites.get(row["site"])
        if site is None or row["kind"] != "page" or row["url"] in site.pages_requested:
            return True
        cfg = self.spider.sites.get(row["site"], {}).get("crawl", {}) if self.spider is not None else {}  # type: ignore[attr-defined]
        if row["method"] == RENDER_METHOD and cfg.get("render_js") != "always":
            return True
        if not self.state.budget.take_page(site.key, site.max_pages):
            site.capped.add("max_pages")
            self.frontier.drop((row["site"], row["url"], row["method"]), "max_pages")
            self.stats.inc_value("zwgk/capped/max_pages")
            return False
        site.pages_requested.add(row["url"])
        return True

    def _on_idle(self) -> None:
        """Nothing local is left. Take more from the frontier, or wait while other workers hold leases
        (their pages may queue rows), or let the spider close."""
        self._release_stale(0)
        if self._size or self._cont:
            self._wake()
            raise DontCloseSpider
        if self._refill():
            self._wake()
            raise DontCloseSpider
        if self.shared and self.frontier.busy_elsewhere():
            if self._poll is None:
                self._poll = task.LoopingCall(self._poll_frontier)
                self._poll.start(self.poll_seconds, now=False)
            raise DontCloseSpider

    def _poll_frontier(self) -> None:
        if self._size or self._cont:
            self._stop_poll()
            return
        if self._refill() or not self.frontier.busy_elsewhere():
            self._stop_poll()
            self._wake()              # work to do, or nothing anywhere: the engine looks again (and closes)

    def _stop_poll(self) -> None:
        if self._poll is not None:
            if self._poll.running:
                self._poll.stop()
            self._poll = None

    def _wake(self) -> None:
        # the engine asks the scheduler again at its next call (else only at its 5 s heartbeat)
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()
