"""The stages of a run, in the one direction data flows (DESIGN §2):

    ledger + config → crawl store → checks → findings → scores → results.json → reports

The CLI calls these; they hold the orchestration, the stages hold the logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk.config.inspection import Inspection
from zwgk.errors import LedgerError
from zwgk.reports.html import write_index
from zwgk.reports.results import new_results, write_results
from zwgk.rules.models import Ledger
from zwgk.rundir import RunDir
from zwgk.store import Store, now_iso


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


def evaluate(run: RunDir, insp: Inspection, ledgers: list[Ledger]) -> Evaluation:
    """Checks and scoring on a stored crawl. Fetches nothing (network probes aside)."""
    store = Store(run.store)
    started = store.get_meta("started", now_iso())
    results = new_results(run.id, started, now_iso(), insp.as_of.isoformat(), insp.digest)
    incomplete = False
    for site in store.sites():
        stats = store.site_stats(site["key"])
        crawl = {"status": site["status"], "pages": stats["pages"], "attachments": stats["attachments"],
                 "errors": stats["errors"] + stats["http_errors"], "capped": site["capped"],
                 "detail": site["detail"] or ""}
        incomplete |= site["status"] != "complete"
        tasks = []
        for ledger in ledgers:
            for task in ledger.tasks:
                tasks.append({
                    "id": task.id, "ledger": task.ledger, "number": task.number,
                    "title": task.title or task.text[:40], "text": task.text,
                    "lead_units": task.lead_units, "responsible_units": task.responsible_units,
                    "deadline": task.deadline.to_dict(),
                    # checks arrive with the checks stage; until a task's checks ran it is not assessed
                    "status": "manual" if not task.checks else "inconclusive",
                    "checks": [c.key() for c in task.checks], "evidence": [],
                    "manual_hint": task.manual_hint,
                })
        results["sites"].append({
            "key": site["key"], "name": site["name"], "url": site["url"], "unit": site["unit"],
            "crawl": crawl, "score": None, "verdict": "无法评估", "checks": [], "findings": [], "tasks": tasks,
        })
    store.close()
    return Evaluation(results, incomplete)


def write_reports(run: RunDir, results: dict[str, Any]) -> Path:
    write_results(run.results, results)
    return write_index(run.index_html, results)


def crawl_stage(insp: Inspection, run: RunDir, *, resume: bool, progress: bool) -> None:
    from zwgk.crawler.runner import run_crawl

    store = Store(run.store)
    if store.get_meta("started") is None:
        store.set_meta("started", now_iso())
    store.close()
    run_crawl(insp, run, resume=resume, progress=progress)
