"""Turn a failed fetch into data: an error kind people can read, never a traceback."""

from __future__ import annotations

from scrapy import exceptions as sx
from twisted.internet import error as terr
from twisted.python.failure import Failure

ERROR_LABELS = {
    "dns": "域名无法解析",
    "timeout": "连接或响应超时",
    "refused": "连接被拒绝",
    "tls": "HTTPS 证书或握手失败",
    "redirect_loop": "重定向过多（循环）",
    "robots": "robots.txt 禁止抓取",
    "connection": "连接中断",
    "too_large": "响应过大",
    "parse_error": "页面无法解析",
    "other": "其他错误",
    "render_unavailable": "浏览器不可用，未能渲染",
    "render_timeout": "浏览器渲染超时",
    "render_failed": "浏览器渲染失败",
}

# Scrapy ≥ 2.13 wraps Twisted's errors in its own; older releases raise Twisted's directly.
_BY_TYPE: list[tuple[tuple[type[BaseException], ...], str]] = [
    ((sx.CannotResolveHostError, terr.DNSLookupError), "dns"),
    ((sx.DownloadTimeoutError, terr.TimeoutError, terr.TCPTimedOutError), "timeout"),
    ((sx.DownloadConnectionRefusedError, terr.ConnectionRefusedError), "refused"),
    ((sx.ResponseDataLossError, terr.ConnectionLost, terr.ConnectionDone), "connection"),
]


def _chain(failure: Failure) -> list[BaseException]:
    """The exception, its causes, and the reasons Twisted packs into ResponseFailed/NeverReceived."""
    found: list[BaseException] = []
    todo: list[BaseException] = [failure.value]
    while todo and len(found) < 20:
        exc = todo.pop(0)
        found.append(exc)
        if exc.__cause__ is not None:
            todo.append(exc.__cause__)
        for reason in getattr(exc, "reasons", None) or []:
            todo.append(reason.value if isinstance(reason, Failure) else reason)
    return found


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, message) for a download failure."""
    chain = _chain(failure)
    first = str(chain[0]) or type(chain[0]).__name__
    for exc in chain:
        text = str(exc)
        if isinstance(exc, sx.IgnoreRequest):
            low = text.lower()
            if "redirect" in low:
                return "redirect_loop", first
            if "robots" in low:
                return "robots", first
            return "other", first
        module = type(exc).__module__
        if module.startswith("OpenSSL") or "SSL" in type(exc).__name__ or "certificate verify" in text.lower():
            return "tls", f"{first} ({text})" if text and text != first else first
        for types, kind in _BY_TYPE:
            if isinstance(exc, types):
                return kind, first
        if "maxsize" in text.lower():
            return "too_large", first
    if any(isinstance(exc, (sx.DownloadFailedError, terr.ConnectError)) for exc in chain):
        return "connection", first
    return "other", first
