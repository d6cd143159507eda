"""Small text helpers shared by every writer. Crawled text is untrusted: these keep it printable and
keep links to http/https (a `javascript:` or `data:` URL from a page must never become a link)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from functools import lru_cache
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


# --- quotes, technical detail, times --------------------------------------------------------------

_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})


def mainland_quotes(text: Any) -> str:
    """「」 → “” (mainland usage), and a quotation inside a quotation in single quotes:
    规范表述为““一带一路”倡议” → 规范表述为“‘一带一路’倡议”. Unbalanced quotes are left as they come."""
    s = clean(text).translate(_QUOTES)
    if "“" not in s:
        return s
    out, depth = [], 0
    for ch in s:
        if ch == "“":
            depth += 1
            out.append("‘" if depth % 2 == 0 else "“")
        elif ch == "”" and depth > 0:
            out.append("’" if depth % 2 == 0 else "”")
            depth -= 1
        else:
            out.append(ch)
    return "".join(out)


_CJK = re.compile(r"[\u3400-\u9fff]")
_TECH_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")
_TECH_SLASH = re.compile(r"\s+/\s+(?=[A-Za-z\[])")
_TECH_TAIL = re.compile(r"[：:]\s*((?!https?://)[A-Za-z\[][^\u3400-\u9fff]*)$")


def _is_technical(part: str) -> bool:
    """English error text (a library's message), not a number, a date, a code or an HTTP status."""
    text = part.strip()
    if _CJK.search(text) or re.match(r"HTTP(?:S)? \d{3}\b", text):
        return False
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 2 and bool(re.search(r"[A-Za-z.:]\s+[A-Za-z(\[]", text))


def split_technical(text: Any) -> tuple[str, str]:
    """(what people read, the technical detail): English library messages, "Call log:" blocks and
    "中文 / english" tails go to the detail; the Chinese sentence stays. A text with no Chinese at
    all is all detail (the caller supplies the sentence)."""
    s = clean(text).strip()
    if not s:
        return "", ""
    first, _, rest = s.partition("\n")
    tech = [rest.strip()] if rest.strip() else []
    if not _CJK.search(first):
        return ("", s) if tech or _is_technical(first) else (s, "")
    m = _TECH_SLASH.search(first)
    if m and not _CJK.search(first[m.end():]):
        tech.insert(0, first[m.end():].strip())
        first = first[:m.start()]

    def paren(m: re.Match[str]) -> str:
        if _is_technical(m[1]):
            tech.insert(0, m[1].strip())
            return ""
        return m[0]

    first = _TECH_PAREN.sub(paren, first)
    m = _TECH_TAIL.search(first)
    if m and _CJK.search(first[:m.start()]) and _is_technical(m[1]):
        tech.insert(0, m[1].strip())
        first = first[:m.start()]
    return first.strip(), "\n".join(t for t in tech if t)


def human(text: Any) -> str:
    """The people's part of a text: ids labelled, quotes mainland, technical detail left out."""
    return _human(text) if isinstance(text, str) else _human_uncached(text)


def _human_uncached(text: Any) -> str:
    from zwgk.reports.labels import humanize

    said, _ = split_technical(text)
    return mainland_quotes(humanize(said))


# A check's basis and remediation repeat on each of its findings: each distinct text is worked out once.
_human = lru_cache(maxsize=8192)(_human_uncached)


_ISO_DATE = re.compile(r"(?<![\d/_-])(\d{4})-(\d{2})-(\d{2})(?![\d])")


def cn_dates(text: str) -> str:
    """Every ISO date in a text in the 通报's one date style: 2026-11-07 → 2026年11月7日."""
    return _ISO_DATE.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone(results: dict[str, Any] | None) -> Any:
    """The inspection's time zone (results.run.timezone; runs from before it was stored: Asia/Shanghai)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = ((results or {}).get("run") or {}).get("timezone") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def parse_time(value: Any, tz: Any) -> datetime | None:
    """An ISO time from results.json in the inspection's zone (a naive one is taken as UTC)."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}T\d", value):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(tz)


def time_text(value: Any, tz: Any) -> str:
    """'2026-11-22T11:08:58+00:00' → '2026-11-22 19:08:58 +08:00'; not a time → as given."""
    at = parse_time(value, tz)
    if at is None:
        return clean(value)
    offset = at.strftime("%z")
    return f"{at:%Y-%m-%d %H:%M:%S} {offset[:3]}:{offset[3:]}"


def local_date(value: Any, tz: Any) -> date | None:
    at = parse_time(value, tz)
    if at is not None:
        return at.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
