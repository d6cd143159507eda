"""Serve built sites on 127.0.0.1 and ::1 (same port), virtual-hosted by the Host header.

Everything a response does comes from `Site.respond` (status, redirects, delay, HEAD 405, routes);
the server only adds what depends on where it listens: the port (absolute same-site links and
Location headers are rebased to it) and the request log (method, host, path, family, time, status)
that tests use to assert e.g. "no page fetched twice".
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from typing import Any

from zwgk.portal_sim.model import Request, Resource, Site
from zwgk.portal_sim.rebase import Rebaser

BIND_ATTEMPTS = 50
TEXT_TYPES = ("text/html", "text/xml", "text/plain", "text/css", "application/json")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    host: str
    path: str            # path with ?query
    family: str          # v4 | v6
    time: float
    status: int
    agent: str = ""      # the User-Agent (the crawl's, or the probe layer's: "…; probe)")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 60            # an idle keep-alive connection does not pin a thread forever

    def log_message(self, format: str, *args: Any) -> None:   # quiet: the request log is the record
        pass

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET

    def _serve(self) -> None:
        portal: PortalServer = self.server.portal          # type: ignore[attr-defined]
        family: str = self.server.family                    # type: ignore[attr-defined]
        host = host_of(self.headers.get("Host", ""))
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = portal.site_for(host)
        if site is None:
            res = Resource(status=404, body=f"unknown host {host}\n".encode(), content_type="text/plain")
        else:
            try:
                res = site.respond(Request(self.command, host or site.spec.main_host, path, query, body, family))
            except Exception as exc:   # a bug in a handler must show up as a 500, not a hung client
                res = Resource(status=500, body=f"{type(exc).__name__}: {exc}\n".encode(), content_type="text/plain")
        status = res.head_status if self.command == "HEAD" and res.head_status else res.status
        portal.record(LoggedRequest(self.command, host, self.path, family, time.time(), status,
                                    self.headers.get("User-Agent", "")))
        if res.delay:
            time.sleep(res.delay)
        self._write(portal, site, host, res, status)

    def _write(self, portal: PortalServer, site: Site | None, host: str, res: Resource, status: int) -> None:
        rb = portal.rebaser(site) if site else None
        payload = res.body
        if rb is not None and res.content_type in TEXT_TYPES:
            payload = rb.body(payload)
        if status != res.status:        # HEAD refused: a small error body (never sent for HEAD)
            payload = b""
        self.send_response(status)
        self.send_header("Content-Type", res.content_type_header())
        self.send_header("Content-Length", str(len(payload)))
        if res.location:
            loc = res.location
            if loc.startswith("/") and rb is not None:
                loc = rb.origin(host) + loc
            self.send_header("Location", rb.url(loc) if rb else loc)
        if status == 405:
            self.send_header("Allow", "GET, POST" if res.kind == "xml" else "GET")
        self.end_headers()
        if self.command == "HEAD":
            return
        if not res.drip:
            self.wfile.write(payload)
            return
        try:                       # a slow-drip answer: one byte, a pause, until the client gives up
            for i in range(len(payload)):
                self.wfile.write(payload[i:i + 1])
                self.wfile.flush()
                time.sleep(res.drip)
        except OSError:
            self.close_connection = True


def host_of(header: str) -> str:
    """Hostname of a Host header, without port; IPv6 literals keep no brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")]
    return header.rsplit(":", 1)[0].rstrip(".") if ":" in header else header.rstrip(".")


def _is_ip(host: str) -> bool:
    try:
        ip_address(host)
    except ValueError:
        return False
    return True


class _V4Server(ThreadingHTTPServer):
    daemon_threads = True


class _V6Server(ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class PortalServer:
    """Context manager; `start()` binds 127.0.0.1:port (0 = pick) then [::1] on the same port."""

    def __init__(self, sites: Iterable[Site], *, port: int = 0, default_site: str | None = None) -> None:
        self.sites = {s.key: s for s in sites}
        self.by_host = {h: s for s in self.sites.values() for h in s.hosts}
        self.default = self.sites[default_site] if default_site else next(iter(self.sites.values()))
        self.want_port, self.port = port, 0
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._rebasers: dict[str, Rebaser] = {}

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> PortalServer:
        for _ in range(1 if self.want_port else BIND_ATTEMPTS):
            v4 = _V4Server(("127.0.0.1", self.want_port), _Handler)
            port = v4.server_address[1]
            try:
                v6 = _V6Server(("::1", port), _Handler)
            except OSError as exc:
                v4.server_close()
                if exc.errno != errno.EADDRINUSE or self.want_port:
                    raise
                continue
            break
        else:
            raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")
        self.port = port
        for srv, family in ((v4, "v4"), (v6, "v6")):
            srv.portal, srv.family = self, family            # type: ignore[attr-defined]
            thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"portal-{family}-{port}", daemon=True)
            thread.start()
            self._servers.append(srv)
            self._threads.append(thread)
        self._rebasers = {k: Rebaser(self.base_urls(k)) for k in self.sites}
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- lookups ----------------------------------------------------------------------------------
    def site_for(self, host: str) -> Site | None:
        """By hostname; an IP literal (or no Host) gets the default site, an unknown name nothing."""
        if host in self.by_host:
            return self.by_host[host]
        return self.default if not host or _is_ip(host) else None

    def base_urls(self, key: str) -> dict[str, str]:
        return {h: f"http://{h}:{self.port}" for h in self.sites[key].hosts}

    def rebaser(self, site: Site) -> Rebaser:
        return self._rebasers[site.key]

    def url(self, key: str, path: str = "/", host: str | None = None) -> str:
        return f"http://{host or self.sites[key].spec.main_host}:{self.port}{path}"

    # -- request log ------------------------------------------------------------------------------
    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear_log(self) -> None:
        with self._lock:
            self._entries.clear()
