"""Stored results.json fixtures for the report tests (no crawling: reports render from results only).

demo-run.json     a trimmed `zwgk demo` run (two simulated county portals, URLs without the port)
hostile-run.json  the same, made hostile: a page titled <script>alert(1)</script>, <img onerror> in a
                  message, javascript: URLs, a formula-looking message, a control character; plus a
                  veto site, an unassessable site, a waived finding and every task status
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from zwgk.reports.options import ReportOptions
from zwgk.reports.writer import ReportPaths, write_all

RESULTS_DIR = Path(__file__).parent.parent / "fixtures" / "results"
XSS_TITLE = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'


def load(name: str) -> dict[str, Any]:
    return json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def render(outdir: Path, results: dict[str, Any], options: ReportOptions | None = None) -> ReportPaths:
    return write_all(outdir, copy.deepcopy(results), options)
