"""Build + serve + answer key in one object: what the tests' `portal` fixture and `zwgk demo` hold.

    with RunningPortal.from_files(["example-a.yaml"], as_of=date(2026, 11, 22)) as portal:
        portal.url("example-a", "/")        # http://www.example-a.gov.cn:PORT/
        portal.truth("example-a")           # ground truth with this port
        portal.request_log                  # every request served so far
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from zwgk.portal_sim.build import build_site
from zwgk.portal_sim.dns import DnsFixture, records_for
from zwgk.portal_sim.model import Site
from zwgk.portal_sim.server import LoggedRequest, PortalServer
from zwgk.portal_sim.spec import SiteSpec, load_spec
from zwgk.portal_sim.truth import build_truth


class RunningPortal:
    def __init__(self, specs: Iterable[SiteSpec], *, port: int = 0) -> None:
        self.sites: dict[str, Site] = {s.key: build_site(s) for s in specs}
        self.server = PortalServer(self.sites.values(), port=port)
        self._truth: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_files(cls, paths: Sequence[str | Path], *, as_of: date | None = None, port: int = 0) -> RunningPortal:
        return cls([load_spec(p, as_of=as_of) for p in paths], port=port)

    def start(self) -> RunningPortal:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> RunningPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addressing -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self.server.port

    @property
    def hosts(self) -> list[str]:
        return [h for s in self.sites.values() for h in s.hosts]

    def key(self, site: str) -> str:
        """A site by key (file stem, e.g. "example-a") or by any of its hostnames."""
        if site in self.sites:
            return site
        for key, s in self.sites.items():
            if site in s.hosts:
                return key
        raise KeyError(f"no site {site!r}; have {sorted(self.sites)}")

    def site(self, site: str) -> Site:
        return self.sites[self.key(site)]

    def url(self, site: str, path: str = "/", host: str | None = None) -> str:
        """Served URL of `path` on the site's main host (or `host`, e.g. the xxgk subdomain)."""
        return self.server.url(self.key(site), path, host)

    def base_urls(self, site: str) -> dict[str, str]:
        return self.server.base_urls(self.key(site))

    def truth(self, site: str) -> dict[str, Any]:
        key = self.key(site)
        if key not in self._truth:
            self._truth[key] = build_truth(self.sites[key], self.base_urls(key))
        return self._truth[key]

    def dns_records(self) -> dict[str, dict[str, list[str]]]:
        return records_for(self.hosts)

    def dns(self) -> DnsFixture:
        """A (not yet started) DNS fixture answering for every served host."""
        return DnsFixture(self.dns_records())

    # -- request log ------------------------------------------------------------------------------
    @property
    def request_log(self) -> list[LoggedRequest]:
        return self.server.request_log

    def clear_log(self) -> None:
        self.server.clear_log()
