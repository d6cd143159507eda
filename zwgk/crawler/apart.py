"""Run the crawl in a process of its own, forked from the command's, when the command goes on to evaluate.

A process keeps the heap its crawl grew (the seen set, the frontier's bookkeeping, pymalloc arenas and
libxml2/zlib buffers freed too late or too scattered to go back to the system), and the evaluation
would add its own on top. With the crawl in a forked child, the command's process evaluates from the
memory it had before the crawl: the run's peak is the larger of the two, not their sum
(bench/README.md, memory growth). The fork comes before the crawler's imports (Scrapy, Twisted),
which the command's process then never holds. The child is worker w1 exactly as the command's process
was (runner.py, workers.py); its outcomes come back pickled through a pipe.

Signals: the child runs in its own process group, so a terminal's Ctrl-C reaches it once, through the
command (which forwards SIGINT and SIGTERM to it while it waits); it dies with the command
(PR_SET_PDEATHSIG), and the workers it starts die with it, so a killed command leaves no crawl running
behind a `--resume`. A child that dies without an answer (killed) ends the crawl as interrupted.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from zwgk.config.inspection import Inspection
    from zwgk.crawler.outcome import SiteOutcome
    from zwgk.rundir import RunDir

T = TypeVar("T")
FORWARDED = (signal.SIGINT, signal.SIGTERM)


class CrawlDied(Exception):
    """The crawl's process ended without an answer (killed, or its answer could not be read)."""


def crawl_apart(insp: Inspection, run: RunDir, *, resume: bool = False, progress: bool = True,
                workers: int | None = None) -> list[SiteOutcome]:
    """runner.run_crawl in a forked child — forked before the crawler's imports (Scrapy, Twisted: ≈ 27 MB
    this process then never holds) — or here when a fork is not safe."""
    from zwgk import browser

    def crawl() -> tuple[list[SiteOutcome], list[str]]:
        from zwgk.crawler.runner import run_crawl

        return run_crawl(insp, run, resume=resume, progress=progress, workers=workers), browser.announcements()

    if not fork_safe():
        return crawl()[0]
    try:
        outcomes, announced = run_apart(crawl)
    except CrawlDied as exc:        # killed: what it committed is kept, --resume continues it
        from zwgk.crawler.runner import finish_sites
        from zwgk.store import Store

        print(f"抓取进程意外结束，已抓取的内容保存在运行目录中 / {exc}", file=sys.stderr)
        store = Store(run.store)
        try:
            return finish_sites(store, {}, interrupted=True)
        finally:
            store.close()
    # what the crawl said (the browser is unavailable) the screenshots must not say again
    browser.adopt_announcements(announced)
    return outcomes


def fork_safe() -> bool:
    """May this process fork a crawl? No reactor yet (it runs once per process and a forked one is
    unusable), no other thread (a lock it holds would stay locked in the child), no SQLite file open
    (the child's SQLite would take the parent's locks for its own)."""
    return (hasattr(os, "fork") and _single_thread() and "twisted.internet.reactor" not in sys.modules
            and not database_open())


def _single_thread() -> bool:
    import threading

    return threading.active_count() == 1


def database_open() -> bool:
    """Does this process hold an SQLite file open (or can it not tell)? Then a fork is not safe."""
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return True
    for fd in fds:
        with contextlib.suppress(OSError):
            name = os.readlink(f"/proc/self/fd/{fd}")
            if name.endswith((".sqlite", ".sqlite-wal", ".sqlite-shm", ".db", "-wal", "-shm", "-journal")):
                return True
    return False


def run_apart(work: Callable[[], T]) -> T:
    """`work()` in a forked child; its return value (or exception) here. Call only when fork_safe().
    Raises CrawlDied when the child ends without an answer."""
    read_end, write_end = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()          # else the child would write the parent's pending output again
    # what both processes hold from before the fork leaves the collector's reach: a full pass in the
    # child would write to every object's header and so copy the pages they share
    gc.freeze()
    # SIGINT/SIGTERM wait (blocked) until this side forwards them and the child has its own group:
    # one arriving in between would otherwise reach neither the crawl nor a handler that knows it
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED)
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    if pid == 0:
        os.close(read_end)
        _child(work, write_end, mask)       # never returns
    os.close(write_end)
    forward = _forward_signals(pid)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    try:
        data = _read_all(read_end)
        os.waitpid(pid, 0)
    finally:
        os.close(read_end)
        forward()
        gc.unfreeze()
    try:
        kind, value = pickle.loads(data)
    except Exception as exc:        # nothing (killed) or a cut answer
        raise CrawlDied(f"crawl process {pid} ended without an answer") from exc
    if kind == "error":
        raise value
    return value


def _child(work: Callable[[], Any], write_end: int, mask: set[signal.Signals]) -> None:
    code = 0
    try:
        os.setpgid(0, 0)            # its own process group: Ctrl-C reaches it through the parent, once
        _die_with_parent()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        try:
            answer: tuple[str, Any] = ("ok", work())
        except BaseException as exc:    # every outcome goes back to the parent
            answer = ("error", exc)
        try:
            data = pickle.dumps(answer)
        except Exception:           # an exception that does not pickle: its text does
            data = pickle.dumps(("error", RuntimeError("".join(traceback.format_exception(answer[1])))))
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)              # never back into the parent's stack (its CLI, its evaluation)


def _die_with_parent() -> None:
    """SIGKILL when the parent goes (Linux prctl PR_SET_PDEATHSIG)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:      # it went before prctl took effect
        os._exit(1)


def _forward_signals(pid: int) -> Callable[[], None]:
    """While the child crawls, SIGINT and SIGTERM to this process go to it (it stops cleanly and answers);
    returns the function that puts the previous handlers back."""
    def forward(signum: int, frame: Any) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return restore


def _read_all(fd: int) -> bytes:
    """Everything the child writes, until it closes its end. Waits in short steps: a signal taken by
    another thread (in a process that has some) interrupts no read here, and Python runs its handler
    only when this, the main thread, runs again."""
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
