""".pdf ledgers: the PDF attached to a notice, or a Word ledger printed to PDF.

pdfplumber finds the ruled tables on each page's text layer. It reports a position covered by a
merged cell as None; the cell bounding boxes tell which way the merge runs: a merged cell that
starts on an earlier row is a vertical merge (`above`: a group label or a unit cell spanning rows),
otherwise a horizontal one (`left`: a heading row spanning the table). The tables of all pages are
one grid (the header repeated on each page is skipped like any repeated header). A PDF without
tables is read as text (a prose 要点); one without a text layer is a scan and needs OCR first.
"""

from __future__ import annotations

from pathlib import Path

from zwgk.errors import LedgerError
from zwgk.rules.ledger.grid import grid_source
from zwgk.rules.ledger.layout import Cell
from zwgk.rules.ledger.source import TableSource

_TOL = 1.0


def _table_grid(table) -> list[list[Cell]]:  # type: ignore[no-untyped-def]
    texts = table.extract()
    columns = [col.bbox for col in table.columns]
    grid: list[list[Cell]] = []
    for r, (values, row) in enumerate(zip(texts, table.rows, strict=True)):
        out: list[Cell] = []
        top, bottom = row.bbox[1], row.bbox[3]
        for c, value in enumerate(values):
            if value is not None:
                out.append(Cell(value))
                continue
            x = (columns[c][0] + columns[c][2]) / 2 if c < len(columns) else 0
            y = (top + bottom) / 2
            box = next((b for b in table.cells if b[0] <= x <= b[2] and b[1] <= y <= b[3]), None)
            vertical = box is not None and box[1] < top - _TOL
            if vertical and r > 0 and c < len(grid[r - 1]):
                out.append(Cell(grid[r - 1][c].text, above=True))
            elif out:
                out.append(Cell(out[-1].text, left=True))
            else:
                out.append(Cell())
        grid.append(out)
    return grid


def read_pdf(path: Path) -> TableSource:
    import pdfplumber  # only for PDF ledgers

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer's errors: not a PDF, or damaged
        raise LedgerError(f"无法读取 PDF 文件 / cannot read {path} as PDF ({type(exc).__name__}: {exc}); "
                          "expected a PDF with a text layer") from None
    with pdf:
        try:
            pages = list(pdf.pages)
            if not any(page.chars for page in pages):
                raise LedgerError(
                    f"PDF 没有文字层（可能是扫描件），需要先做文字识别（OCR）/ {path} has no text layer "
                    "(a scanned document): run OCR first, or bring the ledger as .docx/.xlsx, or fill in "
                    "the template from `zwgk ledger template`")
            grid: list[list[Cell]] = []
            where: list[str] = []
            before: list[str] = []
            for n, page in enumerate(pages, start=1):
                tables = page.find_tables()
                if not grid and tables:
                    top = tables[0].bbox[1]
                    if top > 1:
                        above = page.within_bbox((0, 0, page.width, top)).extract_text() or ""
                        before.extend(line for line in above.split("\n") if line.strip())
                for t_no, table in enumerate(tables, start=1):
                    rows = _table_grid(table)
                    grid.extend(rows)
                    where.extend(f"第{n}页表{t_no}第{r}行 / page {n} table {t_no} row {r}"
                                 for r in range(1, len(rows) + 1))
            if grid:
                src = grid_source(grid, "pdf table", where=where, title_lines=before)
                if src is not None:
                    return src
            text = "\n".join(page.extract_text() or "" for page in pages)
        except LedgerError:
            raise
        except Exception as exc:  # a damaged page or content stream
            raise LedgerError(f"无法读取 PDF 文件 / cannot read {path} ({type(exc).__name__}: {exc})") from None
    from zwgk.rules.ledger.text import read_text_source

    src = read_text_source(text)
    src.dialect = f"pdf text ({src.dialect})"
    return src
