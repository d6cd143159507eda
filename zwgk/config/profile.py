"""Scoring profiles (config/profiles/*.yaml): every threshold and point value is a named setting
with the source it comes from, so a report can show why a number is what it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from zwgk.errors import ConfigError

_TOP_KEYS = {"id", "title", "source", "pass_score", "settings", "vetoes", "deductions", "notes"}


@dataclass
class Profile:
    id: str
    title: str
    pass_score: float
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)   # name → {value, source, confirmed}
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    deductions: dict[str, dict[str, Any]] = field(default_factory=dict)  # check id → rule
    source: str = ""

    def setting(self, name: str, default: Any = None) -> Any:
        item = self.settings.get(name)
        return default if item is None else item.get("value", default)

    def override(self, thresholds: dict[str, Any]) -> Profile:
        """Apply an inspection's `scoring.thresholds` (names must exist: a typo is an error)."""
        for name, value in thresholds.items():
            if name not in self.settings:
                raise ConfigError(f"scoring.thresholds.{name}: 评分方案 {self.id} 中没有此项 / unknown threshold "
                                  f"(known: {', '.join(sorted(self.settings))})")
            self.settings[name] = {**self.settings[name], "value": value, "source": "本次检查配置覆盖"}
        return self


def profile_path(name: str) -> Path:
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return Path(str(resources.files("zwgk.config") / "profiles" / f"{name}.yaml"))


def load_profile(name: str = "national-2019", thresholds: dict[str, Any] | None = None) -> Profile:
    path = profile_path(name)
    if not path.is_file():
        raise ConfigError(f"找不到评分方案 / scoring profile not found: {name}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: 未知字段 / unknown keys: {', '.join(sorted(unknown))}")
    for name_, item in (data.get("settings") or {}).items():
        if not isinstance(item, dict) or "value" not in item or "source" not in item:
            raise ConfigError(f"{path}: settings.{name_} 需要 value 与 source / needs value and source")
    profile = Profile(id=data["id"], title=data.get("title", ""), pass_score=float(data.get("pass_score", 60)),
                      settings=data.get("settings") or {}, vetoes=data.get("vetoes") or [],
                      deductions=data.get("deductions") or {}, source=data.get("source", ""))
    return profile.override(thresholds or {})
