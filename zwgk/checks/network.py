"""Network checks: homepage reachability, IPv6 (AAAA, homepage, inner links) and HTTPS.

Everything network-side goes through `ctx.probes` (DESIGN §2); without it (offline evaluation)
these checks say so and return `inconclusive`. A single run is one visit, so `site.reachable`
only ever names a veto *candidate*: the rule itself needs a week of monitoring.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.error_kinds import error_label
from zwgk.probes import HttpProbe, ProbeNotRecorded, Probes
from zwgk.probes.compare import compare_pages
from zwgk.store import PageRecord

# Answers that mean "someone is in the way", not "the site is down": judged inconclusive.
_BLOCKED_STATUSES = frozenset({401, 403, 405, 407, 429, 451})
_WAF_MARKERS = re.compile(
    r"waf|safedog|安全狗|云盾|yundun|jiasule|加速乐|创宇|just a moment|访问被拦截|请求被拦截|非法请求"
    r"|拦截|captcha|人机验证|请开启javascript", re.I)
_OFFLINE = "离线评估：未启用网络探测（probes 不可用），无法判定"
_CANDIDATE = "单次检查仅为「站点无法访问」否决候选，正式认定需连续监测1周、失败≥5%"

IPV6_BASIS = ("中共中央办公厅、国务院办公厅《推进互联网协议第六版（IPv6）规模部署行动计划》（2017年）；"
              "中网办发文〔2021〕15号《关于加快推进互联网协议第六版（IPv6）规模部署和应用工作的通知》")


def _offline(**details: Any) -> CheckResult:
    return CheckResult("", "inconclusive", _OFFLINE, details={"offline": True, **details})


def _timeout(ctx: SiteContext) -> float:
    return float(ctx.setting("unreachable_timeout_seconds", 15))


def _host(ctx: SiteContext) -> str:
    return (urlsplit(ctx.site_url).hostname or "").lower()


def _label(kind: str | None) -> str:
    return error_label(kind)


def _visit(probe: HttpProbe) -> dict[str, Any]:
    return {"source": "probe", **probe.to_dict()}


def _dns_seen(dns: dict[str, Any]) -> str:
    return f"A：{', '.join(dns['a']) or '无'}；AAAA：无" + (f"（{dns['dns_error']}）" if dns["dns_error"] else "")


def _dns_inconclusive(error: str | None) -> bool:
    """A resolver failure (timeout, no server) says nothing about the records: cannot judge."""
    return bool(error) and error not in ("nxdomain", "no_address")


# --- site.reachable ---------------------------------------------------------------------------
def _judge(status: int | None, error_kind: str | None, error: str | None, elapsed: float | None,
           timeout: float, page_text: str = "", server: str = "") -> tuple[str, str]:
    """('ok' | 'fail' | 'blocked', reason) for one visit of the homepage."""
    if error_kind == "robots":
        return "blocked", "被robots.txt禁止抓取"
    if error_kind or status is None:
        return "fail", f"{_label(error_kind) or '无响应'}（{error or ''}）".replace("（）", "")
    if elapsed is not None and elapsed > timeout:
        return "fail", f"打开耗时 {elapsed:.1f} 秒，超过 {timeout:g} 秒"
    if status < 400:
        return "ok", f"HTTP {status}"
    if status in _BLOCKED_STATUSES or _WAF_MARKERS.search(f"{server} {page_text[:4000]}"):
        return "blocked", f"HTTP {status}，疑似被防火墙/WAF或访问频率限制拦截"
    return "fail", f"HTTP {status}"


def _crawl_visit(home: PageRecord) -> dict[str, Any]:
    return {"source": "crawl", "url": home.url, "status": home.status, "elapsed": home.elapsed,
            "final_url": home.final_url or home.url, "redirects": home.redirects, "error_kind": home.error_kind,
            "error": home.error, "at": home.fetched_at}


@check(id="site.reachable", title="站点首页可访问", severity="veto", probes=True,
       basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决「站点无法访问」：监测1周、每天访问不少于20次，"
             "超过15秒仍无法打开视为访问失败，失败次数≥5%即单项否决",
       remediation="排查服务器、网络线路、域名解析与防火墙配置，确保首页在15秒内稳定可访问；建立可用性监测与告警")
def site_reachable(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    timeout = _timeout(ctx)
    visits: list[dict[str, Any]] = []
    verdicts: list[tuple[str, str, str]] = []     # (source, verdict, reason)
    home = ctx.home
    if home is not None:
        visits.append(_crawl_visit(home))
        verdicts.append(("抓取", *_judge(home.status, home.error_kind, home.error, home.elapsed, timeout,
                                         home.body or "")))
    at = home.fetched_at if home is not None else None
    elapsed = home.elapsed if home is not None else None
    probe = None
    if ctx.probes is not None:
        try:
            probe = ctx.probes.http(ctx.site_url, family=4, timeout=timeout)
        except ProbeNotRecorded:
            if home is None:
                raise
    if probe is None and home is None:
        return _offline(visits=visits, timeout=timeout)
    if probe is not None:          # without a probe (offline, not recorded) the crawl's visit alone decides
        visits.append(_visit(probe))
        verdicts.append(("IPv4探测", *_judge(probe.status, probe.error_kind, probe.error, probe.elapsed, timeout,
                                             probe.text, probe.headers.get("server", ""))))
        at, elapsed = probe.at, probe.elapsed
    details = {"visits": visits, "timeout": timeout, "crawl_recorded": home is not None,
               "probed": probe is not None}
    seen = "；".join(f"{src}：{reason}" for src, _, reason in verdicts)
    failed = [(src, reason) for src, verdict, reason in verdicts if verdict == "fail"]
    if failed:
        message = "首页无法访问：" + "；".join(f"{src}{reason}" for src, reason in failed)
        return CheckResult("", "fail", f"{message}。{_CANDIDATE}", details=details, findings=[
            finding(message, ctx.site_url, visits=visits, timeout=timeout, candidate=True,
                    expected=f"首页在 {timeout:g} 秒内打开（HTTP 2xx/3xx）", seen=seen, at=at)])
    if any(verdict == "blocked" for _, verdict, _ in verdicts):
        return CheckResult("", "inconclusive", f"首页访问被拦截，无法判定（{seen}）", details=details)
    expected = f"首页在 {timeout:g} 秒内打开（HTTP 2xx/3xx）"
    return CheckResult("", "pass", f"首页可访问（{seen}，{elapsed or 0:.1f} 秒）。{_CANDIDATE}",
                       details=details, evidence=[{**v, "expected": expected, "seen": f"HTTP {v['status']}"}
                                                  for v in visits])


# --- IPv6 -------------------------------------------------------------------------------------
def _aaaa(ctx: SiteContext, probes: Probes) -> tuple[list[str], dict[str, Any]]:
    host = _host(ctx)
    ans = probes.dns(host)
    return ans.aaaa, {"host": host, "a": ans.a, "aaaa": ans.aaaa, "dns_error": ans.error,
                      "dns_servers": probes.dns_servers, "at": probes.dns_at(host)}


@check(id="ipv6.aaaa", title="域名具有IPv6（AAAA）解析记录", severity="major",
       needs=("homepage", "probes"), probes=True,
       basis=IPV6_BASIS + "；国家IPv6发展监测平台测评项「域名返回有效AAAA记录」",
       remediation="在权威DNS为网站域名添加AAAA记录，指向已支持IPv6的服务器或CDN节点")
def ipv6_aaaa(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    if ctx.probes is None:
        return _offline()
    aaaa, dns = _aaaa(ctx, ctx.probes)
    if aaaa:
        return CheckResult("", "pass", f"{dns['host']} 有AAAA记录：{', '.join(aaaa)}", details=dns, evidence=[{
            "url": ctx.site_url, "expected": f"{dns['host']} 有AAAA记录", "seen": f"AAAA：{', '.join(aaaa)}",
            **dns}])
    if _dns_inconclusive(dns["dns_error"]):
        return CheckResult("", "inconclusive", f"{dns['host']} 域名解析失败（{dns['dns_error']}），无法判定",
                           details=dns)
    message = f"{dns['host']} 无AAAA记录"
    # `at`: when the resolver was asked (the probe record's time)
    return CheckResult("", "fail", message, details=dns, findings=[finding(
        message, ctx.site_url, expected=f"{dns['host']} 有AAAA记录", seen=_dns_seen(dns), **dns)])


@check(id="ipv6.reachable", title="首页可通过IPv6访问且与IPv4内容一致", severity="major",
       needs=("homepage", "probes"), probes=True,
       basis=IPV6_BASIS + "；国家IPv6发展监测平台测评项「首页可通过IPv6访问」「首页IPv6与IPv4内容一致」",
       remediation="确保AAAA记录指向的服务器（或CDN）在IPv6上监听并提供与IPv4相同的首页内容")
def ipv6_reachable(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    if ctx.probes is None:
        return _offline()
    probes, url, timeout = ctx.probes, ctx.site_url, _timeout(ctx)
    if not probes.ipv6:
        return CheckResult("", "inconclusive", "IPv6 探测已关闭（network.ipv6: false），无法判定")
    aaaa, dns = _aaaa(ctx, probes)

    def failed(reason: str, message: str, **evidence: Any) -> CheckResult:
        details = {"reason": reason, "dns": dns, **evidence}
        at = (evidence.get("ipv6") or {}).get("at") or dns["at"]
        return CheckResult("", "fail", message, details=details, findings=[finding(
            message, url, expected="首页可通过IPv6访问，状态码与内容和IPv4一致", seen=message, at=at, **details)])

    if not aaaa:
        if _dns_inconclusive(dns["dns_error"]):
            return CheckResult("", "inconclusive", f"域名解析失败（{dns['dns_error']}），无法判定", details=dns)
        return failed("no_aaaa", f"{dns['host']} 无AAAA记录，首页无法通过IPv6访问")
    p6 = probes.http(url, family=6, timeout=timeout)
    if p6.error_kind:
        return failed("unreachable", f"IPv6 地址 {p6.address or ', '.join(aaaa)} 无法访问首页："
                      f"{_label(p6.error_kind)}（{p6.error}）", ipv6=p6.to_dict())
    p4 = probes.http(url, family=4, timeout=timeout)
    fetched = {"ipv4": p4.to_dict(), "ipv6": p6.to_dict()}
    if not p4.answered:
        return CheckResult("", "inconclusive", f"IPv6 首页返回 HTTP {p6.status}，但IPv4访问失败"
                           f"（{_label(p4.error_kind)}），无法比较内容一致性", details={"dns": dns, **fetched})
    if p4.status != p6.status:
        return failed("status_differs", f"IPv6 首页状态码 {p6.status} 与 IPv4 的 {p4.status} 不同", **fetched)
    if not 200 <= (p6.status or 0) < 300:
        return CheckResult("", "inconclusive", f"IPv4与IPv6均返回 HTTP {p6.status}，无法比较首页内容",
                           details={"dns": dns, **fetched})
    min_ratio = float(ctx.setting("ipv6_content_min_ratio", 0.9))
    comparison = compare_pages(p4.text, p6.text, min_ratio)
    if not comparison.consistent:
        return failed("content_differs", f"IPv6 首页内容与 IPv4 不一致：{comparison.describe()}",
                      comparison=comparison.to_dict(), **fetched)
    summary = (f"首页可通过IPv6（{p6.address}）访问，HTTP {p6.status}，{p6.elapsed:.1f} 秒；"
               f"与IPv4内容一致（标题相同，正文相似度 {comparison.text_ratio:.1%}，阈值 {min_ratio:.0%}）")
    details = {"dns": dns, "comparison": comparison.to_dict(), **fetched}
    return CheckResult("", "pass", summary, details=details, evidence=[{
        "url": url, "expected": "首页可通过IPv6访问，状态码与内容和IPv4一致", "seen": summary, "at": p6.at, **details}])


def _sample(pages: list[PageRecord], n: int) -> list[PageRecord]:
    """At most n pages, the same ones every run: ordered by a hash of the URL (spread over the
    site's sections), half the quota for 二级 (depth 1) pages, the rest for 三级 (depth 2)."""
    def ordered(depth: int) -> list[PageRecord]:
        return sorted((p for p in pages if p.depth == depth), key=lambda p: hashlib.sha1(p.url.encode()).digest())

    second, third = ordered(1), ordered(2)
    quota = min(len(second), max(n - len(third), (n + 1) // 2))
    return second[:quota] + third[: n - quota]


@check(id="ipv6.links", title="二级、三级页面IPv6支持率", severity="minor",
       needs=("homepage", "pages", "probes"), probes=True,
       basis=IPV6_BASIS + "；《深入推进IPv6规模部署和应用2022年工作安排》县级以上政府门户网站IPv6支持率达85%；"
             "国家IPv6发展监测平台测评项「二级、三级链接IPv6支持率」（二、三级链接合格阈值未见官方文本，可配置）",
       remediation="将站内各栏目与内容页所在主机（含子域名、集约化平台、CDN）全部接入IPv6，保证二级、三级页面可通过IPv6打开")
def ipv6_links(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    if ctx.probes is None:
        return _offline()
    probes = ctx.probes
    if not probes.ipv6:
        return CheckResult("", "inconclusive", "IPv6 探测已关闭（network.ipv6: false），无法判定")
    aaaa, dns = _aaaa(ctx, probes)
    if not aaaa:
        if _dns_inconclusive(dns["dns_error"]):
            return CheckResult("", "inconclusive", f"域名解析失败（{dns['dns_error']}），无法判定", details=dns)
        return CheckResult("", "not_applicable", f"{dns['host']} 无AAAA记录（见 ipv6.aaaa），不再测二级、三级页面",
                           details=dns)
    hosts = {h.lower() for h in ctx.site.get("hosts") or []} | {dns["host"]}
    candidates = [p for p in ctx.pages if p.depth in (1, 2) and (urlsplit(p.url).hostname or "") in hosts]
    if not candidates:
        return CheckResult("", "inconclusive", "抓取结果中没有可用的二级、三级页面，无法计算IPv6支持率", details=dns)
    limit = int(ctx.setting("ipv6_links_sample", 30))
    min_ratio = float(ctx.setting("ipv6_links_min_ratio", 0.85))
    sample = _sample(candidates, limit)
    results = probes.http_many([p.url for p in sample], family=6, timeout=_timeout(ctx), max_bytes=64 * 1024)
    per_level: dict[str, dict[str, int]] = {}
    failures = []
    for page, probe in zip(sample, results, strict=True):
        level = per_level.setdefault("二级" if page.depth == 1 else "三级", {"tested": 0, "ok": 0})
        level["tested"] += 1
        if probe.ok:
            level["ok"] += 1
        else:
            failures.append((page, probe))
    ok = len(sample) - len(failures)
    ratio = ok / len(sample)
    details = {"tested": len(sample), "ok": ok, "ratio": round(ratio, 4), "min_ratio": min_ratio,
               "min_ratio_confirmed": False, "candidates": len(candidates), "sample_limit": limit,
               "levels": per_level, "dns": dns,
               "failed": [{"url": p.url, "depth": p.depth, **pr.to_dict()} for p, pr in failures]}
    summary = (f"抽测 {len(sample)} 个二级、三级页面（共 {len(candidates)} 个），IPv6可访问 {ok} 个，"
               f"支持率 {ratio:.1%}，阈值 {min_ratio:.0%}（阈值未经官方文本确认，可在评分方案中调整）")
    if ratio >= min_ratio:
        return CheckResult("", "pass", summary, details=details,
                           evidence=[{"url": ctx.site_url, "expected": f"二级、三级页面IPv6支持率≥{min_ratio:.0%}",
                                      "seen": f"{ok}/{len(sample)}（{ratio:.1%}）", "at": results[-1].at,
                                      "tested": len(sample), "ok": ok, "ratio": round(ratio, 4)}])
    findings = [
        finding(f"{'二级' if page.depth == 1 else '三级'}页面无法通过IPv6访问：" + (
            f"{_label(probe.error_kind)}（{probe.error}）" if probe.error_kind else f"HTTP {probe.status}"),
            page.url, depth=page.depth, referer=page.referer, address=probe.address, status=probe.status,
            error_kind=probe.error_kind, error=probe.error, final_url=probe.final_url, at=probe.at,
            expected="页面可通过IPv6访问（HTTP 2xx/3xx）",
            seen=f"{_label(probe.error_kind)}（{probe.error}）" if probe.error_kind else f"HTTP {probe.status}")
        for page, probe in failures]
    return CheckResult("", "fail", summary, details=details, findings=findings)


# --- HTTPS ------------------------------------------------------------------------------------
def _https_seen(probe: HttpProbe, message: str) -> dict[str, Any]:
    return {"https_url": probe.url, "expected": "HTTPS 可访问且证书有效", "seen": message, "at": probe.at}


@check(id="https.available", title="网站支持HTTPS且证书有效、HTTP跳转HTTPS", severity="minor",
       needs=("homepage", "probes"), probes=True,
       basis="未见全国性HTTPS强制条款（待核实，《政府网站发展指引》未见明确规定，不作引用）；"
             "网络安全基本要求：使用受信任的有效证书，HTTP访问应跳转至HTTPS",
       remediation="部署由受信任CA签发、与域名匹配且在有效期内的证书，并将HTTP请求301跳转至HTTPS")
def https_available(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    if ctx.probes is None:
        return _offline()
    probes, timeout, host = ctx.probes, _timeout(ctx), _host(ctx)
    parts = urlsplit(ctx.site_url)
    netloc_host = f"[{host}]" if ":" in host else host
    if parts.scheme == "https":
        http_url, https_url = urlunsplit(("http", netloc_host, "/", "", "")), ctx.site_url
    else:
        http_url, https_url = ctx.site_url, urlunsplit(("https", netloc_host, "/", "", ""))
    # Where does plain HTTP send visitors? (certificate not judged here; the HTTPS probe does that)
    plain = probes.http(http_url, verify_tls=False, timeout=timeout)
    hosts = {h.lower() for h in ctx.site.get("hosts") or []} | {host}
    chain = [r["location"] for r in plain.redirects] + [plain.final_url]
    to_https = next((u for u in chain if urlsplit(u).scheme == "https" and urlsplit(u).hostname in hosts), None)
    if to_https and parts.scheme != "https":
        https_url = to_https
    secure = probes.http(https_url, timeout=timeout)
    details = {"http": plain.to_dict(), "https": secure.to_dict(), "redirects_to_https": bool(to_https)}
    if secure.error_kind == "dns":
        return CheckResult("", "inconclusive", f"域名解析失败（{secure.error}），无法判定", details=details)
    if secure.error_kind == "tls":
        verify_error = (secure.tls or {}).get("verify_error")
        message = (f"HTTPS 证书无效：{verify_error}" if verify_error else f"HTTPS 握手失败：{secure.error}")
        return CheckResult("", "fail", message, details=details, findings=[
            finding(message, ctx.site_url, target="https", https=secure.to_dict(), **_https_seen(secure, message))])
    if not secure.answered:
        absent = secure.error_kind in ("refused", "timeout", "connection", "no_address")
        message = f"{'未提供HTTPS' if absent else 'HTTPS 访问失败'}：{https_url} {_label(secure.error_kind)}"
        return CheckResult("", "fail", message, details=details, findings=[
            finding(message, ctx.site_url, target="https", https=secure.to_dict(), **_https_seen(secure, message))])
    tls = secure.tls or {}
    if plain.status is not None and not to_https:   # plain HTTP answers and keeps visitors on HTTP
        message = f"HTTP 访问（{http_url}）未跳转到 HTTPS（HTTP {plain.status}）"
        return CheckResult("", "fail", message, details=details, findings=[
            finding(message, ctx.site_url, target="redirect", http=plain.to_dict(), expected="HTTP 访问跳转到 HTTPS",
                    seen=f"HTTP {plain.status}，停留在 {plain.final_url or http_url}", at=plain.at)])
    http_note = "HTTP 跳转到 HTTPS" if to_https else f"HTTP 未开放（{_label(plain.error_kind)}）"
    summary = (f"HTTPS 可用，证书有效（颁发者 {tls.get('issuer') or '-'}，有效期至 {tls.get('not_after') or '-'}）；"
               f"{http_note}")
    return CheckResult("", "pass", summary, details=details, evidence=[{
        "url": https_url, "expected": "HTTPS 可访问且证书有效，HTTP 跳转 HTTPS", "seen": summary, "at": secure.at,
        **details}])
