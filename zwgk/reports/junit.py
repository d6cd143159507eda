"""junit.xml for CI: one <testsuite> per site, one <testcase> per site × check id.

A check that ran per column (column.stale …) is one test case with the worst of its statuses, as in
the summary's pass-rate chart. fail/warn → <failure> listing the live findings; inconclusive or error
→ <error> (the site could not be judged, which is not a pass); not_applicable → <skipped>; a failed
check whose findings are all waived → <skipped> with the waiver, matching the --fail-on gate.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from zwgk.reports import view
from zwgk.reports.labels import CHECK_STATUS_LABELS, check_title
from zwgk.reports.text import clean, score_text

MAX_LISTED = 50     # findings spelled out per failure body; the count is always complete


def _case(suite: ET.Element, site: dict[str, Any], check_id: str, results: list[dict[str, Any]],
          findings: list[dict[str, Any]]) -> str:
    statuses = Counter(r["status"] for r in results)
    status = view.worst_status(statuses)
    case = ET.SubElement(suite, "testcase", name=check_id, classname=clean(site.get("key") or site.get("url")),
                         time="0")
    live = [f for f in findings if not f.get("waived")]
    summary = "；".join(clean(r.get("summary")) for r in results if r["status"] == status)[:500]
    if status in ("fail", "warn") and not live and findings:
        el = ET.SubElement(case, "skipped", message="问题均已豁免")
        el.text = "\n".join(clean((f.get("waiver") or {}).get("reason")) for f in findings)
        return "skipped"
    if status in ("fail", "warn"):
        el = ET.SubElement(case, "failure", type=status,
                           message=clean(f"{check_title(check_id)}：{len(live)} 个问题；{summary}")[:1000])
        lines = [f"[{f.get('severity')}] {clean(f.get('message'))} <{clean(f.get('url'))}>"
                 + (f" → {clean(f.get('target'))}" if f.get("target") else "") for f in live[:MAX_LISTED]]
        if len(live) > MAX_LISTED:
            lines.append(f"……另有 {len(live) - MAX_LISTED} 个问题，见 问题清单.xlsx")
        el.text = "\n".join(lines) or summary
        return "failure"
    if status in ("inconclusive", "error"):
        ET.SubElement(case, "error", type=status, message=clean(f"{CHECK_STATUS_LABELS[status]}：{summary}")[:1000])
        return "error"
    if status == "not_applicable":
        ET.SubElement(case, "skipped", message=clean(f"不适用：{summary}")[:1000])
        return "skipped"
    return "pass"


def render_junit(results: dict[str, Any]) -> bytes:
    root = ET.Element("testsuites", name=clean(results.get("run", {}).get("name") or "zwgk-audit"))
    totals: Counter[str] = Counter()
    for site in results.get("sites", []):
        suite = ET.SubElement(root, "testsuite", name=clean(site.get("name")), hostname=clean(site.get("url")),
                              timestamp=clean(results.get("run", {}).get("started", "")))
        props = ET.SubElement(suite, "properties")
        for name, value in (("url", site.get("url")), ("unit", site.get("unit")), ("verdict", site.get("verdict")),
                            ("score", score_text(site.get("score"))),
                            ("vetoes", "、".join(v.get("title", "") for v in view.vetoes(site)))):
            ET.SubElement(props, "property", name=name, value=clean(value))
        by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in site.get("checks", []):
            by_check[r["id"]].append(r)
        findings: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for f in site.get("findings", []):
            findings[f["check"]].append(f)
        counts = Counter(_case(suite, site, cid, rs, findings.get(cid, [])) for cid, rs in by_check.items())
        suite.set("tests", str(sum(counts.values())))
        suite.set("failures", str(counts["failure"]))
        suite.set("errors", str(counts["error"]))
        suite.set("skipped", str(counts["skipped"]))
        suite.set("time", "0")
        totals.update(counts)
    root.set("tests", str(sum(totals.values())))
    root.set("failures", str(totals["failure"]))
    root.set("errors", str(totals["error"]))
    root.set("skipped", str(totals["skipped"]))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_junit(path: Path, results: dict[str, Any]) -> Path:
    path.write_bytes(render_junit(results))
    return path
