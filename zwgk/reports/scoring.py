"""Scores, verdicts and ledger-task statuses from check results (profile-driven, no page access).

A site is scored only when it could be assessed (DESIGN §12 `assessment`): not when it was
unreachable or its crawl was interrupted, nor when a cap cut its crawl and a scored check lacked its
evidence. Vetoes (单项否决) make a site 不合格 whatever its points; deductions come off 100 per
indicator, capped; below the profile's pass score → 不合格. Waived findings count for nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zwgk.checks.base import CheckResult, Finding
from zwgk.config.profile import Profile
from zwgk.rules.models import Task

PASSING = {"pass"}
FAILING = {"fail", "warn"}
UNKNOWN = {"inconclusive", "error"}


@dataclass
class SiteScore:
    score: float | None
    verdict: str                                  # 合格 | 不合格 | 无法评估
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    deductions: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "verdict": self.verdict, "vetoes": self.vetoes,
                "deductions": self.deductions, "reason": self.reason}


def _veto_hits(profile: Profile, results: dict[str, list[CheckResult]], findings: list[Finding]
               ) -> list[dict[str, Any]]:
    hits = []
    for veto in profile.vetoes:
        check_id = veto["check"]
        if "at_least" in veto:
            limit = int(profile.setting(veto["at_least"], 0))
            where = veto.get("count_where") or {}
            counted = [f for f in findings if f.check == check_id and not f.waived
                       and all(f.evidence.get(k) in v for k, v in where.items())]
            if limit and len(counted) >= limit:
                hits.append({"id": veto["id"], "title": veto["title"], "basis": veto.get("basis", ""),
                             "check": check_id, "count": len(counted), "threshold": limit,
                             "findings": [f.key for f in counted]})
        else:
            failed = [r for r in results.get(check_id, []) if r.status == veto.get("when", "fail")]
            live = [f for f in findings if f.check == check_id and not f.waived]
            if failed and (live or not any(f.check == check_id for f in findings)):
                hits.append({"id": veto["id"], "title": veto["title"], "basis": veto.get("basis", ""),
                             "check": check_id, "summary": failed[0].summary})
    return hits


def _deductions(profile: Profile, findings: list[Finding], home_url: str) -> list[dict[str, Any]]:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        # a suspicion (e.g. a term that may be a wrong expression) is listed for 人工核实, never scored
        if not f.waived and not f.evidence.get("needs_confirmation"):
            by_check[f.check].append(f)
    per_indicator: dict[str, float] = defaultdict(float)
    caps: dict[str, float] = {}
    rows = []
    for check_id, rule in profile.deductions.items():
        items = by_check.get(check_id, [])
        if not items:
            continue
        points = 0.0
        for f in items:
            on_home = f.evidence.get("on_homepage") or f.url == home_url
            points += float(rule.get("per_finding_homepage", rule["per_finding"]) if on_home else rule["per_finding"])
        indicator = rule.get("indicator", check_id)
        cap = float(rule.get("cap", 100))
        caps[indicator] = max(caps.get(indicator, 0.0), cap)
        room = caps[indicator] - per_indicator[indicator]
        taken = round(max(0.0, min(points, room)), 2)
        per_indicator[indicator] += taken
        rows.append({"check": check_id, "indicator": indicator, "count": len(items), "raw_points": round(points, 2),
                     "points": taken, "cap": cap, "source": rule.get("source", ""),
                     "confirmed": bool(rule.get("confirmed", False))})
    return rows


def scored_checks(profile: Profile) -> set[str]:
    """Check ids that move a score or a verdict: the profile's deductions and vetoes."""
    return set(profile.deductions) | {v["check"] for v in profile.vetoes}


def missing_evidence(results: list[CheckResult]) -> list[dict[str, Any]]:
    """DESIGN §12 assessment.missing: each check result that lacked evidence, per evidence kind."""
    out = []
    for r in results:
        first = (r.details.get("missing_evidence") or [None])[0]   # the first gap explains the check
        if first:
            out.append({"check": r.key, "evidence": first["kind"], "reason": first["reason"],
                        **({"column": first["column"]} if first.get("column") else {})})
    return out


def assess(profile: Profile, coverage: dict[str, Any], results: list[CheckResult], resume: str | None
           ) -> dict[str, Any]:
    """DESIGN §12 `assessment`: can this site be given a verdict, and if not, why (and how to go on)."""
    from zwgk.checks.coverage import cap_label

    status = coverage.get("status", "complete")
    missing = missing_evidence(results)
    reasons: list[str] = []
    if status == "unreachable":
        detail = coverage.get("detail") or ""
        reasons.append(f"站点无法访问：{detail}" if detail else "站点无法访问：首页未能打开")
    elif status == "interrupted":
        reasons.append("抓取被中断（Ctrl-C），继续运行后才能评估")
    else:
        reach = [r for r in results if r.id == "site.reachable"]
        if reach and all(r.status in UNKNOWN for r in reach):
            reasons.append(f"首页访问情况无法判定：{reach[0].summary}")
        scored = scored_checks(profile)
        lacking = [m for m in missing if m["check"].split("[", 1)[0] in scored]
        if status == "capped" and lacking:
            caps = "、".join(cap_label(c) for c in coverage.get("capped") or []) or "上限"
            columns = coverage.get("columns") or {}
            unreached = [k for k, c in columns.items() if c.get("state") == "not_reached"]
            if unreached:
                names = "、".join(columns[k].get("name") or k for k in unreached)
                reasons.append(f"抓取达到{caps}，以下栏目未抓到：{names}")
            others = [m["check"] for m in lacking if m.get("column") not in unreached]
            if others:
                checks = "、".join(dict.fromkeys(others))
                reasons.append(f"抓取达到{caps}，以下检查缺少证据：{checks}")
    assessed = not reasons
    return {"assessed": assessed, "reasons": reasons, "missing": missing,
            "resume": None if assessed else resume}


def score_site(profile: Profile, results: list[CheckResult], findings: list[Finding], home_url: str,
               assessment: dict[str, Any] | None = None) -> SiteScore:
    by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        by_id[r.id].append(r)
    if assessment is not None and not assessment["assessed"]:
        # no score, no rank: the findings that were seen are listed, not scored (DESIGN §12)
        return SiteScore(None, "无法评估", reason="；".join(assessment["reasons"]))
    reach = by_id.get("site.reachable", [])
    if reach and all(r.status in UNKNOWN for r in reach):
        return SiteScore(None, "无法评估", reason=reach[0].summary)
    vetoes = _veto_hits(profile, by_id, findings)
    deductions = _deductions(profile, findings, home_url)
    score = round(100 - sum(d["points"] for d in deductions), 1)
    if vetoes:
        return SiteScore(score, "不合格", vetoes, deductions, "单项否决：" + "、".join(v["title"] for v in vetoes))
    if score < profile.pass_score:
        return SiteScore(score, "不合格", vetoes, deductions, f"得分低于 {profile.pass_score:g} 分")
    # Unknown checks can only take points off: 合格 stands only if it survives all of them failing.
    unknown = _unknown_scored(profile, results)
    if not unknown:
        return SiteScore(score, "合格", vetoes, deductions)
    at_stake = _points_at_stake(profile, unknown, deductions)
    names = "、".join(f"「{_title(c)}」" for c in unknown)
    vetoable = [f"「{_title(c)}」" for c in _vetoes_within_reach(profile, unknown, results, findings)]
    if vetoable or score - at_stake < profile.pass_score:
        why = (f"可能构成单项否决的检查无法判定：{'、'.join(vetoable)}" if vetoable else
               f"以下检查无法判定：{names}；已判定部分得分 {score:g}，这些检查最多还可扣 {at_stake:g} 分，"
               f"可能低于 {profile.pass_score:g} 分")
        return SiteScore(None, "无法评估", vetoes, deductions, why)
    return SiteScore(score, "合格", vetoes, deductions,
                     f"另有检查无法判定（{names}），即使全部扣分（最多 {at_stake:g} 分）仍不低于 "
                     f"{profile.pass_score:g} 分，结论不变")


def _title(check_id: str) -> str:
    from zwgk.checks.registry import all_checks

    check = all_checks().get(check_id)
    return check.meta.title if check is not None else check_id


def _unknown_scored(profile: Profile, results: list[CheckResult]) -> list[str]:
    """Ids of scored checks with at least one result that could not be judged (site.reachable aside:
    an unknown reachability already makes the site 无法评估)."""
    scored = scored_checks(profile) - {"site.reachable"}
    return list(dict.fromkeys(r.id for r in results if r.status in UNKNOWN and r.id in scored))


def _vetoes_within_reach(profile: Profile, unknown: list[str], results: list[CheckResult],
                         findings: list[Finding]) -> list[str]:
    """Unknown checks that could still trigger a veto: any unknown `when: fail` veto check; an
    `at_least` veto only if the findings seen plus one per unknown result could reach its threshold
    (each unknown column.empty result is one column that might be empty)."""
    out = []
    for veto in profile.vetoes:
        check_id = veto["check"]
        if check_id not in unknown:
            continue
        if "at_least" in veto:
            limit = int(profile.setting(veto["at_least"], 0))
            seen = sum(f.check == check_id and not f.waived for f in findings)
            open_ = sum(r.id == check_id and r.status in UNKNOWN for r in results)
            if not limit or seen + open_ < limit:
                continue
        out.append(check_id)
    return list(dict.fromkeys(out))


def _points_at_stake(profile: Profile, unknown: list[str], deductions: list[dict[str, Any]]) -> float:
    """The most the unknown checks could still deduct: the room left under each indicator's cap."""
    taken: dict[str, float] = defaultdict(float)
    for d in deductions:
        taken[d["indicator"]] += d["points"]
    caps: dict[str, float] = {}
    for check_id in unknown:
        rule = profile.deductions.get(check_id)
        if rule is not None:
            indicator = rule.get("indicator", check_id)
            caps[indicator] = max(caps.get(indicator, 0.0), float(rule.get("cap", 100)))
    return round(sum(max(0.0, cap - taken[ind]) for ind, cap in caps.items()), 1)


def combined(results: list[CheckResult]) -> CheckResult | None:
    """One verdict for a check that ran with several parameter sets (e.g. column.stale per column),
    used when a task asks for the check without parameters ("every column")."""
    if not results:
        return None
    statuses = {r.status for r in results}
    for status in ("fail", "warn", "error", "inconclusive", "pass"):
        if status in statuses:
            worst = [r for r in results if r.status == status]
            return CheckResult(results[0].id, status, f"{len(worst)}/{len(results)} 项{worst[0].summary}",
                               severity=results[0].severity,
                               evidence=[e for r in results for e in r.evidence][:5])
    return CheckResult(results[0].id, "not_applicable", results[0].summary)


def index_results(results: list[CheckResult]) -> dict[str, CheckResult]:
    """Results by key; a parameterised check also answers to its bare id with its combined verdict."""
    by_key = {r.key: r for r in results}
    by_id: dict[str, list[CheckResult]] = defaultdict(list)
    for r in results:
        if r.params:
            by_id[r.id].append(r)
    for check_id, group in by_id.items():
        if check_id not in by_key:
            merged = combined(group)
            if merged is not None:
                by_key[check_id] = merged
    return by_key


def task_status(task: Task, results: dict[str, CheckResult], as_of: date) -> tuple[str, list[dict[str, Any]]]:
    """(status, evidence) of a ledger task from its checks' results (see index_results)."""
    if not task.checks:
        return "manual", []
    if task.deadline.kind == "date" and task.deadline.date and task.deadline.date > as_of:
        return "not_due", []
    statuses, evidence = [], []
    for ref in task.checks:
        result = results.get(ref.key())
        if result is None or result.status == "not_applicable":
            statuses.append("inconclusive" if result is None else "not_applicable")
            continue
        statuses.append(result.status)
        evidence.append({"check": result.key, "status": result.status, "summary": result.summary,
                         "evidence": result.evidence[:5]})
    judged = [s for s in statuses if s != "not_applicable"]
    if not judged:
        return "inconclusive", evidence
    ok = sum(s in PASSING for s in judged)
    bad = sum(s in FAILING for s in judged)
    if ok == len(judged):
        return "fulfilled", evidence
    if bad == 0:
        return "inconclusive", evidence
    return ("partial" if ok else "unfulfilled"), evidence


def fulfilment_rate(statuses: list[str]) -> float | None:
    """fulfilled / (fulfilled + partial + unfulfilled) — manual, not_due and inconclusive are excluded."""
    counted = [s for s in statuses if s in ("fulfilled", "partial", "unfulfilled")]
    return round(sum(s == "fulfilled" for s in counted) / len(counted), 3) if counted else None
