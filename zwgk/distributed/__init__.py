"""Distributed mode (DESIGN §10): one inspection crawled by worker processes on many machines.

* queue.py — the run's shared request queue in Redis (scrapy-redis's ZSET priority queue and SET
  dupefilter, keyed per run), with leases instead of pops; `RedisFrontier` plugs it into the crawl's
  scheduler (zwgk/crawler/scheduler.py) through the frontier interface.
* limiter.py — per-host concurrency, delay, page caps and trap budgets counted in Redis over all
  workers of all machines.
* scheduler.py — the crawl scheduler of a distributed worker: stays open until the run is drained,
  renews its leases, drops the leases whose requests ended without a record.
* coordinator.py — `zwgk audit --queue … --store …`: seeds the queue, runs local workers, gives
  expired leases back, waits until nothing is queued or leased, then the run goes on to evaluation.
* worker.py — `zwgk worker --queue … --store …`: joins the run in the queue.

The store is PostgreSQL (zwgk/db/postgres.py), a schema per run; the run directory (results,
reports, log) stays on the coordinator's machine.
"""
