"""The table model every tabular source produces: a grid of cells with merges resolved.

.docx tables, .xlsx/.xls/.csv sheets, .html tables (rowspan/colspan) and .pdf tables all come here
as `list[list[Cell]]`, one Cell per grid position; a position covered by a merged cell repeats its
text and is marked `above` (vertical merge) or `left` (horizontal). `grid_source` finds the header
row, asks the one column-role detector (layout.Layout + roles) what each column holds, and hands a
TableSource to source.ledger_from_source — the same path for every format.
"""

from __future__ import annotations

from zwgk.rules.ledger.layout import Anchor, Cell, Layout, is_header, subheader, widest
from zwgk.rules.ledger.source import TableSource

HEADER_SEARCH_ROWS = 40


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[Cell]]:
    """Rows of (text, rowspan, colspan) as an HTML table lists them -> the full grid."""
    grid: dict[tuple[int, int], Cell] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(max(1, rowspan)):
                for dc in range(max(1, colspan)):
                    grid[(r + dr, c + dc)] = Cell(text, above=dr > 0, left=dr == 0 and dc > 0)
            c += max(1, colspan)
            width = max(width, c)
    height = max((r for r, _ in grid), default=-1) + 1
    return [[grid.get((r, c), Cell()) for c in range(width)] for r in range(height)]


def find_header(grid: list[list[Cell]]) -> int | None:
    return next((i for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]) if is_header(row)), None)


def split_header(grid: list[list[Cell]], at: int) -> tuple[list[Cell], int]:
    """(the header row, completed by a second header row when there is one; where the body starts)."""
    if at + 1 < len(grid) and (both := subheader(grid[at], grid[at + 1])):
        return both, at + 2
    return grid[at], at + 1


def layout_for(header: list[Cell], body: list[list[Cell]]) -> Layout:
    """Column roles from the header labels, corrected by what the columns hold."""
    return Layout.from_header(header, widest(body, len(header))).refine(body)


def grid_source(grid: list[list[Cell]], dialect: str, *, where: list[str] | None = None,
                title_lines: list[str] | None = None, anchor: Anchor = "top",
                warnings: list[str] | None = None) -> TableSource | None:
    """A TableSource from a grid whose header row is among its first rows, or None."""
    at = find_header(grid)
    if at is None:
        return None
    header, skip = split_header(grid, at)
    body = grid[skip:]
    labels = where[skip:] if where else [f"第{skip + 1 + i}行 / row {skip + 1 + i}" for i in range(len(body))]
    titles = list(title_lines or []) + [c.text for row in grid[:at] for c in row if c.text.strip()
                                        and not (c.left or c.above)]
    return TableSource(dialect, body, layout_for(header, body), where=labels, title_lines=titles,
                       anchor=anchor, warnings=list(warnings or []))


def grid_as_text(grid: list[list[Cell]]) -> list[str]:
    """A grid without a recognisable header as `|`-separated lines, for the text readers to try."""
    return [" | ".join(c.text.replace("\n", " ") for c in row if not c.left) + " |" for row in grid
            if any(c.text.strip() for c in row)]
