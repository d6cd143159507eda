"""The browser layer: which Chromium to use, how it resolves names, how it is launched and watched.

Below the crawler (scrapy-playwright renders), the evidence stage (screenshots) and anything else that
drives Chromium. The browser is Debian's chromium (or another Chrome on PATH); Playwright never
downloads one. This module imports no Playwright, so a machine without it still crawls — and says so once.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Headless in a container, no background traffic: an audit must only make the requests it records.
BROWSER_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-quic", "--disable-features=HttpsUpgrades")
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})   # nothing a list needs; most of a page's bytes
@dataclass(frozen=True)
class Browser:
    path: str | None            # executable; None when unavailable
    reason: str = ""            # why unavailable (Chinese, shown to people)

    @property
    def available(self) -> bool:
        return self.path is not None


def find_browser(configured: str | None = None, *, for_crawl: bool = False) -> Browser:
    """The Chromium to launch: crawl.browser_path if set, else chromium/chrome on PATH, else Debian's."""
    needed = ["playwright", "scrapy_playwright"] if for_crawl else ["playwright"]
    missing = [m for m in needed if importlib.util.find_spec(m) is None]
    if missing:
        return Browser(None, f"未安装 {'、'.join(missing)}（pip install 'zwgk-audit[browser]'）")
    if configured:
        path = configured if os.sep in configured else shutil.which(configured)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return Browser(path)
        return Browser(None, f"找不到浏览器程序 {configured}（crawl.browser_path）")
    for name in CANDIDATES:
        if found := shutil.which(name):
            return Browser(found)
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return Browser(DEBIAN_CHROMIUM)
    return Browser(None, "未找到 Chromium 浏览器（apt-get install chromium，或设置 crawl.browser_path）")


def resolver_rules(hosts: list[str], dns_servers: list[str]) -> str:
    """--host-resolver-rules so Chromium resolves the sites' hosts through the configured DNS servers
    (network.dns_servers: intranets, the test fixtures) exactly as the crawler does. IPv4 first, as the
    crawler's resolver. Hosts not answered stay with the system resolver."""
    if not dns_servers:
        return ""
    from zwgk.netresolve import DnsLookup, is_ip

    lookup = DnsLookup(dns_servers, timeout=3.0)
    rules = []
    for host in sorted(set(hosts)):
        if is_ip(host):
            continue
        answer = lookup.lookup(host)
        if answer.a:
            rules.append(f"MAP {host} {answer.a[0]}")
        elif answer.aaaa:
            rules.append(f"MAP {host} [{answer.aaaa[0]}]")
    return ", ".join(rules)


def track_requests(page: Any) -> set[Any]:
    """The set of requests a Playwright page (sync or async API) still has under way: XHR/fetch
    lists, late scripts. Both the crawl's renders and the evidence screenshots wait for it to empty."""
    inflight: set[Any] = set()

    # plain functions, not bound set methods: Playwright inspects a handler's signature
    def started(req: Any) -> None:
        inflight.add(req)

    def ended(req: Any) -> None:
        inflight.discard(req)

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    return inflight


def launch_args(rules: str) -> list[str]:
    return [*BROWSER_ARGS, *([f"--host-resolver-rules={rules}"] if rules else [])]


def failure_kind(exc: BaseException) -> str:
    """Error kind of a failed render, by class name (render_handler imports Playwright; this does not)."""
    name = type(exc).__name__
    if name == "BrowserUnavailable":
        return "render_unavailable"
    if name in ("RenderTimeout", "TimeoutError"):
        return "render_timeout"
    return "render_failed"


def abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never fetched by the browser path."""
    return request.resource_type in BLOCKED_RESOURCES


_announced: list[str] = []
_relay: list[Callable[[str], None]] = []


def relay_announcements(to: Callable[[str], None]) -> None:
    """In a crawl worker process: hand the message to the coordinating process (which says it once
    for the whole run) instead of printing it."""
    _relay[:] = [to]


def announcements() -> list[str]:
    """What this process has said about the browser (announce_unavailable), for another to adopt."""
    return list(_announced)


def adopt_announcements(reasons: list[str]) -> None:
    """What another process of the run said already (the crawl's, apart.py): not said again here."""
    if not _announced:
        _announced[:] = reasons


def announce_unavailable(reason: str) -> None:
    """Say once per process (crawl and screenshots share it) that the browser is unavailable."""
    if _announced:
        return
    _announced.append(reason)
    if _relay:
        _relay[0](reason)
        return
    message = (f"浏览器不可用（{reason}）：需脚本渲染的栏目记为「无法判定」，不生成证据截图；"
               "其余检查照常进行。")
    log.warning(message)
    print(f"注意：{message}", file=sys.stderr, flush=True)
