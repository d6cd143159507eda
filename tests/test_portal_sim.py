"""The simulated portal: deterministic build, truth derived from the link graph, server, DNS, writer."""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import dns.resolver
import pytest

from zwgk.portal_sim import DnsFixture, build_site, load_spec
from zwgk.portal_sim.cli import main as sim_main
from zwgk.portal_sim.links import extract_links, is_attachment
from zwgk.portal_sim.running import RunningPortal
from zwgk.portal_sim.spec import DefectSpec, SpecError, spec_from_dict

SITES = Path(__file__).parent / "fixtures" / "sites"

# Pinned answer keys. A change here means the generator changed: say why in the commit.
# Content defects and traps (2026-11): +1 page per site (the 留言 board's 我要留言 form); example-a's
# footer lost 公网安备 (footer_missing: one external link fewer per page) and one 解读 moved into
# 政务动态 (interpretation_elsewhere), which renumbers document ids and so re-deals attachments.
COUNTS = {
    "example-a": {"pages": 104, "pages_ok": 96, "attachments": 45, "broken": 7, "hidden_links": 20,
                  "external": 293, "not_followed": 4, "robots_disallowed": 2, "documents": 84,
                  "documents_reachable": 76, "max_depth": 3},
    "example-b": {"pages": 77, "pages_ok": 75, "attachments": 28, "broken": 3, "hidden_links": 10,
                  "external": 302, "not_followed": 4, "robots_disallowed": 0, "documents": 84,
                  "documents_reachable": 60, "max_depth": 18},
}


def get(portal: RunningPortal, url: str, *, ip: str = "127.0.0.1", method: str = "GET",
        body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """Request `url` (its host goes in the Host header) over `ip`, without following redirects."""
    m = re.match(r"http://([^/:]+)(?::\d+)?(/.*)", url)
    assert m, url
    conn = http.client.HTTPConnection(ip, portal.port, timeout=10)
    try:
        conn.request(method, m[2], body=body, headers={"Host": f"{m[1]}:{portal.port}"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def digest(site_key: str) -> str:
    site = build_site(load_spec(SITES / f"{site_key}.yaml"))
    h = hashlib.sha256()
    for (host, path), res in sorted(site.resources.items()):
        h.update(f"{host}{path}{res.status}{res.content_type_header()}".encode() + res.body)
    return h.hexdigest()


# -- spec and build -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_build_is_deterministic(key: str) -> None:
    assert digest(key) == digest(key)


def test_spec_rejects_typos() -> None:
    base = {"name": "测试县人民政府", "hosts": {"main": "www.t.gov.cn"}, "site_id_code": "1300000001"}
    with pytest.raises(SpecError, match="defetcs"):
        spec_from_dict({**base, "defetcs": []})
    with pytest.raises(SpecError, match="unknown defect kind"):
        spec_from_dict({**base, "defects": [{"kind": "broken_lnk"}]})
    with pytest.raises(SpecError, match="site_id_code"):
        spec_from_dict({**base, "site_id_code": "13"})


# -- ground truth ---------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_truth_counts_are_pinned(portal: RunningPortal, key: str) -> None:
    truth = portal.truth(key)
    assert truth["counts"] == COUNTS[key]
    assert truth["pages"][truth["start"]]["depth"] == 0
    assert all(url.startswith(tuple(truth["hosts"].values())) or "old.example-a" in url for url in truth["pages"])


def test_truth_records_every_planted_defect(portal: RunningPortal) -> None:
    t = portal.truth("example-a")
    origin = t["hosts"]["www.example-a.gov.cn"]
    broken = {(b["target"].removeprefix(origin), b["status"], b["error"]) for b in t["broken"]}
    assert {("/zwdt/201905/t20190510_1290001.html", 404, None), ("/ztzl/2019lhzt/index.html", 410, None),
            ("/hdjl/wsdc/index.html", 500, None), ("http://old.example-a.gov.cn/", None, "dns"),
            ("/zxft/index.html", 302, "redirect_loop")} <= broken
    assert sum(b["target"].endswith((".pdf", ".doc", ".docx", ".ofd")) for b in t["broken"]) == 1
    moved = t["pages"][origin + "/zwgk/index.html"]
    assert (moved["status"], moved["final_status"], moved["error"]) == (301, 200, None)   # not broken
    assert moved["final"] == t["hosts"]["xxgk.example-a.gov.cn"] + "/"
    assert [u.removeprefix(origin) for u, p in t["pages"].items() if p.get("hop_only")] == ["/zxft/index.jsp"]
    assert {r["target"].removeprefix(origin) for r in t["robots_disallowed"]} == {"/nbgl/index.html",
                                                                                "/calendar/2026-11.html"}
    assert t["traps"][0]["url"] == origin + "/calendar/2026-11.html"
    assert {n["scheme"] for n in t["not_followed"]} == {"mailto", "tel", "javascript"}
    assert {u.removeprefix(origin) for u, p in t["pages"].items() if p.get("hidden_only")} == {
        "/m/attr/index.html", "/m/style/index.html"}
    assert t["pages"][origin + "/ztzl/index.html"]["delay"] == 1.5
    head405 = [a for a in t["attachments"].values() if a["head_status"] == 405]
    assert len(head405) == 2 and all(a["status"] == 200 for a in head405)
    # 2 policies planted without 解读, 6 规范性文件 that have none (三同步 covers them too), 1 解读 without 原文链接
    reasons = sorted((f["reason"], "/gfxwj/" in f["url"]) for f in t["findings"]["policy.interpretation"])
    assert reasons == [("no_interpretation_link", False)] * 2 + [("no_interpretation_link", True)] * 6 + [
        ("no_policy_link", False)]
    assert all(f["homepage"] == (f["url"] == t["start"]) for f in t["findings"]["links.broken"])


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_truth_depth_is_bfs_distance_over_served_pages(portal: RunningPortal, key: str) -> None:
    """Re-derive depths from the bytes the server sends: every page is one link deeper than its
    shallowest parsed source (a redirect hop keeps its source's depth)."""
    t = portal.truth(key)
    best: dict[str, int] = {t["start"]: 0}
    for url, page in t["pages"].items():
        if page["status"] == 200 and "charset" in page:
            for ln in extract_links(get(portal, url)[2], page["charset"], url):
                best[ln.url] = min(best.get(ln.url, 99), page["depth"] + 1)
        for hop in page.get("redirects", [])[1:]:
            best[hop] = min(best.get(hop, 99), page["depth"])
    assert {u: best[u] for u in t["pages"]} == t["depth"]
    assert {u: a["depth"] for u, a in t["attachments"].items()} == {u: best[u] for u in t["attachments"]}


def test_hanweb_list_records_are_not_plain_links(portal: RunningPortal) -> None:
    site = portal.site("example-b")
    col = site.column("gk.policy")
    res = site.lookup(col.host, col.index_path)
    assert b"<datastore>" in res.body and b"<![CDATA[<li><a href=\"/art/" in res.body
    links = extract_links(res.body, res.charset, f"http://{col.host}{col.index_path}")
    assert not [ln for ln in links if "/art/" in ln.url]
    t = portal.truth("example-b")
    assert t["counts"]["documents_reachable"] < t["counts"]["documents"]
    assert t["counts"]["max_depth"] > 5            # 上一篇/下一篇 chains give the crawl real depth


def test_trs_paged_lists_exist_but_are_only_scripted(portal: RunningPortal) -> None:
    t = portal.truth("example-a")
    page2 = t["columns"]["gk.news"]["list_pages"][1]
    assert page2.endswith("/zwdt/index_1.html") and page2 not in t["pages"]
    assert get(portal, page2)[0] == 200
    home_news = get(portal, t["columns"]["gk.news"]["url"])[2].decode()
    assert 'createPageHTML(2, 0, "index", "html")' in home_news and 'href="index_1.html"' not in home_news


# -- server ---------------------------------------------------------------------------------------

def test_served_pages_match_truth_over_both_families(portal: RunningPortal) -> None:
    t = portal.truth("example-a")
    sample = [u for u, p in t["pages"].items() if p["status"] == 200 and not p.get("delay")][:40]
    for ip in ("127.0.0.1", "::1"):
        for url in sample:
            status, _, body = get(portal, url, ip=ip)
            assert status == 200, url
            for ln in extract_links(body, t["encodings"][url], url):     # links carry the served port
                if ln.url.startswith("http://") and ".example-a.gov.cn" in ln.url and "old." not in ln.url:
                    assert f":{portal.port}/" in ln.url, ln.url
                    assert (ln.url in t["pages"] or ln.url in t["attachments"]
                            or any(r["target"] == ln.url for r in t["robots_disallowed"])), ln.url
    assert {r.family for r in portal.request_log} == {"v4", "v6"}


def test_host_header_routes_sites(portal: RunningPortal) -> None:
    a = get(portal, portal.url("example-a"))[2]
    b = get(portal, portal.url("example-b"), ip="::1")[2]
    assert '东岚县人民政府'.encode() in a and '西崖县人民政府'.encode("gb18030") in b
    status, _, _ = get(portal, f"http://unknown.example.gov.cn:{portal.port}/")
    assert status == 404


def test_dynamic_behaviours(portal: RunningPortal) -> None:
    status, headers, _ = get(portal, portal.url("example-a", "/zwgk/index.html"))
    assert status == 301 and headers["location"] == f"http://xxgk.example-a.gov.cn:{portal.port}/"
    status, headers, _ = get(portal, portal.url("example-a", "/zxft/index.html"))
    assert status == 302 and headers["location"].endswith("/zxft/index.jsp")
    att = next(u for u, a in portal.truth("example-a")["attachments"].items() if a["head_status"] == 405)
    assert get(portal, att, method="HEAD")[0] == 405
    assert get(portal, att)[0] == 200
    status, headers, robots = get(portal, portal.url("example-a", "/robots.txt"))
    assert b"Disallow: /calendar/" in robots and b"Disallow: /nbgl/" in robots
    assert get(portal, portal.url("example-a", "/calendar/2031-01.html"))[0] == 200   # the trap never ends
    assert get(portal, portal.url("example-a", "/", host="xxgk.example-a.gov.cn") + "robots.txt")[0] == 404


def test_dataproxy_returns_later_records(portal: RunningPortal) -> None:
    site = portal.site("example-b")
    col = site.column("gk.news")
    form = (f"col=1&appid=1&webid=77&path=/&columnid={col.colid}&sourceContentType=1&unitid=4123456"
            "&webname=x&permissiontype=0").encode()
    url = portal.url("example-b", "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=5")
    status, headers, body = get(portal, url, method="POST", body=form)
    assert status == 200 and headers["content-type"].startswith("text/xml")
    text = body.decode()
    assert text.count("<record>") == len(col.docs) - 15 and f"<totalrecord>{len(col.docs)}</totalrecord>" in text
    assert col.docs[15].path in text


def test_gbk_pages_decode_as_gbk_not_utf8(portal: RunningPortal) -> None:
    seen_without_header = 0
    for key in ("example-a", "example-b"):
        t = portal.truth(key)
        gbk = [u for u, c in t["encodings"].items() if c in ("gbk", "gb18030")]
        assert gbk
        for url in gbk[:10]:
            _, headers, body = get(portal, url)
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
            text = body.decode(t["encodings"][url])
            assert re.search(r'<meta (charset="(gb2312|gbk)"|http-equiv="Content-Type" content="text/html; '
                             r'charset=(gb2312|gbk)")>', text)
            seen_without_header += "charset" not in headers["content-type"]
    assert seen_without_header > 0
    assert set(portal.truth("example-b")["encodings"].values()) == {"gb18030"}
    xxgk = portal.truth("example-a")["hosts"]["xxgk.example-a.gov.cn"]
    assert portal.truth("example-a")["encodings"][xxgk + "/xxgkzn/"] == "gbk"


def test_slow_page_sleeps() -> None:
    spec = load_spec(SITES / "example-a.yaml")
    spec = spec.with_changes(defects=(DefectSpec("slow_page", {"seconds": 0.4}),))
    with RunningPortal([spec]) as running:
        started = time.monotonic()
        assert get(running, running.url("example-a", "/ztzl/index.html"))[0] == 200
        assert time.monotonic() - started >= 0.4


# -- DNS ------------------------------------------------------------------------------------------

def resolver(fixture: DnsFixture) -> dns.resolver.Resolver:
    r = dns.resolver.Resolver(configure=False)
    r.nameservers, r.port, r.lifetime = ["127.0.0.1"], fixture.port, 3
    return r


def test_dns_fixture_answers(dns_server: DnsFixture) -> None:
    r = resolver(dns_server)
    assert [a.address for a in r.resolve("www.example-a.gov.cn", "A")] == ["127.0.0.1"]
    assert [a.address for a in r.resolve("xxgk.example-a.gov.cn", "AAAA", tcp=True)] == ["::1"]
    assert [a.address for a in r.resolve("v4only.example-c.gov.cn", "A")] == ["127.0.0.1"]
    with pytest.raises(dns.resolver.NoAnswer):
        r.resolve("v4only.example-c.gov.cn", "AAAA")
    with pytest.raises(dns.resolver.NXDOMAIN):
        r.resolve("old.example-a.gov.cn", "A")


def test_dns_fixture_aaaa_only() -> None:
    with DnsFixture({"v6only.example-c.gov.cn": {"AAAA": ["::1"]}}) as fixture:
        r = resolver(fixture)
        assert [a.address for a in r.resolve("v6only.example-c.gov.cn", "AAAA")] == ["::1"]
        with pytest.raises(dns.resolver.NoAnswer):
            r.resolve("v6only.example-c.gov.cn", "A")


# -- CLI: write (bench) and serve -----------------------------------------------------------------

def test_write_bench_pages_exactly_n(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_main(["write", "bench", str(tmp_path), "--pages", "2000", "--port", "8080"]) == 0
    summary = json.loads(capsys.readouterr().out)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert summary["pages"] == truth["counts"]["pages"] == 2000
    assert truth["counts"]["pages_ok"] == 2000 and truth["broken"] == []
    for url in list(truth["pages"])[:50] + list(truth["attachments"])[:20]:
        path = url.removeprefix("http://www.bench.gov.cn:8080")
        file = tmp_path / "www.bench.gov.cn" / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        assert file.is_file(), url
        assert is_attachment(url) or b"http://www.bench.gov.cn/" not in file.read_bytes()
    assert "listen 8080;" in (tmp_path / "nginx.conf").read_text()


def test_serve_cli_prints_hosts_and_dns(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "zwgk.portal_sim", "serve", str(SITES / "example-a.yaml"),
                             "--dns"], stdout=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline().strip() for _ in range(3)]   # type: ignore[union-attr]
        assert lines[0].startswith("www.example-a.gov.cn http://www.example-a.gov.cn:")
        assert lines[1].startswith("xxgk.example-a.gov.cn http://")
        assert re.fullmatch(r"dns 127\.0\.0\.1:\d+", lines[2])
        port = int(lines[0].rsplit(":", 1)[1].rstrip("/"))
        conn = http.client.HTTPConnection("::1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": "www.example-a.gov.cn"})
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
