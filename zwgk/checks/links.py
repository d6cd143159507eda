"""links.broken: internal links and attachments that do not open.

404/410/5xx, DNS failures, refused connections and redirect loops are broken. 403/429 and timeouts
are what a WAF or an overloaded server does to a crawler: they are re-tried once, slower, through
the probe layer and stay `inconclusive` if they persist — never reported as broken.
A link the crawl recorded as `invalid` (an href no browser can open: a port out of range, a broken
IPv6 literal, control characters in the host) is broken for every visitor too. Links it recorded
`not_checked` (over the URL length limit, cut by a crawl-trap budget) are listed, never judged.
"""

from __future__ import annotations

import time
from typing import Any

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import SiteContext, chosen
from zwgk.checks.registry import check
from zwgk.error_kinds import ERROR_LABELS
from zwgk.probes import ProbeNotRecorded
from zwgk.store import LinkedTarget, PageRecord

BROKEN_ERRORS = {"dns", "refused", "redirect_loop", "connection"}
DOUBTFUL_STATUS = {401, 403, 429}
DOUBTFUL_ERRORS = {"timeout", "tls", "other", "too_large"}
CHECKED_KINDS = ("page", "attachment", "related")


def verdict(rec: PageRecord | LinkedTarget) -> str:
    """'ok', 'broken', 'doubtful' (retry, never broken) or 'skipped' (robots)."""
    if rec.error_kind and rec.error_kind != "parse_error":   # an unreadable page still opened: judge its status
        if rec.error_kind == "robots":
            return "skipped"
        return "broken" if rec.error_kind in BROKEN_ERRORS else "doubtful"
    status = rec.status or 0
    if status in DOUBTFUL_STATUS:
        return "doubtful"
    if status in (404, 410) or status >= 500:
        return "broken"
    return "ok" if 200 <= status < 400 else "doubtful"


def _seen(rec: PageRecord | LinkedTarget) -> str:
    if rec.error_kind:
        return f"{ERROR_LABELS.get(rec.error_kind, rec.error_kind)}（{rec.error}）"
    return f"HTTP {rec.status}"


def _retry(ctx: SiteContext, url: str) -> tuple[str, str]:
    """One slower retry of a doubtful target through the probe layer (at crawl time; evaluation
    re-reads the recorded retry)."""
    if ctx.probes is None:
        return "doubtful", "未复测（离线评估）"
    if ctx.probes.live:
        time.sleep(float(ctx.setting("links_retry_pause_seconds", 1.0)))
    try:
        probe = ctx.probes.http(url, method="GET")
    except ProbeNotRecorded:
        return "doubtful", "未复测（无抓取时的复测记录）"
    if probe.error_kind:
        kind = "broken" if probe.error_kind in BROKEN_ERRORS else "doubtful"
        return kind, f"复测：{ERROR_LABELS.get(probe.error_kind, probe.error_kind)}"
    status = probe.status or 0
    if status in (404, 410) or status >= 500:
        return "broken", f"复测：HTTP {status}"
    return ("ok" if 200 <= status < 400 else "doubtful"), f"复测：HTTP {status}"


def _sources(ctx: SiteContext, url: str) -> list[tuple[str, str, bool]]:
    """(source page URL, anchor, hidden) of every usable checked-kind link to `url`, in page order."""
    return [(source, link.anchor, link.hidden)
            for source, link in ctx.iter_links(kinds=CHECKED_KINDS, usable=True, targets=[url])]


@check(
    id="links.broken",
    title="网站链接可用（无错链、断链）",
    severity="minor",
    needs=("pages",),
    probes=True,
    basis="国办秘函〔2019〕19号「链接可用性」；2015年全国政府网站普查评分表：首页不可用链接每个扣1分，其他页面每个扣0.1分",
    remediation="修复或删除不可用链接和附件；栏目调整后同步更新页面中的链接。",
)
def links_broken(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    home_urls = {ctx.site_url, *(r.final_url for r in [ctx.home] if r and r.final_url)}
    # Streamed: the targets come from the store already joined with the links to them; only the
    # sources of broken targets are read (by target), never every link of the site.
    invalid = list(ctx.iter_links(states=("invalid",)))
    # (the targets as narrow rows: a record is built only for one judged broken)
    superseded = ctx._superseded
    targets = (t for t in ctx.store.linked_targets(ctx.key, CHECKED_KINDS, superseded)
               if chosen(t.id, t.method, t.error_kind, superseded))
    findings, doubtful, skipped, checked = [], [], 0, 0
    fetched: set[str] = set()
    for target in targets:
        fetched.add(target.url)
        state = verdict(target)
        seen = _seen(target)
        if state == "skipped":
            skipped += 1
            continue
        checked += 1
        if state == "doubtful":
            state, retried = _retry(ctx, target.url)
            seen = f"{seen}；{retried}"
        if state == "doubtful":
            doubtful.append({"url": target.url, "seen": seen})
            continue
        if state != "broken":
            continue
        rec = ctx.store.page_by_id(target.id, body=False)
        assert rec is not None, target
        for source, anchor, hidden in _sources(ctx, rec.url):
            on_home = source in home_urls
            where = "首页" if on_home else "页面"
            findings.append(finding(
                f"{where}「{anchor or rec.url}」链接不可用：{seen}", source, target=rec.url,
                expected="链接可正常打开（HTTP 2xx/3xx）", seen=seen, status=rec.status, error_kind=rec.error_kind,
                anchor=anchor, hidden=hidden, kind=rec.kind, on_homepage=on_home, at=rec.fetched_at,
                redirects=rec.redirects))
    # A link a trap budget (or the URL length limit) cut on one page is unchecked only if no other link
    # brought its target in: which page reached a URL first follows the fetch order.
    unchecked = [{"source": source, "url": link.url[:300], "reason": link.reason or ""}
                 for source, link in ctx.iter_links(states=("not_checked",)) if link.url not in fetched]
    for source, link in invalid:
        on_home = source in home_urls
        seen = f"链接地址无效：{link.reason or '浏览器无法打开'}"
        findings.append(finding(
            f"{'首页' if on_home else '页面'}「{link.anchor or link.url}」{seen}", source, target=link.url,
            expected="链接地址可被浏览器打开", seen=seen, status=None, error_kind="invalid", anchor=link.anchor,
            hidden=link.hidden, kind="invalid", on_homepage=on_home,
            at=page.fetched_at if (page := ctx.page_at(source)) else None, redirects=[]))
    details = {"checked_targets": checked, "broken_targets": len({f.target for f in findings}),
               "inconclusive_targets": doubtful, "robots_skipped": skipped, "invalid_links": len(invalid),
               "unchecked_count": len(unchecked), "unchecked_links": unchecked[:50]}
    if findings:
        on_home = sum(1 for f in findings if f.evidence["on_homepage"])
        summary = f"发现 {len(findings)} 处不可用链接（首页 {on_home} 处），涉及 {details['broken_targets']} 个目标"
        return CheckResult("links.broken", "fail", summary, details=details, findings=findings)
    if doubtful and len(doubtful) == checked:
        return CheckResult("links.broken", "inconclusive", f"{len(doubtful)} 个链接目标拒绝或超时，无法判定",
                           details=details)
    if not checked:       # never a pass on nothing
        return CheckResult("links.broken", "inconclusive", "没有可检查的链接目标（抓取未取得站内链接）",
                           details={**details, "reason": "没有可检查的链接目标", "missing": ["pages"]})
    note = f"；{len(doubtful)} 个目标无法判定（403/429/超时）" if doubtful else ""
    return CheckResult("links.broken", "pass", f"检查 {checked} 个链接目标，均可打开{note}", details=details,
                       evidence=[{"url": ctx.site_url, "expected": "链接可正常打开（HTTP 2xx/3xx）",
                                  "seen": f"{checked} 个链接目标可用",
                                  "at": ctx.home.fetched_at if ctx.home else None}])
