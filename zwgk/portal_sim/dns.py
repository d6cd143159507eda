"""A tiny authoritative DNS server for the simulated portals (dnslib), UDP and TCP on one port.

    with DnsFixture({"www.a.gov.cn": {"A": ["127.0.0.1"], "AAAA": ["::1"]}}) as dns:
        dns.address   # "127.0.0.1:PORT"

Unknown names answer NXDOMAIN; a known name without the asked type answers NOERROR with no records
(NODATA), as real servers do for an A-only host asked for AAAA.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence

from dnslib import AAAA, QTYPE, RCODE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

TTL = 60
BIND_ATTEMPTS = 50
Records = Mapping[str, Mapping[str, Sequence[str]]]


def _norm(name: str) -> str:
    return name.lower().rstrip(".")


class _Resolver(BaseResolver):
    def __init__(self, records: Records) -> None:
        self.records = {_norm(k): {t.upper(): list(v) for t, v in types.items()} for k, types in records.items()}

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord:
        reply = request.reply()
        name = _norm(str(request.q.qname))
        qtype = QTYPE[request.q.qtype]
        entry = self.records.get(name)
        if entry is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        for rtype, cls in (("A", A), ("AAAA", AAAA)):
            if qtype in (rtype, "ANY"):
                for addr in entry.get(rtype, ()):
                    reply.add_answer(RR(request.q.qname, getattr(QTYPE, rtype), rdata=cls(addr), ttl=TTL))
        return reply


class DnsFixture:
    """Context manager; `start()` binds UDP 127.0.0.1:0 then TCP on the same port (retrying on clash)."""

    def __init__(self, records: Records, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.resolver = _Resolver(records)
        self.host, self.want_port, self.port = host, port, 0
        self._servers: list[DNSServer] = []

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> DnsFixture:
        quiet = DNSLogger(log="-request,-reply,-truncated,-error", logf=lambda *_: None)
        for _ in range(1 if self.want_port else BIND_ATTEMPTS):
            udp = DNSServer(self.resolver, address=self.host, port=self.want_port, logger=quiet)
            port = udp.server.server_address[1]
            try:
                tcp = DNSServer(self.resolver, address=self.host, port=port, tcp=True, logger=quiet)
            except OSError as exc:
                udp.server.server_close()
                if exc.errno != errno.EADDRINUSE or self.want_port:
                    raise
                continue
            break
        else:
            raise OSError(errno.EADDRINUSE, "no port free for DNS on both UDP and TCP")
        self.port = port
        self._servers = [udp, tcp]
        for srv in self._servers:
            srv.start_thread()
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.stop()
            srv.server.server_close()
        self._servers = []

    def __enter__(self) -> DnsFixture:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def records_for(hosts: Sequence[str], *, v4: str = "127.0.0.1", v6: str = "::1") -> dict[str, dict[str, list[str]]]:
    """A and AAAA records pointing every host at loopback."""
    return {h: {"A": [v4], "AAAA": [v6]} for h in hosts}
