"""Apply the rule catalogue to a ledger: each task gets its checks, coverage and manual hint.

Coverage of a task:
- automated: every matched rule is automated (the checks decide the task);
- partial:   some check applies, and some matched rule is partial or manual (a person must add to it);
- manual:    no check applies; the hint says what evidence to ask for.

A task that already carries checks or a manual hint (a YAML ledger that was mapped, reviewed and
edited by a person) keeps them: its check ids and column keys are validated, its coverage made
consistent, and refs without a rule are marked rule="ledger". Pass remap=True to map it afresh.
"""

from __future__ import annotations

from zwgk.checks.registry import known_check_ids
from zwgk.errors import LedgerError
from zwgk.rules.catalogue import Catalogue, Rule, load_catalogue
from zwgk.rules.columns import load_columns
from zwgk.rules.models import CheckRef, Coverage, Ledger, Task

LEDGER_RULE = "ledger"   # CheckRef.rule of a check written into the ledger by hand


def task_text(task: Task) -> str:
    """What rules match against: title, wording and sub-items (not the section headings, which
    would drag every task of a section into its heading's topic)."""
    return "\n".join(part for part in (task.title, task.text, *task.sub_items) if part)


def matching_rules(task: Task, catalogue: Catalogue | None = None) -> list[Rule]:
    """The catalogue rules that match `task`, in catalogue order."""
    return (catalogue or load_catalogue()).matching(task_text(task))


def _coverage(rules: list[Rule], checks: list[CheckRef]) -> Coverage:
    if not checks:
        return "manual"
    return "automated" if all(r.status == "automated" for r in rules) else "partial"


def map_task(task: Task, catalogue: Catalogue | None = None) -> Task:
    """Fill task.checks (deduplicated, first rule keeps the ref), coverage and manual_hint."""
    catalogue = catalogue or load_catalogue()
    rules = matching_rules(task, catalogue)
    refs: dict[str, CheckRef] = {}
    for rule in rules:
        for spec in rule.checks:
            ref = spec.ref(rule.id)
            refs.setdefault(ref.key(), ref)
    task.checks = list(refs.values())
    task.coverage = _coverage(rules, task.checks)
    hints = [f"{r.title}：{r.manual_hint}" for r in rules if r.status != "automated"]
    if task.coverage == "manual" and not hints:
        hints = [catalogue.default_manual_hint]
    task.manual_hint = "\n".join(hints)
    return task


def is_mapped(task: Task) -> bool:
    """A mapped task always has checks or a hint; a freshly parsed one has neither."""
    return bool(task.checks or task.manual_hint.strip())


def check_given_mapping(task: Task, source: str = "") -> Task:
    """Validate and tidy a mapping written in the ledger itself (see the module doc)."""
    known, columns = known_check_ids(), load_columns()
    where = f"{source or task.ledger}: task {task.number}"
    refs: dict[str, CheckRef] = {}
    for ref in task.checks:
        if ref.check not in known:
            raise LedgerError(f"{where}: unknown check id {ref.check!r} (see `zwgk checks list`)")
        column = ref.params.get("column")
        if column is not None and column not in columns:
            raise LedgerError(f"{where}: check {ref.check}: unknown column key {column!r}")
        ref.rule = ref.rule or LEDGER_RULE
        refs.setdefault(ref.key(), ref)
    task.checks = list(refs.values())
    if not task.checks:
        task.coverage = "manual"
    elif task.coverage == "manual":
        task.coverage = "partial" if task.manual_hint.strip() else "automated"
    return task


def apply_rules(ledger: Ledger, catalogue: Catalogue | None = None, *, remap: bool = False) -> Ledger:
    """Map every task of `ledger` (in place) and return the ledger. Tasks the ledger already maps
    keep their mapping unless `remap`."""
    catalogue = catalogue or load_catalogue()
    for task in ledger.tasks:
        if remap or not is_mapped(task):
            map_task(task, catalogue)
        else:
            check_given_mapping(task, ledger.source)
    return ledger


def coverage_summary(ledger: Ledger) -> dict[str, int]:
    """{"total", "automated", "partial", "manual"} task counts."""
    counts = {"total": len(ledger.tasks), "automated": 0, "partial": 0, "manual": 0}
    for task in ledger.tasks:
        counts[task.coverage] += 1
    return counts
