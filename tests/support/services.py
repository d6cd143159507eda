"""Real redis-server and PostgreSQL for the tests, started through zwgk.services on free loopback ports.

`running_redis(dir)` / `running_postgres(dir)` start one service (fsync off: test data only) and stop
exactly its PID afterwards. `service_dir()` gives a directory the service can use: pytest's temp
tree is private to the user running pytest (mode 0700), which the `postgres` user cannot enter
when the tests run as root, so as root the PostgreSQL directory is a fresh one under the system
temp directory instead, removed afterwards. `run_prefix()` names one test's Redis keys, so tests
sharing the session's server never see each other's keys; `fresh_database()` gives one its own
PostgreSQL database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from zwgk.services import (
    DB_USER,
    Service,
    ServiceError,
    binaries_missing,
    free_port,
    port_free,
    postgres_url,
    start_postgres,
    start_redis,
    stop_service,
)

PORT_ATTEMPTS = 3      # a free port can be taken between choosing it and the server binding it


def skip_without_services() -> None:
    """Skip (with the reason) only when the Debian packages are not installed."""
    reason = binaries_missing()
    if reason:
        pytest.skip(f"redis-server / PostgreSQL not installed (.ci/run installs them): {reason}")


@contextlib.contextmanager
def service_dir(base: Path, name: str) -> Iterator[Path]:
    """`base/name`, or (as root, for PostgreSQL) a fresh directory the postgres user can reach."""
    if os.getuid() == 0 and name == "postgres":
        path = Path(tempfile.mkdtemp(prefix="zwgk-test-postgres-"))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)
        return
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    yield path


def _start(starter, directory: Path) -> Service:
    last: ServiceError | None = None
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        try:
            return starter(directory, port, durable=False)
        except ServiceError as exc:
            if port_free(port):      # it failed for another reason than a lost race for the port
                raise
            last = exc
    assert last is not None
    raise last


@contextlib.contextmanager
def running_redis(directory: Path) -> Iterator[Service]:
    svc = _start(start_redis, directory)
    try:
        yield svc
    finally:
        stop_service(svc)


@contextlib.contextmanager
def running_postgres(directory: Path) -> Iterator[Service]:
    svc = _start(start_postgres, directory)
    try:
        yield svc
    finally:
        stop_service(svc)


def run_prefix(label: str = "t") -> str:
    """A key prefix no other test (or earlier run) uses."""
    return f"zwgk-test-{label}-{secrets.token_hex(4)}"


def fresh_database(server: Service, label: str = "t") -> str:
    """CREATE DATABASE a new, empty database on the session's PostgreSQL; its URL."""
    import psycopg

    name = f"zwgk_{label}_{secrets.token_hex(4)}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{DB_USER}"')
    return postgres_url(server.port, name)
