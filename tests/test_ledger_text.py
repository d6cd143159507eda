"""The five real ledgers (tests/fixtures/ledgers, copies of shared/ledgers) parse to their tasks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zwgk.rules.ledger import load_ledger, parse_text
from zwgk.rules.ledger.text import read_text_source
from zwgk.rules.models import Ledger, Task

FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"
CHENGZIHE = "chengzihe-district-2021-ledger"
YICHENG = "yicheng-district-2021-plan"
SHENYANG = "shenyang-city-2021-breakdown"
TONGLIAO = "tongliao-city-2021-points"
LEZHI = "lezhi-county-2021-breakdown"

NUMBERED = {CHENGZIHE: 32, YICHENG: 16, SHENYANG: 28, TONGLIAO: 36, LEZHI: 31}
DIALECT = {CHENGZIHE: "tab-cell", YICHENG: "prose", SHENYANG: "TSV", TONGLIAO: "paragraph-table",
           LEZHI: "tab-cell"}

_cache: dict[str, Ledger] = {}


def ledger(name: str) -> Ledger:
    if name not in _cache:
        _cache[name] = load_ledger(FIXTURES / f"{name}.txt")
    return _cache[name]


def task(name: str, number: str) -> Task:
    found = [t for t in ledger(name).tasks if t.number == number]
    assert len(found) == 1, f"{name}#{number}: {len(found)} tasks"
    return found[0]


def d(month: int, day: int) -> date:
    return date(2021, month, day)


# --- every ledger --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(NUMBERED))
def test_numbered_tasks_are_1_to_n_without_gaps(name: str) -> None:
    numbers = [t.number for t in ledger(name).tasks if t.number.isdigit()]
    assert numbers == [str(n) for n in range(1, NUMBERED[name] + 1)]


@pytest.mark.parametrize("name", list(NUMBERED))
def test_every_task_has_text_section_id_and_year(name: str) -> None:
    led = ledger(name)
    assert led.id == name and led.year == 2021 and led.source.endswith(f"{name}.txt")
    for t in led.tasks:
        assert t.text.strip(), t.id
        assert t.section, t.id
        assert t.ledger == name and t.id == f"{name}#{t.number}"
        assert t.deadline.kind in ("date", "continuous", "as_needed", "unknown")
        assert "<p>" not in t.text and "\t" not in t.text and "\n" not in t.text
        assert not t.text[:3].rstrip(".．、").isdigit(), f"number left in the text of {t.id}"


@pytest.mark.parametrize("name", list(NUMBERED))
def test_dialect_is_found_by_structure(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    assert read_text_source(text).dialect == DIALECT[name]
    # The file name plays no part: the same text under another id gives the same tasks.
    other = parse_text(text, "renamed")
    assert [(t.number, t.text, t.deadline) for t in other.tasks] == \
           [(t.number, t.text, t.deadline) for t in ledger(name).tasks]


@pytest.mark.parametrize("name", [CHENGZIHE, SHENYANG, TONGLIAO, LEZHI])
def test_table_ledgers_give_every_task_a_unit_and_a_deadline(name: str) -> None:
    for t in ledger(name).tasks:
        assert t.lead_units or t.responsible_units, t.id
        assert t.deadline.kind != "unknown", t.id
        assert t.deadline.text, t.id
        if t.deadline.kind == "date":
            assert t.deadline.date is not None and t.deadline.date.year == 2021


def test_titles() -> None:
    assert ledger(CHENGZIHE).title == "城子河区2021年政务公开工作台账"
    assert ledger(YICHENG).title == "2021年峰城区政务公开重点工作实施方案"
    assert ledger(SHENYANG).title == "沈阳市2021年政务公开工作要点任务分解表"
    assert ledger(TONGLIAO).title == "通辽市2021年政务公开工作要点分工台账"
    assert ledger(LEZHI).title == "2021年全县政务公开重点工作任务分解表"


# --- 城子河: tab-cell paste, merged cells, blank line inside a cell ----------------------------------

def test_chengzihe_spot_checks() -> None:
    t23 = task(CHENGZIHE, "23")
    assert t23.responsible_units == ["区政府办公室"]
    assert t23.deadline.kind == "date" and t23.deadline.date == d(11, 15)
    assert t23.text == "区政府门户网站要全部支持互联网协议第6版。"
    for n in ("3", "4"):  # merged lead/responsible/deadline cells of #2 cover #3 and #4
        t = task(CHENGZIHE, n)
        assert t.lead_units == ["区发改局", "区市场监管局"]
        assert t.responsible_units == ["区发改局", "区市场监管局"]
        assert t.deadline.date == d(12, 31) and t.deadline.text == "2021年12月底前"
    assert task(CHENGZIHE, "28").lead_units == [
        "区教育局", "区卫生健康局", "区住建局", "区发改局", "区生态环境局"]
    assert task(CHENGZIHE, "32").deadline.date == d(7, 31)


def test_chengzihe_units_sections_and_inheritance() -> None:
    t1 = task(CHENGZIHE, "1")
    assert t1.section == ["一、紧扣“十四五”开好局起好步，进一步深化政务公开", "（一）做好各类规划主动公开"]
    assert t1.lead_units == ["区政府办公室", "区发改局", "区自然资源和规划局"]
    assert t1.responsible_units == ["区政府各部门和单位"]  # one unit, not split at 和
    assert (t1.deadline.date, t1.deadline.text) == (d(12, 10), "2021年12月10日前")
    assert task(CHENGZIHE, "5").responsible_units == ["区政府各部门和单位", "各乡", "各街道办事处"]
    # A blank cell inherits only within its subsection: #11 opens （五） with an empty lead cell.
    assert task(CHENGZIHE, "11").lead_units == []
    assert task(CHENGZIHE, "11").section[-1] == "（五）持续加强重大政策发布解读"
    # #18's deadline cell is blank (merged with #17's).
    assert task(CHENGZIHE, "18").deadline.date == d(12, 31)
    # #19's responsible cell has a blank line inside it.
    assert task(CHENGZIHE, "19").responsible_units == ["区政府各部门和单位", "各乡", "各街道办事处"]
    assert task(CHENGZIHE, "31").deadline.date == d(8, 10)
    # The repeated level-1 heading before （三） does not break the path.
    assert task(CHENGZIHE, "5").section == [
        "一、紧扣“十四五”开好局起好步，进一步深化政务公开", "（三）做好财政信息公开"]
    assert task(CHENGZIHE, "28").responsible_units == ["区政府各部门和单位", "各乡", "各街道办事处"]


# --- 峰城/峄城: prose plan ---------------------------------------------------------------------------

def test_yicheng_prose() -> None:
    t6 = task(YICHENG, "6")
    assert t6.section == ["二、主要任务", "（二）加强政策发布和解读回应"]
    assert t6.text.endswith("要协调主要新闻媒体、重点网站和新媒体平台等转发转载，提高政策到达率和知晓度。")
    assert "做好培育壮大高端化工" in task(YICHENG, "2").text  # item wrapped over a blank line
    assert "严格落实公文公开属性源头认定机制" in task(YICHENG, "14").text
    assert task(YICHENG, "11").deadline.date == d(12, 31) and task(YICHENG, "11").deadline.text == "2021年底前"
    assert task(YICHENG, "16").deadline.date == d(12, 31)
    # Prose has no merged cells: #12 does not borrow #11's deadline.
    assert task(YICHENG, "12").deadline.kind == "unknown"
    assert task(YICHENG, "1").section == ["二、主要任务", "（一）加大重点领域“五公开”力度"]
    assert not any("保障措施" in t.text or "领导小组办公室" in t.text for t in ledger(YICHENG).tasks)
    assert any("no deadline" in w for w in ledger(YICHENG).warnings)


def test_prose_inline_units_and_deadline() -> None:
    text = ("2021年某区政务公开工作方案\n一、主要任务\n（一）平台建设\n"
            "1. 完成政府网站IPv6改造（牵头单位：区政府办公室；区大数据局；完成时限：9月底前）。\n"
            "2. 做好政府公报工作。\n责任单位：区政府办公室、区司法局\n完成时限：2021年12月10日前\n")
    led = parse_text(text, "inline")
    first, second = led.tasks
    assert first.text == "完成政府网站IPv6改造。"
    assert first.lead_units == ["区政府办公室", "区大数据局"] and first.deadline.date == d(9, 30)
    assert second.responsible_units == ["区政府办公室", "区司法局"] and second.deadline.date == d(12, 10)


# --- 沈阳: TSV, repeated headers, sub-rows around the numbered row -----------------------------------

def test_shenyang_spot_checks() -> None:
    t13 = task(SHENYANG, "13")
    assert t13.title == "完成政府网站IPv6改造"
    assert t13.lead_units == ["市政府办公室"]
    assert t13.responsible_units == ["区县（市）政府", "市政府各部门"]
    assert t13.deadline.date == d(9, 30) and t13.deadline.text == "9月底"
    assert task(SHENYANG, "1").section == ["一、加强政务公开标准化规范化建设，夯实一流基础"]
    assert task(SHENYANG, "9").section == ["二、加大政府信息公开平台建设，实现一流管理"]
    assert task(SHENYANG, "8").title == "深入推进政务新媒体试点建设"  # spaces of the PDF layout gone
    assert "沈阳公共资源交易交易中心" in task(SHENYANG, "7").responsible_units  # name broken by a space


def test_shenyang_sub_rows_join_the_task_they_belong_to() -> None:
    # Merged 事项名称 cells print their text mid-span, so sub-rows sit on both sides of it.
    t4 = task(SHENYANG, "4")
    assert t4.sub_items[0].startswith("切实增强新冠肺炎疫情防控信息发布及时性针对性")
    assert t4.lead_units[0] == "市卫健委"  # the numbered row's units come first
    t7 = task(SHENYANG, "7")
    assert [s[:6] for s in t7.sub_items] == ["细化国家26", "编制完成重大", "持续推进试点"]
    assert t7.deadline.date == d(11, 30) and t7.deadline.text == "9月底；11月底"
    t8 = task(SHENYANG, "8")
    assert [s[:6] for s in t8.sub_items] == ["制定政府系统", "根据不同平台", "严格审核发布"]
    assert t8.lead_units == ["市政府办公室", "市信息中心"]
    assert len(task(SHENYANG, "18").sub_items) == 2
    t19 = task(SHENYANG, "19")
    assert t19.sub_items[0].startswith("政策制定机关要积极解答")
    assert t19.lead_units == ["市政府办公室", "市工商局"]  # from the merged cell printed above it
    assert len(task(SHENYANG, "6").sub_items) == 0 and len(task(SHENYANG, "3").sub_items) == 0
    # <p> paragraphs are sub-points; the text joins them without tags.
    t23 = task(SHENYANG, "23")
    assert len(t23.sub_items) == 3 and t23.text.startswith("推进依申请公开标准化规范化建设")


# --- 通辽: prose 要点 + 附件 台账 as paragraphs --------------------------------------------------------

def test_tongliao_spot_checks() -> None:
    assert task(TONGLIAO, "10").deadline.date == d(6, 30)
    assert task(TONGLIAO, "2").deadline.kind == "continuous" and task(TONGLIAO, "2").deadline.text == "全年持续推进"
    assert task(TONGLIAO, "32").deadline.kind == "as_needed" and task(TONGLIAO, "32").deadline.text == "适时推进"
    t1 = task(TONGLIAO, "1")
    assert t1.section == ["一、紧扣重点领域信息,深化主动公开工作", "(一)强化各类规划信息主动公开"]
    assert t1.responsible_units[:2] == ["旗县(市、区)政府", "开发区管委会"]
    assert t1.deadline.date == d(12, 31)


def test_tongliao_the_ledger_table_wins_over_the_prose() -> None:
    texts = " ".join(t.text for t in ledger(TONGLIAO).tasks)
    assert "深入贯彻落实《通辽市国民经济和社会发展第十四个五年规划" not in texts  # prose (一) only
    assert len(ledger(TONGLIAO).tasks) == 36


def test_tongliao_units_and_inheritance() -> None:
    t9 = task(TONGLIAO, "9")
    assert t9.lead_units == ["市行政审批和政务服务局"]  # "X牵头,有关部门配合"
    assert t9.responsible_units == ["旗县(市、区)政府", "开发区管委会", "有关部门"]
    assert task(TONGLIAO, "10").responsible_units == ["市旗两级政务服务(行政审批和政务服务)部门"]  # wrapped
    assert task(TONGLIAO, "10").lead_units == []
    assert task(TONGLIAO, "22").responsible_units == ["市本级已开设政府网站的部门"]
    assert task(TONGLIAO, "6").responsible_units[-1] == "市本级承担公共服务、行政许可、行政处罚、行政强制等职责的部门"
    assert task(TONGLIAO, "28").responsible_units == ["旗县(市、区)政府", "开发区管委会", "市政府各部门"]
    for n in ("29", "30"):  # merged with #28
        assert task(TONGLIAO, n).deadline.date == d(8, 31)
    t36 = task(TONGLIAO, "36")  # the page ends after its wording: units and deadline of #35
    assert t36.responsible_units == task(TONGLIAO, "35").responsible_units
    assert t36.deadline.date == d(10, 31)
    assert not any("信息来源" in u for t in ledger(TONGLIAO).tasks for u in t.responsible_units)


# --- 乐至: 序号 table, merged cells, the unnumbered 年度报告 row -----------------------------------

def test_lezhi_spot_checks() -> None:
    t1 = task(LEZHI, "1")
    assert t1.deadline.date == d(9, 30) and t1.deadline.text == "9月30日前"
    assert t1.title == "各类规划" and t1.section == ["重点领域信息公开"]
    assert t1.responsible_units[0] == "四川乐至经济开发区管委会"
    t2 = task(LEZHI, "2")
    assert len(t2.sub_items) == 4 and t2.deadline.kind == "continuous"
    t3 = task(LEZHI, "3")  # blank cells: inherits #2's units and deadline
    assert t3.responsible_units == t2.responsible_units and t3.deadline.text == "全年"
    assert len(t3.sub_items) == 6
    assert task(LEZHI, "15").title == "权责清单及其他"
    t16 = task(LEZHI, "16")
    assert (t16.deadline.date, t16.deadline.text) == (d(9, 30), "9月30日前；全年")
    assert t16.responsible_units == ["县政府办", "县级各部门（单位）", "各乡镇（街道）人民政府（办事处）"]
    assert task(LEZHI, "22").deadline.date == d(5, 31)
    assert task(LEZHI, "7").section == ["政策解读"]
    assert task(LEZHI, "21").title == "扩大群众参与"


def test_lezhi_annual_report_row_is_sibling_31_1() -> None:
    led = ledger(LEZHI)
    assert [t.number for t in led.tasks][-2:] == ["31", "31.1"]
    assert len(led.tasks) == 32
    report = task(LEZHI, "31.1")
    assert report.title == "年度报告" and report.section == ["夯实工作基础"]
    assert report.text.startswith("认真落实政府信息公开工作年度报告格式要求")
    assert report.responsible_units == ["县级各部门（单位）", "各乡镇（街道）人民政府（办事处）"]
    assert report.deadline.kind == "continuous"
    assert "年度报告" not in task(LEZHI, "31").text
    assert any("read as two rows" in w for w in led.warnings)
