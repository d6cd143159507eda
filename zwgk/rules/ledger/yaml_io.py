"""The canonical YAML form of a ledger: what people review and edit, and what the tool reloads.

    id: chengzihe-district-2021-ledger
    title: 城子河区2021年政务公开工作台账
    year: 2021
    source: …
    warnings: []
    tasks:
    - number: '23'
      title: ''
      section:
      - 三、突出抓标准规范夯实基础，进一步深化政务公开
      - （九）完善政务公开平台
      text: 区政府门户网站要全部支持互联网协议第6版。
      sub_items: []
      lead_units:
      - 区政府办公室
      responsible_units:
      - 区政府办公室
      deadline:
        kind: date
        date: '2021-11-15'
        text: 2021年11月15日前
      checks:
      - check: site.ipv6
        params: {}
        rule: …
      coverage: automated
      manual_hint: ''

Keys always come in this order; Chinese is written as is (not \\u escapes); text with line breaks
is a `|` block. A task's `ledger` is written only when it differs from the ledger id. Loading is
strict about key names (a misspelt key would otherwise drop data silently) and lenient about
hand-edited values (number: 23, date: 2021-11-15 unquoted, a single unit without a list). The
`coverage` summary that `zwgk ledger parse --format yaml` adds is accepted and ignored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import yaml

from zwgk.errors import LedgerError
from zwgk.rules.models import CheckRef, Deadline, Ledger, Task

_HEADER = "# zwgk 政务公开工作台账 / work ledger — canonical form, edit freely (keep the keys)\n"
_LEDGER_KEYS = ("id", "title", "year", "source", "warnings", "tasks")
# Written by reports (`zwgk ledger parse --format yaml`), recomputed from the tasks: read and ignored.
_DERIVED_KEYS = ("coverage",)
_TASK_KEYS = ("ledger", "number", "title", "section", "text", "sub_items", "lead_units",
              "responsible_units", "deadline", "checks", "coverage", "manual_hint", "source_row")
_DEADLINE_KINDS = ("date", "continuous", "as_needed", "unknown")
_COVERAGES = ("automated", "partial", "manual")


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as `|` blocks (its own class: no global change)."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def _task_dict(task: Task, ledger_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if task.ledger != ledger_id:
        data["ledger"] = task.ledger
    data.update(
        number=task.number, title=task.title, section=list(task.section), text=task.text,
        sub_items=list(task.sub_items), lead_units=list(task.lead_units),
        responsible_units=list(task.responsible_units), deadline=task.deadline.to_dict(),
        checks=[{"check": c.check, "params": dict(c.params), "rule": c.rule} for c in task.checks],
        coverage=task.coverage, manual_hint=task.manual_hint,
    )
    if task.source_row:
        data["source_row"] = task.source_row
    return data


def dump_yaml(ledger: Ledger) -> str:
    """The ledger as canonical YAML text."""
    data = {"id": ledger.id, "title": ledger.title, "year": ledger.year, "source": ledger.source,
            "warnings": list(ledger.warnings), "tasks": [_task_dict(t, ledger.id) for t in ledger.tasks]}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=4096, indent=2)
    return _HEADER + body


# --- loading ---------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves unquoted dates as text: a hand-written `date: 2021-13-45` then gets
    our clear message instead of PyYAML's bare ValueError."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _fail(where: str, message: str) -> LedgerError:
    return LedgerError(f"台账 YAML 有误 / invalid ledger YAML in {where}: {message}")


def _text(value: Any, where: str, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, dict, list)):
        raise _fail(where, f"'{key}' should be text, got {type(value).__name__}")
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)


def _texts(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [_text(v, where, key) for v in value]
    return [_text(value, where, key)]  # a single hand-written unit without list brackets


def _check_keys(data: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(map(str, unknown))}; expected {', '.join(allowed)}")


def _deadline(value: Any, where: str) -> Deadline:
    if value is None:
        return Deadline()
    if not isinstance(value, dict):
        raise _fail(where, "'deadline' should be a mapping with kind/date/text")
    _check_keys(value, ("kind", "date", "text"), where)
    kind = value.get("kind") or "unknown"
    if kind not in _DEADLINE_KINDS:
        raise _fail(where, f"deadline kind '{kind}' is not one of {', '.join(_DEADLINE_KINDS)}")
    raw = value.get("date")
    try:
        when = raw if isinstance(raw, date) else (date.fromisoformat(str(raw)) if raw else None)
    except ValueError:
        raise _fail(where, f"deadline date '{raw}' is not YYYY-MM-DD") from None
    if kind == "date" and when is None:
        raise _fail(where, "deadline kind 'date' needs a date")
    return Deadline(kind=kind, date=when, text=_text(value.get("text"), where, "text"))


def _checks(value: Any, where: str) -> list[CheckRef]:
    refs = []
    for item in value or []:
        if not isinstance(item, dict) or not item.get("check"):
            raise _fail(where, "each entry of 'checks' needs a 'check' id")
        _check_keys(item, ("check", "params", "rule"), where)
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise _fail(where, "'params' of a check should be a mapping")
        rule = _text(item.get("rule"), where, "rule")
        refs.append(CheckRef(check=str(item["check"]), params=dict(params), rule=rule))
    return refs


def _task(data: Any, ledger_id: str, where: str) -> Task:
    if not isinstance(data, dict):
        raise _fail(where, "each task should be a mapping")
    _check_keys(data, _TASK_KEYS, where)
    number = _text(data.get("number"), where, "number").strip()
    if not number:
        raise _fail(where, "a task has no 'number'")
    where = f"{where} task {number}"
    coverage = data.get("coverage") or "manual"
    if coverage not in _COVERAGES:
        raise _fail(where, f"coverage '{coverage}' is not one of {', '.join(_COVERAGES)}")
    return Task(
        ledger=_text(data.get("ledger"), where, "ledger") or ledger_id, number=number,
        text=_text(data.get("text"), where, "text"), section=_texts(data.get("section"), where, "section"),
        title=_text(data.get("title"), where, "title"), sub_items=_texts(data.get("sub_items"), where, "sub_items"),
        lead_units=_texts(data.get("lead_units"), where, "lead_units"),
        responsible_units=_texts(data.get("responsible_units"), where, "responsible_units"),
        deadline=_deadline(data.get("deadline"), where), checks=_checks(data.get("checks"), where),
        coverage=coverage, manual_hint=_text(data.get("manual_hint"), where, "manual_hint"),
        source_row=_text(data.get("source_row"), where, "source_row"),
    )


def load_yaml(text: str, source: str = "", ledger_id: str | None = None) -> Ledger:
    """A Ledger from canonical YAML text. `ledger_id` overrides the id written in the file."""
    where = source or "<yaml>"
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        raise _fail(where, f"not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
        raise _fail(where, "expected a mapping with a 'tasks' list (id, title, year, source, warnings, tasks)")
    _check_keys(data, _LEDGER_KEYS + _DERIVED_KEYS, where)
    lid = ledger_id or _text(data.get("id"), where, "id") or "ledger"
    year = data.get("year")
    if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
        raise _fail(where, f"'year' should be a number like 2021, got {year!r}")
    tasks = [_task(t, lid, where) for t in data["tasks"]]
    if ledger_id:
        for t in tasks:
            t.ledger = ledger_id
    return Ledger(id=lid, title=_text(data.get("title"), where, "title"), year=year,
                  source=_text(data.get("source"), where, "source") if "source" in data else source,
                  tasks=tasks, warnings=_texts(data.get("warnings"), where, "warnings"))
