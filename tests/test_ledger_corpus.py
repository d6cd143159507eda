"""Real ledgers from other localities (tests/fixtures/ledgers/real, holdout; see SOURCES.md there).

Each expectation was counted by hand from the page's text. The holdout ledgers were set aside while
the readers were built; their counts (EXPECTED.md) were written before the parser first ran on them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zwgk.rules.ledger import load_ledger
from zwgk.rules.ledger.text import read_text_source
from zwgk.rules.models import Ledger, Task

LEDGERS = Path(__file__).parent / "fixtures" / "ledgers"
REAL, HOLDOUT = LEDGERS / "real", LEDGERS / "holdout"

# file -> (tasks counted by hand, layout the text is read as)
EXPECTED: dict[str, tuple[int, str]] = {
    "real/beijing-city-2016-points.txt": (1, "prose"),
    "real/bozhou-qiaocheng-town-tasklist.txt": (9, "pipe cells"),
    "real/chizhou-xfj-tasklist.txt": (8, "pipe cells"),
    "real/county-bureau-points-and-breakdown.txt": (5, "pipe rows"),
    "real/county-points-closers.txt": (3, "prose (closers)"),
    "real/dingtao-district-2017-points.txt": (1, "prose"),
    "real/guanxian-county-2021-points.txt": (1, "prose"),
    "real/guizhou-fgw-2021-points.txt": (1, "prose"),
    "real/jiangmen-tdcb-2021-division.txt": (11, "pipe rows"),
    "real/jiangmen-wsjkj-2021-division.txt": (12, "pipe rows"),
    "real/jingzhou-city-2022-responsibility-list.txt": (3, "pipe rows"),
    "real/state-council-2016-points.txt": (1, "prose"),
    "real/suiling-county-2018-plan.txt": (1, "prose"),
    "real/taishan-city-2021-division.txt": (12, "pipe rows"),
    "real/taishan-wglj-2021-division.txt": (11, "pipe rows"),
    "real/xinyu-city-2023-points.txt": (1, "prose"),
    "real/xuancheng-city-2022-tasklist.txt": (2, "pipe cells"),
    "real/zhoushan-city-five-year-plan.txt": (1, "prose"),
    "holdout/guangdong-wsjkw-2021-taizhang.txt": (8, "pipe rows"),
    "holdout/zhejiang-district-2022-breakdown.txt": (7, "pipe rows"),
    "holdout/taishan-city-division.txt": (6, "pipe rows"),
    "holdout/dongguan-city-2021-division.txt": (3, "pipe cells"),
    "holdout/honggutan-district-2022-points.txt": (2, "prose"),
}
# Other formats of three of them (built by real/build_variants.py from the pages' tables).
VARIANTS = {
    "chizhou-xfj-tasklist": ("docx", "pdf"),
    "jiangmen-wsjkj-2021-division": ("html", "docx", "pdf"),
    "taishan-city-2021-division": ("xlsx", "xls"),
}

_cache: dict[str, Ledger] = {}


def led(name: str) -> Ledger:
    if name not in _cache:
        _cache[name] = load_ledger(LEDGERS / name)
    return _cache[name]


def task(name: str, number: str) -> Task:
    found = [t for t in led(name).tasks if t.number == number]
    assert len(found) == 1, f"{name}#{number}"
    return found[0]


def test_the_corpus_is_large_and_varied() -> None:
    files = [*REAL.glob("*.txt"), *HOLDOUT.glob("*.txt")]
    assert len(files) == len(EXPECTED) >= 20
    assert {f"{p.parent.name}/{p.name}" for p in files} == set(EXPECTED)
    assert len({layout for _, layout in EXPECTED.values()}) >= 4
    formats = {"txt"} | {ext for exts in VARIANTS.values() for ext in exts}
    assert formats >= {"txt", "docx", "xlsx", "xls", "html", "pdf"}
    sources = (REAL / "SOURCES.md").read_text(encoding="utf-8") + (HOLDOUT / "SOURCES.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert Path(name).name in sources, f"{name} has no source address"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hand_counted_tasks(name: str) -> None:
    count, layout = EXPECTED[name]
    ledger = led(name)
    assert len(ledger.tasks) == count
    assert read_text_source((LEDGERS / name).read_text(encoding="utf-8")).dialect == layout
    for t in ledger.tasks:
        assert t.text.strip() or t.title.strip(), t.id
        assert t.source_row, t.id


@pytest.mark.parametrize("stem", sorted(VARIANTS))
def test_other_formats_give_the_same_tasks(stem: str) -> None:
    base = led(f"real/{stem}.txt")
    for ext in VARIANTS[stem]:
        other = load_ledger(REAL / f"{stem}.{ext}", stem)
        assert [t.number for t in other.tasks] == [t.number for t in base.tasks], ext
        for a, b in zip(base.tasks, other.tasks, strict=True):
            assert (a.text, a.section, a.title) == (b.text, b.section, b.title), (ext, a.number)
            assert (a.lead_units, a.responsible_units, a.deadline) == (b.lead_units, b.responsible_units,
                                                                       b.deadline), (ext, a.number)


# --- spot checks, by hand from the pages --------------------------------------------------------

def test_chizhou_group_labels_are_sections_and_units_come_from_the_keshi_column() -> None:
    name = "real/chizhou-xfj-tasklist.txt"
    one = task(name, "1")
    assert one.text.startswith("对行政规范性文件进行全面清理") and one.section == ["强化行政规范性文件集中规范公开"]
    assert (one.responsible_units, one.deadline.text) == (["办公室"], "年底前")
    assert task(name, "4").section == ["做好主动公开基础工作"]   # the merged group cell covers #3 and #4
    assert task(name, "6").responsible_units == ["办公室"] and task(name, "6").deadline.kind == "continuous"


def test_town_ledger_without_numbers() -> None:
    name = "real/bozhou-qiaocheng-town-tasklist.txt"
    assert task(name, "1").responsible_units == ["财政所", "便民综合服务中心", "土管所"]
    assert task(name, "3").responsible_units == ["民政办公室", "卫生院"]
    assert task(name, "6").text.startswith("按照“三同步”要求") and task(name, "6").section == ["提升解读咨询水平"]


def test_pipe_rows_with_merged_group_and_unit_cells() -> None:
    name = "real/taishan-city-2021-division.txt"
    assert task(name, "2").lead_units == ["市政府办公室", "市发展和改革局"]
    for n in ("7", "8"):   # one unit cell spans #7 and #8
        assert task(name, n).lead_units == ["市财政局"] and "市直各部门" in task(name, n).responsible_units
    assert task(name, "10").responsible_units[0] == "市民政局"
    assert task(name, "8").section == ["三、做好财政信息公开。"]
    wglj = "real/taishan-wglj-2021-division.txt"
    assert task(wglj, "2").lead_units == ["办公室"]   # merged with #1's cell
    assert task(wglj, "9").lead_units == ["广电旅游和公共服务股(行政审批服务股)"]


def test_jiangmen_units_with_lead_marks() -> None:
    tdcb = "real/jiangmen-tdcb-2021-division.txt"
    assert (task(tdcb, "4").lead_units, task(tdcb, "4").responsible_units) == (["办公室"], ["各科室"])
    assert task(tdcb, "1").responsible_units == ["财务科"]
    wsjkj = "real/jiangmen-wsjkj-2021-division.txt"
    assert (task(wsjkj, "5").lead_units, task(wsjkj, "5").responsible_units) == (["局防控办"], ["各工作组"])
    assert task(wsjkj, "12").responsible_units == ["局办公室"]
    assert led(wsjkj).title == "江门市卫生健康局2021年政务公开工作要点分工方案" and led(wsjkj).year == 2021


def test_two_group_columns_and_a_number_column() -> None:
    name = "real/jingzhou-city-2022-responsibility-list.txt"
    one = task(name, "1")
    assert one.section == ["一、以公开助力经济平稳健康发展。", "(一)加强涉及市场主体的信息公开。"]
    assert one.deadline.text == "持续推进" and "市政府各有关部门" in one.responsible_units
    assert task(name, "3").lead_units == ["市发展改革委"]


def test_inline_sub_items_stay_in_their_task_and_remarks_hold_the_deadline() -> None:
    name = "real/xuancheng-city-2022-tasklist.txt"
    one = task(name, "1")
    assert one.title == "行政规范性文件集中公开" and one.section == ["一、年底前专项工作任务"]
    assert "2.按照省定行政规范性文件格式规范" in one.text and "3.市公开平台建立专栏" in one.text
    assert one.deadline.text == "11月底前完成" and one.deadline.date == date(2022, 11, 30)
    assert task(name, "2").title == "基层政务公开提升"


def test_prose_units_from_trailing_brackets_and_closers() -> None:
    zhoushan = task("real/zhoushan-city-five-year-plan.txt", "1")
    assert zhoushan.lead_units == ["市府办〔市大数据局〕"]
    assert "市政府各部门" in zhoushan.responsible_units
    assert "(市府办" not in zhoushan.text and zhoushan.text.startswith("(一)夯实主动公开基础")
    closers = "real/county-points-closers.txt"
    assert task(closers, "1").lead_units == ["縣編辦"] and task(closers, "3").lead_units == ["縣民政局"]
    assert task(closers, "2").text.startswith("(二)推進市場監")
    assert "國務院審改辦" in task("real/state-council-2016-points.txt", "1").responsible_units


def test_prose_items_with_a_notice_and_metadata_above() -> None:
    assert led("real/guanxian-county-2021-points.txt").title == "2021年冠县政务公开工作要点"
    assert task("real/guanxian-county-2021-points.txt", "1").text.startswith("(一)推进重点工作信息公开")
    assert task("real/xinyu-city-2023-points.txt", "1").section[-1] == "(一)加强重大战略实施信息公开"
    assert task("real/suiling-county-2018-plan.txt", "1").text.startswith("把公开透明作为政府工作的基本要求")
    assert task("real/beijing-city-2016-points.txt", "1").text.startswith("(一)进一步推进权力清单和责任清单公开")


def test_holdout_spot_checks() -> None:
    gd = "holdout/guangdong-wsjkw-2021-taizhang.txt"
    assert task(gd, "2").responsible_units == ["疾控处"] and task(gd, "2").text.startswith("扎实做好疫苗接种")
    assert task(gd, "3").deadline.text == "2021年8月前" and task(gd, "6").responsible_units == ["财务处"]
    assert {"应急处", "基层处"} <= set(task(gd, "1").responsible_units)
    zj = "holdout/zhejiang-district-2022-breakdown.txt"
    assert task(zj, "1").deadline.text == "全年" and task(zj, "1").responsible_units[0] == "區發改局"
    assert (task(zj, "3").deadline.text, task(zj, "3").responsible_units[0]) == ("12月底前", "區財政局")
    assert task(zj, "4").deadline.text == "三季度前"
    ts = "holdout/taishan-city-division.txt"
    assert task(ts, "1").responsible_units == ["市政府办公室", "市司法局"]
    assert task(ts, "3").responsible_units == ["各镇(街)"] and task(ts, "4").lead_units == ["市财政局"]
    dg = "holdout/dongguan-city-2021-division.txt"
    assert task(dg, "2").responsible_units == ["各镇街(园区)", "具有行政职能的市直各单位"]
    assert task(dg, "2").text.startswith("2021年底前制定")
    hg = "holdout/honggutan-district-2022-points.txt"
    assert task(hg, "1").responsible_units[:3] == ["区政府办公室", "区政数局", "区发改委"]


def test_no_ledger_in_the_corpus_is_unreadable() -> None:
    for path in sorted([*REAL.iterdir(), *HOLDOUT.iterdir()]):
        if path.suffix in (".md", ".py"):
            continue
        assert load_ledger(path).tasks, path.name
