#!/usr/bin/env python3
"""zwgk crawl vs a bare Scrapy CrawlSpider on the same generated portal, served by nginx on loopback.

    .venv/bin/python bench/run.py [--pages 2000 20000] [--concurrency 16] [--repeat 1]
                                  [--autothrottle on|off|both] [--keep] [--profile]

For each N: write the `bench` portal with exactly N pages (python -m zwgk.portal_sim write, cached in
bench/out/site-N), serve it with nginx (a config in a temp dir, 127.0.0.1, a free port, no access log,
started as a child process and stopped by its PID), then in the same run time `zwgk crawl` and
bench/bare_spider.py under /usr/bin/time -v, check that each fetched exactly the truth's N pages and
print a Markdown table (pages/s from wall time, peak RSS, zwgk/bare ratios). Results also go to
bench/out/results-<stamp>.{json,md}. --profile instead runs each crawl once under py-spy and prints
where the CPU time goes, by category. See bench/README.md.
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
EXPERIMENTS = ("seen-prefilter",)    # bench/zwgk_patched.py: what a crawler change would buy


# Others edit zwgk/ while a bench runs: every child (site writer, zwgk crawl) imports a copy of the
# package taken at the start (PYTHONPATH), so that all rows of one run measure the same code.
SRC: Path = ROOT
CHILD_ENV: dict[str, str] | None = None
CODE: dict[str, str] = {}


def snapshot(workdir: Path) -> dict[str, str]:
    global SRC, CHILD_ENV
    SRC = workdir / "src"
    shutil.copytree(ROOT / "zwgk", SRC / "zwgk", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    CHILD_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    h = hashlib.sha256()
    for path in sorted(p for p in (SRC / "zwgk").rglob("*") if p.is_file()):
        h.update(path.relative_to(SRC).as_posix().encode() + b"\0" + path.read_bytes())

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "zwgk").splitlines()
    return {"commit": git("rev-parse", "--short", "HEAD"), "zwgk_digest": h.hexdigest()[:12],
            "zwgk_uncommitted_files": str(len(dirty))}


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
    return Site(n, root, pages, files, seconds)


def warm_page_cache(root: Path) -> None:
    """Read every file once so that neither crawl pays for the first disk reads."""
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass


# --- nginx --------------------------------------------------------------------------------------
NGINX_CONF = """daemon off;
master_process on;
worker_processes 2;
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
    open_file_cache max=100000 inactive=120s;
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
    tool: str                     # zwgk | bare
    autothrottle: bool
    rc: int
    wall: float                   # seconds, /usr/bin/time -v "Elapsed (wall clock)"
    cpu: float                    # user + system seconds
    rss_mb: float                 # "Maximum resident set size", MiB
    pages: int                    # pages fetched (zwgk: store rows kind='page'; bare: parsed responses)
    pages_200: int
    requests: int                 # Scrapy's downloader/request_count (zwgk also HEADs attachments)
    crawl_seconds: float | None   # Scrapy's elapsed_time_seconds: the crawl without start-up
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    background_cpu: float = 0.0   # CPU seconds the rest of the machine used meanwhile (nginx included)
    renders: int = 0              # zwgk: pages rendered in a browser (render_js: auto; the site needs none)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def ok(self) -> bool:
        return (self.rc == 0 and self.pages == self.n == self.pages_200 and not self.missing and not self.extra
                and not self.renders)


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


def run_child(cmd: list[str], cwd: Path, stdout: Any, stderr: Any, env: dict[str, str] | None = None) -> int:
    """Run a crawl in its own process group; on Ctrl-C/SIGTERM/errors stop that group (the wrapper —
    /usr/bin/time or py-spy — and the crawl under it) by its id before passing the exception on."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    try:
        return proc.wait()
    finally:
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
    with open(cwd / f"{name}.stdout", "wb") as out, open(cwd / f"{name}.stderr", "wb") as err:
        rc = run_child([GNU_TIME, "-v", "-o", str(tfile), *cmd], cwd, out, err, env)
    busy = busy_seconds() - busy
    t = parse_time_v(tfile.read_text(errors="replace"))
    t["background"] = max(0.0, busy - t["user"] - t["sys"])
    return rc, t


def zwgk_command(autothrottle: bool, patches: tuple[str, ...] = ()) -> list[str]:
    """The shipped `zwgk` entry point, or bench/zwgk_patched.py when the run needs a patch (zwgk has
    no inspection key for AutoThrottle: the "off" variant patches its settings in-process)."""
    patches = (*(() if autothrottle else ("no-autothrottle",)), *patches)
    if patches:
        return [PY, str(BENCH / "zwgk_patched.py"), ",".join(patches)]
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
        f"{concurrency}, delay: 0, respect_robots: false, timeout: 60}}\n", encoding="utf-8")


def _scrapy_stat(logtext: str, key: str) -> float | None:
    m = re.search(rf"'{re.escape(key)}': ([\d.]+)", logtext)
    return float(m.group(1)) if m else None


def run_zwgk(site: Site, url: str, concurrency: int, workdir: Path, autothrottle: bool,
             patches: tuple[str, ...] = ()) -> Run:
    tool = "+".join(("zwgk", *patches))
    wd = workdir / f"{tool}-{site.n}-at{'on' if autothrottle else 'off'}-{time.monotonic_ns()}"
    wd.mkdir()
    insp = wd / "inspection.yaml"
    write_inspection(insp, url, site.n, concurrency)
    cmd = [*zwgk_command(autothrottle, patches), "crawl", "-c", str(insp), "-o", str(wd / "runs")]
    rc, t = timed(cmd, wd, "zwgk", env=CHILD_ENV)
    runs = sorted((wd / "runs").glob("*/crawl.sqlite"))
    if len(runs) != 1:
        raise SystemExit(f"zwgk crawl left {len(runs)} stores in {wd / 'runs'} (rc {rc}); see {wd}/zwgk.stderr")
    db = sqlite3.connect(runs[0])
    # the plain fetches; a page zwgk also rendered in a browser has a second row, method RENDER
    rows = db.execute("SELECT url, status FROM pages WHERE kind = 'page' AND method != 'RENDER'").fetchall()
    renders = db.execute("SELECT COUNT(*) FROM pages WHERE method = 'RENDER'").fetchone()[0]
    db.close()
    got = {url_key(u) for u, _ in rows}
    logtext = (runs[0].parent / "crawl.log").read_text(encoding="utf-8", errors="replace")
    return Run(site.n, tool, autothrottle, rc, t["wall"], t["user"] + t["sys"], t["rss"] / 1024,
               len(rows), sum(1 for _, s in rows if s == 200),
               int(_scrapy_stat(logtext, "downloader/request_count") or 0),
               _scrapy_stat(logtext, "elapsed_time_seconds"),
               sorted(site.pages - got)[:20], sorted(got - site.pages)[:20], t["background"], renders)


def bare_command(url: str, concurrency: int, autothrottle: bool, stats: Path, urls: Path, logfile: Path) -> list[str]:
    settings = {"CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
                "DOWNLOAD_DELAY": "0", "LOG_FILE": str(logfile)}
    if autothrottle:
        settings |= {**AUTOTHROTTLE_AS_ZWGK, "AUTOTHROTTLE_TARGET_CONCURRENCY": f"{float(concurrency)}"}
    else:
        settings["AUTOTHROTTLE_ENABLED"] = "False"
    cmd = [PY, "-m", "scrapy", "runspider", str(BENCH / "bare_spider.py"),
           "-a", f"start={url}", "-a", f"stats_out={stats}", "-a", f"urls_out={urls}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def bare_env() -> dict[str, str]:
    # no project settings: cwd is outside the repository (no scrapy.cfg above it) and no SCRAPY_* env
    return {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}


def run_bare(site: Site, url: str, concurrency: int, workdir: Path, autothrottle: bool) -> Run:
    wd = workdir / f"bare-{site.n}-at{'on' if autothrottle else 'off'}-{time.monotonic_ns()}"
    wd.mkdir()
    stats_file, urls_file = wd / "stats.json", wd / "urls.txt"
    cmd = bare_command(url, concurrency, autothrottle, stats_file, urls_file, wd / "scrapy.log")
    rc, t = timed(cmd, wd, "bare", env=bare_env())
    if not stats_file.is_file():
        raise SystemExit(f"the bare spider wrote no stats (rc {rc}); see {wd}/bare.stderr and {wd}/scrapy.log")
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    got = [url_key(line.strip()) for line in urls_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    gotset = set(got)
    extra = sorted(gotset - site.pages) + [f"(fetched twice) {u}" for u, c in collections.Counter(got).items() if c > 1]
    return Run(site.n, "bare", autothrottle, rc, t["wall"], t["user"] + t["sys"], t["rss"] / 1024,
               int(stats.get("bare/pages", 0)), int(stats.get("bare/pages_200", 0)),
               int(stats.get("downloader/request_count", 0)), stats.get("elapsed_time_seconds"),
               sorted(site.pages - gotset)[:20], extra[:20], t["background"])


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


def table(runs: list[Run], variants: list[bool]) -> str:
    """One row per N, AutoThrottle setting and tool: its fastest run (others share this machine and
    can only slow a crawl down, so the fastest run is the least disturbed), with the range of all."""
    tools = sorted({r.tool for r in runs}, key=lambda t: (t == "bare", t))     # zwgk, zwgk+…, bare
    lines = ["| N | tool | AutoThrottle | runs | pages | requests | wall s | pages/s | pages/s, all runs | CPU s | "
             "peak RSS MB | zwgk/bare pages/s | zwgk/bare CPU s | zwgk/bare RSS | background CPU s |",
             "|---:|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for n in sorted({r.n for r in runs}):
        for at in variants:
            best: dict[str, Run] = {}
            spread: dict[str, str] = {}
            for tool in tools:
                rs = [r for r in runs if r.n == n and r.tool == tool and r.autothrottle == at]
                if rs:
                    best[tool] = min(rs, key=lambda r: r.wall)
                    spread[tool] = ", ".join(f"{r.pages_per_s:.0f}" for r in rs)
            bare = best.get("bare")
            for tool, r in best.items():
                ratios = ["", "", ""]
                if tool != "bare" and bare is not None and bare.pages_per_s and bare.cpu and bare.rss_mb:
                    ratios = [f"**{r.pages_per_s / bare.pages_per_s:.2f}**", f"{r.cpu / bare.cpu:.2f}",
                              f"**{r.rss_mb / bare.rss_mb:.2f}**"]
                same = [x for x in runs if x.n == n and x.tool == tool and x.autothrottle == at]
                flag = "" if all(x.ok for x in same) else " ⚠"
                lines.append(f"| {n:,} | {tool} | {'on' if at else 'off'} | {len(same)} | {r.pages:,}{flag} | "
                             f"{r.requests:,} | {r.wall:.1f} | {r.pages_per_s:.0f} | {spread[tool]} | {r.cpu:.1f} | "
                             f"{r.rss_mb:.0f} | {' | '.join(ratios)} | {r.background_cpu:.1f} |")
    return "\n".join(lines)


def check(run: Run) -> list[str]:
    if run.ok:
        return []
    problems = []
    if run.rc != 0:
        problems.append(f"exit code {run.rc}")
    if run.pages != run.n:
        problems.append(f"fetched {run.pages} pages, the truth has {run.n}")
    if run.pages_200 != run.pages:
        problems.append(f"only {run.pages_200} of {run.pages} pages answered 200")
    if run.missing:
        problems.append(f"missing (first {len(run.missing)}): {run.missing}")
    if run.renders:
        problems.append(f"{run.renders} pages were also rendered in a browser (the bench site needs none)")
    if run.extra:
        problems.append(f"not in the truth (first {len(run.extra)}): {run.extra}")
    return problems


# --- profile ------------------------------------------------------------------------------------
# py-spy raw stacks ("frame;frame;… count", root first); a sample goes to the rule of its innermost
# frame that matches one (so json.dumps inside Store.save_page counts as the store, urljoin inside
# extract.py as extraction), else to FALLBACK.
PROFILE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("zwgk frontier rows (StoreDupeFilter → INSERT per request)",
     ("StoreDupeFilter", "Store.add_frontier", "Store.drop_frontier")),
    ("zwgk store: page + link rows, zlib, one commit per page", ("zwgk/store.py", "zwgk/crawler/pipelines.py")),
    ("zwgk page extraction (extract.py: links, anchors, meta, breadcrumb)", ("zwgk/understand/page.py",)),
    ("zwgk Request building (focus priority, meta, URL escaping)", ("PortalSpider._request", "zwgk/crawler/focus.py")),
    ("zwgk spider rest (records, scope, caps)", ("zwgk/crawler/spiders/", "zwgk/crawler/sitescope.py",
                                                 "zwgk/crawler/middlewares.py", "zwgk/crawler/state.py")),
    ("bare: LinkExtractor + CrawlSpider rules", ("scrapy/linkextractors/", "scrapy/spiders/crawl.py")),
    ("HTML parse (parsel → lxml)", ("parsel/",)),
    ("body decode + charset detection", ("scrapy/http/response/text.py", "w3lib/encoding.py")),
    ("JOBDIR disk queue (pickle every request)", ("scrapy/squeues.py", "queuelib/", "request_to_dict",
                                                   "request_from_dict", "scrapy/utils/reqser")),
    ("scheduler: enqueue (dupefilter call, priority queues), dequeue",
     ("scrapy/pqueues.py", "scrapy/core/scheduler.py", "ExecutionEngine.crawl", "ExecutionEngine._schedule_request")),
    ("AutoThrottle", ("scrapy/extensions/throttle.py",)),
    ("downloader + HTTP client (Twisted)", ("scrapy/core/downloader/", "twisted/web/", "twisted/internet/tcp.py")),
    ("spider output: every yielded Request/item through the spider-middleware async generators",
     ("scrapy/core/spidermw.py", "scrapy/spidermiddlewares/", "scrapy/utils/asyncgen.py", "scrapy/utils/python.py",
      "scrapy/utils/defer.py", "_parallel_asyncio", "Scraper._process_spidermw_output")),
    ("item pipeline machinery (Scrapy side)", ("scrapy/pipelines/", "Scraper.start_itemproc")),
]
# only when no frame of the stack matches a rule above (else every leaf in asyncio would land here)
FALLBACK = "the rest of Scrapy's engine and Twisted/asyncio's event loop (per request and response)"
STARTUP = "start-up and shut-down (imports, settings, opening the store)"


def summarize_profile(raw: Path) -> list[tuple[str, float]]:
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, num = line.rpartition(" ")
        if not stack or not num.isdigit():
            continue
        frames = stack.split(";")
        if frames[0].startswith("Thread._bootstrap") or "threading.py" in frames[0]:
            continue        # Twisted's thread pool, idle (DNS is not used: the crawl targets 127.0.0.1)
        n = int(num)
        total += n
        if not any("AsyncioSelectorReactor.run" in f or "run_forever" in f for f in frames):
            counts[STARTUP] += n
            continue
        label = FALLBACK
        for frame in reversed(frames):
            hit = next((lab for lab, pats in PROFILE_RULES if any(p in frame for p in pats)), None)
            if hit:
                label = hit
                break
        counts[label] += n
    return [(label, 100 * c / total) for label, c in counts.most_common()] if total else []


def profile(args: argparse.Namespace, workdir: Path) -> int:
    pyspy = args.py_spy or shutil.which("py-spy")
    if not pyspy:
        raise SystemExit("--profile needs py-spy (pip install py-spy, or --py-spy PATH)")
    n = args.pages[0]
    site = generate(n)
    warm_page_cache(site.root)
    at = args.autothrottle != "off"
    report = [f"py-spy profile, N={n:,}, concurrency {args.concurrency}, AutoThrottle {'on' if at else 'off'}, "
              f"main thread, 200 samples/s\n"]
    with nginx(site.root, workdir) as url:
        for tool in ("zwgk", "bare"):
            wd = workdir / f"profile-{tool}"
            wd.mkdir()
            raw = wd / f"{tool}.pyspy.txt"
            if tool == "zwgk":
                insp = wd / "inspection.yaml"
                write_inspection(insp, url, n, args.concurrency)
                cmd = [*zwgk_command(at), "crawl", "-c", str(insp), "-o", str(wd / "runs")]
                env = CHILD_ENV
            else:
                cmd = bare_command(url, args.concurrency, at, wd / "stats.json", wd / "urls.txt", wd / "scrapy.log")
                env = bare_env()
            log(f"profiling {tool} …")
            started = time.monotonic()
            with open(wd / "out.txt", "wb") as out:
                rc = run_child([pyspy, "record", "-r", "200", "-f", "raw", "-o", str(raw), "--",
                                *cmd], wd, out, subprocess.STDOUT, env)
            if rc not in (0, 3) or not raw.is_file():      # zwgk crawl: 3 = incomplete, still a profile
                raise SystemExit(f"py-spy/{tool} failed (rc {rc}); see {wd}/out.txt")
            wall = time.monotonic() - started
            dest = OUT / f"profile-{tool}-{n}.pyspy.txt"
            shutil.copyfile(raw, dest)
            report.append(f"\n{tool}: {wall:.1f} s wall under py-spy (raw stacks: {dest.relative_to(ROOT)})\n\n"
                          "| share of samples | where |\n|---:|---|")
            report += [f"| {pct:.1f}% | {label} |" for label, pct in summarize_profile(raw)]
    text = "\n".join(report)
    print(text)
    (OUT / f"profile-{n}.md").write_text(text + "\n", encoding="utf-8")
    return 0


# --- main ---------------------------------------------------------------------------------------
def save(runs: list[Run], variants: list[bool], info: dict[str, str], args: argparse.Namespace,
         sites: dict[int, dict[str, Any]], stamp: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    md = OUT / f"results-{stamp}.md"
    md.write_text(table(runs, variants) + "\n", encoding="utf-8")
    md.with_suffix(".json").write_text(json.dumps(
        {"machine": info, "concurrency": args.concurrency, "sites": sites,
         "runs": [asdict(r) | {"pages_per_s": r.pages_per_s, "ok": r.ok} for r in runs]},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return md


def bench(args: argparse.Namespace, workdir: Path) -> int:
    variants = {"on": [True], "off": [False], "both": [True, False]}[args.autothrottle]
    info = machine() | CODE
    log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    runs: list[Run] = []
    problems: list[str] = []
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    sites: dict[int, dict[str, Any]] = {}
    pair = 0
    for n in args.pages:
        site = generate(n)
        sites[n] = {"files": site.files, "generate_seconds": site.generate_seconds}
        warm_page_cache(site.root)
        with nginx(site.root, workdir) as url:
            for i in range(args.repeat):
                for at in variants:
                    # alternate which crawl goes first, so neither always meets a warmer server
                    tools = ["zwgk", *(f"zwgk+{e}" for e in args.experiment), "bare"]
                    order = tools if pair % 2 == 0 else tools[::-1]
                    pair += 1
                    for tool in order:
                        log(f"N={n} run {i + 1}/{args.repeat}: {tool} (AutoThrottle {'on' if at else 'off'}) …")
                        wait_for_quiet(args.quiet_wait)
                        if tool == "bare":
                            run = run_bare(site, url, args.concurrency, workdir, at)
                        else:
                            run = run_zwgk(site, url, args.concurrency, workdir, at, tuple(tool.split("+")[1:]))
                        runs.append(run)
                        log(f"  {run.pages} pages, {run.requests} requests, {run.wall:.1f} s wall, "
                            f"{run.pages_per_s:.0f} pages/s, {run.cpu:.1f} s CPU, {run.rss_mb:.0f} MB peak RSS, "
                            f"{run.background_cpu:.1f} s CPU used by the rest of the machine"
                            + ("" if run.ok else "  ⚠ MISMATCH"))
                        for p in check(run):
                            problems.append(f"N={n} {tool} AutoThrottle {'on' if at else 'off'}: {p}")
                        save(runs, variants, info, args, sites, stamp)    # a later failure keeps these
    md = table(runs, variants)
    print(md)
    log(f"results: {save(runs, variants, info, args, sites, stamp).relative_to(ROOT)} (.json beside it)")
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
    print(table(runs, sorted({r.autothrottle for r in runs}, reverse=True)))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--pages", type=int, nargs="+", default=[2000, 20000], help="site sizes N (default 2000 20000)")
    p.add_argument("--concurrency", type=int, default=16,
                   help="concurrent requests for both crawls (zwgk: concurrency_per_site, ≤ 64)")
    p.add_argument("--repeat", type=int, default=1,
                   help="runs per tool and N; the table shows the fastest and lists all")
    p.add_argument("--autothrottle", choices=("on", "off", "both"), default="on",
                   help="on: zwgk as shipped, the bare spider with the same AutoThrottle settings; "
                        "off: both without (zwgk patched in-process); both: the two pairs")
    p.add_argument("--experiment", nargs="*", default=[], choices=EXPERIMENTS,
                   help="also time zwgk with these bench/zwgk_patched.py patches (rows zwgk+PATCH)")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="before each crawl, wait up to this many seconds for other processes to go quiet")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (nginx conf, zwgk run dirs, logs)")
    p.add_argument("--profile", action="store_true",
                   help="instead of timing: run each crawl once under py-spy at the first N, print the split")
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
            raise SystemExit(f"{tool} not found (apt-get install nginx time)")

    def on_term(*_: Any) -> None:
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)     # `kill PID` cleans up like Ctrl-C: crawl and nginx stopped
    # /tmp, not bench/out: the bare spider must run outside the repository (no scrapy.cfg above it)
    workdir = Path(tempfile.mkdtemp(prefix="zwgk-bench-"))
    try:
        CODE.update(snapshot(workdir))
        return profile(args, workdir) if args.profile else bench(args, workdir)
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
