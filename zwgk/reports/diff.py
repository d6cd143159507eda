"""复查: findings new / fixed / still open between two runs, per site and per unit (DESIGN §12).

Findings match by their key, never by message text: `check|site-relative URL|target` with scheme
and port dropped (recomputed from check, url and target, so results written before the key changed
compare too) — a reworded message is the same finding, a port change or an http→https move keeps
it, a moved link is a different one. Sites match by the inspection's site identity: name and unit,
else the host (port dropped) and path of the start URL; `--fail-on new` uses the same matching, so
"new" here and the gate agree.

A finding that is gone is only "fixed" when the new run saw the evidence: the site was assessed and
the check judged it, on a crawl that read all of it (a check that judged only what a capped crawl
fetched cannot say a finding elsewhere went away). Otherwise it is "unverified" (未能复查), never a
silent success.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from zwgk.checks.base import finding_key
from zwgk.reports.text import check_key

CATEGORIES = ("new", "open", "fixed", "unverified", "waived")
JUDGED = {"pass", "fail", "warn"}


def key_of(site: dict[str, Any], f: dict[str, Any]) -> str:
    """The portable key of a finding of `site` (DESIGN §12), whatever key the results stored."""
    return finding_key(f["check"], f.get("url", ""), f.get("target"), site.get("url", ""))


def _brief(f: dict[str, Any], key: str) -> dict[str, Any]:
    # "key": the finding's key as its results.json stores it (reports mark findings by it); "match":
    # the portable key the runs were compared by
    return {"key": f.get("key") or key, "match": key, "check": f["check"], "severity": f.get("severity", "info"),
            "message": f.get("message", ""), "url": f.get("url", ""),
            "target": f.get("target"), "params": f.get("params") or {}}


def assessed(site: dict[str, Any]) -> bool:
    return bool((site.get("assessment") or {}).get("assessed", site.get("verdict") != "无法评估"))


def _judged(site: dict[str, Any], finding: dict[str, Any]) -> bool:
    """Did this run assess the check that produced the finding, on all the evidence it needs (so its
    absence means fixed)?"""
    if not assessed(site):
        return False
    key = check_key(finding["check"], finding.get("params"))
    same_key = [c for c in site.get("checks", []) if c.get("key", c["id"]) == key]
    candidates = same_key or [c for c in site.get("checks", []) if c["id"] == finding["check"]]
    return any(c.get("status") in JUDGED and not (c.get("details") or {}).get("partial")
               and not (c.get("details") or {}).get("missing") for c in candidates)


def site_diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    ref = new or old or {}
    old_all = {key_of(old, f): f for f in (old or {}).get("findings", [])} if old else {}
    old_live = {k for k, f in old_all.items() if not f.get("waived")}
    buckets: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    new_keys = set()
    for f in (new or {}).get("findings", []):
        key = key_of(new, f)  # type: ignore[arg-type]
        new_keys.add(key)
        if f.get("waived"):
            if key in old_live:
                buckets["waived"].append(_brief(f, key))
        elif key in old_all:
            buckets["open"].append(_brief(f, key))
        else:
            buckets["new"].append(_brief(f, key))
    for key in sorted(old_live - new_keys):
        f = old_all[key]
        fixed = new is not None and _judged(new, f)
        buckets["fixed" if fixed else "unverified"].append(_brief(f, key))
    presence = "both" if old is not None and new is not None else ("added" if old is None else "removed")
    return {"name": ref.get("name", ""), "url": ref.get("url", ""), "unit": ref.get("unit", ""),
            "key": ref.get("key", ""), "presence": presence,
            "counts": {c: len(v) for c, v in buckets.items()}, **buckets}


def _host_path(site: dict[str, Any]) -> str:
    parts = urlsplit(site.get("url") or "")
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}"


def match_sites(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
    """(old site or None, new site) for every new site, by site identity: the same name and unit,
    else the same host (port dropped) and start path, else the same URL — each old site once."""
    olds = list(old.get("sites", []))
    taken: set[int] = set()
    out: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
    news = list(new.get("sites", []))
    matched: dict[int, dict[str, Any]] = {}
    for rule in (lambda s: (s.get("name"), s.get("unit")), _host_path, lambda s: s.get("url")):
        for i, site in enumerate(news):
            if i in matched:
                continue
            want = rule(site)
            hits = [j for j, o in enumerate(olds) if j not in taken and rule(o) == want]
            if len(hits) == 1:
                taken.add(hits[0])
                matched[i] = olds[hits[0]]
    for i, site in enumerate(news):
        out.append((matched.get(i), site))
    out += [(o, {}) for j, o in enumerate(olds) if j not in taken]   # {} marks "removed"
    return out


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The 复查 of `new` against `old` (both results.json documents)."""
    sites = [site_diff(o, n or None) for o, n in match_sites(old, new)]
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
