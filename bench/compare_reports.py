"""Compare two report directories rendered from the same results.json (issue 12: faster writers,
same output for people).

    python bench/compare_reports.py REFERENCE_DIR NEW_DIR

HTML pages and junit.xml: byte-identical (an HTML difference that is whitespace only is reported as
such). 问题清单.xlsx: every sheet's cell values, hyperlinks, number formats, fills, fonts, comments,
row heights, column widths, merged cells and data validations. 通报.docx: every paragraph's text and
style in the body, the tables' cells, headers and footers. Exit status 0 when everything is equal.
Also printed (not judged): which zip parts of the two Office files are byte-identical.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _first_difference(a: list[Any], b: list[Any]) -> str:
    x, y = next((x, y) for x, y in zip([*a, None], [*b, None], strict=False) if x != y)
    return f"{x} != {y}"


def _html(ref: Path, new: Path) -> list[str]:
    problems = []
    names = sorted({p.relative_to(d) for d in (ref, new) for p in d.rglob("*.html")})
    for name in names:
        a, b = ref / name, new / name
        if not a.is_file() or not b.is_file():
            problems.append(f"{name}: only in {'new' if b.is_file() else 'reference'}")
        elif a.read_bytes() != b.read_bytes():
            same_words = re.sub(r"\s+", "", a.read_text("utf-8")) == re.sub(r"\s+", "", b.read_text("utf-8"))
            problems.append(f"{name}: differs ({'whitespace only' if same_words else 'content'})")
    print(f"HTML: {len(names)} file(s) compared")
    return problems


def _junit(ref: Path, new: Path) -> list[str]:
    a, b = ref / "junit.xml", new / "junit.xml"
    print("junit.xml: compared byte for byte")
    return [] if a.read_bytes() == b.read_bytes() else ["junit.xml: differs"]


def _sheet_rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            yield (c.coordinate, c.value, c.data_type, c.hyperlink.target if c.hyperlink else None,
                   c.hyperlink.location if c.hyperlink else None, c.number_format,
                   c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                   (c.font.b, c.font.color.rgb if c.font.color else None, c.font.u),
                   (c.alignment.wrap_text, c.alignment.vertical, c.alignment.horizontal),
                   c.comment.text if c.comment else None)


def _sheet_layout(ws: Any) -> tuple[Any, ...]:
    return (sorted((k, d.height) for k, d in ws.row_dimensions.items() if d.height),
            sorted((k, d.width, d.hidden) for k, d in ws.column_dimensions.items()),
            sorted(str(r) for r in ws.merged_cells.ranges), ws.freeze_panes, ws.auto_filter.ref,
            ws.print_title_rows, str(ws.print_area), ws.page_setup.orientation,
            sorted((str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation))


def _xlsx(ref: Path, new: Path) -> list[str]:
    from openpyxl import load_workbook

    a, b = load_workbook(ref / "问题清单.xlsx"), load_workbook(new / "问题清单.xlsx")
    if a.sheetnames != b.sheetnames:
        return [f"问题清单.xlsx: sheets {a.sheetnames} != {b.sheetnames}"]
    problems, cells = [], 0
    for name in a.sheetnames:
        rows_a, rows_b = list(_sheet_rows(a[name])), list(_sheet_rows(b[name]))
        cells += len(rows_a)
        if rows_a != rows_b:
            problems.append(f"问题清单.xlsx sheet {name}: cells differ, first: {_first_difference(rows_a, rows_b)}")
        if _sheet_layout(a[name]) != _sheet_layout(b[name]):
            problems.append(f"问题清单.xlsx sheet {name}: layout (heights, widths, filters, validation) differs")
    print(f"问题清单.xlsx: {len(a.sheetnames)} sheet(s), {cells} cell(s) compared")
    return problems


def _docx_paragraphs(doc: Any) -> list[tuple[str, str]]:
    def walk(paragraphs: Any, tables: Any) -> Iterator[tuple[str, str]]:
        for p in paragraphs:
            yield p.style.name if p.style is not None else "", p.text
        for t in tables:
            for row in t.rows:
                for cell in row.cells:
                    yield from walk(cell.paragraphs, cell.tables)

    out = list(walk(doc.paragraphs, doc.tables))
    for section in doc.sections:
        for part in (section.header, section.footer, section.even_page_header, section.even_page_footer):
            out += list(walk(part.paragraphs, part.tables))
    return out


def _docx(ref: Path, new: Path) -> list[str]:
    from docx import Document

    a, b = _docx_paragraphs(Document(str(ref / "通报.docx"))), _docx_paragraphs(Document(str(new / "通报.docx")))
    print(f"通报.docx: {len(a)} paragraph(s) compared")
    if a == b:
        return []
    return [f"通报.docx: paragraphs differ, first: {_first_difference(a, b)}"]


def _zip_parts(ref: Path, new: Path) -> None:
    """Informational: the Office files' XML parts that are byte-identical (the document properties
    carry the time of writing, so they may differ without anything a reader sees)."""
    for name in ("通报.docx", "问题清单.xlsx"):
        with zipfile.ZipFile(ref / name) as a, zipfile.ZipFile(new / name) as b:
            parts = sorted(set(a.namelist()) | set(b.namelist()))
            differ = [p for p in parts if p not in a.namelist() or p not in b.namelist() or a.read(p) != b.read(p)]
        print(f"{name}: {len(parts) - len(differ)} of {len(parts)} zip parts byte-identical"
              + (f" (differ: {', '.join(differ)})" if differ else ""))


def compare(ref: Path, new: Path) -> list[str]:
    problems = _html(ref, new) + _junit(ref, new) + _xlsx(ref, new) + _docx(ref, new)
    _zip_parts(ref, new)
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = compare(Path(argv[0]), Path(argv[1]))
    for p in problems:
        print("DIFFERS:", p)
    print("equal" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
