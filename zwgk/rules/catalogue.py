"""The rule catalogue (catalogue.yaml): ledger task wording -> check ids, or a manual hint.

Rules are data, like ComplianceAsCode controls: each has a stable id, a match over the task text,
the checks that verify it and a status (automated / partial / manual). Manual rules are written
down with a hint, never dropped. The loader is strict: unknown keys, check ids or column keys and
bad patterns raise ZwgkError naming the file, the rule and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from zwgk.checks.registry import known_check_ids
from zwgk.errors import ZwgkError
from zwgk.rules.columns import COLUMNS_FILE, ColumnDef, load_columns, read_strict_yaml, where
from zwgk.rules.models import CheckRef

RuleStatus = Literal["automated", "partial", "manual"]
RULE_STATUSES: tuple[str, ...] = get_args(RuleStatus)
CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RULE_FIELDS = {"id", "title", "match", "checks", "column_checks", "status", "manual_hint", "basis"}
_MATCH_FIELDS = ("any", "all", "none")
_CHECK_FIELDS = {"check", "params"}
_TOP_FIELDS = {"default_manual_hint", "rules"}
# Removed from task text (and forbidden in patterns): ledgers wrap words over lines and quote terms.
_NOISE_RE = re.compile(r"[\s\u3000“”\"'‘’「」『』]+")


def normalize_text(text: str) -> str:
    """Task text as patterns see it: no whitespace and no quote marks ("政务 新媒体" -> "政务新媒体")."""
    return _NOISE_RE.sub("", text)


@dataclass(frozen=True)
class Match:
    any: tuple[re.Pattern[str], ...] = ()
    all: tuple[re.Pattern[str], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()

    def test(self, text: str) -> bool:
        """`text` must already be normalized (see normalize_text)."""
        if self.any and not any(p.search(text) for p in self.any):
            return False
        if not all(p.search(text) for p in self.all):
            return False
        return not any(p.search(text) for p in self.none)


@dataclass(frozen=True)
class CheckSpec:
    """A check a rule asks for; params are kept as sorted pairs so rules stay hashable."""

    check: str
    params: tuple[tuple[str, Any], ...] = ()

    def ref(self, rule: str) -> CheckRef:
        return CheckRef(check=self.check, params=dict(self.params), rule=rule)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    match: Match
    status: RuleStatus
    checks: tuple[CheckSpec, ...] = ()
    manual_hint: str = ""
    basis: str = ""

    def matches(self, normalized_text: str) -> bool:
        return self.match.test(normalized_text)


@dataclass(frozen=True)
class Catalogue:
    rules: tuple[Rule, ...]
    default_manual_hint: str
    source: str = ""

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def matching(self, text: str) -> list[Rule]:
        """Rules whose match accepts `text` (raw task text; normalized here), in catalogue order."""
        norm = normalize_text(text)
        return [r for r in self.rules if r.matches(norm)]


# --- parsing ---------------------------------------------------------------------------------------


def _patterns(value: Any, key: str) -> tuple[re.Pattern[str], ...]:
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError(f"key 'match.{key}' must be a non-empty list of patterns, got {value!r}")
    out = []
    for raw in value:
        pat = str(raw)   # YAML reads 12345 as an int
        if not pat or _NOISE_RE.search(pat):
            raise ValueError(f"key 'match.{key}': pattern {pat!r} is empty or has spaces/quote marks "
                             "(task text is matched with those removed)")
        try:
            out.append(re.compile(pat, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"key 'match.{key}': bad pattern {pat!r}: {exc}") from None
    return tuple(out)


def _parse_match(data: Any) -> Match:
    if not isinstance(data, dict):
        raise ValueError(f"key 'match' must be a mapping with any/all/none, got {data!r}")
    unknown = sorted(set(data) - set(_MATCH_FIELDS), key=str)
    if unknown:
        raise ValueError(f"unknown key 'match.{unknown[0]}' (allowed: any, all, none)")
    if not data.get("any") and not data.get("all"):
        raise ValueError("key 'match' needs 'any' or 'all'")
    return Match(**{k: _patterns(data[k], k) for k in _MATCH_FIELDS if k in data})


def _parse_check(item: Any, columns: dict[str, ColumnDef], known: frozenset[str]) -> CheckSpec:
    if isinstance(item, str):
        item = {"check": item}
    if not isinstance(item, dict):
        raise ValueError(f"key 'checks': item {item!r} must be a check id or {{check: …, params: …}}")
    unknown = sorted(set(item) - _CHECK_FIELDS, key=str)
    if unknown:
        raise ValueError(f"key 'checks': unknown key {unknown[0]!r} (allowed: check, params)")
    check = item.get("check")
    if check not in known:
        raise ValueError(f"key 'checks': unknown check id {check!r}")
    params = item.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise ValueError(f"key 'checks': params of {check} must be a mapping, got {params!r}")
    for k, v in params.items():
        if not isinstance(v, str | int | float | bool):
            raise ValueError(f"key 'checks': param {k!r} of {check} must be a scalar, got {v!r}")
    if "column" in params and params["column"] not in columns:
        raise ValueError(f"key 'checks': unknown column key {params['column']!r}")
    return CheckSpec(check=check, params=tuple(sorted(params.items())))


def expand_column_checks(key: str, columns: dict[str, ColumnDef]) -> list[CheckSpec]:
    """column.missing + column.empty, and column.stale when the column has a freshness window."""
    if key not in columns:
        raise ValueError(f"key 'column_checks': unknown column key {key!r}")
    ids = ["column.missing", "column.empty"] + (["column.stale"] if columns[key].has_freshness else [])
    return [CheckSpec(check=c, params=(("column", key),)) for c in ids]


def _parse_checks(data: dict[str, Any], columns: dict[str, ColumnDef]) -> tuple[CheckSpec, ...]:
    known = known_check_ids()
    raw_checks = data.get("checks", [])
    if not isinstance(raw_checks, list):
        raise ValueError(f"key 'checks' must be a list, got {raw_checks!r}")
    specs = [_parse_check(item, columns, known) for item in raw_checks]
    keys = data.get("column_checks", [])
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list):
        raise ValueError(f"key 'column_checks' must be a column key or a list of them, got {keys!r}")
    for key in keys:
        specs.extend(expand_column_checks(key, columns))
    return tuple(dict.fromkeys(specs))   # dedupe, keep order


def _text(data: dict[str, Any], key: str, required: bool) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"key {key!r} must be a non-empty string, got {value!r}")
    return value.strip()


def _parse_rule(data: Any, columns: dict[str, ColumnDef]) -> Rule:
    if not isinstance(data, dict):
        raise ValueError(f"must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - _RULE_FIELDS, key=str)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_RULE_FIELDS))})")
    for key in ("title", "match", "status"):
        if key not in data:
            raise ValueError(f"missing key {key!r}")
    status = data["status"]
    if status not in RULE_STATUSES:
        raise ValueError(f"key 'status': {status!r} is not one of {', '.join(RULE_STATUSES)}")
    checks = _parse_checks(data, columns)
    hint = _text(data, "manual_hint", required=False)
    if status == "manual" and checks:
        raise ValueError("status 'manual' cannot have checks (use 'partial')")
    if status != "manual" and not checks:
        raise ValueError(f"status {status!r} needs 'checks' or 'column_checks'")
    if status != "automated" and not hint:
        raise ValueError(f"status {status!r} needs a 'manual_hint' saying what evidence to ask for")
    if status == "automated" and hint:
        raise ValueError("status 'automated' takes no 'manual_hint' (use 'partial')")
    return Rule(id=data["id"], title=_text(data, "title", required=True), match=_parse_match(data["match"]),
                status=status, checks=checks, manual_hint=hint, basis=_text(data, "basis", required=False))


def parse_catalogue(data: Any, path: Path, columns: dict[str, ColumnDef]) -> Catalogue:
    if not isinstance(data, dict):
        raise ZwgkError(f"{path}: expected a mapping with 'rules', got {type(data).__name__}")
    unknown = sorted(set(data) - _TOP_FIELDS, key=str)
    if unknown:
        raise ZwgkError(f"{where(path, data)}: unknown top-level key {unknown[0]!r} "
                        f"(allowed: {', '.join(sorted(_TOP_FIELDS))})")
    default_hint = data.get("default_manual_hint")
    if not isinstance(default_hint, str) or not default_hint.strip():
        raise ZwgkError(f"{where(path, data)}: 'default_manual_hint' must be a non-empty string")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ZwgkError(f"{where(path, data)}: 'rules' must be a non-empty list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        rule_id = entry.get("id") if isinstance(entry, dict) else None
        label = f"rule {rule_id}" if isinstance(rule_id, str) else f"rule #{n}"
        if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
            raise ZwgkError(f"{where(path, entry)}: {label}: key 'id' must be a lowercase id like "
                            f"'budget_disclosure', got {rule_id!r}")
        if rule_id in seen:
            raise ZwgkError(f"{where(path, entry)}: {label}: duplicate rule id")
        seen.add(rule_id)
        try:
            rules.append(_parse_rule(entry, columns))
        except ValueError as exc:
            raise ZwgkError(f"{where(path, entry)}: {label}: {exc}") from None
    return Catalogue(rules=tuple(rules), default_manual_hint=default_hint.strip(), source=str(path))


@lru_cache(maxsize=8)
def _load(path: Path, columns_path: Path) -> Catalogue:
    return parse_catalogue(read_strict_yaml(path), path, load_columns(columns_path))


def load_catalogue(path: str | Path | None = None, columns_path: str | Path | None = None) -> Catalogue:
    """The rule catalogue from catalogue.yaml (or `path`), validated against the check registry and
    the column catalogue. Raises ZwgkError on any schema error. Cached per file."""
    return _load(Path(path) if path else CATALOGUE_FILE, Path(columns_path) if columns_path else COLUMNS_FILE)
