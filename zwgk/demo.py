"""`zwgk demo`: audit the bundled demo portal, served on loopback, with a bundled sample ledger.

Needs no internet: the portal simulator serves two fictional county portals (TRS and Hanweb
dialects, planted defects) on 127.0.0.1/::1, and a DNS server on loopback answers for their
hostnames, so the crawl and the probes see www.example-a.gov.cn as a user would.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from zwgk.config.inspection import CrawlSettings, Inspection, NetworkSettings, SiteConfig
from zwgk.portal_sim import RunningPortal

DEMO_LEDGER = "chengzihe-district-2021-ledger.txt"
DEMO_UNITS = {"portal-a": "东岚县人民政府办公室", "portal-b": "西崖县人民政府办公室"}


def demo_files() -> tuple[list[Path], Path]:
    config = resources.files("zwgk.config")
    specs = sorted(Path(str(config / "demo")).glob("portal-*.yaml"))
    return specs, Path(str(config / "samples" / "ledgers" / DEMO_LEDGER))


def demo_inspection(portal: RunningPortal, dns_address: str, ledger: Path, as_of: date) -> Inspection:
    sites = []
    for key, site in portal.sites.items():
        hosts = list(site.hosts)
        sites.append(SiteConfig(name=site.spec.name, url=portal.url(key, "/"), unit=DEMO_UNITS.get(key, ""),
                                hosts=hosts))
    insp = Inspection(
        name="演示：两个虚构县级政府门户网站", as_of=as_of, ledger=str(ledger), sites=sites,
        crawl=CrawlSettings(max_pages=2000, max_depth=20, concurrency_per_site=8, delay=0, timeout=5,
                            max_seconds=300),
        network=NetworkSettings(dns_servers=[dns_address], ipv6=True),
    )
    insp.base_dir = ledger.parent
    insp.digest = "demo"
    return insp
