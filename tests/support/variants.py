"""Variants of the clean simulated portal for the evidence/verdict tests: a large one (a 政务动态 column
of hundreds of documents outside the 专栏, so a page cap can cut the crawl while the focused crawl
still covers the 专栏) and one whose 年报 list only a browser builds."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path
from typing import Any

from zwgk.portal_sim import load_spec
from zwgk.portal_sim.spec import DefectSpec, SiteSpec

from support.portals import AS_OF, CLEAN_SPEC


def clean_variant(key: str, name: str, host: str, *, defects: tuple[DefectSpec, ...] = (),
                  **columns: dict[str, Any]) -> SiteSpec:
    """example-clean under another key, name and host, with column fields changed (`gk.news={"docs": 400}`)."""
    spec = load_spec(CLEAN_SPEC, as_of=AS_OF)
    cols = tuple(dataclasses.replace(c, **columns[c.key]) if c.key in columns else c for c in spec.columns)
    return spec.with_changes(key=key, name=name, short_name=name.removesuffix("人民政府"), hosts={"main": host},
                             columns=cols, defects=spec.defects + defects)


LARGE = ("large", "东平县人民政府", "www.large.gov.cn")
SCRIPTED = ("scripted", "西平县人民政府", "www.scripted.gov.cn")


def large_spec() -> SiteSpec:
    return clean_variant(*LARGE, **{"gk.news": {"docs": 400}})


def scripted_spec() -> SiteSpec:
    """The 年报 column is a list built by inline script (a browser shows it) and holds nothing: without
    a browser nobody can tell whether a report is there."""
    return clean_variant(*SCRIPTED, **{"gk.annual_report": {"pager": "browser", "docs": 0}})


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def results_of(run: Path) -> dict[str, Any]:
    return json.loads((run / "results.json").read_text(encoding="utf-8"))


def statuses(site: dict[str, Any], skip: tuple[str, ...] = ("pass", "not_applicable")) -> dict[str, str]:
    """check key -> status of every check result whose status is not in `skip`."""
    return {c["key"]: c["status"] for c in site["checks"] if c["status"] not in skip}


def without_times(results: dict[str, Any]) -> dict[str, Any]:
    """results.json without the times of the evaluation itself (run.started/finished)."""
    out = json.loads(json.dumps(results))
    for key in ("started", "finished"):
        out["run"].pop(key, None)
    return out
