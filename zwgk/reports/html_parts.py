"""The shared pieces of the HTML pages (a link, a sentence with its technical detail, a badge, an
evidence list, a screenshot, a unit's reply), as Python functions the templates call.

They were Jinja macros; a site page calls them tens of thousands of times (every finding's evidence
is a nested `value`), and a macro call costs far more than the markup it returns. Every value from
results.json is escaped here (markupsafe.escape) exactly as autoescape did; links pass `safe_url`,
which lets only http/https through (anything else is shown as text). Ids are shown by their labels;
an id stays only in a tooltip (title attribute).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from zwgk.reports.labels import (
    CHECK_STATUS_LABELS,
    DIFF_LABELS,
    SEVERITY_LABELS,
    TASK_STATUS_LABELS,
    check_title,
    evidence_label,
    humanize,
)
from zwgk.reports.labels import value_label as _value_label
from zwgk.reports.text import (
    clean,
    looks_like_url,
    mainland_quotes,
    parse_time,
    safe_url,
    split_technical,
    time_text,
    zone,
)

TECH_FALLBACK = "其他原因（见技术细节）"
_EVIDENCE_SHOWN = {"expected", "seen", "at", "screenshot"}
# An evidence screenshot is a file of the run (RUN/screenshots/<site>/<n>.png): only that shape of
# relative path is ever linked, so a doctored results.json cannot point the page anywhere else.
_SHOT_PATH = re.compile(r"screenshots/[A-Za-z0-9.-]+/\d+(\.thumb)?\.png")


# --- text --------------------------------------------------------------------------------------------

def said(text: Any) -> str:
    """The sentence people read: ids labelled, mainland quotes, the English detail left out."""
    return mainland_quotes(humanize(split_technical(text)[0]))


def detail(text: Any) -> str:
    return split_technical(text)[1]


def localtime(value: Any, tz: Any) -> str:
    """An ISO time in the inspection's time zone ('2026-11-22 19:08:58 +08:00'); other values as given."""
    return time_text(value, tz) if parse_time(value, tz) else clean(value)


def page_zone(ctx: Any) -> Any:
    """The time zone a page shows times in (the render's `tz`; the default zone without one)."""
    return ctx.get("tz") or zone(None)


def _say(text: Any, fallback: str = TECH_FALLBACK) -> str:
    people, tech = split_technical(text)
    shown = escape(mainland_quotes(humanize(people)) or (fallback if tech else ""))
    if not tech:
        return shown
    return f'{shown} <details class="tech"><summary>技术细节</summary><pre>{escape(tech)}</pre></details>'


def say(text: Any, fallback: str = TECH_FALLBACK) -> Markup:
    """A text for people: the Chinese sentence, and the technical detail (an English library message,
    a call log) behind a disclosure."""
    return Markup(_say(text, fallback))


# --- links and badges --------------------------------------------------------------------------------
# The functions with a leading underscore return safe HTML as a plain str (cheaper to join); the
# public ones wrap it as Markup for the templates.

def _link(url: Any, text: Any = None) -> str:
    shown = escape(text if text else url)
    safe = safe_url(url)
    if safe:
        return f'<a class="url" href="{escape(safe)}" rel="noreferrer nofollow">{shown}</a>'
    return f'<span class="nolink" title="非 http/https 地址，不作链接">{shown}</span>'


def link(url: Any, text: Any = None) -> Markup:
    return Markup(_link(url, text))


def _badge(prefix: str, labels: Mapping[Any, str], default: str) -> Callable[[Any], Markup]:
    def badge(value: Any) -> Markup:
        return Markup(f'<span class="badge {prefix}{escape(value)}">{escape(labels.get(value, default))}</span>')
    return badge


sev = _badge("sev-", SEVERITY_LABELS, "提示")
task_status = _badge("st-", TASK_STATUS_LABELS, "无法判定")
check_status = _badge("st-", CHECK_STATUS_LABELS, "无法判定")


def verdict(v: Any) -> Markup:
    return Markup(f'<span class="badge v-{escape(v)}">{escape(v)}</span>')


def diff_mark(mark: Any) -> Markup:
    if not mark:
        return Markup("")
    return Markup(f'<span class="badge d-{escape(mark)}">{escape(DIFF_LABELS.get(mark, mark))}</span>')


def check(key: Any) -> Markup:
    """A check by its title; its id only in the tooltip."""
    return Markup(f'<span class="check" title="检查项编号 {escape(key)}">{escape(check_title(key))}</span>')


# --- evidence ----------------------------------------------------------------------------------------

def _present(x: Any) -> bool:
    return x is not None and x != "" and x != [] and x != {}


def _is_iterable(v: Any) -> bool:
    try:
        iter(v)
    except TypeError:
        return False
    return True


@lru_cache(maxsize=8192)
def _text(v: str, tz: Any) -> str:
    # Evidence repeats the same strings across findings (a label, a reason, a host): about 3 in 4
    # of them were rendered before.
    return _link(v) if looks_like_url(v) else _say(localtime(_value_label(v), tz))


def _value(v: Any, tz: Any, missing: bool = False) -> str:
    if isinstance(v, Mapping):
        parts = ['<dl class="ev">']
        for k, x in v.items():
            if _present(x):
                parts.append(f'<dt title="{escape(k)}">{escape(evidence_label(k))}</dt><dd>{_value(x, tz)}</dd>')
            elif missing:
                parts.append(f'<dt title="{escape(k)}">{escape(evidence_label(k))}</dt>'
                             '<dd><span class="badge st-fail">未见</span></dd>')
        parts.append("</dl>")
        return "".join(parts)
    if isinstance(v, str):
        return _text(v, tz)
    if _is_iterable(v):
        return "；".join(_value(x, tz) for x in v)
    if v is True:
        return "是"
    if v is False:
        return "否"
    return escape(clean(v))


def evidence_value(v: Any, tz: Any, missing: bool = False) -> Markup:
    """A stored evidence value: a mapping as a <dl> of labelled entries (missing=True: an empty entry is
    the point, say 未见), a URL as a link, a list joined with '；', a one-word code by its label."""
    return Markup(_value(v, tz, missing))


def extra_evidence(ev: Any) -> dict[str, Any]:
    return {k: v for k, v in ev.items() if k not in _EVIDENCE_SHOWN} if isinstance(ev, dict) else {}


def finding_evidence(ev: Any, tz: Any) -> Markup:
    """What was expected, what was seen and when; the rest of the stored evidence folded away."""
    fields = ev if isinstance(ev, Mapping) else {}
    parts = ['<dl class="ev">']
    if fields.get("expected") not in (None, ""):
        parts.append(f"<dt>应当</dt><dd>{_value(fields['expected'], tz)}</dd>")
    if fields.get("seen") not in (None, ""):
        parts.append(f"<dt>实际所见</dt><dd>{_value(fields['seen'], tz, True)}</dd>")
    if fields.get("at"):
        parts.append(f"<dt>检查时间</dt><dd>{escape(localtime(fields['at'], tz))}</dd>")
    parts.append("</dl>")
    extra = extra_evidence(ev)
    if extra:
        parts.append(f'<details class="more"><summary>更多证据</summary>{_value(extra, tz)}</details>')
    return Markup("".join(parts))


def shot_href(path: Any) -> str:
    """'../screenshots/…png' (site pages live in sites/) for a screenshot path, else ''."""
    return f"../{path}" if isinstance(path, str) and _SHOT_PATH.fullmatch(path) else ""


def screenshot_html(use: Any, tz: Any) -> Markup:
    """An evidence screenshot of the run, shown once: a thumbnail linking to the full PNG (relative
    paths only) at the first finding that uses it, a link back to it at the others."""
    if not use:
        return Markup("")
    if use.get("first"):
        return Markup(f'<div class="shot-ref"><a href="#{escape(use["first"])}">证据截图见上文（同一页面）</a></div>')
    shot = use.get("shot") or {}
    full = shot_href(shot.get("path"))
    if not full:
        return Markup("")
    thumb = shot_href(shot.get("thumb")) or full
    return Markup(f'<div class="shot"><a href="{escape(full)}" title="打开完整截图"><img src="{escape(thumb)}" '
                  f'alt="证据截图" width="320" loading="lazy"></a>\n'
                  f'<span class="muted">证据截图 · {escape(localtime(shot.get("at"), tz))}</span></div>')


def reply(item: Any) -> Markup:
    """A unit's reply to a finding (feedback.json of the previous run), shown beside what the 复查 saw."""
    if not item:
        return Markup("")
    parts = [Markup('<span class="reply">单位反馈：'), "称已整改" if item.get("claimed") else "未称整改"]
    if item.get("done"):
        parts.append(Markup("（{}{}）").format(item["done"], f"，{item['owner']}" if item.get("owner") else ""))
    elif item.get("owner"):
        parts.append(Markup("（{}）").format(item["owner"]))
    if item.get("reply"):
        parts.append(Markup("：{}").format(mainland_quotes(item["reply"])))
    if item.get("note"):
        parts.append(Markup("；备注：{}").format(mainland_quotes(item["note"])))
    parts.append(Markup("</span>"))
    return Markup("").join(parts)


# --- what the templates see ----------------------------------------------------------------------------

@pass_context
def _value_in_page(ctx: Any, v: Any, missing: bool = False) -> Markup:
    return evidence_value(v, page_zone(ctx), missing)


@pass_context
def _evidence_in_page(ctx: Any, ev: Any) -> Markup:
    return finding_evidence(ev, page_zone(ctx))


@pass_context
def _screenshot_in_page(ctx: Any, use: Any) -> Markup:
    return screenshot_html(use, page_zone(ctx))


GLOBALS: dict[str, Any] = {
    "link": link, "say": say, "sev": sev, "task_status": task_status, "check_status": check_status,
    "verdict": verdict, "diff_mark": diff_mark, "check": check, "value": _value_in_page,
    "evidence": _evidence_in_page, "screenshot": _screenshot_in_page, "reply": reply,
}
