"""复查: findings new / fixed / still open between two runs, per site and per unit.

Findings match by their stored key (check|url|target), never by message text: a reworded message is
the same finding, a moved link is a different one. Sites match by URL, as `--fail-on new` does, so
"new" here and the gate agree.

A finding that is gone is only "fixed" when the new run could judge its check; when the site or the
check could not be assessed this time it is "unverified" (未能复查), never a silent success.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from zwgk.reports.text import check_key

CATEGORIES = ("new", "open", "fixed", "unverified", "waived")
JUDGED = {"pass", "fail", "warn"}


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    return {"key": f["key"], "check": f["check"], "severity": f.get("severity", "info"),
            "message": f.get("message", ""), "url": f.get("url", ""),
            "target": f.get("target"), "params": f.get("params") or {}}


def _judged(site: dict[str, Any], finding: dict[str, Any]) -> bool:
    """Did this run assess the check that produced the finding (so its absence means fixed)?"""
    if site.get("verdict") == "无法评估":
        return False
    key = check_key(finding["check"], finding.get("params"))
    same_key = [c for c in site.get("checks", []) if c.get("key", c["id"]) == key]
    candidates = same_key or [c for c in site.get("checks", []) if c["id"] == finding["check"]]
    return any(c.get("status") in JUDGED for c in candidates)


def site_diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    ref = new or old or {}
    old_all = {f["key"]: f for f in (old or {}).get("findings", [])}
    old_live = {k for k, f in old_all.items() if not f.get("waived")}
    buckets: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    new_keys = set()
    for f in (new or {}).get("findings", []):
        new_keys.add(f["key"])
        if f.get("waived"):
            if f["key"] in old_live:
                buckets["waived"].append(_brief(f))
        elif f["key"] in old_all:
            buckets["open"].append(_brief(f))
        else:
            buckets["new"].append(_brief(f))
    for key in sorted(old_live - new_keys):
        f = old_all[key]
        fixed = new is not None and _judged(new, f)
        buckets["fixed" if fixed else "unverified"].append(_brief(f))
    presence = "both" if old is not None and new is not None else ("added" if old is None else "removed")
    return {"name": ref.get("name", ""), "url": ref.get("url", ""), "unit": ref.get("unit", ""),
            "key": ref.get("key", ""), "presence": presence,
            "counts": {c: len(v) for c, v in buckets.items()}, **buckets}


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The 复查 of `new` against `old` (both results.json documents)."""
    old_by_url = {s.get("url"): s for s in old.get("sites", [])}
    new_urls = {s.get("url") for s in new.get("sites", [])}
    sites = [site_diff(old_by_url.get(s.get("url")), s) for s in new.get("sites", [])]
    sites += [site_diff(s, None) for s in old.get("sites", []) if s.get("url") not in new_urls]
    units: dict[str, dict[str, Any]] = {}
    for entry in sites:
        unit = entry["unit"] or entry["name"]
        row = units.setdefault(unit, {"unit": unit, "sites": [], "counts": Counter()})
        row["sites"].append(entry["name"])
        row["counts"].update(entry["counts"])
    totals: Counter[str] = Counter()
    for entry in sites:
        totals.update(entry["counts"])
    return {
        "schema": 1,
        "old": _run(old), "new": _run(new),
        "totals": {c: totals.get(c, 0) for c in CATEGORIES},
        "sites": sites,
        "units": [{"unit": u["unit"], "sites": u["sites"], "counts": {c: u["counts"].get(c, 0) for c in CATEGORIES}}
                  for u in units.values()],
    }


def _run(results: dict[str, Any]) -> dict[str, Any]:
    run = results.get("run", {})
    return {"id": run.get("id", ""), "as_of": run.get("as_of", ""), "finished": run.get("finished", ""),
            "name": run.get("name", "")}
