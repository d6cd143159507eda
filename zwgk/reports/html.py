"""HTML reports from results.json (Jinja2 with autoescape: page titles are untrusted input)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

CRAWL_LABELS = {"complete": "完成", "capped": "达到上限", "unreachable": "无法访问", "interrupted": "中断",
                "running": "进行中", "pending": "未开始"}


def environment() -> Environment:
    return Environment(loader=PackageLoader("zwgk.reports", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def write_index(path: Path, results: dict[str, Any]) -> Path:
    html = environment().get_template("index.html.j2").render(results=results, crawl_labels=CRAWL_LABELS)
    path.write_text(html, encoding="utf-8")
    return path
