"""A Scrapy DNS resolver (TWISTED_DNS_RESOLVER) that asks the configured servers via dnspython.

Installed only when `network.dns_servers` is set, so intranet portals and the test fixtures
(www.example-a.gov.cn on loopback) resolve exactly as the network probes see them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution, IResolutionReceiver
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from zwgk.netresolve import Answer, DnsLookup

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.crawler import Crawler


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str):
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - Twisted never cancels ours
        pass


@implementer(IHostnameResolver)
class DnsPythonResolver:
    def __init__(self, reactor: Any, servers: list[str], timeout: float):
        self.reactor = reactor
        self.lookup = DnsLookup(servers, timeout=timeout)
        self.cache: dict[str, Answer] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> DnsPythonResolver:
        servers = crawler.settings.getlist("ZWGK_DNS_SERVERS")
        return cls(reactor, servers, crawler.settings.getfloat("DNS_TIMEOUT", 10))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver: IResolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type] | None = None,
        transportSemantics: str = "TCP",
    ) -> IResolutionReceiver:
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def deliver(answer: Answer) -> None:
            self.cache[hostName] = answer
            want4 = addressTypes is None or IPv4Address in addressTypes
            want6 = addressTypes is None or IPv6Address in addressTypes
            # IPv4 first: the crawl measures the site as most visitors reach it; IPv6 is probed apart.
            if want4:
                for ip in answer.a:
                    resolutionReceiver.addressResolved(IPv4Address("TCP", ip, portNumber))
            if want6:
                for ip in answer.aaaa:
                    resolutionReceiver.addressResolved(IPv6Address("TCP", ip, portNumber))
            resolutionReceiver.resolutionComplete()

        cached = self.cache.get(hostName)
        if cached is not None:
            deliver(cached)
        else:
            d = deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.lookup.lookup, hostName)
            d.addCallbacks(deliver, lambda _f: deliver(Answer(hostName, error="resolver_failed")))
        return resolutionReceiver
