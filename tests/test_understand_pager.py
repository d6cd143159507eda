"""The quick marker tests in front of the pager and paging-hint patterns must never hide a match."""

from __future__ import annotations

import re

import pytest

from zwgk.understand import pager
from zwgk.understand._html import folded
from zwgk.understand.pager import PAGER_MARKUP, has_pager_markup, paging_hints

# re.IGNORECASE matches İ ı ſ K (Kelvin) with ASCII letters; str.lower() alone would miss them
ODD = ["<div class='PAGINATION'>", "<div CLASS = \"fenye\">", "<span class='ıpage'>", "<p claſs='pag'>",
       "<li class=\"x-PAGE-x\">", "下一页", "尾页", "末 页", "<a href='?p=2'>2</a>", "", "İ" * 5 + " class='pager'",
       "var TOTALRECORD = 12;", "perPage:'15'", "<TotalPage>4</TotalPage>", "pageSıze=10", "ſhowData: 20",
       "countnum=7", "var k = {rows: 10}", "ROWS = 3", "page_size: 30", "jpage_perpage=5", "records 5",
       "共 12 条", "var countPage = 3; var currentPage = 0;", "createPageHTML(5, 0, 'index', 'html')",
       "new Pager({size:6, current:0, prefix:'index', suffix:'html'})"]


@pytest.mark.parametrize("text", ODD)
def test_pager_markup_test_agrees_with_the_pattern(text: str) -> None:
    assert has_pager_markup(text) == bool(PAGER_MARKUP.search(text))


@pytest.mark.parametrize("text", ODD)
def test_no_marker_test_hides_a_case_insensitive_match(text: str) -> None:
    low = folded(text)
    assert len(low) == len(text)
    if pager._HINT_VARS.search(text):
        assert any(m in low for m in pager._HINT_MARKERS)
    if pager._XML_FIELDS.search(text):
        assert any(m in low for m in pager._XML_MARKERS)
    if pager._ROWS_ATTR.search(text):
        assert "rows" in low


def test_every_hint_name_holds_a_marker() -> None:
    names = re.search(r"\\b\((.*?)\)\\b", pager._HINT_VARS.pattern)
    assert names is not None
    for name in names.group(1).split("|"):
        plain = name.replace("s?", "").lower()
        assert any(m in plain for m in pager._HINT_MARKERS), name


def test_hints_read_upper_case_and_script_forms() -> None:
    hints = paging_hints("<script>var TOTALRECORD = 12; var PerPage = 5;</script>")
    assert (hints.total_records, hints.per_page, hints.pages()) == (12, 5, 3)
    assert paging_hints("<TotalPage>4</TotalPage>").total_pages == 4
    assert paging_hints("<p>nothing stated here</p>").any() is False
