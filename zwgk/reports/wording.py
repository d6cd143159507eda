"""The 通报's citations: rule texts as an office cites them (wording.yaml says what is left out)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import yaml

from zwgk.reports.text import mainland_quotes

_PAREN = re.compile(r"[（(][^（）()]*[）)]")


@cache
def _phrases() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    data = yaml.safe_load((resources.files("zwgk.reports") / "wording.yaml").read_text(encoding="utf-8")) or {}
    return tuple(data.get("internal") or ()), tuple(data.get("uncertain") or ()), tuple(data.get("ledger") or ())


@dataclass(frozen=True)
class Citation:
    text: str            # what the 通报 cites ('' when nothing citable is left)
    uncertain: bool      # a note said the rule is not a national one / the value is a local choice


def _kind(text: str, ledger: bool = True) -> str | None:
    internal, uncertain, ledger_only = _phrases()
    if any(p in text for p in internal) or (not ledger and any(p in text for p in ledger_only)):
        return "internal"
    if any(p in text for p in uncertain):
        return "uncertain"
    return None


@lru_cache(maxsize=1024)          # every finding of a check carries the same basis
def cite(basis: str | None, *, ledger: bool = True) -> Citation:
    """'国办…要素（无全国统一清单，可配置）；检查词表见 zwgk/config/terms.yaml' → the citable part.
    Without a ledger in the run, clauses that cite the ledger are left out too."""
    flagged = False
    kept = []
    for clause in re.split(r"[；;]", basis or ""):

        def paren(m: re.Match[str]) -> str:
            nonlocal flagged
            kind = _kind(m[0], ledger)
            flagged |= kind == "uncertain"
            return "" if kind else m[0]

        clause = _PAREN.sub(paren, clause).strip()
        kind = _kind(clause, ledger)
        flagged |= kind == "uncertain"
        if clause and not kind:
            kept.append(clause)
    return Citation(mainland_quotes("；".join(kept)), flagged)
