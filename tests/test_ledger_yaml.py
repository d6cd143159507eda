"""The canonical YAML form: round trip, readability, hand edits, strictness about keys."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from zwgk.errors import LedgerError
from zwgk.rules.ledger import dump_yaml, load_ledger, load_yaml
from zwgk.rules.models import CheckRef, Deadline, Ledger, Task

FIXTURES = Path(__file__).parent / "fixtures" / "ledgers"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_round_trip_of_every_ledger(path: Path) -> None:
    led = load_ledger(path)
    assert load_yaml(dump_yaml(led)) == led


def _mapped() -> Ledger:
    led = load_ledger(FIXTURES / "chengzihe-district-2021-ledger.txt")
    t = led.tasks[22]
    t.checks = [CheckRef("site.ipv6", {}, "ipv6"),
                CheckRef("column.stale", {"column": "gk.planning", "days": 30}, "r2")]
    t.coverage = "partial"
    t.manual_hint = "核对 IPv6 支持度报告\n并截图留存"
    led.warnings.append("一条提示")
    return led


def test_round_trip_carries_checks_coverage_and_hint() -> None:
    led = _mapped()
    back = load_yaml(dump_yaml(led))
    assert back == led
    assert back.tasks[22].checks[1].params == {"column": "gk.planning", "days": 30}
    assert back.tasks[22].coverage == "partial"


def test_yaml_is_readable_and_ordered() -> None:
    text = dump_yaml(_mapped())
    assert "城子河区2021年政务公开工作台账" in text and "\\u" not in text   # Chinese as is
    assert "manual_hint: |-\n    核对 IPv6 支持度报告\n    并截图留存" in text    # line breaks as a block
    data = yaml.safe_load(text)
    assert list(data) == ["id", "title", "year", "source", "warnings", "tasks"]
    assert list(data["tasks"][0]) == ["number", "title", "section", "text", "sub_items", "lead_units",
                                      "responsible_units", "deadline", "checks", "coverage", "manual_hint",
                                      "source_row"]
    assert data["tasks"][22]["number"] == "23" and data["tasks"][22]["deadline"]["date"] == "2021-11-15"
    assert dump_yaml(_mapped()) == text  # stable


def test_hand_edited_values_are_accepted() -> None:
    text = """
id: demo
year: 2021
coverage: {total: 2, automated: 0, partial: 0, manual: 2}   # report summary: ignored
tasks:
- number: 7
  text: 公开预决算
  lead_units: 区财政局
  deadline: {kind: date, date: 2021-06-30, text: 6月底}
- number: '7.1'
  text: 补充事项
"""
    led = load_yaml(text, "demo.yaml")
    first, second = led.tasks
    assert first.number == "7" and first.lead_units == ["区财政局"] and first.ledger == "demo"
    assert first.deadline == Deadline("date", date(2021, 6, 30), "6月底")
    assert second.number == "7.1" and second.deadline.kind == "unknown" and second.coverage == "manual"
    assert led.source == "demo.yaml"


@pytest.mark.parametrize(("text", "needle"), [
    ("tasks: [{number: '1', text: x, lead_unit: [a]}]", "lead_unit"),
    ("id: x\ntask: []", "tasks"),
    ("tasks: [{text: x}]", "number"),
    ("tasks: [{number: '1', deadline: {kind: soon}}]", "soon"),
    ("tasks: [{number: '1', deadline: {kind: date, date: 2021-13-45}}]", "2021-13-45"),
    ("tasks: [{number: '1', coverage: full}]", "full"),
    ("year: next\ntasks: []", "year"),
    ("tasks: [: :", "not valid YAML"),
])
def test_bad_yaml_is_a_clear_error(text: str, needle: str) -> None:
    with pytest.raises(LedgerError) as err:
        load_yaml(text, "bad.yaml")
    assert "bad.yaml" in str(err.value) and needle in str(err.value)


def test_load_ledger_reads_yaml_files(tmp_path: Path) -> None:
    led = _mapped()
    path = tmp_path / "saved.yaml"
    path.write_text(dump_yaml(led), encoding="utf-8")
    back = load_ledger(path)
    assert back.id == led.id and back.tasks == led.tasks          # id from the file, not the stem
    renamed = load_ledger(path, ledger_id="other")
    assert renamed.id == "other" and {t.ledger for t in renamed.tasks} == {"other"}
    bare = tmp_path / "bare.yml"
    bare.write_text("tasks: [{number: '1', text: 公开}]", encoding="utf-8")
    assert load_ledger(bare).id == "bare" and load_ledger(bare).tasks[0].id == "bare#1"


def test_task_of_another_ledger_keeps_its_id() -> None:
    led = Ledger(id="a", tasks=[Task(ledger="b", number="1", text="x")])
    assert "ledger: b" in dump_yaml(led)
    assert load_yaml(dump_yaml(led)) == led
