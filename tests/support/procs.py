"""zwgk commands the tests run in the background (to interrupt or kill something mid-run)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def running(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """The process, killed on the way out if the test left it running (a failed wait, an assert)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def ended(proc: subprocess.Popen[str], timeout: float, returncode: int = 0) -> tuple[str, str]:
    """(stdout, stderr) once it ends, with the exit code expected and no traceback for people to see."""
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == returncode, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    return out, err
