"""A loopback web server that measures politeness from the server's side.

Each virtual host serves a small generated site: a homepage linking pages /p/1.html … /p/N.html (each
linking its attachment /f/N.pdf, HEAD answered, and the homepage),
and a robots.txt that forbids /private/ (linked from the homepage). Every answer waits `delay`
seconds, so requests overlap when a client sends them concurrently; the server counts, per host,
the requests in flight (from arrival until the answer starts) and keeps the peak, and logs each
request's arrival time. Tests compare that with the crawl's configured concurrency and delay.
"""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.runhelp import write_inspection


@dataclass(frozen=True)
class Hit:
    host: str
    method: str
    path: str
    at: float                 # arrival, time.monotonic()
    agent: str = ""

    @property
    def probe(self) -> bool:
        """A request of the network probes (after the crawl), not of the crawl."""
        return self.agent.endswith("; probe)")


@dataclass
class MeteredHost:
    pages: int                # /p/1.html … /p/pages.html
    delay: float = 0.03       # seconds every answer waits
    in_flight: int = 0
    peak: int = 0


@dataclass
class _State:
    hosts: dict[str, MeteredHost]
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def page_html(host: MeteredHost, n: int) -> str:
    # no page links a page of its own URL template: that would be a counter chain (crawler/traps.py)
    links = f'<a href="/f/{n}.pdf">附件{n}</a><a href="/">首页</a>'
    return f"<html><head><title>第{n}页</title></head><body>{links}</body></html>"


def home_html(host: MeteredHost) -> str:
    links = "".join(f'<a href="/p/{k}.html">第{k}页</a>' for k in range(1, host.pages + 1))
    return f"<html><head><title>首页</title></head><body>{links}<a href=\"/private/x.html\">内部</a></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = state.hosts.get(host)
        with state.lock:
            agent = self.headers.get("User-Agent") or ""
            state.hits.append(Hit(host, self.command, self.path, time.monotonic(), agent))
            if site is not None and not agent.endswith("; probe)"):
                site.in_flight += 1
                site.peak = max(site.peak, site.in_flight)
        try:
            status, ctype, body = self._answer(site)
            if site is not None:
                time.sleep(site.delay)
        finally:
            # out of flight before the first byte of the answer leaves: the client cannot have the
            # whole answer (and send its next request) while the server still counts this one
            if site is not None and not agent.endswith("; probe)"):
                with state.lock:
                    site.in_flight -= 1
        payload = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_HEAD = do_GET

    def _answer(self, site: MeteredHost | None) -> tuple[int, str, str]:
        html = "text/html; charset=utf-8"
        path = self.path.split("?")[0]
        if site is None:
            return 404, "text/plain", "unknown host"
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nDisallow: /private/\n"
        if path == "/":
            return 200, html, home_html(site)
        if path.startswith("/p/") and path.endswith(".html"):
            n = int(path[3:-5])
            if 1 <= n <= site.pages:
                return 200, html, page_html(site, n)
        if path.startswith("/f/") and path.endswith(".pdf"):
            return 200, "application/pdf", "%PDF-1.4"
        return 404, html, "<html><title>404</title></html>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)     # no reverse lookup
        self.server_name, self.server_port = "localhost", self.server_address[1]


class MeteredServer:
    """`with MeteredServer({"a.example.gov.cn": MeteredHost(60)}) as srv: srv.url("a.example.gov.cn")`"""

    def __init__(self, hosts: dict[str, MeteredHost]):
        self.state = _State(hosts)
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.state = self.state
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, host: str | None = None) -> list[Hit]:
        with self.state.lock:
            return [h for h in self.state.hits if host is None or h.host == host]

    def peak(self, host: str) -> int:
        return self.state.hosts[host].peak

    def expected_paths(self, host: str) -> set[str]:
        """Every path a crawl should fetch on the host (robots.txt and the forbidden page aside)."""
        pages = self.state.hosts[host].pages
        return {"/"} | {f"/p/{n}.html" for n in range(1, pages + 1)} | {f"/f/{n}.pdf" for n in range(1, pages + 1)}

    def __enter__(self) -> MeteredServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def politeness_inspection(path: Path, server: MeteredServer, dns: object, delay_b: float) -> Path:
    """Site a: 2 requests in flight, no delay; site b: 3 in flight, `delay_b` s apart (the politeness
    tests of several local workers and of the distributed mode)."""
    sites = [{"name": "甲", "url": server.url("a.metered.gov.cn"), "crawl": {"concurrency_per_site": 2, "delay": 0}},
             {"name": "乙", "url": server.url("b.metered.gov.cn"),
              "crawl": {"concurrency_per_site": 3, "delay": delay_b}}]
    return write_inspection(path, sites, dns=dns.address, max_pages=500, max_depth=30,  # type: ignore[attr-defined]
                            render_js="never")
