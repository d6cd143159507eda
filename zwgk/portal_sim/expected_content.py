"""Expected findings of the content and network checks (see expected.py for the rules of the game).

Read off the built site: the 年报 each year's document holds, the 指南 parts written, the footer
and <meta> the templates print, what the search route answers, the 留言 and their replies, the words
on every reachable page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import yaml
from lxml import etree

from zwgk.portal_sim.bodies import REPORT_SECTIONS, guide_parts
from zwgk.portal_sim.chrome import FOOTER_OMITTABLE
from zwgk.portal_sim.expected import Expected, View, profile
from zwgk.portal_sim.links import extract_links
from zwgk.portal_sim.model import Request
from zwgk.portal_sim.pages import write_path
from zwgk.portal_sim.search import search_path

TERMS_FILE = Path(__file__).resolve().parent.parent / "config" / "terms.yaml"
_NOT_TEXT = ("script", "style", "noscript", "template")
_TAG = re.compile(r"<[^>]*>")
_QUOTES = re.compile(r"[\s\u3000\xa0“”\"'‘’「」『』《》〈〉]+")


# --- network --------------------------------------------------------------------------------------


def reachable(view: View) -> list[Expected]:
    return [] if view.reachable(view.start) else [view.entry(view.start)]


def ipv6(view: View, dns: dict[str, dict[str, list[str]]] | None) -> list[Expected]:
    """The homepage host has no AAAA record (the fixture DNS gives every served host one on ::1,
    and the server answers ::1 with the same bytes, so reachability and content agree)."""
    host = view.site.spec.main_host
    if dns is None or dns.get(host, {}).get("AAAA"):
        return []
    return [view.entry(view.start)]


def https(view: View) -> list[Expected]:
    """The simulator serves plain HTTP only: HTTPS is absent (a real finding it cannot pass)."""
    return [view.entry(view.start, "https")]


# --- 年报 ----------------------------------------------------------------------------------------


def required_report_year(as_of: date) -> tuple[int, date]:
    """条例第四十九条: a government portal publishes last year's 年报 by 3月31日."""
    month, day = (int(x) for x in str(profile().setting("annual_report_deadline_government")).split("-"))
    due = date(as_of.year, month, day)
    year = as_of.year - 1 if as_of > due else as_of.year - 2
    return year, date(year + 1, month, day)


def annual_report(view: View) -> list[Expected]:
    col = view.site.column("gk.annual_report")
    year, due = required_report_year(view.as_of)
    reports = [d for d in (col.docs if col else []) if d.extra.get("year") == year and view.reachable(d.url)]
    if not reports:
        where = view.column_url(col) if col and view.reachable(view.column_url(col)) else view.start
        return [view.entry(where, str(year), year=year)]
    doc = reports[0]
    out = []
    if doc.date > due:
        out.append(view.entry(doc.url, f"{year}:逾期发布", year=year, published=doc.date.isoformat()))
    omitted = set(doc.extra.get("omit_sections", ()))   # type: ignore[call-overload]
    out += [view.entry(doc.url, f"{year}:{title}", year=year) for title in REPORT_SECTIONS if title in omitted]
    return out


# --- 指南 and footer --------------------------------------------------------------------------------


def guide(view: View) -> list[Expected]:
    col = view.site.column("gk.guide")
    if col is None or not view.reachable(view.column_url(col)):
        return [view.entry(view.start, "指南")]
    omitted = set(view.site.knobs.get("guide_omit", ()))   # type: ignore[call-overload]
    return [view.entry(view.column_url(col), name) for name in guide_parts(view.site.spec) if name in omitted]


def identity(view: View) -> list[Expected]:
    """The footer is one template for every page, so an element it lacks is a homepage finding;
    the homepage template's SiteIDCode may disagree with the footer code."""
    omitted = set(view.site.knobs.get("footer_omit", ()))   # type: ignore[call-overload]
    out = [view.entry(view.start, name) for name in FOOTER_OMITTABLE if name in omitted]
    code = view.site.knobs.get("home_site_id_code")
    if code and code != view.site.spec.site_id_code and "网站标识码" not in omitted:
        out.append(view.entry(view.start, "SiteIDCode", meta=code, footer=view.site.spec.site_id_code))
    return out


# --- search ---------------------------------------------------------------------------------------


def search(view: View) -> list[Expected]:
    """Search for the newest reachable document by its title, as a visitor would, and look for it
    among the result links."""
    from zwgk.portal_sim.build import STYLES

    docs = [d for d in view.site.docs if view.reachable(d.url)]
    if not docs:
        return []
    newest = max(docs, key=lambda d: (d.date, d.id))
    path = search_path(STYLES[view.site.spec.style]())
    main = view.site.spec.main_host
    res = view.site.respond(Request("GET", main, path, urlencode({"searchword": newest.title})))
    if res.status >= 400:
        return [view.entry(view.start, "search_endpoint", status=res.status, query=newest.title)]
    links = {ln.url for ln in extract_links(res.body, res.charset or "utf-8", f"http://{main}{path}")}
    if newest.url not in links:
        return [view.entry(view.start, "search_result", query=newest.title, document=view.u(newest.url))]
    return []


# --- 留言 -----------------------------------------------------------------------------------------


def messages(view: View) -> list[Expected]:
    """留言 asked within the last year and unanswered for more than 3 months (veto 5), seen on a
    reachable 留言 list page or on their own page."""
    col = view.site.column("gk.interaction")
    if col is None or not view.reachable(f"http://{col.host}{write_path(col)}"):
        return [view.entry(view.start, "channel")]    # no 咨询 channel at all (veto 5 (1))
    limit = int(profile().setting("unanswered_message_days"))
    since = view.as_of - timedelta(days=int(profile().setting("interaction_lookback_days")))
    shown = set()
    for i, path in enumerate(col.list_paths):
        if view.reachable(f"http://{col.host}{path}"):
            shown |= {d.url for d in col.docs[i * col.spec.per_page:(i + 1) * col.spec.per_page]}
    return [view.entry(d.url, None, asked=d.date.isoformat(), days=(view.as_of - d.date).days)
            for d in col.docs
            if d.kind == "message" and d.extra.get("answer_date") is None and since <= d.date
            and (view.as_of - d.date).days > limit and (d.url in shown or view.reachable(d.url))]


# --- wording --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def term_list() -> tuple[tuple[str, tuple[str, ...]], ...]:
    data = yaml.safe_load(TERMS_FILE.read_text(encoding="utf-8")) or {}
    out = []
    for item in data.get("terms") or []:
        if isinstance(item, str):
            out.append((item, ()))
        else:
            out.append((item["term"], tuple(item.get("exceptions") or ())))
    return tuple(out)


def page_text(body: bytes, codec: str) -> str:
    """What a reader sees: no comments, scripts or styles; hidden panes count (a click shows them);
    whitespace and quote marks removed (a term matches across “ ” and line breaks)."""
    root = lxml.html.document_fromstring(body.decode(codec or "utf-8", "replace"))
    etree.strip_elements(root, etree.Comment, *_NOT_TEXT, with_tail=False)
    return _QUOTES.sub("", root.text_content())


def _hits(text: str, term: str, exceptions: tuple[str, ...]) -> int:
    spans = [m.span() for m in re.finditer(re.escape(term), text)]
    covered = [m.span() for exc in exceptions for m in re.finditer(re.escape(exc), text)]
    return sum(1 for s, e in spans if not any(cs <= s and e <= ce for cs, ce in covered))


def terms(view: View) -> list[Expected]:
    """Every configured 错误表述 on every reachable page (one finding per page and term)."""
    out = []
    for url, got in sorted(view.graph.pages.items()):
        res = got.resource
        if res is None or res.status != 200 or res.content_type != "text/html":
            continue
        raw = _QUOTES.sub("", _TAG.sub("", res.body.decode(res.charset or "utf-8", "replace")))
        if not any(term in raw for term, _ in term_list()):
            continue        # cheap superset (comments and scripts included): most pages stop here
        text = page_text(res.body, res.charset or "utf-8")
        for term, exceptions in term_list():
            if count := _hits(text, term, exceptions):
                out.append(view.entry(url, term, count=count))
    return out
