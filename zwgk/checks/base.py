"""What a check is: metadata beside the code, a function that judges, results with evidence.

A check reads the crawl store (and the probe layer for network facts) through a SiteContext and
returns one CheckResult. It never fetches pages itself and never computes scores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

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
    # The evidence the check stands on (DESIGN §12; kinds in checks/coverage.py). `needs`: without it
    # nothing can be judged, so the check is not run and says `inconclusive`. `absence`: what a
    # "not found" finding needs (a finding made with absent=True); without it such findings are
    # dropped, while defects that were seen stand. Entries are "kind" or "kind:column-key".
    needs: tuple[str, ...] = ()
    absence: tuple[str, ...] = ()
    probes: bool = False         # measures the network through the probe layer (run at crawl time)


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
    absent: bool = False         # says "not found": stands only where the check's `absence` evidence was seen

    @property
    def key(self) -> tuple[str, str, str]:
        """(check, url, target) as seen; results.json's `key` is its portable form (finding_key)."""
        return self.check, self.url, self.target or ""

    def to_dict(self, site_url: str = "") -> dict[str, Any]:
        # (what dataclasses.asdict gave, with a copy of plain data instead of its generic deep copy:
        # a fifth of the time on 1,215 findings of the bench site)
        return {"check": self.check, "severity": self.severity, "message": self.message, "url": self.url,
                "target": self.target, "evidence": _plain_copy(self.evidence), "basis": self.basis,
                "remediation": self.remediation, "params": _plain_copy(self.params), "waived": self.waived,
                "waiver": _plain_copy(self.waiver),
                "key": finding_key(self.check, self.url, self.target, site_url)}


def _plain_copy(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, tuples of values); anything else is itself."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain_copy(v) for v in value) if not hasattr(value, "_fields") else value
    if hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
        return asdict(value)
    return value


def portable_url(url: str, site_url: str = "") -> str:
    """A URL as a finding key holds it: no scheme, no port, and no host when it is the site's own
    (http://www.x.gov.cn:8080/a → /a), so a key survives a port change or an http→https move."""
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return url or ""
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    rest = path + (f"?{parts.query}" if parts.query else "")
    own = (urlsplit(site_url).hostname or "").lower() if site_url else ""
    return rest if host and host == own else f"{host}{rest}"


def finding_key(check: str, url: str, target: str | None, site_url: str = "") -> str:
    """DESIGN §12: `check|site-relative URL|target`, scheme and port dropped (a URL target too)."""
    tgt = target or ""
    if "://" in tgt:
        tgt = portable_url(tgt, site_url)
    return f"{check}|{portable_url(url, site_url)}|{tgt}"


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
        return result_key(self.id, self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "key": self.key, "status": self.status, "severity": self.severity,
                "summary": self.summary, "params": self.params, "details": self.details,
                "evidence": self.evidence, "findings": len(self.findings)}


def result_key(check_id: str, params: dict[str, Any]) -> str:
    """CheckResult.key of a check run with these parameters."""
    if not params:
        return check_id
    return f"{check_id}[{','.join(f'{k}={v}' for k, v in sorted(params.items()))}]"


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
        from zwgk.checks.coverage import EvidenceMissing, Missing, judge_absence, lacking, mark_partial
        from zwgk.probes.stored import ProbeNotRecorded

        missing = lacking(ctx, self.meta.needs, params)
        try:
            if missing:
                result = missing_result(missing)
            else:
                result = self.fn(ctx, params)
                judge_absence(ctx, self.meta.absence, params, result)
                mark_partial(ctx, self.meta.needs, result)
        except EvidenceMissing as exc:   # evidence found missing mid-way: unknown, not a verdict
            result = missing_result([exc.missing])
        except ProbeNotRecorded as exc:  # a network fact the crawl did not measure
            result = missing_result([Missing("probes", str(exc))])
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


def finding(message: str, url: str, *, target: str | None = None, severity: str = "", absent: bool = False,
            **evidence: Any) -> Finding:
    """Build a finding; check/basis/remediation are filled in by Check.run from the metadata.

    The evidence always names the page a person opens to verify it (`url`, default: the finding's).
    absent=True: the finding says something was not found (see CheckMeta.absence)."""
    return Finding(check="", severity=severity, message=message, url=url, target=target,
                   evidence={"url": url, **evidence}, absent=absent)


def missing_result(missing: list[Any]) -> CheckResult:
    """`inconclusive` for lack of evidence (DESIGN §12: details.reason for people, details.missing kinds)."""
    reason = "；".join(m.reason for m in missing)
    return CheckResult("", "inconclusive", f"无法判定：{reason}",
                       details={"reason": reason, "missing": sorted({m.kind for m in missing}),
                                "missing_evidence": [m.to_dict() for m in missing]})
