"""The run's shared request queue in Redis: scrapy-redis's layout, leased instead of popped.

Keys of one run (prefix `NS:<run id>:`, NS = `zwgk` unless the queue URL says `?namespace=`), so two
inspections in one Redis never mix:

    queue      ZSET  fingerprint → score (−priority·2³² + a run-wide sequence: best first, then FIFO)
    dupefilter SET   fingerprints of every request the run ever queued (scrapy-redis's RFPDupeFilter)
    rows       HASH  fingerprint → the frontier row (JSON: site, url, method, kind, depth, priority,
                     referer, anchor, form), while it is queued or leased
    scores     HASH  fingerprint → its queue score (a lease given back keeps its place)
    leases     ZSET  fingerprint → deadline (ms, Redis's clock: one clock for every machine)
    owner      HASH  fingerprint → the worker holding the lease
    done/stop  the coordinator's word to the workers: the run is drained / stop now

A fingerprint is the store's frontier key (site, url, method) hashed, so Redis and the store agree
on what one request is. Members are JSON rows, not pickled Requests: a worker rebuilds the Request
through the spider (`request_from_frontier`), and nobody who can write to Redis can run code in a
worker through it.

Every change is one Lua script (atomic): a new request is added to the dupefilter and the queue
together (so a crash can never leave one "seen" but not queued); `lease` moves the best N from the
queue to the leases with a deadline; `ack` forgets a request once its record is committed to the
store; `renew` pushes a live worker's deadlines on; `reap` (the coordinator) returns expired leases
to the queue — a SIGKILLed worker loses nothing. `RedisFrontier` tells Redis only after the store has
committed (BatchWriter.on_commit): new rows are pushed, then the page's lease is acked, so "nothing
queued and nothing leased" really means the run is drained.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy_redis.dupefilter import RFPDupeFilter

from zwgk.crawler.frontier import frontier_key, request_row
from zwgk.errors import ZwgkError
from zwgk.store import FRONTIER_COLUMNS, FrontierKey, PageRecord

if TYPE_CHECKING:
    import redis
    from scrapy import Request

    from zwgk.crawler.state import CrawlState
    from zwgk.crawler.writer import BatchWriter
    from zwgk.store import Store

log = logging.getLogger(__name__)
ROW_FIELDS = [c.strip() for c in FRONTIER_COLUMNS.split(",")][:9]     # site … form: what rebuilds a Request
PRIORITY_LIMIT = 2 ** 19
DEFAULT_TTL_S = 120.0       # a lease covers a download with its retries; live workers renew it
REGISTRY = "runs"           # NS:runs ZSET run id → start (ms): the runs workers may join


class QueueUnavailable(ZwgkError):
    """Redis cannot be reached (a message for people, no traceback)."""


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def split_namespace(url: str) -> tuple[str, str]:
    """(the URL redis-py gets, the key namespace) of a queue URL with an optional `namespace=`."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ns = next((v for k, v in query if k == "namespace"), "zwgk")
    rest = urlencode([(k, v) for k, v in query if k != "namespace"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), ns


def connect(url: str) -> redis.Redis:
    """A client for the queue URL, checked with a PING; a Chinese message when Redis is unreachable."""
    import redis as redis_lib
    from scrapy_redis.connection import get_redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise QueueUnavailable(f"队列地址应为 redis://主机:端口/库号 / bad queue URL: {redact(url)}")
    target, _ = split_namespace(url)
    try:
        server = get_redis(url=target, socket_connect_timeout=10, socket_timeout=60, health_check_interval=30)
        server.ping()
    except redis_lib.RedisError as exc:
        raise QueueUnavailable(f"无法连接 Redis 队列 {redact(url)}：{exc} / cannot reach the Redis queue") from None
    return server


def fingerprint(key: FrontierKey) -> str:
    """The store's frontier key (site, url, method), hashed: one request in Redis and in the store."""
    site, url, method = key
    return hashlib.sha1(f"{site}\n{method}\n{url}".encode()).hexdigest()


class RunDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter of the run, with the store's idea of "the same request" (its frontier
    key, so a rendered page and its raw fetch are two requests, and a redirect hop is its first URL's)."""

    def request_fingerprint(self, request: Request) -> str:
        return fingerprint(frontier_key(request))


_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

# KEYS dupefilter queue rows scores leases owner seq · ARGV worker ttl_ms, then fp row priority leased …
_ADD = _NOW + """
local out = {}
for i = 3, #ARGV, 4 do
  local fp = ARGV[i]
  if redis.call('SADD', KEYS[1], fp) == 1 then
    local score = -tonumber(ARGV[i + 2]) * 4294967296 + redis.call('INCR', KEYS[7])
    redis.call('HSET', KEYS[3], fp, ARGV[i + 1])
    redis.call('HSET', KEYS[4], fp, score)
    if ARGV[i + 3] == '1' then
      redis.call('ZADD', KEYS[5], now + tonumber(ARGV[2]), fp)
      redis.call('HSET', KEYS[6], fp, ARGV[1])
      out[#out + 1] = fp
    else
      redis.call('ZADD', KEYS[2], score, fp)
    end
  end
end
return out
"""
# KEYS queue rows leases owner · ARGV worker ttl_ms …: a queued fp leased to the worker, with its row
_TAKE_QUEUED = _NOW + """
local out = {}
local function take(fp)
  if redis.call('ZREM', KEYS[1], fp) == 1 then
    redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), fp)
    redis.call('HSET', KEYS[4], fp, ARGV[1])
    out[#out + 1] = fp
    out[#out + 1] = redis.call('HGET', KEYS[2], fp)
  end
end
"""
# ARGV … n : the best n queued
_LEASE = _TAKE_QUEUED + """
for _, fp in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)) do take(fp) end
return out
"""
# ARGV … fp … : the queued ones among them
_CLAIM = _TAKE_QUEUED + """
for i = 3, #ARGV do take(ARGV[i]) end
return out
"""
# KEYS queue rows scores leases owner · ARGV fp …
_ACK = """
for i = 1, #ARGV do
  local fp = ARGV[i]
  redis.call('ZREM', KEYS[1], fp)
  redis.call('ZREM', KEYS[4], fp)
  redis.call('HDEL', KEYS[2], fp)
  redis.call('HDEL', KEYS[3], fp)
  redis.call('HDEL', KEYS[5], fp)
end
return #ARGV
"""
# KEYS queue scores leases owner · ARGV worker fp … : this worker's leases back into the queue
_GIVE_BACK = """
local n = 0
for i = 2, #ARGV do
  local fp = ARGV[i]
  if redis.call('HGET', KEYS[4], fp) == ARGV[1] and redis.call('ZREM', KEYS[3], fp) == 1 then
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[2], fp), fp)
    redis.call('HDEL', KEYS[4], fp)
    n = n + 1
  end
end
return n
"""
# KEYS leases owner · ARGV worker ttl_ms fp … : new deadlines; returns the fps no longer this worker's
_RENEW = _NOW + """
local lost = {}
for i = 3, #ARGV do
  local fp = ARGV[i]
  if redis.call('HGET', KEYS[2], fp) == ARGV[1] and redis.call('ZSCORE', KEYS[1], fp) then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), fp)
  else
    lost[#lost + 1] = fp
  end
end
return lost
"""
# KEYS queue scores leases owner · ARGV max : expired leases back into the queue
_REAP = _NOW + """
local fps = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, fp in ipairs(fps) do
  redis.call('ZREM', KEYS[3], fp)
  redis.call('HDEL', KEYS[4], fp)
  local score = redis.call('HGET', KEYS[2], fp)
  if score then redis.call('ZADD', KEYS[1], score, fp) end
end
return #fps
"""


class RunQueue:
    """One run's keys in Redis and the scripts over them."""

    def __init__(self, url: str, run_id: str, *, server: redis.Redis | None = None, ttl: float = DEFAULT_TTL_S):
        self.url = url
        self.run_id = run_id
        self.server = server if server is not None else connect(url)
        self.ns = split_namespace(url)[1]
        self.prefix = f"{self.ns}:{run_id}:"
        self.ttl_ms = int(ttl * 1000)
        k = self.key
        self.dupefilter = RunDupeFilter(self.server, k("dupefilter"))
        self._add = self.server.register_script(_ADD)
        self._lease = self.server.register_script(_LEASE)
        self._claim = self.server.register_script(_CLAIM)
        self._ack = self.server.register_script(_ACK)
        self._give_back = self.server.register_script(_GIVE_BACK)
        self._renew = self.server.register_script(_RENEW)
        self._reap = self.server.register_script(_REAP)
        self._keys_add = [k("dupefilter"), k("queue"), k("rows"), k("scores"), k("leases"), k("owner"), k("seq")]
        self._keys_lease = [k("queue"), k("rows"), k("leases"), k("owner")]
        self._keys_ack = [k("queue"), k("rows"), k("scores"), k("leases"), k("owner")]
        self._keys_back = [k("queue"), k("scores"), k("leases"), k("owner")]

    def key(self, name: str) -> str:
        return self.prefix + name

    # --- requests -----------------------------------------------------------------------------
    def add(self, worker: str, rows: Iterable[tuple[FrontierKey, dict[str, Any], bool]]) -> set[str]:
        """New requests (key, row, leased to `worker`?); those already seen by the run are skipped.
        Returns the fingerprints leased to `worker`."""
        args: list[Any] = [worker, self.ttl_ms]
        for key, row, leased in rows:
            priority = max(-PRIORITY_LIMIT, min(PRIORITY_LIMIT, int(row.get("priority") or 0)))
            args += [fingerprint(key), json.dumps(row, ensure_ascii=False), priority, "1" if leased else "0"]
        if len(args) == 2:
            return set()
        return {_text(fp) for fp in self._add(keys=self._keys_add, args=args)}

    def lease(self, worker: str, n: int) -> list[tuple[str, dict[str, Any]]]:
        return _pairs(self._lease(keys=self._keys_lease, args=[worker, self.ttl_ms, n]))

    def claim(self, worker: str, fps: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        if not fps:
            return []
        return _pairs(self._claim(keys=self._keys_lease, args=[worker, self.ttl_ms, *fps]))

    def ack(self, fps: Sequence[str]) -> None:
        if fps:
            self._ack(keys=self._keys_ack, args=list(fps))

    def give_back(self, worker: str, fps: Sequence[str]) -> int:
        return int(self._give_back(keys=self._keys_back, args=[worker, *fps])) if fps else 0

    def renew(self, worker: str, fps: Sequence[str]) -> set[str]:
        """New deadlines for this worker's leases; the ones it has lost (reaped as expired)."""
        if not fps:
            return set()
        return {_text(fp) for fp in self._renew(keys=[self.key("leases"), self.key("owner")],
                                                args=[worker, self.ttl_ms, *fps])}

    def reap(self, limit: int = 1000) -> int:
        return int(self._reap(keys=self._keys_back, args=[limit]))

    def owners(self, fps: Sequence[str]) -> list[str | None]:
        return [_text(o) if o is not None else None for o in self.server.hmget(self.key("owner"), list(fps))] \
            if fps else []

    def counts(self) -> tuple[int, int]:
        """(queued, leased)."""
        pipe = self.server.pipeline(transaction=True)
        pipe.zcard(self.key("queue"))
        pipe.zcard(self.key("leases"))
        queued, leased = pipe.execute()
        return int(queued), int(leased)

    # --- the run ------------------------------------------------------------------------------
    def exists(self) -> bool:
        return bool(self.server.exists(self.key("config")))

    def register(self, config: dict[str, Any], store_url: str, limits: dict[str, Any]) -> None:
        """Make the run joinable: what a worker needs to crawl it (no passwords)."""
        pipe = self.server.pipeline(transaction=True)
        pipe.set(self.key("config"), json.dumps(config, ensure_ascii=False))
        pipe.set(self.key("store"), store_url)
        pipe.set(self.key("limits"), json.dumps(limits, ensure_ascii=False))
        pipe.delete(self.key("done"), self.key("stop"))
        pipe.zadd(f"{self.ns}:{REGISTRY}", {self.run_id: int(time.time() * 1000)})
        pipe.execute()

    def read(self, name: str) -> Any:
        value = self.server.get(self.key(name))
        return None if value is None else json.loads(value) if name in ("config", "limits") else _text(value)

    def flag(self, name: str) -> bool:
        return bool(self.server.exists(self.key(name)))

    def set_flag(self, name: str, ttl: float | None = None) -> None:
        self.server.set(self.key(name), "1", ex=int(ttl) if ttl else None)

    def reset(self, keep: Iterable[str] = ()) -> None:
        """Delete the run's keys (but `keep`)."""
        kept = {self.key(k) for k in keep}
        doomed = [k for k in self.server.scan_iter(match=self.prefix.replace("[", r"\[") + "*", count=1000)
                  if _text(k) not in kept]
        for i in range(0, len(doomed), 500):
            self.server.delete(*doomed[i:i + 500])

    def retire(self) -> None:
        """The run is over: workers told (done, for a while), its keys gone, off the registry."""
        self.reset(keep=("done", "stop"))
        self.server.zrem(f"{self.ns}:{REGISTRY}", self.run_id)

    def seed_seen(self, keys: Iterable[FrontierKey]) -> None:
        batch: list[str] = []
        for key in keys:
            batch.append(fingerprint(key))
            if len(batch) >= 5000:
                self.server.sadd(self.dupefilter.key, *batch)
                batch = []
        if batch:
            self.server.sadd(self.dupefilter.key, *batch)


def active_runs(server: redis.Redis, ns: str) -> list[str]:
    """Runs in this Redis that workers may join, oldest first."""
    return [_text(r) for r in server.zrange(f"{ns}:{REGISTRY}", 0, -1)]


def row_of(values: Sequence[Any]) -> dict[str, Any]:
    """A frontier row (FRONTIER_COLUMNS order) as the JSON the queue holds."""
    return dict(zip(ROW_FIELDS, values[:len(ROW_FIELDS)], strict=True))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pairs(flat: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(_text(flat[i]), json.loads(flat[i + 1])) for i in range(0, len(flat), 2) if flat[i + 1] is not None]


class RedisFrontier:
    """The crawl frontier (zwgk/crawler/frontier.py's interface) of a distributed worker: the rows go
    to the store as in every crawl (the store stays the record and the resume state), and Redis is
    told after each commit (see the module docstring)."""

    # The store may hold frontier rows Redis never heard of (a worker died between its commit and its
    # push); their page is fetched again and must propose them again, so a worker's memory of what it
    # has seen starts empty (the run's dupefilter in Redis is the one that counts).
    SEEN_FROM_STORE = False

    def __init__(self, store: Store, writer: BatchWriter, worker: str, queue: RunQueue, idle_exit: float = 0.0):
        self.store = store
        self.writer = writer
        self.worker = worker
        self.queue = queue
        self.mine: set[str] = set()             # fingerprints this worker holds leases on
        self.idle_exit = idle_exit              # seconds with nothing anywhere before a worker gives up
        self._nothing_since: float | None = None
        writer.on_commit = self._committed

    @classmethod
    def from_state(cls, state: CrawlState, settings: Any) -> RedisFrontier:
        queue = RunQueue(settings.get("ZWGK_QUEUE"), settings.get("ZWGK_RUN_ID"),
                         ttl=settings.getfloat("ZWGK_LEASE_TTL", DEFAULT_TTL_S))
        return cls(state.store, state.writer, state.worker, queue, settings.getfloat("ZWGK_IDLE_EXIT", 0.0))

    # --- the frontier interface ---------------------------------------------------------------
    def add(self, request: Request, *, leased: bool) -> None:
        self.writer.frontier(request_row(request, state="leased" if leased else "queued",
                                         worker=self.worker if leased else None))

    def lease(self, limit: int) -> list[Any]:
        self.writer.flush()
        got = self.queue.lease(self.worker, limit)
        self.mine.update(fp for fp, _ in got)
        if got:
            self._nothing_since = None
        return [row for _, row in got]

    def give_back(self, key: FrontierKey) -> None:
        fp = fingerprint(key)
        if fp in self.mine:
            self.writer.flush()               # a row still waiting in the writer is not in Redis yet
            self.queue.give_back(self.worker, [fp])
            self.mine.discard(fp)

    def drop(self, key: FrontierKey, reason: str) -> None:
        self.writer.settle(key, "dropped", reason)      # acked once that is committed

    def busy_elsewhere(self) -> bool:
        """A distributed worker stays until the coordinator says the run is over (or it is told to
        stop, or nothing has been anywhere for --idle-exit seconds: the coordinator is gone)."""
        if self.queue.flag("done") or self.queue.flag("stop"):
            return False
        if self.idle_exit > 0:
            if self.queue.counts() != (0, 0):
                self._nothing_since = None
            elif self._nothing_since is None:
                self._nothing_since = time.monotonic()
            elif time.monotonic() - self._nothing_since > self.idle_exit:
                log.info("%s: nothing queued or leased for %.0f s; leaving the run", self.worker, self.idle_exit)
                return False
        return True

    def claim(self, own: list[FrontierKey], wanted: list[tuple[str, str]]) -> tuple[set[FrontierKey], list[Any]]:
        self.writer.flush()                   # own rows reach Redis (leased to us if new to the run)
        mine = {k for k in own if fingerprint(k) in self.mine}
        fps = [fingerprint((site, url, m)) for site, url in wanted for m in ("GET", "POST")]
        got = self.queue.claim(self.worker, fps)
        self.mine.update(fp for fp, _ in got)
        return mine, [row for _, row in got]

    def finish(self, *, complete: bool) -> int:
        self.writer.flush()
        left = sorted(self.mine)
        if not left:
            return 0
        if complete:
            self.drop_orphans()
        else:
            self.queue.give_back(self.worker, left)
            self.mine.clear()
        return len(left)

    # --- beyond the interface -----------------------------------------------------------------
    def drop_orphans(self) -> int:
        """Leases whose request ended without a record (this worker is idle and still holds them):
        dropped in the store, acked in Redis."""
        self.writer.flush()
        if not self.mine:
            return 0
        fps = sorted(self.mine)
        for raw in self.queue.server.hmget(self.queue.key("rows"), fps):
            if raw is not None:
                row = json.loads(raw)
                self.writer.settle((row["site"], row["url"], row["method"]), "dropped", "no_record")
        self.writer.flush()
        self.queue.ack(fps)
        self.mine.difference_update(fps)
        return len(fps)

    def known(self, key: FrontierKey) -> bool:
        """In the run's dupefilter: some worker has queued it (or the run started knowing it)."""
        return bool(self.queue.server.sismember(self.queue.dupefilter.key, fingerprint(key)))

    def renew(self) -> None:
        lost = self.queue.renew(self.worker, sorted(self.mine))
        if lost:
            log.warning("%s: %d leases expired before renewal (another worker may fetch them too)",
                        self.worker, len(lost))

    def _committed(self, ops: list[tuple[Any, Any]]) -> None:
        """The store has committed these writes: now Redis learns of them (new rows first, then acks)."""
        new: list[tuple[FrontierKey, dict[str, Any], bool]] = []
        done: list[str] = []
        for op, payload in ops:
            if op == "frontier":
                new.append(((payload[0], payload[1], payload[2]), row_of(payload), payload[9] == "leased"))
            elif op == "page":
                rec: PageRecord = payload[0]
                done += [fingerprint((rec.site, rec.url, m)) for m in {rec.method, "GET", "HEAD"}]
            elif isinstance(op, tuple) and op[1] == "dropped":
                done.append(fingerprint(payload))
        if new:
            self.mine |= self.queue.add(self.worker, new)
        if done:
            self.queue.ack(done)
            self.mine.difference_update(done)
