"""Evidence screenshots: a PNG of the page that shows each failing check, with the capture time on it.

After the checks, for every site: the homepage (column.missing, site.identity, ipv6.*, homepage.stale),
each empty or stale column's page, and each page holding a broken link (the links outlined in red),
at most crawl.max_screenshots pages per site, homepage first. One Chromium (Playwright's sync API,
Debian's chromium, the crawl's host-resolver rules) takes them; a small fixed banner with the capture
time and address is drawn into the page before the shot, and the time is recorded beside the path.

Files: RUN/screenshots/<site>/<n>.png and <n>.thumb.png (a 320 px preview for the report); findings
get evidence["screenshot"] = {"path", "thumb", "at"} (paths relative to the run directory).
No browser (or --no-screenshots): nothing is taken, and that is said once.
"""

from __future__ import annotations

import base64
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zwgk.browser import announce_unavailable, find_browser, launch_args, resolver_rules, track_requests
from zwgk.config.inspection import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

HOME_CHECKS = frozenset({"column.missing", "site.identity", "ipv6.aaaa", "ipv6.reachable", "ipv6.links",
                         "homepage.stale"})
PAGE_CHECKS = ("column.empty", "column.stale", "links.broken")    # the finding's own page, in this order
VIEWPORT = {"width": 1280, "height": 900}
MAX_HEIGHT = 4000           # long pages are cut: the evidence is near the top or outlined
THUMB_WIDTH = 320
SETTLE_MS = 2000            # longest wait for a quiet network after `load`
QUIET_MS = 200

_STAMP_JS = """(text) => {
  const d = document.createElement('div');
  d.textContent = text;
  d.setAttribute('style', 'position:absolute;top:0;right:0;z-index:2147483647;background:#fffbe6;' +
    'color:#000;border:2px solid #c00;font:14px/1.5 "Noto Sans CJK SC",sans-serif;padding:4px 10px;' +
    'max-width:70%;word-break:break-all;white-space:normal');
  document.documentElement.appendChild(d);
}"""
_OUTLINE_JS = """(targets) => {
  let n = 0;
  for (const a of document.querySelectorAll('a[href]')) {
    if (targets.includes(a.href)) { a.style.outline = '3px solid #d00'; a.style.outlineOffset = '2px'; n++; }
  }
  return n;
}"""


@dataclass
class Shot:
    url: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    outline: list[str] = field(default_factory=list)     # broken link targets to mark on the page


def plan(site: dict[str, Any], limit: int) -> list[Shot]:
    """Which pages to capture for a site's failing checks, homepage first, at most `limit`."""
    home = Shot(site["url"])
    pages: dict[str, Shot] = {}
    live = [f for f in site.get("findings", []) if not f.get("waived")]
    for f in live:
        if f["check"] in HOME_CHECKS or (f["check"] in PAGE_CHECKS and f["url"] == site["url"]):
            home.findings.append(f)
            if f["check"] == "links.broken" and f.get("target"):
                home.outline.append(f["target"])
    for check in PAGE_CHECKS:
        for f in live:
            if f["check"] != check or f["url"] == site["url"]:
                continue
            shot = pages.setdefault(f["url"], Shot(f["url"]))
            shot.findings.append(f)
            if check == "links.broken" and f.get("target"):
                shot.outline.append(f["target"])
    shots = ([home] if home.findings else []) + list(pages.values())
    return shots[:limit]


def _slug(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", key).strip("-") or "site"


@dataclass
class Outcome:
    taken: int = 0
    failed: int = 0
    skipped: str = ""       # why nothing was taken


def take_screenshots(run_dir: Path, results: dict[str, Any], *, browser_path: str | None, dns_servers: list[str],
                     hosts: list[str], limit: int, timeout: float) -> Outcome:
    """Capture the planned pages of every site in `results` and point their findings at the files."""
    plans = {site["key"]: plan(site, limit) for site in results.get("sites", [])}
    if not any(plans.values()):
        return Outcome()
    browser = find_browser(browser_path)
    if not browser.available:
        announce_unavailable(browser.reason)
        return Outcome(skipped=browser.reason)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    outcome = Outcome()
    tz = _zone(results)
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=browser.path, headless=True,
                                          args=launch_args(resolver_rules(hosts, dns_servers)),
                                          timeout=timeout * 1000)
            try:
                for site in results["sites"]:
                    folder = run_dir / "screenshots" / _slug(site["key"])
                    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", ignore_https_errors=True)
                    context.set_default_timeout(timeout * 1000)
                    try:
                        for n, shot in enumerate(plans.get(site["key"], []), start=1):
                            if _capture(context, shot, folder, n, run_dir, tz):
                                outcome.taken += 1
                            else:
                                outcome.failed += 1
                    finally:
                        context.close()
            finally:
                chromium.close()
    except PlaywrightError as exc:      # the browser would not start: the report goes out without shots
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        announce_unavailable(f"浏览器无法启动：{reason}")
        outcome.skipped = reason
    return outcome


def _zone(results: dict[str, Any]) -> tzinfo:
    """The inspection's time zone (results.run.timezone): the stamp reads as the report does."""
    try:
        return ZoneInfo((results.get("run") or {}).get("timezone") or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _capture(context: Any, shot: Shot, folder: Path, n: int, run_dir: Path, tz: tzinfo) -> bool:
    """One page: load, settle, stamp, outline, screenshot, thumbnail; the findings get the paths."""
    from playwright.sync_api import Error as PlaywrightError

    folder.mkdir(parents=True, exist_ok=True)
    path, thumb = folder / f"{n}.png", folder / f"{n}.thumb.png"
    page = context.new_page()
    inflight = track_requests(page)     # what the page still loads (its XHR lists, late images)
    try:
        page.goto(shot.url, wait_until="load")
        _settle(page, inflight)
        at = datetime.now(tz)
        offset = at.strftime("%z")
        page.evaluate(_STAMP_JS, f"截图时间 {at:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]} · {shot.url}")
        if shot.outline:
            page.evaluate(_OUTLINE_JS, shot.outline)
        height = min(int(page.evaluate("document.documentElement.scrollHeight") or VIEWPORT["height"]), MAX_HEIGHT)
        png = page.screenshot(path=str(path), full_page=True,
                              clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": max(height, 1)})
        _thumbnail(page, png, thumb)
    except PlaywrightError as exc:
        log.warning("screenshot of %s failed: %s", shot.url, str(exc).splitlines()[0] if str(exc) else exc)
        return False
    finally:
        page.close()
    record = {"path": path.relative_to(run_dir).as_posix(), "thumb": thumb.relative_to(run_dir).as_posix(),
              "at": at.isoformat(timespec="seconds")}
    for f in shot.findings:
        f.setdefault("evidence", {})["screenshot"] = record
    return True


def _settle(page: Any, inflight: set[Any]) -> None:
    """Until nothing has loaded for QUIET_MS (lists filled by XHR, late images), at most SETTLE_MS:
    a page that keeps polling is shot as it is then."""
    deadline, quiet_since = time.monotonic() + SETTLE_MS / 1000, time.monotonic()
    while time.monotonic() < deadline:
        if inflight:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_MS / 1000:
            return
        page.wait_for_timeout(50)


def _thumbnail(page: Any, png: bytes, path: Path) -> None:
    """A 320 px preview of the top of the screenshot, drawn by the same browser (no image library)."""
    scale = THUMB_WIDTH / VIEWPORT["width"]
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    page.set_content(f'<body style="margin:0"><div id="t" style="width:{THUMB_WIDTH}px;'
                     f'height:{round(VIEWPORT["height"] * scale)}px;overflow:hidden">'
                     f'<img src="{src}" style="width:{THUMB_WIDTH}px;display:block"></div></body>')
    page.wait_for_function("document.querySelector('img').complete")
    page.locator("#t").screenshot(path=str(path))
