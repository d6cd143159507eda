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

from zwgk.portal_sim import DnsFixture, build_site, build_truth, load_spec
from zwgk.portal_sim.cli import main as sim_main
from zwgk.portal_sim.links import extract_links, is_attachment
from zwgk.portal_sim.running import RunningPortal
from zwgk.portal_sim.spec import DefectSpec, SpecError, spec_from_dict

SITES = Path(__file__).parent / "fixtures" / "sites"

# Pinned answer keys. A change here means the generator changed: say why in the commit.
# Content defects and traps (2026-11): +1 page per site (the 留言 board's 我要留言 form); example-a's
# footer lost 公网安备 (footer_missing: one external link fewer per page) and one 解读 moved into
# 政务动态 (interpretation_elsewhere), which renumbers document ids and so re-deals attachments.
# Script-paged lists (issue 6): the truth follows what the fast-path adapters load (COUNTS); the plain
# rule is pinned apart (PLAIN_COUNTS). example-a gained 13 policies (3 list pages, one planted without
# 解读 on page 3), 12 解读, a jpaas API column and a browser-only column (4 documents each); example-b's
# 政策文件 grew to 50 records (a dataproxy.jsp group beyond the embedded 45) with 48 解读.
# Hostile input and traps (issue 11): the truth counts invalid hrefs and unchecked URLs (none here).
COUNTS = {
    "example-a": {"pages": 148, "pages_ok": 140, "attachments": 62, "broken": 7, "hidden_links": 34,
                  "external": 425, "not_followed": 4, "robots_disallowed": 2, "documents": 117,
                  "documents_reachable": 113, "max_depth": 3, "listings": 1, "invalid": 0, "unchecked": 0},
    "example-b": {"pages": 174, "pages_ok": 172, "attachments": 82, "broken": 3, "hidden_links": 10,
                  "external": 690, "not_followed": 4, "robots_disallowed": 0, "documents": 157,
                  "documents_reachable": 157, "max_depth": 3, "listings": 2, "invalid": 0, "unchecked": 0},
}
PLAIN_COUNTS = {
    "example-a": {"pages": 118, "pages_ok": 110, "attachments": 46, "broken": 7, "hidden_links": 20,
                  "external": 335, "not_followed": 4, "robots_disallowed": 2, "documents": 117,
                  "documents_reachable": 88, "max_depth": 3, "listings": 0, "invalid": 0, "unchecked": 0},
    "example-b": {"pages": 77, "pages_ok": 75, "attachments": 24, "broken": 3, "hidden_links": 10,
                  "external": 302, "not_followed": 4, "robots_disallowed": 0, "documents": 157,
                  "documents_reachable": 60, "max_depth": 18, "listings": 0, "invalid": 0, "unchecked": 0},
}
_PLAIN: dict[str, dict] = {}


def plain_truth(portal: RunningPortal, key: str) -> dict:
    """The answer key for a crawler without the paging adapters (links.CRAWL_RULE 1-8 without 2b)."""
    if key not in _PLAIN:
        _PLAIN[key] = build_truth(portal.site(key), portal.base_urls(key), adapters=False)
    return _PLAIN[key]


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
    assert plain_truth(portal, key)["counts"] == PLAIN_COUNTS[key]
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
    # 3 policies planted without 解读 (one on list page 3, behind the script pager), 6 规范性文件 that
    # have none (三同步 covers them too); the 解读 without 原文链接 is linked from its policy's page,
    # which is 相互关联 from one side: no finding
    reasons = sorted((f["reason"], "/gfxwj/" in f["url"]) for f in t["findings"]["policy.interpretation"])
    assert reasons == [("no_interpretation_link", False)] * 3 + [("no_interpretation_link", True)] * 6
    assert [d["kind"] for d in t["planted"] if d["kind"] == "interpretation_without_backlink"]
    plain = sorted(f["url"] for f in plain_truth(portal, "example-a")["findings"]["policy.interpretation"])
    assert len(plain) == 8 and set(plain) < {f["url"] for f in t["findings"]["policy.interpretation"]}
    assert all(f["homepage"] == (f["url"] == t["start"]) for f in t["findings"]["links.broken"])


@pytest.mark.parametrize("key", ["example-a", "example-b"])
def test_truth_depth_is_bfs_distance_over_served_pages(portal: RunningPortal, key: str) -> None:
    """Re-derive depths from the bytes the server sends: every page is one link deeper than its
    shallowest parsed source (a redirect hop keeps its source's depth). The plain rule."""
    t = plain_truth(portal, key)
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
    t = plain_truth(portal, "example-b")
    assert t["counts"]["documents_reachable"] < t["counts"]["documents"]
    assert t["counts"]["max_depth"] > 5            # 上一篇/下一篇 chains give the crawl real depth


def test_trs_paged_lists_exist_but_are_only_scripted(portal: RunningPortal) -> None:
    t = plain_truth(portal, "example-a")
    page2 = t["columns"]["gk.news"]["list_pages"][1]
    assert page2.endswith("/zwdt/index_1.html") and page2 not in t["pages"]
    assert page2 in portal.truth("example-a")["pages"]          # the fast-path rule reaches it
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


# -- script-loaded lists (the fast-path rule, links.CRAWL_RULE 2b/2c) -----------------------------

def _planted(t: dict, kind: str) -> set[str]:
    return {str(p["target"]) for p in t["planted"] if p["kind"] == kind}


def test_fast_path_truth_follows_what_list_scripts_load(portal: RunningPortal) -> None:
    a, plain_a = portal.truth("example-a"), plain_truth(portal, "example-a")
    policy = a["columns"]["gk.policy"]
    depth = a["pages"][policy["url"]]["depth"]
    assert len(policy["list_pages"]) == 3
    assert all(a["pages"][page]["depth"] == depth for page in policy["list_pages"][1:])   # siblings of page 1
    (on_page3,) = _planted(a, "policy_without_interpretation") - set(plain_a["pages"])
    assert a["pages"][on_page3]["depth"] == depth + 1
    assert on_page3 in {f["url"] for f in a["findings"]["policy.interpretation"]}
    # jpaas: the shell lists nothing; the API answer (a listing at the column's depth) lists 4 documents
    (listing,) = a["listings"].values()
    meetings = a["pages"][a["columns"]["gk.meetings"]["url"]]["depth"]
    assert (listing["via"], listing["method"], listing["depth"]) == ("jpaas_api", "GET", meetings)
    for key, reach in (("gk.meetings", 4), ("gk.solicitation", 0)):
        docs = [u for u, d in a["documents"].items() if d["column"] == key]
        assert sum(u in a["pages"] for u in docs) == reach and not set(docs) & set(plain_a["pages"])
    rendered = build_truth(portal.site("example-a"), portal.base_urls("example-a"), render=True)
    assert all(d["reachable"] for d in rendered["documents"].values())       # a browser lists the last 4


def test_fast_path_truth_posts_dataproxy_groups(portal: RunningPortal) -> None:
    b, plain_b = portal.truth("example-b"), plain_truth(portal, "example-b")
    assert {(x["method"], x["via"]) for x in b["listings"].values()} == {("POST", "hanweb_dataproxy")}
    cols = {str(portal.site("example-b").column(k).colid): k for k in ("gk.policy", "gk.interpretation")}
    assert {u.rsplit("columnid=", 1)[1] for u in b["listings"]} == set(cols)   # one group per column
    (record48,) = _planted(b, "policy_without_interpretation") - set(plain_b["pages"])
    assert b["pages"][record48]["depth"] == b["pages"][b["columns"]["gk.policy"]["url"]]["depth"] + 1


def test_script_list_endpoints_answer_json(portal: RunningPortal) -> None:
    t = portal.truth("example-a")
    (api,) = t["listings"]
    status, headers, body = get(portal, api)
    data = json.loads(body)
    assert status == 200 and headers["content-type"].startswith("application/json") and data["success"]
    assert data["data"]["html"].count("<li>") == 4
    col = t["columns"]["gk.solicitation"]["url"]
    shell = get(portal, col)[2].decode()
    assert '<ul class="list" id="list-items"></ul>' in shell and "fetch('list_data.do" in shell
    rows = json.loads(get(portal, col + "list_data.do?pageIndex=1")[2])["rows"]
    assert len(rows) == 4 and all(r["link"].startswith("/fdzdgk/yjzj/") for r in rows)
