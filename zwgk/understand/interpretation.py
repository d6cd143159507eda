"""Pair policy documents with their 解读 (政策解读 "三同步": a policy and its 解读 link each other).

Evidence, strongest first:
* link_from_policy — the policy page links the 解读 in a relation block (相关解读 / 政策解读 / 图解 …);
* link_in_list — the policy's list row carries it: a hidden pop-up (NDRC div.popbox 相关解读, MIIT
  dl.tslb-list), a sibling link or a 解读 label in the row (read by lists.parse_list);
* link_from_interpretation — the 解读 links the policy (原文链接 / 相关文件 / 政策原文 …);
* title_match — failing links, the 解读 title names the policy: 《…》解读, 关于《…》的解读, 《…》政策解读,
  图解《…》, 一图读懂…; titles are compared without punctuation, spaces, 关于/印发 and 的通知-type endings.
A link counts only in a relation context: the anchor says so, or a small labelled block around it
does (a block ≤ 8 links whose text outside its links, or whose heading, is a label made of relation
words only). Side columns ("最新解读") and article text that mentions 解读 are not relations; page
furniture (nav, footer) never is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from zwgk.store import PageRecord
from zwgk.understand._html import clean, is_chrome, parse_html, tag_of, text_of
from zwgk.understand.columns import list_key
from zwgk.understand.lists import parse_list
from zwgk.understand.metadata import parse_metadata

ASSOCIATIONS = frozenset({"link_from_policy", "link_in_list", "link_from_interpretation"})
INTERP_TITLE = re.compile(r"解读|图解|一图读懂|一图看懂|答记者问|政策问答|政策吹风")
_REL_WORDS = re.compile(r"解读|图解|一图|原文|相关文件|相关政策|关联文件|政策文件|文件链接|答记者问")
_INTERP_WORDS = re.compile(r"解读|图解|一图|答记者问|问答")
_FORMS = (("图解", re.compile(r"图解|一图|图读|图表|图说|长图|海报|/zctj/|/tjzc/")),
          ("视频", re.compile(r"视频|动漫|动画|微视")),
          ("问答", re.compile(r"问答|答记者问|答问|问与答|一问一答|百问")))
_BOOK = re.compile(r"《([^《》]+)》")
_PUNCT = re.compile(r"[\s\u3000《》〈〉<>“”\"'‘’「」『』【】\[\]（）()〔〕{}、，,。.：:；;！!？?·•—–\-_/|]+")
_PREFIXES = ("关于印发", "关于转发", "关于公布", "关于", "印发", "转发")
_SUFFIXES = ("的实施意见", "的指导意见", "的通知", "的通告", "的公告", "的决定", "的意见", "的批复", "的函", "的报告",
             "通知")
_INTERP_TAILS = ("的政策解读", "政策解读", "的解读", "解读", "的图解", "图解", "答记者问", "政策问答", "问答")
_INTERP_HEADS = ("图解", "一图读懂", "一图看懂", "解读")
_SIDEBAR = re.compile(r"(^|[\s_-])(side|sidebar|aside|hot|latest|recommend|rmjd|zxjd|zxwj|rdwj)"
                      r"([\s_-]|\d|$)", re.I)
_MAX_BLOCK_LINKS = 8
# A block label is made of relation words only (相关解读, 原文链接：, 相关文件, 政策原文, 图文解读 …);
# "要做好政策解读工作。" in the article text contains 解读 but is a sentence, not a label.
_REL_LABEL = re.compile(r"(?:相关|关联|配套|政策|文件|原文|图文|图片|视频|文字|专家|部门|权威|解读|图解|一图读懂|链接|"
                        r"材料|阅读|查看|点击|信息|问答|答记者问|本文|返回)+")
_MIN_SCORE = 0.6


@dataclass
class Interpretation:
    url: str
    title: str
    form: str                   # 文字 | 图解 | 视频 | 问答
    crawled: bool = True        # False: only seen as a link (a pop-up on a list row, a relation block)
    listed: bool = False        # seen as an item of the 政策解读 column's list (its page not fetched)


@dataclass
class Pair:
    interpretation: Interpretation
    how: list[str] = field(default_factory=list)     # link_from_policy | link_in_list | link_from_interpretation
                                                     # | title_match
    via: list[str] = field(default_factory=list)     # pages where the link was seen / the matched title text
    back_link: bool | None = None                    # the 解读 links the policy (None: 解读 not crawled)


@dataclass
class PolicyPairs:
    url: str
    title: str
    pairs: list[Pair] = field(default_factory=list)

    @property
    def paired(self) -> bool:
        return bool(self.pairs)

    @property
    def back_linked(self) -> bool:
        return any(p.back_link for p in self.pairs)

    @property
    def associated(self) -> list[Pair]:
        """Pairs linked from either side (policy page, list row or 解读 page): 相互关联 is satisfied."""
        return [p for p in self.pairs if set(p.how) & ASSOCIATIONS]


@dataclass
class PairingResult:
    policies: list[PolicyPairs]
    unpaired: list[Interpretation]


# --- titles --------------------------------------------------------------------------------------


def interpretation_form(title: str, url: str = "") -> str:
    """文字 / 图解 / 视频 / 问答, from the title words (and NDRC's /zctj/ 图解 directory)."""
    for form, pattern in _FORMS:
        if pattern.search(title or "") or pattern.search(urlsplit(url).path if url else ""):
            return form
    return "文字"


def is_interpretation_title(title: str) -> bool:
    return bool(INTERP_TITLE.search(title or ""))


def normalise_title(title: str) -> str:
    """Compare form: no punctuation/spaces, no leading 关于/印发, no trailing 的通知/的意见 …"""
    text = _PUNCT.sub("", title or "")
    text = next((text[len(p):] for p in _PREFIXES if text.startswith(p)), text)
    return next((text[: -len(s)] for s in _SUFFIXES if text.endswith(s) and len(text) > len(s)), text)


def named_documents(interp_title: str) -> list[str]:
    """The document names a 解读 title quotes, normalised ("关于《X》的解读" → ["X"])."""
    books = _BOOK.findall(interp_title or "")
    if "《" in interp_title and "》" in interp_title:
        books.append(interp_title[interp_title.index("《") + 1: interp_title.rindex("》")])
    if not books:                                       # 关于X的解读 / 图解X / X政策解读
        text = _PUNCT.sub("", interp_title or "")
        text = next((text[len(h):] for h in _INTERP_HEADS if text.startswith(h)), text)
        books = [next((text[: -len(t)] for t in _INTERP_TAILS if text.endswith(t)), text)]
    out = []
    for b in books:
        if (n := normalise_title(b)) and n not in out:
            out.append(n)
    return out


def _title_score(names: list[str], keys: set[str]) -> float:
    best = 0.0
    for n in names:
        for k in keys:
            if not n or not k:
                continue
            if n == k:
                return 1.0
            short, long_ = sorted((n, k), key=len)
            if len(short) >= 6 and short in long_:
                best = max(best, 0.5 + 0.4 * len(short) / len(long_))
    return best


def page_title(page: PageRecord) -> str:
    """ArticleTitle meta, else the 标题/名称 field, else the first <title> segment."""
    if t := page.meta.get("ArticleTitle"):
        return t
    if page.body and (t := parse_metadata(page.body).value("标题")):
        return t
    return re.split(r"\s*[_|｜]\s*|\s+-\s+", page.title or "")[0].strip()


# --- relation links ------------------------------------------------------------------------------


@dataclass
class RelLink:
    url: str
    anchor: str
    label: str          # the words that make it a relation (anchor or block label)


def _key(url: str) -> str:
    return list_key(url).split("://", 1)[-1]


def relation_links(page: PageRecord) -> list[RelLink]:
    """Links of a page that sit in a relation context (相关解读 / 原文链接 blocks, or say so themselves)."""
    base = page.final_url or page.url
    root = parse_html(page.body)
    if root is None:                                    # no body stored: anchors are all we have
        return [RelLink(lk.url, lk.anchor, lk.anchor) for lk in page.links
                if lk.kind in ("page", "external") and _REL_WORDS.search(lk.anchor or "")]
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")) or is_chrome(a) or _in_sidebar(a):
            continue
        anchor = clean(f"{text_of(a)} {a.get('title', '')}")
        label = anchor if _REL_WORDS.search(anchor) else _block_label(a)
        if label:
            out.append(RelLink(urljoin(base, href), text_of(a) or clean(a.get("title")), label))
    return out


def _in_sidebar(a: etree._Element) -> bool:
    """Side columns (最新解读, 热点文件) list other documents; their links relate to no one page."""
    return any(tag_of(el) == "aside" or _SIDEBAR.search(f"{el.get('class', '')} {el.get('id', '')}")
               for el in a.iterancestors())


def _block_label(a: etree._Element) -> str:
    """The label of the small block around a link (h3 相关解读 + ul, "原文链接：<a>"), else ""."""
    node = a
    for _ in range(4):
        parent = node.getparent()
        if parent is None or tag_of(parent) in ("body", "html"):
            return ""
        links = list(parent.iter("a"))
        if len(links) > _MAX_BLOCK_LINKS:
            return ""
        own = _text_without_links(parent)
        prev = parent.getprevious()
        head = text_of(prev) if prev is not None and isinstance(prev.tag, str) and not list(prev.iter("a")) else ""
        for text in (own, head):
            if text and _REL_LABEL.fullmatch(_PUNCT.sub("", text)) and _REL_WORDS.search(text):
                return text
        node = parent
    return ""


def _text_without_links(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and tag_of(child) != "a":
            parts.append(_text_without_links(child))
        parts.append(child.tail or "")
    return clean(" ".join(parts))


# --- pairing -------------------------------------------------------------------------------------


def pair_interpretations(policies: Iterable[PageRecord], interpretations: Iterable[PageRecord],
                         list_pages: Iterable[PageRecord] = (),
                         listed: Iterable[tuple[str, str]] = ()) -> PairingResult:
    """Pair each policy with its 解读; list the 解读 that name or link no policy.

    list_pages: the policy columns' list pages (their rows may carry the 解读); listed: (url, title)
    of the 政策解读 column's items whose pages were not fetched — their titles still say a 解读 exists."""
    pol_pages = {_key(p.final_url or p.url): p for p in policies}
    pols = {k: PolicyPairs(p.final_url or p.url, page_title(p)) for k, p in pol_pages.items()}
    interps: dict[str, Interpretation] = {}
    interp_pages: dict[str, PageRecord] = {}
    for page in interpretations:
        url = page.final_url or page.url
        title = page_title(page)
        interps[_key(url)] = Interpretation(url, title, interpretation_form(title, url))
        interp_pages[_key(url)] = page

    def attach(pol_key: str, int_key: str, how: str, via: str, interp: Interpretation | None = None) -> None:
        pol = pols[pol_key]
        target = interps.get(int_key) or interp
        if target is None:
            return
        interps.setdefault(int_key, target)
        pair = next((p for p in pol.pairs if _key(p.interpretation.url) == int_key), None)
        if pair is None:
            pair = Pair(target)
            pol.pairs.append(pair)
        if how not in pair.how:
            pair.how.append(how)
        if via not in pair.via:
            pair.via.append(via)

    for k, page in pol_pages.items():
        for rel in relation_links(page):
            tk = _key(rel.url)
            if tk in interps:
                attach(k, tk, "link_from_policy", page.final_url or page.url)
            elif tk not in pols and _INTERP_WORDS.search(rel.label):
                attach(k, tk, "link_from_policy", page.final_url or page.url,
                       Interpretation(rel.url, rel.anchor, interpretation_form(rel.anchor, rel.url), crawled=False))
    labelled: dict[str, str] = {}         # policy key -> the list page whose row says it has a 解读
    for lp in list_pages:
        for item in parse_list(lp.body, lp.final_url or lp.url).items:
            if (k := _key(item.url)) in pols:
                if item.interpretation_label:
                    labelled[k] = lp.final_url or lp.url
                for link in item.interpretation_links:
                    form = interpretation_form(link.anchor, link.url)
                    attach(k, _key(link.url), "link_in_list", lp.final_url or lp.url,
                           Interpretation(link.url, link.anchor, form, crawled=False))
    for url, title in listed:
        interps.setdefault(_key(url), Interpretation(url, title, interpretation_form(title, url), crawled=False,
                                                     listed=True))
    back: dict[str, set[str]] = {}
    for ik, page in interp_pages.items():
        back[ik] = {tk for rel in relation_links(page) if (tk := _key(rel.url)) in pols}
        for tk in back[ik]:
            attach(tk, ik, "link_from_interpretation", page.final_url or page.url)
    linked = {_key(p.interpretation.url) for pol in pols.values() for p in pol.pairs}
    pol_keys = {k: {normalise_title(p.title), *(normalise_title(b) for b in _BOOK.findall(p.title))}
                for k, p in pols.items()}
    for ik, interp in interps.items():
        if ik in linked or not (interp.crawled or interp.listed):
            continue
        names = named_documents(interp.title)
        scored = [(s, k) for k, keys in pol_keys.items() if (s := _title_score(names, keys)) >= _MIN_SCORE]
        if scored:                 # best score; equal scores keep the policies' order (max is stable)
            best = max(scored, key=lambda sk: sk[0])
            attach(best[1], ik, "title_match", "《" + "》《".join(names) + "》")
            if best[1] in labelled:   # the policy's row says it has a 解读: the list associates them
                attach(best[1], ik, "link_in_list", labelled[best[1]])
    for pk, pol in pols.items():
        for pair in pol.pairs:
            ik = _key(pair.interpretation.url)
            pair.back_link = (pk in back[ik]) if ik in back else None
    paired = {_key(p.interpretation.url) for pol in pols.values() for p in pol.pairs}
    unpaired = [i for k, i in interps.items() if k not in paired and i.crawled]
    return PairingResult(list(pols.values()), unpaired)
