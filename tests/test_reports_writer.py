"""write_all: the files are the same whether the Excel file is written by a forked process or not,
and bench/compare_reports.py (the check the issue-12 changes were measured with) sees them equal."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zwgk.reports import writer

from support.reportdata import load, render

COMPARE = Path(__file__).parent.parent / "bench" / "compare_reports.py"


def _compare_module():
    spec = importlib.util.spec_from_file_location("compare_reports", COMPARE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["hostile-run", "demo-run"])
def test_forked_excel_writer_gives_the_same_files(tmp_path, monkeypatch, name):
    monkeypatch.setattr(writer, "PARALLEL_FINDINGS", 1)      # the fixtures have fewer findings than the bar
    results = load(name)
    alone = render(tmp_path / "one", results)
    paths = writer.write_all(tmp_path / "two", results, processes=2)
    assert paths.issues.is_file() and paths.bulletin.is_file() and paths.index.is_file()
    assert _compare_module().compare(alone.outdir, paths.outdir) == []


def test_compare_reports_sees_a_changed_cell(tmp_path):
    from openpyxl import load_workbook

    paths = render(tmp_path / "a", load("demo-run"))
    other = render(tmp_path / "b", load("demo-run"))
    wb = load_workbook(other.issues)
    ws = wb.worksheets[1]
    ws.cell(row=2, column=4).value = "改过的问题描述"
    wb.save(other.issues)
    problems = _compare_module().compare(paths.outdir, other.outdir)
    assert len(problems) == 1 and "cells differ" in problems[0]
