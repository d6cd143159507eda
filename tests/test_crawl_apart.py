"""`zwgk audit` crawls in a forked child (zwgk/crawler/apart.py), so that the command's process evaluates
without the heap the crawl grew: its answer, its errors, its death and the signals that reach it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from zwgk.crawler.apart import CrawlDied, run_apart

from support.compare import sites as _sites
from support.compare import wait_for as _wait_for
from support.procs import crawl_started, ended, running, wait_gone
from support.runhelp import run_dir, store_of, write_inspection, zwgk, zwgk_popen


def test_the_answer_comes_back_from_another_process():
    pid, value = run_apart(lambda: (os.getpid(), {"pages": [1, 2, 3]}))
    assert pid != os.getpid() and value == {"pages": [1, 2, 3]}


def test_an_exception_in_the_child_is_raised_here():
    def fail() -> None:
        raise ValueError("抓取失败")

    with pytest.raises(ValueError, match="抓取失败"):
        run_apart(fail)


def test_a_killed_child_is_a_crawl_that_died():
    with pytest.raises(CrawlDied):
        run_apart(lambda: os.kill(os.getpid(), signal.SIGKILL))


def test_sigint_and_sigterm_to_the_command_reach_the_crawl_once():
    def crawl() -> list[int]:
        got: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: got.append(signum))
        for sig in (signal.SIGINT, signal.SIGTERM):
            os.kill(os.getppid(), sig)
        deadline = time.monotonic() + 20
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)             # a second delivery would show here
        return got

    before = signal.getsignal(signal.SIGINT)
    assert run_apart(crawl) == [signal.SIGINT, signal.SIGTERM]
    assert signal.getsignal(signal.SIGINT) is before       # the command's own handlers are back


@pytest.mark.slow
def test_audit_crawls_apart_and_a_killed_audit_leaves_no_crawl_behind(portal, dns_server, tmp_path):
    """The crawl's workers are not the command's process; SIGKILL of the command takes them all with it,
    and `--resume` completes the run."""
    config = write_inspection(tmp_path / "i.yaml", _sites(portal, "example-b"), dns=dns_server.address,
                              concurrency_per_site=1, delay=0.05, max_pages=1000, max_depth=30, render_js="never",
                              screenshots=False)
    with running(zwgk_popen("audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "2")) as proc:
        pids = _wait_for(lambda: crawl_started(tmp_path / "runs", 20, 2))
        assert proc.pid not in pids.values()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        wait_gone(list(pids.values()), "its audit")
    run = run_dir(tmp_path / "runs")
    done = zwgk("audit", "--resume", str(run), "--workers", "2", timeout=300)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert store_of(run).sites()[0]["status"] == "complete"


@pytest.mark.slow
def test_one_worker_audit_crawls_apart_and_answers_with_its_outcome(portal, dns_server, tmp_path):
    config = write_inspection(tmp_path / "i.yaml", _sites(portal, "example-b"), dns=dns_server.address,
                              concurrency_per_site=4, delay=0, max_pages=1000, max_depth=30, render_js="never",
                              screenshots=False)
    with running(zwgk_popen("audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "1",
                            "--fail-on", "never")) as proc:
        ended(proc, 300)
    run = run_dir(tmp_path / "runs")
    workers = store_of(run).workers()
    assert [w["id"] for w in workers] == ["w1"] and workers[0]["pid"] != proc.pid
    assert workers[0]["reason"] == "finished"
    assert store_of(run).sites()[0]["status"] == "complete"


@pytest.mark.slow
def test_a_killed_crawl_ends_the_audit_as_interrupted_and_resume_completes_it(portal, dns_server, tmp_path):
    """The crawl's process dies (SIGKILL, the OOM killer): the command says so, writes what it has as an
    interrupted run (exit 130, the resume command printed) and `--resume` completes it."""
    config = write_inspection(tmp_path / "i.yaml", _sites(portal, "example-b"), dns=dns_server.address,
                              concurrency_per_site=1, delay=0.05, max_pages=1000, max_depth=30, render_js="never",
                              screenshots=False)
    with running(zwgk_popen("audit", "-c", str(config), "-o", str(tmp_path / "runs"), "--workers", "1")) as proc:
        pids = _wait_for(lambda: crawl_started(tmp_path / "runs", 20, 1))
        os.kill(pids["w1"], signal.SIGKILL)
        out, err = ended(proc, 180, returncode=130)
    run = run_dir(tmp_path / "runs")
    assert "抓取进程意外结束" in err and f"zwgk audit --resume {run}" in out
    assert store_of(run).sites()[0]["status"] == "interrupted"
    done = zwgk("audit", "--resume", str(run), "--workers", "1", timeout=300)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert store_of(run).sites()[0]["status"] == "complete"


def test_the_evaluation_side_imports_no_scrapy_before_the_crawl_forks():
    """What the command's process imports before it forks the crawl (the checks, via config validation)
    does not pull in Scrapy and Twisted: the evaluation would carry them for nothing."""
    code = ("import sys; import zwgk.cli, zwgk.pipeline, zwgk.checks.registry, zwgk.understand.page; "
            "print(sorted({'scrapy', 'twisted'} & {m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_the_attachment_extensions_still_hold_scrapys_list():
    from scrapy.linkextractors import IGNORED_EXTENSIONS

    from zwgk.understand.page import SCRAPY_IGNORED_EXTENSIONS

    assert list(SCRAPY_IGNORED_EXTENSIONS) == list(IGNORED_EXTENSIONS)


@pytest.mark.slow
def test_the_crawls_answer_brings_no_scrapy_into_the_command():
    """The crawl's outcomes come back pickled: unpickling them must not import the crawler (runner.py
    imports Scrapy and Twisted), which the evaluating process would then carry for nothing."""
    code = ("import sys\n"
            "from zwgk.crawler.apart import run_apart\n"
            "def crawl():\n"
            "    from zwgk.crawler.runner import SiteOutcome\n"
            "    return [SiteOutcome('k', 'n', 'complete', 1, 0, 0)]\n"
            "answer = run_apart(crawl)\n"
            "print(answer[0].status, sorted({'scrapy', 'twisted'} & {m.split('.')[0] for m in sys.modules}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "complete []"
