"""Turn a failed fetch into data: an error kind people can read, never a traceback."""

from __future__ import annotations

import logging

from scrapy import exceptions as sx
from twisted.internet import error as terr
from twisted.python.failure import Failure

from zwgk.error_kinds import ERROR_LABELS

__all__ = ["ERROR_LABELS", "classify_failure", "quiet_expected_failures"]


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


class _OneLine(logging.Filter):
    """Expected fetch failures (a robots.txt that cannot be fetched: DNS, refused, timeout) logged by
    Scrapy with a traceback become one line: the URL and the error kind people can read."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            kind, message = classify_failure(Failure(exc))
            request = (record.args or {}).get("request") if isinstance(record.args, dict) else None
            record.msg = "robots.txt 获取失败（%s）：%s；请求 %s 照常进行"
            record.args = (ERROR_LABELS.get(kind, kind), message[:200], request or "")
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


_ONE_LINE = _OneLine()


def quiet_expected_failures() -> None:
    """Install the one-line filter on the loggers that report expected fetch failures with tracebacks."""
    for name in ("scrapy.downloadermiddlewares.robotstxt",):
        logger = logging.getLogger(name)
        if _ONE_LINE not in logger.filters:
            logger.addFilter(_ONE_LINE)
