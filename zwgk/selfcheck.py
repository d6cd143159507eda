"""`zwgk check URL`: a unit's own staff audit their one site with sensible defaults.

No inspection.yaml to write: the bundled national profile, the unit's ledger when one is given (without
one the site is judged against the national checks only: no ledger tasks, and no sample ledger passed off
as theirs), a page cap that keeps a self-check to minutes, and a polite delay (it is their own server).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from zwgk.config.inspection import CrawlSettings, Inspection, NetworkSettings, SiteConfig
from zwgk.errors import ConfigError

SELF_CHECK_MAX_PAGES = 500        # enough for the 政府信息公开 tree of a county portal
SELF_CHECK_MAX_SECONDS = 900.0
SELF_CHECK_DELAY = 0.25


@dataclass
class SelfCheck:
    url: str
    ledger: Path | None = None
    name: str | None = None
    unit: str = ""
    hosts: list[str] = field(default_factory=list)
    dns_servers: list[str] = field(default_factory=list)
    max_pages: int = SELF_CHECK_MAX_PAGES
    delay: float = SELF_CHECK_DELAY
    as_of: date | None = None


def self_check_inspection(req: SelfCheck) -> Inspection:
    """The inspection a self-check runs (validated like a config file: a bad URL is exit 2)."""
    host = urlsplit(req.url).hostname or req.url
    name = req.name or host
    try:
        insp = Inspection(
            name=f"{name}网站自查", as_of=req.as_of, ledger=str(req.ledger.resolve()) if req.ledger else None,
            sites=[SiteConfig(name=name, url=req.url, unit=req.unit, hosts=req.hosts)],
            crawl=CrawlSettings(max_pages=req.max_pages, max_seconds=SELF_CHECK_MAX_SECONDS, delay=req.delay),
            network=NetworkSettings(dns_servers=req.dns_servers),
        )
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].replace('Value error, ', '')}"
                            for e in exc.errors())
        raise ConfigError(f"自查参数无效 / invalid self-check options: {problems}") from None
    insp.base_dir = Path.cwd()
    raw = json.dumps(insp.model_dump(mode="json"), ensure_ascii=False, sort_keys=True).encode("utf-8")
    insp.digest = "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
    return insp
