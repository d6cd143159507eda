"""The check catalogue. Ids are DESIGN §6 and stable: CI pipelines and waivers depend on them.

Checks register themselves with @check beside their code (one module per family, Prowler-style);
`all_checks()` imports every family module once, so there is no central list to keep in sync
except CHECK_IDS, the contract, which the registry enforces.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from zwgk.checks.base import SEVERITIES, Check, CheckFn, CheckMeta

CHECK_IDS: tuple[str, ...] = (
    "site.reachable",
    "ipv6.aaaa",
    "ipv6.reachable",
    "ipv6.links",
    "https.available",
    "links.broken",
    "column.missing",
    "column.empty",
    "column.stale",
    "homepage.stale",
    "doc.metadata",
    "policy.interpretation",
    "report.annual",
    "guide.content",
    "site.identity",
    "site.search",
    "interaction.reply",
    "content.terms",
)

_REGISTRY: dict[str, Check] = {}
_NOT_FAMILIES = {"base", "registry", "context", "engine", "understand", "probes", "coverage", "facts"}
EVIDENCE_KINDS = ("homepage", "pages", "probes", "document_pages", "column_list", "column_items", "column_docs",
                  "column_tree")


def known_check_ids() -> frozenset[str]:
    return frozenset(CHECK_IDS)


def check(*, id: str, title: str, severity: str, basis: str, remediation: str, params: tuple[str, ...] = (),
          indicator: str = "", defaults: Callable[..., list[dict[str, Any]]] | None = None,
          needs: tuple[str, ...] = (), absence: tuple[str, ...] = (), probes: bool = False
          ) -> Callable[[CheckFn], CheckFn]:
    """Register a check function with its metadata (validated here, at import time).

    needs / absence: the evidence it stands on (checks/coverage.py), e.g. ("homepage",),
    ("column_list",) with a `column` parameter, ("column_list:gk.annual_report",)."""
    if id not in CHECK_IDS:
        raise ValueError(f"check id {id!r} is not in the catalogue (DESIGN §6)")
    if severity not in SEVERITIES:
        raise ValueError(f"check {id}: severity {severity!r} not one of {SEVERITIES}")
    if not (title and basis and remediation):
        raise ValueError(f"check {id}: title, basis and remediation are required")
    for spec in (*needs, *absence):
        kind, _, column = spec.partition(":")
        if kind not in EVIDENCE_KINDS:
            raise ValueError(f"check {id}: unknown evidence kind {kind!r} (known: {EVIDENCE_KINDS})")
        if kind.startswith("column_") and not column and "column" not in params:
            raise ValueError(f"check {id}: evidence {spec!r} needs a column (kind:KEY or a `column` parameter)")

    def register(fn: CheckFn) -> CheckFn:
        if id in _REGISTRY:
            raise ValueError(f"check {id} registered twice ({_REGISTRY[id].fn.__module__}, {fn.__module__})")
        family = fn.__module__.rsplit(".", 1)[-1]
        meta = CheckMeta(id, title, severity, basis, remediation, family, params, indicator or id,  # type: ignore[arg-type]
                         tuple(needs), tuple(absence), probes)
        _REGISTRY[id] = Check(meta, fn, defaults)
        return fn

    return register


def all_checks() -> dict[str, Check]:
    """Every registered check, in catalogue order (imports the family modules on first call)."""
    import zwgk.checks as package

    for mod in pkgutil.iter_modules(package.__path__):
        if mod.name not in _NOT_FAMILIES:
            importlib.import_module(f"zwgk.checks.{mod.name}")
    return {cid: _REGISTRY[cid] for cid in CHECK_IDS if cid in _REGISTRY}
