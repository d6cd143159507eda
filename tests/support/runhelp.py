"""Run the `zwgk` CLI in a subprocess (the Twisted reactor runs once per process) and read its run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from zwgk.store import Store


def write_inspection(path: Path, sites: list[dict[str, Any]], *, dns: str | None = None,
                     ledger: str | None = None, as_of: str = "2026-11-22", **crawl: Any) -> Path:
    config: dict[str, Any] = {"name": "测试检查", "as_of": as_of, "sites": sites,
                              "crawl": {"delay": 0, "concurrency_per_site": 8, "timeout": 5, **crawl}}
    if dns:
        config["network"] = {"dns_servers": [dns]}
    if ledger:
        config["ledger"] = ledger
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def zwgk(*args: str, timeout: float = 180, **popen: Any) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "true"}
    return subprocess.run([sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=timeout,
                          env=env, **popen)


def zwgk_popen(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CI": "true"}
    return subprocess.Popen([sys.executable, "-m", "zwgk", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def run_dir(outdir: Path) -> Path:
    runs = [p for p in outdir.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def store_of(outdir_or_run: Path) -> Store:
    """The run's store: its crawl.sqlite, or the PostgreSQL schema store.url names (distributed runs)."""
    run = outdir_or_run
    if not (run / "crawl.sqlite").exists() and not (run / "store.url").exists():
        run = run_dir(outdir_or_run)
    url = run / "store.url"
    return Store(url.read_text(encoding="utf-8").strip() if url.exists() else run / "crawl.sqlite")
