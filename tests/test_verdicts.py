"""Honest verdicts end to end (DESIGN §11, §12): every conclusion rests on evidence the run saw.

On the simulated portals: an unreachable site, a Ctrl-C'd run and its resume, page caps that did and
did not leave the 专栏 covered, a list only a browser can read with no browser, 复查 while a site is
down, and evaluating one stored run online and offline. Each asserts the exact verdict, the check
statuses and the findings.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zwgk.portal_sim import DnsFixture, RunningPortal

from support.portals import AS_OF
from support.runhelp import run_dir, write_inspection, zwgk, zwgk_popen
from support.variants import (
    LARGE,
    SCRIPTED,
    closed_port,
    large_spec,
    results_of,
    scripted_spec,
    statuses,
    without_times,
)

pytestmark = pytest.mark.slow

LOOPBACK_ONLY = {"https.available": "fail"}       # loopback serves HTTP only: the one real finding
QUIET = {"screenshots": False}


@pytest.fixture(scope="module")
def variants() -> Iterator[tuple[RunningPortal, DnsFixture]]:
    with RunningPortal([large_spec(), scripted_spec()]) as portal, portal.dns() as dns:
        yield portal, dns


def audit(portal: RunningPortal, dns: DnsFixture, which: tuple[str, str, str], out: Path, **crawl: Any
          ) -> tuple[Any, Path]:
    key, name, _host = which
    config = write_inspection(out / "inspection.yaml", [{"name": name, "url": portal.url(key), "unit": "县政府办公室"}],
                              dns=dns.address, as_of=AS_OF.isoformat(), max_depth=30, **{**QUIET, **crawl})
    done = zwgk("audit", "-c", str(config), "-o", str(out / "runs"), timeout=600)
    return done, run_dir(out / "runs")


# --- unreachable ------------------------------------------------------------------------------------

def test_unreachable_site_gets_no_verdict_and_nothing_invented(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/"
    done = zwgk("check", url, "-o", str(tmp_path), "--no-screenshots", "--as-of", AS_OF.isoformat())
    run = run_dir(tmp_path)
    assert done.returncode == 3, done.stderr[-2000:]
    assert f"继续运行 / to resume: zwgk audit --resume {run}" in done.stdout
    site = results_of(run)["sites"][0]
    assert (site["verdict"], site["score"]) == ("无法评估", None)
    assert site["assessment"]["assessed"] is False
    assert site["assessment"]["reasons"] == ["站点无法访问：连接被拒绝"]
    assert site["assessment"]["resume"] == f"zwgk audit --resume {run}"
    assert site["crawl"]["coverage"]["status"] == "unreachable"
    # the reachability veto candidate is the one finding; every other check says it cannot judge
    assert [f["key"] for f in site["findings"]] == ["site.reachable|/|"]
    assert site["findings"][0]["evidence"]["candidate"] is True
    assert statuses(site, skip=()) == {c["key"]: ("fail" if c["id"] == "site.reachable" else "inconclusive")
                                       for c in site["checks"]}
    for check in site["checks"][1:]:
        assert check["details"]["reason"] and check["details"]["missing"], check["key"]
    assert site["scoring"]["vetoes"] == [] and site["scoring"]["deductions"] == []
    assert "无法评估 1" in done.stdout and "合格 0" in done.stdout


# --- interrupted ------------------------------------------------------------------------------------

def _stored_pages(run_root: Path) -> int:
    for db in run_root.glob("*/crawl.sqlite"):
        try:
            return int(sqlite3.connect(db).execute("SELECT COUNT(*) FROM pages").fetchone()[0])
        except sqlite3.Error:
            return 0
    return 0


def test_ctrl_c_writes_what_it_has_exits_130_and_resume_completes(variants, tmp_path: Path) -> None:
    portal, dns = variants
    key, name, _ = LARGE
    site = {"name": name, "url": portal.url(key), "unit": "县政府办公室"}
    config = write_inspection(tmp_path / "inspection.yaml", [site], dns=dns.address, as_of=AS_OF.isoformat(),
                              max_depth=30, max_pages=5000, concurrency_per_site=1, delay=0.02, **QUIET)
    proc = zwgk_popen("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
    deadline = time.monotonic() + 120
    while _stored_pages(tmp_path / "runs") < 20 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before it could be interrupted"
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    run = run_dir(tmp_path / "runs")
    assert proc.returncode == 130, err[-2000:]
    assert f"继续运行 / to resume: zwgk audit --resume {run}" in out
    site = results_of(run)["sites"][0]          # written before exiting
    assert (site["verdict"], site["score"], site["crawl"]["status"]) == ("无法评估", None, "interrupted")
    assert site["assessment"]["reasons"] == ["抓取被中断（Ctrl-C），继续运行后才能评估"]
    assert site["assessment"]["resume"] == f"zwgk audit --resume {run}"

    done = zwgk("audit", "--resume", str(run), timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    site = results_of(run)["sites"][0]
    assert (site["verdict"], site["score"], site["crawl"]["status"]) == ("合格", 99.0, "complete")
    assert site["assessment"] == {"assessed": True, "reasons": [], "missing": [], "resume": None}
    assert statuses(site) == LOOPBACK_ONLY
    assert [f["key"] for f in site["findings"]] == ["https.available|/|https"]

    # a finished run: resuming it says so and changes nothing
    before = (run / "results.json").read_bytes()
    again = zwgk("audit", "--resume", str(run))
    assert again.returncode == 0
    assert "该运行已完成，未做任何改动" in again.stdout
    assert (run / "results.json").read_bytes() == before


# --- capped ---------------------------------------------------------------------------------------

def test_capped_crawl_that_covered_the_zhuanlan_is_assessed(variants, tmp_path: Path) -> None:
    """200 of the portal's 526 pages: the focused crawl took the 专栏, its columns and documents first;
    what the cap cut (old 政务动态 items) no scored check needed."""
    portal, _dns = variants
    done, run = audit(*variants, LARGE, tmp_path, max_pages=200)
    assert done.returncode == 0, done.stderr[-2000:]
    site = results_of(run)["sites"][0]
    coverage = site["crawl"]["coverage"]
    assert (coverage["status"], coverage["capped"]) == ("capped", ["max_pages"])
    assert site["crawl"]["pages"] == 200 < portal.truth(LARGE[0])["counts"]["pages"]
    # every column's list was read: from its markup, or through a paging adapter
    assert {c["state"] for c in coverage["columns"].values()} <= {"fetched", "script_listed"}
    assert (site["verdict"], site["score"], site["assessment"]["assessed"]) == ("合格", 99.0, True)
    assert statuses(site) == LOOPBACK_ONLY
    assert [f["key"] for f in site["findings"]] == ["https.available|/|https"]
    # checks that read the crawled pages say they read only what the capped crawl fetched
    partial = {c["key"] for c in site["checks"] if c["details"].get("partial")}
    assert {"links.broken", "content.terms", "doc.metadata"} <= partial


def test_capped_crawl_that_cut_the_zhuanlan_is_not_assessed(variants, tmp_path: Path) -> None:
    done, run = audit(*variants, LARGE, tmp_path, max_pages=20, concurrency_per_site=1)
    assert done.returncode == 3, done.stderr[-2000:]
    assert f"继续运行 / to resume: zwgk audit --resume {run}" in done.stdout
    site = results_of(run)["sites"][0]
    columns = site["crawl"]["coverage"]["columns"]
    unreached = [c["name"] for c in columns.values() if c["state"] == "not_reached"]
    assert unreached
    assert (site["verdict"], site["score"]) == ("无法评估", None)
    reasons = site["assessment"]["reasons"]
    assert reasons[0] == f"抓取达到页数上限，以下栏目未抓到：{'、'.join(unreached)}"
    assert "以下栏目未抓到" in done.stderr                          # the report says which columns
    lacking = {m["check"]: m["evidence"] for m in site["assessment"]["missing"]}
    for key, col in columns.items():
        if col["state"] == "not_reached":
            assert lacking[f"column.empty[column={key}]"] in ("column_list", "column_tree")
            assert statuses(site)[f"column.empty[column={key}]"] == "inconclusive"
    # a defect that was seen is still listed (not scored); nothing "not found" was invented
    assert [f["key"] for f in site["findings"]] == ["https.available|/|https"]
    assert set(statuses(site).values()) == {"inconclusive", "fail"}
    assert [k for k, v in statuses(site).items() if v == "fail"] == ["https.available"]


# --- a list only a browser can read ---------------------------------------------------------------

def test_script_built_list_without_a_browser_is_unknown_not_missing(variants, tmp_path: Path) -> None:
    done, run = audit(*variants, SCRIPTED, tmp_path, max_pages=2000, render_js="never")
    assert done.returncode == 0, done.stderr[-2000:]
    site = results_of(run)["sites"][0]
    assert site["crawl"]["coverage"]["columns"]["gk.annual_report"]["state"] == "unread"
    assert statuses(site) == {**LOOPBACK_ONLY, "column.empty[column=gk.annual_report]": "inconclusive",
                              "report.annual": "inconclusive"}
    annual = next(c for c in site["checks"] if c["key"] == "report.annual")
    assert annual["details"]["missing"] == ["browser"]
    assert annual["summary"].startswith("无法判定：「政府信息公开年报」栏目列表需浏览器渲染，未能读取")
    assert [f["key"] for f in site["findings"]] == ["https.available|/|https"]     # no 未找到年报
    assert (site["verdict"], site["score"]) == ("合格", 99.0)                       # a complete crawl …
    assert "结论不变" in site["scoring"]["reason"]          # … whose unknowns cannot overturn the pass


# --- 复查 while the site is down; evaluating one run online and offline -------------------------------

@pytest.fixture(scope="module")
def baseline(audit_portal: RunningPortal, audit_dns: DnsFixture, tmp_path_factory) -> tuple[Path, str]:
    """A self-check of example-a (planted defects): the baseline the 复查 compares against."""
    out = tmp_path_factory.mktemp("baseline")
    done = zwgk("check", audit_portal.url("example-a"), "--dns", audit_dns.address, "--name", "甲县人民政府",
                "--unit", "县政府办公室", "--max-pages", "2000", "--as-of", AS_OF.isoformat(), "--no-screenshots",
                "-o", str(out), timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return run_dir(out), audit_dns.address


def test_recheck_while_the_site_is_down_claims_no_fix(baseline, tmp_path: Path) -> None:
    """The same site (name, unit, host) answers nowhere this time, on another port: every old
    finding is 未能复查, none 已整改; the reachability finding is the one new one."""
    old_run, dns = baseline
    old = results_of(old_run)["sites"][0]
    live = [f for f in old["findings"] if not f["waived"]]
    assert len(live) > 10
    down = f"http://www.example-a.gov.cn:{closed_port()}/"
    done = zwgk("check", down, "--dns", dns, "--name", "甲县人民政府", "--unit", "县政府办公室",
                "--as-of", AS_OF.isoformat(), "--no-screenshots", "--baseline", str(old_run), "-o", str(tmp_path))
    assert done.returncode == 3, done.stderr[-2000:]
    results = results_of(run_dir(tmp_path))
    assert results["sites"][0]["verdict"] == "无法评估"
    diff = results["diff"]["sites"]
    assert len(diff) == 1 and diff[0]["presence"] == "both"            # matched by identity, not URL
    assert diff[0]["counts"] == {"new": 1, "open": 0, "fixed": 0, "unverified": len(live), "waived": 0}
    assert [f["check"] for f in diff[0]["new"]] == ["site.reachable"]
    assert {f["match"] for f in diff[0]["unverified"]} == {f["key"] for f in live}   # keys without the port


def test_evaluate_online_and_offline_give_the_same_results(baseline) -> None:
    """Network facts were probed at crawl time: evaluating again, online or offline, re-judges those
    records — the same results.json as the run wrote, apart from when it was written."""
    run, _dns = baseline
    written = without_times(results_of(run))
    assert written["run"]["probed_at"]
    online = zwgk("evaluate", str(run), "--no-screenshots")
    assert online.returncode in (0, 1), online.stderr[-2000:]
    assert without_times(results_of(run)) == written
    offline = zwgk("evaluate", str(run), "--offline")
    assert offline.returncode == online.returncode, offline.stderr[-2000:]
    assert without_times(results_of(run)) == written
    site = results_of(run)["sites"][0]
    assert {c["key"]: c["status"] for c in site["checks"] if c["id"] in ("ipv6.aaaa", "https.available",
                                                                        "site.search", "site.reachable")} == {
        "site.reachable": "pass", "ipv6.aaaa": "pass", "https.available": "fail", "site.search": "pass"}

    reprobed = zwgk("evaluate", str(run), "--reprobe", "--no-screenshots")
    assert reprobed.returncode == online.returncode, reprobed.stderr[-2000:]
    again = results_of(run)
    assert again["run"]["probed_at"] >= written["run"]["probed_at"]
    assert [f["key"] for f in again["sites"][0]["findings"]] == [f["key"] for f in written["sites"][0]["findings"]]
    both = zwgk("evaluate", str(run), "--reprobe", "--offline")
    assert both.returncode == 2 and "不能同时使用" in both.stderr


def test_resume_retries_a_site_that_was_unreachable(tmp_path: Path) -> None:
    """Down at the first run (3, the resume command printed); up again, `--resume` fetches its
    homepage again, crawls it and gives it its verdict."""
    from zwgk.portal_sim.dns import records_for

    from support.variants import clean_variant

    spec = clean_variant("retry", "南坪县人民政府", "www.retry.gov.cn")
    port = closed_port()
    with DnsFixture(records_for(["www.retry.gov.cn"])) as dns:
        site = {"name": spec.name, "url": f"http://www.retry.gov.cn:{port}/", "unit": "县政府办公室"}
        config = write_inspection(tmp_path / "inspection.yaml", [site], dns=dns.address, as_of=AS_OF.isoformat(),
                                  max_depth=30, max_pages=2000, **QUIET)
        done = zwgk("audit", "-c", str(config), "-o", str(tmp_path / "runs"))
        run = run_dir(tmp_path / "runs")
        assert done.returncode == 3 and f"zwgk audit --resume {run}" in done.stdout
        assert results_of(run)["sites"][0]["assessment"]["reasons"] == ["站点无法访问：连接被拒绝"]
        with RunningPortal([spec], port=port):
            done = zwgk("audit", "--resume", str(run), timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        got = results_of(run)["sites"][0]
        assert (got["verdict"], got["score"], got["crawl"]["status"]) == ("合格", 99.0, "complete")
        assert [f["key"] for f in got["findings"]] == ["https.available|/|https"]


def test_audit_takes_the_probe_stages_network_results_as_the_records_give_them(baseline, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """zwgk audit's evaluation does not re-judge the probing checks: it takes the probe stage's live
    results. Live against stored, check by check: the evaluation re-judging the records the probe stage
    just wrote gives exactly the results it took."""
    import shutil

    from zwgk import pipeline
    from zwgk.checks.base import Check
    from zwgk.checks.registry import all_checks
    from zwgk.rundir import RunDir

    run_path = tmp_path / "run"
    shutil.copytree(baseline[0], run_path)
    run = RunDir.open(run_path)
    insp = run.load_config()
    ledgers = pipeline.validate(insp)
    probing = {cid for cid, chk in all_checks().items() if chk.meta.probes}
    assert {"site.reachable", "ipv6.aaaa", "ipv6.reachable", "ipv6.links", "https.available", "links.broken",
            "site.search"} <= probing
    pipeline.probe_stage(run, insp, evaluation_next=True)          # live, recorded
    ran: list[str] = []
    real_run = Check.run

    def counted(self: Check, ctx: Any, params: dict[str, Any]) -> Any:
        ran.append(self.meta.id)
        return real_run(self, ctx, params)

    monkeypatch.setattr(Check, "run", counted)
    taken = pipeline.evaluate(run, insp, ledgers, screenshots=False).results["sites"][0]
    assert ran and not probing & set(ran)                           # none of them judged again
    ran.clear()
    stored = pipeline.evaluate(run, insp, ledgers, screenshots=False).results["sites"][0]
    assert probing <= set(ran)                                      # nothing handed on: re-judged
    for check_id in sorted(probing):
        live = [c for c in taken["checks"] if c["id"] == check_id]
        again = [c for c in stored["checks"] if c["id"] == check_id]
        assert live and live == again, check_id
        assert ([f for f in taken["findings"] if f["check"] == check_id]
                == [f for f in stored["findings"] if f["check"] == check_id]), check_id
    assert taken == stored
