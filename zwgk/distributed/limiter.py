"""Politeness and caps over every worker of every machine, counted in Redis (limiter.py's interfaces).

Per download slot (a site, or its browser slot), keys `NS:<run>:limit:<slot>:…`:

* in-flight — a ZSET of tokens scored by their expiry: at most `concurrency` at once. A token is
  removed when its transfer ends; a SIGKILLed worker's tokens expire (the download timeout plus a
  margin), since Redis, unlike the kernel with the local lock file, cannot see a process die.
* last — the start of the slot's latest request: the next one starts `delay` later at the earliest,
  whichever worker sends it. Times are Redis's clock (TIME), one clock for all machines.

acquire is one Lua script. A slot with no room answers how long to wait (the rest of the delay, or a
short pause when every token is out), so a blocked slot asks again after that, not on a fixed timer.
Page caps (max_pages), trap budgets and the max_seconds clock are counters of the run too.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from zwgk.crawler.limiter import FREE, SlotLayout, Token
from zwgk.distributed.queue import RunQueue

if TYPE_CHECKING:
    pass

FULL_WAIT_S = 0.05          # every token out: look again this soon (a token elsewhere may come back)
TOKEN_MARGIN_S = 30.0       # a token outlives its download timeout by this much (dead workers' tokens)

# KEYS inflight last · ARGV concurrency delay_ms ttl_ms token full_wait_ms → {token or '', wait_ms}
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local delay = tonumber(ARGV[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if delay > 0 and last > 0 and now < last + delay then
  return {'', tostring(last + delay - now)}
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return {'', ARGV[5]}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
redis.call('SET', KEYS[2], tostring(now), 'PX', math.max(math.floor(delay) * 4, 600000))
return {ARGV[4], '0'}
"""
# KEYS counter · ARGV limit → 1 taken, 0 at the limit
_TAKE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
return 1
"""
# KEYS members · ARGV limit member → 1 admitted (now or before), 0 at the limit
_TAKE_MEMBER = """
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[2])
return 1
"""
# KEYS started → ms since the slot's first request (set now if none)
_STARTED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], now, 'NX')
return now - tonumber(redis.call('GET', KEYS[1]))
"""


class RedisLimits(SlotLayout):
    """HostLimiter + SiteBudget + named budgets of one run, in Redis. `layout` is limiter.limits_layout's
    (records: {slot: [_, concurrency, delay]}, hosts: {host: site}) plus queue, run_id and timeout."""

    def __init__(self, layout: dict[str, Any], queue: RunQueue | None = None):
        super().__init__(layout)
        self.queue = queue or RunQueue(layout["queue"], layout["run_id"])
        self.server = self.queue.server
        self.ttl_ms = int((float(layout.get("timeout", 30)) + TOKEN_MARGIN_S) * 1000)
        self._acquire = self.server.register_script(_ACQUIRE)
        self._take = self.server.register_script(_TAKE)
        self._take_member = self.server.register_script(_TAKE_MEMBER)
        self._started = self.server.register_script(_STARTED)
        self._ids = itertools.count()
        self._me = f"{socket.gethostname()}:{os.getpid()}"
        self.held: dict[int, str] = {}

    def _key(self, slot: str, what: str) -> str:
        return self.queue.key(f"limit:{slot}:{what}")

    # HostLimiter (key_for, delay: SlotLayout)
    def try_acquire(self, key: str, delay: float) -> tuple[Token | None, float]:
        rec = self.records.get(key)
        if rec is None:
            return FREE, 0.0
        n = next(self._ids)
        member = f"{self._me}:{n}"
        got, wait = self._acquire(keys=[self._key(key, "inflight"), self._key(key, "last")],
                                  args=[int(rec[1]), delay * 1000, self.ttl_ms, member, FULL_WAIT_S * 1000])
        if not got:
            return None, max(float(wait) / 1000, 0.001)
        self.held[n] = member
        return (key, n), 0.0

    def release(self, token: Token) -> None:
        key, n = token
        if n < 0:
            return
        member = self.held.pop(n, None)
        if member is not None:
            self.server.zrem(self._key(key, "inflight"), member)

    def in_flight(self, key: str) -> int:
        return int(self.server.zcard(self._key(key, "inflight")))

    # SiteBudget
    def take_page(self, site: str, limit: int) -> bool:
        if site not in self.records:
            return True
        return bool(self._take(keys=[self._key(site, "pages")], args=[limit]))

    def take(self, key: str, limit: int, member: str | None = None) -> bool:
        """One unit of a named budget; with `member` (a URL) the budget is a set, so the same member
        is admitted again for free (a page fetched again after its worker died proposes it again)."""
        if member is not None:
            return bool(self._take_member(keys=[self.queue.key(f"budget:{key}:members")], args=[limit, member]))
        return bool(self._take(keys=[self.queue.key(f"budget:{key}")], args=[limit]))

    def started(self, site: str) -> float:
        """time.monotonic() of the site's first request in any worker (Redis's clock measures the age)."""
        if site not in self.records:
            return time.monotonic()
        age_ms = int(self._started(keys=[self._key(site, "started")]))
        return time.monotonic() - age_ms / 1000
