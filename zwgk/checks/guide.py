"""guide.content: the 政府信息公开指南 tells a citizen how to get information.

The elements come from the 条例: 第十二条 (what a 指南 contains: 分类、获取方式、工作机构名称、
办公地址、联系电话 …), 第二十七至二十九条 (依申请公开: 申请渠道 and 申请方式), 第三十三条 (答复期限
20个工作日), 第四十二条 with the 信息处理费管理办法 (fees), 第五十一条 (投诉、行政复议、行政诉讼).
Many portals split the 指南 over a column page and a 依申请公开 page, so every page that presents
itself as the 指南 (or sits in the 指南 column) is read together; findings point at the main one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.content import column_pages, content_text, evidence, issue, page_title, page_url, squeeze
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord

_GUIDE_TITLE = re.compile(r"(?:政府)?信息公开指南|政务公开指南|公开指南")
_NOT_GUIDE = re.compile(r"办事指南|服务指南|办税指南|申报指南")
_APPLY_TITLE = re.compile(r"依申请公开")
_PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}[-－—]?\d{7,8}|1[3-9]\d{9})(?!\d)")


@dataclass(frozen=True)
class Element:
    name: str
    expected: str
    seen: Callable[[str], str | None]      # squeezed text → what proves it, None when absent


def _all(*patterns: str) -> Callable[[str], str | None]:
    """Present when every pattern matches; the proof is the matched words."""
    compiled = [re.compile(p) for p in patterns]

    def seen(text: str) -> str | None:
        hits = [m.group(0) for p in compiled if (m := p.search(text))]
        return "、".join(hits) if len(hits) == len(compiled) else None
    return seen


def _channels(text: str) -> str | None:
    if "申请" not in text:
        return None
    ways = [w for w, p in (("在线/网上", r"在线申请|网上申请|网络申请|互联网|申请平台|在线提交|电子邮件"),
                           ("信函", r"信函|邮寄|邮政"), ("当面", r"当面|现场|窗口"), ("传真", r"传真申请|传真方式"))
            if re.search(p, text)]
    return "、".join(ways) if ways else None


def _office(text: str) -> str | None:
    addr = re.search(r"(?:办公地址|通讯地址|地址|办公地点)[:：]?[^:：]{2,}", text)
    phone = re.search(r"(?:联系电话|咨询电话|电话)[:：]?", text) and _PHONE.search(text)
    if not (addr and phone):
        return None
    return f"地址、电话 {phone.group(0)}"


ELEMENTS: tuple[Element, ...] = (
    Element("主动公开", "说明主动公开的范围（内容）和方式（渠道）",
            _all(r"主动公开", r"公开(?:的)?(?:范围|内容|方式|形式|途径|渠道)|(?:范围|方式|渠道|途径)[:：]")),
    Element("依申请公开渠道", "说明依申请公开的申请渠道和方式（在线、信函、当面等）", _channels),
    Element("受理机构及联系方式", "写明受理机构的名称、办公地址和联系电话", _office),
    Element("办理时限", "写明答复期限（自收到申请之日起20个工作日内，可延长不超过20个工作日）",
            _all(r"(?:20|二十)个工作日")),
    Element("信息处理费", "说明信息处理费的收取（条例第四十二条；《政府信息公开信息处理费管理办法》）",
            _all(r"信息处理费|不收取(?:任何)?费用|收取费用|收费标准")),
    Element("救济方式", "说明投诉、举报、行政复议或行政诉讼等救济渠道", _all(r"行政复议|行政诉讼")),
)


def guide_pages(ctx: SiteContext) -> list[PageRecord]:
    """Main 指南 page first (titled 指南), then the rest of the 指南 column and 依申请公开 pages."""
    titled: list[PageRecord] = []
    applying: list[PageRecord] = []
    # (one pass for both, over the pages whose title or <meta> could say 公开指南 or 依申请公开)
    for p in ctx.pages_mentioning(("公开指南", "依申请公开"), spaced=True):
        title = page_title(p)
        if _is_guide(title):
            titled.append(p)
        if _APPLY_TITLE.search(squeeze(title)):
            applying.append(p)
    column = column_pages(ctx, "gk.guide")
    # A column page that only lists the 指南 (one link) is not the 指南; its linked detail is.
    linked = [ctx.by_url[u] for p in column for u in (i.url for i in ctx.list_page(p).items)
              if u in ctx.by_url and _is_guide(page_title(ctx.by_url[u]))]
    out: list[PageRecord] = []
    for p in [*titled, *linked, *column, *applying]:
        # a list shell a script fills (no browser ran) is not the 指南's text: reading it would find
        # every element "missing" on a page nobody could read
        if p.ok and p.body is not None and p not in out and ctx.list_unreadable(p) is None:
            out.append(p)
    return out


def _is_guide(title: str) -> bool:
    t = squeeze(title)
    return bool(_GUIDE_TITLE.search(t)) and not _NOT_GUIDE.search(t)


@check(
    id="guide.content",
    title="政府信息公开指南要素齐全",
    severity="minor",
    needs=("homepage",),
    absence=("column_list:gk.guide",),
    basis="《中华人民共和国政府信息公开条例》第十二条（指南内容）、第二十九条（申请方式）、"
          "第三十三条（20个工作日答复）、第四十二条（信息处理费）、第五十一条（投诉、行政复议、行政诉讼）；"
          "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）；"
          "国办公开办函〔2019〕61号 一级栏目“政府信息公开指南”",
    remediation="按条例要求修订政府信息公开指南，补齐缺少的要素（主动公开范围和方式、依申请公开渠道、"
                "受理机构地址电话、办理时限、信息处理费、救济方式），并及时更新。",
)
def guide_content(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    pages = guide_pages(ctx)
    main = next((p for p in pages if _is_guide(page_title(p))), None)
    if main is None:
        where = ctx.home
        url = page_url(where) if where else ctx.site_url
        f = issue("未找到政府信息公开指南页面", url, target="指南", absent=True,
                  ev=evidence(where, "“政府信息公开指南”栏目或页面", "全站未见标题含“公开指南”的页面"))
        return CheckResult("guide.content", "fail", "未找到政府信息公开指南", findings=[f],
                           details={"pages_read": [page_url(p) for p in pages]})
    texts = {page_url(p): squeeze(content_text(p)) for p in pages}
    found: dict[str, tuple[str, str]] = {}      # element → (page url, proof)
    for el in ELEMENTS:
        for url, text in texts.items():
            proof = el.seen(text)
            if proof:
                found[el.name] = (url, proof)
                break
    findings: list[Finding] = [
        issue(f"政府信息公开指南缺少“{el.name}”要素", page_url(main), target=el.name,
              ev=evidence(main, el.expected, "指南及依申请公开页面均未见", pages_read=list(texts)))
        for el in ELEMENTS if el.name not in found]
    details = {"guide": page_url(main), "pages_read": list(texts),
               "elements": {k: {"url": u, "seen": s} for k, (u, s) in found.items()}}
    ev = [evidence(main, "政府信息公开指南", page_title(main))]
    if not findings:
        return CheckResult("guide.content", "pass", f"指南要素齐全（{len(ELEMENTS)} 项）", details=details, evidence=ev)
    missing = "、".join(f.target or "" for f in findings)
    return CheckResult("guide.content", "fail", f"指南缺少 {len(findings)} 项要素：{missing}",
                       details=details, findings=findings, evidence=ev)
