"""The CLI's contract with people: clear messages and the exit codes of DESIGN §3."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.runhelp import run_dir, store_of, write_inspection, zwgk


def test_missing_config_is_usage_error(tmp_path):
    done = zwgk("audit", "-c", str(tmp_path / "nope.yaml"), "-o", str(tmp_path))
    assert done.returncode == 2
    assert "找不到检查配置文件" in done.stderr and "Traceback" not in done.stderr


def test_invalid_config_names_key_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: 检查\nsites:\n  - name: 某区\n    url: www.example.gov.cn\n    unti: 办公室\n"
                   "crawl:\n  max_pages: 0\n", encoding="utf-8")
    done = zwgk("audit", "-c", str(bad), "-o", str(tmp_path / "runs"))
    assert done.returncode == 2
    err = done.stderr
    assert "sites.0.url（第 4 行" in err and "网址无效" in err
    assert "sites.0.unti（第 5 行" in err and "未知配置项" in err
    assert "crawl.max_pages（第 7 行" in err
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()          # nothing started


def test_yaml_syntax_error_names_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsites: [\n", encoding="utf-8")
    done = zwgk("audit", "-c", str(bad))
    assert done.returncode == 2 and "YAML 语法错误" in done.stderr and "第 3 行" in done.stderr


def test_unreadable_ledger_stops_before_crawling(tmp_path):
    ledger = tmp_path / "empty.txt"
    ledger.write_text("\n\n", encoding="utf-8")
    config = write_inspection(tmp_path / "i.yaml", [{"name": "a", "url": "http://127.0.0.1:9/"}],
                              ledger=str(ledger))
    done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 2 and "empty.txt" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()


def test_bad_url_for_self_check(tmp_path):
    done = zwgk("crawl", "-c", str(write_inspection(tmp_path / "i.yaml", [{"name": "a", "url": "ftp://x"}])))
    assert done.returncode == 2 and "网址无效" in done.stderr


def test_resume_of_a_non_run_directory(tmp_path):
    done = zwgk("crawl", "--resume", str(tmp_path))
    assert done.returncode == 2 and "不是有效的运行目录" in done.stderr


def test_ledger_parse_prints_a_table():
    done = zwgk("ledger", "parse", "tests/fixtures/ledgers/shenyang-city-2021-breakdown.txt")
    assert done.returncode == 0
    assert "完成政府网站IPv6改造" in done.stdout and "ipv6.aaaa" in done.stdout
    assert "共 28 项任务" in done.stdout


def test_checks_list_covers_the_catalogue():
    done = zwgk("checks", "list")
    assert done.returncode == 0
    assert done.stdout.count("依据：") == 18 and "尚未实现" not in done.stdout


@pytest.mark.slow
def test_page_cap_cuts_the_least_important_pages(portal, dns_server, tmp_path):
    """With a cap far below the portal's size, the 政府信息公开 columns are still all fetched."""
    site = portal.site("example-a")
    config = write_inspection(tmp_path / "i.yaml", [{"name": site.spec.name, "url": portal.url("example-a"),
                                                      "hosts": list(site.hosts)}],
                              dns=dns_server.address, max_pages=35, max_depth=30, concurrency_per_site=2)
    done = zwgk("crawl", "-c", str(config), "-o", str(tmp_path / "runs"))
    assert done.returncode == 3                      # capped: incomplete, said so
    assert "达到上限" in done.stdout
    store = store_of(run_dir(tmp_path / "runs"))
    assert store.sites()[0]["capped"] == ["max_pages"]
    fetched = {p.url for p in store.pages(kind="page") if p.error_kind != "robots"}
    assert 30 <= len(fetched) <= 35                  # redirect hops spend budget without a record of their own
    columns = {c["url"] for c in portal.truth("example-a")["columns"].values()}
    missing = {u for u in columns if u not in fetched and u + "index.html" not in fetched}
    assert not missing, missing


# --- everything validated before anything is fetched (exit 2, nothing written) ----------------------

def _config(tmp_path, body: str):
    path = tmp_path / "inspection.yaml"
    path.write_text(body, encoding="utf-8")
    return path


GOOD = "name: 检查\nas_of: 2026-11-22\nsites:\n  - name: 某区\n    url: http://127.0.0.1:9/\n"


def _refused(done, tmp_path, *needles: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)
    assert not (tmp_path / "runs").exists()                     # nothing written under the output dir


def test_impossible_as_of_is_a_config_error_with_its_line(tmp_path):
    config = _config(tmp_path, GOOD.replace("2026-11-22", "2026-13-45"))
    done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    _refused(done, tmp_path, "as_of（第 2 行 / line 2）", "日期无效", "2026-13-45")


def test_unknown_profile_and_threshold_stop_the_run_before_the_crawl(tmp_path):
    config = _config(tmp_path, GOOD + "scoring:\n  profile: national-2099\n  thresholds: {homepage_stale_dayz: 7}\n")
    done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    _refused(done, tmp_path, "scoring.profile（第 7 行 / line 7）", "找不到评分方案")
    config = _config(tmp_path, GOOD + "scoring:\n  thresholds: {homepage_stale_dayz: 7}\n")
    done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    _refused(done, tmp_path, "scoring.thresholds.homepage_stale_dayz（第 7 行 / line 7）", "没有此项")


def test_bad_waivers_and_check_options_name_file_key_and_line(tmp_path):
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("- check: links.broken\n  reason: 旧栏目\n  expires: 2027-02-30\n"
                       "- check: links.brokn\n  reason: 拼错\n", encoding="utf-8")
    config = _config(tmp_path, GOOD + "waivers: waivers.yaml\nchecks: {content_termz: [某词]}\n")
    done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    _refused(done, tmp_path, f"{waivers}: 豁免清单无效", "0.expires（第 3 行 / line 3）", "日期无效",
             "1.check（第 4 行 / line 4）", "未知检查项", "checks.content_termz（第 7 行 / line 7）", "未知检查选项")


def test_config_check_validates_only(tmp_path):
    good = _config(tmp_path, GOOD)
    done = zwgk("config", "check", "-c", str(good))
    assert done.returncode == 0, done.stderr
    assert "配置有效" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inspection.yaml"]      # nothing written
    bad = _config(tmp_path, GOOD.replace("2026-11-22", "2026-13-45"))
    done = zwgk("config", "check", "-c", str(bad))
    assert done.returncode == 2 and "as_of（第 2 行" in done.stderr and "Traceback" not in done.stderr


def test_a_docx_template_that_is_no_docx_stops_the_run(tmp_path):
    template = tmp_path / "红头.docx"
    template.write_text("not a word document", encoding="utf-8")
    done = zwgk("audit", "-c", str(_config(tmp_path, GOOD)), "-o", str(tmp_path / "runs"),
                "--docx-template", str(template))
    _refused(done, tmp_path, "--docx-template", "不是有效的 Word")


def test_self_check_without_as_of_judges_today_and_a_dead_site_exits_3(tmp_path):
    from support.variants import closed_port

    done = zwgk("check", f"http://127.0.0.1:{closed_port()}/", "-o", str(tmp_path), "--no-screenshots")
    run = run_dir(tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert f"继续运行 / to resume: zwgk audit --resume {run}" in done.stdout
    assert "无法评估" in done.stdout and "Traceback" not in done.stderr


def test_a_local_audit_does_not_import_the_distributed_layer_or_the_excel_reader(tmp_path):
    # Start-up cost (issue 12): redis, psycopg (the distributed layer) and openpyxl (a baseline's
    # returned 问题清单) are imported only when the run needs them, not on the way to every crawl.
    config = write_inspection(tmp_path / "insp.yaml", [{"name": "甲", "url": "http://127.0.0.1:9/"}])
    code = ("import json, sys\n"
            "import zwgk.pipeline as pipeline\n"
            "def stop(*args, **kwargs):\n"
            "    heavy = ('redis', 'psycopg', 'openpyxl', 'zwgk.distributed')\n"
            "    print(json.dumps(sorted({m.split('.')[0] if not m.startswith('zwgk') else m for m in sys.modules\n"
            "                             if m.startswith(heavy)})))\n"
            "    raise SystemExit(0)\n"
            "pipeline.crawl_stage = stop\n"
            "from zwgk.cli import main\n"
            f"sys.argv = ['zwgk', 'audit', '-c', {str(config)!r}, '-o', {str(tmp_path / 'runs')!r}]\n"
            "main()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(("body", "code", "stderr"), [
    ("sys.exit(3)", 3, ""),
    ("sys.exit('出错了')", 1, "出错了"),
    ("print('已完成'); sys.exit(0)", 0, ""),
])
def test_the_command_keeps_its_exit_code_and_output_when_it_skips_teardown(tmp_path, body, code, stderr):
    script = ("import sys\nimport zwgk.cli as cli\n"
              f"def fake(**kwargs):\n    {body}\n"
              "cli.cli = fake\ncli.main()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr.strip()) == (code, stderr)
    assert ("已完成" in proc.stdout) == (body.startswith("print"))


def test_the_command_waits_for_a_thread_still_at_work(tmp_path):
    # main() ends with os._exit only when nothing else runs; a live thread's work is not cut short
    done = tmp_path / "done"
    script = ("import sys, threading, time\nimport zwgk.cli as cli\n"
              f"def work():\n    time.sleep(0.5)\n    open({str(done)!r}, 'w').write('ok')\n"
              "def fake(**kwargs):\n    threading.Thread(target=work).start()\n    sys.exit(4)\n"
              "cli.cli = fake\ncli.main()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4 and done.read_text() == "ok"
