"""Mapping ledger tasks to checks: hand-built tasks, then the five real ledgers."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from zwgk.errors import LedgerError
from zwgk.rules.ledger import dump_yaml, load_ledger, load_yaml
from zwgk.rules.mapping import LEDGER_RULE, apply_rules, coverage_summary, map_task, matching_rules
from zwgk.rules.models import CheckRef, Ledger, Task

LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"
IPV6 = {("ipv6.aaaa", None), ("ipv6.reachable", None), ("ipv6.links", None)}


def column_checks(key: str, stale: bool = True) -> set[tuple[str, str | None]]:
    ids = ["column.missing", "column.empty"] + (["column.stale"] if stale else [])
    return {(c, key) for c in ids}


def refs(task: Task) -> set[tuple[str, str | None]]:
    return {(r.check, r.params.get("column")) for r in task.checks}


def mapped(text: str, title: str = "", sub_items: list[str] | None = None) -> Task:
    return map_task(Task(ledger="t", number="1", text=text, title=title, sub_items=sub_items or []))


# --- hand-built tasks (always run) ---------------------------------------------------------------


def test_ipv6_task_maps_to_the_three_ipv6_checks() -> None:
    task = mapped("区政府门户网站要全部支持互联网协议第6版。")
    assert refs(task) == IPV6
    assert task.coverage == "automated" and task.manual_hint == ""
    assert {r.rule for r in task.checks} == {"ipv6"}


def test_words_broken_over_lines_still_match() -> None:
    assert refs(mapped("全市政府网站群全部支持互联网协议第\n6版")) >= IPV6
    assert ("column.missing", "gk.newmedia") in refs(mapped("深入推进 政务\n新媒体 清理整合"))


def test_planning_does_not_fire_on_unrelated_words() -> None:
    assert ("column.missing", "gk.planning") in refs(mapped("主动公开国土空间规划、专项规划和区域规划等"))
    # 规范 is not 规划; 城乡规划领域 / 自然资源和规划局 are not a planning-disclosure task
    for text in ("规范政务新媒体开设。", "编制完成城乡规划领域的公开标准。", "区自然资源和规划局负责。"):
        assert not any(c == "gk.planning" for _, c in refs(mapped(text))), text


def test_interpretation_mentioned_in_passing_does_not_map() -> None:
    assert ("policy.interpretation", None) in refs(mapped("严格落实政策解读“三同步”制度。"))
    gazette = mapped("在确保规章和规范性文件应登尽登的基础上，在政府公报刊登配套解读材料等内容。")
    assert ("policy.interpretation", None) not in refs(gazette)
    assert ("column.missing", "gk.normative") not in refs(gazette)
    assert ("column.missing", "gk.gazette") in refs(gazette)


def test_annual_report_needs_the_disclosure_report_not_any_report() -> None:
    assert ("report.annual", None) in refs(mapped("严格按照政府信息公开工作年度报告格式编制年报。"))
    assert ("report.annual", None) not in refs(mapped("行政规范性文件、有关工作年度报告等，均应进行解读。"))


def test_one_task_can_map_to_several_rules_and_checks_are_deduplicated() -> None:
    task = mapped("在政府门户网站相应专栏集中统一公开本级政府常务会议议定事项和人大代表建议、政协委员提案办理情况。")
    assert column_checks("gk.meetings") | column_checks("gk.proposals") <= refs(task)
    task = mapped("规范性文件集中公开，规范细览页成文日期、发布机构。")   # two rules give doc.metadata
    assert [r.check for r in task.checks].count("doc.metadata") == 1
    assert len({r.key() for r in task.checks}) == len(task.checks)


def test_partial_when_an_automated_rule_meets_a_manual_one() -> None:
    task = mapped("严格执行政策文件和解读材料同步组织、同步审签工作机制。")
    assert ("policy.interpretation", None) in refs(task)
    assert task.coverage == "partial"
    assert "三同步" in task.manual_hint


def test_training_task_is_manual_with_a_hint() -> None:
    task = mapped("定期组织开展政府信息公开工作培训和研讨交流，不断提升业务能力。")
    assert task.checks == [] and task.coverage == "manual"
    assert "培训" in task.manual_hint


def test_unmatched_task_is_manual_with_the_generic_hint() -> None:
    task = mapped("做好蒙古文政务网站管理建设工作。")
    assert task.coverage == "manual" and task.checks == []
    assert task.manual_hint.startswith("网站上没有可自动核查的表现")
    assert matching_rules(task) == []


def test_title_and_sub_items_are_matched_too() -> None:
    assert ("report.annual", None) in refs(mapped("认真落实。", title="政府信息公开年报"))
    assert ("guide.content", None) in refs(mapped("依申请公开。", sub_items=["在政府信息公开指南中载明信息处理费标准"]))


def test_apply_rules_and_coverage_summary() -> None:
    ledger = Ledger(id="t", tasks=[
        Task(ledger="t", number="1", text="支持IPv6"),
        Task(ledger="t", number="2", text="政务新媒体清理整合"),
        Task(ledger="t", number="3", text="加强培训"),
    ])
    assert apply_rules(ledger) is ledger
    assert coverage_summary(ledger) == {"total": 3, "automated": 1, "partial": 1, "manual": 1}


# --- the five real ledgers ---------------------------------------------------------------------

@cache
def real(prefix: str) -> dict[str, Task]:
    (path,) = LEDGERS.glob(f"{prefix}-*")
    return {t.number: t for t in apply_rules(load_ledger(path)).tasks}


@pytest.mark.parametrize(("ledger", "number"), [("chengzihe", "23"), ("shenyang", "13")])
def test_real_ipv6_tasks(ledger: str, number: str) -> None:
    assert refs(real(ledger)[number]) >= IPV6


@pytest.mark.parametrize(("ledger", "number"), [("chengzihe", "1"), ("yicheng", "1"), ("lezhi", "1")])
def test_real_planning_tasks(ledger: str, number: str) -> None:
    assert column_checks("gk.planning") <= refs(real(ledger)[number])


@pytest.mark.parametrize(("ledger", "number"), [("chengzihe", "12"), ("chengzihe", "13"), ("shenyang", "17")])
def test_real_interpretation_tasks(ledger: str, number: str) -> None:
    assert ("policy.interpretation", None) in refs(real(ledger)[number])


def test_real_annual_report_task() -> None:
    assert ("report.annual", None) in refs(real("chengzihe")["29"])


def test_real_broken_links_task() -> None:
    assert ("links.broken", None) in refs(real("yicheng")["13"])


def test_real_budget_task() -> None:
    assert column_checks("gk.budget") <= refs(real("chengzihe")["5"])


def test_real_training_task_is_manual() -> None:
    task = real("chengzihe")["30"]
    assert task.coverage == "manual" and task.checks == []
    assert task.manual_hint.strip()


@pytest.mark.parametrize("prefix", ["chengzihe", "lezhi", "shenyang", "tongliao", "yicheng"])
def test_every_real_task_is_accounted_for(prefix: str) -> None:
    tasks = real(prefix)
    assert tasks
    for task in tasks.values():
        assert task.coverage in ("automated", "partial", "manual")
        assert bool(task.checks) == (task.coverage != "manual")
        assert (task.coverage == "automated") == (not task.manual_hint), task.id
        assert all(r.rule for r in task.checks)


# --- mappings written in the ledger itself (reviewed YAML) ----------------------------------------


def test_a_reviewed_mapping_is_kept_not_remapped() -> None:
    ledger = Ledger(id="t", source="t.yaml", tasks=[
        # a person decided this ipv6 task is judged by hand
        Task(ledger="t", number="1", text="支持IPv6", manual_hint="以监测平台报告为准"),
        # a person added a check by hand and left coverage at its default
        Task(ledger="t", number="2", text="加强培训", checks=[CheckRef("site.search")]),
        Task(ledger="t", number="3", text="支持IPv6"),   # not mapped yet
    ])
    apply_rules(ledger)
    one, two, three = ledger.tasks
    assert one.checks == [] and one.coverage == "manual" and one.manual_hint == "以监测平台报告为准"
    assert two.coverage == "automated" and two.checks[0].rule == LEDGER_RULE
    assert refs(three) == IPV6
    apply_rules(ledger, remap=True)
    assert refs(ledger.tasks[0]) == IPV6 and ledger.tasks[1].checks == []


@pytest.mark.parametrize(("ref", "needle"), [
    (CheckRef("site.ipv6"), "site.ipv6"),
    (CheckRef("column.empty", {"column": "gk.nope"}), "gk.nope"),
])
def test_a_reviewed_mapping_with_unknown_ids_is_an_error(ref: CheckRef, needle: str) -> None:
    ledger = Ledger(id="t", source="t.yaml", tasks=[Task(ledger="t", number="7", text="x", checks=[ref])])
    with pytest.raises(LedgerError) as err:
        apply_rules(ledger)
    assert "t.yaml" in str(err.value) and "task 7" in str(err.value) and needle in str(err.value)


def test_yaml_round_trip_keeps_the_mapping() -> None:
    ledger = apply_rules(load_ledger(next(LEDGERS.glob("chengzihe-*"))))
    again = apply_rules(load_yaml(dump_yaml(ledger)))
    assert [t.to_dict() for t in again.tasks] == [t.to_dict() for t in ledger.tasks]
