"""interaction.reply: a working 咨询 channel exists and no 留言 waits more than 3 months for a reply.

国办秘函〔2019〕19号 单项否决5 (互动回应差): no online 咨询建言 channel (网上信访 and 纪检举报 do not
count), or, within the year before the check, a valid 政务咨询 message unanswered for more than
3 months. Messages are read from 留言 list tables (header-named columns: 标题 | 留言时间 | 答复时间 |
状态), from header-less rows that carry a status word (已回复 / 办理中 …), and from detail pages
(留言时间：… 答复时间：…). Only header-named columns and labelled values are read as dates, so a
索引号 or 编号 that looks like a date is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.content import (
    column_pages,
    content_text,
    element_text,
    evidence,
    issue,
    page_title,
    page_url,
    parse_html,
    squeeze,
)
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.dates import find_date, find_dates, parse_date

CHANNEL_WORDS = ("咨询", "留言", "信箱", "建言", "写信", "来信", "问政", "诉求", "我要问", "网上问答")
CHANNEL = re.compile("|".join(CHANNEL_WORDS))
# LIKE patterns one of which every CHANNEL alternative matches, whitespace between its characters or
# not: an anchor without any cannot name a channel (a database pre-filter; few patterns, each one a
# scan of every anchor: 留言/建言 言, 信箱/写信/来信 信, 问政/我要问/网上问答 问)
CHANNEL_LIKE = ("%咨%询%", "%言%", "%信%", "%问%", "%诉%求%")
assert all(any(re.fullmatch(p.replace("%", ".*"), w) for p in CHANNEL_LIKE) for w in CHANNEL_WORDS)
CHANNEL_LINK_KINDS = ("page", "external", "other", "javascript")
# Not 政务咨询 in the sense of the rule: 网上信访, 纪检举报, 在线访谈, 调查征集.
EXCLUDED = re.compile(r"信访|举报|纪检|监察|访谈|征集|调查|问卷")
# An anchor "咨询电话" is a phone number, not an online channel.
_NOT_CHANNEL = re.compile(EXCLUDED.pattern + r"|电话|热线")
ASK_HEAD = re.compile(r"(?:留言|提问|来信|写信|咨询|提交|发布|发帖)(?:时间|日期)")
REPLY_HEAD = re.compile(r"(?:答复|回复|办结|处理|反馈)(?:时间|日期)")
STATUS_HEAD = re.compile(r"状态")
TITLE_HEAD = re.compile(r"标题|主题|事项|内容|信件")
PENDING = re.compile(r"未回复|未答复|待回复|待答复|办理中|处理中|待处理|受理中|未办结|未处理|未受理|转办中|正在办理")
ANSWERED = re.compile(r"已回复|已答复|已办结|已处理|已反馈|办结|已完成")
# On a message page only a 留言-specific label counts ("发布日期" is on every article page).
_ASK_LABEL = re.compile(r"(?:留言|提问|来信|写信|咨询)(?:时间|日期)[\s:：]*")
_REPLY_LABEL = re.compile(REPLY_HEAD.pattern + r"[\s:：]*")
_STATUS_LABEL = re.compile(r"(?:办理|处理|回复|答复)?状态[\s:：]*(\S{2,6})")
_REPLY_TEXT = re.compile(r"(?:答复|回复)(?:内容|意见)?[:：]\s*(.{0,60})")
_NO_REPLY_TEXT = re.compile(r"^(?:暂无|尚未|未|无)")
_ROW_TEXT_LIMIT = 300


@dataclass
class Message:
    title: str
    url: str                    # the detail page, or the list page when the row links nowhere
    asked: date | None
    replied: date | None = None
    answered: bool | None = None    # None: neither a reply date nor a status says
    status: str = ""
    seen_on: str = ""           # the page it was read from
    at: str | None = None       # that page's fetched_at
    detail: bool = False        # url is the message's own page

    def merge(self, other: Message) -> None:
        """Combine a list row with its detail page: any reply seen on either counts."""
        self.asked = self.asked or other.asked
        self.replied = self.replied or other.replied
        self.status = self.status or other.status
        states = {self.answered, other.answered}
        self.answered = True if True in states else (False if False in states else None)
        self.detail = self.detail or other.detail
        self.title = self.title or other.title


def _is_interaction(page: PageRecord) -> bool:
    label = squeeze(f"{page_title(page)} {page.breadcrumb or ''}")
    return bool(CHANNEL.search(label)) and not EXCLUDED.search(label)


def _excluded(page: PageRecord) -> bool:
    return bool(EXCLUDED.search(squeeze(f"{page_title(page)} {page.breadcrumb or ''}")))


def _answered(status: str, replied: date | None, has_reply_column: bool) -> bool | None:
    if replied:
        return True
    if PENDING.search(status):
        return False
    if ANSWERED.search(status):
        return True
    return False if has_reply_column else None


# --- reading messages ----------------------------------------------------------------------------


def _cells(tr: etree._Element) -> list[etree._Element]:
    return [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _header(tr: etree._Element) -> dict[str, int] | None:
    """Column roles of a header row, when it names an ask-date column."""
    roles: dict[str, int] = {}
    for i, cell in enumerate(_cells(tr)):
        text = squeeze(element_text(cell))
        if len(text) > 12:
            return None
        for role, pattern in (("asked", ASK_HEAD), ("replied", REPLY_HEAD), ("status", STATUS_HEAD),
                              ("title", TITLE_HEAD)):
            if role not in roles and pattern.search(text):
                roles[role] = i
                break
    return roles if "asked" in roles else None


def _row_link(row: etree._Element, base: str) -> tuple[str, str]:
    for a in row.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript", "#", "mailto")):
            return urljoin(base, href), (a.get("title") or element_text(a)).strip()
    return "", ""


def table_messages(root: etree._Element, page: PageRecord) -> list[Message]:
    base = page_url(page)
    out: list[Message] = []
    for table in root.iter("table"):
        rows = [tr for tr in table.iter("tr") if _nearest_table(tr) is table]
        roles, start = None, 0
        for i, tr in enumerate(rows):
            roles = _header(tr)
            if roles:
                start = i + 1
                break
        if not roles:
            continue
        for tr in rows[start:]:
            cells = _cells(tr)
            if len(cells) <= roles["asked"]:
                continue
            values = {role: element_text(cells[i]) if i < len(cells) else "" for role, i in roles.items()}
            asked = parse_date(values["asked"])
            if asked is None:
                continue
            replied = parse_date(values.get("replied"))
            status = values.get("status", "")
            link, link_title = _row_link(tr, base)
            out.append(Message(values.get("title") or link_title, link or base, asked, replied,
                               _answered(status, replied, "replied" in roles), status, base, page.fetched_at,
                               detail=bool(link)))
    return out


def _nearest_table(el: etree._Element) -> etree._Element | None:
    return next((anc for anc in el.iterancestors("table")), None)


def row_messages(root: etree._Element, page: PageRecord) -> list[Message]:
    """Header-less rows (ul/li, div) that say their state: first date asked, second replied."""
    base = page_url(page)
    out: list[Message] = []
    for row in root.iter("li", "tr"):
        if row.tag == "tr" and _nearest_table(row) is not None and _has_header(_nearest_table(row)):
            continue   # read by table_messages through its header
        text = element_text(row)
        if len(text) > _ROW_TEXT_LIMIT or not (PENDING.search(text) or ANSWERED.search(text)):
            continue
        if any(child.tag in ("li", "tr") for child in row.iterdescendants()):
            continue   # a wrapper of rows, not a row
        dates = find_dates(text)
        if not dates:
            continue
        status = (PENDING.search(text) or ANSWERED.search(text)).group(0)  # type: ignore[union-attr]
        replied = dates[1] if len(dates) > 1 else None
        link, title = _row_link(row, base)
        out.append(Message(title or text[:40], link or base, dates[0], replied,
                           _answered(status, replied, False), status, base, page.fetched_at, detail=bool(link)))
    return out


def _has_header(table: etree._Element | None) -> bool:
    return table is not None and any(_header(tr) for tr in table.iter("tr"))


def detail_message(page: PageRecord) -> Message | None:
    """One message page: exactly one 留言时间 label (a list page repeats it or puts it in a header)."""
    text = content_text(page)
    asks = list(_ASK_LABEL.finditer(text))
    if len(asks) != 1:
        return None
    asked = _value_date(text, asks[0].end())
    if asked is None:
        return None
    replied = None
    for m in _REPLY_LABEL.finditer(text):
        replied = _value_date(text, m.end())
        if replied:
            break
    status_m = _STATUS_LABEL.search(text)
    status = status_m.group(1) if status_m else ""
    answered = _answered(status, replied, False)
    if answered is None:
        reply = _REPLY_TEXT.search(text)
        if reply:
            body = squeeze(reply.group(1))
            answered = len(body) >= 6 and not _NO_REPLY_TEXT.match(body)
        else:
            answered = False     # a message page with no reply at all
    return Message(page_title(page), page_url(page), asked, replied, answered, status, page_url(page),
                   page.fetched_at, detail=True)


def _value_date(text: str, at: int) -> date | None:
    """The date written right after a label ("留言时间：2026-05-10"); a date further on belongs to
    something else (a list header followed by its first row, an empty 回复时间 before other text)."""
    value = text[at:at + 25]
    return find_date(value) if value[:1].isdigit() else None


def collect_messages(ctx: SiteContext) -> tuple[list[Message], list[PageRecord]]:
    """Every message seen (merged by URL), and the interaction pages they were looked for on."""
    pages: list[PageRecord] = []
    for p in [*column_pages(ctx, "gk.interaction"),
              *(p for p in ctx.pages_mentioning(CHANNEL_WORDS, spaced=True) if _is_interaction(p))]:
        if p not in pages and not _excluded(p):
            pages.append(p)
    by_key: dict[str, Message] = {}

    def add(msg: Message) -> None:
        key = msg.url if msg.detail else f"{msg.url}|{msg.asked}|{squeeze(msg.title)}"
        if key in by_key:
            by_key[key].merge(msg)
        else:
            by_key[key] = msg

    lists: set[str] = set()
    for page in pages:
        root = parse_html(page.body)
        if root is None:
            continue
        for msg in table_messages(root, page) + row_messages(root, page):
            add(msg)
            lists.add(page.url)
    for page in ctx.pages:
        # The raw-body test keeps the site's other thousands of pages out of the parser.
        if page.url in lists or not _ASK_LABEL.search(page.body or "") or _excluded(page):
            continue
        if msg := detail_message(page):
            add(msg)
    return list(by_key.values()), pages


def channels(ctx: SiteContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(working or unverified 咨询 entries, broken ones): links and pages named 咨询/留言/信箱/建言.
    A link target counts once, with the first link to it (page order, then the page's own order)
    whose anchor names a channel; then the pages so named that no such link reached."""
    ok: list[dict[str, Any]] = []
    broken: list[dict[str, Any]] = []
    seen: set[str] = set()
    for url, anchor, source in _first_channel_links(ctx):
        seen.add(url)
        rec = ctx.by_url.get(url)
        entry = {"anchor": anchor, "url": url, "on": source,
                 "status": rec.status if rec else None, "error": rec.error_kind if rec else None}
        (broken if rec is not None and not rec.ok else ok).append(entry)
    for page in ctx.pages_mentioning(CHANNEL_WORDS, spaced=True):
        if _is_interaction(page) and page.url not in seen:
            seen.add(page.url)
            ok.append({"anchor": page_title(page), "url": page_url(page), "on": page_url(page), "status": page.status})
    return ok, broken


def _channel_anchor(anchor: str | None) -> str | None:
    """The squeezed anchor when it names a 咨询 channel (short, not a phone line, 信访 or 举报)."""
    text = squeeze(anchor)
    if not text or len(text) > 20 or not CHANNEL.search(text) or _NOT_CHANNEL.search(text):
        return None
    return text


def _first_channel_links(ctx: SiteContext) -> list[tuple[str, str, str]]:
    """(target, squeezed anchor, source page URL) of the first channel link to each target, in the
    order of those links. The database groups the site's links by target and anchor (a menu's
    信箱 link on every page is one row, with the first page carrying it); of a target's anchors
    that name a channel the one first seen wins, ties on one page decided by that page's order."""
    first: dict[str, tuple[int, str, str]] = {}      # target -> (first page id, anchor, page URL)
    tied: set[str] = set()
    links = ctx.store.first_links(ctx.key, kinds=CHANNEL_LINK_KINDS, anchor_like=CHANNEL_LIKE)
    for url, raw, page_id, source in links:
        anchor = _channel_anchor(raw)
        if anchor is None:
            continue
        held = first.get(url)
        if held is None or page_id < held[0]:
            first[url] = (page_id, anchor, source)
            tied.discard(url)
        elif page_id == held[0]:
            tied.add(url)
    # order (and ties) within a page: the page's links as stored, the first channel link to each target
    position: dict[str, int] = {}
    for page_id in sorted({held[0] for held in first.values()}):
        for i, link in enumerate(ctx.store.links(page_id)):
            if (held := first.get(link.url)) is None or held[0] != page_id or link.url in position:
                continue
            if link.kind in CHANNEL_LINK_KINDS and (anchor := _channel_anchor(link.anchor)) is not None:
                position[link.url] = i
                if link.url in tied:
                    first[link.url] = (page_id, anchor, held[2])
    order = sorted(first, key=lambda u: (first[u][0], position.get(u, 0)))
    return [(u, first[u][1], first[u][2]) for u in order]


# --- the check ----------------------------------------------------------------------------------


@check(
    id="interaction.reply",
    title="政务咨询渠道可用，留言3个月内答复",
    severity="veto",
    needs=("homepage",),
    absence=("column_tree:gk.interaction",),
    basis="国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》单项否决5「互动回应差」：无可用的网上咨询建言渠道"
          "（网上信访、纪检举报除外），或检查前1年内政务咨询类栏目存在超过3个月未回复的有效留言",
    remediation="保持政务咨询（留言、信箱）渠道可用；对超期留言立即办理答复，建立留言受理、转办、答复时限督办机制。",
)
def interaction_reply(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    limit = int(ctx.setting("unanswered_message_days", 90))
    lookback = int(ctx.setting("interaction_lookback_days", 365))
    since = ctx.as_of - timedelta(days=lookback)
    home = ctx.home
    home_url = page_url(home) if home else ctx.site_url
    entries, broken = channels(ctx)
    details: dict[str, Any] = {"limit_days": limit, "lookback_days": lookback, "since": since.isoformat(),
                               "channels": entries[:10], "broken_channels": broken[:10]}
    if not entries:
        seen = (f"咨询入口均无法访问：{'、'.join(b['anchor'] for b in broken)}" if broken
                else "全站未见咨询/留言/信箱/建言入口")
        f = issue("网站无可用的政务咨询（留言、信箱、建言）渠道", home_url, target="channel", absent=not broken,
                  ev=evidence(home, "可用的网上咨询建言渠道（网上信访、纪检举报不计）", seen, broken=broken[:10]))
        return CheckResult("interaction.reply", "fail", "无可用的政务咨询渠道（单项否决：互动回应差）",
                           details=details, findings=[f])

    messages, pages = collect_messages(ctx)
    in_window = [m for m in messages if m.asked and since <= m.asked <= ctx.as_of]
    overdue = [m for m in in_window if m.answered is False and (ctx.as_of - m.asked).days > limit]  # type: ignore[operator]
    late = [m for m in in_window if m.replied and (m.replied - m.asked).days > limit]  # type: ignore[operator]
    details.update(pages=[page_url(p) for p in pages][:20], messages=len(messages), in_window=len(in_window),
                   unknown_state=sum(m.answered is None for m in in_window),
                   pending_within_limit=sum(m.answered is False for m in in_window) - len(overdue),
                   late_replies=[_brief(m) for m in late][:20])
    overdue.sort(key=lambda m: m.asked or date.min)
    findings: list[Finding] = [_overdue(m, ctx.as_of, limit) for m in overdue]
    if findings:
        return CheckResult("interaction.reply", "fail",
                           f"{len(findings)} 条留言超过 {limit} 天未答复（单项否决：互动回应差）",
                           details=details, findings=findings)
    if not messages:
        empty = any(ctx.list_page(p).empty_marker for p in pages)
        if empty:
            return CheckResult("interaction.reply", "pass", "咨询渠道可用，留言列表为空", details=details)
        return CheckResult("interaction.reply", "inconclusive",
                           "咨询渠道存在，但未能读取留言记录（可能需要登录或由脚本加载），需人工核查答复时限",
                           details=details)
    summary = f"近{lookback}天留言 {len(in_window)} 条，无超过 {limit} 天未答复"
    if late:
        summary += f"；{len(late)} 条答复用时超过 {limit} 天（已答复，见详情）"
    return CheckResult("interaction.reply", "pass", summary, details=details,
                       evidence=[{**_brief(m), "expected": f"{limit} 天内答复", "seen": _answer_seen(m)}
                                 for m in in_window[:5]])


def _answer_seen(m: Message) -> str:
    return f"{m.asked} 提问，" + (f"{m.replied} 答复" if m.replied else (m.status or "已答复"))


def _brief(m: Message) -> dict[str, Any]:
    return {"title": m.title, "url": m.url, "asked": m.asked and m.asked.isoformat(),
            "replied": m.replied and m.replied.isoformat(), "status": m.status, "seen_on": m.seen_on, "at": m.at}


def _overdue(m: Message, as_of: date, limit: int) -> Finding:
    days = (as_of - m.asked).days if m.asked else 0
    target = None if m.detail else f"{m.asked}|{squeeze(m.title)[:40]}"
    state = f"，状态“{m.status}”" if m.status else ""
    return issue(f"留言“{m.title}”于 {m.asked} 提交，至 {as_of} 已 {days} 天未答复{state}", m.url, target=target,
                 ev={"url": m.url, "expected": f"{limit} 天内答复", "seen": f"{days} 天未答复{state}",
                     "at": m.at, "asked": m.asked and m.asked.isoformat(), "days": days, "seen_on": m.seen_on,
                     "title": m.title})
