"""Shared fixtures: the simulated portals (served on 127.0.0.1 and ::1) and a DNS server for them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from zwgk.crawler.render import find_browser
from zwgk.portal_sim import DnsFixture, RunningPortal, build_truth, load_spec
from zwgk.portal_sim.dns import records_for

SITES_DIR = Path(__file__).parent / "fixtures" / "sites"
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


@pytest.fixture(scope="session")
def portal() -> Iterator[RunningPortal]:
    """example-a (TRS, UTF-8 + GBK pages, www + xxgk hosts) and example-b (Hanweb, GB18030).

    portal.url("example-a", "/path"), portal.truth("example-b"), portal.request_log, portal.port
    """
    with RunningPortal.from_files(PORTAL_SPECS, as_of=AS_OF) as running:
        yield running


@pytest.fixture(scope="session")
def dns_server() -> Iterator[DnsFixture]:
    """Every example host: A 127.0.0.1 + AAAA ::1; v4only.example-c.gov.cn: A only.

    The planted unresolvable host (old.example-a.gov.cn) is absent: it answers NXDOMAIN.
    """
    hosts = [h for path in PORTAL_SPECS for h in load_spec(path).hosts.values()]
    records = records_for(hosts)
    records["v4only.example-c.gov.cn"] = {"A": ["127.0.0.1"]}
    with DnsFixture(records) as dns:
        yield dns


CLEAN_SPEC = SITES_DIR / "example-clean.yaml"


@pytest.fixture(scope="session")
def audit_portal() -> Iterator[RunningPortal]:
    """example-a, example-b and example-clean (a well-kept TRS site with look-alike traps) served
    together, for end-to-end audits compared with the truth (tests/test_e2e_checks.py)."""
    with RunningPortal.from_files((*PORTAL_SPECS, CLEAN_SPEC), as_of=AS_OF) as running:
        yield running


V4_ONLY = ("www.example-b.gov.cn",)   # in the audit DNS: an IPv4-only portal (ipv6.* true positives)


def audit_dns_records(portal: RunningPortal) -> dict[str, dict[str, list[str]]]:
    """A (and AAAA, except for V4_ONLY) on loopback for every host of `portal`."""
    records = portal.dns_records()
    for host in V4_ONLY:
        records[host] = {"A": records[host]["A"]}
    return records


@pytest.fixture(scope="session")
def audit_dns(audit_portal: RunningPortal) -> Iterator[DnsFixture]:
    """audit_dns_records(audit_portal); planted dead hosts answer NXDOMAIN."""
    with DnsFixture(audit_dns_records(audit_portal)) as dns:
        yield dns
