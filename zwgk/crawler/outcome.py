"""How a site's crawl ended: what runner.run_crawl answers, and what the crawl's forked process
(apart.py) sends back to the command's. Its own module, free of Scrapy: unpickling it in the command's
process must not import the crawler (Scrapy and Twisted, ≈ 0.5 s and 27 MB the evaluation never uses)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SiteOutcome:
    key: str
    name: str
    status: str                 # complete | capped | unreachable | interrupted
    pages: int
    attachments: int
    errors: int
    capped: list[str] = field(default_factory=list)
    detail: str = ""
