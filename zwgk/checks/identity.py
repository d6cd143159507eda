"""site.identity: the footer identity block every page must carry (网站标识码, ICP备案, 公网安备,
党政机关标识, 主办单位, 联系方式), and the SiteIDCode meta tag agreeing with the footer code.

The homepage decides the findings (one per missing element, target = the element name). A sample
of other pages is read too: an element the homepage shows but a sampled page lacks is a finding on
that page, because the 网页设计规范 wants the block on every page, and a page whose SiteIDCode
disagrees with the footer code is one as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from zwgk.checks.base import CheckResult, Finding
from zwgk.checks.content import element_text, evidence, issue, page_url, parse_html, squeeze
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord

# The footer: <footer>, or an element whose class/id names a footer/copyright block. The last
# match wins (the page's bottom); a page without one is read whole, which is more tolerant.
_FOOTER_ATTR = re.compile(r"(^|[\s_-])(foot|footer|bottom|copyright|dibu|bq|banquan|wzdb)"
                          r"([\s_-]|\d|$)", re.I)
_LABEL_GAP = r"[\s\u3000\xa0:：]*"
SITE_CODE_LABEL = re.compile(r"网站标识码" + _LABEL_GAP + r"((?:bm|BM)?[\d\s\u3000\xa0]{8,24})")
SITE_CODE_FORMAT = re.compile(r"^(?:\d{10}|bm\d{8})$")
ICP = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP备\s*\d+\s*号(?:\s*-\s*\d+)?")
POLICE = re.compile(r"公网安备\s*\d+\s*号")
PHONE = re.compile(r"(?<!\d)(?:0\d{2,3}[-－—\s]?\d{7,8}|1[3-9]\d{9}|12345)(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Footer values are read as labelled values: a label, then its value up to the next label or a
# separator — "…IPv6 访问 主办：宜春市人民政府 承办：…" gives 主办单位 宜春市人民政府, never "访问主办".
HOST_LABELS = ("主办单位", "网站主办", "主办机关", "主办")
CONTACT_LABELS = ("联系电话", "咨询电话", "办公电话", "值班电话", "电话", "Tel", "TEL", "联系地址", "通讯地址",
                  "办公地址", "地址", "电子邮箱", "联系邮箱", "电子邮件", "联系电邮", "邮箱", "E-mail", "Email",
                  "email")
OTHER_LABELS = ("承办单位", "承办", "协办单位", "协办", "技术支持", "技术保障", "运维单位", "版权所有", "网站标识码",
                "政府网站标识码", "备案号", "ICP备案", "邮编", "邮政编码", "传真", "网站地图", "联系我们", "主管单位",
                "主管", "建议使用", "推荐使用", "访问量", "浏览次数")
_ALL_LABELS = sorted({*HOST_LABELS, *CONTACT_LABELS, *OTHER_LABELS}, key=len, reverse=True)
_LABEL_AT = re.compile("(" + "|".join(re.escape(lb) for lb in _ALL_LABELS) + r")\s*[:：]")
_VALUE_END = re.compile(r"[|｜;；,，]|\s{2,}|(?:\s|^)(?:" + "|".join(re.escape(lb) for lb in _ALL_LABELS)
                        + r")\s*[:：]|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]ICP|公网安备")
_HOST_SUFFIX = re.compile(r"([\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|办公室|办公厅|委员会|局|委|厅|中心|院|部))"
                          r"\s*主办(?!单位)")
_ADDRESS = re.compile(r"[路街道号巷区县市镇乡村楼层室]")
CONAC = re.compile(r"bszs\.conac\.cn|conac\.cn|dzjg\.|red\.gif|dzjg", re.I)
DEFAULT_SAMPLE = 5


@dataclass
class Footer:
    text: str          # visible text, whitespace collapsed
    html: str          # serialized footer markup (images, scripts' src were kept as attributes)
    found: bool        # False when no footer element was recognised and the whole page was read


def footer_of(page: PageRecord) -> Footer:
    """The page's footer region: from the first footer-like block near the end to the end of the page.

    Reading to the end (not just the block) keeps a badge or 标识码 row that sits in its own div
    after the footer; a page without a recognisable footer is read whole, which is more tolerant.
    """
    root = parse_html(page.body)
    if root is None:
        return Footer("", "", False)
    body = root.find("body")
    whole = body if body is not None else root
    nodes = [el for el in whole.iter() if isinstance(el.tag, str)
             and (el.tag == "footer" or _FOOTER_ATTR.search(f"{el.get('class', '')} {el.get('id', '')}"))]
    # Outermost footer-like blocks only (a footer's inner "foot-bottom" div is part of it).
    marked = set(nodes)
    outer = [el for el in nodes if not any(anc in marked for anc in el.iterancestors())]
    full_text, full_html = element_text(whole), etree.tostring(whole, encoding="unicode")
    if not outer:
        return Footer(full_text, full_html, False)
    block = outer[-1]
    text, html = element_text(block), etree.tostring(block, encoding="unicode", with_tail=False)
    at_text = full_text.rfind(text[:30]) if text else -1
    at_html = full_html.rfind(html[:200])
    return Footer(full_text[at_text:] if at_text >= 0 else text,
                  full_html[at_html:] if at_html >= 0 else html, True)


def _conac_in(page: PageRecord, footer: Footer) -> bool:
    # The badge is a linked image or a script from bszs.conac.cn; scripts are stripped from the
    # parsed tree, so the raw body's tail is read as well (the badge script sits in the footer).
    return bool(CONAC.search(footer.html) or CONAC.search((page.body or "")[-6000:])
                or "党政机关" in footer.text)


# --- elements ------------------------------------------------------------------------------------


def site_code(text: str) -> tuple[str | None, str | None]:
    """(valid code, raw value) after a 网站标识码 label; spaces inside the code are tolerated."""
    m = SITE_CODE_LABEL.search(text)
    if not m:
        return None, None
    raw = m.group(1).strip()
    joined = ""
    for token in re.split(r"[\s\u3000\xa0]+", raw):
        joined += token
        if len(joined) >= 10:
            break
    code = joined.lower() if joined.lower().startswith("bm") else joined
    return (code if SITE_CODE_FORMAT.match(code) else None), raw


@dataclass(frozen=True)
class Element:
    name: str
    expected: str
    present: Callable[[PageRecord, Footer], str | None]   # what was seen, None when absent


def _seen_code(page: PageRecord, footer: Footer) -> str | None:
    code, _raw = site_code(footer.text)
    return code


def _seen_re(pattern: re.Pattern[str]) -> Callable[[PageRecord, Footer], str | None]:
    def seen(page: PageRecord, footer: Footer) -> str | None:
        m = pattern.search(footer.text)
        return squeeze(m.group(0)) if m else None
    return seen


def _seen_conac(page: PageRecord, footer: Footer) -> str | None:
    return "党政机关标识" if _conac_in(page, footer) else None


def labelled_values(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a footer: every "label：" and the text after it up to the next label or
    separator ("主办：宜春市人民政府 承办：宜春市人民政府办公室" → 主办/宜春市人民政府, 承办/…)."""
    out = []
    for m in _LABEL_AT.finditer(text):
        rest = text[m.end():].lstrip(" \u3000")
        end = _VALUE_END.search(rest)
        value = (rest[: end.start()] if end else rest)[:60].strip()
        out.append((m.group(1), value))
    return out


def host_unit(text: str) -> str | None:
    """主办单位 as a labelled value ("主办单位：×××", "主办：×××"), else "×××主办" after an organisation name."""
    for label, value in labelled_values(text):
        if label in HOST_LABELS and len(value) >= 2:
            return value
    m = _HOST_SUFFIX.search(text)
    return m.group(1) if m else None


def contact(text: str) -> str | None:
    """联系方式: a phone number or e-mail address anywhere in the footer, or a labelled address —
    a menu entry that merely names a channel (政务邮箱, 手机版) is none."""
    for label, value in labelled_values(text):
        if label not in CONTACT_LABELS or not value:
            continue
        if (m := PHONE.search(value)) or (m := EMAIL.search(value)):
            return f"{label}：{m.group(0)}"
        if "地址" in label and len(value) >= 4 and _ADDRESS.search(value):
            return f"{label}：{value}"
    for pattern in (PHONE, EMAIL):
        if m := pattern.search(text):
            return m.group(0).strip()
    return None


def _seen_host(page: PageRecord, footer: Footer) -> str | None:
    return host_unit(footer.text)


_MAILTO = re.compile(r"mailto:\s*([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.I)


def _seen_contact(page: PageRecord, footer: Footer) -> str | None:
    if found := contact(footer.text):
        return found
    m = _MAILTO.search(footer.html)            # a "联系我们" link that mails someone is a contact too
    return f"电子邮件：{m.group(1)}" if m else None


ELEMENTS: tuple[Element, ...] = (
    Element("网站标识码", "页脚标注“网站标识码”及10位标识码（6位行政区划代码+4位数字，或 bm+8位数字）", _seen_code),
    Element("ICP备案", "页脚标注ICP备案编号，如“冀ICP备05003000号-1”", _seen_re(ICP)),
    Element("公网安备", "页脚标注公安机关备案号，如“冀公网安备 13040202000001号”", _seen_re(POLICE)),
    Element("党政机关标识", "页脚放置党政机关网站开办者标识（链接 bszs.conac.cn）", _seen_conac),
    Element("主办单位", "页脚标注“主办单位：××”", _seen_host),
    Element("联系方式", "页脚提供联系电话、地址或电子邮箱", _seen_contact),
)


def meta_code(page: PageRecord) -> str | None:
    meta = {k.lower(): v for k, v in (page.meta or {}).items()}
    value = squeeze(meta.get("siteidcode"))
    if not value:
        m = re.search(r"<meta[^>]+name=[\"']?SiteIDCode[\"']?[^>]*content=[\"']?\s*([^\"'>]+)", page.body or "", re.I)
        value = squeeze(m.group(1)) if m else ""
    return value or None


def _sample(ctx: SiteContext, home: PageRecord, size: int) -> list[PageRecord]:
    """Spread evenly over the pages in URL order (so over the columns' directories), not just the first
    few list pages — and the same pages however the crawl's fetches happened to be ordered: the sample's
    findings must not come and go between two audits of an unchanged site."""
    # two streamed passes (count, then pick) instead of a list of every page; neither builds the records
    # of the pages not picked (page_labels: narrow rows)
    count = ctx.pages.count_other_than(home.url)
    others = (label for label in ctx.page_labels(order="url") if label.url != home.url)
    if count <= size:
        return [ctx.record(label) for label in others]
    step = count / size
    wanted = {int(i * step) for i in range(size)}
    return [ctx.record(label) for i, label in enumerate(others) if i in wanted]


# --- the check ----------------------------------------------------------------------------------


@check(
    id="site.identity",
    title="网站页脚标识齐全（网站标识码、ICP备案、公网安备、党政机关标识、主办单位、联系方式）",
    severity="minor",
    needs=("homepage",),
    basis="《政府网站发展指引》（国办发〔2017〕47号）附件 网页设计规范：页面底部功能区标注党政机关网站标识、"
          "网站标识码、ICP备案编号、公安机关备案标识、主办单位及联系方式；网页标签 SiteIDCode 与网站标识码一致",
    remediation="在全站公共页脚补齐缺少的标识（网站标识码以全国政府网站信息报送系统为准），"
                "并使 <meta name=\"SiteIDCode\"> 与页脚标识码一致。",
)
def site_identity(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    home = ctx.home
    assert home is not None and home.body is not None      # needs=("homepage",)
    footer = footer_of(home)
    url = page_url(home)
    findings: list[Finding] = []
    seen: dict[str, str | None] = {el.name: el.present(home, footer) for el in ELEMENTS}
    code_raw = site_code(footer.text)[1]
    for el in ELEMENTS:
        if seen[el.name] is not None:
            continue
        if el.name == "网站标识码" and code_raw:
            msg, got = f"首页页脚网站标识码“{code_raw}”格式不正确", code_raw
        else:
            msg, got = f"首页页脚缺少{el.name}", "页脚未见" if footer.found else "未识别到页脚，全页未见"
        findings.append(issue(msg, url, target=el.name, ev=evidence(home, el.expected, got, on_homepage=True)))
    findings += _meta_mismatch(home, seen["网站标识码"], on_homepage=True)

    sample = _sample(ctx, home, int(ctx.options.get("identity_sample_pages", DEFAULT_SAMPLE)))
    present_on_home = [el for el in ELEMENTS if seen[el.name] is not None]
    for page in sample:
        findings += _sampled_page(page, present_on_home, seen["网站标识码"])

    details = {"homepage": {k: v for k, v in seen.items()}, "meta_SiteIDCode": meta_code(home),
               "footer_found": footer.found, "sampled": [page_url(p) for p in sample]}
    ev = [evidence(home, "页脚标识齐全", "；".join(f"{k}：{v}" for k, v in seen.items() if v))]
    if not findings:
        return CheckResult("site.identity", "pass", "首页及抽查页面页脚标识齐全，标识码与网页标签一致",
                           details=details, evidence=ev)
    missing = [f.target for f in findings if f.url == url]
    summary = (f"首页缺少或不符：{'、'.join(t or '' for t in missing)}" if missing else "首页页脚标识齐全")
    if len(findings) > len(missing):
        summary += f"；抽查页面 {len(findings) - len(missing)} 处问题"
    return CheckResult("site.identity", "fail", summary, details=details, findings=findings, evidence=ev)


def _meta_mismatch(page: PageRecord, footer_code: str | None, *, on_homepage: bool) -> list[Finding]:
    meta = meta_code(page)
    if not (meta and footer_code) or meta.lower() == footer_code.lower():
        return []
    where = "首页" if on_homepage else "页面"
    return [issue(f"{where}网页标签 SiteIDCode“{meta}”与页脚网站标识码“{footer_code}”不一致", page_url(page),
                    target="SiteIDCode",
                    ev=evidence(page, f"SiteIDCode = {footer_code}", f"SiteIDCode = {meta}",
                               meta_SiteIDCode=meta, footer_code=footer_code, on_homepage=on_homepage))]


def _sampled_page(page: PageRecord, elements: list[Element], home_code: str | None) -> list[Finding]:
    footer = footer_of(page)
    out: list[Finding] = []
    for el in elements:
        if el.present(page, footer) is None:
            out.append(issue(f"页面页脚缺少{el.name}（首页有）", page_url(page), target=el.name,
                               ev=evidence(page, el.expected, "页脚未见", on_homepage=False)))
    code = site_code(footer.text)[0] or home_code
    out += _meta_mismatch(page, code, on_homepage=False)
    return out
