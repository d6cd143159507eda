""".docx, .xlsx and .csv ledgers built from the real ledgers' content parse to the same tasks.

The tables are built the way the offices build them: blank cells of the pasted text become
vertically merged cells (城子河's lead/responsible/deadline cells over tasks 2–4, 乐至's 序号 and
category cells over sub-rows), and the header's "工作任务"/"任务名称" spans its columns.
"""

from __future__ import annotations

import csv
from pathlib import Path

import docx
import openpyxl
import pytest

from zwgk.errors import LedgerError
from zwgk.rules.ledger import load_ledger
from zwgk.rules.ledger.tabcells import read_tab_cells
from zwgk.rules.ledger.text import split_lines

FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"


def _table_rows(name: str) -> tuple[list[list[str]], list[str]]:
    """(rows of cell texts, column roles) of a tab-cell ledger, as the office's table has them."""
    src = read_tab_cells(split_lines((FIXTURES / f"{name}.txt").read_text(encoding="utf-8")))
    assert src is not None
    return [[c.text.strip() for c in row] for row in src.rows], list(src.layout.roles)


def _merge_runs(rows: list[list[str]], col: int, same_block: int) -> list[tuple[int, int]]:
    """(first, last) row runs where blank cells of `col` continue the cell above, within one block
    (a block ends where column `same_block` has a new value)."""
    runs, start = [], 0
    for r in range(1, len(rows) + 1):
        if r == len(rows) or rows[r][col] or (rows[r][same_block] and col != same_block):
            if r - 1 > start:
                runs.append((start, r - 1))
            start = r
    return runs


def _assert_same_tasks(a, b) -> None:  # type: ignore[no-untyped-def]
    assert (a.title, a.year) == (b.title, b.year)
    assert [t.number for t in a.tasks] == [t.number for t in b.tasks]
    for x, y in zip(a.tasks, b.tasks, strict=True):
        assert x == y, x.number


# --- .docx ----------------------------------------------------------------------------------------

def _chengzihe_docx(path: Path) -> None:
    rows, roles = _table_rows("chengzihe-district-2021-ledger")
    assert roles == ["section", "section", "text", "lead", "responsible", "deadline"]
    document = docx.Document()
    document.add_paragraph("城子河区2021年政务公开工作台账")
    table = document.add_table(rows=len(rows) + 1, cols=6)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "工作任务"   # header spanning 3 columns
    for c, label in enumerate(["牵头单位", "责任单位", "时限要求"], start=3):
        table.cell(0, c).text = label
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for col in (0, 1, 3, 4, 5):  # heading, subsection, lead, responsible, deadline columns
        for first, last in _merge_runs(rows, col, same_block=1):
            table.cell(first + 1, col).merge(table.cell(last + 1, col))
    document.save(str(path))


def test_docx_table_with_merged_cells_equals_the_text(tmp_path: Path) -> None:
    path = tmp_path / "城子河台账.docx"
    _chengzihe_docx(path)
    # The merges really are there: #2's lead cell spans rows of #2–#4.
    cells = docx.Document(str(path)).tables[0].rows
    assert cells[2].cells[3]._tc is cells[4].cells[3]._tc
    from_docx = load_ledger(path, "chengzihe-district-2021-ledger")
    from_text = load_ledger(FIXTURES / "chengzihe-district-2021-ledger.txt")
    _assert_same_tasks(from_docx, from_text)
    assert from_docx.tasks[3].lead_units == ["区发改局", "区市场监管局"]


@pytest.mark.parametrize("name", ["yicheng-district-2021-plan", "tongliao-city-2021-points"])
def test_docx_paragraphs_read_like_the_text(tmp_path: Path, name: str) -> None:
    document = docx.Document()
    for line in split_lines((FIXTURES / f"{name}.txt").read_text(encoding="utf-8")):
        document.add_paragraph(line)
    path = tmp_path / f"{name}.docx"
    document.save(str(path))
    _assert_same_tasks(load_ledger(path, name), load_ledger(FIXTURES / f"{name}.txt"))


def test_docx_with_full_width_heading_rows_and_a_number_column(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("某县2021年政务公开重点工作台账")
    rows = [["序号", "工作任务", "牵头单位", "责任单位", "完成时限"],
            ["一、加强平台建设"] * 5,
            ["1", "完成政府网站IPv6改造。", "县政府办", "县级各部门", "9月底前"],
            ["2", "做好政府公报工作。", "", "", ""],
            ["（一）做好年报"] * 5,
            ["3", "按时发布政府信息公开工作年度报告。", "县政府办", "", "全年"]]
    table = document.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        if len(set(row)) == 1:
            table.cell(r, 0).merge(table.cell(r, 4)).text = row[0]
            continue
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for c in (2, 3, 4):  # #1's units and deadline merged over #2
        table.cell(2, c).merge(table.cell(3, c))
    path = tmp_path / "heading-rows.docx"
    document.save(str(path))
    led = load_ledger(path)
    assert led.title == "某县2021年政务公开重点工作台账" and led.year == 2021
    one, two, three = led.tasks
    assert (one.number, one.section, one.lead_units) == ("1", ["一、加强平台建设"], ["县政府办"])
    assert (two.text, two.responsible_units) == ("做好政府公报工作。", ["县级各部门"])
    assert str(two.deadline.date) == "2021-09-30"
    assert three.section == ["一、加强平台建设", "（一）做好年报"]
    assert three.responsible_units == [] and three.deadline.kind == "continuous"  # no merge across sections


def test_docx_empty_table_gives_no_tasks_and_a_warning(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_table(rows=3, cols=4)
    path = tmp_path / "empty.docx"
    document.save(str(path))
    led = load_ledger(path)
    assert led.tasks == [] and any("no filled cells" in w for w in led.warnings)


def test_docx_header_only_table_gives_no_tasks_and_a_warning(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    for c, label in enumerate(["序号", "具体内容", "责任单位", "完成时限"]):
        table.cell(0, c).text = label
    path = tmp_path / "blank-form.docx"
    document.save(str(path))
    led = load_ledger(path)
    assert led.tasks == [] and led.warnings


# --- .xlsx ----------------------------------------------------------------------------------------

def _lezhi_xlsx(path: Path) -> None:
    rows, roles = _table_rows("lezhi-county-2021-breakdown")
    assert roles == ["number", "section", "title", "text", "responsible", "deadline"]
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2021年全县政务公开重点工作任务分解表"])
    ws.merge_cells("A1:F1")
    ws.append(["序号", "任务名称", None, "具体内容", "责任单位", "完成时限"])
    ws.merge_cells("B2:C2")
    for row in rows:
        ws.append([int(v) if v.isdigit() else (v or None) for v in row])
    offset = 3  # sheet row of rows[0]
    for col in (0, 1, 2, 4, 5):  # 序号, category, name, units, deadline
        for first, last in _merge_runs(rows, col, same_block=1):
            ws.merge_cells(start_row=first + offset, start_column=col + 1, end_row=last + offset, end_column=col + 1)
    book.save(path)


def test_xlsx_with_merged_cells_equals_the_text(tmp_path: Path) -> None:
    path = tmp_path / "乐至分解表.xlsx"
    _lezhi_xlsx(path)
    assert len(openpyxl.load_workbook(path).active.merged_cells.ranges) > 20
    from_xlsx = load_ledger(path, "lezhi-county-2021-breakdown")
    from_text = load_ledger(FIXTURES / "lezhi-county-2021-breakdown.txt")
    _assert_same_tasks(from_xlsx, from_text)
    assert [t.number for t in from_xlsx.tasks][-1] == "31.1"
    assert len(from_xlsx.tasks[1].sub_items) == 4


def test_xlsx_empty_sheet_gives_no_tasks_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    led = load_ledger(path)
    assert led.tasks == [] and any("no filled cells" in w for w in led.warnings)


# --- .csv -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_equals_the_text(tmp_path: Path, encoding: str) -> None:
    name = "shenyang-city-2021-breakdown"
    lines = split_lines((FIXTURES / f"{name}.txt").read_text(encoding="utf-8"))
    path = tmp_path / f"{name}.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        for line in lines:
            writer.writerow(line.split("\t") if line else [])
    _assert_same_tasks(load_ledger(path, name), load_ledger(FIXTURES / f"{name}.txt"))


def test_csv_of_empty_cells_gives_no_tasks_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text(",,,\n,,,\n", encoding="utf-8")
    led = load_ledger(path)
    assert led.tasks == [] and led.warnings


# --- garbage --------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_garbage_office_file_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(b"PK\x03\x04 this is not really a zip" * 20)
    with pytest.raises(LedgerError) as err:
        load_ledger(path)
    assert str(path) in str(err.value)


def test_xlsx_without_header_is_a_clear_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["随便", "一些", "内容"])
    path = tmp_path / "noheader.xlsx"
    book.save(path)
    with pytest.raises(LedgerError, match="no header row"):
        load_ledger(path)


# --- two-row headers: 责任单位 split into 牵头单位 | 配合单位 ---------------------------------------------

TWO_ROW_HEADER = [["序号", "工作任务", "责任单位", "", "完成时限"], ["", "", "牵头单位", "配合单位", ""]]
TWO_ROW_DATA = [["1", "区政府门户网站全部支持互联网协议第6版", "区政务服务数据管理局", "各街道", "2021年12月底前"],
                ["2", "主动公开“十四五”规划及解读材料", "区发展改革局", "区政府办", "持续推进"],
                ["3", "政策文件与解读材料同步起草、同步审签、同步发布", "区司法局", "各部门", "长期坚持"]]


def _two_row_docx(path: Path) -> None:
    doc = docx.Document()
    table = doc.add_table(rows=2 + len(TWO_ROW_DATA), cols=5)
    for r, row in enumerate(TWO_ROW_HEADER + TWO_ROW_DATA):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(0, 2).merge(table.cell(0, 3)).text = "责任单位"
    for c in (0, 1, 4):
        table.cell(0, c).merge(table.cell(1, c)).text = TWO_ROW_HEADER[0][c]
    doc.save(str(path))


def _two_row_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in TWO_ROW_HEADER + TWO_ROW_DATA:
        sheet.append(row)
    sheet.merge_cells("C1:D1")
    for col in "ABE":
        sheet.merge_cells(f"{col}1:{col}2")
    book.save(path)


def _two_row_html(path: Path) -> None:
    body = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in TWO_ROW_DATA)
    path.write_text('<html><body><table><tr><th rowspan="2">序号</th><th rowspan="2">工作任务</th>'
                    '<th colspan="2">责任单位</th><th rowspan="2">完成时限</th></tr>'
                    f"<tr><th>牵头单位</th><th>配合单位</th></tr>{body}</table></body></html>", encoding="utf-8")


def _two_row_csv(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(TWO_ROW_HEADER + TWO_ROW_DATA)


def _two_row_tsv(path: Path) -> None:
    path.write_text("\n".join("\t".join(row) for row in TWO_ROW_HEADER + TWO_ROW_DATA) + "\n", encoding="utf-8")


def _two_row_bars(path: Path) -> None:
    path.write_text("".join("| " + " | ".join(row) + " |\n" for row in TWO_ROW_HEADER + TWO_ROW_DATA),
                    encoding="utf-8")


@pytest.mark.parametrize("suffix, build", [(".docx", _two_row_docx), (".xlsx", _two_row_xlsx),
                                           (".html", _two_row_html), (".csv", _two_row_csv),
                                           (".txt", _two_row_tsv), (".md", _two_row_bars)])
def test_a_two_row_header_names_lead_and_partner_units(tmp_path: Path, suffix: str, build) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"分解表{suffix}"
    build(path)
    tasks = load_ledger(path).tasks
    assert [t.number for t in tasks] == ["1", "2", "3"]
    assert [(t.lead_units, t.responsible_units) for t in tasks] == [
        (["区政务服务数据管理局"], ["各街道"]), (["区发展改革局"], ["区政府办"]), (["区司法局"], ["各部门"])]
    assert tasks[0].deadline.text == "2021年12月底前"
    assert tasks[0].text == "区政府门户网站全部支持互联网协议第6版"
