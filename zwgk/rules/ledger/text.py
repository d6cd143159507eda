"""Plain-text ledgers (.txt/.text/.md): find which layout the text has, by its structure.

Tried in order, the first that finds a header (or, last, numbered items) wins:
1. TSV         a line with >= 2 tabs whose cells are header labels (事项名称\\t主要任务\\t…);
2. tab-cell    Word's paste: lines led by a tab, one per cell, a header among the cells;
3. paragraph   a table flattened to one paragraph per cell: header labels alone on
   table       consecutive lines (通辽's 附件 台账 — the prose above it is not read);
4. prose       numbered paragraphs under 一、/（一） headings.
The file name is never looked at.
"""

from __future__ import annotations

from zwgk.errors import LedgerError
from zwgk.rules.ledger.paragraphs import read_paragraph_table
from zwgk.rules.ledger.pipes import read_line_cells, read_pipe_cells, read_pipe_rows
from zwgk.rules.ledger.prose import read_prose
from zwgk.rules.ledger.source import TableSource, ledger_from_source, preview_of
from zwgk.rules.ledger.tabcells import read_tab_cells, read_tsv
from zwgk.rules.models import Ledger


def split_lines(text: str) -> list[str]:
    return text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def read_text_source(text: str) -> TableSource:
    lines = split_lines(text)
    for reader in (read_pipe_rows, read_pipe_cells, read_tsv, read_tab_cells, read_paragraph_table,
                   read_line_cells):
        found = reader(lines)
        if found is not None:
            found.preview = preview_of(lines)
            return found
    src = read_prose(lines)
    src.preview = preview_of(lines)
    return src


def parse_text(text: str, ledger_id: str, source: str = "") -> Ledger:
    """Parse a ledger given as text. Raises LedgerError when the text is empty or has no tasks."""
    if not text or not text.strip():
        raise LedgerError(f"台账为空 / ledger is empty: {source or ledger_id} has no text "
                          "(expected a table with 序号/任务/责任单位/完成时限 columns or numbered items)")
    return ledger_from_source(read_text_source(text), ledger_id, source)


def decode(data: bytes, source: str) -> str:
    """Text of a ledger file: UTF-8 (with or without BOM), else GB18030 (older Windows exports)."""
    if b"\x00" in data[:4096]:
        raise LedgerError(f"不是文本文件 / not a text file: {source} contains binary data "
                          "(expected UTF-8 or GBK text)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError(f"无法解码 / cannot decode {source}: expected UTF-8 or GBK text")
