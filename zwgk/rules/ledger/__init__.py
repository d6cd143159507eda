"""Read 政务公开 work ledgers (工作台账 / 任务分解表 / 工作要点) into Task objects.

Public API (others code against these names):
    load_ledger(path, ledger_id=None) -> Ledger   by suffix: .txt/.text/.md, .docx, .xlsx/.xls/.csv, .yaml/.yml,
                                                   .html/.htm, .pdf
    parse_text(text, ledger_id, source="") -> Ledger
    parse_deadline(text, year) -> Deadline
    dump_yaml(ledger) -> str   /   load_yaml(text, source="", ledger_id=None) -> Ledger

How a file is read: every tabular source becomes one grid of cells with its merges resolved
(grid.py: .docx tables, .xlsx/.xls/.csv sheets, .html tables with rowspan/colspan, .pdf tables via
pdfplumber); text pastes are rebuilt into the same grid (text.py: `|` rows, one cell per line,
TSV, Word tab-cell paste, paragraph-per-cell 台账) or read as prose (prose.py: numbered or （一）
paragraphs, trailing unit brackets, "牵头落实" closers). One column-role detector (roles.py, with
the header synonyms in zwgk/rules/ledger_headers.yaml) says what each column holds; table.py turns
rows into tasks the same way for all of them. Layouts are recognised by structure, never by file
name. The canonical, editable forms are YAML (yaml_io.py) and the .xlsx workbook (xlsx_io.py), both
read back exactly; `zwgk ledger template` hands out the workbook.

Task numbers: a ledger's own numbers ("1".."32"); an unnumbered row that names its own task
(乐至's "年度报告" after task 31) becomes a sibling numbered "31.1" — see table.py.
"""

from __future__ import annotations

from pathlib import Path

from zwgk.errors import LedgerError
from zwgk.rules.ledger.dates import parse_deadline
from zwgk.rules.ledger.source import ledger_from_source
from zwgk.rules.ledger.text import decode, parse_text
from zwgk.rules.ledger.yaml_io import dump_yaml, load_yaml
from zwgk.rules.models import Ledger

__all__ = ["SUFFIXES", "dump_yaml", "load_ledger", "load_yaml", "parse_deadline", "parse_text"]

SUFFIXES: dict[str, str] = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".docx": "docx",
    ".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".xls": "spreadsheet", ".csv": "spreadsheet",
    ".yaml": "yaml", ".yml": "yaml",
    ".html": "html", ".htm": "html", ".shtml": "html",
    ".pdf": "pdf",
}


def load_ledger(path: str | Path, ledger_id: str | None = None) -> Ledger:
    """Read a ledger file. The id defaults to the file stem (for YAML: the id written in it).

    Raises LedgerError (message in Chinese and English, naming the file) when the file is
    missing or unreadable, its suffix unknown, it is empty, or it holds no recognisable task.
    A table whose cells are all empty gives a ledger with no tasks and a warning instead."""
    p = Path(path)
    if not p.exists():
        raise LedgerError(f"台账文件不存在 / ledger file not found: {p}")
    if not p.is_file():
        raise LedgerError(f"台账路径不是文件 / ledger path is not a file: {p}")
    kind = SUFFIXES.get(p.suffix.lower())
    if kind is None:
        raise LedgerError(f"不支持的台账格式 / unsupported ledger file type '{p.suffix or '(none)'}' for {p}: "
                          f"expected one of {', '.join(SUFFIXES)}")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LedgerError(f"无法读取台账文件 / cannot read ledger file {p}: {exc.strerror or exc}") from None
    if not data.strip():
        raise LedgerError(f"台账为空 / ledger is empty: {p} has no content")
    if kind == "text":
        return parse_text(decode(data, str(p)), ledger_id or p.stem, str(p))
    if kind == "yaml":
        ledger = load_yaml(decode(data, str(p)), str(p), ledger_id)
        if not ledger.id or ledger.id == "ledger":
            ledger.id = p.stem
            for task in ledger.tasks:
                task.ledger = p.stem
        return ledger
    if kind == "docx":
        from zwgk.rules.ledger.docx import parse_docx

        return parse_docx(p, ledger_id or p.stem)
    if kind == "html":
        from zwgk.rules.ledger.html import read_html

        return ledger_from_source(read_html(p), ledger_id or p.stem, str(p))
    if kind == "pdf":
        from zwgk.rules.ledger.pdf import read_pdf

        return ledger_from_source(read_pdf(p), ledger_id or p.stem, str(p))
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from zwgk.rules.ledger.xlsx_io import is_canonical, read_xlsx

        if is_canonical(p):  # the canonical workbook (`zwgk ledger parse --format xlsx`): read exactly
            ledger = read_xlsx(p, ledger_id)
            if not ledger_id and ledger.id == "ledger":
                ledger.id = p.stem
                for task in ledger.tasks:
                    task.ledger = p.stem
            return ledger
    from zwgk.rules.ledger.tabular import parse_tabular

    return parse_tabular(p, ledger_id or p.stem)
