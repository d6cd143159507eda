"""Every output of a run, rendered from one results.json document (DESIGN §5).

results.json is written first: it is the source of truth, and every other file can be rendered
again from it alone (`zwgk report`). Each format has its own writer module; none recomputes a
finding, a status or a score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.reports.bulletin import write_bulletin
from zwgk.reports.html import write_html
from zwgk.reports.issues_xlsx import write_issues
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


def write_all(outdir: Path, results: dict[str, Any], options: ReportOptions | None = None, *,
              write_json: bool = True) -> ReportPaths:
    options = options or ReportOptions()
    outdir.mkdir(parents=True, exist_ok=True)
    if write_json:
        write_results(outdir / RESULTS, results)
    bulletin = write_bulletin(outdir / BULLETIN, results, options)
    issues = write_issues(outdir / ISSUES, results, options)
    junit = write_junit(outdir / JUNIT, results)
    outputs = [("通报（Word）", BULLETIN), ("问题清单（Excel）", ISSUES), ("JUnit（CI）", JUNIT),
               ("results.json（原始结果）", RESULTS)]
    if results.get("diff"):
        outputs.insert(0, ("复查对比", DIFF_HTML))
    index = write_html(outdir, results, outputs)
    return ReportPaths(outdir, outdir / RESULTS, index, bulletin, issues, junit,
                       [outdir / "sites" / name for name in site_files(results)],
                       outdir / DIFF_HTML if results.get("diff") else None)
