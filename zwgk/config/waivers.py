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
    if path is None:
        return []
    if not path.is_file():
        raise ConfigError(f"找不到豁免清单 / waivers file not found: {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: 豁免清单应为列表 / expected a list of waivers")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(Waiver(**item))
        except (ValidationError, TypeError) as exc:
            raise ConfigError(f"{path}: 第 {i + 1} 条豁免无效 / waiver #{i + 1} invalid: {exc}") from None
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
