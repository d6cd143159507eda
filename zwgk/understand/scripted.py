"""Does a page's list come from a script that only a browser runs?

Used twice with one rule: the crawler (render_js: auto) re-requests such a page through the browser,
and the column checks call an empty list on such a page `inconclusive` (not "empty") when no
rendering of it succeeded. The signs, all required:
* the page is not a document (document pages carry no column list);
* its scripts fetch or build content: XHR/fetch/$.ajax/jsonp/axios, a .json/.do/api address, or DOM
  writes (innerHTML, appendChild …) — inline text and script attributes, not the libraries' code;
* no fast-path adapter supplies the list: no Hanweb <datastore> records, no jpaas buildstatic API
  (a TRS pager alone does not count: it pages a list that page 1 must already show);
* the page as fetched lists nothing (no items in the main list).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from zwgk.understand.lists import parse_list

if TYPE_CHECKING:
    from lxml import etree

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_DATA_SCRIPT = re.compile(r"""type\s*=\s*['"]?(text/xml|application/(ld\+)?json|text/template)""", re.I)
_LOADS = re.compile(
    r"\bXMLHttpRequest\b|\bfetch\s*\(|\$\.(ajax|get|post|getJSON)\s*\(|\.load\s*\(|\baxios\b|jsonp|callback=|"
    r"\.json\b|\.do\b|\.action\b|/api/|dataproxy|\binnerHTML\b|insertAdjacentHTML|appendChild|"
    r"\bnew\s+Vue\b|createApp\s*\(",
    re.I)
_BUILDSTATIC = re.compile(r"parseType\s*=\s*['\"]buildstatic", re.I)


def scripts_load_content(html: str) -> bool:
    """Inline scripts (or script attributes) that fetch data or write the DOM."""
    for attrs, body in _SCRIPT.findall(html):
        if _DATA_SCRIPT.search(attrs):
            continue
        if _LOADS.search(body) or _LOADS.search(attrs):
            return True
    return False


def adapter_supplies_list(html: str) -> bool:
    """A fast-path adapter reads this page's list without a browser (Hanweb records, jpaas API)."""
    return "<datastore" in html.lower() or bool(_BUILDSTATIC.search(html))


def script_built_list(html: str | None, url: str, meta: dict[str, Any] | None = None,
                      root: etree._Element | None = None) -> bool:
    """True when the page looks like a column page whose list only a browser would show.
    `root`: the page's tree when the caller has parsed it already (not parsed again)."""
    from zwgk.store import PageRecord
    from zwgk.understand.columns import is_detail

    if not html or is_detail(PageRecord(site="", url=url, meta=dict(meta or {}))):
        return False
    if not scripts_load_content(html) or adapter_supplies_list(html):
        return False
    return not parse_list(html, url, root).items
