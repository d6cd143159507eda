"""问题清单.xlsx opened with openpyxl: sheets, page setup for printing, Chinese labels instead of ids,
real dates in the inspection's time zone, the columns a unit fills in, the 任务落实 sheet, and the
round trip of a returned workbook through `zwgk feedback` into the next 复查."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from zwgk.cli import cli
from zwgk.reports.diff import compare
from zwgk.reports.feedback import read_feedback
from zwgk.reports.issues_xlsx import FILL_IN, ISSUE_COLUMNS, KEY_HEADER, PRINTED

from support.reportdata import ID_LIKE, load, render

FIRST = ["序号", "任务编号", "问题类型", "问题描述", "页面地址", "依据", "整改建议", "整改时限", "状态",
         "整改情况", "整改完成时间", "责任人", "备注"]


@pytest.fixture(scope="module")
def hostile_wb(tmp_path_factory):
    return load_workbook(render(tmp_path_factory.mktemp("x"), load("hostile-run")).issues)


@pytest.fixture(scope="module")
def demo_wb(tmp_path_factory):
    return load_workbook(render(tmp_path_factory.mktemp("d"), load("demo-run")).issues)


def rows(ws):
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]


def test_sheets_and_print_setup(hostile_wb):
    assert hostile_wb.sheetnames == ["汇总", "东岚县人民政府", "西崖县人民政府", "南坪县人民政府", "北岭县人民政府",
                                     "任务落实"]
    for ws in hostile_wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows.replace("$", "") == "1:1"
        assert "&P" in ws.oddFooter.center.text
    ws = hostile_wb["东岚县人民政府"]
    assert [c.value for c in ws[1]][:PRINTED] == FIRST
    assert ws.print_area.endswith(f"$M${ws.max_row}")               # 序号 … 备注 on paper
    assert ws.column_dimensions[chr(64 + len(ISSUE_COLUMNS))].hidden   # 问题编号 kept for the round trip


def test_rows_are_sized_for_their_wrapped_text(hostile_wb):
    ws = hostile_wb["东岚县人民政府"]
    heights = [ws.row_dimensions[r].height for r in range(2, ws.max_row + 1)]
    assert all(h and h >= 15 for h in heights)
    longest = max(range(2, ws.max_row + 1), key=lambda r: len(str(ws.cell(r, 6).value or "")))
    assert ws.row_dimensions[longest].height > 2 * 15            # a long 依据 wraps to several lines


def test_unit_columns_are_there_to_fill_in(hostile_wb):
    ws = hostile_wb["东岚县人民政府"]
    header = [c.value for c in ws[1]]
    for name in FILL_IN:
        cell = ws.cell(1, header.index(name) + 1)
        assert cell.comment is not None and "整改单位" in cell.comment.text
        assert ws.cell(2, header.index(name) + 1).fill.fgColor.rgb.endswith("FFF4CC")
    done = header.index("整改完成时间") + 1
    validation = ws.data_validations.dataValidation[0]
    assert validation.type == "date" and f"{chr(64 + done)}2" in str(validation.sqref)


def test_one_row_per_finding_with_labels_and_real_dates(hostile_wb):
    a = rows(hostile_wb["东岚县人民政府"])
    assert len(a) == 45
    waived = [r for r in a if r["状态"].startswith("已豁免")]
    assert len(waived) == 1 and "内网站点" in waived[0]["状态"]
    assert [r["状态"] for r in a if r["问题类型"] == "疑似错误表述"] == ["待人工核实"]
    assert {r["整改时限"] for r in a} == {dt.datetime(2026, 12, 22)}
    times = {r["检查时间（北京时间）"] for r in a} - {None}
    assert times and all(isinstance(t, dt.datetime) for t in times)
    assert dt.datetime(2026, 11, 22, 19, 8, 58) in times         # 11:08:58 UTC
    for r in a:
        for name, value in r.items():
            if name in ("页面地址", KEY_HEADER) or not isinstance(value, str):
                continue
            assert not ID_LIKE.search(value), (name, value)
    assert {r["严重程度"] for r in a} <= {"单项否决", "严重", "一般", "提示"}
    assert rows(hostile_wb["南坪县人民政府"]) == []


def test_task_numbers_joined_by_check_key(demo_wb):
    a = rows(demo_wb["东岚县人民政府"])
    negative_list = next(r for r in a if "市场准入负面清单" in r["问题描述"])
    assert negative_list["任务编号"] == "2" and negative_list["问题类型"] == "必设栏目缺失"
    assert negative_list["对象"] == "市场准入负面清单"
    assert negative_list["依据"].startswith("国办公开办函〔2019〕61号")
    interpretation = next(r for r in a if r["问题类型"] == "政策文件与解读材料未关联")
    assert interpretation["任务编号"] == "11、12、13"


def test_formula_like_text_stays_text_and_only_http_links(hostile_wb):
    ws = hostile_wb["东岚县人民政府"]
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                assert cell.data_type == "s", cell.coordinate
            if cell.hyperlink is not None:
                assert cell.hyperlink.target.startswith(("http://", "https://")), cell.hyperlink.target
    evil = next(r for r in ws.iter_rows(min_row=2) if str(r[3].value).startswith("=HYPERLINK"))
    assert evil[4].value == "javascript:alert(4)//http://x" and evil[4].hyperlink is None


def test_summary_ranks_passing_sites_first_and_lists_unassessed_apart(hostile_wb):
    summary = rows(hostile_wb["汇总"])
    assert [r["网站"] for r in summary][:2] == ["东岚县人民政府", "西崖县人民政府"]
    first, second = summary[0], summary[1]
    assert first["排名"] == 1 and first["结论"] == "合格"
    assert second["得分"] == 69.8 and second["结论"] == "不合格" and second["单项否决项"] == "首页不更新"
    assert second["问题数"] == 28 and second["单项否决级"] == 1
    assert first["疑似表述待核实"] == 1
    heading = next(r for r in summary if r["排名"] == "未能完成评估的网站（不评分、不排名）")
    apart = summary[summary.index(heading) + 1:]
    assert [r["网站"] for r in apart] == ["南坪县人民政府", "北岭县人民政府"]
    assert all(r["排名"] == "—" and r["得分"] is None for r in apart)
    assert apart[0]["说明"] == "站点无法访问：连接超时"
    link = hostile_wb["汇总"].cell(row=2, column=len(hostile_wb["汇总"][1])).hyperlink
    assert link.location == "'东岚县人民政府'!A1" or "东岚县人民政府" in (link.target or link.location or "")


def test_task_sheet_has_every_task_by_site(hostile_wb):
    ws = hostile_wb["任务落实"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["编号", "任务", "牵头单位", "完成时限"]
    assert header[4:8] == ["东岚县人民政府", "西崖县人民政府", "南坪县人民政府", "北岭县人民政府"]
    body = rows(ws)
    assert len(body) == len(load("hostile-run")["sites"][0]["tasks"])
    assert {r["东岚县人民政府"] for r in body} <= {"已落实", "部分落实", "未落实", "未到期", "需人工核查", "无法判定"}


def _fill_in(path, replies):
    """A unit's reply: the workbook edited as a person would, then saved (openpyxl)."""
    wb = load_workbook(path)
    ws = wb["东岚县人民政府"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) + 1 for name in (*FILL_IN, KEY_HEADER, "问题描述")}
    filled = []
    for r, (reply, done, owner) in zip(range(2, ws.max_row + 1), replies, strict=False):
        ws.cell(r, col["整改情况"], reply)
        ws.cell(r, col["整改完成时间"], done)
        ws.cell(r, col["责任人"], owner)
        filled.append(ws.cell(r, col[KEY_HEADER]).value)
    ws.cell(ws.max_row + 1, col["整改情况"], "这行不对应任何问题")
    wb.save(path)
    return filled


def test_feedback_round_trip_into_the_next_review(tmp_path):
    old = load("demo-run")
    run = tmp_path / "old"
    run.mkdir()
    (run / "results.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(cli, ["report", str(run)])
    assert done.exit_code == 0, done.output
    returned = tmp_path / "问题清单（东岚县反馈）.xlsx"
    returned.write_bytes((run / "问题清单.xlsx").read_bytes())
    keys = _fill_in(returned, [("已补充解读材料并互相链接", dt.datetime(2026, 12, 1), "张三"),
                               ("已整改", dt.datetime(2026, 12, 2), "李四"),
                               ("暂未整改，需上级系统支持", None, "王五")])
    done = CliRunner().invoke(cli, ["feedback", str(run), str(returned)])
    assert done.exit_code == 0, done.output
    assert "3 条整改反馈" in done.output and "称已整改 2 条" in done.output and "对应不到" in done.output
    stored = json.loads((run / "feedback.json").read_text(encoding="utf-8"))
    assert set(stored["items"]) == set(keys)
    first = stored["items"][keys[0]]
    assert first["reply"] == "已补充解读材料并互相链接" and first["done"] == "2026-12-01" and first["claimed"]
    assert not stored["items"][keys[2]]["claimed"]

    # the next run: the first claimed fix is verified, the second is still there
    new = copy.deepcopy(old)
    new["run"]["id"] = "20261222-000000-next"
    site = new["sites"][0]
    site["findings"] = [f for f in site["findings"] if f["key"] != keys[0]]
    new_dir = tmp_path / "new"
    new_dir.mkdir()
    (new_dir / "results.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(cli, ["diff", str(run), str(new_dir)])
    assert done.exit_code == 0, done.output
    html = (new_dir / "diff.html").read_text(encoding="utf-8")
    assert "单位反馈：称已整改（2026-12-01，张三）：已补充解读材料并互相链接" in html
    assert "复查已整改" in html and "复查仍存在" in html
    assert "其中 1 条单位称已整改，但本次复查仍存在" in html


def test_feedback_rows_match_by_address_when_the_key_column_is_gone(tmp_path):
    results = load("demo-run")
    paths = render(tmp_path, results)
    wb = load_workbook(paths.issues)
    ws = wb["西崖县人民政府"]
    header = [c.value for c in ws[1]]
    ws.delete_cols(header.index(KEY_HEADER) + 1)
    ws.cell(2, header.index("整改情况") + 1, "已修复")
    wb.save(tmp_path / "back.xlsx")
    fb = read_feedback(tmp_path / "back.xlsx", results)
    assert len(fb.items) == 1 and next(iter(fb.items.values()))["reply"] == "已修复"


def test_feedback_rejects_a_workbook_that_is_not_ours(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["随便", "一张表"])
    wb.save(tmp_path / "other.xlsx")
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_text(json.dumps(load("demo-run"), ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(cli, ["feedback", str(run), str(tmp_path / "other.xlsx")])
    assert done.exit_code == 2 and "整改情况" in done.output and "Traceback" not in done.output


def test_diff_of_feedback_is_kept_in_results_for_re_rendering():
    old, new = load("demo-run"), load("demo-run")
    delta = compare(old, new)
    assert "feedback" not in delta                       # only a returned workbook adds it
