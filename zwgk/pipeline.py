"""The stages of a run, in the one direction data flows (DESIGN §2):

    ledger + config → crawl store → checks → findings → scores → results.json → reports

The CLI calls these; they hold the orchestration, the stages hold the logic.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zwgk.config.inspection import Inspection
from zwgk.errors import LedgerError, ZwgkError
from zwgk.reports.results import new_results
from zwgk.rules.models import Ledger, Task
from zwgk.rundir import RunDir
from zwgk.store import Store, now_iso

if TYPE_CHECKING:
    from zwgk.reports.options import ReportOptions
    from zwgk.reports.writer import ReportPaths


@contextmanager
def timed(run: RunDir, stage: str) -> Iterator[None]:
    """Note a stage's wall time in the run's log (what a slow run spent its time on), if it has one."""
    started = time.monotonic()
    try:
        yield
    finally:
        # (a log line is not worth failing the run or hiding its exception for)
        with contextlib.suppress(OSError):
            if run.log.is_file():
                with open(run.log, "a", encoding="utf-8") as log:
                    log.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} [zwgk.pipeline] INFO: stage {stage}: "
                              f"{time.monotonic() - started:.2f} s\n")


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
    incomplete: bool          # a site could not be assessed (exit 3)


def resume_command(run: RunDir) -> str:
    """The exact command that continues this run (printed with exit 3 and 130, stored in results.json)."""
    return f"zwgk audit --resume {run.path}"


def validate(insp: Inspection, docx_template: Path | None = None) -> list[Ledger]:
    """Everything that can be wrong before a page is fetched (exit 2, nothing written): the scoring
    profile and its thresholds, the waivers, the check options, per-site crawl settings, the report
    template, and the ledgers (parsed and mapped: returned for the run)."""
    from zwgk.config.validate import validate_inspection

    validate_inspection(insp, docx_template)
    return load_ledgers(insp)


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


def _probes(store: Store, site: dict[str, Any], insp: Inspection, profile: Any, *, live: bool) -> Any:
    from zwgk.netresolve import DnsLookup
    from zwgk.probes import Probes, StoredProbes

    timeout = float(profile.setting("unreachable_timeout_seconds", 15))
    dns = DnsLookup(insp.network.dns_servers)
    if live:
        return Probes(store, site["key"], dns, timeout=timeout, ipv6=insp.network.ipv6)
    return StoredProbes(store, site["key"], dns, timeout=timeout, ipv6=insp.network.ipv6)


# Probing checks that read the page scan's facts (site.search: every document's 发布日期): the probe
# stage runs them after the scan, the others while it runs; none reads the columns, so they run before
# the column process is waited for. (Order only: a check run before the scan works out the facts it
# reads itself, one run before the columns are back recognises them — the same values, more slowly.)
READS_SCAN = frozenset({"site.search"})


def probe_stage(run: RunDir, insp: Inspection, *, evaluation_next: bool = False) -> None:
    """Network facts are evidence of the crawl (DESIGN §11): the checks that probe (CheckMeta.probes)
    run now, against the live network, and every probe is stored with its time; `evaluate` re-judges
    from these records. A site whose crawl was interrupted is probed when it is resumed.
    evaluation_next (zwgk audit): the page scan reads what the evaluation needs too, in the same pass."""
    from zwgk.checks.context import SiteContext
    from zwgk.checks.coverage import crawl_status
    from zwgk.checks.registry import all_checks
    from zwgk.config.profile import load_profile

    profile = load_profile(insp.scoring.profile, insp.scoring.thresholds)
    probing = {cid for cid, chk in all_checks().items() if chk.meta.probes}
    early, later = probing - READS_SCAN, probing & READS_SCAN
    store = Store(run.store)
    try:
        processes = scan_processes(store)
        for site in store.sites():
            if crawl_status(site) == "interrupted":
                continue
            ctx = SiteContext(store, site, insp.as_of, profile, _probes(store, site, insp, profile, live=True),
                              insp.checks)
            # site.search reads every document's 发布日期: one scan, kept for the evaluation after it.
            # The other probing checks need neither its facts nor the columns: they run meanwhile.
            probed: list[Any] = []
            ctx.scan(processes, keep=True, terms_too=evaluation_next,
                     meanwhile=partial(_run_into, probed, ctx, early) if early else None,
                     then=partial(_run_into, probed, ctx, later) if later else None)
            ctx.coverage              # noqa: B018 (kept with the columns for the evaluation)
            if evaluation_next:       # the evaluation re-judges nothing these checks judged
                ctx.probed = {r.key: r for r in probed}
            ctx.keep()
        store.set_meta("probed_at", now_iso())
    finally:
        store.close()


def _run_into(results: list[Any], ctx: Any, only: set[str]) -> None:
    from zwgk.checks.engine import run_checks

    results += run_checks(ctx, [], only=only)[0]


def evaluate(run: RunDir, insp: Inspection, ledgers: list[Ledger], *, network: bool = True,
             screenshots: bool | None = None, reprobe: bool = False) -> Evaluation:
    """Checks and scoring on a stored crawl (_evaluate), its wall time noted in the run's log."""
    with timed(run, "evaluate"):
        return _evaluate(run, insp, ledgers, network=network, screenshots=screenshots, reprobe=reprobe)


def _evaluate(run: RunDir, insp: Inspection, ledgers: list[Ledger], *, network: bool = True,
              screenshots: bool | None = None, reprobe: bool = False) -> Evaluation:
    """Checks and scoring on a stored crawl. Fetches no pages, and no network facts either: the
    probes recorded at crawl time answer the checks (reprobe=True measures them anew and records
    them). Then, unless screenshots=False (default: crawl.screenshots; never with network=False),
    the evidence screenshots."""
    from zwgk.checks.context import SiteContext
    from zwgk.checks.engine import run_checks
    from zwgk.config.profile import load_profile
    from zwgk.config.waivers import apply_waivers, load_waivers
    from zwgk.reports.scoring import assess, fulfilment_rate, index_results, score_site, task_status

    profile = load_profile(insp.scoring.profile, insp.scoring.thresholds)
    waivers = load_waivers(insp.resolve(insp.waivers) if insp.waivers else None)
    tasks = [t for ledger in ledgers for t in ledger.tasks]
    store = Store(run.store)
    started = store.get_meta("started", now_iso())
    results = new_results(run.id, started, now_iso(), insp.as_of.isoformat(), insp.digest)
    results["run"]["name"] = insp.name
    results["run"]["timezone"] = insp.timezone      # reports show times in the inspection's zone
    if reprobe:
        store.set_meta("probed_at", now_iso())
    results["run"]["probed_at"] = store.get_meta("probed_at")
    results["profile"] = {"id": profile.id, "title": profile.title, "pass_score": profile.pass_score,
                          "settings": profile.settings}
    results["ledgers"] = [{"id": lg.id, "title": lg.title, "source": Path(lg.source).name, "tasks": len(lg.tasks),
                           "warnings": lg.warnings} for lg in ledgers]
    incomplete = False
    processes = scan_processes(store)
    for site in store.sites():
        stats = store.site_stats(site["key"])
        crawl = {"status": site["status"], "pages": stats["pages"], "attachments": stats["attachments"],
                 "errors": stats["errors"] + stats["http_errors"], "capped": site["capped"],
                 "detail": site["detail"] or "",
                 # pages the browser rendered, and pages it should have but could not (inconclusive lists)
                 "rendered": stats["rendered"], "render_failed": stats["render_failed"]}
        probes = _probes(store, site, insp, profile, live=reprobe)
        ctx = SiteContext(store, site, insp.as_of, profile, probes, insp.checks)
        ctx.adopt()                   # the probe stage's columns, coverage and results, in zwgk audit
        if reprobe:
            ctx.probed = {}           # (measured anew)
        ctx.scan(processes)           # every page read once, in the crawl's worker count of processes
        check_results, findings = run_checks(ctx, tasks, processes=1 if reprobe else processes)
        coverage = ctx.coverage.to_dict()
        crawl["status"] = coverage["status"]
        crawl["coverage"] = coverage
        waiver_outcome = apply_waivers(findings, waivers, insp.as_of)
        assessment = assess(profile, coverage, check_results, resume_command(run))
        scored = score_site(profile, check_results, findings, site["url"], assessment)
        if scored.verdict == "无法评估" and assessment["assessed"]:
            # the crawl was whole but unknown checks could still change the verdict
            assessment = {**assessment, "assessed": False, "reasons": [scored.reason], "resume": None}
        by_key = index_results(check_results)
        task_rows = [_task_entry(t, *task_status(t, by_key, insp.as_of)) for t in tasks]
        incomplete |= not assessment["assessed"]
        results["sites"].append({
            "key": site["key"], "name": site["name"], "url": site["url"], "unit": site["unit"],
            "hosts": site["hosts"], "crawl": crawl, "assessment": assessment,
            "score": scored.score, "verdict": scored.verdict,
            "scoring": scored.to_dict(),
            "checks": [r.to_dict() for r in check_results],
            "findings": [f.to_dict(site["url"]) for f in findings],
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


def _run_processes(run: RunDir) -> int:
    """scan_processes of a run directory's store (1 without one: reports from results.json alone)."""
    if not Path(run.store).is_file():
        return 1
    store = Store(run.store)
    try:
        return scan_processes(store)
    finally:
        store.close()


def scan_processes(store: Store) -> int:
    """Processes for reading the pages in the evaluation: as many as crawled (the cores the run was
    given: `--workers`), at most the machine's cores."""
    import os

    return max(1, min(len(store.workers()), os.cpu_count() or 1))


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
    with timed(run, "reports"):
        return write_all(run.path, results, options, processes=_run_processes(run))


def crawl_stage(insp: Inspection, run: RunDir, *, resume: bool, progress: bool, workers: int | None = None,
                evaluation_next: bool = False) -> bool:
    """Crawl (or continue) every site with `workers` processes (None: the machine's cores), then probe
    the network (probe_stage; evaluation_next: zwgk audit evaluates at once). Returns True when the run
    was interrupted (Ctrl-C): what was fetched is kept, and `zwgk audit --resume` continues it."""
    store = Store(run.store)
    if store.get_meta("started") is None:
        store.set_meta("started", now_iso())
    if resume:
        continue_unfinished(store, run)
    store.close()
    if run.queue is not None:      # distributed (DESIGN §10): Redis queue, PostgreSQL store, any machines
        from zwgk.distributed.coordinator import crawl_distributed

        with timed(run, "crawl"):
            outcomes = crawl_distributed(insp, run, resume=resume, progress=progress, workers=workers)
    else:
        with timed(run, "crawl"):
            if evaluation_next:     # audit: the crawl in a child, so this process evaluates without its heap
                from zwgk.crawler.apart import crawl_apart as run_crawl
            else:
                from zwgk.crawler.runner import run_crawl
            outcomes = run_crawl(insp, run, resume=resume, progress=progress, workers=workers)
    if any(o.status == "interrupted" for o in outcomes):
        return True
    try:
        with timed(run, "probe"):
            probe_stage(run, insp, evaluation_next=evaluation_next)
    except KeyboardInterrupt:
        store = Store(run.store)
        for site in store.sites():
            if site["status"] != "unreachable":
                store.update_site(site["key"], status="interrupted")
        store.close()
        return True
    return False


def continue_unfinished(store: Store, run: RunDir) -> None:
    """On resume, besides the requests still queued: fetch an unreachable site's homepage again, and
    give a site a cap left unassessed the requests the cap dropped (a fresh budget)."""
    from zwgk.reports.results import load_results

    unassessed: set[str] | None = None
    if run.results.is_file():
        try:
            old = load_results(run.results)
            unassessed = {s.get("key") for s in old.get("sites", []) if not (s.get("assessment") or {}).get(
                "assessed", s.get("verdict") != "无法评估")}
        except (ValueError, ZwgkError):
            unassessed = None
    for site in store.sites():
        if unassessed is not None and site["key"] not in unassessed:
            continue
        if site["status"] == "unreachable":
            store.requeue(site["key"], urls=[site["url"]])
        elif site["status"] == "capped":      # (a depth cap stays: those pages are still too deep)
            store.requeue(site["key"], reasons=[c for c in site["capped"] if c != "max_depth"])
            store.update_site(site["key"], capped=[])


def run_finished(run: RunDir) -> dict[str, Any] | None:
    """The results of a run that has nothing left to continue (every site assessed), else None."""
    from zwgk.reports.results import load_results

    if not run.results.is_file():
        return None
    try:
        results = load_results(run.results)
    except (ValueError, ZwgkError):
        return None
    store = Store(run.store)
    try:
        statuses = {s["key"]: s["status"] for s in store.sites()}
    finally:
        store.close()
    if any(v not in ("complete", "capped", "unreachable") for v in statuses.values()):
        return None
    if any(not (s.get("assessment") or {}).get("assessed", s.get("verdict") != "无法评估")
           for s in results.get("sites", [])):
        return None
    return results
