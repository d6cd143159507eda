"""Simulated county government portals (TRS / Hanweb dialects) with a ground-truth answer key.

Used by the tests (end-to-end crawls asserting exact counts), by `zwgk demo`, and by the benchmark
(`python -m zwgk.portal_sim write bench OUT --pages N`). One module per concern:

    spec.py        SiteSpec (YAML) and validation        catalogue.py  column-key defaults
    content.py     deterministic Chinese text            plan.py       spec -> columns, documents, URLs
    style.py       the CMS-dialect seam                  templates_trs.py / templates_hanweb.py
    scripted.py    script-loaded lists (jpaas API, browser-only) and what each script requests
    chrome.py, metadata.py, bodies.py, pages.py          shared markup
    defects.py     planted link defects (registry)       defects_content.py  content defects, traps
    search.py      the site search route                 build.py      render -> Site.resources
    links.py       the crawl rule (plain + adapters + browser)   graph.py, truth.py   BFS -> answer key
    expected.py, expected_content.py                     truth["findings"]: every check id, derived
    server.py, dns.py, running.py                        serving on 127.0.0.1 + ::1, DNS fixture
    writer.py, scale.py, cli.py                          static files for nginx, `--pages N`
"""

from zwgk.portal_sim.build import build_site
from zwgk.portal_sim.dns import DnsFixture
from zwgk.portal_sim.links import CRAWL_RULE
from zwgk.portal_sim.running import RunningPortal
from zwgk.portal_sim.server import PortalServer
from zwgk.portal_sim.spec import SiteSpec, load_spec
from zwgk.portal_sim.truth import build_truth

__all__ = ["CRAWL_RULE", "DnsFixture", "PortalServer", "RunningPortal", "SiteSpec", "build_site",
           "build_truth", "load_spec"]
