"""Waivers (豁免): exempt findings by key with a reason, an approver and an expiry date.

    - check: links.broken
      url: "http://www.example.gov.cn/old/*"     # glob over the finding's URL
      target: "*"                                  # optional glob over the second key part
      reason: 旧栏目已下线，外部链接待对方修复
      approver: 区政府办公室 张三
      expires: 2027-03-31
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zwgk.checks.base import Finding
from zwgk.errors import ConfigError


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid")
    check: str
    url: str = "*"
    target: str = "*"
    reason: str
    approver: str = ""
    expires: date | None = None

    def matches(self, f: Finding) -> bool:
        return (f.check == self.check and fnmatchcase(f.url, self.url)
                and fnmatchcase(f.target or "", self.target))


@dataclass
class WaiverOutcome:
    applied: int
    expired: list[dict[str, Any]]


def load_waivers(path: Path | None) -> list[Waiver]:
    """Read and validate a waivers file; a mistake names the file, the entry, the key and the line."""
    from zwgk.checks.registry import CHECK_IDS
    from zwgk.config.inspection import _line_of, error_message, yaml_load

    if path is None:
        return []
    if not path.is_file():
        raise ConfigError(f"找不到豁免清单 / waivers file not found: {path}")
    try:
        data, node = yaml_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: 豁免清单须为 UTF-8 编码 / waivers must be UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行 / line {mark.line + 1}）" if mark else ""
        raise ConfigError(f"{path}{where}: YAML 语法错误 / YAML syntax error: {getattr(exc, 'problem', exc)}") from None
    data = data or []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: 豁免清单应为列表 / expected a list of waivers")
    out, problems = [], []
    for i, item in enumerate(data):
        def at(*loc: Any, i: int = i) -> str:
            line = _line_of(node, (i, *loc))
            key = ".".join(str(p) for p in (i, *loc))
            return f"  {key}" + (f"（第 {line} 行 / line {line}）" if line else "")
        if not isinstance(item, dict):
            problems.append(f"{at()}: 每条豁免应为映射（check、url、reason …） / a waiver is a mapping")
            continue
        try:
            waiver = Waiver(**item)
        except ValidationError as exc:
            problems += [f"{at(*e['loc'])}: {error_message(dict(e))}" for e in exc.errors()]
            continue
        if waiver.check not in CHECK_IDS:
            problems.append(f"{at('check')}: 未知检查项 / unknown check id {waiver.check!r}（见 zwgk checks list）")
            continue
        out.append(waiver)
    if problems:
        raise ConfigError(f"{path}: 豁免清单无效 / invalid waivers:\n" + "\n".join(problems))
    return out


def apply_waivers(findings: list[Finding], waivers: list[Waiver], as_of: date) -> WaiverOutcome:
    applied = 0
    expired: list[dict[str, Any]] = []
    for w in waivers:
        if w.expires and w.expires < as_of:
            expired.append(w.model_dump(mode="json"))
            continue
        for f in findings:
            if not f.waived and w.matches(f):
                f.waived = True
                f.waiver = {"reason": w.reason, "approver": w.approver,
                            "expires": w.expires.isoformat() if w.expires else None}
                applied += 1
    return WaiverOutcome(applied, expired)
