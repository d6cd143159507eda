"""Column catalogue (zwgk/rules/columns.yaml): contract keys, data sanity, strict loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.errors import ZwgkError
from zwgk.rules.columns import UPDATE_WINDOWS, load_columns, match_column, match_url

# DESIGN §7, the contract: checks, waivers and reports use these keys.
DESIGN_COLUMN_KEYS = [
    "gk.root", "gk.guide", "gk.system", "gk.statutory", "gk.annual_report", "gk.policy", "gk.interpretation",
    "gk.normative", "gk.planning", "gk.budget", "gk.debt", "gk.decision", "gk.solicitation", "gk.proposals",
    "gk.meetings", "gk.catalog", "gk.negative_list", "gk.gazette", "gk.power_list", "gk.enforcement",
    "gk.fees", "gk.public_enterprise", "gk.epidemic", "gk.news", "gk.notice", "gk.interaction", "gk.newmedia",
]


def test_every_design_column_key_is_present() -> None:
    columns = load_columns()
    assert set(DESIGN_COLUMN_KEYS) <= set(columns)
    for key, col in columns.items():
        assert col.key == key and col.name and col.update_window in UPDATE_WINDOWS


def test_the_four_first_level_columns_are_required_and_static_or_annual() -> None:
    columns = load_columns()
    for key in ("gk.root", "gk.guide", "gk.system", "gk.statutory", "gk.annual_report"):
        assert columns[key].required, key
    assert columns["gk.guide"].update_window == "static"
    assert columns["gk.system"].update_window == "static"
    assert columns["gk.annual_report"].update_window == "annual"
    assert columns["gk.news"].update_window == "two_weeks"
    assert columns["gk.policy"].update_window == "six_months"
    assert columns["gk.planning"].update_window == "one_year"
    assert columns["gk.planning"].has_freshness and not columns["gk.guide"].has_freshness


@pytest.mark.parametrize(("label", "key"), [
    ("政府信息公开", "gk.root"), ("政务公开", "gk.root"), ("信息公开目录", "gk.root"),
    ("法定主动公开内容", "gk.statutory"), ("主动公开目录", "gk.statutory"),
    ("政策文件", "gk.policy"), ("文件资料", "gk.policy"), ("政策法规", "gk.policy"),
    ("行政规范性文件", "gk.normative"), ("规范性文件", "gk.normative"),
    ("财政预决算", "gk.budget"), ("部门预决算", "gk.budget"), ("预算决算", "gk.budget"),
    ("政府信息公开年度报告", "gk.annual_report"), ("政策解读", "gk.interpretation"),
    (" 政府信息公开 指南 ", "gk.guide"), ("【通知公告】", "gk.notice"), ("“双随机、一公开”", "gk.enforcement"),
    ("首页", None),
])
def test_match_column_by_name_or_alias(label: str, key: str | None) -> None:
    assert match_column(label) == key


@pytest.mark.parametrize(("url", "key"), [
    ("https://www.x.gov.cn/zwgk/", "gk.root"),
    ("https://www.x.gov.cn/xxgk/zcwj/index.html", "gk.policy"),
    ("https://www.x.gov.cn/zfxxgk/fdzdgk/gfxwj/202107/t20210701_1.html", "gk.normative"),
    ("https://www.x.gov.cn/xxgk/zcjd/", "gk.interpretation"),
    ("https://www.x.gov.cn/ztzl/czyjs/", "gk.budget"),
    ("https://www.x.gov.cn/zfgb/2021/", "gk.gazette"),
    ("https://www.x.gov.cn/gkml/ysqgk/", "gk.guide"),
    ("https://www.x.gov.cn/news/zcwj.html", None),   # a file name is not a directory segment
])
def test_match_url_uses_the_deepest_known_segment(url: str, key: str | None) -> None:
    assert match_url(url) == key


def test_url_segments_from_the_reference_are_assigned() -> None:
    owner = {seg: c.key for c in load_columns().values() for seg in c.url_segments}
    expected = {"/zwgk/": "gk.root", "/xxgk/": "gk.root", "/zfxxgk/": "gk.root", "/gk/": "gk.root",
                "/gongkai/": "gk.root", "/gkml/": "gk.root", "/fdzdgk/": "gk.statutory",
                "/zcwj/": "gk.policy", "/zcjd/": "gk.interpretation", "/jd/": "gk.interpretation",
                "/gfxwj/": "gk.normative", "/zfgb/": "gk.gazette", "/czyjs/": "gk.budget"}
    assert {seg: owner.get(seg) for seg in expected} == expected


# --- strictness ------------------------------------------------------------------------------------

GOOD = """\
columns:
    gk.root:
        name: 政府信息公开
        aliases: [信息公开]
        url_segments: [/xxgk/]
        update_window: as_needed
        required: true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "columns.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    cols = load_columns(_write(tmp_path, GOOD))
    assert cols["gk.root"].aliases == ("信息公开",)


@pytest.mark.parametrize(("bad", "needles"), [
    (GOOD.replace("aliases:", "aliasses:"), ["gk.root", "aliasses"]),
    (GOOD.replace("as_needed", "weekly"), ["gk.root", "update_window", "weekly"]),
    (GOOD.replace("required: true", "required: yes please"), ["gk.root", "required"]),
    (GOOD.replace("        required: true\n", ""), ["gk.root", "missing key 'required'"]),
    (GOOD.replace("/xxgk/", "xxgk"), ["gk.root", "url_segments"]),
    (GOOD.replace("gk.root:", "Root:"), ["Root"]),
    (GOOD + "    gk.root:\n        name: x\n", ["duplicate key", "gk.root"]),
    (GOOD + "    gk.other:\n        name: 信息公开\n        update_window: static\n        required: false\n",
     ["gk.other", "信息公开", "gk.root"]),
    (GOOD.replace("columns:", "colums:"), ["columns"]),
])
def test_the_loader_is_strict(tmp_path: Path, bad: str, needles: list[str]) -> None:
    path = _write(tmp_path, bad)
    with pytest.raises(ZwgkError) as err:
        load_columns(path)
    message = str(err.value)
    assert str(path) in message
    for needle in needles:
        assert needle in message
