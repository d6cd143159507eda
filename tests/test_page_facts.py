"""Crawl-time page facts (understand/facts.py): the evaluation from the facts the crawler stored gives
exactly the results of the fallback that reads every page's body (a store written without them)."""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest
from test_checks_on_sim import SITES, stored

from zwgk.checks import context, facts
from zwgk.checks.context import SiteContext
from zwgk.checks.engine import run_checks
from zwgk.checks.registry import all_checks
from zwgk.config.profile import load_profile
from zwgk.portal_sim import build_site, load_spec
from zwgk.store import Store
from zwgk.understand._html import parse_html
from zwgk.understand.facts import MARK, PageFacts, StoredMeta, decode, encode, page_facts, squeezed_text
from zwgk.understand.metadata import DocMeta, parse_metadata

pytestmark = pytest.mark.slow
OPTIONS = {"content_terms": ["人民政府", "信息公开"]}     # words every page has: many findings


def encode_v1(got: PageFacts) -> bytes:
    """The facts as versions before the current layout stored them (zlib'd JSON): still read."""
    data = [int(got.words), got.meta.to_data() if got.meta is not None else None, got.text]
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)


def _with_facts(src: Path, dst: Path, encoder: Callable[[PageFacts], bytes] = encode) -> Store:
    """A copy of a stored crawl with the facts the crawler takes: page_facts of its one parse."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)                                    # (its last pages may still be in the WAL file)
    store = Store(dst)
    with store.transaction():
        for rec in store.iter_pages(None, "page", body=True, ok=True, has_body=True):
            got = page_facts(rec, parse_html(rec.body))
            assert got is not None
            store.db.execute("INSERT INTO page_facts (page_id, facts) VALUES (?, ?)", (rec.id, encoder(got)))
    return store


def _ctx(store: Store, like: SiteContext) -> SiteContext:
    row = next(s for s in store.sites() if s["key"] == like.key)
    return SiteContext(store, row, like.as_of, load_profile("national-2019"), options=dict(OPTIONS))


def _results(ctx: SiteContext) -> str:
    only = {cid for cid, chk in all_checks().items() if not chk.meta.probes}
    results, findings = run_checks(ctx, [], only=only)
    return json.dumps({"results": [r.to_dict() for r in results],
                       "findings": [f.to_dict(ctx.site_url) for f in findings],
                       "coverage": ctx.coverage.to_dict()}, ensure_ascii=False, sort_keys=True)


@pytest.fixture(scope="module")
def site_a(tmp_path_factory: pytest.TempPathFactory) -> SiteContext:
    return stored(build_site(load_spec(SITES / "example-a.yaml")), tmp_path_factory.mktemp("a"))


def test_evaluation_from_crawl_time_facts_equals_the_fallback(site_a: SiteContext, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert site_a.store.path is not None
    plain = Store(site_a.store.path)
    with_facts = _with_facts(site_a.store.path, tmp_path / "facts.sqlite")
    rows = list(with_facts.iter_pages_with_facts(site_a.key, "page", ok=True, has_body=True))
    assert rows and all(blob is not None for _, blob in rows)
    assert all(blob is None for _, blob in plain.iter_pages_with_facts(site_a.key, "page", ok=True, has_body=True))

    fallback = _ctx(plain, site_a)
    fallback.scan(1)
    expected = _results(fallback)
    assert '"content.terms"' in expected and '"doc.metadata"' in expected

    one = _ctx(with_facts, site_a)
    one.scan(1)
    assert one._facts == fallback._facts and one._problems == fallback._problems
    assert one._term_hits.keys() == fallback._term_hits.keys()
    assert _results(one) == expected

    # a store written by an older version: its facts in the layout of then
    older = _ctx(_with_facts(site_a.store.path, tmp_path / "v1.sqlite", encode_v1), site_a)
    assert all(blob[:1] != MARK for _, blob in older.store.iter_pages_with_facts(site_a.key, "page"))
    older.scan(1)
    assert older._facts == fallback._facts and _results(older) == expected

    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 1)
    monkeypatch.setattr(facts, "CHUNK", 7)
    two = _ctx(with_facts, site_a)
    two.scan(2)                                        # forked processes, chunks merged in order
    assert _results(two) == expected

    # zwgk audit: the probe stage scans the metadata and keeps it with the columns and coverage
    probe = _ctx(with_facts, site_a)
    probe.scan(1, keep=True)
    probe.columns, probe.coverage                      # noqa: B018 (worked out, as the probe checks do)
    probe.keep()
    evaluation = _ctx(with_facts, site_a)
    evaluation.adopt()
    assert "columns" in evaluation.__dict__ and not context._KEPT
    evaluation.scan(1)
    assert _results(evaluation) == expected


def test_kept_columns_are_not_taken_for_another_crawl(site_a: SiteContext, tmp_path: Path) -> None:
    assert site_a.store.path is not None
    probe = _ctx(Store(site_a.store.path), site_a)
    probe.columns                                      # noqa: B018
    probe.keep()
    other = _with_facts(site_a.store.path, tmp_path / "other.sqlite")   # another store: not taken
    ctx = _ctx(other, site_a)
    ctx.adopt()
    assert "columns" not in ctx.__dict__
    context._KEPT.clear()


def test_squeezed_text_reads_what_a_visitor_sees() -> None:
    root = parse_html("<html><head><title>标 题</title><script>var a='隐藏';</script></head><body>"
                      "<p>一<!-- 注释 -->二<b>三</b>四<style>p{}</style>五<iframe>框</iframe>六</p>"
                      "<svg><text>图</text></svg>七</body></html>")
    assert squeezed_text(root) == "标题一二三四五六七"
    assert squeezed_text(None) == ""
    deep = parse_html("<div>" * 3000 + "深" + "</div>" * 3000)
    assert squeezed_text(deep) in ("深", "")           # no recursion limit (libxml2 may cap the depth)


def test_facts_round_trip() -> None:
    html = ("<html><head><meta name='PubDate' content='2024-03-01'></head><body><table><tr><td>索引号：</td>"
            "<td>000-2024-01</td></tr><tr><td>文号</td><td></td></tr></table><p>发布机构：县政府办</p></body></html>")
    meta = parse_metadata(html)
    assert meta.has_block and DocMeta.from_data(json.loads(json.dumps(meta.to_data()))) == meta
    from zwgk.store import PageRecord

    rec = PageRecord(site="s", url="http://x.gov.cn/art/2024/3/1/art_1_2.html", status=200, body=html,
                     meta={"PubDate": "2024-03-01"})
    got = page_facts(rec, parse_html(html))
    assert got is not None and got.words and got.meta == meta and "县政府办" in got.text
    assert decode(encode(got)) == got and decode(encode_v1(got)) == got
    stored = decode(encode(got)).meta
    assert isinstance(stored, StoredMeta) and "_later" in stored.__dict__         # (not decoded yet)
    assert stored.value("发布机构") == "县政府办" and stored.has_block and "_later" in stored.__dict__
    again = pickle.loads(pickle.dumps(stored))          # (the scan's processes send what they read)
    assert again == meta and meta == again and asdict(again) == asdict(meta)
    assert stored.meta == meta.meta == {"PubDate": "2024-03-01"} and stored == meta
    rec.meta, rec.url = {}, "http://x.gov.cn/list.html"           # not a document: no metadata read
    assert page_facts(rec, parse_html(html)).meta is None        # type: ignore[union-attr]



REAL = Path(__file__).parent / "fixtures" / "html" / "real"     # real portal pages (SOURCES.md)


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*.html")))
def test_facts_of_real_pages_equal_an_independent_reading(name: str) -> None:
    """On real government pages: the crawl-time facts survive the encoding, and the visible text equals
    an independent reading (XPath: every text node outside script/style/… elements)."""
    from lxml import etree

    from zwgk.store import PageRecord
    from zwgk.understand._html import squeeze
    from zwgk.understand.facts import NOT_TEXT

    html = (REAL / name).read_bytes().decode("utf-8", errors="replace")
    root = parse_html(html)
    rec = PageRecord(site="s", url=f"http://www.example.gov.cn/{name}", kind="page", status=200, body=html)
    got = page_facts(rec, root)
    assert got is not None
    assert decode(encode(got)) == got and decode(encode_v1(got)) == got
    outside = " or ".join(f"ancestor::{t}" for t in sorted(NOT_TEXT))
    assert got.text == squeeze("".join(etree.XPath(f"//text()[not({outside})]")(root)))
