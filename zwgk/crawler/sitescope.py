"""Which hosts belong to a site, and what a link to another host is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# 信息公开 often sits on its own subdomain of the same government (xxgk.hd.gov.cn, hdzfxxgk.hd.gov.cn).
_GK_HOST = re.compile(r"^[a-z0-9-]*(xxgk|zwgk|zfxxgk|gkml|gongkai)[a-z0-9-]*\.", re.I)


def registrable(host: str) -> str:
    """The government's domain: 'www.x.gov.cn' → 'x.gov.cn'; 'www.example.com' → 'example.com'."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("gov", "edu", "org", "com", "net") and labels[-1] == "cn" else 2
    return ".".join(labels[-keep:])


@dataclass
class SiteScope:
    key: str
    hosts: set[str]

    def __post_init__(self) -> None:
        self.hosts = {h.lower() for h in self.hosts}
        self.domains = {registrable(h) for h in self.hosts}
        # url -> answer: a host's answer never changes once given (a subdomain is adopted on its first
        # link), and the navigation links of every page are the same URLs
        self._known: dict[str, str] = {}

    def classify(self, url: str) -> str:
        """'own' (crawl it), 'related' (same government, check status only) or 'external'."""
        where = self._known.get(url)
        if where is None:
            where = self._classify(url)
            if len(self._known) >= 20_000:
                self._known.clear()
            self._known[url] = where
        return where

    def _classify(self, url: str) -> str:
        host = (urlsplit(url).hostname or "").lower()
        if host in self.hosts:
            return "own"
        if registrable(host) in self.domains:
            if _GK_HOST.match(host):
                self.hosts.add(host)          # adopt the 信息公开 subdomain into the crawl
                return "own"
            return "related"
        return "external"
