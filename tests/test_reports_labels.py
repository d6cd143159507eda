"""Check titles for the reports come from the checks' declarations, without importing the checks."""

from __future__ import annotations

import json
import subprocess
import sys

from zwgk.checks.registry import all_checks
from zwgk.reports.check_titles import _declared, _from_source, check_titles
from zwgk.reports.labels import check_title


def test_titles_read_from_source_equal_the_registry() -> None:
    assert _from_source() == {cid: chk.meta.title for cid, chk in all_checks().items()}
    assert check_titles() == _from_source()


def test_check_title_with_params() -> None:
    title = all_checks()["column.missing"].meta.title
    assert check_title("column.missing[column=gk.planning]").startswith(title + "（")


def test_a_computed_title_is_not_guessed() -> None:
    literal = '@check(id="a.b", title="甲" "乙", severity="minor")\ndef f():\n    pass\n'
    assert _declared(literal) == {"a.b": "甲乙"}
    computed = '@check(id="a.b", title=TITLE, severity="minor")\ndef f():\n    pass\n'
    assert _declared(computed) is None


def test_reports_do_not_import_the_check_families() -> None:
    code = ("import json, sys; FAMILIES = ('zwgk.checks.', 'zwgk.understand', 'zwgk.crawler'); "
            "from zwgk.reports.labels import check_title; check_title('links.broken'); "
            "import zwgk.reports.writer; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(FAMILIES))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["zwgk.checks.base", "zwgk.checks.registry"]     # the contract, no family


def test_a_catalogue_id_the_reading_misses_falls_back_to_the_registry(monkeypatch) -> None:
    import zwgk.reports.check_titles as titles

    monkeypatch.setattr(titles, "_from_source", lambda: {"site.reachable": "站点首页可访问"})
    titles.check_titles.cache_clear()
    try:
        assert titles.check_titles() == {cid: chk.meta.title for cid, chk in all_checks().items()}
    finally:
        titles.check_titles.cache_clear()
