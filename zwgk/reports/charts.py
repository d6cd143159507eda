"""The summary's charts as inline SVG (no script, no CDN: they print and open offline).

Markup.format escapes every interpolated value, so a label can never inject markup.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from markupsafe import Markup

from zwgk.reports.labels import TASK_STATUS_LABELS, check_title
from zwgk.reports.text import mainland_quotes, shorten
from zwgk.reports.view import worst_status

WIDTH = 640
GOOD, WARN, BAD, GREY, INK = "#2e7d32", "#ef8f00", "#c62828", "#9e9e9e", "#222"


def _svg(height: int, label: str, body: list[Markup]) -> Markup:
    head = Markup('<svg class="chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{label}" '
                  'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>').format(w=WIDTH, h=height, label=label)
    return head + Markup("").join(body) + Markup("</svg>")


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> Markup:
    return Markup('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}</title></rect>'
                  ).format(x, y, max(w, 0), max(h, 0), fill, tip)


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "") -> Markup:
    return Markup('<text x="{:.1f}" y="{:.1f}" text-anchor="{}" class="{}">{}</text>').format(x, y, anchor, cls, text)


def score_distribution(sites: list[dict[str, Any]], pass_score: float = 60) -> Markup:
    """Sites per 10-point band, plus a grey bar for sites that could not be assessed."""
    bands = Counter(min(int(s["score"] // 10), 9) for s in sites if s.get("score") is not None)
    unassessed = sum(1 for s in sites if s.get("score") is None)
    labels = [f"{i * 10}–{i * 10 + 9}" if i < 9 else "90–100" for i in range(10)] + ["无法评估"]
    values = [bands.get(i, 0) for i in range(10)] + [unassessed]
    top = max(values) or 1
    left, bottom, plot_h = 30, 180, 150
    step = (WIDTH - left - 10) / len(values)
    body = [Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>').format(left, bottom, WIDTH - 10, bottom, INK)]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        x = left + i * step + 4
        color = GREY if i == 10 else (GOOD if i * 10 >= pass_score else BAD)
        body.append(_rect(x, bottom - h, step - 8, h, color, f"{label} 分：{value} 个网站"))
        if value:
            body.append(_text(x + (step - 8) / 2, bottom - h - 4, str(value), "middle", "num"))
        body.append(_text(x + (step - 8) / 2, bottom + 16, label, "middle", "axis"))
    return _svg(200, "得分分布（网站数）", body)


def _hbars(rows: list[tuple[str, list[tuple[float, str, str]], str]], label: str) -> Markup:
    """Rows of (label, [(fraction, colour, tip)...] stacked, note): the label and the note on one
    line, the bar under it, so long Chinese labels need no truncation column."""
    row_h, bar_h, left = 38, 14, 4
    width = WIDTH - 2 * left
    body: list[Markup] = []
    for n, (name, parts, note) in enumerate(rows):
        y = n * row_h + 14
        body.append(_text(left, y, name, cls="label"))
        body.append(_text(WIDTH - left, y, note, "end", "num"))
        body.append(_rect(left, y + 5, width, bar_h, "#eeeeee", name))
        x = float(left)
        for fraction, color, tip in parts:
            body.append(_rect(x, y + 5, width * fraction, bar_h, color, tip))
            x += width * fraction
    return _svg(max(len(rows), 1) * row_h + 6, label, body)


def check_pass_rates(sites: list[dict[str, Any]]) -> Markup:
    """Per check id: sites where it passed / sites where it could be judged (pass, fail or warn)."""
    statuses: dict[str, list[str]] = defaultdict(list)
    for site in sites:
        per_site: dict[str, Counter[str]] = defaultdict(Counter)
        for c in site.get("checks", []):
            per_site[c["id"]][c["status"]] += 1
        for check_id, counts in per_site.items():
            statuses[check_id].append(worst_status(counts))
    rows = []
    for check_id, items in statuses.items():
        judged = [s for s in items if s in ("pass", "fail", "warn")]
        if not judged:
            continue
        ok = judged.count("pass")
        unknown = len(items) - len(judged) - items.count("not_applicable")
        note = f"{ok}/{len(judged)}" + (f"（{unknown}站无法判定）" if unknown else "")
        rate = ok / len(judged)
        name = check_title(check_id)
        rows.append((shorten(name, 40),
                     [(rate, GOOD, f"{name}：{ok} 个网站通过"),
                      (1 - rate, BAD, f"{name}：{len(judged) - ok} 个网站未通过")],
                     f"通过 {note}"))
    return _hbars(rows, "各检查项通过率（通过网站数 / 可判定网站数）")


def tasks_by_section(sites: list[dict[str, Any]], ledgers: list[dict[str, Any]]) -> Markup:
    """Per ledger section, all sites pooled: fulfilled / partial / unfulfilled / other task rows."""
    several = len(ledgers) > 1
    titles = {lg.get("id"): lg.get("title") or lg.get("id") for lg in ledgers}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for site in sites:
        for t in site.get("tasks", []):
            section = mainland_quotes((t.get("section") or ["（未分节）"])[0])
            name = f"{titles.get(t.get('ledger'), t.get('ledger'))} · {section}" if several else section
            counts[name][t["status"]] += 1
    colours = (("fulfilled", GOOD), ("partial", WARN), ("unfulfilled", BAD))
    rows = []
    for name, c in counts.items():
        total = sum(c.values())
        parts = [(c[s] / total, col, f"{TASK_STATUS_LABELS[s]} {c[s]}") for s, col in colours]
        other = total - sum(c[s] for s, _ in colours)
        parts.append((other / total, GREY, f"未到期、需人工核查或无法判定 {other}"))
        judged = sum(c[s] for s, _ in colours)
        rows.append((shorten(name, 40), parts, f"已落实 {c['fulfilled']}/{judged}"))
    return _hbars(rows, "各部分台账任务落实情况（各网站合计）")
