"""Run every registered check on one site, with the parameter sets the ledger tasks ask for."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import all_checks
from zwgk.rules.models import Task


def requested_params(tasks: list[Task]) -> dict[str, list[dict[str, Any]]]:
    wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        for ref in task.checks:
            if ref.params and ref.params not in wanted[ref.check]:
                wanted[ref.check].append(dict(ref.params))
    return wanted


def run_checks(ctx: SiteContext, tasks: list[Task], only: set[str] | None = None
               ) -> tuple[list[CheckResult], list[Finding]]:
    wanted = requested_params(tasks)
    results: list[CheckResult] = []
    findings: list[Finding] = []
    for check_id, check in all_checks().items():
        if only and check_id not in only:
            continue
        for params in check.param_sets(ctx, wanted.get(check_id, [])):
            result = check.run(ctx, params)
            results.append(result)
            findings.extend(result.findings)
    return results, findings
