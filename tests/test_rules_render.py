"""`zwgk ledger parse` output: CJK-aware table, JSON, YAML."""

from __future__ import annotations

import json
from datetime import date

from zwgk.rules.mapping import apply_rules
from zwgk.rules.models import Deadline, Ledger, Task
from zwgk.rules.render import display_width, render_json, render_table, render_yaml, truncate


def sample() -> Ledger:
    return apply_rules(Ledger(id="demo", title="某区2021年政务公开工作台账", tasks=[
        Task(ledger="demo", number="1", text="区政府门户网站要全部支持互联网协议第6版。", lead_units=["区政府办公室"],
             deadline=Deadline(kind="date", date=date(2021, 11, 15), text="2021年11月15日前")),
        Task(ledger="demo", number="2",
             text="在政府门户网站政府信息公开专栏主动公开国民经济和社会发展第十四个五年规划纲要、国土空间规划、专项规划。",
             lead_units=["区政府办公室", "区发改局", "区自然资源和规划局"]),
        Task(ledger="demo", number="3", text="健全政务新媒体监管机制，有序开展清理整合。"),
        Task(ledger="demo", number="30", text="根据疫情防控形势，组织开展政府信息公开工作培训。",
             deadline=Deadline(kind="date", date=date(2021, 12, 31))),
    ]))


def test_display_width_counts_cjk_as_two() -> None:
    assert display_width("abc") == 3
    assert display_width("政务公开") == 8
    assert display_width("（IPv6）") == 8   # full-width brackets are wide
    assert display_width("e\u0301") == 1    # combining accent takes no column


def test_truncate_cuts_on_display_width_with_an_ellipsis() -> None:
    assert truncate("政务公开", 8) == "政务公开"
    cut = truncate("政务公开工作台账", 9)
    assert cut.endswith("…") and display_width(cut) <= 9
    assert truncate("abcdef", 4) == "abc…"


def test_table_columns_line_up_in_display_width() -> None:
    lines = render_table(sample()).splitlines()
    assert lines[0].startswith("某区2021年政务公开工作台账")
    header, rows = lines[1], lines[3:7]
    assert [c.strip() for c in header.split(" | ")] == ["编号", "章节", "任务", "责任单位", "时限", "核查方式"]

    def bars(line: str) -> list[int]:   # display column of every separator
        cols, out = 0, []
        for i, ch in enumerate(line):
            if line[i:i + 3] == " | ":
                out.append(cols)
            cols += display_width(ch)
        return out

    assert all(bars(row) == bars(header) for row in rows)


def test_table_shows_checks_manual_and_coverage() -> None:
    text = render_table(sample())
    row = {line.split(" | ")[0].strip(): line for line in text.splitlines() if " | " in line}
    assert "ipv6.aaaa, ipv6.reachable, ipv6.links" in row["1"]
    assert "column[gk.planning]" in row["2"] and "…" in row["2"]
    assert row["3"].rstrip().endswith("+人工")
    assert "人工核查" in row["30"]
    assert "2021年11月15日前" in row["1"] and "2021-12-31" in row["30"]
    assert "—" in row["3"]   # no unit
    assert "区政府办公室、区发改局、区自然…" in row["2"] or "区政府办公室" in row["2"]
    assert text.rstrip().splitlines()[-1] == "共 4 项任务：自动核查 2 项，部分自动 1 项，需人工核查 1 项"


def test_json_carries_tasks_checks_and_coverage() -> None:
    data = json.loads(render_json(sample()))
    assert data["id"] == "demo"
    assert data["coverage"] == {"total": 4, "automated": 2, "partial": 1, "manual": 1}
    first = data["tasks"][0]
    assert first["checks"][0] == {"check": "ipv6.aaaa", "params": {}, "rule": "ipv6"}
    assert first["deadline"]["date"] == "2021-11-15"
    assert data["tasks"][3]["coverage"] == "manual" and data["tasks"][3]["manual_hint"]
    assert "互联网协议第6版" in render_json(sample())   # not \\u-escaped


def test_yaml_is_the_parsers_reloadable_form_plus_a_coverage_comment() -> None:
    from zwgk.rules.ledger import load_yaml

    text = render_yaml(sample())
    assert "# 共 4 项任务：自动核查 2 项，部分自动 1 项，需人工核查 1 项" in text.splitlines()[:3]
    again = load_yaml(text)
    assert [t.to_dict() for t in again.tasks] == [t.to_dict() for t in sample().tasks]
