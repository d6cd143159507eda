"""Chinese labels for what results.json stores as ids. Ids stay ids in the data; people read these.

One table for every report (HTML, 通报, 问题清单, terminal): check titles from the check catalogue,
column names from the column catalogue, error kinds from zwgk/error_kinds.py, and the rest
(evidence keys, targets, values, profile settings, crawl caps, missing evidence) from labels.yaml.
`humanize` applies the same table to free text (a check summary that names `gk.planning`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from zwgk.checks.base import SEVERITIES, SEVERITY_LABELS, STATUS_LABELS
from zwgk.error_kinds import ERROR_LABELS
from zwgk.reports.check_titles import check_titles

__all__ = ["CHECK_STATUS_LABELS", "CRAWL_LABELS", "DIFF_LABELS", "SEVERITIES", "SEVERITY_LABELS",
           "TASK_STATUSES", "TASK_STATUS_LABELS", "VERDICTS", "cap_label", "check_label", "check_title",
           "column_label", "evidence_label", "humanize", "label", "missing_label", "problem_label",
           "setting_label", "target_label", "value_label", "value_text"]

CHECK_STATUS_LABELS = STATUS_LABELS
VERDICTS = ("合格", "不合格", "无法评估")
TASK_STATUSES = ("fulfilled", "partial", "unfulfilled", "not_due", "manual", "inconclusive")
TASK_STATUS_LABELS = {"fulfilled": "已落实", "partial": "部分落实", "unfulfilled": "未落实",
                      "not_due": "未到期", "manual": "需人工核查", "inconclusive": "无法判定"}
DIFF_LABELS = {"new": "新增", "open": "仍存在", "fixed": "已整改", "unverified": "未能复查", "waived": "已豁免"}
SECTIONS = ("problems", "evidence", "targets", "values", "settings", "caps", "missing")


@cache
def table() -> dict[str, dict[str, str]]:
    text = (resources.files("zwgk.reports") / "labels.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {section: {str(k): str(v) for k, v in (data.get(section) or {}).items()} for section in SECTIONS}


CRAWL_LABELS = {k: v for k, v in table()["caps"].items()
                if k in ("complete", "capped", "unreachable", "interrupted", "running", "pending")}


def _catalogue_titles() -> dict[str, str]:
    # The check catalogue is the source of check titles (read without importing the checks); an
    # old results.json with an id the catalogue no longer knows still renders (a neutral label).
    return check_titles()


@cache
def _columns() -> dict[str, str]:
    try:
        from zwgk.rules.columns import load_columns
    except ImportError:  # pragma: no cover
        return {}
    return {key: col.name for key, col in load_columns().items()}


def _split_key(key: str) -> tuple[str, dict[str, str]]:
    """'column.stale[column=gk.planning]' → ('column.stale', {'column': 'gk.planning'})."""
    m = re.fullmatch(r"([^\[]+)\[(.*)\]", key)
    if not m:
        return key, {}
    params = dict(p.split("=", 1) for p in m[2].split(",") if "=" in p)
    return m[1], params


def check_title(check_id: str) -> str:
    """What a check verifies ('必设栏目已开设'); a check key with params adds them ('…（规划信息）')."""
    base, params = _split_key(check_id)
    title = _catalogue_titles().get(base) or table()["problems"].get(base) or "其他检查项"
    return title + _params_text(params)


def problem_label(check_id: str) -> str:
    """What a finding of the check is called in a 通报 ('必设栏目缺失')."""
    base, params = _split_key(check_id)
    title = table()["problems"].get(base) or _catalogue_titles().get(base) or "其他问题"
    return title + _params_text(params)


check_label = check_title


def _params_text(params: dict[str, str]) -> str:
    return f"（{'、'.join(target_label(v) for v in params.values())}）" if params else ""


def column_label(key: str) -> str:
    return _columns().get(key) or "未列入目录的栏目"


def target_label(target: Any) -> str:
    """A finding's target as people say it: a column name, a code word's label, or the text as it is."""
    if target is None:
        return ""
    text = str(target)
    if text.startswith("gk."):
        return column_label(text)
    return table()["targets"].get(text) or table()["values"].get(text) or ERROR_LABELS.get(text) or text


def evidence_label(key: Any) -> str:
    text = str(key)
    return table()["evidence"].get(text) or table()["targets"].get(text) or text


def value_label(value: Any) -> Any:
    """A stored one-word value ('meta', 'two_weeks', 'refused') as a label; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith("gk.") and value in _columns():
        return _columns()[value]
    return table()["values"].get(value) or ERROR_LABELS.get(value) or table()["targets"].get(value) or value


def setting_label(key: str) -> str:
    return table()["settings"].get(key) or "其他设置"


def cap_label(cap: str) -> str:
    base, _, detail = cap.partition(":")
    text = table()["caps"].get(base) or "其他上限"
    return f"{text}（{detail}）" if detail else text


def missing_label(kind: str) -> str:
    return table()["missing"].get(kind) or "所需证据"


def label(token: str) -> str:
    """Any stored id: a check key, a column key, an error kind, a table entry; else the token."""
    base, _ = _split_key(token)
    if base in _catalogue_titles() or base in table()["problems"]:
        return check_title(token)
    if token.startswith("gk."):
        return column_label(token)
    for section in ("targets", "values", "evidence", "settings", "caps", "missing"):
        if token in table()[section]:
            return table()[section][token]
    return ERROR_LABELS.get(token, token)


def value_text(value: Any, missing: str = "未见") -> str:
    """A stored evidence value as one line of text: a mapping as '标签：值；…' (an empty value: 未见),
    a list joined with '、', a one-word code by its label."""
    if isinstance(value, dict):
        return "；".join(f"{evidence_label(k)}：{value_text(v) if v not in (None, '') else missing}"
                        for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    return str(value_label(value))


# --- free text ------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s，。；、）)」”'\"<>]+")
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_./-])("
    r"[a-z0-9]+\.[a-z_]+\[[^\]\s]*\]"          # a check key with params
    r"|gk\.[a-z_]+"                            # a column key
    r"|[a-z0-9]+\.[a-z]+(?:_[a-z]+)*"         # a check id (only known ones are replaced)
    r"|[a-z][a-z0-9]*(?:_[a-z0-9]+)+"          # a snake_case code word
    r")(?![A-Za-z0-9_])")
_AFTER_COLON = re.compile(r"(?<=[：:])\s*([a-z]+)(?=$|[\s，。；）)])")


def _known(token: str) -> str | None:
    base, _ = _split_key(token)
    if base in _catalogue_titles() or base in table()["problems"]:
        return check_title(token)
    if token.startswith("gk."):
        return column_label(token)
    if "_" in token:
        found = label(token)
        return found if found != token else None
    return None


def _humanize_part(text: str) -> str:
    text = _TOKEN.sub(lambda m: _known(m[1]) or m[1], text)
    return _AFTER_COLON.sub(lambda m: table()["values"].get(m[1], m[0]), text)


def humanize(text: Any) -> str:
    """Free text with the ids it names replaced by their labels; URLs are left exactly as they are."""
    if text is None:
        return ""
    s = str(text)
    out, pos = [], 0
    for m in _URL.finditer(s):
        out.append(_humanize_part(s[pos:m.start()]))
        out.append(m[0])
        pos = m.end()
    out.append(_humanize_part(s[pos:]))
    return "".join(out)
