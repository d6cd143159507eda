#!/usr/bin/env python3
"""zwgk (full audit and crawl, one and two worker processes) against a bare Scrapy CrawlSpider that
also HEADs every asset, on the same generated portal served by nginx on loopback.

    .venv/bin/python bench/run.py                      # the whole table: N = 2,000 and 20,000, one run each
    .venv/bin/python bench/run.py --pages 2000 --repeat 3 --profile
    .venv/bin/python bench/run.py --ref main           # also time the crawl of another git ref's code

For each N: write the `bench` portal with exactly N pages (cached in bench/out/site-N), serve it with
nginx (a temp config, 127.0.0.1, a free port, started as a child and stopped by its PID), then time
every tool in the same run, the order rotated run by run, each under /usr/bin/time -v with a sampler
summing the resident memory of its whole process tree. Each run's pages are checked against the
truth. One Markdown table (with the commit and code digest measured) is printed and saved to
bench/out/results-<stamp>.{md,json}; --profile appends py-spy shares. See bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PY = sys.executable
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GNU_TIME = "/usr/bin/time"
SPEC = "bench"                       # zwgk/portal_sim/specs/bench.yaml: one host, every page linked

# zwgk's runner turns the inspection into these Scrapy settings (runner.build_settings): the bare
# spider gets the same ones, so that the two crawls differ only in what zwgk does per page.
AUTOTHROTTLE_AS_ZWGK = {"AUTOTHROTTLE_ENABLED": "True", "AUTOTHROTTLE_START_DELAY": "0.01",
                        "AUTOTHROTTLE_MAX_DELAY": "10.0"}
# tool -> the zwgk subcommand and options (the run directory options are added per run)
ZWGK_TOOLS: dict[str, list[str]] = {
    "zwgk audit, 1 worker": ["audit", "--workers", "1", "--no-screenshots", "--fail-on", "never"],
    "zwgk audit, 2 workers": ["audit", "--workers", "2", "--no-screenshots", "--fail-on", "never"],
    "zwgk crawl, 1 worker": ["crawl", "--workers", "1"],
    "zwgk crawl, 2 workers": ["crawl", "--workers", "2"],
}
BARE = "bare Scrapy + HEAD of every asset"
TOOLS = (*ZWGK_TOOLS, BARE)

# Others edit zwgk/ while a bench runs: every child (site writer, zwgk) imports a copy of the package
# taken at the start (PYTHONPATH), so that all rows of one run measure the same code.
SRC: Path = ROOT
CHILD_ENV: dict[str, str] | None = None
CODE: dict[str, str] = {}
REF_ENV: dict[str, str] | None = None        # --ref: the other ref's package, same mechanism
REF_HAS_WORKERS = False                      # --ref: its CLI knows --workers (else it runs one process)


def _copy_env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])),
            "CI": "true"}


def _git(*a: str) -> str:
    return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def snapshot(workdir: Path) -> dict[str, str]:
    global SRC, CHILD_ENV
    SRC = workdir / "src"
    shutil.copytree(ROOT / "zwgk", SRC / "zwgk", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    CHILD_ENV = _copy_env(SRC)
    h = hashlib.sha256()
    for path in sorted(p for p in (SRC / "zwgk").rglob("*") if p.is_file()):
        h.update(path.relative_to(SRC).as_posix().encode() + b"\0" + path.read_bytes())
    dirty = _git("status", "--porcelain", "--", "zwgk").splitlines()
    return {"commit": _git("rev-parse", "--short", "HEAD"), "zwgk_digest": h.hexdigest()[:12],
            "zwgk_uncommitted_files": str(len(dirty))}


def snapshot_ref(workdir: Path, ref: str) -> str:
    """The zwgk package of another git ref (e.g. main before a change), to time it in the same run."""
    global REF_ENV, REF_HAS_WORKERS
    dest = workdir / "ref-src"
    dest.mkdir()
    archive = subprocess.run(["git", "archive", ref, "zwgk"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    REF_ENV = _copy_env(dest)
    REF_HAS_WORKERS = '"--workers"' in (dest / "zwgk" / "cli.py").read_text(encoding="utf-8")
    return _git("rev-parse", "--short", ref)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the site -----------------------------------------------------------------------------------
def _source_digest() -> str:
    """Cache key part: the simulator's code and specs (a changed generator must not reuse old files)."""
    h = hashlib.sha256()
    sim = SRC / "zwgk" / "portal_sim"
    for path in sorted([*sim.rglob("*.py"), *sim.rglob("*.yaml")]):
        h.update(path.relative_to(sim).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def url_key(url: str) -> str:
    """Host-independent form of a URL (the truth is written for www.bench.gov.cn, we crawl 127.0.0.1:PORT)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@dataclass
class Site:
    n: int
    root: Path                        # the directory nginx serves
    pages: set[str]                   # url_key of every truth page
    assets: set[str]                  # url_key of every attachment
    files: int
    generate_seconds: float | None    # None: taken from the cache


def generate(n: int) -> Site:
    outdir = OUT / f"site-{n}"
    stamp = outdir / ".complete"
    key = f"{n} {_source_digest()}"
    seconds = None
    if not (stamp.is_file() and stamp.read_text() == key):
        log(f"N={n}: writing the portal (python -m zwgk.portal_sim write {SPEC} --pages {n}) …")
        tmp = OUT / f"site-{n}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(outdir, ignore_errors=True)
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        subprocess.run([PY, "-m", "zwgk.portal_sim", "write", SPEC, str(tmp), "--pages", str(n)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=CHILD_ENV)
        seconds = time.monotonic() - started
        tmp.rename(outdir)
        stamp.write_text(key)
    truth = json.loads((outdir / "truth.json").read_text(encoding="utf-8"))
    hosts = list(truth["hosts"])
    if len(hosts) != 1:
        raise SystemExit(f"the {SPEC} spec must have one host, the truth lists {hosts}")
    pages = {url_key(u) for u in truth["pages"]}
    if truth["counts"]["pages"] != n or len(pages) != n:
        raise SystemExit(f"N={n}: truth has {truth['counts']['pages']} pages ({len(pages)} distinct paths)")
    root = outdir / hosts[0]
    files = sum(1 for p in root.rglob("*") if p.is_file())
    return Site(n, root, pages, {url_key(u) for u in truth["attachments"]}, files, seconds)


def warm_page_cache(root: Path) -> None:
    """Read every file once so that no crawl pays for the first disk reads."""
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


# --- nginx --------------------------------------------------------------------------------------
# open_file_cache stays well below the workers' file limit: at N = 20,000 (39k files) a cache of
# 100,000 descriptors ran nginx out of them ("Too many open files": 500s, pages "missing" from a crawl)
NGINX_CONF = """daemon off;
master_process on;
worker_processes 2;
worker_rlimit_nofile 16384;
{user}pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    {types}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    open_file_cache max=4000 inactive=120s;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        charset off;    # as zwgk/portal_sim/writer.py: pages declare their charset in <meta>
    }}
}}
"""
FALLBACK_TYPES = ("types { text/html html; text/css css; application/json json; image/png png; "
                  "application/pdf pdf; application/zip zip; application/msword doc; }")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str = "/") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@contextmanager
def nginx(root: Path, workdir: Path) -> Iterator[str]:
    """Serve `root` on http://127.0.0.1:PORT/ until the block ends (also on errors and Ctrl-C)."""
    tmp = Path(tempfile.mkdtemp(prefix="nginx-", dir=workdir))
    user = ""
    if os.geteuid() == 0:   # workers would drop to `nobody`; run them as the current user instead
        import grp
        import pwd
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};\n"
    mime = Path("/etc/nginx/mime.types")
    types = f"include {mime};" if mime.is_file() else FALLBACK_TYPES
    proc = None
    for _attempt in range(5):
        port = free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, types=types, port=port, root=root.resolve()))
        proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
                                stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if _get(port) == 200:
                    break
            except OSError:
                time.sleep(0.05)
        else:
            _stop(proc)
            proc = None
            continue            # lost the port to someone else, or nginx failed: try again
        break
    if proc is None:
        err = (tmp / "error.log").read_text(errors="replace") if (tmp / "error.log").exists() else ""
        raise SystemExit(f"nginx did not start:\n{err}")
    log(f"nginx pid {proc.pid} serving {root} on http://127.0.0.1:{port}/")
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        _stop(proc)
        log(f"nginx pid {proc.pid} stopped")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)            # nginx: fast shutdown, the master stops its workers
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)     # its own session: the group is nginx and its workers
        proc.wait()


# --- timed runs ---------------------------------------------------------------------------------
@dataclass
class Run:
    n: int
    tool: str
    rc: int
    wall: float                   # seconds, /usr/bin/time -v "Elapsed (wall clock)"
    cpu: float                    # user + system seconds, the whole process tree
    rss_mb: float                 # "Maximum resident set size": the largest single process, MiB
    tree_rss_mb: float            # the largest sum over the process tree (coordinator + workers), MiB
    pages: int                    # pages fetched (zwgk: store rows kind='page'; bare: parsed responses)
    pages_200: int
    assets: int                   # attachments status-checked (zwgk: kind='attachment'; bare: its HEADs)
    requests: int                 # Scrapy's downloader/request_count, all workers together
    crawl_seconds: float | None   # zwgk: from start to the crawl's end (the rest is checks + reports)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    background_cpu: float = 0.0   # CPU seconds the rest of the machine used meanwhile (nginx included)
    renders: int = 0              # zwgk: pages rendered in a browser (render_js: auto; the site needs none)
    tree_pss_mb: float = 0.0      # the largest sum of PSS over the tree (shared pages counted once), MiB
    stages: dict[str, float] = field(default_factory=dict)   # zwgk: wall s per stage, from its run log

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def ok(self) -> bool:
        return (self.rc in (0, 1) and self.pages == self.n == self.pages_200 and not self.missing
                and not self.extra and not self.renders)


_TIME_FIELDS = {
    "wall": re.compile(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)$"),
    "user": re.compile(r"User time \(seconds\): ([\d.]+)"),
    "sys": re.compile(r"System time \(seconds\): ([\d.]+)"),
    "rss": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
}


def parse_time_v(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        for key, rx in _TIME_FIELDS.items():
            m = rx.search(line)
            if not m:
                continue
            if key == "wall":
                h, mnt, sec = m.groups()
                out[key] = int(h or 0) * 3600 + int(mnt) * 60 + float(sec)
            else:
                out[key] = float(m.group(1))
    missing = set(_TIME_FIELDS) - set(out)
    if missing:
        raise RuntimeError(f"/usr/bin/time -v output without {sorted(missing)}:\n{text}")
    return out


def busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = f[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(max_wait: float, threshold: float = 0.3) -> None:
    """Others share this machine (2 cores): wait, up to max_wait seconds, until they use < threshold cores."""
    deadline = time.monotonic() + max_wait
    while True:
        before = busy_seconds()
        time.sleep(2)
        cores = (busy_seconds() - before) / 2
        if cores < threshold:
            return
        if time.monotonic() >= deadline:
            log(f"  the machine is busy ({cores:.1f} cores used by other processes); running anyway")
            return
        time.sleep(3)


class TreeRss(threading.Thread):
    """Samples the summed resident memory of a process and all its descendants (GNU time reports only
    the largest single process; a coordinator with two workers is three)."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.peak_pss = 0             # proportional set size: a page shared by n processes counts 1/n
        self.done = threading.Event()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = collections.defaultdict(list)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                children[int(stat[stat.rindex(")") + 2:].split()[1])].append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def run(self) -> None:
        while not self.done.wait(self.interval):
            total = pss = 0
            for pid in self._tree():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.PAGE
                with contextlib.suppress(OSError, IndexError, ValueError, StopIteration):
                    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
                    pss += int(next(ln for ln in rollup.splitlines() if ln.startswith("Pss:")).split()[1]) * 1024
            self.peak = max(self.peak, total)
            self.peak_pss = max(self.peak_pss, pss)


def run_child(cmd: list[str], cwd: Path, stdout: Any, stderr: Any, env: dict[str, str] | None = None,
              sampler: list[TreeRss] | None = None) -> int:
    """Run a crawl in its own process group; on Ctrl-C/SIGTERM/errors stop that group (the wrapper —
    /usr/bin/time or py-spy — and the crawl under it) by its id before passing the exception on."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    rss = TreeRss(proc.pid)
    rss.start()
    try:
        return proc.wait()
    finally:
        rss.done.set()
        rss.join()
        if sampler is not None:
            sampler.append(rss)
        if proc.poll() is None:
            _stop_group(proc)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group (Scrapy shuts down cleanly on it; GNU time just dies), wait until every
    member is gone — not only the wrapper — then SIGKILL whatever is left after 15 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        proc.poll()
        if not _group_alive(proc.pid):
            break
        time.sleep(0.1)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def timed(cmd: list[str], cwd: Path, name: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, float]]:
    tfile = cwd / f"{name}.time"
    busy = busy_seconds()
    sampler: list[TreeRss] = []
    with open(cwd / f"{name}.stdout", "wb") as out, open(cwd / f"{name}.stderr", "wb") as err:
        rc = run_child([GNU_TIME, "-v", "-o", str(tfile), *cmd], cwd, out, err, env, sampler)
    busy = busy_seconds() - busy
    t = parse_time_v(tfile.read_text(errors="replace"))
    t["background"] = max(0.0, busy - t["user"] - t["sys"])
    t["tree_rss"] = sampler[0].peak / 2**20 if sampler else 0.0
    t["tree_pss"] = sampler[0].peak_pss / 2**20 if sampler else 0.0
    return rc, t


def zwgk_exe() -> list[str]:
    exe = Path(PY).parent / "zwgk"
    return [str(exe)] if exe.is_file() else [PY, "-m", "zwgk"]


def write_inspection(path: Path, url: str, n: int, concurrency: int) -> None:
    # max_pages/max_depth/max_seconds far above the site, so that no cap can hide a miscount;
    # delay 0 (the bare spider has none); robots off (the bare spider does not ask for robots.txt)
    path.write_text(
        "name: bench\n"
        "sites:\n"
        f"  - {{name: bench, url: '{url}'}}\n"
        f"crawl: {{max_pages: {2 * n + 100}, max_depth: 1000, max_seconds: 86400, concurrency_per_site: "
        f"{concurrency}, delay: 0, respect_robots: false, timeout: 60, screenshots: false}}\n", encoding="utf-8")


def _scrapy_stats(logtext: str, key: str) -> list[float]:
    """Every worker dumps its stats into the same crawl.log: all values of one stat."""
    return [float(v) for v in re.findall(rf"'{re.escape(key)}': ([\d.]+)", logtext)]


def _epoch(iso: str | None) -> float | None:
    return datetime.fromisoformat(iso).timestamp() if iso else None


def zwgk_command(tool: str, insp: Path, outdir: Path) -> tuple[list[str], dict[str, str] | None]:
    """The command and environment of a zwgk row; "… @REF" rows run the other ref's code."""
    base, _, ref = tool.partition(" @")
    args = list(ZWGK_TOOLS[base])
    if ref and not REF_HAS_WORKERS:
        # an older CLI lacks --workers (then it is one process) and --no-screenshots is in the config
        args = [a for i, a in enumerate(args) if a != "--workers" and (i == 0 or args[i - 1] != "--workers")]
        args = [a for a in args if a != "--no-screenshots"]
    return [*zwgk_exe(), args[0], "-c", str(insp), "-o", str(outdir), *args[1:]], REF_ENV if ref else CHILD_ENV


def run_zwgk(site: Site, url: str, concurrency: int, workdir: Path, tool: str) -> Run:
    wd = workdir / f"{re.sub(r'[^a-z0-9@]+', '-', tool)}-{site.n}-{time.monotonic_ns()}"
    wd.mkdir()
    insp = wd / "inspection.yaml"
    write_inspection(insp, url, site.n, concurrency)
    cmd, env = zwgk_command(tool, insp, wd / "runs")
    started = time.time()
    rc, t = timed(cmd, wd, "zwgk", env=env)
    runs = sorted((wd / "runs").glob("*/crawl.sqlite"))
    if len(runs) != 1:
        raise SystemExit(f"{tool} left {len(runs)} stores in {wd / 'runs'} (rc {rc}); see {wd}/zwgk.stderr")
    db = sqlite3.connect(runs[0])
    # the plain fetches; a page zwgk also rendered in a browser has a second row, method RENDER
    rows = db.execute("SELECT url, status FROM pages WHERE kind = 'page' AND method != 'RENDER'").fetchall()
    renders = db.execute("SELECT COUNT(*) FROM pages WHERE method = 'RENDER'").fetchone()[0]
    assets = db.execute("SELECT COUNT(*) FROM pages WHERE kind = 'attachment'").fetchone()[0]
    ends = [_epoch(r[0]) for r in db.execute("SELECT finished FROM sites")]
    with contextlib.suppress(sqlite3.OperationalError):          # a ref without the workers table
        ends += [_epoch(r[0]) for r in db.execute("SELECT finished FROM workers")]
    db.close()
    crawl_end = max((e for e in ends if e), default=None)
    got = {url_key(u) for u, _ in rows}
    logtext = (runs[0].parent / "crawl.log").read_text(encoding="utf-8", errors="replace")
    return Run(site.n, tool, rc, t["wall"], t["user"] + t["sys"], t["rss"] / 1024, t["tree_rss"],
               len(rows), sum(1 for _, s in rows if s == 200), assets,
               int(sum(_scrapy_stats(logtext, "downloader/request_count"))),
               min(t["wall"], crawl_end - started) if crawl_end else None,
               sorted(site.pages - got)[:20], sorted(got - site.pages)[:20], t["background"], renders,
               t["tree_pss"], _stages(logtext))


def _stages(logtext: str) -> dict[str, float]:
    """The stage times zwgk notes in its run log ("stage probe: 1.23 s"); the last of each."""
    return {m[0]: float(m[1]) for m in re.findall(r"\] INFO: stage (\w+): ([\d.]+) s", logtext)}


def bare_command(url: str, concurrency: int, stats: Path, urls: Path, logfile: Path) -> list[str]:
    settings = {"CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
                "DOWNLOAD_DELAY": "0", "LOG_FILE": str(logfile), **AUTOTHROTTLE_AS_ZWGK,
                "AUTOTHROTTLE_TARGET_CONCURRENCY": f"{float(concurrency)}"}
    cmd = [PY, "-m", "scrapy", "runspider", str(BENCH / "bare_spider.py"),
           "-a", f"start={url}", "-a", f"stats_out={stats}", "-a", f"urls_out={urls}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def bare_env() -> dict[str, str]:
    # no project settings: cwd is outside the repository (no scrapy.cfg above it) and no SCRAPY_* env
    return {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}


def run_bare(site: Site, url: str, concurrency: int, workdir: Path) -> Run:
    wd = workdir / f"bare-{site.n}-{time.monotonic_ns()}"
    wd.mkdir()
    stats_file, urls_file = wd / "stats.json", wd / "urls.txt"
    cmd = bare_command(url, concurrency, stats_file, urls_file, wd / "scrapy.log")
    rc, t = timed(cmd, wd, "bare", env=bare_env())
    if not stats_file.is_file():
        raise SystemExit(f"the bare spider wrote no stats (rc {rc}); see {wd}/bare.stderr and {wd}/scrapy.log")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    got = [url_key(line.strip()) for line in urls_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    gotset = set(got)
    extra = sorted(gotset - site.pages) + [f"(fetched twice) {u}" for u, c in collections.Counter(got).items() if c > 1]
    return Run(site.n, BARE, rc, t["wall"], t["user"] + t["sys"], t["rss"] / 1024, t["tree_rss"],
               int(stats.get("bare/pages", 0)), int(stats.get("bare/pages_200", 0)), int(stats.get("bare/assets", 0)),
               int(stats.get("downloader/request_count", 0)), stats.get("elapsed_time_seconds"),
               sorted(site.pages - gotset)[:20], extra[:20], t["background"], tree_pss_mb=t["tree_pss"])


# --- report -------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    import lxml.etree
    import scrapy
    import twisted

    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ngx = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "kernel": platform.release(),
            "python": platform.python_version(), "scrapy": scrapy.__version__, "twisted": twisted.__version__,
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)), "nginx": ngx}


def _median(values: list[float]) -> float:
    s = sorted(values)
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2


def table(runs: list[Run]) -> str:
    """One row per N and tool: its fastest run (others share this machine and can only slow a crawl
    down), the pages/s of all runs, and the ratio to the bare spider's fastest run of the same N —
    plus the median of the run-by-run ratios (each zwgk run against the bare run of the same round)."""
    order = {t: i for i, t in enumerate(TOOLS)}
    tools = sorted({r.tool for r in runs}, key=lambda t: (order.get(t.partition(" @")[0], 99), t))
    lines = ["| N | tool | runs | pages | assets | requests | wall s | pages/s | pages/s, all runs | ×bare pages/s "
             "(median of rounds) | CPU s | peak RSS MB, largest process | peak RSS MB, all processes | "
             "peak PSS MB, all processes | ×bare RSS | crawl s | checks + reports s | probe / evaluate / reports s | "
             "background CPU s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for n in sorted({r.n for r in runs}):
        bare_runs = [r for r in runs if r.n == n and r.tool == BARE]
        bare = min(bare_runs, key=lambda r: r.wall) if bare_runs else None
        for tool in tools:
            rs = [r for r in runs if r.n == n and r.tool == tool]
            if not rs:
                continue
            r = min(rs, key=lambda x: x.wall)
            ratio = rss_ratio = ""
            if tool != BARE and bare is not None and bare.pages_per_s and bare.tree_rss_mb:
                rounds = [x.pages_per_s / b.pages_per_s for x, b in zip(rs, bare_runs, strict=False) if b.pages_per_s]
                ratio = f"**{r.pages_per_s / bare.pages_per_s:.2f}** ({_median(rounds):.2f})" if rounds else ""
                rss_ratio = f"{r.tree_rss_mb / bare.tree_rss_mb:.2f}"
            flag = "" if all(x.ok for x in rs) else " ⚠"
            crawl = f"{r.crawl_seconds:.1f}" if r.crawl_seconds is not None and tool != BARE else ""
            rest = (f"{r.wall - r.crawl_seconds:.1f} ({100 * (r.wall - r.crawl_seconds) / r.wall:.0f} %)"
                    if r.crawl_seconds is not None and "audit" in tool else "")
            stages = " / ".join(f"{r.stages[k]:.1f}" for k in ("probe", "evaluate", "reports") if k in r.stages)
            lines.append(f"| {n:,} | {tool} | {len(rs)} | {r.pages:,}{flag} | {r.assets:,} | {r.requests:,} | "
                         f"{r.wall:.1f} | {r.pages_per_s:.0f} | {', '.join(f'{x.pages_per_s:.0f}' for x in rs)} | "
                         f"{ratio} | {r.cpu:.1f} | {r.rss_mb:.0f} | {r.tree_rss_mb:.0f} | "
                         f"{f'{r.tree_pss_mb:.0f}' if r.tree_pss_mb else ''} | {rss_ratio} | {crawl} | "
                         f"{rest} | {stages} | "
                         f"{r.background_cpu:.1f} |")
    return "\n".join(lines)


def header(info: dict[str, str], args: argparse.Namespace) -> str:
    code = (f"zwgk at commit `{info['commit']}` (code digest `{info['zwgk_digest']}`, "
            f"{info['zwgk_uncommitted_files']} uncommitted files under zwgk/)")
    if info.get("ref"):
        code += f"; `@{args.ref}` rows: commit `{info['ref']}`"
    return (f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')}: {code}. Concurrency {args.concurrency} per "
            f"site, delay 0, AutoThrottle on (zwgk's values for both). Machine: {info['cpus']} CPUs ({info['cpu']}), "
            f"Python {info['python']}, Scrapy {info['scrapy']}, Twisted {info['twisted']}, lxml {info['lxml']}, "
            f"nginx {info['nginx']}.\n")


def check(run: Run) -> list[str]:
    problems = []
    if run.rc not in (0, 1):
        problems.append(f"exit code {run.rc}")
    if run.pages != run.n or run.pages_200 != run.n:
        problems.append(f"{run.pages} pages ({run.pages_200} with status 200), the truth has {run.n}")
    if run.missing:
        problems.append(f"missed {len(run.missing)}+ truth pages, e.g. {run.missing[:3]}")
    if run.extra:
        problems.append(f"{len(run.extra)}+ unexpected pages, e.g. {run.extra[:3]}")
    if run.renders:
        problems.append(f"{run.renders} pages rendered in a browser (the bench site needs none)")
    return problems


# --- profile --------------------------------------------------------------------------------------
# (category, substrings of a frame "function (file:line)"), checked from the innermost frame outwards
PROFILE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("zwgk store writes (batched: pages, links, frontier rows, zlib)", ("zwgk/crawler/writer.py", "zwgk/store.py",
                                                                      "zwgk/db/")),
    ("zwgk frontier + scheduler (leases, local queue, rebuilding leased requests)",
     ("zwgk/crawler/scheduler.py", "zwgk/crawler/frontier.py", "zwgk/crawler/dupefilter.py")),
    ("zwgk shared limiter (several workers)", ("zwgk/crawler/limiter.py",)),
    ("zwgk page extraction (understand/page.py: links, anchors, meta, breadcrumb)", ("zwgk/understand/",)),
    ("zwgk Request building (focus priority, meta, URL escaping)", ("PortalSpider._request", "zwgk/crawler/focus.py",
                                                                    "scrapy/http/request/")),
    ("zwgk spider rest (records, scope, script pagers, caps)", ("zwgk/crawler/",)),
    ("bare: LinkExtractor + CrawlSpider rules", ("scrapy/linkextractors/", "scrapy/spiders/crawl.py")),
    ("HTML parse (parsel → lxml)", ("parsel/",)),
    ("body decode + charset detection", ("scrapy/http/response/text.py", "w3lib/encoding.py")),
    ("scheduler (bare: Scrapy's, with its request fingerprints)",
     ("scrapy/pqueues.py", "scrapy/core/scheduler.py", "ExecutionEngine.crawl", "ExecutionEngine._schedule_request",
      "scrapy/dupefilters.py", "scrapy/utils/request.py")),
    ("AutoThrottle", ("scrapy/extensions/throttle.py",)),
    ("downloader + HTTP client (Twisted)", ("scrapy/core/downloader/", "twisted/web/", "twisted/internet/tcp.py")),
    ("spider output: every yielded Request/item through the spider-middleware async generators",
     ("scrapy/core/spidermw.py", "scrapy/spidermiddlewares/", "scrapy/utils/asyncgen.py", "scrapy/utils/python.py",
      "scrapy/utils/defer.py", "_parallel_asyncio", "Scraper._process_spidermw_output")),
    ("item pipeline machinery (Scrapy side)", ("scrapy/pipelines/", "Scraper.start_itemproc")),
]
# after the crawl (outside the reactor): the outermost matching frame decides
EVAL_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("after the crawl: network probes", ("zwgk/probes/",)),
    ("after the crawl: checks (page understanding included)", ("zwgk/checks/",)),
    ("after the crawl: scoring, results.json and reports (HTML, docx, xlsx, JUnit)", ("zwgk/reports/",)),
]
FALLBACK = "the rest of Scrapy's engine and Twisted/asyncio's event loop (per request and response)"
STARTUP = "start-up and shut-down (imports, settings, opening the store)"
EVALUATION = ("zwgk/pipeline.py",)


def summarize_profile(raw: Path) -> list[tuple[str, float]]:
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, num = line.rpartition(" ")
        if not stack or not num.isdigit():
            continue
        frames = stack.split(";")
        if any(f.startswith("Thread._bootstrap") or "threading.py" in f for f in frames[:3]):
            continue        # Twisted's thread pool, idle; the rss sampler
        n = int(num)
        total += n
        in_reactor = any("AsyncioSelectorReactor.run" in f or "run_forever" in f for f in frames)
        in_evaluation = any(p in f for f in frames for p in EVALUATION) and not in_reactor
        if not in_reactor and not in_evaluation:
            counts[STARTUP] += n
            continue
        if in_reactor:
            label = FALLBACK
            for frame in reversed(frames):
                hit = next((lab for lab, pats in PROFILE_RULES if any(p in frame for p in pats)), None)
                if hit:
                    label = hit
                    break
        else:
            label = "after the crawl: other (loading the store, evaluation set-up)"
            for frame in frames:
                hit = next((lab for lab, pats in EVAL_RULES if any(p in frame for p in pats)), None)
                if hit:
                    label = hit
                    break
        counts[label] += n
    return [(label, 100 * c / total) for label, c in counts.most_common()] if total else []


def profile(args: argparse.Namespace, workdir: Path, n: int, tools: list[str]) -> str:
    pyspy = args.py_spy or shutil.which("py-spy")
    if not pyspy:
        raise SystemExit("--profile needs py-spy (pip install --target DIR py-spy, then --py-spy DIR/bin/py-spy)")
    site = generate(n)
    warm_page_cache(site.root)
    report = [f"\n### Where the time goes (py-spy, N={n:,}, 100 samples/s, every process of the run)\n"]
    with nginx(site.root, workdir) as url:
        for tool in tools:
            wd = workdir / f"profile-{re.sub(r'[^a-z0-9]+', '-', tool)}"
            wd.mkdir()
            raw = wd / "pyspy.txt"
            if tool == BARE:
                cmd = bare_command(url, args.concurrency, wd / "stats.json", wd / "urls.txt", wd / "scrapy.log")
                env = bare_env()
            else:
                insp = wd / "inspection.yaml"
                write_inspection(insp, url, n, args.concurrency)
                cmd, env = zwgk_command(tool, insp, wd / "runs")
            log(f"profiling {tool} …")
            started = time.monotonic()
            with open(wd / "out.txt", "wb") as out:
                rc = run_child([pyspy, "record", "-r", "100", "--subprocesses", "-f", "raw", "-o", str(raw), "--",
                                *cmd], wd, out, subprocess.STDOUT, env)
            if rc not in (0, 1, 3) or not raw.is_file():
                raise SystemExit(f"py-spy/{tool} failed (rc {rc}); see {wd}/out.txt")
            wall = time.monotonic() - started
            dest = OUT / f"profile-{re.sub(r'[^a-z0-9]+', '-', tool)}-{n}.pyspy.txt"
            shutil.copyfile(raw, dest)
            report.append(f"\n{tool}: {wall:.1f} s wall under py-spy (raw stacks: bench/out/{dest.name})\n\n"
                          "| share of samples | where |\n|---:|---|")
            report += [f"| {pct:.1f} % | {label} |" for label, pct in summarize_profile(raw)]
    return "\n".join(report)


# --- main ---------------------------------------------------------------------------------------
def save(text: str, runs: list[Run], info: dict[str, str], args: argparse.Namespace,
         sites: dict[int, dict[str, Any]], stamp: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    md = OUT / f"results-{stamp}.md"
    md.write_text(text + "\n", encoding="utf-8")
    md.with_suffix(".json").write_text(json.dumps(
        {"machine": info, "concurrency": args.concurrency, "sites": sites,
         "runs": [asdict(r) | {"pages_per_s": r.pages_per_s, "ok": r.ok} for r in runs]},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return md


def bench(args: argparse.Namespace, workdir: Path) -> int:
    info = machine() | CODE
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    tools = list(args.tools) + [f"{t} @{args.ref}" for t in args.ref_tools if args.ref]
    runs: list[Run] = []
    problems: list[str] = []
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    sites: dict[int, dict[str, Any]] = {}
    rnd = 0
    for n in args.pages:
        site = generate(n)
        sites[n] = {"files": site.files, "assets": len(site.assets), "generate_seconds": site.generate_seconds}
        warm_page_cache(site.root)
        with nginx(site.root, workdir) as url:
            for i in range(args.repeat):
                # rotate the order round by round, so no tool always meets a warmer (or busier) machine
                order = tools[rnd % len(tools):] + tools[:rnd % len(tools)]
                rnd += 1
                for tool in order:
                    log(f"N={n} round {i + 1}/{args.repeat}: {tool} …")
                    wait_for_quiet(args.quiet_wait)
                    run = (run_bare(site, url, args.concurrency, workdir) if tool == BARE
                           else run_zwgk(site, url, args.concurrency, workdir, tool))
                    runs.append(run)
                    log(f"  {run.pages} pages, {run.assets} assets, {run.requests} requests, {run.wall:.1f} s wall, "
                        f"{run.pages_per_s:.0f} pages/s, {run.cpu:.1f} s CPU, {run.rss_mb:.0f} MB largest process, "
                        f"{run.tree_rss_mb:.0f} MB all processes (PSS {run.tree_pss_mb:.0f}), "
                        f"{run.background_cpu:.1f} s CPU used by the rest "
                        "of the machine" + ("" if run.ok else "  ⚠ MISMATCH"))
                    problems += [f"N={n} {tool}: {p}" for p in check(run)]
                    save(header(info, args) + "\n" + table(runs), runs, info, args, sites, stamp)
    text = header(info, args) + "\n" + table(runs)
    if args.profile:
        text += "\n" + profile(args, workdir, args.pages[0], args.profile_tools)
    print(text)
    log(f"results: {save(text, runs, info, args, sites, stamp).relative_to(ROOT)} (.json beside it)")
    if problems:
        bar = "!" * 78
        print(f"\n{bar}\nPAGE COUNTS DO NOT MATCH THE TRUTH — the rates above compare different crawls:\n"
              + "\n".join(f"  - {p}" for p in problems) + f"\n{bar}", file=sys.stderr)
        return 1
    return 0


def reprint(paths: list[Path]) -> int:
    runs = []
    for path in paths:
        for r in json.loads(path.read_text(encoding="utf-8"))["runs"]:
            runs.append(Run(**{k: v for k, v in r.items() if k in Run.__dataclass_fields__}))
    print(table(runs))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, nargs="+", default=[2000, 20000], help="site sizes N (default 2000 20000)")
    p.add_argument("--concurrency", type=int, default=16,
                   help="concurrent requests for every tool (zwgk: concurrency_per_site, ≤ 64)")
    p.add_argument("--repeat", type=int, default=1,
                   help="rounds per N (every tool once per round); the table shows each tool's fastest run")
    p.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS, metavar="TOOL",
                   help=f"which rows (default all: {', '.join(TOOLS)})")
    p.add_argument("--ref", help="also time another git ref's code (e.g. main) in the same rounds")
    p.add_argument("--ref-tools", nargs="+", default=["zwgk audit, 1 worker", "zwgk crawl, 1 worker"],
                   choices=list(ZWGK_TOOLS), metavar="TOOL", help="the rows timed with --ref's code")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="before each run, wait up to this many seconds for other processes to go quiet")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (nginx conf, run dirs, logs)")
    p.add_argument("--profile", action="store_true",
                   help="after the timings, run --profile-tools once under py-spy at the first N and append the shares")
    p.add_argument("--profile-tools", nargs="+", default=["zwgk audit, 1 worker", "zwgk crawl, 2 workers", BARE],
                   choices=TOOLS, metavar="TOOL")
    p.add_argument("--py-spy", help="path to py-spy (default: on PATH)")
    p.add_argument("--table", nargs="+", type=Path, metavar="RESULTS_JSON",
                   help="only print the table of saved bench/out/results-*.json files (runs are merged)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.table:
        return reprint(args.table)
    if not 1 <= args.concurrency <= 64:
        raise SystemExit("--concurrency must be 1..64 (zwgk's concurrency_per_site limit)")
    for tool in (NGINX, GNU_TIME):
        if not Path(tool).is_file():
            raise SystemExit(f"{tool} not found (apt-get install nginx-light time)")

    def on_term(*_: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)     # `kill PID` cleans up like Ctrl-C: crawl and nginx stopped
    # /tmp, not bench/out: the bare spider must run outside the repository (no scrapy.cfg above it)
    workdir = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    try:
        CODE.update(snapshot(workdir))
        if args.ref:
            CODE["ref"] = snapshot_ref(workdir, args.ref)
        return bench(args, workdir)
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
