"""Probe layer against loopback servers: family choice, Host/SNI, redirects, caps, errors, TLS,
recording; plus the IPv4/IPv6 content comparison."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from zwgk.netresolve import Answer, DnsLookup
from zwgk.probes import Probes
from zwgk.probes.compare import compare_pages
from zwgk.store import Store

from support.loopback import LoopbackServer, Pki, Reply, bind_pair, make_pki

HOST = "www.example-a.gov.cn"
V4_ONLY = "v4only.example-a.gov.cn"


class StubDns(DnsLookup):
    """Fixed answers, counting lookups (the real resolver is exercised in test_checks_network)."""

    def __init__(self, answers: dict[str, Answer]):
        self.answers, self.servers, self.calls = answers, ["stub"], []

    def lookup(self, host: str) -> Answer:
        self.calls.append(host)
        return self.answers.get(host, Answer(host, error="nxdomain"))


DNS = {HOST: Answer(HOST, a=["127.0.0.1"], aaaa=["::1"]), V4_ONLY: Answer(V4_ONLY, a=["127.0.0.1"])}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite")
    yield s
    s.close()


def probes_for(store: Store, **kw: object) -> Probes:
    return Probes(store, "site", StubDns(dict(DNS)), timeout=3, **kw)  # type: ignore[arg-type]


def app(face: str):
    def answer(path: str, headers: dict[str, str]) -> Reply:
        if path == "/gbk":
            return Reply(body="<title>政务公开</title>".encode("gbk"),
                         headers={"Content-Type": "text/html; charset=gbk"})
        if path == "/meta-gbk":
            return Reply(body='<meta charset="gb2312"><p>信息公开</p>'.encode("gbk"),   # charset only in <meta>
                         headers={"Content-Type": "text/html"})
        if path == "/big":
            return Reply(body=b"x" * 10_000)
        if path.startswith("/hop"):
            n = int(path[4:])
            return Reply(200, face) if n == 0 else Reply(302, headers={"Location": f"/hop{n - 1}"})
        if path in ("/x", "/y"):
            return Reply(301, headers={"Location": "/y" if path == "/x" else "/x"})
        return Reply(body=f"<title>{face}</title><p>{face} {path}</p>")
    return answer


@pytest.fixture
def pair() -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    s4, s6 = bind_pair(app("v4"), app("v6"))
    assert s6 is not None
    with s4, s6:
        yield s4, s6


def test_get_over_ipv4_sends_host_header_and_is_recorded_once(store: Store, pair) -> None:
    s4, _ = pair
    probes = probes_for(store)
    url = f"http://{HOST}:{s4.port}/path?q=1"
    probe = probes.http(url, family=4)
    assert (probe.status, probe.address, probe.error_kind, probe.family) == (200, "127.0.0.1", None, 4)
    assert probe.text == "<title>v4</title><p>v4 /path?q=1</p>" and probe.charset == "utf-8"
    path, headers = s4.requests[0]
    assert path == "/path?q=1" and headers["Host"] == f"{HOST}:{s4.port}"
    assert "zwgk-audit" in headers["User-Agent"]
    assert probes.http(url, family=4) is probe                       # cached per run
    assert len(s4.requests) == 1 and probes.resolver.calls == [HOST]  # type: ignore[attr-defined]
    http_rows, dns_rows = store.probes("site", "http"), store.probes("site", "dns")
    assert [r["target"] for r in http_rows] == [url] and "body" not in http_rows[0]["data"]
    assert http_rows[0]["data"]["status"] == 200 and http_rows[0]["data"]["size"] == len(probe.body)
    assert [r["data"]["aaaa"] for r in dns_rows] == [["::1"]]


def test_a_live_probe_is_answered_as_its_record_reads_back(store: Store, pair) -> None:
    """What a check reads of a live probe is what the evaluation reads of its record later (StoredProbes:
    the elapsed time rounded as stored, the rest equal) — so zwgk audit can take the probe stage's
    results instead of judging the records again."""
    from zwgk.probes import StoredProbes

    s4, s6 = pair
    probes = probes_for(store)
    urls = [f"http://{HOST}:{s4.port}/gbk", f"http://{HOST}:{s4.port}/hop2", f"http://{HOST}:{s6.port}/big"]
    live = [probes.http(urls[0], family=4), probes.http(urls[1]), *probes.http_many([urls[2]], family=6,
                                                                                     max_bytes=100)]
    live.append(probes.http(f"http://nowhere.example-a.gov.cn:{s4.port}/"))        # an error is data too
    stored = StoredProbes(store, "site", StubDns({}), timeout=3)
    again = [stored.http(urls[0], family=4), stored.http(urls[1]), *stored.http_many([urls[2]], family=6,
                                                                                       max_bytes=100),
             stored.http(f"http://nowhere.example-a.gov.cn:{s4.port}/")]
    for got, recorded in zip(live, again, strict=True):
        assert got == recorded                                       # every field, the body and text too
        assert got.elapsed == round(got.elapsed, 3)
    assert live[0].text == "<title>政务公开</title>" and live[1].redirects and live[2].truncated
    assert live[3].error_kind == "dns"


def test_family_picks_the_address(store: Store, pair) -> None:
    s4, _ = pair
    probes = probes_for(store)
    p6 = probes.http(f"http://{HOST}:{s4.port}/", family=6)
    assert (p6.status, p6.address, p6.text) == (200, "::1", "<title>v6</title><p>v6 /</p>")
    assert probes.http(f"http://{HOST}:{s4.port}/").address == "127.0.0.1"   # no family: IPv4 first
    no6 = probes.http(f"http://{V4_ONLY}:{s4.port}/", family=6)
    assert (no6.status, no6.error_kind) == (None, "no_address") and "AAAA" in (no6.error or "")
    off = probes_for(store, ipv6=False).http(f"http://{HOST}:{s4.port}/", family=6)
    assert off.error_kind == "disabled"


def test_gbk_bodies_decode(store: Store, pair) -> None:
    s4, _ = pair
    probes = probes_for(store)
    assert probes.http(f"http://{HOST}:{s4.port}/gbk").text == "<title>政务公开</title>"
    meta = probes.http(f"http://{HOST}:{s4.port}/meta-gbk")
    assert "信息公开" in meta.text and meta.charset == "gb18030"


def test_redirects_are_followed_and_recorded(store: Store, pair) -> None:
    s4, _ = pair
    probes = probes_for(store)
    base = f"http://{HOST}:{s4.port}"
    probe = probes.http(f"{base}/hop2")
    assert (probe.status, probe.final_url, probe.text) == (200, f"{base}/hop0", "v4")
    assert probe.redirects == [{"url": f"{base}/hop2", "status": 302, "location": f"{base}/hop1"},
                               {"url": f"{base}/hop1", "status": 302, "location": f"{base}/hop0"}]
    raw = probes.http(f"{base}/hop2", follow_redirects=False)
    assert (raw.status, raw.redirects, raw.headers["location"]) == (302, [], "/hop1")
    loop = probes.http(f"{base}/x")
    assert loop.error_kind == "redirect_loop" and len(loop.redirects) == 2
    too_many = probes.http(f"{base}/hop9", max_redirects=5)
    assert too_many.error_kind == "redirect_loop" and len(too_many.redirects) == 6


def test_body_is_capped(store: Store, pair) -> None:
    s4, _ = pair
    probe = probes_for(store).http(f"http://{HOST}:{s4.port}/big", max_bytes=1000)
    assert len(probe.body) == 1000 and probe.truncated
    full = probes_for(store).http(f"http://{HOST}:{s4.port}/big")
    assert len(full.body) == 10_000 and not full.truncated


def test_errors_become_data(store: Store) -> None:
    s4, s6 = bind_pair(app("v4"), None)       # nothing on [::1]:port
    assert s6 is None
    with s4:
        probes = probes_for(store)
        refused = probes.http(f"http://{HOST}:{s4.port}/", family=6)
        assert (refused.error_kind, refused.address) == ("refused", "::1")
        assert probes.http(f"http://nowhere.example-a.gov.cn:{s4.port}/").error_kind == "dns"
        assert probes.http("ftp://x/").error_kind == "other"


def test_timeout_bounds_the_visit(store: Store) -> None:
    silent = socket.socket()                  # accepts into the backlog, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    try:
        probe = probes_for(store).http(f"http://{HOST}:{silent.getsockname()[1]}/", timeout=0.3)
    finally:
        silent.close()
    assert probe.error_kind == "timeout" and 0.25 < probe.elapsed < 2


def test_http_many_keeps_order(store: Store, pair) -> None:
    s4, _ = pair
    urls = [f"http://{HOST}:{s4.port}/p{i}" for i in range(6)]
    results = probes_for(store).http_many(urls, family=6)
    assert [p.url for p in results] == urls and all(p.address == "::1" and p.ok for p in results)
    assert len(store.probes("site", "http")) == 6 and len(store.probes("site", "dns")) == 1


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    try:
        return make_pki(tmp_path_factory.mktemp("pki"), [HOST])
    except RuntimeError as exc:
        pytest.skip(f"cannot make test certificates: {exc}")


def tls_server(pki: Pki, self_signed: bool, names: list[str]) -> LoopbackServer:
    ctx = pki.server_context(self_signed)
    ctx.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    return LoopbackServer(lambda path, headers: Reply(body="<title>secure</title>"), tls=ctx)


def test_self_signed_certificate_is_a_tls_error(store: Store, pki: Pki) -> None:
    names: list[str] = []
    with tls_server(pki, True, names) as srv:
        probes = probes_for(store)
        probe = probes.http(f"https://{HOST}:{srv.port}/")
        assert probe.error_kind == "tls" and "self" in (probe.error or "")   # OpenSSL: "self[- ]signed"
        assert probe.tls is not None and probe.tls["verified"] is False and probe.tls["verify_code"] == 18
        unverified = probes.http(f"https://{HOST}:{srv.port}/", verify_tls=False)
        assert unverified.status == 200 and unverified.text == "<title>secure</title>"
    assert names[0] == HOST


def test_certificate_from_a_trusted_ca(store: Store, pki: Pki) -> None:
    names: list[str] = []
    with tls_server(pki, False, names) as srv:
        probes = probes_for(store, ca_file=str(pki.ca_file))
        probe = probes.http(f"https://{HOST}:{srv.port}/")
        assert (probe.status, probe.error_kind) == (200, None)
        assert probe.tls and probe.tls["verified"] and probe.tls["san"] == [HOST]
        assert srv.requests[0][1]["Host"] == f"{HOST}:{srv.port}" and names == [HOST]
        mismatch = probes.http(f"https://{V4_ONLY}:{srv.port}/")      # same server, other name
        assert mismatch.error_kind == "tls" and "mismatch" in (mismatch.error or "").lower()
        assert probes_for(store).http(f"https://{HOST}:{srv.port}/").error_kind == "tls"   # CA not trusted


def test_server_context_is_tls_server(pki: Pki) -> None:
    assert pki.server_context().protocol == ssl.PROTOCOL_TLS_SERVER


# --- content comparison -----------------------------------------------------------------------
PAGE = """<html><head><title>某区人民政府</title><script>var t = "{stamp}";</script></head><body>
<div class="top">今天是 {date} 星期一 访问量：{counter}</div>
<ul>{items}</ul><p>版权所有 某区人民政府办公室</p></body></html>"""
ITEMS = "".join(f'<li><a href="/a{i}.html">第{i}条政务动态</a><span>2026-11-{i:02d}</span></li>' for i in range(1, 21))


def test_same_page_with_volatile_parts_is_consistent() -> None:
    a = PAGE.format(stamp="1", date="2026年11月22日 09:30:01", counter="1234567", items=ITEMS)
    b = PAGE.format(stamp="2", date="2026年11月23日 10:41:59", counter="1234999", items=ITEMS)
    result = compare_pages(a, b)
    assert result.consistent and result.text_ratio == 1.0 and result.link_overlap == 1.0


def test_different_pages_are_not_consistent() -> None:
    a = PAGE.format(stamp="", date="", counter="", items=ITEMS)
    b = PAGE.format(stamp="", date="", counter="", items="<li>IPv6 测试页</li>")
    result = compare_pages(a, b)
    assert not result.consistent and result.title_equal and result.text_ratio < 0.5
    assert "正文相似度" in result.describe() and result.differences
    retitled = compare_pages(a, a.replace("<title>某区人民政府</title>", "<title>It works!</title>"))
    assert not retitled.consistent and retitled.text_ratio == 1.0 and "标题不同" in retitled.describe()
