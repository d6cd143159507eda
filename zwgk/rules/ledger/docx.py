""".docx ledgers: a table (任务分解表 / 台账) or, without one, a prose plan in the body paragraphs.

Tables go through the same row model as pasted text (table.Cell rows + a header Layout), so a
.docx and its text paste give the same tasks. python-docx returns the *same* cell for every grid
position a merged cell covers; a cell identical to the one above is marked as a vertical-merge
continuation (`above`), one identical to its left neighbour as horizontal (`left`). The builder
keeps a merged unit/deadline value on every row it spans and drops repeated task numbers and
wording. Tables after the first header continue it (a long table split by the author, or a
repeated header after a page break).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from zwgk.errors import LedgerError
from zwgk.rules.ledger.grid import layout_for
from zwgk.rules.ledger.layout import Cell, Layout, is_header, subheader
from zwgk.rules.ledger.source import TableSource, all_blank, ledger_from_source, preview_of, unreadable
from zwgk.rules.ledger.text import read_text_source
from zwgk.rules.models import Ledger

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table


def _rows(table: Table) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    above = None
    for row in table.rows:
        grid_cells = row.cells
        tcs = [c._tc for c in grid_cells]  # the XML element identifies a merged cell
        out = []
        for i, (cell, tc) in enumerate(zip(grid_cells, tcs, strict=True)):
            out.append(Cell(cell.text,
                            above=above is not None and i < len(above) and above[i] is tc,
                            left=i > 0 and tcs[i - 1] is tc))
        rows.append(out)
        above = tcs
    return rows


def _open(path: Path) -> Document:
    import docx  # python-docx; imported here so text-only use does not pay for it

    try:
        return docx.Document(str(path))
    except Exception as exc:  # zip errors, missing parts, bad XML: all mean "not a .docx"
        raise LedgerError(f"无法读取 Word 文件 / cannot read {path} as .docx ({type(exc).__name__}: {exc}); "
                          "expected a Word 2007+ document") from None


def read_docx(path: Path) -> TableSource:
    doc = _open(path)
    before: list[str] = []          # paragraphs above the ledger table: its title
    paragraphs: list[str] = []
    rows: list[list[Cell]] = []
    where: list[str] = []
    header: list[Cell] | None = None
    table_no = 0
    for block in doc.iter_inner_content():
        if not hasattr(block, "rows"):  # a paragraph
            paragraphs.append(block.text)
            if header is None:
                before.append(block.text)
            continue
        table_no += 1
        for r, row in enumerate(_rows(block), start=1):
            if header is None:
                if is_header(row):
                    header = row
                else:
                    before.extend(c.text for c in row if not c.left)  # a title row inside the table
                continue
            if not rows and (both := subheader(header, row)):
                header = both              # a second header row (责任单位 → 牵头单位 | 配合单位)
                continue
            rows.append(row)
            where.append(f"表{table_no}第{r}行 / table {table_no} row {r}")
    if header is not None:
        return TableSource("docx table", rows, layout_for(header, rows), where=where,
                           title_lines=before, anchor="top")
    text = "\n".join(paragraphs)
    if table_no and not any(p.strip() for p in paragraphs):
        # Only tables, none with a header: an empty form gives no tasks (and a warning); filled
        # cells without a header cannot be read.
        grid = [row for table in doc.tables for row in _rows(table)]
        if all_blank(grid):
            return TableSource("docx table", [], Layout([]), title_lines=before)
        raise unreadable("未找到表头 / no header row in the tables: expected columns such as 序号、任务名称、"
                         "具体内容、牵头单位、责任单位、完成时限", str(path), ["Word 表格 / Word tables"],
                         preview_of([" | ".join(c.text for c in row if c.text.strip()) for row in grid]))
    if not text.strip():
        raise LedgerError(f"台账为空 / ledger is empty: {path} has no text and no table")
    return read_text_source(text)


def parse_docx(path: Path, ledger_id: str) -> Ledger:
    return ledger_from_source(read_docx(path), ledger_id, str(path))
