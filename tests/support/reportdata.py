"""Stored results.json fixtures for the report tests (no crawling: reports render from results only).

demo-run.json     a trimmed `zwgk demo` run (two simulated county portals, URLs without the port)
hostile-run.json  the same, made hostile: a page titled <script>alert(1)</script>, <img onerror> in a
                  message, javascript: URLs, a formula-looking message, a control character; plus a
                  veto site, a waived finding, a suspected wrong term (needs_confirmation), every task
                  status, and two sites that could not be assessed (DESIGN §12 `assessment`): one
                  unreachable, one interrupted with two broken links seen (listed, not scored).
                  demo-run.json has no `assessment` (an older run): readers must tolerate that.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from zwgk.reports.options import ReportOptions
from zwgk.reports.writer import ReportPaths, write_all

RESULTS_DIR = Path(__file__).parent.parent / "fixtures" / "results"
XSS_TITLE = "<script>alert(1)</script>"
XSS_IMG = '<img src=x onerror="alert(2)">'


def load(name: str) -> dict[str, Any]:
    return json.loads((RESULTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def render(outdir: Path, results: dict[str, Any], options: ReportOptions | None = None) -> ReportPaths:
    return write_all(outdir, copy.deepcopy(results), options)


class _Visible(HTMLParser):
    """The text a reader sees (details content included: it is one click away), without <script>,
    <style>, and without the addresses shown as links (a URL may contain anything)."""

    SKIP = frozenset({"script", "style", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "img", "meta", "link", "input", "hr"):
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in self.SKIP or "url" in classes or "nolink" in classes
        self.stack.append((tag, hidden or any(h for _, h in self.stack)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1][1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"https?://\S+", " ", " ".join(parser.parts))


ID_LIKE = re.compile(r"\bgk\.[a-z_]+|(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.])")
