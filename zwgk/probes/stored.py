"""Probes answered from the crawl's records: how `zwgk evaluate` re-judges network facts (DESIGN §11).

The crawl stage measures DNS, IPv4/IPv6, HTTPS and site search once and stores every probe with its
time, its arguments and its body (core.record_of). StoredProbes gives the checks the same answers
from those records — the latest one per question — without touching the network, so evaluating a
stored run online or offline gives the same results. A question the crawl never asked raises
ProbeNotRecorded: the check is then `inconclusive` (missing evidence: probes), never a verdict on
nothing. `zwgk evaluate --reprobe` uses the live Probes instead and records new answers.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable
from typing import Any

from zwgk.netresolve import Answer, DnsLookup, is_ip
from zwgk.probes.core import Family, HttpProbe, Probes, decode_body
from zwgk.store import Store


class ProbeNotRecorded(Exception):
    """The crawl did not record the probe a check asks for."""


def _key(url: str, family: Family, method: str, verify_tls: bool, max_bytes: int, follow: bool) -> tuple[Any, ...]:
    return url, family, method.upper(), bool(verify_tls), int(max_bytes), bool(follow)


def probe_from(data: dict[str, Any]) -> HttpProbe:
    """An HttpProbe back from its stored record (body included when it was stored)."""
    body = zlib.decompress(base64.b64decode(data["body_z"])) if data.get("body_z") else b""
    probe = HttpProbe(url=data["url"], family=data.get("family"), final_url=data.get("final_url") or data["url"],
                      address=data.get("address"), status=data.get("status"), reason=data.get("reason") or "",
                      headers=dict(data.get("headers") or {}), body=body, charset=data.get("charset"),
                      truncated=bool(data.get("truncated")), elapsed=float(data.get("elapsed") or 0.0),
                      redirects=list(data.get("redirects") or []), tls=data.get("tls"),
                      error_kind=data.get("error_kind"), error=data.get("error"), at=data.get("at") or "")
    if probe.error_kind is None:
        probe.text, probe.charset = decode_body(body, probe.headers.get("content-type"))
    return probe


class StoredProbes(Probes):
    """The probe layer's interface, answered from the store's `probes` table (latest record wins)."""

    live = False

    def __init__(self, store: Store, site_key: str, dns: DnsLookup, timeout: float = 15, ipv6: bool = True):
        super().__init__(store, site_key, dns, timeout=timeout, ipv6=ipv6)
        self._dns: dict[str, dict[str, Any]] = {}
        self._http: dict[tuple[Any, ...], dict[str, Any]] = {}
        for rec in store.probes(site_key):
            data = rec["data"]
            if rec["kind"] == "dns":
                self._dns[str(rec["target"]).lower()] = {**data, "at": data.get("at") or rec["at"]}
            elif rec["kind"] == "http" and data.get("opts"):
                o = data["opts"]
                self._http[_key(data["url"], o["family"], o["method"], o["verify_tls"], o["max_bytes"],
                                o["follow_redirects"])] = data

    @property
    def recorded(self) -> bool:
        return bool(self._dns or self._http)

    @property
    def dns_servers(self) -> list[str]:
        servers = next((d.get("servers") for d in self._dns.values() if d.get("servers")), None)
        return list(servers) if servers else super().dns_servers

    def _answer(self, host: str) -> Answer:
        host = host.strip("[]").lower().rstrip(".")
        if is_ip(host):
            return Answer(host, a=[host] if ":" not in host else [], aaaa=[host] if ":" in host else [])
        data = self._dns.get(host)
        if data is None:
            raise ProbeNotRecorded(f"抓取时未记录 {host} 的域名解析（可用 zwgk evaluate --reprobe 重新探测）")
        self._answer_at[host] = data["at"]
        return Answer(host, list(data.get("a") or []), list(data.get("aaaa") or []), data.get("error"))

    def _flush(self) -> None:
        self._unrecorded = []          # nothing new to record: these are the records

    def http_many(self, urls: Iterable[str], *, workers: int = 8, family: Family = None, method: str = "GET",
                  verify_tls: bool = True, max_bytes: int = 512 * 1024, follow_redirects: bool = True,
                  max_redirects: int = 5, timeout: float | None = None) -> list[HttpProbe]:
        out = []
        for url in urls:
            data = self._http.get(_key(url, family, method, verify_tls, max_bytes, follow_redirects))
            if data is None:
                raise ProbeNotRecorded(f"抓取时未探测 {url}（可用 zwgk evaluate --reprobe 重新探测）")
            out.append(probe_from(data))
        return out
