"""Columns of the 政府信息公开 专栏 and the homepage: present, not empty, updated in time.

Which columns are required, and how often each kind must update, is data (rules/columns.yaml and
the scoring profile); ledger tasks add the columns they name (e.g. gk.planning for 十四五规划).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.rules.columns import load_columns
from zwgk.understand.dates import date_from_url, newest

WINDOW_SETTINGS = {"two_weeks": ("window_two_weeks_days", 14), "six_months": ("window_six_months_days", 183),
                   "one_year": ("window_one_year_days", 365)}
WINDOW_LABELS = {"two_weeks": "2周", "six_months": "6个月", "one_year": "1年"}


def required_columns(ctx: SiteContext) -> list[dict[str, Any]]:
    return [{"column": key} for key, col in load_columns().items() if col.required]


def present_columns(ctx: SiteContext) -> list[dict[str, Any]]:
    """Required columns plus every other catalogue column the site has."""
    keys = [p["column"] for p in required_columns(ctx)]
    keys += [k for k in ctx.columns if k not in keys]
    return [{"column": k} for k in keys]


def windowed_columns(ctx: SiteContext) -> list[dict[str, Any]]:
    """The present columns that have an update window (the others cannot be stale)."""
    cols = load_columns()
    return [p for p in present_columns(ctx) if (c := cols.get(p["column"])) and c.update_window in WINDOW_SETTINGS]


def _column(params: dict[str, Any]) -> tuple[str, str]:
    key = params["column"]
    col = load_columns().get(key)
    return key, (col.name if col else key)


def _fetched(ctx: SiteContext, url: str) -> str | None:
    page = ctx.page_at(url)
    return page.fetched_at if page else None


@check(id="column.missing", title="必设栏目已开设", severity="major", params=("column",), defaults=required_columns,
       needs=("homepage",), absence=("column_tree",),
       basis="国办公开办函〔2019〕61号：政府门户网站统一设置「政府信息公开」专栏及政府信息公开指南、制度、"
             "法定主动公开内容、年报等一级栏目；工作台账相应任务",
       remediation="在政府信息公开专栏下按规范名称开设该栏目，并在导航中可见。")
def column_missing(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    key, name = _column(params)
    hit = ctx.columns.get(key)
    if hit is None:
        return CheckResult("column.missing", "fail", f"未找到「{name}」栏目", findings=[finding(
            f"未找到「{name}」栏目（导航、面包屑、栏目标签和网址中均未出现）", ctx.site_url, target=key, absent=True,
            expected=f"网站设有「{name}」栏目", seen=f"已检查 {len(ctx.pages)} 个页面，未识别到该栏目",
            column=key, at=ctx.home.fetched_at if ctx.home else None)])
    how = [{"kind": e.kind, "page": e.page, "text": e.text} for e in hit.evidence[:3]]
    return CheckResult("column.missing", "pass", f"「{name}」栏目：{hit.url}", details={"url": hit.url, "how": how},
                       evidence=[{"url": hit.url, "expected": f"网站设有「{name}」栏目",
                                  "seen": f"识别依据：{hit.strongest}", "how": how, "at": _fetched(ctx, hit.url)}])


@check(id="column.empty", title="栏目有内容（非空白栏目）", severity="major", params=("column",),
       defaults=present_columns, needs=("homepage", "column_list"),
       basis="国办秘函〔2019〕19号 单项否决「栏目不更新」(3)：空白栏目≥5个即否决",
       remediation="为空白栏目补充应公开的信息；确无内容的栏目应整合或撤销。")
def column_empty(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    key, name = _column(params)
    listing = ctx.column_listing(key)
    if listing is None:
        return CheckResult("column.empty", "not_applicable", f"「{name}」栏目未找到（见 column.missing）")
    page, items = listing
    parsed = ctx.list_page(page)
    if items:
        return CheckResult("column.empty", "pass", f"「{name}」栏目有 {len(items)} 条信息",
                           details={"url": page.url, "items": len(items)},
                           evidence=[{"url": page.url, "expected": "栏目至少有一条信息",
                                      "seen": f"{len(items)} 条：{items[0].title}", "at": page.fetched_at}])
    if not parsed.has_list and _static_content(page):
        # 指南/制度 style columns are one article, not a list: text on the page is content
        return CheckResult("column.empty", "pass", f"「{name}」栏目为单页内容", details={"url": page.url},
                           evidence=[{"url": page.url, "expected": "栏目至少有一条信息", "seen": "栏目页正文有内容",
                                      "at": page.fetched_at}])
    # (a list only a browser shows, and no browser showed it, never gets here: the `column_list`
    # evidence is missing and the check is inconclusive — unknown, not empty)
    seen = "页面显示「暂无信息」" if parsed.empty_marker else "栏目页没有信息条目"
    return CheckResult("column.empty", "fail", f"「{name}」栏目为空白栏目", details={"url": page.url},
                       findings=[finding(f"「{name}」栏目为空白栏目：{seen}", page.url, target=key,
                                         expected="栏目至少有一条信息", seen=seen, column=key, at=page.fetched_at)])


def _static_content(page: Any) -> bool:
    from zwgk.checks.content import visible_text

    return len(visible_text(page)) > 300


@check(id="column.stale", title="栏目按时更新", severity="major", params=("column",), defaults=windowed_columns,
       needs=("homepage", "column_list"),
       basis="国办秘函〔2019〕19号 单项否决「栏目不更新」：动态要闻类2周、通知公告政策文件类6个月；"
             "2015年普查：人事、规划计划类1年；未注明发布时间的视为不更新",
       remediation="按栏目类别及时更新信息，并为每条信息标注发布日期。")
def column_stale(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    key, name = _column(params)
    col = load_columns().get(key)
    window = col.update_window if col else "as_needed"
    if window not in WINDOW_SETTINGS:
        return CheckResult("column.stale", "not_applicable", f"「{name}」栏目无固定更新周期（{window}）")
    listing = ctx.column_listing(key)
    if listing is None:
        return CheckResult("column.stale", "not_applicable", f"「{name}」栏目未找到（见 column.missing）")
    page, items = listing
    if not items:
        return CheckResult("column.stale", "not_applicable", f"「{name}」栏目为空（见 column.empty）")
    setting, default = WINDOW_SETTINGS[window]
    days = int(ctx.setting(setting, default))
    latest = newest(i.date for i in items)
    undated = sum(1 for i in items if i.date is None)
    limit = ctx.as_of - timedelta(days=days)
    details = {"url": page.url, "newest": latest.isoformat() if latest else None, "window_days": days,
               "window": window, "undated_items": undated, "items": len(items)}
    if latest is not None and latest >= limit:
        return CheckResult("column.stale", "pass", f"「{name}」最新信息 {latest}（{WINDOW_LABELS[window]}内）",
                           details=details, evidence=[{"url": page.url, "expected": f"{limit} 之后有新信息",
                                                       "seen": f"最新信息 {latest}", "at": page.fetched_at}])
    seen = f"最新信息日期 {latest}" if latest else f"{len(items)} 条信息均未标注发布日期（视为不更新）"
    label = WINDOW_LABELS[window]
    problem = finding(f"「{name}」栏目超过{label}未更新：{seen}", page.url, target=key,
                      expected=f"{limit} 之后有新信息（{label}内）", seen=seen, column=key, window=window,
                      newest=details["newest"], at=page.fetched_at)
    return CheckResult("column.stale", "fail", f"「{name}」超过{label}未更新：{seen}", details=details,
                       findings=[problem])


@check(id="homepage.stale", title="首页两周内有更新", severity="veto", needs=("homepage",),
       basis="国办秘函〔2019〕19号 单项否决「首页不更新」：监测2周首页无新信息"
             "（首页为导航页的，所有二级页面均无新信息）",
       remediation="首页动态、要闻、通知公告类信息至少每两周更新一次，并标注发布日期。")
def homepage_stale(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    home = ctx.home
    if home is None or not home.ok or home.body is None:
        return CheckResult("homepage.stale", "inconclusive", "首页未能抓取，无法判断更新情况")
    days = int(ctx.setting("homepage_stale_days", 14))
    items = ctx.list_page(home).items
    dates = [i.date for i in items]
    # Homepages carry several lists (要闻, 通知公告, tabs): dates in any linked URL count too.
    dates += [date_from_url(link.url) for link in ctx.links_of(home) if link.kind == "page"]
    latest = newest(dates)
    limit = ctx.as_of - timedelta(days=days)
    details = {"newest": latest.isoformat() if latest else None, "window_days": days}
    if latest is not None and latest >= limit:
        return CheckResult("homepage.stale", "pass", f"首页最新信息 {latest}", details=details,
                           evidence=[{"url": home.url, "expected": f"{limit} 之后有新信息",
                                      "seen": f"首页最新信息 {latest}", "at": home.fetched_at}])
    seen = f"首页最新信息日期 {latest}" if latest else "首页未见带日期的信息"
    return CheckResult("homepage.stale", "fail", f"首页超过 {days} 天未更新：{seen}", details=details,
                       findings=[finding(f"首页超过 {days} 天未更新：{seen}", home.url,
                                         expected=f"{limit} 之后有新信息", seen=seen, at=home.fetched_at)])
