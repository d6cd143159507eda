"""Compare the verdicts of two audits of the same site (issue 12: faster, and the same results).

    python bench/compare_results.py A/results.json B/results.json

Two runs of one site differ in what no verdict rests on: run ids and times, the port the bench's
nginx listened on, elapsed seconds, HTTP Date headers, the order pages were fetched in (and so which
pages a capped evidence sample names: those are compared by count). This script drops those and
compares the rest: each site's crawl counts and coverage, assessment, score and verdict, every
check's status, summary and details, every finding (as a multiset: check, URL, message, evidence)
and every task's status. Exit status 0 when equal; else the first differences.
"""

from __future__ import annotations

import json
import re
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

# keys whose values are times, durations or per-run identities
VOLATILE = {"at", "started", "finished", "probed_at", "elapsed", "date", "id", "fetched_at", "seen_at", "age_seconds",
            "last-modified", "expires", "etag"}
# evidence samples: the first few pages that showed something, so which ones follows fetch order
SAMPLES = {"how", "sampled"}
ORIGIN = re.compile(r"(https?://)(127\.0\.0\.1|\[::1\]|localhost):\d+")
TIMES = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?([+-]\d\d:\d\d|Z)?|\d+\.\d+ 秒")


def _norm(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: f"{len(v)} samples" if k in SAMPLES and isinstance(v, list) else _norm(v)
                for k, v in sorted(value.items()) if k.lower() not in VOLATILE}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, str):
        return TIMES.sub("<time>", ORIGIN.sub(r"\1<origin>", value))
    if isinstance(value, float):
        return round(value, 6)
    return value


def _canon(value: Any) -> str:
    return json.dumps(_norm(value), ensure_ascii=False, sort_keys=True)


def _site_parts(site: dict[str, Any]) -> dict[str, Any]:
    checks = site.get("checks") or []
    for check in checks:
        details = check.get("details") or {}
        for key, value in list(details.items()):
            if isinstance(value, list) and key not in SAMPLES:      # sets of evidence, in fetch order
                details[key] = sorted(_canon(v) for v in value)
    return {
        "crawl": site.get("crawl"),
        "assessment": site.get("assessment"),
        "score": site.get("score"), "verdict": site.get("verdict"), "scoring": site.get("scoring"),
        "checks": {f"{c.get('key')}": c for c in checks},
        "findings": Counter(_canon(f) for f in site.get("findings") or []),
        "tasks": site.get("tasks"),
    }


def compare(a: dict[str, Any], b: dict[str, Any], limit: int = 20) -> list[str]:
    diffs: list[str] = []
    sites_a = {s["key"]: s for s in a.get("sites", [])}
    sites_b = {s["key"]: s for s in b.get("sites", [])}
    if sites_a.keys() != sites_b.keys():
        return [f"sites differ: {sorted(sites_a)} vs {sorted(sites_b)}"]
    for key in sorted(sites_a):
        pa, pb = _site_parts(sites_a[key]), _site_parts(sites_b[key])
        for part in ("crawl", "assessment", "score", "verdict", "scoring", "tasks"):
            if _canon(pa[part]) != _canon(pb[part]):
                diffs.append(f"{key} {part}: {_canon(pa[part])[:300]} != {_canon(pb[part])[:300]}")
        for check_key in sorted(pa["checks"].keys() | pb["checks"].keys()):
            ca, cb = pa["checks"].get(check_key), pb["checks"].get(check_key)
            if _canon(ca) != _canon(cb):
                diffs.append(f"{key} check {check_key}: {_canon(ca)[:300]} != {_canon(cb)[:300]}")
        only_a, only_b = pa["findings"] - pb["findings"], pb["findings"] - pa["findings"]
        diffs += [f"{key} finding only in A: {f[:300]}" for f in list(only_a)[:limit]]
        diffs += [f"{key} finding only in B: {f[:300]}" for f in list(only_b)[:limit]]
    return diffs


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv)
    diffs = compare(a, b)
    findings = sum(len(s.get("findings") or []) for s in a.get("sites", []))
    checks = sum(len(s.get("checks") or []) for s in a.get("sites", []))
    if diffs:
        print(f"{len(diffs)} differences:")
        print("\n".join(diffs[:40]))
        return 1
    print(f"equal: {len(a.get('sites', []))} site(s), {checks} check results, {findings} findings")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # `| head` ends quietly
    sys.exit(main(sys.argv[1:]))
