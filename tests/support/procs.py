"""zwgk commands the tests run in the background (to interrupt or kill something mid-run)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from support.runhelp import store_of


@contextlib.contextmanager
def running(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """The process, killed on the way out if the test left it running (a failed wait, an assert)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def ended(proc: subprocess.Popen[str], timeout: float, returncode: int = 0) -> tuple[str, str]:
    """(stdout, stderr) once it ends, with the exit code expected and no traceback for people to see."""
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == returncode, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    return out, err


def crawl_started(outdir: Path, pages: int, workers: int) -> dict[str, int] | None:
    """{worker id: pid} of the unfinished workers once the run under `outdir` has stored `pages` pages of
    its first site with `workers` workers at it (None until then): the moment to kill or interrupt one."""
    runs = [p.parent for p in (*outdir.glob("*/crawl.sqlite"), *outdir.glob("*/store.url"))]
    if not runs:
        return None
    store = store_of(runs[0])
    try:
        sites = store.sites()
        if not sites or store.count_pages(sites[0]["key"]) < pages:
            return None
        pids = {w["id"]: w["pid"] for w in store.workers() if not w["finished"]}
        return pids if len(pids) >= workers else None
    finally:
        store.close()


def wait_gone(pids: list[int], what: str = "its run", timeout: float = 20) -> None:
    """Every one of `pids` has ended within `timeout` seconds, or the test fails naming it."""
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"process {pid} outlived {what}")
