"""The crawl scheduler of a distributed worker: zwgk's FrontierScheduler over the Redis frontier.

scrapy-redis's own Scheduler pops requests (a killed worker loses what it held) and closes a worker
the moment the shared queue looks empty (docs/distributed-notes.md); this one leases through
`RedisFrontier`, so on top of the frontier scheduler it only has to:

* renew its leases while it works (every third of the lease time), so only a dead worker's expire;
* when it is idle, drop the leases whose requests ended without a record (nothing of it is left in
  the engine), so the run can drain;
* stay open while the run goes on anywhere, and close when the coordinator says it is over.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from twisted.internet import task

from zwgk.crawler.scheduler import FrontierScheduler
from zwgk.distributed.queue import RedisFrontier

if TYPE_CHECKING:
    from scrapy import Spider

log = logging.getLogger(__name__)


class RedisScheduler(FrontierScheduler):
    _renewal: task.LoopingCall | None = None

    @property
    def redis(self) -> RedisFrontier:
        assert isinstance(self.frontier, RedisFrontier)
        return self.frontier

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self._renewal = task.LoopingCall(self.redis.renew)
        self._renewal.start(max(0.5, self.redis.queue.ttl_ms / 3000), now=False)

    def close(self, reason: str) -> None:
        if self._renewal is not None and self._renewal.running:
            self._renewal.stop()
        super().close(reason)

    def _on_idle(self) -> None:
        self._release_stale(0)
        if not (self._size or self._cont):
            dropped = self.redis.drop_orphans()
            if dropped:
                log.info("%s: %d leased requests ended without a record", self.state.worker, dropped)
        super()._on_idle()
