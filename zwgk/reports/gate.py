"""--fail-on: does a run's results.json hold anything at or above the chosen level? (exit code 1)"""

from __future__ import annotations

from typing import Any


def _live(site: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in site.get("findings", []) if not f.get("waived")]


def gate_hits(results: dict[str, Any], level: str, baseline: dict[str, Any] | None = None) -> list[str]:
    """Human-readable reasons the gate trips; empty when the run passes the gate."""
    hits: list[str] = []
    if level == "never":
        return hits
    old_of: dict[int, set[str]] = {}
    if baseline is not None:    # the sites and keys 复查 matches (reports/diff.py): "new" agrees with it
        from zwgk.reports.diff import key_of, match_sites

        for old, new in match_sites(baseline, results):
            if new:
                old_of[id(new)] = {key_of(old, f) for f in old.get("findings", [])} if old else set()
    for site in results.get("sites", []):
        name = site.get("name", site.get("url"))
        vetoes = (site.get("scoring") or {}).get("vetoes") or []
        deductions = [d for d in (site.get("scoring") or {}).get("deductions") or [] if d.get("points")]
        live = _live(site)
        if level in ("veto", "deduct", "any") and vetoes:
            hits.append(f"{name}：单项否决 {'、'.join(v['title'] for v in vetoes)}")
        elif level in ("deduct", "any") and deductions:
            hits.append(f"{name}：扣分项 {len(deductions)} 类")
        elif level == "any" and live:
            hits.append(f"{name}：问题 {len(live)} 个")
        elif level == "new":
            from zwgk.reports.diff import key_of

            old_keys = old_of.get(id(site), set())
            new = [f for f in live if key_of(site, f) not in old_keys]
            if new:
                hits.append(f"{name}：新增问题 {len(new)} 个")
    return hits
