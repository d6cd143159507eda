"""What a check is: metadata beside the code, a function that judges, results with evidence.

A check reads the crawl store (and the probe layer for network facts) through a SiteContext and
returns one CheckResult. It never fetches pages itself and never computes scores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from zwgk.checks.context import SiteContext

log = logging.getLogger(__name__)

Severity = Literal["veto", "major", "minor", "info"]
Status = Literal["pass", "fail", "warn", "inconclusive", "not_applicable", "error"]
SEVERITIES: tuple[str, ...] = ("veto", "major", "minor", "info")
SEVERITY_LABELS = {"veto": "单项否决", "major": "严重", "minor": "一般", "info": "提示"}
STATUS_LABELS = {"pass": "通过", "fail": "未通过", "warn": "警告", "inconclusive": "无法判定",
                 "not_applicable": "不适用", "error": "检查出错"}


@dataclass(frozen=True)
class CheckMeta:
    id: str                      # DESIGN §6 id; stable (CI and waivers depend on it)
    title: str                   # what is verified, in Chinese
    severity: Severity
    basis: str                   # 依据: the rule and its source document
    remediation: str             # 整改建议
    family: str = ""             # module it lives in (ipv6, links, columns ...)
    params: tuple[str, ...] = ()  # parameter names, e.g. ("column",)
    indicator: str = ""          # scoring indicator it feeds (profile key); defaults to the id


@dataclass
class Finding:
    check: str
    severity: str
    message: str                 # one sentence naming the thing and the fact seen
    url: str
    target: str | None = None    # second key part: link target, column key, document ...
    evidence: dict[str, Any] = field(default_factory=dict)   # url, expected, seen, at ...
    basis: str = ""
    remediation: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    waived: bool = False
    waiver: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Findings match across runs (diff, waivers) by this key, never by message text."""
        return self.check, self.url, self.target or ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = "|".join(self.key)
        return data


@dataclass
class CheckResult:
    id: str
    status: Status
    summary: str
    severity: str = "info"
    params: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)  # what proved a pass (urls, seen, at)

    @property
    def key(self) -> str:
        """Matches a ledger task's CheckRef.key(): 'column.stale[column=gk.planning]'."""
        if not self.params:
            return self.id
        return f"{self.id}[{','.join(f'{k}={v}' for k, v in sorted(self.params.items()))}]"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "status": self.status, "severity": self.severity,
                "summary": self.summary, "params": self.params, "details": self.details,
                "evidence": self.evidence, "findings": len(self.findings)}


CheckFn = Callable[["SiteContext", dict[str, Any]], CheckResult]


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    fn: CheckFn
    default_params: Callable[[SiteContext], list[dict[str, Any]]] | None = None

    def param_sets(self, ctx: SiteContext, requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Parameter sets to run: the check's defaults plus whatever ledger tasks asked for."""
        if not self.meta.params:
            return [{}]
        sets = list(self.default_params(ctx)) if self.default_params else []
        for params in requested:
            clean = {k: v for k, v in params.items() if k in self.meta.params}
            if clean and clean not in sets:
                sets.append(clean)
        return sets

    def run(self, ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
        try:
            result = self.fn(ctx, params)
        except Exception as exc:   # a broken page must not end the run: record it and go on
            log.exception("check %s failed on %s", self.meta.id, ctx.site_url)
            result = CheckResult(self.meta.id, "error", f"检查执行出错：{type(exc).__name__}: {exc}")
        result.id = self.meta.id
        result.severity = self.meta.severity
        result.params = dict(params)
        for finding in result.findings:
            finding.check = self.meta.id
            finding.severity = finding.severity or self.meta.severity
            finding.basis = finding.basis or self.meta.basis
            finding.remediation = finding.remediation or self.meta.remediation
            finding.params = finding.params or dict(params)
        return result


def finding(message: str, url: str, *, target: str | None = None, severity: str = "",
            **evidence: Any) -> Finding:
    """Build a finding; check/basis/remediation are filled in by Check.run from the metadata.

    The evidence always names the page a person opens to verify it (`url`, default: the finding's)."""
    return Finding(check="", severity=severity, message=message, url=url, target=target,
                   evidence={"url": url, **evidence})
