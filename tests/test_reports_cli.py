"""The report side of the CLI: `report` re-renders from results.json, the --fail-on gate and its exit
codes, the one-line summary, `audit --baseline` wiring, and `check URL` against the simulated portal."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from zwgk.cli import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, cli, exit_code
from zwgk.pipeline import write_reports
from zwgk.reports.summary import summary_line
from zwgk.rundir import RunDir

from support.reportdata import load
from support.runhelp import write_inspection, zwgk

OUTPUTS = ("results.json", "index.html", "通报.docx", "问题清单.xlsx", "junit.xml")


def stored(tmp_path, name="hostile-run"):
    run = tmp_path / "run"
    run.mkdir()
    (run / "results.json").write_text(json.dumps(load(name), ensure_ascii=False), encoding="utf-8")
    return run


def test_report_rerenders_everything_from_results_json(tmp_path):
    run = stored(tmp_path)
    done = CliRunner().invoke(cli, ["report", str(run), "--deadline", "2027-01-15", "--issuer", "某市政务公开办"])
    assert done.exit_code == 0, done.output
    for name in OUTPUTS:
        assert (run / name).is_file(), name
    assert sorted(p.name for p in (run / "sites").iterdir()) == [
        "www.example-a.gov.cn.html", "www.example-b.gov.cn.html", "www.example-c.gov.cn.html",
        "www.example-d.gov.cn.html"]
    assert f"报告 / report: {run / 'index.html'}" in done.output
    assert done.output.rstrip().splitlines()[-1].startswith("zwgk: 网站 4 · 合格 1 · 不合格 1 · 无法评估 2")


def test_report_into_another_directory_and_from_a_file(tmp_path):
    run = stored(tmp_path)
    shot = run / "screenshots" / "www.example-a.gov.cn"
    shot.mkdir(parents=True)
    (shot / "1.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (shot / "1.thumb.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    done = CliRunner().invoke(cli, ["report", str(run / "results.json"), "-o", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assert all((tmp_path / "out" / name).is_file() for name in OUTPUTS)
    # the screenshots the reports show go with them
    assert (tmp_path / "out" / "screenshots" / "www.example-a.gov.cn" / "1.thumb.png").is_file()


def test_report_without_results_is_usage_error(tmp_path):
    done = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert done.exit_code == 2 and "results.json" in done.output


@pytest.mark.parametrize(("name", "level", "incomplete", "code"), [
    ("hostile-run", "veto", False, EXIT_FINDINGS),       # a veto site trips the default gate
    ("demo-run", "veto", False, EXIT_OK),
    ("demo-run", "veto", True, EXIT_INCOMPLETE),         # nothing at the level, but a site not assessed
    ("demo-run", "deduct", False, EXIT_FINDINGS),
    ("demo-run", "any", False, EXIT_FINDINGS),
    ("hostile-run", "never", True, EXIT_INCOMPLETE),
])
def test_fail_on_levels_give_design_exit_codes(name, level, incomplete, code):
    assert exit_code(load(name), incomplete, level, None) == code


def test_fail_on_new_only_fails_on_findings_absent_from_baseline():
    old = load("demo-run")
    assert exit_code(old, False, "new", copy.deepcopy(old)) == EXIT_OK
    new = copy.deepcopy(old)
    extra = copy.deepcopy(new["sites"][1]["findings"][0])
    extra["target"] = "gk.something_else"
    extra["key"] = f"{extra['check']}|{extra['url']}|{extra['target']}"
    new["sites"][1]["findings"].append(extra)
    assert exit_code(new, False, "new", old) == EXIT_FINDINGS
    with pytest.raises(click.UsageError):
        exit_code(new, False, "new", None)


def test_fail_on_new_without_baseline_stops_before_crawling(tmp_path):
    config = write_inspection(tmp_path / "i.yaml", [{"name": "a", "url": "http://127.0.0.1:9/"}])
    done = CliRunner().invoke(cli, ["audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--fail-on", "new"])
    assert done.exit_code == 2 and "--baseline" in done.output
    assert not (tmp_path / "runs").exists()


def test_write_reports_with_baseline_stores_the_diff(tmp_path):
    old = load("demo-run")
    new = copy.deepcopy(old)
    new["sites"][0]["findings"] = new["sites"][0]["findings"][1:]
    paths = write_reports(RunDir(tmp_path), new, baseline=old)
    stored_results = json.loads(paths.results.read_text(encoding="utf-8"))
    assert stored_results["diff"]["totals"]["fixed"] == 1
    assert paths.diff is not None and paths.diff.is_file()
    assert "复查 新增 0 已整改 1" in summary_line(stored_results)


def test_summary_line_is_one_greppable_line():
    line = summary_line(load("hostile-run"), fail_on="veto", exit_code=1)
    assert "\n" not in line and line.startswith("zwgk: ")
    assert "单项否决 1 站" in line and "问题 73（单项否决 1 严重 50 一般 22 提示 0）" in line
    assert "疑似表述待核实 1" in line
    assert line.endswith("fail-on=veto · exit=1")


@pytest.mark.slow
def test_self_check_against_simulated_portal(portal, dns_server, tmp_path):
    site = portal.site("example-a")
    hosts = [h for h in site.hosts if h != site.hosts[0]]
    args = ["check", portal.url("example-a", "/"), "--dns", dns_server.address, "--delay", "0", "--as-of",
            "2026-11-22", "--name", "东岚县人民政府", "--unit", "东岚县人民政府办公室", "-o", str(tmp_path)]
    for h in hosts:
        args += ["--host", h]
    done = zwgk(*args)
    assert done.returncode in (EXIT_OK, EXIT_FINDINGS), done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"结论：(合格|不合格)\s+得分：[\d.]+", out), out
    assert "优先整改：" in out and re.search(r"（[a-z0-9]+\.[a-z]+）\d+ 处", out)
    page = re.search(r"网站报告 / site report: (\S+)", out)[1]
    html = Path(page).read_text(encoding="utf-8")
    # no --ledger: the national checks only, said so, and no sample ledger passed off as the unit's
    assert "未指定工作台账（--ledger）：只按全国性检查项评价" in done.stderr
    assert "东岚县人民政府" in html and "工作台账任务落实情况" not in html
    summary = Path(re.search(r"汇总 / summary: (\S+)", out)[1]).read_text(encoding="utf-8")
    assert "城子河" not in summary and "未使用工作台账" in summary
    assert "任务落实率" not in out.rstrip().splitlines()[-1]
    assert out.rstrip().splitlines()[-1].startswith("zwgk: 网站 1")
    # the CI log shows the crawl's status line between the run directory and the summary
    assert re.search(r"zwgk 抓取进度：站点 1/1 完成 · 已抓取 \d+（[\d.]+ 个/秒）", done.stderr)


def test_self_check_rejects_a_bad_url(tmp_path):
    done = CliRunner().invoke(cli, ["check", "ftp://example.gov.cn/", "-o", str(tmp_path)])
    assert done.exit_code == 2 and "网址无效" in done.output
    assert not any(tmp_path.iterdir())


def test_bundled_ci_workflow_runs_nightly_with_the_new_gate():
    from importlib import resources

    import yaml

    text = (resources.files("zwgk.config") / "ci" / "zwgk-nightly.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow[True]["schedule"][0]["cron"]               # `on:` parses as True in YAML 1.1
    steps = workflow["jobs"]["audit"]["steps"]
    audit = next(s for s in steps if s.get("id") == "audit")["run"]
    assert "--baseline baseline --fail-on new" in audit
    assert any("upload-artifact" in s.get("uses", "") for s in steps)


def test_progress_numbers_per_site_with_rate_and_time_left(tmp_path):
    """The numbers behind the terminal display and the CI status line, from a real crawl state."""
    import io
    import time

    from rich.console import Console

    from zwgk.crawler.progress import Progress, ProgressDisplay
    from zwgk.crawler.state import CrawlState, SiteState
    from zwgk.store import Store

    store = Store(tmp_path / "crawl.sqlite")
    for n in range(30):
        store.add_frontier("a", f"http://a.gov.cn/{n}", "GET", "page", 1, 0, None, None)
    store.db.commit()
    a = SiteState("a", max_pages=100, max_depth=8, max_seconds=3600, started=time.monotonic() - 10, fetched=50,
                  errors=2)
    b = SiteState("b", max_pages=20, max_depth=8, max_seconds=3600, started=time.monotonic() - 10, fetched=20)
    progress = Progress(CrawlState(store, {"a": a, "b": b}), {"a": "东岚县人民政府", "b": "西崖县人民政府"})
    east, west = progress.sites()
    assert (east.fetched, east.waiting, east.total, east.done) == (50, 30, 80, False)
    assert 4.5 < east.rate < 5.5 and 5 < east.remaining < 7        # 30 pages left at ~5 pages/s
    assert (west.total, west.done, west.remaining) == (20, True, 0.0)
    line = progress.line()
    assert line.startswith("zwgk 抓取进度：站点 1/2 完成 · 已抓取 70（")
    assert "待抓取 30" in line and "错误 2" in line and "预计剩余 0:0" in line and "东岚县人民政府 50/80" in line
    display = ProgressDisplay(progress, live=True, interval=0.5)
    buffer = io.StringIO()
    display._start_live(Console(file=buffer, force_terminal=True, width=160))
    display.show()
    display.view.refresh()
    display.view.stop()
    out = buffer.getvalue()
    assert "东岚县人民政府" in out and "50/80" in out and "页/秒" in out and "剩余" in out


def test_init_writes_a_commented_starting_folder(tmp_path):
    from zwgk.config.inspection import load_inspection
    from zwgk.config.waivers import load_waivers
    from zwgk.pipeline import load_ledgers

    folder = tmp_path / "检查"
    done = CliRunner().invoke(cli, ["init", str(folder)])
    assert done.exit_code == 0, done.output
    assert {p.name for p in folder.iterdir()} == {"inspection.yaml", "waivers.yaml", "台账.yaml"}
    text = (folder / "inspection.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 20 and "timezone: Asia/Shanghai" in text
    insp = load_inspection(folder / "inspection.yaml")             # valid as written
    assert [len(lg.tasks) for lg in load_ledgers(insp)] == [2]
    assert load_waivers(insp.resolve(insp.waivers)) == []
    assert "zwgk audit -c" in done.output
    again = CliRunner().invoke(cli, ["init", str(folder)])
    assert again.exit_code == 2 and "--force" in again.output       # nothing is overwritten silently


def test_shipped_samples_load():
    from importlib import resources

    from zwgk.config.inspection import load_inspection
    from zwgk.pipeline import load_ledgers

    samples = resources.files("zwgk.config") / "samples"
    insp = load_inspection(Path(str(samples / "inspection.yaml")))
    assert insp.ledgers[0].is_file() and load_ledgers(insp)


def test_help_is_chinese_for_every_option():
    runner = CliRunner()

    def commands(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if isinstance(command, click.Group):
                yield from commands(command, [*prefix, name])

    for path, command in [([], cli), *commands(cli, [])]:
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and re.search(r"[\u4e00-\u9fff]", param.help), (path, param.name)
        out = runner.invoke(cli, [*path, "--help"]).output
        assert "用法：" in out and "选项：" in out and "Usage:" not in out and "Show this message" not in out
    bad = runner.invoke(cli, ["audit", "--fail-on", "x"])
    assert bad.exit_code == 2 and "错误：" in bad.output and "不在可选值" in bad.output


def test_readme_cites_what_the_repository_has():
    """README's DESIGN sections exist in docs/DESIGN.md (anchors included), and every repository path it
    names (ledgers, samples, CI example) exists."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text(encoding="utf-8")
    design = (root / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    sections = {m[1]: m[0] for m in re.finditer(r"^## (\d+)\. .*$", design, re.M)}
    for number in re.findall(r"DESIGN §(\d+)", readme):
        assert number in sections, number
    for anchor in re.findall(r"docs/DESIGN\.md#([\w-]+)", readme):
        slugs = {re.sub(r"[^\w\- ]", "", h[3:].lower()).replace(" ", "-") for h in sections.values()}
        assert anchor in slugs, anchor
    paths = set(re.findall(r"(?<![\w/])((?:zwgk|docs|tests|bench)/[\w./-]+\.(?:txt|yaml|yml|md|py))", readme))
    assert paths, "README names no paths?"
    for path in paths:
        assert (root / path).exists(), path
    assert "zwgk crawl" in readme and "zwgk init" in readme and "zwgk feedback" in readme
