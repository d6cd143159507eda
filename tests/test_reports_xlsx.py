"""问题清单.xlsx from stored results: one row per finding, a sheet per site, summary, filters."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from zwgk.reports.issues_xlsx import ISSUE_COLUMNS

from support.reportdata import load, render

REQUIRED = ["单位", "网站", "任务编号", "问题类型", "问题描述", "链接", "依据", "整改建议", "整改时限", "状态"]


@pytest.fixture(scope="module")
def hostile_wb(tmp_path_factory):
    return load_workbook(render(tmp_path_factory.mktemp("x"), load("hostile-run")).issues)


@pytest.fixture(scope="module")
def demo_wb(tmp_path_factory):
    return load_workbook(render(tmp_path_factory.mktemp("d"), load("demo-run")).issues)


def rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_sheets_and_layout(hostile_wb):
    assert hostile_wb.sheetnames == ["汇总", "东岚县人民政府", "西崖县人民政府", "南坪县人民政府"]
    for ws in hostile_wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    ws = hostile_wb["东岚县人民政府"]
    assert [c.value for c in ws[1]][:10] == REQUIRED
    assert ws.auto_filter.ref == f"A1:{chr(64 + len(ISSUE_COLUMNS))}{ws.max_row}"


def test_one_row_per_finding_including_waived(hostile_wb):
    a = rows(hostile_wb["东岚县人民政府"])
    assert len(a) == 44
    waived = [r for r in a if r["状态"].startswith("已豁免")]
    assert len(waived) == 1 and "内网站点" in waived[0]["状态"]
    assert {r["整改时限"] for r in a} == {dt.datetime(2026, 12, 22)}
    assert rows(hostile_wb["南坪县人民政府"]) == []


def test_task_numbers_joined_by_check_key(demo_wb):
    a = rows(demo_wb["东岚县人民政府"])
    negative_list = next(r for r in a if "市场准入负面清单" in r["问题描述"])
    assert negative_list["任务编号"] == "2" and negative_list["问题类型"] == "必设栏目缺失"
    assert negative_list["依据"].startswith("国办公开办函〔2019〕61号")
    interpretation = next(r for r in a if r["检查项"] == "policy.interpretation")
    assert interpretation["任务编号"] == "11、12、13"


def test_formula_like_text_stays_text_and_only_http_links(hostile_wb):
    ws = hostile_wb["东岚县人民政府"]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert cell.data_type == "s", cell.coordinate
            if cell.hyperlink is not None:
                assert cell.hyperlink.target.startswith(("http://", "https://")), cell.hyperlink.target
    evil = next(r for r in ws.iter_rows(min_row=2) if str(r[4].value).startswith("=HYPERLINK"))
    assert evil[5].value == "javascript:alert(4)//http://x" and evil[5].hyperlink is None


def test_summary_sheet(hostile_wb):
    summary = rows(hostile_wb["汇总"])
    assert [r["网站"] for r in summary] == ["西崖县人民政府", "东岚县人民政府", "南坪县人民政府"]
    first = summary[0]
    assert first["得分"] == 69.8 and first["结论"] == "不合格" and first["单项否决项"] == "首页不更新"
    assert first["问题数"] == 28 and first["单项否决级"] == 1
    assert summary[2]["结论"] == "无法评估" and summary[2]["得分"] is None
    link = hostile_wb["汇总"].cell(row=2, column=len(hostile_wb["汇总"][1])).hyperlink
    assert link.location == "'西崖县人民政府'!A1" or "西崖县人民政府" in (link.target or link.location or "")
