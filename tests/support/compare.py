"""What two crawls of the same inspection are compared by (several workers, distributed mode)."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from zwgk.portal_sim import RunningPortal

from support.runhelp import store_of


def sites(portal: RunningPortal, *keys: str) -> list[dict[str, Any]]:
    return [{"name": portal.site(k).spec.name, "url": portal.url(k), "unit": "县政府办公室",
             "hosts": list(portal.site(k).hosts)} for k in keys]


def stored(run: Path) -> tuple[set[tuple[Any, ...]], Counter[tuple[Any, ...]], dict[str, Any]]:
    store = store_of(run)
    pages = {(p.site, p.url, p.method, p.kind, p.status, p.error_kind, p.final_url) for p in store.pages()}
    links: Counter[tuple[Any, ...]] = Counter()
    lists: dict[str, Any] = {}
    for site in store.sites():
        for source, link in store.all_links(site["key"]):
            # not link.state: which link of a trap pattern a budget cuts depends on the order pages are
            # parsed in, one process or several (the URL is still requested when another page links it)
            links[(site["key"], source, link.url, link.kind, link.hidden, link.tag)] += 1
        for url, cov in store.list_coverages(site["key"]).items():
            lists[url] = (cov.source, cov.adapter, cov.stated_total, cov.obtained, cov.pages, cov.state,
                          cov.stated_pages, sorted(cov.members))
        lists[site["key"]] = (site["status"], site["capped"], site["detail"])
    return pages, links, lists


def outcome(results: dict[str, Any]) -> dict[str, Any]:
    """What an audit concluded, without what differs between any two runs (times, durations)."""
    out = {}
    for site in results["sites"]:
        out[site["key"]] = {
            "score": site["score"], "verdict": site["verdict"],
            "crawl": {k: site["crawl"][k] for k in ("status", "pages", "attachments", "errors", "capped")},
            "checks": sorted((c["id"], json.dumps(c.get("params", {}), sort_keys=True), c["status"])
                             for c in site["checks"]),
            "findings": sorted((f["check"], f["url"] or "", f.get("target") or "", f["severity"], f["message"])
                               for f in site["findings"]),
            "tasks": sorted((t["id"], t["status"]) for t in site["tasks"]),
        }
    return out


def wait_for(predicate: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")
