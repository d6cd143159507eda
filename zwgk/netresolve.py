"""Name resolution through configured DNS servers (network.dns_servers), shared by the crawler
and the network probes so both see the same answers (intranet resolvers, test fixtures)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.resolver

from zwgk.config.inspection import parse_server


@dataclass
class Answer:
    host: str
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    error: str | None = None        # nxdomain | timeout | no_nameservers | ...

    @property
    def addresses(self) -> list[str]:
        return self.a + self.aaaa


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class DnsLookup:
    """dnspython resolver bound to the given servers ('ip[:port]'); empty list → system config."""

    def __init__(self, servers: list[str] | None = None, timeout: float = 5.0):
        if servers:
            self.resolver = dns.resolver.Resolver(configure=False)
            parsed = [parse_server(s) for s in servers]
            self.resolver.nameservers = [host for host, _ in parsed]
            # dnspython has one port per resolver; the fixtures and intranets use a single one
            self.resolver.port = parsed[0][1]
        else:
            self.resolver = dns.resolver.Resolver()
        self.resolver.lifetime = timeout
        self.resolver.timeout = timeout
        self.servers = list(servers or [])

    def query(self, host: str, rdtype: str) -> tuple[list[str], str | None]:
        try:
            answer = self.resolver.resolve(host, rdtype, search=False)
        except dns.resolver.NXDOMAIN:
            return [], "nxdomain"
        except dns.resolver.NoAnswer:
            return [], None
        except dns.resolver.NoNameservers:
            return [], "no_nameservers"
        except dns.exception.Timeout:
            return [], "timeout"
        except dns.exception.DNSException as exc:
            return [], type(exc).__name__
        return [r.to_text() for r in answer], None

    def lookup(self, host: str) -> Answer:
        host = host.strip("[]")
        if is_ip(host):
            ip = ipaddress.ip_address(host)
            return Answer(host, a=[host] if ip.version == 4 else [], aaaa=[host] if ip.version == 6 else [])
        a, err_a = self.query(host, "A")
        aaaa, err_aaaa = self.query(host, "AAAA")
        error = None if (a or aaaa) else (err_a or err_aaaa or "no_address")
        return Answer(host, a=a, aaaa=aaaa, error=error)
