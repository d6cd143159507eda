"""`zwgk crawl` with in-process patches, to measure what a crawler change would buy. Bench only:
nothing here changes zwgk itself, and the shipped crawl is always measured unpatched.

    python bench/zwgk_patched.py PATCH[,PATCH…] crawl -c inspection.yaml -o OUTDIR

Patches:
  no-autothrottle  AUTOTHROTTLE_ENABLED = False (the inspection has no key for it; delay 0 still
                   starts AutoThrottle at 0.01 s and lets it adapt from there)
  seen-prefilter   the spider skips links whose (site, url, method) the dupefilter has already seen,
                   or that an earlier link of the same page already asked for, before building a
                   Request; today every link becomes a Request that travels through the spider
                   middlewares and the scheduler only to be dropped by StoreDupeFilter
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

PATCHES = ("no-autothrottle", "seen-prefilter")


def _no_autothrottle() -> None:
    import zwgk.crawler.settings as settings

    settings.AUTOTHROTTLE_ENABLED = False


def _seen_prefilter() -> None:
    from zwgk.crawler.spiders.portal import PortalSpider
    from zwgk.store import PageRecord

    original = PortalSpider._follow

    def _follow(self: PortalSpider, rec: PageRecord) -> Iterator[Any]:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        seen = getattr(getattr(scheduler, "df", None), "seen", set())
        asked: set[tuple[str, str]] = set()
        keep = []
        for link in rec.links:
            method = "GET" if link.kind == "page" else "HEAD"
            if link.kind in ("page", "attachment", "related"):
                if (rec.site, link.url, method) in seen or (link.url, method) in asked:
                    continue
                asked.add((link.url, method))
            keep.append(link)
        links, rec.links = rec.links, keep
        try:
            yield from original(self, rec)
        finally:
            rec.links = links           # the page record keeps every link

    PortalSpider._follow = _follow  # type: ignore[method-assign]


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    wanted = [p for p in sys.argv[1].split(",") if p]
    unknown = sorted(set(wanted) - set(PATCHES))
    if unknown:
        raise SystemExit(f"unknown patch {unknown}; known: {', '.join(PATCHES)}")
    if "no-autothrottle" in wanted:
        _no_autothrottle()
    if "seen-prefilter" in wanted:
        _seen_prefilter()
    from zwgk.cli import main as zwgk_main

    sys.argv = ["zwgk", *sys.argv[2:]]
    zwgk_main()


if __name__ == "__main__":
    main()
