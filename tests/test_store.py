"""The store as a data layer: portable SQL over a backend chosen by URL, additive schema, the leased
frontier, first-write-wins records, streaming reads, and the batched writer's crash story."""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from zwgk.crawler.writer import BatchWriter
from zwgk.db import StoreUnavailable, connect
from zwgk.store import SCHEMA, Link, PageRecord, Store, frontier_row


def _page(url: str, **kw: object) -> PageRecord:
    fields = {"site": "s", "url": url, "status": 200, "body": f"<html>{url}</html>",
              "links": [Link(url + "a", "甲", "page"), Link(url + "b.pdf", "附件", "attachment")]}
    fields.update(kw)
    return PageRecord(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    from support.services import fresh_database

    return fresh_database(request.getfixturevalue("postgres_server"), "store")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store of one test on each backend: a SQLite file, or a schema of its own in PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "crawl.sqlite")
    from zwgk.db.postgres import with_schema

    return with_schema(request.getfixturevalue("pg_database"), f"t_{secrets.token_hex(4)}")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store(store_url)
    yield store
    store.close()


def test_backend_by_url(tmp_path: Path) -> None:
    assert connect(tmp_path / "a.sqlite").dialect == "sqlite"
    assert connect(f"sqlite:///{tmp_path}/b.sqlite").url == f"sqlite:///{tmp_path}/b.sqlite"
    assert (tmp_path / "b.sqlite").is_file()
    with pytest.raises(StoreUnavailable, match="PostgreSQL"):
        connect("postgresql://zwgk@db.example/zwgk")
    with pytest.raises(StoreUnavailable, match="不支持"):
        connect("mysql://x/y")


def test_an_older_store_gains_the_new_columns(tmp_path: Path) -> None:
    """A run written before leases and site order: opened, it keeps its rows and its site order."""
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(textwrap.dedent("""
        CREATE TABLE sites (key TEXT PRIMARY KEY, name TEXT, url TEXT, unit TEXT, hosts TEXT, status TEXT,
                            capped TEXT, started TEXT, finished TEXT, detail TEXT);
        CREATE TABLE frontier (site TEXT, url TEXT, method TEXT, kind TEXT, depth INTEGER, priority INTEGER,
                               referer TEXT, anchor TEXT, form TEXT, state TEXT, reason TEXT,
                               PRIMARY KEY (site, url, method));
        INSERT INTO sites VALUES ('z', 'Z', 'http://z/', '', '[]', 'complete', '[]', NULL, NULL, NULL);
        INSERT INTO sites VALUES ('a', 'A', 'http://a/', '', '[]', 'complete', '[]', NULL, NULL, NULL);
        INSERT INTO frontier VALUES ('z', 'http://z/x', 'GET', 'page', 1, 900, NULL, NULL, NULL, 'queued', NULL);
    """))
    db.close()
    store = Store(path)
    assert [s["key"] for s in store.sites()] == ["z", "a"]           # config order = insertion order
    assert {"worker", "leased_at", "seq"} <= store.db.columns("frontier")
    assert [r["url"] for r in store.lease_frontier("w1", 5)] == ["http://z/x"]


def test_leases_are_exclusive_and_come_back(store: Store) -> None:
    store.add_frontier_rows([frontier_row("s", f"http://s/{i}", "GET", "page", 1, 1000 - i, None, None)
                             for i in range(6)])
    first = [r["url"] for r in store.lease_frontier("w1", 2)]
    second = [r["url"] for r in store.lease_frontier("w2", 10)]
    assert first == ["http://s/0", "http://s/1"]                    # highest priority first
    assert not set(first) & set(second) and len(second) == 4
    assert store.frontier_busy(exclude_worker="w1")                   # w2 holds leases
    store.save_page(_page("http://s/0"))
    assert store.requeue_leases("w1") == 1                            # w1 died: s/1 goes back, s/0 is done
    assert store.frontier_counts() == {"done": 1, "queued": 1, "leased": 4}
    assert store.drop_leases("w2", "no_record") == 4
    assert [r["url"] for r in store.lease_frontier("w3", 10)] == ["http://s/1"]
    store.add_frontier_rows([frontier_row("s", "http://s/1", "GET", "page", 1, 5, None, None)])
    assert store.frontier_counts()["leased"] == 1                     # a key already there keeps its row


def test_a_record_is_stored_once(store: Store) -> None:
    first = store.save_page(_page("http://s/p", title="一"))
    again = store.save_page(_page("http://s/p", title="二"))
    assert first == again
    assert [p.title for p in store.pages()] == ["一"]                  # the first write wins
    assert len(store.links(first)) == 2                               # its links not doubled


def test_streaming_reads(store: Store) -> None:
    a = store.save_page(_page("http://s/a"))
    store.save_page(_page("http://s/f.pdf", kind="attachment", method="HEAD", body=None, links=[]))
    store.save_page(_page("http://s/gone", status=404, final_url="http://s/gone2", links=[]))
    lean = list(store.iter_pages("s", "page"))
    assert [p.url for p in lean] == ["http://s/a", "http://s/gone"] and all(p.body is None for p in lean)
    assert store.body(a) == "<html>http://s/a</html>"
    assert [p.url for p in store.iter_pages("s", ok=False)] == ["http://s/gone"]
    assert store.find_page("s", "http://s/gone2").url == "http://s/gone"
    assert [(src, ln.kind) for src, ln in store.links_to("s", "http://s/ab.pdf")] == [("http://s/a", "attachment")]
    assert store.count_pages("s", "attachment") == 1
    assert len(list(store.iter_links("s", kinds=["page"]))) == 1


def test_stored_records_decode_their_json_columns_when_read(store: Store) -> None:
    """A record read from the store is a PageRecord whose redirects and meta are decoded when first read:
    equal to the record written, and it pickles, copies and converts as one."""
    import copy
    import pickle
    from dataclasses import asdict, replace

    from zwgk.checks.context import StoredPage
    from zwgk.store import StoredRecord

    written = _page("http://s/doc", meta={"ArticleTitle": "标题", "PubDate": "2024-01-02"},
                    redirects=[{"url": "http://s/old", "status": 301}], final_url="http://s/doc")
    written.id = store.save_page(written)
    rec = store.page("s", "http://s/doc")
    assert isinstance(rec, StoredRecord) and "meta" not in rec.__dict__ and "redirects" not in rec.__dict__
    assert rec.url == "http://s/doc" and "meta" not in rec.__dict__            # (other fields: no decoding)
    again = pickle.loads(pickle.dumps(rec))
    assert again.meta == written.meta and again.redirects == written.redirects
    assert rec == replace(written, links=[]) and replace(written, links=[]) == rec and rec != written
    assert asdict(rec) == asdict(replace(written, links=[])) and copy.copy(rec) == rec
    rec.meta = {"ColumnName": "政策文件"}                                       # set before read: kept
    assert rec.meta == {"ColumnName": "政策文件"} and pickle.loads(pickle.dumps(rec)).meta == rec.meta
    plain = store.page("s", "http://s/doc", body=False)
    assert plain is not None and plain.meta == written.meta and plain.body is None
    lazy = StoredPage.of(plain, store.body)                                      # (what checks get)
    assert lazy.meta == written.meta and lazy.redirects == written.redirects and lazy.body == written.body
    store.save_page(_page("http://s/doc2"))                                    # stored as [] and {}
    other = store.page("s", "http://s/doc2")
    assert other is not None and other.meta == {} and other.redirects == []


def test_links_by_page_come_grouped_in_stored_order(store: Store) -> None:
    ids = [store.save_page(_page(f"http://s/{n}", links=[Link(f"http://s/{n}/{i}", f"链{i}", kind)
                                                         for i, kind in enumerate(["page", "external", "attachment",
                                                                                   "page"])]))
           for n in range(3)]
    store.save_page(_page("http://s/none", links=[]))
    store.upsert_site("t", "t", "http://t/", "u", ["t"])
    store.save_page(_page("http://t/x", site="t"))                              # another site's: not given
    got = list(store.iter_links_by_page("s", ("page", "external")))
    assert got == [(i, [(f"http://s/{n}/0", "链0"), (f"http://s/{n}/1", "链1"), (f"http://s/{n}/3", "链3")])
                   for n, i in enumerate(ids)]


def test_narrow_reads_for_the_evaluation(store: Store) -> None:
    """iter_page_labels / pages_by_ids / first_links: the same records iter_pages and iter_site_links
    give, read narrowly (and grouped in the database), on either backend."""
    b = store.save_page(_page("http://s/b", title="乙", meta={"ArticleTitle": "乙文"}, breadcrumb="首页 > 乙",
                              links=[Link("http://s/x", "在线 咨询", "page"), Link("http://s/x", "留言", "page")]))
    a = store.save_page(_page("http://s/a", links=[Link("http://s/x", "在线 咨询", "page")]))
    store.save_page(_page("http://s/a", method="RENDER", links=[Link("http://s/y", "信箱", "page")]))
    labels = list(store.iter_page_labels("s", "page", ok=True, has_body=True, order="url"))
    assert [(r[0], r[1], r[3]) for r in labels] == [(a, "http://s/a", "GET"), (a + 1, "http://s/a", "RENDER"),
                                                   (b, "http://s/b", "GET")]
    assert labels[2][5:] == ("乙", '{"ArticleTitle": "乙文"}', "首页 > 乙")
    assert [r[0] for r in store.iter_page_labels("s", "page")] == [b, a, a + 1]
    assert [p.url for p in store.pages_by_ids([a, 999, b])] == ["http://s/a", "http://s/b"]
    assert store.pages_by_ids([b])[0] == next(store.iter_pages("s", "page"))
    # the raw fetch of /a is superseded by its render: its link to x does not count, b's does
    got = sorted(store.first_links("s", kinds=["page"], anchor_like=["%咨%询%", "%信%"]))
    assert got == [("http://s/x", "在线 咨询", b, "http://s/b"), ("http://s/y", "信箱", a + 1, "http://s/a")]


def test_batched_writes_commit_together_in_order(store: Store) -> None:
    writer = BatchWriter(store, max_ops=1000, max_seconds=60)
    writer.frontier(frontier_row("s", "http://s/a", "GET", "page", 1, 900, None, None, state="leased", worker="w1"))
    writer.page(_page("http://s/a"))
    writer.frontier(frontier_row("s", "http://s/aa", "GET", "page", 2, 800, None, None))
    writer.settle(("s", "http://s/aa", "GET"), "dropped", "max_pages")
    assert store.pages() == [] and store.frontier_counts() == {}      # nothing visible before the commit
    writer.flush()
    assert store.frontier_counts() == {"done": 1, "dropped": 1}
    assert writer.flushes == 1 and len(writer) == 0


def test_sigkill_loses_only_the_uncommitted_batch(store_url: str) -> None:
    """A process killed with a batch waiting: the committed batch is whole, the waiting one absent."""
    path = store_url
    script = textwrap.dedent(f"""
        import os, signal, sys
        from zwgk.crawler.writer import BatchWriter
        from zwgk.store import PageRecord, Store
        writer = BatchWriter(Store({str(path)!r}), max_ops=10**6, max_seconds=10**6)
        for i in range(50):
            writer.page(PageRecord(site="s", url=f"http://s/{{i}}", status=200, body="x" * 1000))
            if i == 29:
                writer.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ}, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert sorted(int(p.url.rsplit("/", 1)[1]) for p in Store(path).pages()) == list(range(30))


def test_postgres_urls_keep_passwords_out_of_messages() -> None:
    from zwgk.db.postgres import redact, split_schema, translate, with_schema
    from zwgk.services import free_port

    url = "postgresql://zwgk:s3cret@127.0.0.1:5432/zwgk?sslmode=disable"
    assert redact(url) == "postgresql://zwgk@127.0.0.1:5432/zwgk?sslmode=disable"
    assert split_schema(with_schema(url, "zwgk_r1")) == (url, "zwgk_r1")
    assert translate("SELECT '?' , ? WHERE a = ?") == "SELECT '?' , %s WHERE a = %s"
    with pytest.raises(StoreUnavailable, match="无法连接 PostgreSQL") as err:
        connect(f"postgresql://zwgk:s3cret@127.0.0.1:{free_port()}/zwgk")
    assert "s3cret" not in str(err.value)


@pytest.mark.services
def test_runs_in_one_database_never_mix(pg_database: str) -> None:
    from zwgk.db.postgres import with_schema

    one, two = Store(with_schema(pg_database, "run_one")), Store(with_schema(pg_database, "run_two"))
    one.save_page(_page("http://s/a"))
    assert [p.url for p in one.pages()] == ["http://s/a"] and two.pages() == []
    assert one.db.url.endswith("schema=run_one") and isinstance(one.db.query("SELECT 1")[0][0], int)
    one.db.drop_schema()
    two.db.drop_schema()


@pytest.mark.services
def test_an_older_postgres_store_gains_the_new_columns(pg_database: str) -> None:
    """Opening a store creates only what is missing (no DDL on a complete one: workers write meanwhile)."""
    from zwgk.db.postgres import with_schema

    url = with_schema(pg_database, "older")
    db = connect(url)
    db.execute("CREATE TABLE sites (key TEXT PRIMARY KEY, name TEXT)")
    db.close()
    store = Store(url)
    assert {"ord", "capped", "hosts"} <= store.db.columns("sites")
    store.upsert_site("k", "名", "http://k/", "单位", ["k"])
    assert store.db._missing(SCHEMA)[1] == []
    store.db.drop_schema()


@pytest.mark.services
def test_a_run_store_opened_by_many_connections_at_once(pg_database: str) -> None:
    """CREATE SCHEMA IF NOT EXISTS races a concurrent CREATE (the catalogue's unique index): a run's
    processes opening its new store together must all get it (a distributed test failed on it)."""
    import threading

    from zwgk.db.postgres import PostgresBackend, with_schema

    errors: list[str] = []
    for n in range(30):
        url, ready = with_schema(pg_database, f"race_{n}"), threading.Barrier(8)

        def open_store(url: str = url, ready: threading.Barrier = ready) -> None:
            ready.wait()
            try:
                PostgresBackend(url).conn.close()
            except Exception as exc:     # what the test reports
                errors.append(repr(exc)[:200])

        threads = [threading.Thread(target=open_store) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
