"""Tables pasted or saved as text with `|` between cells, rebuilt into the table grid.

Two layouts, told apart by where the bars sit:
- rows:  one table row per line, "一、做好财政信息公开。 | 1.积极推进… | 财务科 |";
- cells: one cell per line, each followed by a bar ("办公室 |" or "办公室" then "|"), so the line
  breaks say nothing about rows.
Either way a row of a merged table lacks the cells its merged neighbours cover (a group label on
its first row only, a unit cell spanning several rows). Rows are rebuilt to the header's width by
the column-role detector (roles.fit): each cell goes to the column whose role fits what it holds
(a numbered requirement under 具体要求, "办公室" under 责任科室, "年底前" under 时限要求), in order;
a column the row lacks is the merged cell above it (marked `above`, as .docx/.xlsx merges are).
In the cells layout a new row starts where a cell fits no column to the right of the last one
filled, or after an empty cell once the row has its requirement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zwgk.rules.ledger.layout import Cell, Layout, is_header, subheader
from zwgk.rules.ledger.roles import cell_kind, fit, label_role
from zwgk.rules.ledger.source import TableSource
from zwgk.rules.ledger.textnorm import normalize_text

_INTERIOR = re.compile(r"\S\s*\|\s*\S")


@dataclass
class _Raw:
    line: int
    cells: list[str]
    placed: dict[int, str] | None = None   # cells layout: column -> cell (the rest is merged above)


def _where(line: int) -> str:
    return f"第{line}行 / line {line}"


def _pipe_lines(lines: list[str]) -> tuple[int, int]:
    bars = [line for line in lines if "|" in line]
    interior = [line for line in bars if _INTERIOR.search(line.strip().strip("|"))]
    return len(bars), len(interior)


def _strip_tail(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


# --- column layout -----------------------------------------------------------------------------

def _initial_roles(labels: list[str]) -> list[str]:
    roles = [label_role(t) or "" for t in labels]
    content = [i for i, r in enumerate(roles) if r in ("text", "title")]
    first = content[0] if content else 0
    return [r or ("section" if i < first else "ignore") for i, r in enumerate(roles)]


def _place_header(roles: list[str], profile: list[list[str]], width: int) -> list[str]:
    """Header roles (fewer than the data's columns: a label spans two columns) placed over the
    columns whose cells fit them best, in order; the columns left over take the role their cells
    show (bare numbers: 序号; headings/labels left of the requirement: section)."""
    def score(role: str, col: int) -> float:
        values = [row[col] for row in profile if col < len(row) and row[col].strip()]
        return sum(fit(cell_kind(v), role) for v in values) / len(values) if values else 0.0

    n = len(roles)
    best: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(i: int, col: int) -> tuple[float, list[int]]:
        if i == n:
            return 0.0, []
        if width - col < n - i:
            return float("-inf"), []
        key = (i, col)
        if key not in best:
            here = solve(i + 1, col + 1)
            take = (score(roles[i], col) + here[0] + 0.01 * col, [col, *here[1]])
            skip = solve(i, col + 1)
            best[key] = max(take, skip, key=lambda t: t[0])
        return best[key]

    _, cols = solve(0, 0)
    out = [""] * width
    for role, col in zip(roles, cols, strict=True):
        out[col] = role
    text_at = next((i for i, r in enumerate(out) if r == "text"), width)
    for col in range(width):
        if out[col]:
            continue
        kinds = [cell_kind(row[col]) for row in profile if col < len(row) and row[col].strip()]
        top = max(set(kinds), key=kinds.count) if kinds else "empty"
        out[col] = ("number" if top == "number" and "number" not in out else
                    "deadline" if top == "deadline" and "deadline" not in out else
                    "section" if col < text_at else "ignore")
    return out


def _with_number(roles: list[str], values: list[str]) -> list[str]:
    """Cells layout: bare numbers in the data but no 序号 label — the number column sits just before
    the requirement it numbers (a "具体要求" label spanning the 序号 and the wording)."""
    if "number" in roles or sum(cell_kind(v) == "number" for v in values) < 2:
        return roles
    content = [i for i, r in enumerate(roles) if r == "text"]
    at = content[-1] if content else len(roles)
    return [*roles[:at], "number", *roles[at:]]


def _prefer_last_text(roles: list[str]) -> list[str]:
    """Before content is known: of several wording columns the rightmost is the requirement."""
    texts = [i for i, r in enumerate(roles) if r == "text"]
    return ["section" if (r == "text" and i != texts[-1]) else r for i, r in enumerate(roles)]


# --- alignment ---------------------------------------------------------------------------------

def _align(cells: list[str], roles: list[str]) -> list[int]:
    """Columns for a row's cells (in order) that fit their roles best; ties go right (the cells a
    row lacks are usually merged group cells on the left)."""
    k, width = len(cells), len(roles)
    kinds = [cell_kind(c) for c in cells]
    memo: dict[tuple[int, int], tuple[float, list[int]]] = {}

    def solve(i: int, col: int) -> tuple[float, list[int]]:
        if i == k:
            return 0.0, []
        if width - col < k - i:
            return float("-inf"), []
        key = (i, col)
        if key not in memo:
            rest = solve(i + 1, col + 1)
            # A row that lacks cells most often lacks its merged group cells: a short label goes to
            # the requirement column rather than start a group of its own (a heading still does).
            bias = -1.5 if roles[col] == "section" and k < width else 0.0
            take = (fit(kinds[i], roles[col]) + bias + 0.01 * col + rest[0], [col, *rest[1]])
            memo[key] = max(take, solve(i, col + 1), key=lambda t: t[0])
        return memo[key]

    return solve(0, 0)[1]


def _fill(placed: dict[int, str], width: int, above: list[Cell] | None) -> list[Cell]:
    """A full row: placed cells as they are, the others continue the merged cell above."""
    row = []
    for col in range(width):
        if col in placed:
            row.append(Cell(placed[col]))
        elif above is not None and above[col].text.strip():
            row.append(Cell(above[col].text, above=True))
        else:
            row.append(Cell(""))
    return row


def _is_heading_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return len(filled) == 1 and cell_kind(filled[0]) == "heading"


def _build(raws: list[_Raw], roles: list[str]) -> tuple[list[list[Cell]], list[str]]:
    width = len(roles)
    rows: list[list[Cell]] = []
    where: list[str] = []
    above: list[Cell] | None = None
    for raw in raws:
        cells = list(raw.cells)
        if raw.placed is not None:
            row = _fill(raw.placed, width, above)
            rows.append(row)
            where.append(_where(raw.line))
            above = row
            continue
        if _is_heading_row(cells):
            text = next(c for c in cells if c.strip())
            rows.append([Cell(text)] + [Cell(text, left=True)] * (width - 1))
            where.append(_where(raw.line))
            above = None
            continue
        if len(cells) >= width:
            row = [Cell(c) for c in cells[:width]]
            if len(cells) > width:
                row[-1] = Cell(" ".join(cells[width - 1:]))
        else:
            cols = _align(cells, roles)
            row = _fill(dict(zip(cols, cells, strict=True)), width, above)
        rows.append(row)
        where.append(_where(raw.line))
        above = row
    return rows, where


def _layout(labels: list[str], raws: list[_Raw]) -> Layout:
    roles = _initial_roles(labels)
    # Rows lose cells to merges, never gain them: the widest row shows the table's width.
    width = max([len(roles), *(len(r.cells) for r in raws)])
    full = [r.cells for r in raws if len(r.cells) >= width]
    if len(roles) < width:
        roles = _place_header(roles, full, width)
    roles = _prefer_last_text(roles) if not full else roles
    first = Layout(list(roles)).refine([[Cell(c) for c in row] for row in full])  # type: ignore[arg-type]
    rows, _ = _build(raws, list(first.roles))
    return Layout(list(first.roles)).refine(rows)


# --- readers -----------------------------------------------------------------------------------

def read_pipe_rows(lines: list[str]) -> TableSource | None:
    """One row per line, cells between bars; None when the text is not laid out that way."""
    bars, interior = _pipe_lines(lines)
    if interior < 3 or interior * 5 < bars * 2:
        return None
    raws: list[_Raw] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if "|" not in line:
            raws.append(_Raw(n, [line.strip()]))
            continue
        cells = [c.strip() for c in line.split("|")]
        if line.lstrip().startswith("|") and raws and not lines[raws[-1].line - 1].rstrip().endswith("|"):
            raws[-1].cells = _strip_tail(raws[-1].cells) + _strip_tail(cells[1:])  # a row broken at a bar
            continue
        raws.append(_Raw(n, _strip_tail(cells)))
    at = next((k for k, r in enumerate(raws) if is_header(r.cells)), None)
    if at is None:
        return None
    header, body = raws[at], raws[at + 1:]
    if body and (both := subheader([Cell(c) for c in header.cells], [Cell(c) for c in body[0].cells])):
        header, body = _Raw(header.line, [c.text for c in both]), body[1:]   # a second header row
    # Lines without a bar inside the table continue the last cell of the row above (a wrapped cell).
    data: list[_Raw] = []
    for raw in body:
        lone = len(raw.cells) == 1 and "|" not in lines[raw.line - 1]
        if lone and data and cell_kind(raw.cells[0]) not in ("item", "numlabel", "heading"):
            data[-1].cells[-1] += raw.cells[0]
        else:
            data.append(raw)
    labels = [c for c in header.cells if c.strip()]
    layout = _layout(labels, data)
    rows, where = _build(data, list(layout.roles))
    titles = [" ".join(c for c in r.cells if c) for r in raws[:at]]
    return TableSource("pipe rows", rows, layout, where=where, title_lines=titles, anchor="top")


def _stream(lines: list[str]) -> list[tuple[int, str]]:
    """Cells in order with their line numbers; an empty cell is kept as "" (a row-break hint)."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, line in enumerate(lines, start=1):
        parts = line.split("|")
        for k, part in enumerate(parts):
            if part.strip():
                if not buf:
                    start = n
                buf.append(part.strip())
            if k < len(parts) - 1:  # a bar ends the cell
                out.append((start or n, "".join(buf)))
                buf, start = [], 0
    if buf:
        out.append((start, "".join(buf)))
    return out


def read_line_cells(lines: list[str]) -> TableSource | None:
    """One cell per line without any separator ("序号", "工作任务", …, "1", "做好…", "县政府办", …):
    rows rebuilt by the header's columns like the bar layout."""
    return read_pipe_cells(lines, bars=False)


def read_pipe_cells(lines: list[str], bars: bool = True) -> TableSource | None:
    """One cell per line with bars between cells; None when the text is not laid out that way."""
    if bars and _pipe_lines(lines)[0] < 6:
        return None
    # The header: consecutive lines (bar-only lines between them do not count) whose text is a label.
    at, labels, first = None, [], 0
    texts = [line.replace("|", " ").strip() for line in lines]
    for k, text in enumerate(texts):
        if not text or label_role(text) is None:
            continue
        run, last = [], k
        for j in range(k, min(len(lines), k + 24)):
            if not texts[j]:
                continue
            if label_role(texts[j]) is None:
                break
            run.append(texts[j])
            last = j
        if len(run) >= 3 and is_header(run):
            at, labels, first = last, run, k
            break
    if at is None:
        return None
    titles = [t for t in texts[:first] if t]
    rest = lines[at + 1:]
    body = _stream(rest) if bars else [(n, line.strip()) for n, line in enumerate(rest, start=1)]
    body = [(n + at + 1, c) for n, c in body]
    roles = _prefer_last_text(_initial_roles(labels))
    roles = _with_number(roles, [c for _, c in body if c])
    raws = _segment(body, roles)
    rows, where = _build(raws, roles)
    layout = Layout(roles).refine(rows)  # type: ignore[arg-type]
    rows, where = _build(raws, list(layout.roles))
    return TableSource("pipe cells" if bars else "line cells", rows, layout, where=where, title_lines=titles,
                       anchor="top")


def _segment(body: list[tuple[int, str]], roles: list[str]) -> list[_Raw]:
    """Cells -> rows (see the module doc). Rows come back with a cell per column ("" where the
    row lacks one), so _build only has to fill the gaps from the row above."""
    width = len(roles)
    raws: list[_Raw] = []
    current: dict[int, str] = {}
    line = 0
    last = -1
    text_col = next((i for i, r in enumerate(roles) if r == "text"), width - 1)

    def flush() -> None:
        nonlocal current, last
        if current:
            raws.append(_Raw(line, [], dict(current)))
        current, last = {}, -1

    gap = False
    for n, text in body:
        if not text:
            gap = True
            continue
        kind = cell_kind(text)
        if kind == "heading":
            flush()
            raws.append(_Raw(n, [text]))
            gap = False
            continue
        if gap and last >= text_col:
            flush()
        gap = False
        later = [(fit(kind, roles[c]) - 0.1 * (c - last - 1), c) for c in range(last + 1, width)]
        stay = max(later) if later else None
        short = len(normalize_text(text)) <= 20 and kind in ("label", "deadline", "unit")
        if stay and (stay[0] > 0 or (roles[stay[1]] == "ignore" and short and stay[0] >= -0.5)):
            col = stay[1]
        else:
            flush()
            col = max(range(width), key=lambda c: (fit(kind, roles[c]) - 0.1 * c, -c))
            line = n
        if not current:
            line = n
        current[col] = text
        last = col
    flush()
    return raws
