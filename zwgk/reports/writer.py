"""Every output of a run, rendered from one results.json document (DESIGN §5).

results.json is written first: it is the source of truth, and every other file can be rendered
again from it alone (`zwgk report`). Each format has its own writer module; none recomputes a
finding, a status or a score.
"""

from __future__ import annotations

import multiprocessing
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.reports.junit import write_junit
from zwgk.reports.options import ReportOptions
from zwgk.reports.results import write_results
from zwgk.reports.view import site_files

RESULTS, INDEX, BULLETIN, ISSUES, JUNIT, DIFF_HTML = (
    "results.json", "index.html", "通报.docx", "问题清单.xlsx", "junit.xml", "diff.html")


@dataclass
class ReportPaths:
    outdir: Path
    results: Path
    index: Path
    bulletin: Path
    issues: Path
    junit: Path
    sites: list[Path] = field(default_factory=list)
    diff: Path | None = None


PARALLEL_FINDINGS = 500       # below this the Excel file takes less than starting a process


def _issues_file(outdir: Path, results: dict[str, Any], options: ReportOptions) -> Path:
    # Imported here: with processes > 1 only the forked writer loads openpyxl.
    from zwgk.reports.issues_xlsx import write_issues

    return write_issues(outdir / ISSUES, results, options)


def _bulletin_file(outdir: Path, results: dict[str, Any], options: ReportOptions) -> Path:
    from zwgk.reports.bulletin import write_bulletin

    return write_bulletin(outdir / BULLETIN, results, options)


def _fork_pool() -> Any:
    """One forked worker for the Excel file, or None where fork is not available."""
    try:
        return multiprocessing.get_context("fork").Pool(1, _plain_signals)
    except (OSError, ValueError):
        return None


def _plain_signals() -> None:
    """A forked writer must not inherit the crawl's SIGTERM/SIGINT handlers (terminate must end it)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def write_all(outdir: Path, results: dict[str, Any], options: ReportOptions | None = None, *,
              write_json: bool = True, processes: int = 1) -> ReportPaths:
    """Every report. processes > 1 (the run's worker count) and many findings: the Excel file (the
    largest job) is written by a forked process while this one writes the HTML pages and the Word
    file (same files)."""
    options = options or ReportOptions()
    outdir.mkdir(parents=True, exist_ok=True)
    if write_json:
        write_results(outdir / RESULTS, results)
    many = sum(len(s.get("findings") or []) for s in results.get("sites", [])) >= PARALLEL_FINDINGS
    pool = _fork_pool() if processes > 1 and many else None
    try:
        job = pool.apply_async(_issues_file, (outdir, results, options)) if pool is not None else None
        junit = write_junit(outdir / JUNIT, results)
        outputs = [("通报（Word）", BULLETIN), ("问题清单（Excel）", ISSUES), ("JUnit（CI）", JUNIT),
                   ("results.json（原始结果）", RESULTS)]
        if results.get("diff"):
            outputs.insert(0, ("复查对比", DIFF_HTML))
        from zwgk.reports.html import write_html

        index = write_html(outdir, results, outputs)
        bulletin = _bulletin_file(outdir, results, options)
        # the forked writer's file (job.get() re-raises what it raised), or written here
        issues = job.get() if job is not None else _issues_file(outdir, results, options)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return ReportPaths(outdir, outdir / RESULTS, index, bulletin, issues, junit,
                       [outdir / "sites" / name for name in site_files(results)],
                       outdir / DIFF_HTML if results.get("diff") else None)
