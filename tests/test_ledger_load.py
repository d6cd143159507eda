"""load_ledger: suffix dispatch, ids, and the errors people see."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.errors import LedgerError, ZwgkError
from zwgk.rules.ledger import load_ledger, parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"
SAMPLES = Path(__file__).parent.parent / "zwgk" / "config" / "samples" / "ledgers"


def test_bundled_samples_are_the_fixtures() -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.txt"))
    assert len(names) == 5
    for name in names:
        assert (SAMPLES / name).read_bytes() == (FIXTURES / name).read_bytes()


def test_id_defaults_to_the_stem_and_can_be_named(tmp_path: Path) -> None:
    assert load_ledger(FIXTURES / "lezhi-county-2021-breakdown.txt").id == "lezhi-county-2021-breakdown"
    led = load_ledger(FIXTURES / "lezhi-county-2021-breakdown.txt", ledger_id="lz")
    assert led.id == "lz" and led.tasks[0].id == "lz#1"
    md = tmp_path / "plan.md"
    md.write_text((FIXTURES / "yicheng-district-2021-plan.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(load_ledger(md).tasks) == 16


def test_gbk_text_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.text"
    path.write_bytes((FIXTURES / "shenyang-city-2021-breakdown.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert len(load_ledger(path).tasks) == 28


def _error(path: Path) -> str:
    with pytest.raises(LedgerError) as err:
        load_ledger(path)
    assert isinstance(err.value, ZwgkError) and err.value.exit_code == 2
    return str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    message = _error(tmp_path / "nope.txt")
    assert "不存在" in message and "not found" in message and "nope.txt" in message


def test_directory(tmp_path: Path) -> None:
    assert "not a file" in _error(tmp_path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "ledger.odt"
    path.write_bytes(b"PK\x03\x04")
    message = _error(path)
    assert "'.odt'" in message and ".docx" in message and ".pdf" in message and "不支持" in message


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.xlsx", "empty.yaml"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"  \n")
    message = _error(path)
    assert "为空" in message and "empty" in message and name in message


def test_binary_text_file(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 4)
    assert "junk.txt" in _error(path)


def test_text_without_tasks(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_text("各单位：\n请认真做好政务公开工作。\n区政府办公室\n", encoding="utf-8")
    message = _error(path)
    assert "没有可识别的任务" in message and "no recognisable tasks" in message and "letter.txt" in message


def test_table_of_empty_cells_gives_no_tasks_and_a_warning() -> None:
    text = "\t序号\n\t具体内容\n\t责任单位\n\t完成时限\n\n\t\n\t\n\t\n\t\n\n\t\n\t\n\t\n\t\n"
    led = parse_text(text, "blank")
    assert led.tasks == [] and any("no filled cells" in w for w in led.warnings)


def test_table_without_numbers_is_numbered_in_row_order() -> None:
    text = ("事项名称\t主要任务\t责任单位\t完成时限\n公开规划\t公开各类规划\t区政府办\t9月底\n"
            "\t并及时更新\t\t\n公开财政\t公开预决算\t\t12月底\n")
    led = parse_text(text, "nonum", "nonum.txt")
    assert [(t.number, t.title) for t in led.tasks] == [("1", "公开规划"), ("2", "公开财政")]
    assert led.tasks[0].sub_items == ["公开各类规划", "并及时更新"]
    assert led.tasks[1].responsible_units == ["区政府办"]  # blank cell: same as the row above
    assert any("numbered in row order" in w for w in led.warnings)


def test_headings_without_tasks_is_an_error() -> None:
    with pytest.raises(LedgerError, match="no recognisable tasks"):
        parse_text("一、总体要求\n（一）加强领导\n做好工作。\n", "x", "x.txt")


def test_word_paste_with_header_cells_on_one_line_is_not_tsv() -> None:
    text = "\t序号\t任务名称\t具体内容\t责任单位\t完成时限\n\n\t1\n\t规划\n\t公开各类规划。\n\t区政府办\n\t9月底前\n"
    led = parse_text(text, "paste")
    assert [(t.number, t.title, t.responsible_units) for t in led.tasks] == [("1", "规划", ["区政府办"])]


def test_parse_text_empty() -> None:
    with pytest.raises(LedgerError, match="empty"):
        parse_text("   \n", "x", "x.txt")
