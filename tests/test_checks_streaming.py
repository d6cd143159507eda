"""The streaming evaluation gives the same results however the pages are read: checks reading pages
on demand, after one scan in this process, after a scan split over worker processes, and after the
probe stage's scan kept for the evaluation (checks/facts.py); and the context never holds the crawl.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_checks_on_sim import SITES, stored

from zwgk.checks import facts
from zwgk.checks.context import PageStream, SiteContext, StoredPage, UrlLookup
from zwgk.checks.engine import run_checks
from zwgk.config.profile import load_profile
from zwgk.portal_sim import build_site, load_spec

pytestmark = pytest.mark.slow


def _results(ctx: SiteContext) -> str:
    only = {"doc.metadata", "policy.interpretation", "report.annual", "guide.content", "site.identity",
            "interaction.reply", "content.terms", "column.empty", "column.stale", "homepage.stale"}
    results, findings = run_checks(ctx, [], only=only)
    return json.dumps({"results": [r.to_dict() for r in results],
                       "findings": [f.to_dict(ctx.site_url) for f in findings]}, ensure_ascii=False, sort_keys=True)


def _fresh(ctx: SiteContext, **options: Any) -> SiteContext:
    return SiteContext(ctx.store, ctx.site, ctx.as_of, load_profile("national-2019"), options=options or None)


@pytest.fixture(scope="module")
def site_a(tmp_path_factory: pytest.TempPathFactory) -> SiteContext:
    return stored(build_site(load_spec(SITES / "example-a.yaml")), tmp_path_factory.mktemp("a"))


@pytest.mark.parametrize("limit", [None, 3])
def test_scan_changes_nothing(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch, limit: int | None) -> None:
    """limit: checks.metadata_max_documents; a small one keeps few judgements (facts._prune)."""
    terms: dict[str, Any] = {"content_terms": ["人民政府", "信息公开"]}   # words every page has: many findings
    if limit:
        terms["metadata_max_documents"] = limit
    monkeypatch.setattr(facts, "CHUNK", 7)              # many chunks, merged in order
    on_demand = _results(_fresh(site_a, **terms))
    assert '"content.terms"' in on_demand and "doc.metadata" in on_demand

    one = _fresh(site_a, **terms)
    one.scan(1)
    assert one._facts and one._term_hits
    assert len(one._problems) == limit if limit else one._judged_upto is None
    assert _results(one) == on_demand

    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 1)
    two = _fresh(site_a, **terms)
    two.scan(3)                     # the columns' process, two forked processes reading one id range each
    assert two._facts == one._facts and two._problems == one._problems
    assert _results(two) == on_demand

    probe = _fresh(site_a, **terms)
    probe.scan(2, keep=True)                            # the probe stage: metadata only, kept
    assert not probe._term_hits and facts._KEPT
    evaluation = _fresh(site_a, **terms)
    evaluation.scan(2)                                  # takes the kept metadata, reads the terms
    assert not facts._KEPT and evaluation._facts == one._facts and evaluation._term_hits == one._term_hits
    assert _results(evaluation) == on_demand

    audit = _fresh(site_a, **terms)
    audit.scan(2, keep=True, terms_too=True)            # zwgk audit's probe stage: the terms too, kept
    assert audit._term_hits and facts._KEPT
    read: list[Any] = []
    monkeypatch.setattr(facts, "_scan", lambda *a, **k: read.append(a) or iter(()))
    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 10**9)     # (a pass would run here, seen by `read`)
    evaluation = _fresh(site_a, **terms)
    evaluation.scan(2)                                  # takes all of it: no page read again
    assert not read and not facts._KEPT and evaluation._term_hits == one._term_hits
    assert _results(evaluation) == on_demand


def test_content_terms_after_the_scan_reads_no_page(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan kept content.terms' findings by page id: the check takes them in page order, the
    same findings as reading every page, without a pass over the pages."""
    from zwgk.checks.registry import all_checks

    terms: dict[str, Any] = {"content_terms": ["人民政府", "信息公开", "网站"]}
    check = all_checks()["content.terms"]
    want = check.run(_fresh(site_a, **terms), {})
    assert len(want.findings) > 10
    scanned, other = _fresh(site_a, **terms), _fresh(site_a, **terms)
    scanned.scan(1)
    other.scan(1)

    def no_pass(self: PageStream) -> Any:
        raise AssertionError("a pass over the pages")

    monkeypatch.setattr(PageStream, "__iter__", no_pass)
    got = check.run(scanned, {})
    assert json.dumps(got.to_dict(), ensure_ascii=False) == json.dumps(want.to_dict(), ensure_ascii=False)
    assert [f.to_dict(site_a.site_url) for f in got.findings] == [f.to_dict(site_a.site_url) for f in want.findings]
    other.options = {"content_terms": ["人民政府"]}          # not the list the scan read: pages are read
    with pytest.raises(AssertionError, match="a pass over the pages"):
        all_checks()["content.terms"].fn(other, {})


def test_documents_of_several_column_sets_in_one_pass(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """documents_of(A, B) is documents_in(A), documents_in(B), from one pass over the pages in URL order."""
    from zwgk.checks.documents import documents_in, documents_of

    def urls(docs: list[Any]) -> list[tuple[str, str]]:
        return [(key, page.url) for key, page in docs]

    sets = (["gk.policy", "gk.normative"], ["gk.interpretation"], ["gk.interpretation", "gk.policy"])
    want = [urls(documents_in(_fresh(site_a), list(keys))) for keys in sets]
    assert all(want) and len(want[0]) > 5
    passes: list[int] = []
    real = SiteContext.page_labels
    monkeypatch.setattr(SiteContext, "page_labels", lambda self, **kw: passes.append(1) or real(self, **kw))
    assert [urls(docs) for docs in documents_of(_fresh(site_a), *sets)] == want
    assert len(passes) == 1


def _all_results(ctx: SiteContext, processes: int) -> str:
    results, findings = run_checks(ctx, [], processes=processes)
    return json.dumps({"results": [r.to_dict() for r in results],
                       "findings": [f.to_dict(ctx.site_url) for f in findings]}, ensure_ascii=False, sort_keys=True)


def test_checks_shared_out_over_processes_give_the_same_results(site_a: SiteContext,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from zwgk.checks import engine

    monkeypatch.setattr(engine, "MIN_PARALLEL_PAGES", 1)
    one = _fresh(site_a)
    one.scan(1)
    want = _all_results(one, 1)
    two = _fresh(site_a)
    two.scan(1)
    assert _all_results(two, 2) == want
    assert two.store is site_a.store            # (the forked processes read through their own connections)


def test_the_longest_checks_are_handed_out_first() -> None:
    from zwgk.checks.engine import LONGEST_FIRST, submission_order
    from zwgk.checks.registry import all_checks

    checks = all_checks()
    assert set(LONGEST_FIRST) <= set(checks)
    jobs = [(check, {}) for check in checks.values()]
    order = submission_order(jobs)
    assert sorted(order) == list(range(len(jobs)))
    ids = [jobs[i][0].meta.id for i in order]
    assert ids[:len(LONGEST_FIRST)] == list(LONGEST_FIRST)
    rest = [c for c in checks if c not in LONGEST_FIRST]
    assert ids[len(LONGEST_FIRST):] == rest            # the others in catalogue order


def test_a_check_process_that_dies_costs_no_result(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """A forked process killed mid-way (out of memory, a signal): its checks run in this process."""
    import os
    from dataclasses import replace

    from zwgk.checks import engine, registry
    from zwgk.checks.registry import all_checks

    monkeypatch.setattr(engine, "MIN_PARALLEL_PAGES", 1)
    want = _all_results(_fresh(site_a), 1)
    parent = os.getpid()
    check = all_checks()["site.identity"]
    real = check.fn

    def dies_in_a_child(ctx: SiteContext, params: dict[str, Any]) -> Any:
        if os.getpid() != parent:
            os._exit(9)
        return real(ctx, params)

    monkeypatch.setitem(registry._REGISTRY, "site.identity", replace(check, fn=dies_in_a_child))
    assert _all_results(_fresh(site_a), 2) == want
    assert "BrokenProcessPool" in caplog.text


def test_context_streams_the_crawl(site_a: SiteContext) -> None:
    ctx = _fresh(site_a)
    assert isinstance(ctx.pages, PageStream) and isinstance(ctx.by_url, UrlLookup)
    first, again = list(ctx.pages), list(ctx.pages)
    assert first == again and len(ctx.pages) == len(first) > 100
    page = first[0]
    assert isinstance(page, StoredPage) and "body" not in page.__dict__     # read when used, never kept
    assert page.body == ctx.store.body(page.id or 0)
    assert [p.url for p in ctx.pages.by_url_order()] == sorted(p.url for p in first)
    for url in (page.url, first[-1].url, "http://nowhere/"):
        assert ctx.pages.count_other_than(url) == sum(1 for p in first if p.url != url)
    assert ctx.by_url.get(page.url) == page and page.url in ctx.by_url and "http://nowhere/" not in ctx.by_url
    _results(ctx)
    assert len(ctx._bodies.cache_info()._asdict()) and ctx._bodies.cache_info().currsize <= 64


def test_column_recognition_reads_the_stored_pages_links(site_a: SiteContext) -> None:
    """A store's records come without their links; recognising columns on the stored crawl reads
    them (menu anchors, link URLs) and finds what it finds on the same pages held with their links."""
    from dataclasses import asdict, replace

    from zwgk.understand.columns import recognise_columns

    ctx = _fresh(site_a)
    held = [replace(p, links=ctx.store.links(p.id or 0)) for p in ctx.pages]
    assert sum(len(p.links) for p in held) > 1000
    want = {k: asdict(v) for k, v in recognise_columns(held).items()}
    got = {k: asdict(v) for k, v in ctx.columns.items()}
    assert got == want
    assert any(e["kind"] == "anchor" for hit in got.values() for e in hit["evidence"])


def _columns(ctx: SiteContext) -> dict[str, Any]:
    from dataclasses import asdict

    return {k: asdict(v) for k, v in ctx.columns.items()}


def test_columns_recognised_in_a_process_of_their_own_are_the_same(site_a: SiteContext,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """scan(2): the columns are recognised in a forked process while the page scan runs, not here."""
    import os

    want, results = _columns(_fresh(site_a)), _results(_fresh(site_a))
    coverage = _fresh(site_a).coverage.to_dict()
    assert want and any(e["kind"] == "anchor" for hit in want.values() for e in hit["evidence"])
    parent = os.getpid()
    real = SiteContext.recognise_columns

    def never_here(ctx: SiteContext) -> dict[str, Any]:
        assert os.getpid() != parent, "recognised in the parent"
        return real(ctx)

    real_scan = facts._scan

    def only_here(*args: Any) -> Any:
        assert os.getpid() == parent, "pages read in another process"
        return real_scan(*args)

    monkeypatch.setattr(SiteContext, "recognise_columns", never_here)
    monkeypatch.setattr(facts, "_scan", only_here)
    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 1)
    two = _fresh(site_a)
    after: list[bool] = []          # `then` (the probe stage's site.search): the facts read, the columns not waited for
    two.scan(2, then=lambda: after.append(two._meta_scanned and "columns" not in two.__dict__))
    assert after == [True]          # two processes: the columns' and this one, which reads the pages
    assert "columns" in two.__dict__ and _columns(two) == want
    assert "coverage" in two.__dict__ and two.coverage.to_dict() == coverage      # (worked out there too)
    assert two.store is site_a.store            # (the process read through a connection of its own)
    assert _results(two) == results


@pytest.mark.parametrize("how", ["dies", "raises"])
def test_a_columns_process_that_fails_costs_no_columns(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture, how: str) -> None:
    """The column process killed (out of memory, a signal) or failing: the columns are recognised
    here instead, the same ones."""
    import os

    want = _columns(_fresh(site_a))
    parent = os.getpid()

    def fails(ctx: SiteContext) -> dict[str, Any]:
        assert os.getpid() != parent
        if how == "dies":
            os._exit(9)
        raise RuntimeError("broken")

    monkeypatch.setattr(facts, "_recognise", fails)
    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 1)
    two = _fresh(site_a)
    two.scan(2)
    assert _columns(two) == want
    assert ("ended without a result" if how == "dies" else "RuntimeError: broken") in caplog.text


def test_ctrl_c_during_the_scan_stops_the_columns_process(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    import multiprocessing
    import os
    import time

    parent, marker = os.getpid(), tmp_path / "finished"
    real = facts._recognise

    def slow(ctx: SiteContext) -> dict[str, Any]:
        assert os.getpid() != parent
        time.sleep(3)
        marker.write_text("recognised to the end")
        return real(ctx)

    def interrupted(*args: Any) -> None:         # Ctrl-C while the scan's facts are taken in
        raise KeyboardInterrupt

    monkeypatch.setattr(facts, "_recognise", slow)
    monkeypatch.setattr(facts, "_merge", interrupted)
    monkeypatch.setattr(facts, "MIN_PARALLEL_PAGES", 1)
    ctx = _fresh(site_a)
    with pytest.raises(KeyboardInterrupt):
        ctx.scan(1 + 1)
    assert not any(p.name == "zwgk-columns" for p in multiprocessing.active_children())
    time.sleep(3.5)
    assert not marker.exists()


def test_a_small_site_or_one_process_recognises_columns_here(site_a: SiteContext,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[Any] = []
    real = facts.ColumnsProcess.start
    monkeypatch.setattr(facts.ColumnsProcess, "start", classmethod(lambda cls, ctx: started.append(ctx) or real(ctx)))
    one = _fresh(site_a)
    one.scan(1)                                 # one process: no other process at all
    assert not started and "columns" in one.__dict__
    two = _fresh(site_a)
    two.scan(2)                                 # below MIN_PARALLEL_PAGES: asked, declined
    assert started == [two] and "columns" in two.__dict__ and _columns(two) == _columns(one)


def test_links_broken_reads_targets_from_the_store(tmp_path: Path) -> None:
    """links.broken joins targets and links in the database: same findings as the truth on the portal
    with planted broken links (test_e2e_checks crawls it; here the store is written directly)."""
    from zwgk.checks.registry import all_checks
    from zwgk.store import PageRecord

    ctx = stored(build_site(load_spec(SITES / "example-clean.yaml")), tmp_path)
    store, key = ctx.store, ctx.key
    home = ctx.home
    assert home is not None
    links = store.links(home.id or 0)
    target = next(ln.url for ln in links if ln.kind == "page")
    store.save_page(PageRecord(site=key, url="http://www.example-clean.gov.cn/gone.pdf", kind="attachment",
                               method="HEAD", status=404, fetched_at=home.fetched_at))
    store.db.execute("INSERT INTO links (page_id, url, anchor, kind, hidden, tag) VALUES (?,?,?,?,0,'a')",
                     (home.id, "http://www.example-clean.gov.cn/gone.pdf", "附件", "attachment"))
    store.db.execute("INSERT INTO links (page_id, url, anchor, kind, hidden, tag, state, reason) "
                     "VALUES (?,?,?,?,0,'a','invalid','端口无效')", (home.id, "http://x:99999/", "坏链接", "page"))
    result = all_checks()["links.broken"].run(_fresh(ctx), {})
    got = sorted((f.url, f.target) for f in result.findings)
    assert got == [(home.url, "http://www.example-clean.gov.cn/gone.pdf"), (home.url, "http://x:99999/")]
    assert result.details["checked_targets"] > 1 and target
    # the targets are judged from narrow rows; a broken one's evidence is its whole record's
    gone = next(f for f in result.findings if f.target.endswith("gone.pdf"))
    assert {k: gone.evidence[k] for k in ("status", "kind", "at", "redirects", "error_kind", "seen")} == {
        "status": 404, "kind": "attachment", "at": home.fetched_at, "redirects": [], "error_kind": None,
        "seen": "HTTP 404"}


def test_ctrl_c_stops_the_check_processes_at_once(site_a: SiteContext, monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """Ctrl-C while the checks run in forked processes: they are stopped, not waited for."""
    import multiprocessing
    import os
    import time
    from dataclasses import replace

    from zwgk.checks import engine, registry
    from zwgk.checks.registry import all_checks

    monkeypatch.setattr(engine, "MIN_PARALLEL_PAGES", 1)
    parent, marker = os.getpid(), tmp_path / "finished"
    check = all_checks()["site.identity"]

    def slow_in_a_child(ctx: SiteContext, params: dict[str, Any]) -> Any:
        if os.getpid() != parent:
            time.sleep(3)
            marker.write_text("the check ran to its end")
        return check.fn(ctx, params)

    monkeypatch.setitem(registry._REGISTRY, "site.identity", replace(check, fn=slow_in_a_child))
    real = engine.as_completed

    def interrupted(futures: Any) -> Any:
        yield next(iter(real(futures)))
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "as_completed", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_checks(_fresh(site_a), [], processes=2)
    for child in multiprocessing.active_children():
        child.join()
    assert not marker.exists()


def test_a_stored_crawl_of_real_pages_finds_the_columns_only_menus_name(tmp_path: Path) -> None:
    """邯郸's real pages (fixtures/html/understand/hd_*.html, saved from hdzfxxgk.hd.gov.cn): its 政策解读
    is named only by menu anchors. Stored and read back as an audit reads them, the columns are those of
    the same pages held with their links — 政策解读 included, which the link-less records used to miss."""
    from dataclasses import asdict

    from test_understand_columns import crawled

    from zwgk.store import Store
    from zwgk.understand.columns import recognise_columns

    pages = [crawled("hd_index.html", "http://hdzfxxgk.hd.gov.cn/"),
             crawled("hd_list.html", "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"),
             crawled("hd_detail.html", "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")]
    store = Store(tmp_path / "hd.sqlite")
    store.upsert_site("hd", "邯郸市人民政府", "http://hdzfxxgk.hd.gov.cn/", "市政府办公室", ["hdzfxxgk.hd.gov.cn"])
    for rec in pages:
        rec.content_type = "text/html"
        store.save_page(rec)
    ctx = SiteContext(store, store.sites()[0], date(2026, 11, 22), load_profile("national-2019"))
    got = {k: asdict(v) for k, v in ctx.columns.items()}
    assert got == {k: asdict(v) for k, v in recognise_columns(pages).items()}
    assert ctx.columns["gk.interpretation"].strongest == "anchor"


@pytest.mark.parametrize("status", ["complete", "capped"])
def test_the_probe_stages_early_checks_need_no_columns(site_a: SiteContext, status: str) -> None:
    """The probing checks that read no scan facts run while the columns are still being recognised
    (pipeline.probe_stage): judged without the columns, their results are the same as with them."""
    from zwgk.checks.registry import all_checks
    from zwgk.pipeline import READS_SCAN

    early = {cid for cid, chk in all_checks().items() if chk.meta.probes} - READS_SCAN
    assert {"links.broken", "site.reachable"} <= early
    site = {**site_a.site, "status": status, "capped": ["max_pages"] if status == "capped" else []}

    def judged(ctx: SiteContext) -> str:
        results, findings = run_checks(ctx, [], only=early)
        return json.dumps({"results": [r.to_dict() for r in results],
                           "findings": [f.to_dict(ctx.site_url) for f in findings]}, ensure_ascii=False)

    before = SiteContext(site_a.store, site, site_a.as_of, load_profile("national-2019"))
    got = judged(before)
    assert "columns" not in before.__dict__ and "coverage" not in before.__dict__
    after = SiteContext(site_a.store, site, site_a.as_of, load_profile("national-2019"))
    assert after.coverage.status == status
    assert judged(after) == got
    assert (status == "capped") == ("只检查了已抓取的页面" in got)      # (a cut crawl's pass says so)


def test_metadata_documents_counted_past_keep_as_read(site_a: SiteContext) -> None:
    """metadata_documents after the scan (the facts say which pages have a block: pages past `keep`
    are counted from narrow rows) gives what it gives reading every page, and `keep` cuts a prefix."""
    from zwgk.checks.documents import metadata_documents

    def urls(docs: list[Any]) -> list[tuple[str | None, str]]:
        return [(key, page.url) for key, page in docs]

    read, read_total = metadata_documents(_fresh(site_a))
    assert read_total == len(read) > 6
    scanned = _fresh(site_a)
    scanned.scan(1)
    for keep in (None, 3, len(read)):
        docs, total = metadata_documents(scanned, keep=keep)
        assert (urls(docs), total) == (urls(read[:keep]), read_total)
