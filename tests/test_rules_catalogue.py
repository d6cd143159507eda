"""Rule catalogue (zwgk/rules/catalogue.yaml): the shipped data and the strict loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.checks.registry import known_check_ids
from zwgk.errors import ZwgkError
from zwgk.rules.catalogue import load_catalogue, normalize_text
from zwgk.rules.columns import load_columns


def test_shipped_catalogue_loads_and_is_consistent() -> None:
    cat = load_catalogue()
    columns = load_columns()
    ids = [r.id for r in cat.rules]
    assert len(ids) == len(set(ids)) and len(ids) >= 40
    for rule in cat.rules:
        for spec in rule.checks:
            assert spec.check in known_check_ids()
            params = dict(spec.params)
            assert params.get("column", "gk.root") in columns
        assert (rule.status == "manual") == (not rule.checks), rule.id
        assert (rule.status == "automated") == (not rule.manual_hint), rule.id
    assert cat.default_manual_hint


def test_column_checks_shorthand_expands_by_update_window() -> None:
    cat = load_catalogue()
    planning = [(s.check, dict(s.params)) for s in cat.rule("planning").checks]
    assert planning == [("column.missing", {"column": "gk.planning"}), ("column.empty", {"column": "gk.planning"}),
                        ("column.stale", {"column": "gk.planning"})]
    # static / annual / as-needed columns have no freshness rule, so no column.stale
    platform = {(s.check, dict(s.params)["column"]) for s in cat.rule("gk_platform").checks}
    assert ("column.missing", "gk.guide") in platform
    assert not any(check == "column.stale" for check, _ in platform)


def test_normalize_text_drops_spaces_and_quotes() -> None:
    assert normalize_text("深入推进 政务\n新媒体 “三同步”") == "深入推进政务新媒体三同步"


# --- strictness ------------------------------------------------------------------------------------

GOOD = """\
default_manual_hint: 请提供材料。
rules:
    - id: planning
      title: 规划信息公开
      match: {any: [规划]}
      column_checks: [gk.planning]
      status: automated
    - id: training
      title: 业务培训
      match: {any: [培训]}
      status: manual
      manual_hint: 核对培训记录。
"""


def _load(tmp_path: Path, text: str):
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return path, lambda: load_catalogue(path)


def test_a_minimal_catalogue_loads(tmp_path: Path) -> None:
    _, load = _load(tmp_path, GOOD)
    assert [r.id for r in load().rules] == ["planning", "training"]


@pytest.mark.parametrize(("bad", "needles"), [
    # unknown key: a typo must stop the load, not drop the mapping
    (GOOD.replace("column_checks:", "colum_checks:"), ["rule planning", "colum_checks"]),
    (GOOD.replace("      status: automated", "      status: automated\n      chekcs: [ipv6.aaaa]"),
     ["rule planning", "chekcs"]),
    # unknown check id, in both spellings
    (GOOD.replace("column_checks: [gk.planning]", "checks: [ipv6.aaa]"), ["rule planning", "ipv6.aaa"]),
    (GOOD.replace("column_checks: [gk.planning]", "checks: [{check: column.stal, params: {column: gk.planning}}]"),
     ["rule planning", "column.stal"]),
    # unknown column key, in the shorthand and in params
    (GOOD.replace("[gk.planning]", "[gk.planing]"), ["rule planning", "gk.planing"]),
    (GOOD.replace("column_checks: [gk.planning]", "checks: [{check: column.empty, params: {column: gk.nope}}]"),
     ["rule planning", "gk.nope"]),
    (GOOD.replace("match: {any: [规划]}", "match: {anything: [规划]}"), ["rule planning", "anything"]),
    (GOOD.replace("match: {any: [规划]}", "match: {any: ['规划(']}"), ["rule planning", "bad pattern"]),
    (GOOD.replace("match: {any: [规划]}", "match: {any: ['十四五 规划']}"), ["rule planning", "spaces"]),
    (GOOD.replace("status: automated", "status: auto"), ["rule planning", "auto"]),
    (GOOD.replace("      status: manual\n", "      status: partial\n"), ["rule training", "checks"]),
    (GOOD.replace("      manual_hint: 核对培训记录。\n", ""), ["rule training", "manual_hint"]),
    (GOOD.replace("status: automated", "status: manual\n      manual_hint: x"), ["rule planning", "manual"]),
    (GOOD.replace("id: training", "id: planning"), ["rule planning", "duplicate rule id"]),
    (GOOD.replace("id: training", "id: Training"), ["Training"]),
    (GOOD.replace("title: 规划信息公开", "title: 规划信息公开\n      title: 又一个"), ["duplicate key", "title"]),
    (GOOD.replace("default_manual_hint", "default_hint"), ["default_hint"]),
])
def test_the_loader_is_strict(tmp_path: Path, bad: str, needles: list[str]) -> None:
    path, load = _load(tmp_path, bad)
    with pytest.raises(ZwgkError) as err:
        load()
    message = str(err.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message, message
