"""What the terminal shows: the one-line summary for CI logs and the self-check's "fix these first".

Both read results.json only; the line has a fixed shape (`zwgk: key=value …`) so a CI log can be
grepped, with Chinese labels beside the ids for the people reading it.
"""

from __future__ import annotations

from typing import Any

from zwgk.reports import view
from zwgk.reports.labels import SEVERITY_LABELS, problem_label
from zwgk.reports.text import human, percent, score_text, shorten


def summary_line(results: dict[str, Any], *, fail_on: str | None = None, exit_code: int | None = None) -> str:
    """One line: sites and verdicts, vetoes, findings by severity, 复查 counts, the gate's outcome."""
    ov = view.overview(results)
    parts = [f"网站 {ov.sites}", f"合格 {ov.verdicts['合格']}", f"不合格 {ov.verdicts['不合格']}",
             f"无法评估 {ov.verdicts['无法评估']}", f"合格率 {percent(ov.pass_rate)}", f"单项否决 {ov.veto_sites} 站",
             f"问题 {sum(ov.severity.values())}（" + " ".join(f"{SEVERITY_LABELS[k]} {v}"
                                                           for k, v in ov.severity.items()) + "）"]
    if ov.suspected:
        parts.append(f"疑似表述待核实 {ov.suspected}")
    diff = results.get("diff")
    if diff:
        t = diff["totals"]
        parts.append(f"复查 新增 {t['new']} 已整改 {t['fixed']} 仍存在 {t['open']} 未能复查 {t['unverified']}")
    if results.get("ledgers") or any(s.get("tasks") for s in results.get("sites", [])):
        parts.append(f"任务落实率 {percent(ov.fulfilment_rate)}")
    if fail_on is not None:
        parts.append(f"fail-on={fail_on}")
    if exit_code is not None:
        parts.append(f"exit={exit_code}")
    return "zwgk: " + " · ".join(parts)


def self_check_lines(site: dict[str, Any], *, limit: int = 10) -> list[str]:
    """The self-check's terminal report for one site: verdict, score arithmetic, what to fix first."""
    lines = [f"{site.get('name')}  {site.get('url')}",
             f"结论：{site.get('verdict')}    得分：{score_text(site.get('score'))}"
             + (f"    （{human(site['scoring']['reason'])}）" if (site.get("scoring") or {}).get("reason") else "")]
    state = view.assessment(site)
    if not state["assessed"]:
        lines += [f"未能完成评估：{human(r)}" for r in state["reasons"] if human(r)]
        if state["resume"]:
            lines.append(f"继续：{state['resume']}")
    deductions = view.deductions(site)
    if deductions:
        terms = " − ".join(f"{score_text(d['points'])}（{d['indicator']}）" for d in deductions if d.get("points"))
        lines.append(f"得分计算：100 − {terms} = {score_text(site.get('score'))}")
    if site.get("tasks"):
        lines.append(f"台账任务落实率：{percent((site.get('task_summary') or {}).get('fulfilment_rate'))}")
    items = view.fix_first(site)
    if not items:
        lines.append("未发现需整改的问题。")
        return lines
    lines.append("优先整改：")
    for n, item in enumerate(items[:limit], 1):
        gain = f"，可收回 {score_text(item.points)} 分" if item.points else ""
        veto = f"【单项否决：{item.veto.get('title')}】" if item.veto else ""
        confirm = "【需人工核实】" if item.kind == "confirm" else ""
        lines.append(f"  {n}. {veto}{confirm}{problem_label(item.check)}（{item.check}）{len(item.findings)} 处{gain}")
        for f in item.findings[:3]:
            lines.append(f"       - {shorten(human(f.get('message')), 70)}  {f.get('url')}")
        if len(item.findings) > 3:
            lines.append(f"       - ……另有 {len(item.findings) - 3} 处")
    if len(items) > limit:
        lines.append(f"  ……另有 {len(items) - limit} 类问题，见网站报告。")
    return lines


def _counts(c: dict[str, int]) -> str:
    return f"新增 {c['new']}，已整改 {c['fixed']}，仍存在 {c['open']}，未能复查 {c['unverified']}"


def diff_lines(delta: dict[str, Any]) -> list[str]:
    """`zwgk diff` in the terminal: totals, then per unit, then per site."""
    old, new = delta["old"], delta["new"]
    lines = [f"复查：上次 {old['id']}（{old['as_of']}）→ 本次 {new['id']}（{new['as_of']}）",
             f"合计：{_counts(delta['totals'])}，已豁免 {delta['totals']['waived']}",
             "按责任单位："]
    lines += [f"  {u['unit']}：{_counts(u['counts'])}" for u in delta["units"]]
    lines.append("按网站：")
    for s in delta["sites"]:
        note = {"added": "（本次新增检查）", "removed": "（本次未检查）"}.get(s["presence"], "")
        lines.append(f"  {s['name']} {s['url']}{note}：{_counts(s['counts'])}")
        for f in s["new"][:5]:
            lines.append(f"    + [{f['check']}] {shorten(f['message'], 70)}  {f['url']}")
        if len(s["new"]) > 5:
            lines.append(f"    + ……另有 {len(s['new']) - 5} 个新增问题")
    return lines
