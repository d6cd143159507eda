""".html ledgers: a page saved from a government site, or a fragment holding the ledger's <table>.

lxml parses the page; every <table> becomes a grid (rowspan/colspan expanded, grid.expand_spans)
and the first one with a header row is the ledger, continued by later tables of the same width
(a long table split in two). The text above it (title, 索引号/发文字号 metadata, the notice) gives the
title and year. A page without such a table is read as text: its paragraphs (a prose 要点) and its
tables as `|` rows go through the text readers.
"""

from __future__ import annotations

import re
from pathlib import Path

from zwgk.errors import LedgerError
from zwgk.rules.ledger.grid import expand_spans, find_header, grid_as_text, grid_source
from zwgk.rules.ledger.layout import Cell
from zwgk.rules.ledger.source import TableSource

_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "title", "section", "article"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode_html(data: bytes, source: str) -> str:
    m = _CHARSET.search(data[:4096])
    candidates = [m.group(1).decode("ascii", "ignore")] if m else []
    for encoding in [*candidates, "utf-8-sig", "gb18030"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise LedgerError(f"无法解码网页 / cannot decode {source}: expected UTF-8 or GBK")


def _cell_text(el) -> str:  # type: ignore[no-untyped-def]
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    parts = [t.strip() for t in re.split(r"\n", el.text_content())]
    return "\n".join(p for p in parts if p)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 500))
    except ValueError:
        return 1


def table_grid(table) -> list[list[Cell]]:  # type: ignore[no-untyped-def]
    rows = []
    for tr in table.iter("tr"):
        if tr.getparent() is not None and _owner(tr) is not table:
            continue  # a row of a nested table
        rows.append([(_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
                     for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")])
    return expand_spans(rows)


def _owner(el):  # type: ignore[no-untyped-def]
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _text_before(root, stop) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    for el in root.iter():
        if el is stop:
            break
        if isinstance(el.tag, str) and el.tag in ("title", "h1", "h2", "h3", "h4", "p") and _owner(el) is None:
            text = " ".join(el.text_content().split())
            if text:
                lines.append(text)
    return lines


def page_lines(root) -> list[str]:  # type: ignore[no-untyped-def]
    """The page as text lines: block elements end lines, table rows become `|` rows."""
    for table in list(root.iter("table")):
        if _owner(table) is not None:
            continue
        block = root.makeelement("pre", {})
        block.text = "\n" + "\n".join(grid_as_text(table_grid(table))) + "\n"
        block.tail = table.tail
        table.getparent().replace(table, block)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
    for bad in root.xpath("//script|//style"):
        bad.getparent().remove(bad)
    return [" ".join(line.split()) if "|" not in line else line.strip() for line in root.text_content().split("\n")]


def read_html(path: Path) -> TableSource:
    import lxml.html  # the crawler's parser

    data = path.read_bytes()
    try:
        root = lxml.html.document_fromstring(decode_html(data, str(path)))
    except Exception as exc:  # lxml's parser errors: not HTML at all
        raise LedgerError(f"无法读取网页文件 / cannot read {path} as HTML ({type(exc).__name__}: {exc})") from None
    tables = [t for t in root.iter("table") if _owner(t) is None]
    grids = [(t, table_grid(t)) for t in tables]
    for k, (table, grid) in enumerate(grids):
        if find_header(grid) is None:
            continue
        width = len(grid[0]) if grid else 0
        for _, more in grids[k + 1:]:  # the same table continued
            if more and len(more[0]) == width:
                grid = grid + more
        src = grid_source(grid, "html table", title_lines=_text_before(root, table))
        if src is not None:
            return src
    from zwgk.rules.ledger.text import read_text_source

    lines = [line for line in page_lines(root) if line.strip()]
    if not lines:
        raise LedgerError(f"台账为空 / ledger is empty: {path} has no text")
    src = read_text_source("\n".join(lines))
    src.dialect = f"html page ({src.dialect})"
    return src
