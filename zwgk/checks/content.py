"""content.terms: configured wrong expressions (错误表述) and sensitive terms in page text.

Also home of the small page-text helpers the other 政务公开 families share (visible text, title,
evidence), so every family reads a page the same way: scripts, styles and HTML comments are never
text (a commented-out `<p>成文日期…</p>` is absent), hidden tab panes are (a click shows them).

A hit is only a candidate: whether a phrase is a 严重表述错误 depends on context (a quoted
historical document, a place name), so every finding says that a person must confirm it and the
check ends `warn`, never `fail`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
import yaml
from lxml import etree

from zwgk.checks.base import CheckResult, Finding, finding
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.dates import date_from_url, find_date

TERMS_FILE = Path(__file__).resolve().parent.parent / "config" / "terms.yaml"

_WS = re.compile(r"[\s\u3000\xa0]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_NOT_TEXT = ("script", "style", "noscript", "template", "object", "embed", "iframe", "svg")
# Quote and bracket marks writers put inside a term ("一带一路"战略): a term matches across them.
_QUOTES = "“”\"'‘’「」『』《》〈〉"
SNIPPET_CHARS = 40
_TITLE_SEP = re.compile(r"\s*(?:_|--| - | \| |｜|——)\s*")
_PUB_LABEL = re.compile(r"(?:发布日期|发布时间|公开日期|发布于)[\s:：]*")


# --- shared page-text helpers -------------------------------------------------------------------


def squeeze(text: str | None) -> str:
    """Remove all whitespace (incl. full-width and no-break spaces): "总 体 情 况" → "总体情况"."""
    return _WS.sub("", text or "")


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def parse_html(html: str | None) -> etree._Element | None:
    """The page's lxml tree without scripts, styles and comments; None when there is nothing."""
    if not html or not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", html))
    except (etree.ParserError, ValueError):
        return None
    # with_tail=False: text after a comment (无锡's `<!--<$[SYH]>-->value`) is real content.
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, *_NOT_TEXT, with_tail=False)
    return root


def element_text(el: etree._Element) -> str:
    """Visible text of an element; block boundaries become spaces so words do not run together."""
    return clean(" ".join(t for t in el.itertext() if t and t.strip()))


@lru_cache(maxsize=256)
def _visible_text_cached(html: str) -> str:
    root = parse_html(html)
    return element_text(root) if root is not None else ""


def visible_text(page_or_html: PageRecord | str | None) -> str:
    """What a reader sees on the page (title + body), whitespace collapsed to single spaces."""
    html = page_or_html.body if isinstance(page_or_html, PageRecord) else page_or_html
    return _visible_text_cached(html or "")


# Page furniture: navigation, header, footer, menus, link farms. Their words (“主动公开内容”,
# “领导信箱”) are links to other pages, not what this page says.
_CHROME_TAGS = ("nav", "header", "footer")
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|menus|header|footer|foot|bottom|banner|dhlm|daohang|subnav|sitemap|"
    r"copyright|yqlj|friendlink|crumbs?|breadcrumbs?|position|location|sidebar)([\s_-]|\d|$)",
    re.I)


def in_chrome(el: etree._Element) -> bool:
    """Inside navigation, header, footer or a side menu (the element itself or an ancestor)."""
    node: etree._Element | None = el
    while node is not None:
        if isinstance(node.tag, str) and (node.tag in _CHROME_TAGS or _CHROME_ATTR.search(
                f"{node.get('class', '')} {node.get('id', '')}")):
            return True
        node = node.getparent()
    return False


@lru_cache(maxsize=256)
def _content_text_cached(html: str) -> str:
    root = parse_html(html)
    if root is None:
        return ""
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el.tag in _CHROME_TAGS or _CHROME_ATTR.search(f"{el.get('class', '')} {el.get('id', '')}"):
            el.drop_tree()
    return element_text(root)


def content_text(page: PageRecord) -> str:
    """The page's own text without navigation, header, footer and side menus (whole text if that
    leaves nothing: a page built only of such blocks is read as it is)."""
    return _content_text_cached(page.body or "") or visible_text(page)


def page_title(page: PageRecord) -> str:
    """The document title: <meta ArticleTitle> first (the <title> often carries the site name too)."""
    meta = page.meta or {}
    for name in ("ArticleTitle", "articletitle", "title"):
        if meta.get(name):
            return clean(meta[name])
    title = clean(page.title)
    # "<document>_<column>_<site>" → the document; a short head ("首页_…") keeps the whole title.
    head = _TITLE_SEP.split(title, 1)[0]
    return head if len(head) >= 4 else title


def published_on(ctx: SiteContext, page: PageRecord) -> tuple[date | None, str]:
    """(发布日期, where it was read): the metadata block or <meta PubDate>, a 发布日期 label in the
    text, else the CMS date in the URL (weakest: it is when the file was made, not published)."""
    try:
        facts = ctx.meta_facts(page)
        if facts.published:
            return facts.published, facts.published_source
    except (ImportError, AttributeError):   # recogniser not available: read the page ourselves
        pass
    pub = (page.meta or {}).get("PubDate") or (page.meta or {}).get("pubdate")
    if pub and (d := find_date(pub)):
        return d, "PubDate"
    text = visible_text(page)
    for m in _PUB_LABEL.finditer(text):
        if d := find_date(text[m.end():m.end() + 30]):
            return d, "发布日期"
    if d := date_from_url(page_url(page)):
        return d, "网址日期"
    return None, ""


def page_url(page: PageRecord) -> str:
    return page.final_url or page.url


def evidence(page: PageRecord | None, expected: str, seen: str, **extra: Any) -> dict[str, Any]:
    """The evidence every finding carries: url, expected, seen, at (when the page was fetched)."""
    return {"url": page_url(page) if page else "", "expected": expected, "seen": seen,
            "at": page.fetched_at if page else None, **extra}


def issue(message: str, url: str, *, target: str | None, ev: dict[str, Any], severity: str = "",
          absent: bool = False) -> Finding:
    """A finding with its evidence dict (finding()'s keyword form cannot take an "url" evidence key)."""
    f = finding(message, url, target=target, severity=severity, absent=absent)
    f.evidence = {**ev, "url": ev.get("url") or url}
    return f


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """About `width` characters of `text` centred on text[start:end], with … where cut."""
    pad = max(0, (width - (end - start)) // 2)
    left, right = max(0, start - pad), min(len(text), end + pad)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


# --- the term list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    term: str
    correct: str = ""
    note: str = ""
    exceptions: tuple[str, ...] = ()    # longer correct phrases that contain the term (北朝鲜卑)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _term_pattern(self.term)


@lru_cache(maxsize=4096)        # (asked for every term on every page: built once per term)
def _term_pattern(term: str) -> re.Pattern[str]:
    # Quotes between characters are allowed: “一带一路”战略 is the same expression.
    gap = f"[{re.escape(_QUOTES)}]*"
    return re.compile(gap.join(re.escape(ch) for ch in squeeze(term)))


def _term(item: Any, where: str) -> Term:
    if isinstance(item, str):
        return Term(item.strip())
    if isinstance(item, dict) and isinstance(item.get("term"), str) and item["term"].strip():
        exceptions = item.get("exceptions") or []
        if isinstance(exceptions, str):
            exceptions = [exceptions]
        return Term(item["term"].strip(), str(item.get("correct") or ""), str(item.get("note") or ""),
                    tuple(str(e) for e in exceptions))
    raise ValueError(f"{where}: 词条应为字符串或含 term 的映射 / a term is a string or a mapping with 'term': {item!r}")


def default_terms(path: Path = TERMS_FILE) -> list[Term]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [_term(item, str(path)) for item in data.get("terms") or []]


def configured_terms(options: dict[str, Any]) -> list[Term]:
    """Defaults, extended by `checks.content_terms`; an entry with the same term replaces the default.

    `checks.content_terms_defaults: false` drops the bundled list (a site-specific list only).
    """
    terms: dict[str, Term] = {}
    if options.get("content_terms_defaults", True):
        terms = {t.term: t for t in default_terms()}
    extra = options.get("content_terms") or []
    if isinstance(extra, (str, dict)):
        extra = [extra]
    for item in extra:
        t = _term(item, "checks.content_terms")
        terms[t.term] = t
    return [t for t in terms.values() if t.term]


def find_term(term: Term, text: str) -> list[tuple[int, int]]:
    """(start, end) of each occurrence of `term` in whitespace-free `text`, minus the exceptions."""
    spans = [m.span() for m in term.pattern.finditer(text) if m.end() > m.start()]
    if not term.exceptions or not spans:
        return spans
    covered = [m.span() for exc in term.exceptions for m in Term(exc).pattern.finditer(text)]
    return [(s, e) for s, e in spans if not any(cs <= s and e <= ce for cs, ce in covered)]


# --- the check ----------------------------------------------------------------------------------


@check(
    id="content.terms",
    title="页面内容无错误表述、敏感词（需人工确认）",
    severity="major",
    needs=("pages",),
    basis="国办秘函〔2019〕19号 单项否决「安全、泄密事故等严重问题」(1) 严重表述错误；"
          "国办发〔2015〕15号 全国政府网站普查「严重错别字」；检查词表见 zwgk/config/terms.yaml 各条说明",
    remediation="逐条人工核实语境；确属错误表述的，按规范表述更正页面内容并建立发布前审校机制。",
)
def content_terms(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    try:
        terms = configured_terms(ctx.options)
    except ValueError as exc:
        return CheckResult("content.terms", "error", f"词表配置有误：{exc}")
    if not terms:
        return CheckResult("content.terms", "not_applicable", "未配置检查词表")
    findings: list[Finding] | None = ctx.scanned_term_findings(terms)
    if findings is None:
        findings = []
        for page in ctx.pages:
            findings += ctx.term_findings(page, terms)
    pages = len(ctx.pages)
    if not findings:
        seen = f"已检查 {pages} 个页面、{len(terms)} 个词条，未发现"
        return CheckResult("content.terms", "pass", seen, details={"pages": pages, "terms": len(terms)},
                           evidence=[{"url": ctx.site_url, "expected": "页面不出现词表中的错误表述", "seen": seen,
                                      "at": ctx.home.fetched_at if ctx.home else None}])
    hit_terms = sorted({f.target or "" for f in findings})
    return CheckResult(
        "content.terms", "warn",
        f"{len(findings)} 处疑似错误表述（{'、'.join(hit_terms)}），需人工确认",
        details={"pages": pages, "terms": len(terms), "hits": len(findings)}, findings=findings)


def page_term_findings(page: PageRecord, terms: list[Term], text: str | None = None) -> list[Finding]:
    """content.terms' findings on one page (one per term found), in term order. `text`: the page's
    squeezed visible text when known (understand/facts.py: stored by the crawler)."""
    if text is None:
        from zwgk.understand.facts import squeezed_text_of

        text = squeezed_text_of(page.body)
    if not text:
        return []
    return [_term_finding(page, term, text, spans) for term in terms if (spans := find_term(term, text))]


def _term_finding(page: PageRecord, term: Term, text: str, spans: list[tuple[int, int]]) -> Finding:
    start, end = spans[0]
    seen = snippet(text, start, end)
    fix = f"，规范表述为“{term.correct}”" if term.correct else ""
    more = f"（共 {len(spans)} 处）" if len(spans) > 1 else ""
    return issue(
        f"页面出现疑似错误表述“{term.term}”{more}{fix}；需人工确认语境后再认定。", page_url(page),
        target=term.term,
        ev=evidence(page, term.correct or f"不出现“{term.term}”", seen,
                   term=term.term, correct=term.correct, note=term.note, count=len(spans),
                   needs_confirmation=True, title=page_title(page)))


def column_pages(ctx: SiteContext, key: str) -> list[PageRecord]:
    """Stored pages of a recognised column (its list page(s) and, when the hit names them, more).

    Reads ctx.columns defensively: a missing recogniser or an unrecognised column is "no pages",
    never an error — every family also finds its pages by title, so this is only a head start.
    """
    try:
        hit = ctx.columns.get(key)
    except (ImportError, AttributeError):
        return []
    if hit is None:
        return []
    hits = hit if isinstance(hit, (list, tuple)) else [hit]
    # The hit's best list page; the other candidates are weaker guesses and are left out.
    urls = [u for h in hits if isinstance(u := getattr(h, "url", None), str)]
    out: list[PageRecord] = []
    for u in urls:
        rec = ctx.by_url.get(u) or _by_list_key(ctx, u)
        if rec is not None and rec.ok and rec.body is not None and rec not in out:
            out.append(rec)
    return out


def _by_list_key(ctx: SiteContext, url: str) -> PageRecord | None:
    """The stored page behind a column URL written without its index file ("/gknb/" = "/gknb/index.html")."""
    from zwgk.understand.columns import list_key

    wanted = list_key(url)
    return next((p for p in ctx.pages if list_key(page_url(p)) == wanted), None)
