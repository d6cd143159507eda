"""HTML reports from results.json: the summary (index.html), one page per site, the 复查 page.

Jinja2 autoescape is on for every template and crawled text is never marked safe; only our own
stylesheet, script and the SVG charts (built with Markup.format, which escapes) are Markup, and the
shared pieces of html_parts.py (a link, an evidence list …), which escape every value they show.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup

from zwgk.reports import charts, html_parts, view
from zwgk.reports.html_parts import localtime, page_zone, said, shot_href
from zwgk.reports.labels import (
    CHECK_STATUS_LABELS,
    CRAWL_LABELS,
    DIFF_LABELS,
    SEVERITIES,
    SEVERITY_LABELS,
    TASK_STATUS_LABELS,
    cap_label,
    check_title,
    evidence_label,
    missing_label,
    problem_label,
    setting_label,
    target_label,
    value_label,
)
from zwgk.reports.text import (
    clean,
    looks_like_url,
    mainland_quotes,
    percent,
    score_text,
    shorten,
    zone,
)
from zwgk.reports.wording import cite

LABELS = {"severity": SEVERITY_LABELS, "severities": SEVERITIES,
          "severity_short": {"veto": "否决级", "major": "严重", "minor": "一般", "info": "提示"},
          "task": TASK_STATUS_LABELS,
          "check_status": CHECK_STATUS_LABELS, "crawl": CRAWL_LABELS, "diff": DIFF_LABELS,
          "check_title": check_title, "problem": problem_label, "target": target_label, "evidence": evidence_label,
          "value": value_label, "setting": setting_label, "cap": cap_label, "missing": missing_label}
FAILING_TASKS = ("unfulfilled", "partial", "inconclusive")


@pass_context
def _localtime(ctx: Any, value: Any) -> str:
    return localtime(value, page_zone(ctx))


@cache
def environment() -> Environment:
    """One environment per process: templates compile once, not once per site page."""
    env = Environment(loader=PackageLoader("zwgk.reports", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True,
                      # a results.json with only DESIGN §5's minimum fields still renders (blank, not 500)
                      undefined=ChainableUndefined)
    env.filters.update(clean=clean, percent=percent, score=score_text, shorten=shorten, looks_like_url=looks_like_url,
                       said=said, localtime=_localtime, quotes=mainland_quotes, cite=lambda basis: cite(basis).text)
    env.globals["labels"] = LABELS
    env.globals.update(html_parts.GLOBALS)      # link, say, value, evidence …: Python, not macros
    return env


@dataclass(frozen=True)
class Assets:
    css: Markup
    js: Markup
    css_hash: str
    js_hash: str


def _sha(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@cache
def assets() -> Assets:
    """Our stylesheet and script, inlined (the pages must open offline) and allowed by hash in the
    page's Content-Security-Policy, so nothing else can run even if something slipped through."""
    folder = resources.files("zwgk.reports") / "templates"
    css = (folder / "report.css").read_text(encoding="utf-8")
    js = (folder / "report.js").read_text(encoding="utf-8")
    return Assets(Markup(css), Markup(js), _sha(css), _sha(js))


def title_of(results: dict[str, Any]) -> str:
    return results.get("run", {}).get("name") or "政府网站检查"


def _catalogue() -> list[tuple[str, str]]:
    """(check id, title) of every check: the method section names the ids waivers.yaml uses."""
    from zwgk.checks.registry import CHECK_IDS

    return [(cid, check_title(cid)) for cid in CHECK_IDS]


def render_index(results: dict[str, Any], files: list[str], outputs: list[tuple[str, str]]) -> str:
    rows, apart = [], []
    for rank, i, site in view.ranking(results):
        row = {"rank": rank, "site": site, "file": files[i], "vetoes": view.vetoes(site),
               "rate": (site.get("task_summary") or {}).get("fulfilment_rate"),
               "severity": view.severity_counts(view.problems_of(site)), "suspected": len(view.suspicions(site)),
               "waived": sum(1 for f in site.get("findings", []) if f.get("waived")),
               "diff": view.diff_for(results, site), "assessment": view.assessment(site)}
        (rows if rank is not None else apart).append(row)
    sites = results.get("sites", [])
    pass_score = float((results.get("profile") or {}).get("pass_score") or 60)
    chart_svgs = {"scores": charts.score_distribution(sites, pass_score), "checks": charts.check_pass_rates(sites),
                  "tasks": charts.tasks_by_section(sites, results.get("ledgers") or [])}
    return environment().get_template("index.html.j2").render(
        results=results, title=title_of(results), ov=view.overview(results), rows=rows, apart=apart,
        charts=chart_svgs, pass_score=pass_score, outputs=outputs, diff=results.get("diff"), assets=assets(),
        tz=zone(results), catalogue=_catalogue(), feedback=_feedback_items(results))


def _feedback_items(results: dict[str, Any]) -> dict[str, Any]:
    return ((results.get("diff") or {}).get("feedback") or {}).get("items") or {}


def _task_rows(site: dict[str, Any], anchors: dict[str, str]) -> list[dict[str, Any]]:
    """Each task with the evidence that decided it: the stored evidence per check, and for a check
    that failed, links to the findings it produced (failure evidence lives in the findings)."""
    by_key = view.findings_by_check_key(site)
    checks = {c.get("key", c["id"]): c for c in site.get("checks", [])}
    rows = []
    for task in site.get("tasks", []):
        refs = []
        covered = set()
        for ev in task.get("evidence", []):
            covered.add(ev["check"])
            refs.append(_ref(ev["check"], ev.get("status", ""), ev.get("summary", ""), ev.get("evidence") or [],
                             by_key, anchors))
        if task.get("status") not in ("manual", "not_due"):
            for key in task.get("checks", []):
                if key not in covered:
                    stored = checks.get(key)
                    status = stored["status"] if stored else "inconclusive"
                    summary = stored["summary"] if stored else "本次未产生该检查结果"
                    refs.append(_ref(key, status, summary, [], by_key, anchors))
        rows.append({**task, "refs": refs})
    return rows


def task_sections(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks by the ledger's top-level section (in ledger order), failing tasks first within each:
    the page shows each section collapsed with its counts."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        name = (row.get("section") or ["（未分节）"])[0]
        sections.setdefault(name, []).append(row)
    out = []
    for name, items in sections.items():
        items.sort(key=lambda t: FAILING_TASKS.index(t["status"]) if t["status"] in FAILING_TASKS else 9)
        counts: dict[str, int] = {}
        for t in items:
            counts[t["status"]] = counts.get(t["status"], 0) + 1
        out.append({"name": name, "tasks": items, "counts": counts,
                    "failing": sum(counts.get(s, 0) for s in FAILING_TASKS)})
    return out


def _ref(key: str, status: str, summary: str, evidence: list[Any], by_key: dict[str, list[dict[str, Any]]],
         anchors: dict[str, str]) -> dict[str, Any]:
    live = [f for f in by_key.get(key, []) if not f.get("waived")]
    links = [{"url": e["url"], "seen": clean(e.get("seen"))} for e in evidence if isinstance(e, dict) and e.get("url")]
    return {"check": key, "check_id": key.split("[", 1)[0], "status": status, "summary": summary, "links": links[:3],
            "findings": [{"anchor": anchors[f["key"]], "message": f.get("message", "")} for f in live[:3]],
            "more": max(0, len(live) - 3)}


def screenshots(site: dict[str, Any], groups: list[view.FindingGroup], anchors: dict[str, str]) -> dict[str, Any]:
    """finding key → {"shot", "first"}: a screenshot is shown at the first finding that uses it (in
    page order); later findings refer to that one ("first" is its anchor) instead of repeating it."""
    out: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for group in groups:
        for f in group.findings:
            shot = (f.get("evidence") or {}).get("screenshot")
            if not isinstance(shot, dict) or not shot_href(shot.get("path")):
                continue
            first = seen.get(shot["path"])
            out[f["key"]] = {"shot": shot, "first": first}
            if first is None:
                seen[shot["path"]] = anchors[f["key"]]
    return out


def render_site(results: dict[str, Any], site: dict[str, Any]) -> str:
    anchors = {f["key"]: f"f-{n}" for n, f in enumerate(site.get("findings", []), 1)}
    deductions = view.deductions(site)
    groups = view.finding_groups(site)
    return environment().get_template("site.html.j2").render(
        results=results, site=site, title=title_of(results), vetoes=view.vetoes(site), deductions=deductions,
        deduction_total=round(sum(float(d.get("points", 0)) for d in deductions), 2),
        pass_score=float((results.get("profile") or {}).get("pass_score") or 60),
        fix=view.fix_first(site), groups=groups, sections=task_sections(_task_rows(site, anchors)),
        task_counts=view.task_counts(site), anchors=anchors, finding_tasks=view.tasks_for_finding(site),
        check_rows=view.check_rows(site), findings_total=len(site.get("findings", [])),
        waived_total=sum(1 for f in site.get("findings", []) if f.get("waived")),
        suspected_total=len(view.suspicions(site)), shots=screenshots(site, groups, anchors),
        assessment=view.assessment(site), assessed=view.assessed(site), needs_confirmation=view.needs_confirmation,
        diff=results.get("diff"), diff_entry=view.diff_for(results, site), marks=view.diff_marks(results, site),
        feedback=_feedback_items(results), assets=assets(), tz=zone(results))


def render_diff(results: dict[str, Any], diff: dict[str, Any]) -> str:
    from zwgk.reports.diff import CATEGORIES

    feedback = (diff.get("feedback") or {}).get("items") or {}
    disputed = sum(1 for s in diff.get("sites", []) for f in s.get("open", []) if (feedback.get(f["key"]) or {})
                   .get("claimed"))
    if feedback:        # findings the unit replied to first: what a reviewer compares
        diff = {**diff, "sites": [{**s, **{cat: sorted(s.get(cat, []), key=lambda f: f["key"] not in feedback)
                                           for cat in CATEGORIES}} for s in diff.get("sites", [])]}
    return environment().get_template("diff.html.j2").render(
        results=results, diff=diff, title=title_of(results), categories=CATEGORIES, assets=assets(),
        tz=zone(results), feedback=feedback, disputed=disputed)


def write_html(outdir: Path, results: dict[str, Any], outputs: list[tuple[str, str]]) -> Path:
    """index.html + sites/<site>.html (+ diff.html when the run has a baseline) into outdir."""
    files = view.site_files(results)
    sites_dir = outdir / "sites"
    sites_dir.mkdir(parents=True, exist_ok=True)
    for name, site in zip(files, results.get("sites", []), strict=True):
        (sites_dir / name).write_text(render_site(results, site), encoding="utf-8")
    if results.get("diff"):
        (outdir / "diff.html").write_text(render_diff(results, results["diff"]), encoding="utf-8")
    index = outdir / "index.html"
    index.write_text(render_index(results, files, outputs), encoding="utf-8")
    return index

