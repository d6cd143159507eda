"""Politeness and caps that hold across crawl worker processes.

Two small interfaces, each with a local implementation and room for a distributed one (Redis):

* `HostLimiter` — per download slot (a site, or its browser slot): at most `concurrency` requests in
  flight and consecutive starts at least `delay` apart, counted over every worker together.
  `LimitedDownloader` asks it before each request leaves the process (Scrapy's own slot logic still
  runs, so AutoThrottle can only slow a site further) and gives the token back when the transfer ends.
* `SiteBudget` — the page cap (max_pages) and the clock of max_seconds, per site, over all workers.

With one worker Scrapy's slots are exact and `LocalBudget` keeps today's per-process counts. With
several, `SharedLimits` implements both in a small file of the run (crawl.limits): per slot a record
(start time of the last request, pages granted, the site's first request) guarded by a POSIX record
lock, and one lock byte per concurrent request. The kernel drops a process's locks when it dies, so a
SIGKILLed worker's in-flight tokens come back by themselves. CLOCK_MONOTONIC is one clock for all
processes of the machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import mmap
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

Token = tuple[str, int]
FREE: Token = ("", -1)              # a request no limit applies to (nothing to give back)
BUSY_RETRY_S = 0.005                # all of a slot's tokens are out: look again this soon


class HostLimiter(Protocol):
    def key_for(self, slot_key: str, request: Request) -> str: ...

    def delay(self, key: str) -> float: ...

    def try_acquire(self, key: str, delay: float) -> tuple[Token | None, float]:
        """A token (the request may start now) or None and how long to wait before trying again."""

    def release(self, token: Token) -> None: ...


class SiteBudget(Protocol):
    def take_page(self, site: str, limit: int) -> bool:
        """Count one more page of the site against `limit`; False once the cap is reached."""

    def started(self, site: str) -> float:
        """time.monotonic() of the site's first request in any worker (max_seconds runs from it)."""


class LocalBudget:
    """One process: the counts live here (today's behaviour)."""

    def __init__(self) -> None:
        self.pages: dict[str, int] = {}
        self.start: dict[str, float] = {}

    def take_page(self, site: str, limit: int) -> bool:
        n = self.pages.get(site, 0)
        if n >= limit:
            return False
        self.pages[site] = n + 1
        return True

    def started(self, site: str) -> float:
        return self.start.setdefault(site, time.monotonic())


# --- the shared file --------------------------------------------------------------------------
# record of one slot at its offset: [0] lock byte · [8:16) last start (double) · [16:24) pages granted
# (int64) · [24:32) first request (double) · [32, 32 + concurrency) one lock byte per token
_HEADER = 32


COUNTERS = 4096                     # named counters (trap patterns …): hashed into this many buckets
MEMBERS = 65536                     # (counter, URL) pairs a counter remembers, so a URL is charged once
_PROBES = 64                        # open addressing: how far a member is looked for


def limits_layout(slots: dict[str, dict[str, Any]], hosts: dict[str, str]) -> dict[str, Any]:
    """The file's layout for the run's download slots ({key: {concurrency, delay}}) and which slot
    a request without one (robots.txt) counts against, by host; then COUNTERS buckets of 16 bytes
    (lock byte, int64 count); then a lock byte and MEMBERS 8-byte hashes of (counter, member) taken.
    Passed to every worker in settings."""
    records, offset = {}, 0
    for key in sorted(slots):
        conc = max(1, int(slots[key]["concurrency"]))
        records[key] = [offset, conc, float(slots[key].get("delay") or 0.0)]
        offset += (_HEADER + conc + 7) // 8 * 8
    members = offset + 16 * COUNTERS
    return {"records": records, "counters": offset, "members": members, "size": members + 8 + 8 * MEMBERS,
            "hosts": hosts}


class SlotLayout:
    """The run's download slots as limits_layout gives them (records {slot: [offset, concurrency,
    delay]}, hosts {host: slot}): which slot a request counts against and its delay. The limits of
    several workers (the file here, Redis in zwgk/distributed/limiter.py) share it."""

    def __init__(self, layout: dict[str, Any]):
        self.records: dict[str, list[Any]] = layout["records"]
        self.hosts: dict[str, str] = layout.get("hosts", {})

    def key_for(self, slot_key: str, request: Request) -> str:
        if slot_key in self.records:
            return slot_key
        return self.hosts.get(urlsplit(request.url).hostname or "", "")

    def delay(self, key: str) -> float:
        rec = self.records.get(key)
        return float(rec[2]) if rec else 0.0


class SharedLimits(SlotLayout):
    """HostLimiter and SiteBudget over the run's limits file (see the module docstring)."""

    def __init__(self, path: str | Path, layout: dict[str, Any]):
        super().__init__(layout)
        self.counters = int(layout.get("counters", layout["size"]))
        self.members: int | None = layout.get("members")      # None: a layout from before members
        self.fd = os.open(str(path), os.O_RDWR)      # never closed before exit: closing drops our locks
        self.mm = mmap.mmap(self.fd, int(layout["size"]))
        self.held: dict[str, set[int]] = {}

    @staticmethod
    def create(path: str | Path, layout: dict[str, Any]) -> None:
        Path(path).write_bytes(b"\0" * int(layout["size"]))

    @contextlib.contextmanager
    def _locked(self, offset: int) -> Iterator[None]:
        fcntl.lockf(self.fd, fcntl.LOCK_EX, 1, offset)
        try:
            yield
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, offset)

    # HostLimiter (key_for, delay: SlotLayout)
    def try_acquire(self, key: str, delay: float) -> tuple[Token | None, float]:
        rec = self.records.get(key)
        if rec is None:
            return FREE, 0.0
        offset, conc, _ = rec
        held = self.held.setdefault(key, set())
        with self._locked(offset):
            now = time.monotonic()
            (last,) = struct.unpack_from("d", self.mm, offset + 8)
            if delay > 0 and last and now < last + delay:
                return None, last + delay - now
            for j in range(conc):
                if j in held:     # POSIX locks are per process: a lock we hold would be granted again
                    continue
                try:
                    fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset + _HEADER + j)
                except OSError:
                    continue      # another worker's request is in flight on this token
                held.add(j)
                struct.pack_into("d", self.mm, offset + 8, now)
                return (key, j), 0.0
        return None, BUSY_RETRY_S

    def release(self, token: Token) -> None:
        key, j = token
        if j < 0:
            return
        fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, self.records[key][0] + _HEADER + j)
        self.held[key].discard(j)

    def in_flight(self, key: str) -> int:
        """Tokens out for this slot in this process (for tests and the progress line)."""
        return len(self.held.get(key, ()))

    # SiteBudget
    def take_page(self, site: str, limit: int) -> bool:
        rec = self.records.get(site)
        if rec is None:
            return True
        with self._locked(rec[0]):
            (n,) = struct.unpack_from("q", self.mm, rec[0] + 16)
            if n >= limit:
                return False
            struct.pack_into("q", self.mm, rec[0] + 16, n + 1)
            return True

    def take(self, key: str, limit: int, member: str | None = None) -> bool:
        """One unit of a named budget (e.g. a site's trap pattern) against `limit`, over all workers.
        Names share a bucket when their hashes collide: a budget may then end early, never late.
        A `member` (a URL) is remembered: taken again, it is granted without counting (a page fetched
        again after its worker died proposes the same links)."""
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
        offset = self.counters + 16 * (int.from_bytes(digest, "big") % COUNTERS)
        if member is None or self.members is None:
            with self._locked(offset):
                return self._count(offset, limit)
        with self._locked(self.members), self._locked(offset):
            slot = self._member_slot(f"{key}\n{member}")
            if slot is not None and struct.unpack_from("q", self.mm, slot)[0] != 0:
                return True                      # taken before
            if not self._count(offset, limit):
                return False
            if slot is not None:
                struct.pack_into("q", self.mm, slot, self._member_hash(f"{key}\n{member}"))
            return True

    def _count(self, offset: int, limit: int) -> bool:
        (n,) = struct.unpack_from("q", self.mm, offset + 8)
        if n >= limit:
            return False
        struct.pack_into("q", self.mm, offset + 8, n + 1)
        return True

    @staticmethod
    def _member_hash(text: str) -> int:
        return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True) or 1

    def _member_slot(self, text: str) -> int | None:
        """The offset holding this member, or the empty one it would go to; None when the table is
        too full around it (it is then counted every time: early, never late)."""
        assert self.members is not None
        h = self._member_hash(text)
        base = self.members + 8
        for i in range(_PROBES):
            slot = base + 8 * ((h + i) % MEMBERS)
            (stored,) = struct.unpack_from("q", self.mm, slot)
            if stored in (0, h):
                return slot
        return None

    def started(self, site: str) -> float:
        rec = self.records.get(site)
        if rec is None:
            return time.monotonic()
        with self._locked(rec[0]):
            (at,) = struct.unpack_from("d", self.mm, rec[0] + 24)
            if not at:
                at = time.monotonic()
                struct.pack_into("d", self.mm, rec[0] + 24, at)
            return at


# --- the downloader ---------------------------------------------------------------------------
class _KeyedSlot(Slot):
    """A downloader slot that knows which limiter record it counts against (a subclass has a __dict__)."""

    limit_key = ""


class LimitedDownloader(Downloader):
    """Scrapy's downloader, but a request leaves a slot only with a token of the shared limiter: the
    slot's configured concurrency and delay then hold over all workers. Used with several workers."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        from zwgk.crawler.state import crawl_state

        limiter = crawl_state(crawler).budget
        if not hasattr(limiter, "try_acquire"):        # SharedLimits, or Redis's (zwgk/distributed)
            raise RuntimeError("LimitedDownloader needs the shared limits of a multi-worker crawl")
        self.limiter: HostLimiter = limiter
        self._tokens: dict[int, Token] = {}

    def _get_slot(self, request: Request, spider: Any = None) -> tuple[str, Slot]:
        key, slot = super()._get_slot(request)
        if not isinstance(slot, _KeyedSlot):
            jitter = slot.jitter if hasattr(type(slot), "jitter") else slot.randomize_delay
            keyed = _KeyedSlot(slot.concurrency, slot.delay, jitter)
            keyed.limit_key = self.limiter.key_for(key, request)
            slot.close()
            self.slots[key] = slot = keyed
        return key, slot

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = time.monotonic()
        key = getattr(slot, "limit_key", "")
        # the configured delay is a floor; AutoThrottle (slot.delay) may only add to it
        delay = max(slot.download_delay(), self.limiter.delay(key))
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            token, wait = self.limiter.try_acquire(key, delay)
            if token is None:
                slot.latercall = call_later(max(wait, 0.001), self._latercall, slot)
                return
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            self._tokens[id(request)] = token
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

    async def _download(self, slot: Slot, request: Request) -> Any:
        try:
            return await super()._download(slot, request)
        finally:
            token = self._tokens.pop(id(request), None)
            if token is not None:
                self.limiter.release(token)
            # the slot looked for a token before ours was back: look again now rather than later
            if slot.latercall and slot.queue:
                slot.latercall.cancel()
                slot.latercall = None
                self._process_queue(slot)
