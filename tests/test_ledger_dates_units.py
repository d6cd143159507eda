"""Deadline wordings and unit cells."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.rules.ledger import parse_deadline
from zwgk.rules.ledger.dates import combine_deadlines, find_year, prose_deadlines
from zwgk.rules.ledger.units import assign_roles, split_units


@pytest.mark.parametrize(("wording", "expected"), [
    ("9月底", date(2021, 9, 30)),
    ("12月底前", date(2021, 12, 31)),
    ("年底前", date(2021, 12, 31)),
    ("11月15日前", date(2021, 11, 15)),
    ("2021年\n12月10日前", date(2021, 12, 10)),
    ("6月底前完成", date(2021, 6, 30)),
    ("2021年6月底", date(2021, 6, 30)),
    ("2月底", date(2021, 2, 28)),
    ("9月份", date(2021, 9, 30)),
    ("6月中旬", date(2021, 6, 20)),
    ("三季度末", date(2021, 9, 30)),
    ("上半年", date(2021, 6, 30)),
    ("2022年3月底前", date(2022, 3, 31)),
    ("2021-09-30", date(2021, 9, 30)),
    ("６月３０日前", date(2021, 6, 30)),
    ("6月底前启动，12月底前完成", date(2021, 12, 31)),   # several dates: the last one
])
def test_dates(wording: str, expected: date) -> None:
    d = parse_deadline(wording, 2021)
    assert (d.kind, d.date) == ("date", expected)
    assert d.text == wording.replace("\n", "")  # the ledger's words, line breaks dropped


@pytest.mark.parametrize(("wording", "kind"), [
    ("全年", "continuous"), ("全年持续推进", "continuous"), ("持续推进", "continuous"), ("长期坚持", "continuous"),
    ("适时推进", "as_needed"), ("根据工作需要", "as_needed"), ("", "unknown"), ("待定", "unknown"),
    ("2月30日", "unknown"),
])
def test_kinds(wording: str, kind: str) -> None:
    d = parse_deadline(wording, 2021)
    assert d.kind == kind and d.date is None and d.text == wording


def test_wording_is_kept_and_year_needed() -> None:
    assert parse_deadline("2021年\n12月10日前", 2021).text == "2021年12月10日前"
    assert parse_deadline("9月底", None).kind == "unknown"  # no year to date it
    assert parse_deadline("2021年9月底", None).date == date(2021, 9, 30)


def test_combine_prefers_the_last_date_and_keeps_all_wordings() -> None:
    d = combine_deadlines(["9月30日前", "全年", "9月30日前"], 2021)
    assert (d.kind, d.date, d.text) == ("date", date(2021, 9, 30), "9月30日前；全年")
    assert combine_deadlines(["全年", "适时推进"], 2021).kind == "as_needed"
    assert combine_deadlines([], 2021).kind == "unknown"


def test_prose_deadlines_and_year() -> None:
    assert prose_deadlines("2021年底前，在区级大厅设专区；10月底前完成；成立100周年。") == ["2021年底前", "10月底前"]
    assert find_year("通辽市2021年政务公开工作要点") == 2021
    assert find_year("2021 年峰城区方案") == 2021
    assert find_year("no year", "") is None


@pytest.mark.parametrize(("cell", "units"), [
    ("区政府办公室\n区发改局\n区自然资源和规划局", ["区政府办公室", "区发改局", "区自然资源和规划局"]),
    ("区政府各部门和单位\n各乡、各街道办事处", ["区政府各部门和单位", "各乡", "各街道办事处"]),
    ("区教育局\n\n区卫生健康局\n\n区住建局", ["区教育局", "区卫生健康局", "区住建局"]),
    ("市发展改革委 市自然资源局 沈阳公共资源交 易交易中心 沈河区政府",
     ["市发展改革委", "市自然资源局", "沈阳公共资源交易交易中心", "沈河区政府"]),
    ("旗县(市、区)政府、开发区管委会;市发改、自然资源",
     ["旗县(市、区)政府", "开发区管委会", "市发改", "自然资源"]),
    ("县财政局等县级有关部门（单位），各乡镇（街道）人民政府（办事处） ",
     ["县财政局等县级有关部门（单位）", "各乡镇（街道）人民政府（办事处）"]),
    ("市本级承担公共服务、行政许可等职责的部门", ["市本级承担公共服务、行政许可等职责的部门"]),
    ("县政府办、县政府办", ["县政府办"]),
    ("", []),
])
def test_split_units(cell: str, units: list[str]) -> None:
    assert split_units(cell) == units


def test_lead_and_helper_markers() -> None:
    lead, others = assign_roles(split_units("市行政审批和政务服务局牵头,有关部门配合"))
    assert (lead, others) == (["市行政审批和政务服务局"], ["有关部门"])
    assert assign_roles(split_units("有关县级规划编制牵头部门（单位）")) == ([], ["有关县级规划编制牵头部门（单位）"])
