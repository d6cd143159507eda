"""Tables pasted as text: Word's tab-per-cell paste, and tab-separated rows (TSV).

Word paste (城子河, 乐至): every cell starts a line with a tab; a line without a leading tab
continues the cell above (cells span lines: units one per line, "2021年\\n12月10日前"); an empty
line followed by a new cell ends a table row. Two paste faults are repaired:
- a blank line inside a cell (城子河 #28 lists its five bureaus with blank lines between) splits
  a row in two: consecutive short blocks are joined again while they fit in one row;
- a lost row break glues two rows (乐至 row 31 + the unnumbered 年度报告 row: 8 cells where rows
  have 6): the first row keeps its cells up to its task-wording column (what follows was its
  empty merged cells), the rest is the next row, aligned to the right. Each repair is reported
  in Ledger.warnings.

TSV (沈阳): one row per line, cells separated by tabs, the header row repeated after page breaks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from zwgk.rules.ledger.layout import Layout, cells, is_header, label_role, subheader
from zwgk.rules.ledger.source import TableSource

_CELL_START = re.compile(r"^[ \u3000\u00a0]*\t")


@dataclass
class _Block:
    line: int          # 1-based line of the block's first cell
    cells: list[str]


def _where(line: int) -> str:
    return f"第{line}行 / line {line}"


def _blocks(lines: list[str]) -> tuple[list[str], list[_Block]]:
    """(lines before the first cell, blocks of cells)."""
    preamble: list[str] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    for i, line in enumerate(lines):
        if _CELL_START.match(line):
            if current is None:
                current = _Block(i + 1, [])
                blocks.append(current)
            current.cells.extend(line.split("\t")[1:])
        elif line == "" and (i + 1 == len(lines) or _CELL_START.match(lines[i + 1])):
            current = None  # an empty line before a new cell: row break
        elif current is not None:
            current.cells[-1] += "\n" + line
        elif not blocks:
            preamble.append(line)
        else:  # a continuation after a row break: it belongs to the last cell read
            blocks[-1].cells[-1] += "\n" + line
    return preamble, blocks


def _fit(blocks: list[_Block], width: int, text_col: int | None,
         warnings: list[str]) -> list[_Block]:
    """Rows of `width` cells from the blocks (see the module doc for the two repairs)."""
    rows: list[_Block] = []
    i = 0
    while i < len(blocks):
        block = _Block(blocks[i].line, list(blocks[i].cells))
        while (len(block.cells) < width and i + 1 < len(blocks)
               and len(block.cells) + len(blocks[i + 1].cells) <= width):
            i += 1
            block.cells += blocks[i].cells
        while len(block.cells) > width and text_col is not None and text_col + 1 < len(block.cells):
            warnings.append(f"{_where(block.line)}: {len(block.cells)} 个单元格（应为 {width}），按两行读取 / "
                            f"{len(block.cells)} cells where rows have {width}: read as two rows")
            head, rest = block.cells[:text_col + 1], block.cells[text_col + 1:]
            rows.append(_Block(block.line, head + [""] * (width - len(head))))
            block = _Block(block.line, [""] * max(0, width - len(rest)) + rest)
        rows.append(block)
        i += 1
    return rows


def read_tab_cells(lines: list[str]) -> TableSource | None:
    """A Word table pasted with one tab-led line per cell, or None when the text is not one."""
    preamble, blocks = _blocks(lines)
    header_at = next((k for k, b in enumerate(blocks) if is_header(b.cells)), None)
    if header_at is None:
        return None
    header = blocks[header_at]
    data = blocks[header_at + 1:]
    width = Counter(len(b.cells) for b in data).most_common(1)[0][0] if data else len(header.cells)
    layout = Layout.from_header(header.cells, width)
    warnings: list[str] = []
    rows = _fit(data, width, layout.first("text"), warnings)
    title_cells = [c for c in header.cells if c.strip() and label_role(c) is None]
    titles = [*preamble, *[t for b in blocks[:header_at] for t in b.cells], *title_cells[:1]]
    return TableSource("tab-cell", [cells(r.cells) for r in rows], layout,
                       where=[_where(r.line) for r in rows], title_lines=titles, warnings=warnings)


def read_tsv(lines: list[str]) -> TableSource | None:
    """Rows of tab-separated cells under a header row, or None."""
    header_at = next((k for k, line in enumerate(lines)
                      if line.count("\t") >= 2 and is_header(line.split("\t"))), None)
    if header_at is None:
        return None
    header = lines[header_at].split("\t")
    body = [(k + 1, line.split("\t")) for k, line in enumerate(lines) if k > header_at and line.strip()]
    if body and (both := subheader(cells(header), cells(body[0][1]))):
        header, body = [c.text for c in both], body[1:]      # a second header row
    # In TSV the body is tab-separated too; a Word paste has one tab-led cell per line.
    if sum(len(cells) >= 3 for _, cells in body) * 2 < len(body):
        return None
    width = Counter(len(c) for _, c in body).most_common(1)[0][0] if body else len(header)
    layout = Layout.from_header(header, max(width, len(header)))
    return TableSource("TSV", [cells(c) for _, c in body], layout, where=[_where(n) for n, _ in body],
                       title_lines=lines[:header_at])
