"""A stored site built from hand-written HTML, for check tests: pages are recorded the way the crawler
records them (title, <meta>, breadcrumb and links read by understand.page from the fixture HTML)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import lxml.html

from zwgk.checks.base import CheckResult
from zwgk.checks.context import SiteContext
from zwgk.checks.registry import all_checks
from zwgk.config.profile import load_profile
from zwgk.store import PageRecord, Store
from zwgk.understand.page import extract_page

FIXTURES = Path(__file__).parent.parent / "fixtures" / "html" / "content"
SITE = "http://www.mq.gov.cn/"
AS_OF = date(2026, 11, 22)
FETCHED = "2026-11-21T10:00:00+08:00"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def build_site(tmp_path: Path, pages: dict[str, str], *, site: str = SITE, name: str = "某区人民政府",
               as_of: date = AS_OF, options: dict[str, Any] | None = None, probes: Any = None,
               failed: dict[str, int] | None = None, status: str = "complete") -> SiteContext:
    """A SiteContext over `pages` (path or URL → fixture file name or raw HTML); `failed` adds
    non-2xx records (URL → status) so links to them read as broken; `status` is the crawl's
    (complete by default; capped/interrupted make what was not fetched unknown)."""
    store = Store(tmp_path / f"crawl-{len(list(tmp_path.glob('crawl-*.sqlite')))}.sqlite")
    store.upsert_site("mq", name, site, "区政府办公室", [site.split("/")[2]])
    store.update_site("mq", status=status)
    for path, source in pages.items():
        url = path if path.startswith("http") else site.rstrip("/") + path
        html = fixture(source) if source.endswith(".html") else source
        info = extract_page(lxml.html.document_fromstring(html), url)
        store.save_page(PageRecord(site="mq", url=url, status=200, content_type="text/html", title=info.title,
                                   meta=info.meta, breadcrumb=info.breadcrumb or None, body=html,
                                   fetched_at=FETCHED, links=info.links))
    for url, status in (failed or {}).items():
        store.save_page(PageRecord(site="mq", url=url, status=status, fetched_at=FETCHED))
    site_row = next(s for s in store.sites() if s["key"] == "mq")
    return SiteContext(store, site_row, as_of, load_profile("national-2019"), probes=probes, options=options)


def run(check_id: str, ctx: SiteContext) -> CheckResult:
    return all_checks()[check_id].run(ctx, {})
