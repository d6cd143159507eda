"""The simulated portals the end-to-end tests crawl, and the answer keys for them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from zwgk.browser import find_browser
from zwgk.portal_sim import RunningPortal, build_truth

SITES_DIR = Path(__file__).parent.parent / "fixtures" / "sites"
PORTAL_SPECS = (SITES_DIR / "example-a.yaml", SITES_DIR / "example-b.yaml")
AS_OF = date(2026, 11, 22)
# The default crawl (render_js: auto) renders the browser-only column when a browser is installed;
# the answer key for it follows suit (links.CRAWL_RULE 2c).
BROWSER = find_browser(for_crawl=True).available
_TRUTHS: dict[tuple[int, str, bool], dict] = {}


def crawl_truth(portal: RunningPortal, key: str, *, render: bool = BROWSER, **kw: object) -> dict:
    """The answer key for a crawl with the default config: paging adapters on, rendering if a browser
    is here (`portal.truth` is the adapters-only key). Extra keywords go to build_truth."""
    cache = (id(portal), key, render)
    if kw:
        return build_truth(portal.site(key), portal.base_urls(key), render=render, **kw)  # type: ignore[arg-type]
    if cache not in _TRUTHS:
        _TRUTHS[cache] = build_truth(portal.site(key), portal.base_urls(key), render=render)
    return _TRUTHS[cache]


CLEAN_SPEC = SITES_DIR / "example-clean.yaml"


def crawler_requests(log: list) -> list:
    """The requests of the crawl itself: the probe layer (run by the crawl stage, after the crawl)
    sends its own User-Agent."""
    return [e for e in log if not e.agent.endswith("; probe)")]



V4_ONLY = ("www.example-b.gov.cn",)   # in the audit DNS: an IPv4-only portal (ipv6.* true positives)


def audit_dns_records(portal: RunningPortal) -> dict[str, dict[str, list[str]]]:
    """A (and AAAA, except for V4_ONLY) on loopback for every host of `portal`."""
    records = portal.dns_records()
    for host in V4_ONLY:
        records[host] = {"A": records[host]["A"]}
    return records
