"""Ledger data: the tasks a 政务公开 work ledger (工作台账 / 任务分解表) assigns.

Parsers (zwgk.rules.ledger) produce these; the rule catalogue (zwgk.rules.mapping) attaches the
checks that can verify each task. Everything downstream (scoring, reports) reads them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

DeadlineKind = Literal["date", "continuous", "as_needed", "unknown"]
Coverage = Literal["automated", "partial", "manual"]


@dataclass
class Deadline:
    """When a task is due. `kind` is "date" when `date` is set; the ledger's own words stay in `text`."""

    kind: DeadlineKind = "unknown"
    date: date | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "date": self.date.isoformat() if self.date else None, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        raw = data.get("date")
        return cls(kind=data.get("kind", "unknown"), date=date.fromisoformat(raw) if raw else None,
                   text=data.get("text", ""))


@dataclass
class CheckRef:
    """One check a task is verified by, with the parameters the rule gives it (e.g. a column key)."""

    check: str                      # check id of DESIGN §6, e.g. "column.stale"
    params: dict[str, Any] = field(default_factory=dict)
    rule: str = ""                  # id of the catalogue rule that mapped it

    def key(self) -> str:
        """Stable text form, e.g. "column.stale[column=gk.planning]"."""
        if not self.params:
            return self.check
        inner = ",".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.check}[{inner}]"


@dataclass
class Task:
    ledger: str                     # ledger id (file stem unless the caller names it)
    number: str                     # "23"; unnumbered rows get e.g. "31.1" (see the parser docs)
    text: str                       # the full task wording
    section: list[str] = field(default_factory=list)   # ["一、…", "（一）…"]
    title: str = ""                 # 事项名称 / 任务名称 when the ledger has one
    sub_items: list[str] = field(default_factory=list)
    lead_units: list[str] = field(default_factory=list)          # 牵头单位
    responsible_units: list[str] = field(default_factory=list)   # 责任单位
    deadline: Deadline = field(default_factory=Deadline)
    checks: list[CheckRef] = field(default_factory=list)         # filled by the rule catalogue
    coverage: Coverage = "manual"
    manual_hint: str = ""
    # Where the task was read ("第12行", "表1第3行", "任务分解表 第5行"), for people checking the parse;
    # not part of the task's identity (the same ledger as .txt and .docx gives equal tasks).
    source_row: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"{self.ledger}#{self.number}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deadline"] = self.deadline.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        data = dict(data)
        data["deadline"] = Deadline.from_dict(data.get("deadline") or {})
        data["checks"] = [CheckRef(**c) for c in data.get("checks") or []]
        return cls(**data)


@dataclass
class Ledger:
    id: str
    title: str = ""
    year: int | None = None
    source: str = ""                # file the ledger was read from
    tasks: list[Task] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
