"""Run every registered check on one site, with the parameter sets the ledger tasks ask for.

With several processes (the crawl's worker count) and a large site, the checks are shared out over
forked processes once the site's context holds its derived state (columns, coverage, the page scan's
facts): each process runs whole checks through its own store connection and sends back their
results, which are put back in catalogue order — the same results as one process gives.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from zwgk.checks.base import Check, CheckResult, Finding, result_key
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import all_checks
from zwgk.rules.models import Task
from zwgk.store import Store

log = logging.getLogger(__name__)

MIN_PARALLEL_PAGES = 1000     # below this a process costs more to start than the checks it would run
# The checks that read the most, largest first — CPU seconds in one process on the bench's stored
# N = 20,000 crawl (measured on the checks branch, issue 12): links.broken 0.70 and site.search 0.37
# (zwgk audit runs both in its probe stage), doc.metadata 0.58, interaction.reply 0.53,
# policy.interpretation 0.50, report.annual 0.30, site.identity 0.19, guide.content 0.14; every other
# check < 0.05. Handed to the processes in this order (longest first: the last to finish is a short
# one, not one of these started late); the results are put back in catalogue order.
LONGEST_FIRST = ("links.broken", "doc.metadata", "interaction.reply", "policy.interpretation", "site.search",
                 "report.annual", "site.identity", "guide.content", "content.terms")

Job = tuple[Check, dict[str, Any]]


def requested_params(tasks: list[Task]) -> dict[str, list[dict[str, Any]]]:
    wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        for ref in task.checks:
            if ref.params and ref.params not in wanted[ref.check]:
                wanted[ref.check].append(dict(ref.params))
    return wanted


def run_checks(ctx: SiteContext, tasks: list[Task], only: set[str] | None = None, *, processes: int = 1
               ) -> tuple[list[CheckResult], list[Finding]]:
    """Every check (or those in `only`) with each parameter set; processes > 1: shared out over
    forked processes when the site is large and its store a file (see the module docstring)."""
    wanted = requested_params(tasks)
    jobs: list[Job] = [(check, params) for check_id, check in all_checks().items() if not only or check_id in only
                       for params in check.param_sets(ctx, wanted.get(check_id, []))]
    # the probe stage's results of the probing checks, when it handed them on (SiteContext.probed)
    given = [ctx.probed.pop(result_key(check.meta.id, params), None) for check, params in jobs]
    todo = [job for job, result in zip(jobs, given, strict=True) if result is None]
    if processes > 1 and len(todo) > 1 and ctx.store.path is not None and len(ctx.pages) >= MIN_PARALLEL_PAGES:
        ran = iter(_run_forked(ctx, todo, processes))
    else:
        ran = (check.run(ctx, params) for check, params in todo)
    results = [result if result is not None else next(ran) for result in given]
    return results, [f for result in results for f in result.findings]


# --- forked processes ------------------------------------------------------------------------------
_SHARED: tuple[SiteContext, list[Job]] | None = None     # what a forked process inherits


def _run_forked(ctx: SiteContext, jobs: list[Job], processes: int) -> list[CheckResult]:
    global _SHARED
    done: dict[int, CheckResult] = {}
    _SHARED = (ctx, jobs)
    try:
        with ProcessPoolExecutor(min(processes, len(jobs)), mp_context=multiprocessing.get_context("fork"),
                                 initializer=_reconnect, initargs=(str(ctx.store.path),)) as pool:
            futures = {pool.submit(_run_job, i): i for i in submission_order(jobs)}
            try:
                for future in as_completed(futures):
                    done[futures[future]] = future.result()
            except KeyboardInterrupt:       # Ctrl-C: stop now, not after every queued check has run
                running = list((getattr(pool, "_processes", None) or {}).values())   # (shutdown forgets them)
                pool.shutdown(wait=False, cancel_futures=True)
                for process in running:
                    process.terminate()
                raise
    except Exception as exc:    # no fork, a process that died, a result that would not pickle …
        log.warning("checks in parallel processes failed (%s: %s); running the rest in this process",
                    type(exc).__name__, exc)
    finally:
        _SHARED = None
    # (what did not come back is run here: the same checks, the same results)
    return [done[i] if i in done else check.run(ctx, params) for i, (check, params) in enumerate(jobs)]


def submission_order(jobs: list[Job]) -> list[int]:
    """Indexes of `jobs`, the long-running checks (LONGEST_FIRST) first, the others in catalogue order."""
    rank = {check_id: i for i, check_id in enumerate(LONGEST_FIRST)}
    return sorted(range(len(jobs)), key=lambda i: (rank.get(jobs[i][0].meta.id, len(rank)), i))


def _reconnect(target: str) -> None:
    # A forked process inherits the crawl's signal handlers (Scrapy's SIGTERM/SIGINT shutdown) and the
    # parent's store connection, which it must not use: a connection of its own.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)        # Ctrl-C is the parent's to handle
    assert _SHARED is not None
    _SHARED[0].reconnect(Store(target))


def _run_job(index: int) -> CheckResult:
    assert _SHARED is not None
    ctx, jobs = _SHARED
    check, params = jobs[index]
    return check.run(ctx, params)
