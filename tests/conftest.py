"""Shared fixtures: the simulated portals (served on 127.0.0.1 and ::1) and a DNS server for them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zwgk.portal_sim import DnsFixture, RunningPortal, load_spec
from zwgk.portal_sim.dns import records_for
from zwgk.services import Service

from support.metered import MeteredHost, MeteredServer
from support.portals import AS_OF, CLEAN_SPEC, PORTAL_SPECS, audit_dns_records
from support.services import running_postgres, running_redis, service_dir, skip_without_services


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


@pytest.fixture(scope="session")
def audit_portal() -> Iterator[RunningPortal]:
    """example-a, example-b and example-clean (a well-kept TRS site with look-alike traps) served
    together, for end-to-end audits compared with the truth (tests/test_e2e_checks.py)."""
    with RunningPortal.from_files((*PORTAL_SPECS, CLEAN_SPEC), as_of=AS_OF) as running:
        yield running


@pytest.fixture(scope="session")
def audit_dns(audit_portal: RunningPortal) -> Iterator[DnsFixture]:
    """audit_dns_records(audit_portal); planted dead hosts answer NXDOMAIN."""
    with DnsFixture(audit_dns_records(audit_portal)) as dns:
        yield dns


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A real redis-server (Debian's) on a free 127.0.0.1 port for the session, stopped by PID.

    redis_server.url (redis://127.0.0.1:P/0), .port, .pid. Name keys with support.services.run_prefix().
    Skipped with the reason when redis-server/PostgreSQL are not installed.
    """
    skip_without_services()
    with service_dir(tmp_path_factory.mktemp("services"), "redis") as directory, running_redis(directory) as svc:
        yield svc


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A real PostgreSQL cluster (initdb + postgres from /usr/lib/postgresql/*/bin) on a free
    127.0.0.1 port for the session, run as the postgres user when the tests run as root; stopped by PID.

    postgres_server.url (postgresql://zwgk@127.0.0.1:P/zwgk, trust auth), .port, .pid;
    support.services.fresh_database(postgres_server) gives a test its own database.
    """
    skip_without_services()
    with service_dir(tmp_path_factory.mktemp("services"), "postgres") as directory, \
            running_postgres(directory) as svc:
        yield svc


@pytest.fixture
def metered() -> Iterator[tuple[MeteredServer, DnsFixture]]:
    """A server that measures politeness (support/metered.py): a.metered.gov.cn 60 pages, b 10."""
    hosts = {"a.metered.gov.cn": MeteredHost(pages=60, delay=0.03),
             "b.metered.gov.cn": MeteredHost(pages=10, delay=0.01)}
    with MeteredServer(hosts) as server, DnsFixture({h: {"A": ["127.0.0.1"]} for h in hosts}) as dns:
        yield server, dns
