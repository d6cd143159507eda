"""Small text helpers shared by every writer. Crawled text is untrusted: these keep it printable and
keep links to http/https (a `javascript:` or `data:` URL from a page must never become a link)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

# XML 1.0 (docx, xlsx, JUnit) rejects these; a browser shows them as boxes. Tab/newline stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_URL_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def clean(value: Any) -> str:
    """Any value as printable text: None → '', dict/list → compact JSON, control characters removed."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return _CONTROL.sub("", str(value))


def safe_url(value: Any) -> str | None:
    """The URL if it may be a link (http/https with a host), else None: render it as text then."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    # Browsers drop tabs/newlines inside a scheme ("java\tscript:"), so any control or space
    # character disqualifies the URL instead of being "cleaned" into something else.
    if not url or _URL_CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def looks_like_url(value: Any) -> bool:
    return isinstance(value, str) and "://" in value[:12]


def shorten(text: Any, limit: int = 80) -> str:
    s = clean(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def check_key(check_id: str, params: dict[str, Any] | None) -> str:
    """The key a ledger task uses for a check ('column.stale[column=gk.planning]'); same format as
    CheckResult.key, so a finding can be joined to the tasks that asked for its check."""
    if not params:
        return check_id
    return f"{check_id}[{','.join(f'{k}={v}' for k, v in sorted(params.items()))}]"


def percent(ratio: Any, digits: int = 1) -> str:
    """0.357 → '35.7%'; no number (not assessed, or missing from an older results.json) → '—'."""
    return f"{ratio * 100:.{digits}f}%" if isinstance(ratio, int | float) else "—"


def score_text(score: Any) -> str:
    return f"{score:g}" if isinstance(score, int | float) else "—"


def cn_date(value: str | date | None) -> str:
    """2026-12-22 → 2026年12月22日 (the form a 通报 uses); anything else as given."""
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value)[:10])
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else str(value)
