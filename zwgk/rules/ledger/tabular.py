"""Spreadsheet ledgers: .xlsx/.xlsm (and .xls when xlrd is installed) and .csv, read with pandas.

Each sheet becomes a grid of table.Cell rows; the first row that names the columns (序号,
任务名称/事项名称, 具体内容/主要任务, 牵头单位, 责任单位, 完成时限 …) is the header, and the rows
after it go through the same builder as every other format. Merged cells: pandas reads a merged
range as its value in the top-left cell and NaN elsewhere, so the ranges are taken from openpyxl
and the value is written into every cell of the range, marked as a continuation (the builder keeps
it for unit/deadline columns and drops it for numbers and wording, like a blank pasted cell).
Only the first sheet with a header is read; others are reported in the warnings.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zwgk.errors import LedgerError
from zwgk.rules.ledger.grid import layout_for, split_header
from zwgk.rules.ledger.layout import Cell, Layout, is_header
from zwgk.rules.ledger.source import TableSource, all_blank, ledger_from_source, preview_of, unreadable
from zwgk.rules.ledger.text import decode
from zwgk.rules.models import Ledger


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a person typed (dates as ISO, 序号 typed as numbers as integers)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str) and value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 序号 typed as a number
    return str(value)


def _grid(values: list[list[Any]]) -> list[list[Cell]]:
    width = max((len(r) for r in values), default=0)
    return [[Cell(cell_text(v)) for v in row] + [Cell()] * (width - len(row)) for row in values]


def _apply_merges(grid: list[list[Cell]], ranges: list[tuple[int, int, int, int]]) -> list[list[Cell]]:
    """Write each merged range's value into all its cells (0-based, inclusive bounds)."""
    if not ranges:
        return grid
    height = max(len(grid), *(r[2] + 1 for r in ranges))
    width = max(max((len(r) for r in grid), default=0), *(r[3] + 1 for r in ranges))
    grid = [row + [Cell()] * (width - len(row)) for row in grid] + [[Cell()] * width] * (height - len(grid))
    for top, left, bottom, right in ranges:
        value = grid[top][left].text
        for r in range(top, bottom + 1):
            grid[r] = list(grid[r])
            for c in range(left, right + 1):
                if (r, c) != (top, left):
                    grid[r][c] = Cell(value, above=r > top, left=r == top and c > left)
    return grid


def _xls_sheets(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    """Old Excel (.xls) through xlrd itself: pandas drops the merged ranges."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as exc:  # xlrd's errors: not an .xls workbook
        raise LedgerError(f"无法读取 .xls 表格 / cannot read {path} as an Excel 97-2003 workbook "
                          f"({type(exc).__name__}: {exc})") from None
    sheets = []
    for sheet in book.sheets():
        values = []
        for r in range(sheet.nrows):
            row = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                else:
                    row.append(cell.value)
            values.append(row)
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        sheets.append((sheet.name, _apply_merges(_grid(values), merges)))
    return sheets


def _excel_sheets(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    import pandas as pd  # heavy import, only for spreadsheets

    if path.suffix.lower() == ".xls":
        return _xls_sheets(path)
    engine = "openpyxl"
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
    except ImportError as exc:
        raise LedgerError(f"无法读取 .xls / cannot read {path}: {exc}. Save it as .xlsx, or install xlrd") from None
    except Exception as exc:  # zip/XML errors: not a spreadsheet
        raise LedgerError(f"无法读取表格文件 / cannot read {path} as a spreadsheet "
                          f"({type(exc).__name__}: {exc}); expected an .xlsx workbook") from None
    merges: dict[str, list[tuple[int, int, int, int]]] = {}
    if engine == "openpyxl":
        import openpyxl

        book = openpyxl.load_workbook(path)  # not read-only: merged ranges need the full sheet
        for ws in book.worksheets:
            merges[ws.title] = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                                for m in ws.merged_cells.ranges]
    return [(str(name), _apply_merges(_grid(frame.values.tolist()), merges.get(str(name), [])))
            for name, frame in frames.items()]


def _csv_sheet(path: Path) -> list[tuple[str, list[list[Cell]]]]:
    import pandas as pd

    text = decode(path.read_bytes(), str(path))
    sample = text[:4096]
    sep = "\t" if sample.count("\t") > sample.count(",") else ","
    # Rows may have different lengths; pandas needs the widest up front.
    width = max((len(r) for r in csv.reader(io.StringIO(text), delimiter=sep)), default=0)
    if width == 0:
        return [(path.name, [])]
    frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, names=list(range(width)), dtype=str,
                        keep_default_na=False, skip_blank_lines=False, engine="python")
    return [(path.name, _grid(frame.values.tolist()))]


def read_tabular(path: Path) -> TableSource:
    sheets = _csv_sheet(path) if path.suffix.lower() == ".csv" else _excel_sheets(path)
    found: list[tuple[str, int, list[list[Cell]]]] = []
    for name, grid in sheets:
        at = next((i for i, row in enumerate(grid) if is_header(row)), None)
        if at is not None:
            found.append((name, at, grid))
    if not found:
        if all(all_blank(grid) for _, grid in sheets):
            return TableSource("spreadsheet", [], Layout([]))
        first = [" | ".join(c.text for c in row if c.text.strip()) for _, grid in sheets for row in grid]
        raise unreadable("未找到表头 / no header row: expected a row naming the columns, such as 序号、任务名称、"
                         "具体内容、牵头单位、责任单位、完成时限", str(path),
                         [f"表格 {len(sheets)} 个工作表，逐表找表头 / every sheet searched for a header row"],
                         preview_of(first))
    name, at, grid = found[0]
    header, skip = split_header(grid, at)
    body = grid[skip:]
    title_lines = [c.text for row in grid[:at] for c in row if not (c.left or c.above)]
    warnings = [f"只读取了工作表 “{name}”，忽略 {', '.join(n for n, _, _ in found[1:])} / only sheet "
                f"'{name}' was read" for _ in found[1:2]]
    return TableSource("spreadsheet", body, layout_for(header, body),
                       where=[f"{name} 第{skip + 1 + i}行 / row {skip + 1 + i}" for i in range(len(body))],
                       title_lines=title_lines, warnings=warnings,
                       # xlsx merges are explicit (the value is on every row of the span); a CSV
                       # shows merged cells as blanks, like pasted text, so it is read the same way.
                       anchor="auto" if path.suffix.lower() == ".csv" else "top")


def parse_tabular(path: Path, ledger_id: str) -> Ledger:
    return ledger_from_source(read_tabular(path), ledger_id, str(path))
