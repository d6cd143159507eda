"""复查: findings new / fixed / still open by key (check, URL, target), per site and per unit."""

from __future__ import annotations

import copy
import json

from click.testing import CliRunner

from zwgk.cli import cli
from zwgk.reports.diff import compare
from zwgk.reports.gate import gate_hits

from support.reportdata import load, render


def pair():
    """(old, new): the new run fixed one broken link, found a new one, reworded another message."""
    old = load("demo-run")
    new = copy.deepcopy(old)
    a_old, a_new = old["sites"][0], new["sites"][0]
    links = [f for f in a_new["findings"] if f["check"] == "links.broken"]
    fixed = links[0]
    a_new["findings"].remove(fixed)
    added = copy.deepcopy(links[1])
    added["target"] = "http://www.example-a.gov.cn/new-broken.html"
    added["key"] = f"links.broken|{added['url']}|{added['target']}"
    a_new["findings"].append(added)
    links[2]["message"] = "措辞改了，但还是同一个问题"
    return old, new, fixed, added, a_old


def test_new_fixed_open_by_key_not_message():
    old, new, fixed, added, a_old = pair()
    delta = compare(old, new)
    a = delta["sites"][0]
    assert [f["key"] for f in a["new"]] == [added["key"]]
    assert [f["key"] for f in a["fixed"]] == [fixed["key"]]
    assert a["counts"]["open"] == len(a_old["findings"]) - 1        # the reworded one is still open
    b = delta["sites"][1]
    assert b["counts"] == {"new": 0, "open": len(old["sites"][1]["findings"]), "fixed": 0, "unverified": 0,
                           "waived": 0}
    units = {u["unit"]: u["counts"] for u in delta["units"]}
    assert units["东岚县人民政府办公室"]["new"] == 1 and units["东岚县人民政府办公室"]["fixed"] == 1


def test_gone_but_not_judged_is_unverified_not_fixed():
    old, new, *_ = pair()
    b = new["sites"][1]
    b["verdict"], b["findings"] = "无法评估", []
    delta = compare(old, new)
    assert delta["sites"][1]["counts"]["fixed"] == 0
    assert delta["sites"][1]["counts"]["unverified"] == len(old["sites"][1]["findings"])


def test_diff_agrees_with_the_new_gate():
    old, new, *_ = pair()
    assert compare(old, new)["totals"]["new"] == 1
    assert gate_hits(new, "new", old) == ["东岚县人民政府：新增问题 1 个"]
    assert gate_hits(old, "new", old) == []


def test_reports_mark_new_and_fixed(tmp_path):
    old, new, *_ = pair()
    new["diff"] = compare(old, new)
    paths = render(tmp_path, new)
    assert paths.diff is not None and paths.diff.is_file()
    site = (tmp_path / "sites" / "www.example-a.gov.cn.html").read_text(encoding="utf-8")
    assert 'class="badge d-new">新增</span>' in site and "已整改" in site
    index = paths.index.read_text(encoding="utf-8")
    assert "新增 1 个，已整改 1 个" in index
    assert json.loads(paths.results.read_text(encoding="utf-8"))["diff"]["totals"]["new"] == 1


def test_diff_command_writes_html_and_json(tmp_path):
    old, new, *_ = pair()
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "results.json").write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "new" / "results.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
    done = CliRunner().invoke(cli, ["diff", str(tmp_path / "old"), str(tmp_path / "new")])
    assert done.exit_code == 0, done.output
    assert "合计：新增 1，已整改 1" in done.output
    assert "东岚县人民政府办公室：新增 1，已整改 1" in done.output
    data = json.loads((tmp_path / "new" / "diff.json").read_text(encoding="utf-8"))
    assert data["totals"]["new"] == 1
    html = (tmp_path / "new" / "diff.html").read_text(encoding="utf-8")
    assert "new-broken.html" in html and "按责任单位" in html
    as_json = CliRunner().invoke(cli, ["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--format", "json"])
    assert json.loads(as_json.output)["totals"]["fixed"] == 1


def test_diff_command_missing_run_is_usage_error(tmp_path):
    done = CliRunner().invoke(cli, ["diff", str(tmp_path / "nope"), str(tmp_path / "nope2")])
    assert done.exit_code == 2 and "results.json" in done.output
