"""Canonical (port-less) URLs in built pages <-> the URLs a running server actually answers on.

Pages are built once with `http://<host>/…` for links to another of the site's hosts; the server
and the static writer rewrite those to `http://<host>:<port>/…`, and truth maps its canonical URLs
the same way, so both see identical links. Only the site's served hosts are rewritten (an
unresolvable same-site host keeps port 80: it fails at DNS anyway).
"""

from __future__ import annotations


class Rebaser:
    def __init__(self, bases: dict[str, str]) -> None:
        """bases: hostname -> served origin, e.g. {"www.a.gov.cn": "http://www.a.gov.cn:8080"}."""
        self.bases = {h: b.rstrip("/") for h, b in bases.items()}
        self._pairs = [(f"http://{h}/".encode(), f"{b}/".encode())
                       for h, b in self.bases.items() if b != f"http://{h}"]

    def body(self, data: bytes) -> bytes:
        for old, new in self._pairs:
            if old in data:
                data = data.replace(old, new)
        return data

    def url(self, url: str) -> str:
        if url.startswith("http://"):
            host, _, rest = url[7:].partition("/")
            if host in self.bases:
                return f"{self.bases[host]}/{rest}"
        return url

    def origin(self, host: str) -> str:
        return self.bases.get(host, f"http://{host}")
