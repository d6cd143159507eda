"""Sets of what a crawl worker has seen, kept as fingerprints rather than the URLs themselves.

A crawl worker remembers every request it ever scheduled (the dupefilter's seen set, which the spider
also reads to skip known links), the pages it counted against a site's page cap, and the items of
every list it reads. Only membership and counts are ever asked of them, and they grow with the site:
as (site, URL, method) tuples the seen set alone held ≈ 210 bytes per request (41 MB at N = 100,000,
in each worker). A 20-byte BLAKE2b fingerprint — as wide as Scrapy's SHA-1 request fingerprints —
takes ≈ 100 (bench/README.md, memory growth). Two different keys share one only by a 2^-160 chance.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import blake2b

DIGEST = 20


def fingerprint(text: str) -> bytes:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=DIGEST).digest()


def key_fingerprint(key: tuple[str, str, str]) -> bytes:
    """(site, url, method): site keys and methods hold no newline, so the joined text is unambiguous."""
    site, url, method = key
    return fingerprint(f"{site}\n{method}\n{url}")


class SeenKeys:
    """A set of frontier keys (site, url, method): `in`, add, len."""

    __slots__ = ("_fps",)

    def __init__(self, keys: Iterable[tuple[str, str, str]] = ()):
        self._fps = {key_fingerprint(k) for k in keys}

    def __contains__(self, key: object) -> bool:
        return key_fingerprint(key) in self._fps     # type: ignore[arg-type]

    def add(self, key: tuple[str, str, str]) -> None:
        self._fps.add(key_fingerprint(key))

    def add_new(self, key: tuple[str, str, str]) -> bool:
        """Add `key`; was it new? (one fingerprint for both questions)"""
        fp = key_fingerprint(key)
        if fp in self._fps:
            return False
        self._fps.add(fp)
        return True

    def __len__(self) -> int:
        return len(self._fps)


class SeenTexts:
    """A set of strings (URLs): `in`, add, update, len, and the count of those new to it."""

    __slots__ = ("_fps",)

    def __init__(self, texts: Iterable[str] = ()):
        self._fps = {fingerprint(t) for t in texts}

    def __contains__(self, text: object) -> bool:
        return fingerprint(text) in self._fps        # type: ignore[arg-type]

    def add(self, text: str) -> None:
        self._fps.add(fingerprint(text))

    def update(self, texts: Iterable[str]) -> int:
        """Add every text; how many were new."""
        before = len(self._fps)
        self._fps.update(fingerprint(t) for t in texts)
        return len(self._fps) - before

    def __len__(self) -> int:
        return len(self._fps)

    def __bool__(self) -> bool:
        return bool(self._fps)
