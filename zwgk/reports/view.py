"""Read-only views over results.json for the writers: counts, rankings, groupings, joins.

Nothing here decides a finding, a status or a score; those are read as stored. What is derived is
arithmetic on stored rows (counts, sums, ordering) and joins by stored keys, so every writer shows
the same numbers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from zwgk.reports.labels import SEVERITIES, TASK_STATUSES
from zwgk.reports.text import check_key

Site = dict[str, Any]
Finding = dict[str, Any]
COUNTED_TASKS = ("fulfilled", "partial", "unfulfilled")   # DESIGN §8: the fulfilment rate's denominator


def live(site: Site) -> list[Finding]:
    """Findings that count (waived ones are shown, but count for nothing)."""
    return [f for f in site.get("findings", []) if not f.get("waived")]


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = Counter(f.get("severity", "info") for f in findings)
    return {sev: counts.get(sev, 0) for sev in SEVERITIES}


def task_counts(site: Site) -> dict[str, int]:
    by = (site.get("task_summary") or {}).get("by_status") or Counter(t["status"] for t in site.get("tasks", []))
    return {s: int(by.get(s, 0)) for s in TASK_STATUSES}


def site_files(results: dict[str, Any]) -> list[str]:
    """sites/<name>.html for each site, in results order: safe file names, unique within the run."""
    names: list[str] = []
    taken: set[str] = set()
    for i, site in enumerate(results.get("sites", [])):
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", str(site.get("key") or site.get("url") or "")).strip(".-")
        base = base[:80] or f"site-{i + 1}"
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name.lower())
        names.append(f"{name}.html")
    return names


def vetoes(site: Site) -> list[dict[str, Any]]:
    return list((site.get("scoring") or {}).get("vetoes") or [])


def deductions(site: Site) -> list[dict[str, Any]]:
    return list((site.get("scoring") or {}).get("deductions") or [])


@dataclass
class Overview:
    sites: int
    verdicts: dict[str, int]
    pass_rate: float | None           # 合格 / (合格 + 不合格): unassessed sites are reported apart
    severity: dict[str, int]
    waived: int
    tasks: dict[str, int]
    fulfilment_rate: float | None     # all sites' task rows pooled
    mean_score: float | None
    veto_sites: int
    suspected: int = 0                # suspicions awaiting 人工核实 (not in the severity counts)


def overview(results: dict[str, Any]) -> Overview:
    sites = results.get("sites", [])
    verdicts = Counter(s.get("verdict") for s in sites)
    assessed = verdicts["合格"] + verdicts["不合格"]
    findings = [f for s in sites for f in problems_of(s)]
    tasks: Counter[str] = Counter()
    for s in sites:
        tasks.update(task_counts(s))
    counted = sum(tasks[s] for s in COUNTED_TASKS)
    scores = [s["score"] for s in sites if s.get("score") is not None]
    return Overview(
        sites=len(sites),
        verdicts={v: verdicts.get(v, 0) for v in ("合格", "不合格", "无法评估")},
        pass_rate=round(verdicts["合格"] / assessed, 3) if assessed else None,
        severity=severity_counts(findings),
        waived=sum(1 for s in sites for f in s.get("findings", []) if f.get("waived")),
        tasks={s: tasks.get(s, 0) for s in TASK_STATUSES},
        fulfilment_rate=round(tasks["fulfilled"] / counted, 3) if counted else None,
        mean_score=round(sum(scores) / len(scores), 1) if scores else None,
        veto_sites=sum(1 for s in sites if vetoes(s)),
        suspected=sum(len(suspicions(s)) for s in sites),
    )


def assessment(site: Site) -> dict[str, Any]:
    """The site's assessment (DESIGN §12), also for results.json from before it was stored: assessed
    iff the verdict is not 无法评估, with the scoring reason or the crawl detail as the reason."""
    stored = site.get("assessment")
    if isinstance(stored, dict) and "assessed" in stored:
        return {"assessed": bool(stored["assessed"]), "reasons": list(stored.get("reasons") or []),
                "missing": list(stored.get("missing") or []), "resume": stored.get("resume")}
    assessed = site.get("verdict") != "无法评估"
    reason = (site.get("scoring") or {}).get("reason") or (site.get("crawl") or {}).get("detail") or ""
    return {"assessed": assessed, "reasons": [] if assessed or not reason else [reason], "missing": [],
            "resume": None}


def assessed(site: Site) -> bool:
    return assessment(site)["assessed"] and site.get("score") is not None


def verdict_group(site: Site) -> int:
    """合格 0, 不合格 on points 1, 不合格 by a veto 2, not assessed 3: the order of every ranking."""
    if not assessed(site):
        return 3
    if site.get("verdict") == "合格":
        return 0
    return 2 if vetoes(site) else 1


def ranking(results: dict[str, Any]) -> list[tuple[int | None, int, Site]]:
    """(rank, index into sites, site): 合格 sites by score first, then 不合格 ones (those with a veto
    after the others, whatever their points), then the sites not assessed, unranked. Equal
    scores within a group share a rank (1, 2, 2, 4), as a 通报's 得分表 does."""
    sites = results.get("sites", [])
    def key(i: int) -> tuple[Any, ...]:      # the sites not assessed keep the inspection's order
        group = verdict_group(sites[i])
        return (group, -(sites[i].get("score") or 0), "" if group == 3 else sites[i].get("name", ""), i)

    order = sorted(range(len(sites)), key=key)
    out: list[tuple[int | None, int, Site]] = []
    prev, rank = None, 0
    for pos, i in enumerate(order, 1):
        group = verdict_group(sites[i])
        if group == 3:
            out.append((None, i, sites[i]))
            continue
        if (group, sites[i].get("score")) != prev:
            rank, prev = pos, (group, sites[i].get("score"))
        out.append((rank, i, sites[i]))
    return out


def unassessed(results: dict[str, Any]) -> list[Site]:
    return [s for s in results.get("sites", []) if not assessed(s)]


def needs_confirmation(f: Finding) -> bool:
    """A suspicion a person must confirm (a suspected wrong term): listed for 人工核实, not a problem yet."""
    return bool((f.get("evidence") or {}).get("needs_confirmation"))


def suspicions(site: Site) -> list[Finding]:
    return [f for f in live(site) if needs_confirmation(f)]


def problems_of(site: Site) -> list[Finding]:
    """Live findings that are problems (not waived, not a suspicion awaiting 人工核实)."""
    return [f for f in live(site) if not needs_confirmation(f)]


@dataclass
class FindingGroup:
    check: str
    severity: str
    findings: list[Finding]
    live: int
    deduction: dict[str, Any] | None
    veto: dict[str, Any] | None
    basis: str = ""
    remediation: str = ""


def finding_groups(site: Site) -> list[FindingGroup]:
    """Findings grouped by check: vetoes first, then by severity, then by how many there are."""
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in site.get("findings", []):
        by_check[f["check"]].append(f)
    ded = {d["check"]: d for d in deductions(site)}
    vet = {v["check"]: v for v in vetoes(site)}
    groups = []
    for check_id, items in by_check.items():
        items.sort(key=lambda f: (bool(f.get("waived")), not (f.get("evidence") or {}).get("on_homepage"),
                                  f.get("url", ""), str(f.get("target") or "")))
        severity = min((f.get("severity", "info") for f in items), key=_sev_rank)
        groups.append(FindingGroup(check_id, severity, items, sum(not f.get("waived") for f in items),
                                   ded.get(check_id), vet.get(check_id),
                                   basis=items[0].get("basis", ""), remediation=items[0].get("remediation", "")))
    groups.sort(key=lambda g: (g.veto is None, _sev_rank(g.severity), -g.live, g.check))
    return groups


def _sev_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclass
class FixItem:
    check: str
    kind: str                      # veto | deduct | other
    points: float                  # points regained when every finding of the check is fixed
    findings: list[Finding] = field(default_factory=list)
    veto: dict[str, Any] | None = None
    deduction: dict[str, Any] | None = None

    @property
    def capped(self) -> bool:
        d = self.deduction or {}
        return bool(d) and float(d.get("raw_points", 0)) > float(d.get("points", 0))


def fix_first(site: Site) -> list[FixItem]:
    """What to fix first: veto items (they decide 不合格 alone), then deductions by the points they
    cost (the stored deduction rows), then findings that cost no points, by severity; suspicions
    awaiting 人工核实 last (kind "confirm": nothing to fix until a person confirms them)."""
    findings = defaultdict(list)
    confirm = defaultdict(list)
    for f in live(site):
        (confirm if needs_confirmation(f) else findings)[f["check"]].append(f)
    for items in findings.values():     # homepage problems first: they are seen most and cost most
        items.sort(key=lambda f: (not (f.get("evidence") or {}).get("on_homepage"), f.get("url", "")))
    items: list[FixItem] = []
    seen: set[str] = set()
    for v in vetoes(site):
        ded = next((d for d in deductions(site) if d["check"] == v["check"]), None)
        items.append(FixItem(v["check"], "veto", float(ded["points"]) if ded else 0.0,
                             findings.get(v["check"], []), veto=v, deduction=ded))
        seen.add(v["check"])
    for d in sorted(deductions(site), key=lambda d: -float(d.get("points", 0))):
        if d["check"] in seen or not d.get("points") or not findings.get(d["check"]):
            continue
        items.append(FixItem(d["check"], "deduct", float(d["points"]), findings.get(d["check"], []), deduction=d))
        seen.add(d["check"])
    rest = [c for c in findings if c not in seen]
    rest.sort(key=lambda c: (min(_sev_rank(f.get("severity", "info")) for f in findings[c]), -len(findings[c])))
    items += [FixItem(c, "other", 0.0, findings[c]) for c in rest]
    items += [FixItem(c, "confirm", 0.0, fs) for c, fs in confirm.items()]
    return items


def findings_by_check_key(site: Site) -> dict[str, list[Finding]]:
    """Findings under the task-side check key, and under the bare id too (a task may ask for
    'column.stale' meaning every column)."""
    out: dict[str, list[Finding]] = defaultdict(list)
    for f in site.get("findings", []):
        key = check_key(f["check"], f.get("params"))
        out[key].append(f)
        if key != f["check"]:
            out[f["check"]].append(f)
    return out


def tasks_for_finding(site: Site) -> dict[str, list[str]]:
    """finding key → task numbers whose checks produced it (joined by check key)."""
    by_check: dict[str, list[str]] = defaultdict(list)
    for t in site.get("tasks", []):
        for ref in t.get("checks", []):
            by_check[ref].append(str(t.get("number") or t.get("id")))
    out: dict[str, list[str]] = {}
    for f in site.get("findings", []):
        key = check_key(f["check"], f.get("params"))
        numbers = by_check.get(key, []) + (by_check.get(f["check"], []) if key != f["check"] else [])
        out[f["key"]] = list(dict.fromkeys(numbers))
    return out


def check_rows(site: Site) -> list[dict[str, Any]]:
    """One row per check id: a parameterised check (column.stale per column) as status counts."""
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in site.get("checks", []):
        by_id[c["id"]].append(c)
    rows = []
    for check_id, results in by_id.items():
        statuses = Counter(c["status"] for c in results)
        rows.append({"id": check_id, "severity": results[0].get("severity", "info"), "statuses": dict(statuses),
                     "status": worst_status(statuses), "results": results,
                     "summary": results[0].get("summary", "") if len(results) == 1 else ""})
    return rows


STATUS_ORDER = ("fail", "warn", "error", "inconclusive", "pass", "not_applicable")


def worst_status(statuses: Counter[str] | dict[str, int]) -> str:
    """The status a group of results of one check shows as (a site × check verdict for JUnit and
    the pass-rate chart): any fail beats a warn, beats not being able to tell, beats a pass."""
    for status in STATUS_ORDER:
        if statuses.get(status):
            return status
    return "not_applicable"


def diff_for(results: dict[str, Any], site: Site) -> dict[str, Any] | None:
    """This site's part of results['diff'] (present when the run had a --baseline)."""
    diff = results.get("diff")
    if not diff:
        return None
    for entry in diff.get("sites", []):
        if entry.get("url") == site.get("url"):
            return entry
    return None


def diff_marks(results: dict[str, Any], site: Site) -> dict[str, str]:
    """finding key → 'new' | 'open' for this site, when the run has a baseline."""
    entry = diff_for(results, site)
    if not entry:
        return {}
    marks = {f["key"]: "new" for f in entry.get("new", [])}
    marks.update({f["key"]: "open" for f in entry.get("open", [])})
    return marks


@dataclass
class Problem:
    check: str
    severity: str
    total: int
    sites: list[tuple[Site, int]]      # (site, live findings of this check), most first
    basis: str


def problems(results: dict[str, Any]) -> list[Problem]:
    """Live findings across all sites grouped by check: the 通报's 存在的主要问题, most sites first."""
    groups: dict[str, list[tuple[Site, list[Finding]]]] = defaultdict(list)
    for site in results.get("sites", []):
        by_check: dict[str, list[Finding]] = defaultdict(list)
        for f in problems_of(site):
            by_check[f["check"]].append(f)
        for check_id, items in by_check.items():
            groups[check_id].append((site, items))
    out = []
    for check_id, entries in groups.items():
        entries.sort(key=lambda e: (-len(e[1]), e[0].get("name", "")))
        items = [f for _, fs in entries for f in fs]
        severity = min((f.get("severity", "info") for f in items), key=_sev_rank)
        out.append(Problem(check_id, severity, len(items), [(s, len(fs)) for s, fs in entries],
                           next((f.get("basis", "") for f in items if f.get("basis")), "")))
    out.sort(key=lambda p: (_sev_rank(p.severity), -len(p.sites), -p.total, p.check))
    return out
