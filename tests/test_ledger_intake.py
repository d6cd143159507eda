"""Ledger intake: the table model for every format, text layouts, the canonical .xlsx, the template,
and what people see when a ledger cannot be read (`zwgk ledger …`, exit 2, never a traceback)."""

from __future__ import annotations

import time
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from zwgk.cli import cli
from zwgk.errors import LedgerError
from zwgk.rules.ledger import dump_yaml, load_ledger, parse_text
from zwgk.rules.ledger.xlsx_io import COLUMNS, write_xlsx
from zwgk.rules.mapping import apply_rules

LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"

PAGE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>某县2024年政务公开工作台账</title></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a></div>
<table class="meta"><tr><td>索引号：</td><td>001/2024-00012</td><td>发文日期：</td><td>2024-03-01</td></tr></table>
<h1>某县2024年政务公开工作台账</h1><p>各乡镇、县直各部门：现将台账印发给你们，请认真落实。</p>
<table border="1">
<tr><th>序号</th><th>工作任务</th><th>具体要求</th><th>责任科室</th><th>完成时限</th></tr>
<tr><td>1</td><td rowspan="2">一、加强政策解读</td>
    <td>对本单位出台的政策文件同步发布解读。<br>1.图文解读；2.视频解读。</td>
    <td rowspan="3">办公室</td><td>持续推进</td></tr>
<tr><td>2</td><td>在政府网站开设解读专栏并及时更新。</td><td>6月底前</td></tr>
<tr><td>3</td><td>二、做好年报</td><td>1月31日前发布上一年度政府信息公开工作年度报告。</td><td>1月31日前</td></tr>
</table><div class="footer">主办单位：某县人民政府办公室</div></body></html>"""


def _write_page(path: Path) -> None:
    path.write_bytes(PAGE.encode("gb18030"))


def test_html_page_table_with_rowspans_among_other_markup(tmp_path: Path) -> None:
    path = tmp_path / "某县台账.html"
    _write_page(path)
    led = load_ledger(path)
    assert led.title == "某县2024年政务公开工作台账" and led.year == 2024
    one, two, three = led.tasks
    assert (one.number, one.section, two.section) == ("1", ["一、加强政策解读"], ["一、加强政策解读"])
    assert one.text == "对本单位出台的政策文件同步发布解读。1.图文解读；2.视频解读。"   # sub-items stay in it
    assert [t.responsible_units for t in led.tasks] == [["办公室"]] * 3   # one merged cell spans three rows
    assert (two.deadline.kind, str(two.deadline.date)) == ("date", "2024-06-30")
    assert three.section == ["二、做好年报"] and str(three.deadline.date) == "2024-01-31"


def test_html_fragment_and_page_without_table(tmp_path: Path) -> None:
    fragment = tmp_path / "fragment.htm"
    fragment.write_text(PAGE[PAGE.index('<table border="1">'):PAGE.index("</table><div")] + "</table>",
                        encoding="utf-8")
    assert len(load_ledger(fragment).tasks) == 3
    prose = tmp_path / "plan.html"
    prose.write_text("<html><body><h2>2024年某区政务公开工作要点</h2><p>一、主要任务</p>"
                     "<p>1.做好规划公开。（区发改局牵头，区直各部门配合）</p><p>2.做好财政公开。（区财政局牵头）</p>"
                     "</body></html>", encoding="utf-8")
    led = load_ledger(prose)
    assert [t.lead_units for t in led.tasks] == [["区发改局"], ["区财政局"]]
    assert led.tasks[0].responsible_units == ["区直各部门"]


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "scan.pdf"
    Image.new("RGB", (400, 300), "white").save(path, "PDF")
    with pytest.raises(LedgerError, match="OCR"):
        load_ledger(path)


def test_word_table_with_merged_group_cells_headed_zeren_keshi(tmp_path: Path) -> None:
    """The issue's case: a Word table whose group label is merged over its rows and whose unit column
    is headed 责任科室 — each task keeps its own requirement and gets its unit."""
    document = docx.Document()
    document.add_paragraph("某局2024年政务公开重点任务清单")
    rows = [["工作任务", "具体要求", "责任科室", "完成时限"],
            ["强化政策解读", "1.同步发布政策解读。", "办公室", "持续推进"],
            ["", "2.制作图解产品。", "宣传科", "6月底前"],
            ["做好年报", "3.按时发布年度报告。", "办公室", "1月31日前"]]
    table = document.add_table(rows=4, cols=4)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value:
                table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))
    path = tmp_path / "清单.docx"
    document.save(str(path))
    led = load_ledger(path)
    assert [(t.number, t.text, t.section, t.responsible_units) for t in led.tasks] == [
        ("1", "同步发布政策解读。", ["强化政策解读"], ["办公室"]),
        ("2", "制作图解产品。", ["强化政策解读"], ["宣传科"]),
        ("3", "按时发布年度报告。", ["做好年报"], ["办公室"]),
    ]


def test_text_pastes_with_bars_and_one_cell_per_line() -> None:
    rows = ("某区2024年政务公开任务分解表\n序号 | 重点任务 | 具体内容 | 牵头单位 | 配合单位 | 时间节点 |\n"
            "1 | 规划公开 | 公开“十五五”规划。 | 区发改局 | 区直各部门 | 12月底前 |\n"
            "2 | 财政公开 | 公开预决算。 | 区财政局 | | 全年 |\n")
    led = parse_text(rows, "bars")
    assert [(t.title, t.lead_units, t.responsible_units) for t in led.tasks] == [
        ("规划公开", ["区发改局"], ["区直各部门"]), ("财政公开", ["区财政局"], ["区直各部门"])]
    lines = "序号\n工作任务\n责任单位\n完成时限\n1\n公开预算。\n财政局\n9月底前\n2\n更新专栏。\n办公室\n持续推进\n"
    led = parse_text(lines, "lines")
    assert [(t.number, t.text, t.responsible_units, t.deadline.text) for t in led.tasks] == [
        ("1", "公开预算。", ["财政局"], "9月底前"), ("2", "更新专栏。", ["办公室"], "持续推进")]


def test_numbering_past_999_and_5000_tasks_in_bounded_time() -> None:
    """A generated 5,000-task ledger (timing is reported by bench, not asserted here)."""
    lines = ["某市2024年政务公开工作任务分解表", "序号\t工作任务\t具体要求\t责任单位\t完成时限"]
    for i in range(1, 5001):
        group = f"第{(i - 1) // 100 + 1}组" if i % 100 == 1 else ""
        lines.append(f"{i}\t{group}\t做好第{i}项公开工作。1.公开目录；2.更新栏目。\t市政府办公室、市直各部门\t12月底前")
    started = time.perf_counter()
    led = parse_text("\n".join(lines), "gen")
    elapsed = time.perf_counter() - started
    assert len(led.tasks) == 5000 and elapsed >= 0
    assert [t.number for t in led.tasks[998:1002]] == ["999", "1000", "1001", "1002"]
    assert led.tasks[4999].text == "做好第5000项公开工作。1.公开目录；2.更新栏目。"
    assert led.tasks[4999].section == ["第50组"] and led.tasks[4999].responsible_units == ["市政府办公室", "市直各部门"]


def test_warnings_name_the_row() -> None:
    text = ("某局2024年政务公开台账\n序号\t工作任务\t责任单位\t完成时限\n1\t公开预算。\t\t\n"
            "2\t更新专栏。\t办公室\t9月底前\n")
    led = parse_text(text, "w")
    assert [t.source_row for t in led.tasks] == ["第3行", "第4行"]
    assert "第3行：任务 1 未识别责任单位 / task 1 names no unit" in led.warnings
    assert "第3行：任务 1 未识别完成时限 / task 1 no deadline that could be read" in led.warnings


# --- the canonical spreadsheet -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["chengzihe-district-2021-ledger.txt", "real/xuancheng-city-2022-tasklist.txt",
                                  "real/zhoushan-city-five-year-plan.txt"])
def test_canonical_xlsx_reads_back_exactly(tmp_path: Path, name: str) -> None:
    original = apply_rules(load_ledger(LEDGERS / name))
    path = tmp_path / "canonical.xlsx"
    write_xlsx(original, path)
    back = load_ledger(path)
    assert (back.id, back.title, back.year, back.source, back.warnings) == \
        (original.id, original.title, original.year, original.source, original.warnings)
    assert back.tasks == original.tasks
    assert [t.source_row for t in back.tasks] == [t.source_row for t in original.tasks]
    assert dump_yaml(back) == dump_yaml(original)


def test_canonical_xlsx_hand_edits(tmp_path: Path) -> None:
    path = tmp_path / "edited.xlsx"
    write_xlsx(apply_rules(load_ledger(LEDGERS / "real" / "chizhou-xfj-tasklist.txt")), path)
    book = openpyxl.load_workbook(path)
    ws = book["任务"]
    assert tuple(c.value for c in ws[1]) == COLUMNS
    col = {name: i + 1 for i, name in enumerate(COLUMNS)}
    ws.cell(2, col["完成时限"], "2026年10月底前")
    ws.cell(2, col["时限类型"]).value = None
    ws.cell(2, col["时限日期"]).value = None
    ws.cell(2, col["责任单位"], "办公室\n法规科")
    ws.cell(3, col["核查方式"]).value = None
    ws.cell(3, col["覆盖"]).value = None
    ws.cell(3, col["人工核查提示"]).value = None
    book.save(path)
    led = apply_rules(load_ledger(path))
    one, two = led.tasks[:2]
    assert (one.deadline.kind, str(one.deadline.date)) == ("date", "2026-10-31")
    assert one.responsible_units == ["办公室", "法规科"]
    assert two.checks   # mapped again by the catalogue
    ws.cell(4, col["时限类型"]).value = "someday"
    book.save(path)
    with pytest.raises(LedgerError, match="第4行"):
        load_ledger(path)


# --- the command ---------------------------------------------------------------------------------

def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_parse_shows_sections_units_deadlines_and_checks() -> None:
    code, out = _run("ledger", "parse", str(LEDGERS / "real" / "jiangmen-wsjkj-2021-division.html"))
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("编号"))
    assert [c.strip() for c in header.split(" | ")] == ["编号", "章节", "任务", "责任单位", "时限", "核查方式"]
    assert "局防控办（牵头）；各工" in out and "共 12 项任务" in out and "一、做好行政执法" in out


def test_cli_parse_xlsx_and_template(tmp_path: Path) -> None:
    out_file = tmp_path / "out.xlsx"
    code, out = _run("ledger", "parse", str(LEDGERS / "real" / "taishan-city-2021-division.xls"),
                     "--format", "xlsx", "-o", str(out_file))
    assert code == 0 and "12 项任务" in out
    assert len(load_ledger(out_file).tasks) == 12
    code, out = _run("ledger", "parse", str(LEDGERS / "real" / "chizhou-xfj-tasklist.pdf"), "--format", "xlsx")
    assert code == 2 and "-o" in out
    for name in ("模板.xlsx", "模板.yaml"):
        code, out = _run("ledger", "template", "-o", str(tmp_path / name))
        assert code == 0, out
        led = load_ledger(tmp_path / name)
        assert len(led.tasks) == 2 and led.tasks[0].lead_units == ["办公室"]
    code, out = _run("ledger", "template", "-o", str(tmp_path / "模板.docx"))
    assert code == 2 and "Traceback" not in out


def _unreadable(tmp_path: Path) -> dict[str, Path]:
    from PIL import Image

    files = {}
    files["letter.txt"] = tmp_path / "letter.txt"
    files["letter.txt"].write_text("各单位：\n请认真做好政务公开工作。\n区政府办公室\n", encoding="utf-8")
    files["scan.pdf"] = tmp_path / "scan.pdf"
    Image.new("RGB", (300, 200), "white").save(files["scan.pdf"], "PDF")
    files["junk.pdf"] = tmp_path / "junk.pdf"
    files["junk.pdf"].write_bytes(b"%PDF-1.4 not really")
    files["junk.xls"] = tmp_path / "junk.xls"
    files["junk.xls"].write_bytes(b"\xd0\xcf\x11\xe0 not an excel file" * 10)
    files["news.html"] = tmp_path / "news.html"
    files["news.html"].write_text("<html><body><p>今天召开了政务公开工作会议。</p></body></html>", encoding="utf-8")
    files["ledger.odt"] = tmp_path / "ledger.odt"
    files["ledger.odt"].write_bytes(b"PK\x03\x04")
    files["noheader.xlsx"] = tmp_path / "noheader.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["随便", "一些", "内容"])
    book.save(files["noheader.xlsx"])
    return files


def test_cli_unreadable_ledgers_exit_2_with_a_reason(tmp_path: Path) -> None:
    for name, path in _unreadable(tmp_path).items():
        code, out = _run("ledger", "parse", str(path))
        assert code == 2, name
        assert "Traceback" not in out and "错误 / error" in out, name
    _, out = _run("ledger", "parse", str(tmp_path / "letter.txt"))
    assert "已尝试的读法" in out and "「各单位：」" in out and "zwgk ledger template" in out
    _, out = _run("ledger", "parse", str(tmp_path / "scan.pdf"))
    assert "OCR" in out
    _, out = _run("ledger", "parse", str(tmp_path / "noheader.xlsx"))
    assert "未找到表头" in out and "「随便 | 一些 | 内容」" in out and "zwgk ledger template" in out
