"""The stages of a run, in the one direction data flows (DESIGN §2):

    ledger + config → crawl store → checks → findings → scores → results.json → reports

The CLI calls these; they hold the orchestration, the stages hold the logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwgk.config.inspection import Inspection
from zwgk.errors import LedgerError
from zwgk.reports.results import new_results
from zwgk.rules.models import Ledger, Task
from zwgk.rundir import RunDir
from zwgk.store import Store, now_iso

if TYPE_CHECKING:
    from zwgk.reports.options import ReportOptions
    from zwgk.reports.writer import ReportPaths


def load_ledgers(insp: Inspection) -> list[Ledger]:
    """Parse and map every ledger of the inspection up front: a bad ledger stops the run before
    any crawling (exit 2), not after an hour of it."""
    if not insp.ledgers:
        return []
    from zwgk.rules.ledger import load_ledger
    from zwgk.rules.mapping import apply_rules

    ledgers = []
    for path in insp.ledgers:
        if not path.is_file():
            raise LedgerError(f"找不到台账文件 / ledger not found: {path}")
        ledgers.append(apply_rules(load_ledger(path)))
    return ledgers


@dataclass
class Evaluation:
    results: dict[str, Any]
    incomplete: bool          # a site could not be assessed or a cap cut its crawl (exit 3)


def _task_entry(task: Task, status: str, evidence: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": task.id, "ledger": task.ledger, "number": task.number,
        "title": task.title or task.text[:40], "text": task.text, "section": task.section,
        "lead_units": task.lead_units, "responsible_units": task.responsible_units,
        "deadline": task.deadline.date.isoformat() if task.deadline.date else task.deadline.kind,
        "deadline_text": task.deadline.text, "coverage": task.coverage,
        "status": status, "checks": [c.key() for c in task.checks], "evidence": evidence,
        "manual_hint": task.manual_hint,
    }


def evaluate(run: RunDir, insp: Inspection, ledgers: list[Ledger], *, network: bool = True,
             screenshots: bool | None = None) -> Evaluation:
    """Checks and scoring on a stored crawl. Fetches no pages; only the probe layer goes to the
    network (DNS, IPv6, HTTPS, search), and not at all with network=False. Then, unless
    screenshots=False (default: crawl.screenshots, and never offline), the evidence screenshots."""
    from zwgk.checks.context import SiteContext
    from zwgk.checks.engine import run_checks
    from zwgk.config.profile import load_profile
    from zwgk.config.waivers import apply_waivers, load_waivers
    from zwgk.netresolve import DnsLookup
    from zwgk.probes import Probes
    from zwgk.reports.scoring import fulfilment_rate, index_results, score_site, task_status

    profile = load_profile(insp.scoring.profile, insp.scoring.thresholds)
    waivers = load_waivers(insp.resolve(insp.waivers) if insp.waivers else None)
    dns = DnsLookup(insp.network.dns_servers)
    tasks = [t for ledger in ledgers for t in ledger.tasks]
    store = Store(run.store)
    started = store.get_meta("started", now_iso())
    results = new_results(run.id, started, now_iso(), insp.as_of.isoformat(), insp.digest)
    results["run"]["name"] = insp.name
    results["run"]["timezone"] = insp.timezone      # reports show times in the inspection's zone
    results["profile"] = {"id": profile.id, "title": profile.title, "pass_score": profile.pass_score,
                          "settings": profile.settings}
    results["ledgers"] = [{"id": lg.id, "title": lg.title, "source": Path(lg.source).name, "tasks": len(lg.tasks),
                           "warnings": lg.warnings} for lg in ledgers]
    incomplete = False
    for site in store.sites():
        stats = store.site_stats(site["key"])
        crawl = {"status": site["status"], "pages": stats["pages"], "attachments": stats["attachments"],
                 "errors": stats["errors"] + stats["http_errors"], "capped": site["capped"],
                 "detail": site["detail"] or "",
                 # pages the browser rendered, and pages it should have but could not (inconclusive lists)
                 "rendered": stats["rendered"], "render_failed": stats["render_failed"]}
        probes = Probes(store, site["key"], dns, timeout=float(profile.setting("unreachable_timeout_seconds", 15)),
                        ipv6=insp.network.ipv6) if network else None
        ctx = SiteContext(store, site, insp.as_of, profile, probes, insp.checks)
        check_results, findings = run_checks(ctx, tasks)
        waiver_outcome = apply_waivers(findings, waivers, insp.as_of)
        scored = score_site(profile, check_results, findings, site["url"])
        by_key = index_results(check_results)
        task_rows = [_task_entry(t, *task_status(t, by_key, insp.as_of)) for t in tasks]
        unassessed = any(r.id == "site.reachable" and r.status != "pass" for r in check_results)
        incomplete |= site["status"] != "complete" or unassessed
        results["sites"].append({
            "key": site["key"], "name": site["name"], "url": site["url"], "unit": site["unit"],
            "crawl": crawl, "score": scored.score, "verdict": scored.verdict,
            "scoring": scored.to_dict(),
            "checks": [r.to_dict() for r in check_results],
            "findings": [f.to_dict() for f in findings],
            "tasks": task_rows,
            "task_summary": {"fulfilment_rate": fulfilment_rate([t["status"] for t in task_rows]),
                             "by_status": _count(t["status"] for t in task_rows)},
            "waivers": {"applied": waiver_outcome.applied, "expired": waiver_outcome.expired},
        })
    hosts = sorted({h for site in store.sites() for h in site["hosts"]})
    store.close()
    if network and (insp.crawl.screenshots if screenshots is None else screenshots):
        screenshot_stage(run, insp, results, hosts)
    return Evaluation(results, incomplete)


def screenshot_stage(run: RunDir, insp: Inspection, results: dict[str, Any], hosts: list[str]) -> None:
    """Evidence screenshots of the pages behind failing checks (zwgk/evidence/screenshots.py); the
    findings in `results` get evidence["screenshot"]. Skipped, with one message, without a browser."""
    from zwgk.evidence.screenshots import take_screenshots

    outcome = take_screenshots(run.path, results, browser_path=insp.crawl.browser_path,
                               dns_servers=insp.network.dns_servers, hosts=hosts, limit=insp.crawl.max_screenshots,
                               timeout=insp.crawl.browser_timeout)
    results["evidence"] = {"screenshots": outcome.taken, "failed": outcome.failed, "skipped": outcome.skipped}


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def write_reports(run: RunDir, results: dict[str, Any], options: ReportOptions | None = None,
                  baseline: dict[str, Any] | None = None) -> ReportPaths:
    """results.json and every report rendered from it into the run directory (DESIGN §5).

    With a baseline (a previous run's results), the 复查 is stored in results.json too and every
    report marks findings new / still open / fixed. (results.json from before the run name was
    recorded still get it from the config snapshot.)
    """
    from zwgk.reports.diff import compare
    from zwgk.reports.writer import write_all

    if ("name" not in results["run"] or "timezone" not in results["run"]) and run.config.is_file():
        insp = run.load_config()
        results["run"].setdefault("name", insp.name)
        results["run"].setdefault("timezone", insp.timezone)
    if baseline is not None:
        results["diff"] = compare(baseline, results)
        if baseline.get("feedback"):        # the units' replies to the baseline's 问题清单 (zwgk feedback)
            results["diff"]["feedback"] = baseline["feedback"]
    return write_all(run.path, results, options)


def crawl_stage(insp: Inspection, run: RunDir, *, resume: bool, progress: bool, workers: int | None = None) -> None:
    """The crawl with `workers` processes (None: the machine's cores)."""
    from zwgk.crawler.runner import run_crawl

    store = Store(run.store)
    if store.get_meta("started") is None:
        store.set_meta("started", now_iso())
    store.close()
    run_crawl(insp, run, resume=resume, progress=progress, workers=workers)
