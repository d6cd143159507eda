"""Redis and PostgreSQL as users start them (`zwgk services`), and the distributed mode's building
blocks checked against the real servers: scrapy-redis's scheduler and dupefilter driving a plain
Scrapy spider, psycopg 3 round-tripping a row. No mocks: Debian's redis-server and PostgreSQL run
on free loopback ports (skipped with the reason only when they are not installed)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from zwgk import services
from zwgk.services import Service, free_port, port_free, redis_ping

from support.loopback import LoopbackServer, Reply
from support.runhelp import zwgk
from support.services import fresh_database, run_prefix, service_dir, skip_without_services

pytestmark = pytest.mark.services


def _state(directory: Path) -> dict[str, dict]:
    return json.loads((directory / "services.json").read_text())["services"]


def _gone(pid: int) -> bool:
    return services._start_ticks(pid) is None


# --- zwgk services start | status | stop ------------------------------------------------------------

def test_services_cli_start_status_stop_restart(tmp_path, redis_server):
    skip_without_services()
    with service_dir(tmp_path, "postgres") as directory:
        rport, pport = free_port(), free_port()
        try:
            started = zwgk("services", "start", "--dir", str(directory), "--redis-port", str(rport),
                           "--pg-port", str(pport), timeout=120)
            assert started.returncode == 0, started.stderr
            redis_url, pg_url = f"redis://127.0.0.1:{rport}/0", f"postgresql://zwgk@127.0.0.1:{pport}/zwgk"
            assert redis_url in started.stdout and pg_url in started.stdout
            first = _state(directory)
            assert {first["redis"]["port"], first["postgres"]["port"]} == {rport, pport}
            assert not _gone(first["redis"]["pid"]) and not _gone(first["postgres"]["pid"])

            # data written now must be there after a restart from the same directory
            redis.Redis.from_url(redis_url).set("zwgk:kept", "队列")
            with psycopg.connect(pg_url) as conn:
                conn.execute("CREATE TABLE kept (v text)")
                conn.execute("INSERT INTO kept VALUES ('页面')")

            again = zwgk("services", "start", "--dir", str(directory))       # idempotent
            assert again.returncode == 0 and "已在运行" in again.stdout
            assert _state(directory) == first

            status = zwgk("services", "status", "--dir", str(directory))
            assert status.returncode == 0 and status.stdout.count("应答正常") == 2

            stopped = zwgk("services", "stop", "--dir", str(directory))
            assert stopped.returncode == 0 and stopped.stdout.count("已停止") == 2
            assert _gone(first["redis"]["pid"]) and _gone(first["postgres"]["pid"])
            assert port_free(rport) and port_free(pport)
            assert redis_ping(redis_server.port)            # another redis-server: not touched by stop

            status = zwgk("services", "status", "--dir", str(directory))
            assert status.returncode == 3 and status.stdout.count("未运行") == 2

            restarted = zwgk("services", "start", "--dir", str(directory), timeout=120)   # ports remembered
            assert restarted.returncode == 0, restarted.stderr
            assert redis_url in restarted.stdout and pg_url in restarted.stdout
            second = _state(directory)
            assert second["redis"]["pid"] != first["redis"]["pid"]
            assert redis.Redis.from_url(redis_url).get("zwgk:kept").decode() == "队列"
            with psycopg.connect(pg_url) as conn:
                assert conn.execute("SELECT v FROM kept").fetchall() == [("页面",)]
        finally:
            zwgk("services", "stop", "--dir", str(directory))
        assert _gone(second["redis"]["pid"]) and _gone(second["postgres"]["pid"])


def test_stop_never_signals_a_recycled_pid(tmp_path):
    """services.json names a PID that now belongs to another process: stop leaves it alone."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ticks = services._start_ticks(other.pid)
        assert ticks is not None
        fake = Service("redis", other.pid, ticks - 1, 1, "redis://127.0.0.1:1/0", "")
        services._write_state(tmp_path, {"redis": fake})
        done = zwgk("services", "stop", "--dir", str(tmp_path))
        assert done.returncode == 0 and "早已不在运行" in done.stdout
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_port_in_use_is_a_clear_error(tmp_path):
    skip_without_services()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = zwgk("services", "start", "--dir", str(tmp_path / "s"), "--redis-port", str(port))
    assert done.returncode == 2
    assert f"端口 127.0.0.1:{port} 已被占用" in done.stderr and "--redis-port" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_binaries_say_what_to_install(tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run([sys.executable, "-m", "zwgk", "services", "start", "--dir", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PATH": str(empty)})
    assert done.returncode == 2
    assert "未找到 redis-server" in done.stderr and "apt-get install redis-server postgresql" in done.stderr
    assert "Traceback" not in done.stderr

    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(services, "POSTGRES_GLOB", str(tmp_path / "nowhere" / "*" / "bin" / "postgres"))
    with pytest.raises(services.ServiceError, match="apt-get install redis-server postgresql"):
        services.postgres_bindir()


# --- scrapy-redis with Scrapy 2.19 ------------------------------------------------------------------

# A plain Scrapy spider on scrapy-redis's Scheduler + RFPDupeFilter. Keys carry the run's prefix;
# SCHEDULER_PERSIST keeps them after the close (a worker that closes must not flush the shared queue).
SPIDER = '''
import json, sys, warnings
warnings.simplefilter("default")            # deprecations reach Scrapy's log (stderr)
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler

start, redis_url, prefix, out, page_cap = sys.argv[1:6]


class _Stats:
    """scrapy-redis 0.9.1 calls stats.inc_value(..., spider=...), deprecated by Scrapy 2.19."""

    def __init__(self, stats):
        self._stats = stats

    def inc_value(self, key, count=1, start=0, spider=None):
        self._stats.inc_value(key, count, start)


class CompatScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        instance = super().from_crawler(crawler)
        instance.stats = _Stats(crawler.stats)
        return instance

    def open(self, spider):
        """Scheduler.open() as in scrapy-redis 0.9.1, minus its deprecated spider.log() call."""
        self.spider = spider
        self.queue = load_object(self.queue_cls)(server=self.server, spider=spider,
                                                 key=self.queue_key % {"spider": spider.name},
                                                 serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            spider.logger.info("Resuming crawl (%d requests scheduled)", len(self.queue))


class Tiny(scrapy.Spider):
    name = "tiny"
    allowed_domains = ["127.0.0.1"]

    async def start(self):                  # Scrapy >= 2.13; start_requests() is no longer called
        yield scrapy.Request(start)

    def parse(self, response):
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"url": response.url, "status": response.status}) + "\\n")
        yield from response.follow_all(css="a", callback=self.parse)


process = CrawlerProcess({
    "SCHEDULER": "__main__.CompatScheduler",
    "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
    "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
    "SCHEDULER_QUEUE_KEY": prefix + ":%(spider)s:requests",
    "SCHEDULER_DUPEFILTER_KEY": prefix + ":%(spider)s:dupefilter",
    "SCHEDULER_PERSIST": True,
    "REDIS_URL": redis_url,
    "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "CLOSESPIDER_PAGECOUNT": int(page_cap),      # 0: no cap
})
process.crawl(Tiny)
process.start()
'''

# A small site: a cycle back to /, duplicate and fragment links, an off-site link, a 404.
PAGES = {
    "/": ["/news/", "/gk/", "/gk/", "http://elsewhere.invalid/"],
    "/news/": ["/", "/news/1.html", "/news/2.html", "/news/2.html#top"],
    "/news/1.html": ["/news/", "/gk/zcwj/"],
    "/news/2.html": ["/news/1.html", "/missing.html"],
    "/gk/": ["/gk/zcwj/", "/gk/ndbg/", "/"],
    "/gk/zcwj/": ["/gk/zcwj/t1.html", "/gk/"],
    "/gk/zcwj/t1.html": ["/gk/zcwj/"],
    "/gk/ndbg/": ["/gk/"],
}
SERVED = {*PAGES, "/missing.html"}       # every URL the site answers for (the 404 included)


def _site(path: str, headers: dict[str, str]) -> Reply:
    time.sleep(0.02)                      # keep two workers busy at once
    links = PAGES.get(path)
    if links is None:
        return Reply(404, "<p>不存在</p>")
    return Reply(200, "<html><body>" + "".join(f'<a href="{u}">链接</a>' for u in links) + "</body></html>")


def _crawl(tmp_path: Path, site: LoopbackServer, redis_url: str, prefix: str, worker: int,
           page_cap: int = 0) -> subprocess.CompletedProcess[str]:
    """One worker process, run to its end; it writes the URLs it parsed to out<worker>.jsonl."""
    script = tmp_path / "tiny_spider.py"
    script.write_text(SPIDER, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script), f"http://127.0.0.1:{site.port}/", redis_url, prefix,
                          str(tmp_path / f"out{worker}.jsonl"), str(page_cap)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert "Deprecat" not in run.stderr, run.stderr[-3000:]     # no Scrapy 2.19 deprecation left
    return run


def _fetched(tmp_path: Path, worker: int) -> Counter[str]:
    out = tmp_path / f"out{worker}.jsonl"
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return Counter(urlsplit(json.loads(line)["url"]).path for line in lines)


def _run_keys(client: redis.Redis, prefix: str) -> None:
    """One fingerprint per distinct request (start page, pages, the 404), the queue drained."""
    assert client.scard(f"{prefix}:tiny:dupefilter") == len(SERVED)
    assert client.zcard(f"{prefix}:tiny:requests") == 0


def test_scrapy_redis_scheduler_and_dupefilter_crawl_the_site_once(tmp_path, redis_server):
    client = redis.Redis.from_url(redis_server.url)
    prefix = run_prefix("crawl")
    before = set(client.keys("*"))
    with LoopbackServer(_site) as site:
        _crawl(tmp_path, site, redis_server.url, prefix, 0)
        served = Counter(path for path, _ in site.requests)
    assert served == Counter(sorted(SERVED))             # every page once; the 404 too (not parsed)
    assert _fetched(tmp_path, 0) == Counter(list(PAGES))
    _run_keys(client, prefix)
    assert {k.decode() for k in set(client.keys("*")) - before} == {f"{prefix}:tiny:dupefilter"}  # nothing else


def test_a_second_worker_continues_from_the_shared_queue(tmp_path, redis_server):
    """Worker 1 stops after 3 pages (a clean close finishes what it had in flight); worker 2, given
    the same start URL, finds it in the shared dupefilter and crawls what worker 1 left in the queue."""
    client = redis.Redis.from_url(redis_server.url)
    prefix = run_prefix("shared")
    with LoopbackServer(_site) as site:
        _crawl(tmp_path, site, redis_server.url, prefix, 1, page_cap=3)
        first = Counter(path for path, _ in site.requests)
        left = client.zcard(f"{prefix}:tiny:requests")
        _crawl(tmp_path, site, redis_server.url, prefix, 2)
        served = Counter(path for path, _ in site.requests)
    assert 3 <= len(first) < len(SERVED) and left > 0
    assert served == Counter(sorted(SERVED))             # together: every page exactly once
    assert _fetched(tmp_path, 1) + _fetched(tmp_path, 2) == Counter(list(PAGES))
    assert "/" not in _fetched(tmp_path, 2)               # its own start request was a duplicate
    _run_keys(client, prefix)


# --- psycopg 3 on the PostgreSQL fixture ------------------------------------------------------------

def test_psycopg_round_trips_a_row(postgres_server):
    url = fresh_database(postgres_server, "rt")
    when = datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
    row = ("http://www.example.gov.cn/gk/t20251015_123.html", "关于印发《政务公开工作要点》的通知", when,
           {"charset": "GB18030", "links": 12})
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE page (url text PRIMARY KEY, title text, fetched timestamptz, meta jsonb)")
        conn.execute("INSERT INTO page VALUES (%s, %s, %s, %s)", (*row[:3], psycopg.types.json.Jsonb(row[3])))
        conn.execute("INSERT INTO page VALUES (%s, %s, %s, %s) ON CONFLICT (url) DO NOTHING",
                      (row[0], "重复", when, None))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT url, title, fetched, meta FROM page").fetchall() == [row]
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
        assert conn.info.server_version // 10000 == int(services.postgres_bindir().parent.name)


@pytest.mark.skipif(os.getuid() != 0, reason="only root hands PostgreSQL to the postgres user")
def test_as_root_a_directory_the_postgres_user_cannot_enter_is_named(tmp_path):
    skip_without_services()
    # pytest's temp tree is private to root (0700): the postgres user cannot pass through it
    with pytest.raises(services.ServiceError, match="postgres 用户无法进入") as caught:
        services.start_postgres(tmp_path / "svc", free_port(), durable=False)
    assert "--dir" in str(caught.value)
    assert not (tmp_path / "svc" / "postgres" / "PG_VERSION").exists()      # nothing initialised
