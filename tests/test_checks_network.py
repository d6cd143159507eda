"""Network checks over loopback: the portal_sim DNS fixture decides A/AAAA, servers on 127.0.0.1/::1
play the site's IPv4 and IPv6 faces, and SiteContexts are built over a temporary store."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from zwgk.checks.base import CheckResult
from zwgk.checks.context import SiteContext
from zwgk.checks.network import _sample
from zwgk.checks.registry import all_checks
from zwgk.config.profile import load_profile
from zwgk.netresolve import DnsLookup
from zwgk.portal_sim.dns import DnsFixture
from zwgk.probes import Probes
from zwgk.store import PageRecord, Store

from support.loopback import LoopbackServer, Pki, Reply, bind_pair, make_pki

HOST = "www.example-a.gov.cn"          # A 127.0.0.1 + AAAA ::1
V4_HOST = "www.example-b.gov.cn"       # A only
NETWORK_CHECKS = ("site.reachable", "ipv6.aaaa", "ipv6.reachable", "ipv6.links", "https.available")


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsFixture]:
    with DnsFixture({HOST: {"A": ["127.0.0.1"], "AAAA": ["::1"]}, V4_HOST: {"A": ["127.0.0.1"]}}) as fixture:
        yield fixture


def home_html(face: str = "", stamp: str = "2026-11-22 09:30") -> str:
    items = "".join(f'<li><a href="/a{i}.html">第{i}条政务动态{face}</a></li>' for i in range(1, 16))
    return f"<html><head><title>某区人民政府</title></head><body><p>更新于 {stamp}</p><ul>{items}</ul></body></html>"


def site_app(home: str, missing: tuple[str, ...] = (), status: int = 200) -> Callable[[str, dict[str, str]], Reply]:
    def answer(path: str, headers: dict[str, str]) -> Reply:
        if path in missing:
            return Reply(404, "not found")
        return Reply(status, home if path == "/" else f"<title>{path}</title>")
    return answer


PAGES = (("/a.html", 1), ("/b.html", 1), ("/c.html", 2))


@pytest.fixture
def make_ctx(tmp_path: Path, dns: DnsFixture) -> Iterator[Callable[..., SiteContext]]:
    stores: list[Store] = []

    def build(url: str, *, probes: bool = True, home: dict[str, Any] | None = None,
              pages: tuple[tuple[str, int], ...] = PAGES, ca_file: Path | None = None,
              timeout: float = 2) -> SiteContext:
        store = Store(tmp_path / f"store{len(stores)}.sqlite")
        stores.append(store)
        store.upsert_site("site", "某区人民政府", url, "区政府办公室", [urlsplit(url).hostname or ""])
        store.update_site("site", status="complete")
        store.save_page(PageRecord("site", url, **{"status": 200, "body": home_html(), "elapsed": 0.2, **(home or {})}))
        base = url.rstrip("/")
        for path, depth in pages:
            store.save_page(PageRecord("site", base + path, status=200, body="<p>x</p>", depth=depth, referer=url))
        profile = load_profile("national-2019", {"unreachable_timeout_seconds": timeout})
        prober = Probes(store, "site", DnsLookup([dns.address], timeout=2), timeout=5,
                        ca_file=str(ca_file) if ca_file else None) if probes else None
        return SiteContext(store, store.sites()[0], date(2026, 11, 22), profile, prober)

    yield build
    for store in stores:
        store.close()


def run(ctx: SiteContext, check_id: str) -> CheckResult:
    return all_checks()[check_id].run(ctx, {})


def test_checks_are_registered_with_real_bases() -> None:
    checks = all_checks()
    for cid in NETWORK_CHECKS:
        meta = checks[cid].meta
        assert meta.family == "network" and meta.title and meta.remediation
        assert "47号" not in meta.basis
    reachable = checks["site.reachable"].meta
    assert reachable.severity == "veto" and "国办秘函〔2019〕19号" in reachable.basis
    assert "中网办发文〔2021〕15号" in checks["ipv6.aaaa"].meta.basis


def test_offline_evaluation_is_inconclusive(make_ctx) -> None:
    ctx = make_ctx(f"http://{HOST}:9/", probes=False)
    for cid in NETWORK_CHECKS:
        if cid == "site.reachable":
            continue
        result = run(ctx, cid)
        assert (result.status, result.findings) == ("inconclusive", []) and "离线评估" in result.summary


def test_offline_site_reachable_judges_the_crawl_record(make_ctx) -> None:
    """`zwgk evaluate --offline` must not turn every site 无法评估: the crawl's own visit decides."""
    ctx = make_ctx(f"http://{HOST}:9/", probes=False)
    result = run(ctx, "site.reachable")
    assert ctx.home is not None
    assert result.status == ("pass" if ctx.home.ok else "fail")
    assert result.details["probed"] is False and len(result.details["visits"]) == 1


# --- IPv6: the four scenarios ------------------------------------------------------------------
def test_a_record_only(make_ctx) -> None:
    s4, _ = bind_pair(site_app(home_html()), None)
    with s4:
        ctx = make_ctx(f"http://{V4_HOST}:{s4.port}/")
        aaaa = run(ctx, "ipv6.aaaa")
        assert aaaa.status == "fail" and [f.key for f in aaaa.findings] == [("ipv6.aaaa", ctx.site_url, "")]
        assert aaaa.details["a"] == ["127.0.0.1"] and aaaa.details["dns_servers"] == [ctx.probes.resolver.servers[0]]
        reach = run(ctx, "ipv6.reachable")
        assert reach.status == "fail" and reach.details["reason"] == "no_aaaa" and "无AAAA记录" in reach.summary
        assert len(reach.findings) == 1
        links = run(ctx, "ipv6.links")
        assert (links.status, links.findings) == ("not_applicable", [])


def test_aaaa_but_nothing_listens_on_ipv6(make_ctx) -> None:
    s4, _ = bind_pair(site_app(home_html()), None)
    with s4:
        ctx = make_ctx(f"http://{HOST}:{s4.port}/")
        aaaa = run(ctx, "ipv6.aaaa")
        assert aaaa.status == "pass" and aaaa.details["aaaa"] == ["::1"] and aaaa.evidence
        reach = run(ctx, "ipv6.reachable")
        assert reach.status == "fail" and reach.details["reason"] == "unreachable"
        assert "连接被拒绝" in reach.summary and reach.findings[0].evidence["ipv6"]["error_kind"] == "refused"


def test_ipv6_serves_different_content(make_ctx) -> None:
    s4, s6 = bind_pair(site_app(home_html()), site_app("<html><head><title>IPv6 test</title></head>it works</html>"))
    assert s6 is not None
    with s4, s6:
        ctx = make_ctx(f"http://{HOST}:{s4.port}/")
        reach = run(ctx, "ipv6.reachable")
    assert reach.status == "fail" and reach.details["reason"] == "content_differs"
    assert "内容与 IPv4 不一致" in reach.summary and "标题不同" in reach.summary and len(reach.findings) == 1
    comparison = reach.details["comparison"]
    assert comparison["titles"] == {"ipv4": "某区人民政府", "ipv6": "IPv6 test"} and comparison["text_ratio"] < 0.9


def test_ipv6_status_differs(make_ctx) -> None:
    s4, s6 = bind_pair(site_app(home_html()), site_app("bad gateway", status=502))
    assert s6 is not None
    with s4, s6:
        reach = run(make_ctx(f"http://{HOST}:{s4.port}/"), "ipv6.reachable")
    assert reach.status == "fail" and reach.details["reason"] == "status_differs"


def test_ipv6_same_content_passes(make_ctx) -> None:
    s4, s6 = bind_pair(site_app(home_html()), site_app(home_html(stamp="2026-11-22 09:31")))
    assert s6 is not None
    with s4, s6:
        ctx = make_ctx(f"http://{HOST}:{s4.port}/")
        reach = run(ctx, "ipv6.reachable")
        assert reach.status == "pass" and reach.findings == [] and "内容一致" in reach.summary
        assert reach.details["ipv6"]["address"] == "::1" and reach.details["ipv4"]["address"] == "127.0.0.1"
        links = run(ctx, "ipv6.links")
    assert links.status == "pass" and links.findings == []
    assert (links.details["tested"], links.details["ok"]) == (3, 3)
    assert links.details["levels"] == {"二级": {"tested": 2, "ok": 2}, "三级": {"tested": 1, "ok": 1}}
    recorded = ctx.store.probes("site", "http")
    assert {r["data"]["family"] for r in recorded} == {4, 6} and len(ctx.store.probes("site", "dns")) == 1


def test_ipv6_links_two_of_three_fail(make_ctx) -> None:
    s4, s6 = bind_pair(site_app(home_html()), site_app(home_html(), missing=("/b.html", "/c.html")))
    assert s6 is not None
    with s4, s6:
        ctx = make_ctx(f"http://{HOST}:{s4.port}/")
        links = run(ctx, "ipv6.links")
    base = ctx.site_url.rstrip("/")
    assert links.status == "fail" and links.details["ratio"] == round(1 / 3, 4)
    assert sorted(f.key for f in links.findings) == [("ipv6.links", f"{base}/b.html", ""),
                                                     ("ipv6.links", f"{base}/c.html", "")]
    assert all(f.evidence["status"] == 404 for f in links.findings)
    assert "阈值未经官方文本确认" in links.summary and links.details["min_ratio"] == 0.85


def test_sample_is_deterministic_and_split_by_level() -> None:
    pages = [PageRecord("s", f"http://h/{d}/{i}", depth=d) for d in (1, 2) for i in range(40)]
    first = _sample(pages, 30)
    assert first == _sample(list(reversed(pages)), 30)
    assert [p.depth for p in first].count(1) == 15 and len(first) == 30
    few_second = [p for p in pages if p.depth == 2] + pages[:3]
    assert [p.depth for p in _sample(few_second, 30)].count(1) == 3


# --- site.reachable ---------------------------------------------------------------------------
def test_reachable_homepage_passes(make_ctx) -> None:
    with LoopbackServer(site_app(home_html())) as srv:
        result = run(make_ctx(f"http://{HOST}:{srv.port}/"), "site.reachable")
    assert result.status == "pass" and "否决候选" in result.summary
    assert [v["source"] for v in result.evidence] == ["crawl", "probe"] and result.evidence[1]["status"] == 200


@pytest.mark.parametrize(("status", "expected", "findings"), [(503, "fail", 1), (403, "inconclusive", 0),
                                                               (429, "inconclusive", 0), (404, "fail", 1)])
def test_reachable_by_status(make_ctx, status: int, expected: str, findings: int) -> None:
    with LoopbackServer(site_app("busy", status=status)) as srv:
        result = run(make_ctx(f"http://{HOST}:{srv.port}/"), "site.reachable")
    assert result.status == expected and len(result.findings) == findings
    if findings:
        assert result.findings[0].severity == "veto" and result.findings[0].evidence["candidate"] is True


def test_unreachable_homepage_fails(make_ctx) -> None:
    srv = LoopbackServer(site_app(home_html()))
    port = srv.port
    srv.stop()                                  # bound then closed: connections are refused
    result = run(make_ctx(f"http://{HOST}:{port}/"), "site.reachable")
    assert result.status == "fail" and "连接被拒绝" in result.summary and "否决候选" in result.summary
    assert result.details["visits"][1]["error_kind"] == "refused"


def test_probe_timeout_is_the_profile_setting(make_ctx) -> None:
    silent = socket.socket()                  # accepts into the backlog, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        result = run(make_ctx(f"http://{HOST}:{silent.getsockname()[1]}/", timeout=0.3), "site.reachable")
    finally:
        silent.close()
    probe = result.details["visits"][1]
    assert result.status == "fail" and probe["error_kind"] == "timeout" and probe["elapsed"] < 1.5


def test_crawl_failure_counts_even_if_the_probe_answers(make_ctx) -> None:
    with LoopbackServer(site_app(home_html())) as srv:
        home = {"status": None, "error_kind": "timeout", "error": "took too long"}
        result = run(make_ctx(f"http://{HOST}:{srv.port}/", home=home), "site.reachable")
    assert result.status == "fail" and result.summary.startswith("首页无法访问：抓取连接或响应超时")


# --- https.available --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    try:
        return make_pki(tmp_path_factory.mktemp("pki"), [HOST])
    except RuntimeError as exc:
        pytest.skip(f"cannot make test certificates: {exc}")


def test_plain_http_fixture_has_no_https(make_ctx) -> None:
    with LoopbackServer(site_app(home_html())) as srv:
        result = run(make_ctx(f"http://{HOST}:{srv.port}/"), "https.available")
    assert result.status == "fail" and "未提供HTTPS" in result.summary
    assert [f.key for f in result.findings] == [("https.available", f"http://{HOST}:{srv.port}/", "https")]


def test_self_signed_certificate_fails(make_ctx, pki: Pki) -> None:
    with LoopbackServer(site_app(home_html()), tls=pki.server_context(self_signed=True)) as srv:
        result = run(make_ctx(f"https://{HOST}:{srv.port}/"), "https.available")
    assert result.status == "fail" and result.summary.startswith("HTTPS 证书无效：self")
    assert [f.target for f in result.findings] == ["https"]


def test_valid_certificate_from_test_ca_passes(make_ctx, pki: Pki) -> None:
    with LoopbackServer(site_app(home_html()), tls=pki.server_context()) as srv:
        result = run(make_ctx(f"https://{HOST}:{srv.port}/", ca_file=pki.ca_file), "https.available")
    assert result.status == "pass" and "证书有效" in result.summary and "zwgk test CA" in result.summary


def test_http_redirecting_to_valid_https_passes(make_ctx, pki: Pki) -> None:
    with LoopbackServer(site_app(home_html()), tls=pki.server_context()) as secure:
        target = f"https://{HOST}:{secure.port}/"
        with LoopbackServer(lambda path, headers: Reply(301, headers={"Location": target})) as plain:
            result = run(make_ctx(f"http://{HOST}:{plain.port}/", ca_file=pki.ca_file), "https.available")
    assert result.status == "pass" and result.details["redirects_to_https"] is True
    assert "HTTP 跳转到 HTTPS" in result.summary and result.details["https"]["url"] == target


# --- evidence: what a person needs to verify a finding by hand ------------------------------------
def _verifiable(result: CheckResult) -> None:
    assert result.findings
    for f in result.findings:
        assert all(f.evidence.get(k) for k in ("url", "expected", "seen", "at")), (f.check, f.evidence)


def test_network_findings_carry_url_expected_seen_at(make_ctx) -> None:
    s4, _ = bind_pair(site_app(home_html()), None)
    with s4:
        ctx = make_ctx(f"http://{V4_HOST}:{s4.port}/")
        for check_id in ("ipv6.aaaa", "ipv6.reachable", "https.available"):
            _verifiable(run(ctx, check_id))
    srv = LoopbackServer(site_app(home_html()))
    port = srv.port
    srv.stop()
    _verifiable(run(make_ctx(f"http://{HOST}:{port}/"), "site.reachable"))
