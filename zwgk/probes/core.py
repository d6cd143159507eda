"""DNS and HTTP probes with the address family chosen by the caller, recorded in the store.

Why not Scrapy or urllib: a probe must pick *which* address it connects to (IPv4 or IPv6, from the
configured resolver), while still sending the site's Host header and SNI, and must report every
failure as data. So: resolve via `DnsLookup`, open the socket ourselves, hand it to `http.client`
for the HTTP exchange, and follow redirects by hand to record the chain. Probes never raise.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import logging
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from w3lib.encoding import html_to_unicode
from w3lib.url import safe_url_string

from zwgk import __version__
from zwgk.netresolve import Answer, DnsLookup, is_ip
from zwgk.store import Store, now_iso

log = logging.getLogger(__name__)
Family = Literal[4, 6] | None
DEFAULT_UA = f"Mozilla/5.0 (compatible; zwgk-audit/{__version__}; probe)"   # header values must be latin-1
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TEXT_TYPES = ("text/", "html", "xml", "json", "javascript")


@dataclass
class HttpProbe:
    """One HTTP visit. `error_kind` is None when an HTTP answer (any status) was received.

    error_kind: dns | no_address | disabled (IPv6 probing off) | refused | timeout | tls |
    connection | redirect_loop | other (bad URL). `headers` keys are lower-case.
    """

    url: str
    family: Family = None
    final_url: str = ""
    address: str | None = None
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    text: str = ""
    charset: str | None = None
    truncated: bool = False
    elapsed: float = 0.0
    redirects: list[dict[str, Any]] = field(default_factory=list)   # {url, status, location}
    tls: dict[str, Any] | None = None
    error_kind: str | None = None
    error: str | None = None
    at: str = field(default_factory=now_iso)

    @property
    def answered(self) -> bool:
        return self.status is not None and self.error_kind is None

    @property
    def ok(self) -> bool:
        """Answered with a 2xx/3xx status (a 3xx only when redirects were not followed)."""
        return self.answered and 200 <= (self.status or 0) < 400

    def to_dict(self) -> dict[str, Any]:
        """The stored/evidence form: everything but the body, plus its size and digest."""
        return {
            "url": self.url, "final_url": self.final_url, "family": self.family, "address": self.address,
            "status": self.status, "reason": self.reason, "headers": self.headers, "charset": self.charset,
            "size": len(self.body), "truncated": self.truncated,
            "sha256": hashlib.sha256(self.body).hexdigest() if self.body else None,
            "elapsed": round(self.elapsed, 3), "redirects": self.redirects, "tls": self.tls,
            "error_kind": self.error_kind, "error": self.error, "at": self.at,
        }


class _ProbeError(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """(text, charset) from the header or <meta> charset (w3lib maps GBK/GB2312 to GB18030)."""
    ctype = (content_type or "").lower()
    if not body or (ctype and not any(t in ctype for t in _TEXT_TYPES)):
        return "", None
    encoding, text = html_to_unicode(content_type, body)
    return text, encoding


class Probes:
    """Network facts for one site, cached per run and recorded in the store's `probes` table.

    Probes are evidence of the crawl (DESIGN §11): measured once, at crawl time, with their time and
    body recorded, so `zwgk evaluate` re-judges them (probes/stored.py) instead of measuring again.

    Use from one thread (the store's); `http_many` fans out internally and records afterwards.
    `ca_file` adds a CA bundle to the system trust (intranet CAs, test CAs); it defaults to the
    ZWGK_CA_FILE environment variable.
    """

    def __init__(self, store: Store, site_key: str, dns: DnsLookup, timeout: float = 15, ipv6: bool = True,
                 user_agent: str = DEFAULT_UA, ca_file: str | None = None):
        self.store = store
        self.site_key = site_key
        self.resolver = dns
        self.timeout = timeout
        self.ipv6 = ipv6
        self.user_agent = user_agent
        self.ca_file = ca_file if ca_file is not None else os.environ.get("ZWGK_CA_FILE") or None
        self._answers: dict[str, Answer] = {}
        self._unrecorded: list[Answer] = []
        self._lock = threading.Lock()
        self._http_cache: dict[tuple[Any, ...], HttpProbe] = {}
        self._answer_at: dict[str, str] = {}

    live = True          # measures the network (StoredProbes: answers from the crawl's records)

    def dns_at(self, host: str) -> str:
        """When `host` was resolved (the DNS answer's time, for evidence)."""
        return self._answer_at.get(host.strip("[]").lower().rstrip("."), "")

    @property
    def dns_servers(self) -> list[str]:
        """The servers asked: the configured list, or the system resolver's."""
        return self.resolver.servers or [str(ns) for ns in self.resolver.resolver.nameservers]

    # --- DNS ----------------------------------------------------------------------------------
    def dns(self, host: str) -> Answer:
        answer = self._answer(host)
        self._flush()
        return answer

    def _answer(self, host: str) -> Answer:
        host = host.strip("[]").lower().rstrip(".")
        with self._lock:   # worker threads of http_many share the cache
            cached = self._answers.get(host)
            if cached is None:
                cached = self.resolver.lookup(host)
                self._answers[host] = cached
                self._answer_at[host] = now_iso()
                if not is_ip(host):
                    self._unrecorded.append(cached)
            return cached

    def _flush(self) -> None:
        with self._lock:
            pending, self._unrecorded = self._unrecorded, []
        for ans in pending:
            self.store.add_probe(self.site_key, "dns", ans.host, {
                "host": ans.host, "a": ans.a, "aaaa": ans.aaaa, "error": ans.error, "servers": self.dns_servers,
                "at": self._answer_at.get(ans.host, now_iso())})

    # --- HTTP ---------------------------------------------------------------------------------
    def http(self, url: str, *, family: Family = None, method: str = "GET", verify_tls: bool = True,
             max_bytes: int = 512 * 1024, follow_redirects: bool = True, max_redirects: int = 5,
             timeout: float | None = None) -> HttpProbe:
        """Fetch `url` once per run (same arguments → cached probe). `timeout` bounds the whole
        visit including redirects; None → the constructor's (checks pass unreachable_timeout_seconds)."""
        return self.http_many([url], family=family, method=method, verify_tls=verify_tls, max_bytes=max_bytes,
                              follow_redirects=follow_redirects, max_redirects=max_redirects, timeout=timeout)[0]

    def http_many(self, urls: Iterable[str], *, workers: int = 8, family: Family = None, method: str = "GET",
                  verify_tls: bool = True, max_bytes: int = 512 * 1024, follow_redirects: bool = True,
                  max_redirects: int = 5, timeout: float | None = None) -> list[HttpProbe]:
        """`http` for many URLs concurrently (a sample of pages that may all time out over IPv6)."""
        opts = (family, method.upper(), verify_tls, max_bytes, follow_redirects, max_redirects,
                self.timeout if timeout is None else timeout)
        urls = list(urls)
        todo = list(dict.fromkeys(u for u in urls if (u, *opts) not in self._http_cache))
        if todo:
            if len(todo) == 1:
                fetched = [self._fetch(todo[0], *opts)]
            else:
                with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
                    fetched = list(pool.map(lambda u: self._fetch(u, *opts), todo))
            self._flush()   # DNS first: the http records refer to it
            for probe in fetched:
                record = record_of(probe, opts)
                self.store.add_probe(self.site_key, "http", probe.url, record)
                # answered as its record reads back (StoredProbes: the elapsed time rounded as stored,
                # the rest the same), so that a check judges a live probe exactly as the evaluation
                # later judges the record — and zwgk audit can take the probe stage's results
                self._http_cache[(probe.url, *opts)] = as_recorded(record)
        return [self._http_cache[(u, *opts)] for u in urls]

    def _fetch(self, url: str, family: Family, method: str, verify_tls: bool, max_bytes: int,
               follow_redirects: bool, max_redirects: int, timeout: float) -> HttpProbe:
        probe = HttpProbe(url=url, family=family, final_url=url)
        start = time.monotonic()
        deadline = start + timeout
        current, seen = url, {url}
        try:
            while True:
                self._exchange(probe, current, method, verify_tls, max_bytes, deadline)
                location = probe.headers.get("location")
                if not (follow_redirects and probe.status in REDIRECT_STATUSES and location):
                    break
                target = urljoin(current, location.strip())
                probe.redirects.append({"url": current, "status": probe.status, "location": target})
                if target in seen:
                    raise _ProbeError("redirect_loop", f"重定向循环 / redirect loop back to {target}")
                if len(probe.redirects) > max_redirects:
                    raise _ProbeError("redirect_loop", f"重定向超过 {max_redirects} 次 / too many redirects")
                seen.add(target)
                current = target
                if probe.status == 303 and method != "HEAD":
                    method = "GET"
        except _ProbeError as exc:
            probe.error_kind, probe.error = exc.kind, str(exc)
        except Exception as exc:   # the promise is "never raise": an unforeseen failure is data too
            log.warning("probe %s failed unexpectedly", current, exc_info=True)
            probe.error_kind, probe.error = "other", f"{type(exc).__name__}: {exc}"
        probe.final_url = current
        probe.elapsed = time.monotonic() - start
        if probe.error_kind is None:
            probe.text, probe.charset = decode_body(probe.body, probe.headers.get("content-type"))
        return probe

    def _exchange(self, probe: HttpProbe, url: str, method: str, verify_tls: bool, max_bytes: int,
                  deadline: float) -> None:
        """One request/response on a fresh connection; fills the probe or raises _ProbeError."""
        probe.status, probe.reason, probe.headers, probe.body, probe.truncated = None, "", {}, b"", False
        parts = urlsplit(safe_url_string(url))   # percent-encoded path, punycode host
        scheme = parts.scheme.lower()
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise _ProbeError("other", f"bad URL {url!r}: {exc}") from exc
        host = parts.hostname
        if scheme not in ("http", "https") or not host:
            raise _ProbeError("other", f"不支持的网址 / unsupported URL {url!r}")
        sock = None
        watchdog = _Watchdog(deadline)
        try:
            sock = self._connect(probe, host, port, probe.family, deadline)
            watchdog.arm(sock)
            if scheme == "https":
                sock = self._tls(probe, sock, host, verify_tls)
            conn = http.client.HTTPConnection(host, port)   # never connects: it is handed our socket
            conn.sock = sock
            conn.default_port = 443 if scheme == "https" else 80   # Host header omits the default port
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (("User-Agent", self.user_agent), ("Accept", "text/html,*/*;q=0.8"),
                                ("Accept-Language", "zh-CN,zh;q=0.9"), ("Accept-Encoding", "identity"),
                                ("Connection", "close")):
                conn.putheader(name, value)
            sock.settimeout(_remaining(deadline))
            conn.endheaders()
            resp = conn.getresponse()
            probe.status, probe.reason = resp.status, resp.reason
            headers: dict[str, str] = {}
            for name, value in resp.getheaders():
                key = name.lower()
                headers[key] = f"{headers[key]}, {value}" if key in headers else value
            probe.headers = headers
            chunks, size = [], 0
            # read one byte past the cap to know whether we truncated; a response that has read
            # its whole body releases (and may close) the socket, so stop before touching it again
            while size <= max_bytes and not resp.isclosed():
                sock.settimeout(_remaining(deadline))
                chunk = resp.read(min(64 * 1024, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            body = b"".join(chunks)
            if watchdog.fired:
                raise _ProbeError("timeout", "超时 / timed out (visit deadline, body still arriving)")
            probe.truncated = len(body) > max_bytes
            probe.body = body[:max_bytes]
        except _ProbeError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.fired:        # the deadline cut a response that trickled in too slowly
                raise _ProbeError("timeout", "超时 / timed out (visit deadline)") from exc
            raise _map_error(exc) from exc
        except ValueError as exc:   # a header or URL http.client refuses to send
            raise _ProbeError("other", f"{type(exc).__name__}: {exc}") from exc
        finally:
            watchdog.cancel()
            if sock is not None:
                sock.close()

    def _connect(self, probe: HttpProbe, host: str, port: int, family: Family, deadline: float) -> socket.socket:
        if family == 6 and not self.ipv6:
            raise _ProbeError("disabled", "IPv6 探测已关闭 / IPv6 probing disabled (network.ipv6: false)")
        answer = self._answer(host)
        if family == 4:
            addresses = answer.a
        elif family == 6:
            addresses = answer.aaaa
        else:   # IPv4 first, as most visitors reach the site
            addresses = answer.a + (answer.aaaa if self.ipv6 else [])
        if not addresses:
            if answer.error:
                raise _ProbeError("dns", f"{host} 域名解析失败 / DNS: {answer.error}")
            rtype = {4: "A", 6: "AAAA"}.get(family or 0, "A/AAAA")
            raise _ProbeError("no_address", f"{host} 无{rtype}记录 / no {rtype} record")
        last: OSError | None = None
        for address in addresses:   # try each address in turn, like a browser (without racing)
            probe.address = address
            try:
                return socket.create_connection((address, port), timeout=_remaining(deadline))
            except OSError as exc:
                last = exc
        assert last is not None
        raise last

    def _tls(self, probe: HttpProbe, sock: socket.socket, host: str, verify: bool) -> ssl.SSLSocket:
        ctx = ssl.create_default_context()
        if self.ca_file:
            ctx.load_verify_locations(self.ca_file)
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        try:
            tls = ctx.wrap_socket(sock, server_hostname=host)   # SNI + hostname check
        except ssl.SSLCertVerificationError as exc:
            probe.tls = {"verified": False, "verify_error": exc.verify_message, "verify_code": exc.verify_code}
            raise _ProbeError("tls", f"证书校验失败 / certificate verify failed: {exc.verify_message}") from exc
        cert = tls.getpeercert() or {}
        probe.tls = {"verified": verify, "version": tls.version(),
                     "subject": _name(cert.get("subject")), "issuer": _name(cert.get("issuer")),
                     "not_after": cert.get("notAfter"),
                     "san": [v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")]}
        return tls


def record_of(probe: HttpProbe, opts: tuple[Any, ...]) -> dict[str, Any]:
    """The stored form of a probe: to_dict(), the arguments it was made with (so evaluation finds it
    again: probes/stored.py) and its body, compressed (checks read it: search results, IPv6 content)."""
    family, method, verify_tls, max_bytes, follow, max_redirects, _timeout = opts
    return {**probe.to_dict(), "opts": {"family": family, "method": method, "verify_tls": verify_tls,
                                         "max_bytes": max_bytes, "follow_redirects": follow,
                                         "max_redirects": max_redirects},
            "body_z": base64.b64encode(zlib.compress(probe.body, 6)).decode("ascii") if probe.body else None}
def as_recorded(record: dict[str, Any]) -> HttpProbe:
    """The probe StoredProbes gives back for a record (through the store's JSON, as it is stored)."""
    from zwgk.probes.stored import probe_from

    return probe_from(json.loads(json.dumps(record, ensure_ascii=False)))


def _map_error(exc: BaseException) -> _ProbeError:
    if isinstance(exc, ssl.SSLError):
        return _ProbeError("tls", str(exc))
    if isinstance(exc, TimeoutError):   # includes socket.timeout and TLS handshake timeouts
        return _ProbeError("timeout", f"超时 / timed out: {exc}")
    if isinstance(exc, ConnectionRefusedError):
        return _ProbeError("refused", f"连接被拒绝 / refused: {exc}")
    return _ProbeError("connection", f"{type(exc).__name__}: {exc}")


class _Watchdog:
    """The visit deadline as a hard limit: a socket timeout bounds one recv, so a server that sends one
    byte every 250 ms would hold the visit for as long as its body lasts. At the deadline the watchdog
    shuts the socket down, which ends whatever read is waiting; the caller then reports a timeout."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self._timer: threading.Timer | None = None

    def arm(self, sock: socket.socket) -> None:
        def fire() -> None:
            self.fired = True
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _ProbeError("timeout", "超时 / timed out (visit deadline)")
    return left


def _name(rdns: Any) -> str:
    """'CN=x, O=y' from getpeercert()'s nested tuples."""
    return ", ".join(f"{k}={v}" for rdn in rdns or () for k, v in rdn)
