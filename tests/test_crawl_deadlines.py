"""Every network wait has a total deadline, body included: a server that answers one byte every 250 ms
holds neither the probe layer (links.broken's retry) nor the crawl. Expected fetch failures (a robots.txt
that cannot be fetched) are one line in the log, never a traceback."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import exceptions as sx

from zwgk.crawler.errors import quiet_expected_failures
from zwgk.netresolve import Answer, DnsLookup
from zwgk.probes import Probes
from zwgk.store import Store

HOST = "drip.example-d.gov.cn"
BODY = b"<html><body>" + b"<p>x</p>" * 50 + b"</body></html>"     # 412 bytes: 103 s at 4 bytes a second


class _Stub(DnsLookup):
    def __init__(self) -> None:
        self.servers = ["stub"]

    def lookup(self, host: str) -> Answer:
        return Answer(host, a=["127.0.0.1"])


@pytest.fixture
def drip_server() -> Iterator[int]:
    """Headers at once, then the body one byte every 250 ms (until the client hangs up)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                         + str(len(BODY)).encode() + b"\r\n\r\n")
            for i in range(len(BODY)):
                if stop.is_set():
                    return
                try:
                    conn.sendall(BODY[i:i + 1])
                except OSError:
                    return
                time.sleep(0.25)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_probe_deadline_covers_a_slow_drip_body(drip_server: int, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite")
    probes = Probes(store, "site", _Stub(), timeout=1.5)
    probe = probes.http(f"http://{HOST}:{drip_server}/slow.html")
    # without a deadline on the body the probe would read all 412 bytes (103 s) and answer 200
    assert probe.error_kind == "timeout", (probe.status, probe.error, len(probe.body))
    assert probe.status == 200 and probe.body == b""            # headers came; the body never did in time
    store.close()


def test_robots_txt_failure_is_one_line_without_traceback(caplog: pytest.LogCaptureFixture) -> None:
    quiet_expected_failures()
    logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    with caplog.at_level(logging.INFO, logger=logger.name):
        try:
            raise sx.CannotResolveHostError("DNS lookup failed: no results for hostname lookup: old.example.gov.cn.")
        except sx.CannotResolveHostError as exc:
            logger.error("Error downloading %(request)s: %(f_exception)s",
                         {"request": "<GET http://old.example.gov.cn/robots.txt>", "f_exception": exc},
                         exc_info=True)
    (record,) = caplog.records
    assert record.exc_info is None and record.levelname == "WARNING"
    text = caplog.text
    assert "Traceback" not in text and "robots.txt" in text and "域名无法解析" in text
