"""Tiny loopback servers for exercising the probe layer offline (tests, self-checks).

`LoopbackServer` answers with a function of (path, headers) on 127.0.0.1 or ::1, optionally over
TLS; `bind_pair` puts two of them on the same port of both loopbacks (a site's IPv4 and IPv6
faces); `make_pki` writes a throwaway CA, a CA-signed and a self-signed certificate (needs the
`cryptography` package or the `openssl` CLI).
"""

from __future__ import annotations

import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})


App = Callable[[str, dict[str, str]], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    app: App
    seen: list[tuple[str, dict[str, str]]]

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse lookup (getfqdn): slow or hanging without a network
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self, with_body: bool) -> None:
        headers = {k: v for k, v in self.headers.items()}
        self.server.seen.append((self.path, headers))
        reply = self.server.app(self.path, headers)
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer:
    """An HTTP(S) server bound at construction (port 0 → a free one), serving once started."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None):
        server_cls = type("_Server6" if ":" in host else "_Server4", (_Server,),
                          {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET})
        self.httpd: _Server = server_cls((host, port), _Handler)
        self.httpd.app, self.httpd.seen = app, []
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.host, self.port = host, self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> list[tuple[str, dict[str, str]]]:
        """(path, headers) of every request answered so far."""
        return self.httpd.seen

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
        self.httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_pair(app4: App | None, app6: App | None, attempts: int = 20) -> tuple[LoopbackServer, LoopbackServer | None]:
    """Servers on 127.0.0.1:P and [::1]:P (same P). app6=None leaves ::1:P free, so an IPv6
    connection to it is refused; app4=None is not supported (the site always has an IPv4 face)."""
    if app4 is None:
        raise ValueError("bind_pair needs an IPv4 app")
    for _ in range(attempts):
        s4 = LoopbackServer(app4)
        try:
            if app6 is not None:
                return s4, LoopbackServer(app6, "::1", s4.port)
            probe = socket.socket(socket.AF_INET6)   # make sure nothing else holds [::1]:P
            try:
                probe.bind(("::1", s4.port))
            finally:
                probe.close()
            return s4, None
        except OSError:
            s4.stop()
    raise OSError("no port free on both 127.0.0.1 and ::1")


@dataclass
class Pki:
    ca_file: Path            # trust this to accept cert_file
    cert_file: Path          # leaf for `hosts`, signed by the CA
    key_file: Path
    self_signed_cert: Path   # same hosts, signed by itself
    self_signed_key: Path

    def server_context(self, self_signed: bool = False) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self_signed:
            ctx.load_cert_chain(self.self_signed_cert, self.self_signed_key)
        else:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def make_pki(directory: Path, hosts: list[str]) -> Pki:
    """Write a test PKI for `hosts` into `directory` (cryptography, else openssl CLI).
    Raises RuntimeError when neither is available."""
    pki = Pki(directory / "ca.pem", directory / "leaf.pem", directory / "leaf.key",
              directory / "self.pem", directory / "self.key")
    try:
        _pki_cryptography(pki, hosts)
    except ImportError:
        if not shutil.which("openssl"):
            raise RuntimeError("neither the cryptography package nor the openssl CLI is available") from None
        _pki_openssl(pki, directory, hosts)
    return pki


def _pki_cryptography(pki: Pki, hosts: list[str]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def build(subject: str, pub: Any, issuer: str, signer: Any, ca: bool) -> x509.Certificate:
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer)).public_key(pub)
             .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
             .not_valid_after(now + timedelta(days=2))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), critical=False))
        if ca:
            b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
        else:
            b = (b.add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
                 .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        return b.sign(signer, hashes.SHA256())

    def write(cert: x509.Certificate, cert_path: Path, k: Any, key_path: Path | None) -> None:
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        if key_path is not None:
            key_path.write_bytes(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))

    ca_key, leaf_key, self_key = key(), key(), key()
    write(build("zwgk test CA", ca_key.public_key(), "zwgk test CA", ca_key, True), pki.ca_file, ca_key, None)
    write(build(hosts[0], leaf_key.public_key(), "zwgk test CA", ca_key, False), pki.cert_file, leaf_key,
          pki.key_file)
    write(build(hosts[0], self_key.public_key(), hosts[0], self_key, False), pki.self_signed_cert, self_key,
          pki.self_signed_key)


def _pki_openssl(pki: Pki, directory: Path, hosts: list[str]) -> None:
    san = "subjectAltName=" + ",".join(f"DNS:{h}" for h in hosts)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]

    def run(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)

    ca_key = directory / "ca.key"
    run("req", "-x509", *ec, "-keyout", ca_key, "-out", pki.ca_file, "-subj", "/CN=zwgk test CA")
    run("req", "-x509", *ec, "-keyout", pki.self_signed_key, "-out", pki.self_signed_cert,
        "-subj", f"/CN={hosts[0]}", "-addext", san)
    csr, ext = directory / "leaf.csr", directory / "leaf.ext"
    ext.write_text(san + "\nextendedKeyUsage=serverAuth\n")
    run("req", "-new", *ec[:-2], "-keyout", pki.key_file, "-out", csr, "-subj", f"/CN={hosts[0]}")
    run("x509", "-req", "-in", csr, "-CA", pki.ca_file, "-CAkey", ca_key, "-CAcreateserial",
        "-out", pki.cert_file, "-days", "2", "-extfile", ext)
