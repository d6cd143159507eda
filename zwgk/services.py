"""Redis and PostgreSQL for the distributed mode, run from Debian's packages on loopback.

`zwgk services start` and the test fixtures both come here: redis-server and a PostgreSQL cluster
(initdb + postgres from /usr/lib/postgresql/<version>/bin) with their data in one directory,
listening on 127.0.0.1 only, their PIDs recorded in `services.json` in that directory so `stop`
ends exactly those processes (checked against the process start time, so a recycled PID is never hit).

PostgreSQL refuses to run as root: as root its cluster is created and run as Debian's `postgres`
user (setpriv, which execs in place), in a data directory that user owns. The database accepts
password-less (trust) connections from 127.0.0.1: a try-out and test setup, not a production one.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from zwgk.errors import ZwgkError

HOST = "127.0.0.1"
DEFAULT_PORTS = {"redis": 6379, "postgres": 5432}
DB_USER = "zwgk"          # the cluster's superuser, created by initdb
DB_NAME = "zwgk"
STATE_FILE = "services.json"
INSTALL_HINT = "请安装 Debian 软件包：apt-get install redis-server postgresql"
NAMES = {"redis": "Redis", "postgres": "PostgreSQL"}
POSTGRES_GLOB = "/usr/lib/postgresql/*/bin/postgres"     # Debian: one bin dir per installed major version


class ServiceError(ZwgkError):
    """A service cannot be found, started, reached or stopped; the message says what to do."""


@dataclass
class Service:
    """One running service as recorded in services.json."""

    name: str              # "redis" | "postgres"
    pid: int
    start_ticks: int       # /proc/<pid>/stat starttime: identifies the process beyond its PID
    port: int
    url: str
    log: str

    @property
    def label(self) -> str:
        return NAMES[self.name]


def default_dir() -> Path:
    """Where `zwgk services` keeps its data without --dir: the same temp path every time, so that
    `stop` and `status` find what `start` began."""
    return Path(tempfile.gettempdir()) / f"zwgk-services-{os.getuid()}"


def redis_url(port: int, db: int = 0) -> str:
    return f"redis://{HOST}:{port}/{db}"


def postgres_url(port: int, dbname: str = DB_NAME) -> str:
    return f"postgresql://{DB_USER}@{HOST}:{port}/{dbname}"


# --- binaries -------------------------------------------------------------------------------------

def redis_binary() -> Path:
    found = shutil.which("redis-server")
    if not found:
        raise ServiceError(f"未找到 redis-server。{INSTALL_HINT}")
    return Path(found)


def _version_key(bindir: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", Path(bindir).parent.name)) or (0,)


def postgres_bindir(version: str | None = None) -> Path:
    """The bin directory of Debian's PostgreSQL (/usr/lib/postgresql/<version>/bin): the newest
    installed, or `version` (an existing cluster's PG_VERSION). Falls back to initdb on PATH."""
    dirs = sorted((str(Path(p).parent) for p in glob.glob(POSTGRES_GLOB)),
                  key=_version_key, reverse=True)
    if version is not None:
        dirs = [d for d in dirs if Path(d).parent.name == version]
        if not dirs:
            raise ServiceError(f"数据目录中的 PostgreSQL 集群是 {version} 版，本机未安装该版本"
                               f"（apt-get install postgresql-{version}），或换一个数据目录。")
    if not dirs and version is None and shutil.which("initdb") and shutil.which("postgres"):
        dirs = [str(Path(shutil.which("initdb") or "").parent)]
    for d in dirs:
        if all(os.access(Path(d) / b, os.X_OK) for b in ("initdb", "postgres", "pg_isready", "psql", "createdb")):
            return Path(d)
    raise ServiceError(f"未找到 PostgreSQL 服务端程序（/usr/lib/postgresql/*/bin/initdb）。{INSTALL_HINT}")


def binaries_missing() -> str | None:
    """Why the services cannot run here, or None (used by the tests to skip with a reason)."""
    try:
        redis_binary()
        postgres_bindir()
    except ServiceError as exc:
        return str(exc)
    return None


# --- processes ------------------------------------------------------------------------------------

def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, None when it is gone (or a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def _alive(svc: Service) -> bool:
    return _start_ticks(svc.pid) == svc.start_ticks


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _wait_gone(svc: Service, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _reap(svc.pid)          # our own child (tests) stays a zombie until reaped
        if not _alive(svc):
            return True
        time.sleep(0.05)
    return False


def _signal(svc: Service, sig: int) -> None:
    if _alive(svc):            # never signal a PID that now belongs to another process
        with contextlib.suppress(ProcessLookupError):
            os.kill(svc.pid, sig)


def stop_service(svc: Service, timeout: float = 30.0) -> bool:
    """End exactly this process: a clean shutdown (redis SIGTERM saves; postgres SIGINT is the
    "fast" mode that disconnects clients), then SIGKILL after `timeout`. True if it was running."""
    if not _alive(svc):
        _reap(svc.pid)
        return False
    _signal(svc, signal.SIGINT if svc.name == "postgres" else signal.SIGTERM)
    if not _wait_gone(svc, timeout):
        _signal(svc, signal.SIGKILL)
        _wait_gone(svc, 5.0)
    return True


def port_free(port: int) -> bool:
    """Nothing listens on 127.0.0.1:port (SO_REUSEADDR like the servers: TIME-WAIT leftovers of
    an earlier run on the port do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port the OS reports free on 127.0.0.1 now (bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _log_tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def _failed(what: str, log: Path, detail: str) -> ServiceError:
    tail = _log_tail(log)
    return ServiceError(f"{what}{detail}（日志 {log}）" + (f"：\n{tail}" if tail else ""))


def _wait_ready(check, proc: subprocess.Popen | None, what: str, log: Path, timeout: float) -> None:
    """Poll `check()` until it is true; fail early when the process has exited, or at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            raise _failed(what, log, f"启动后立即退出（退出码 {proc.returncode}）")
        if time.monotonic() >= deadline:
            raise _failed(what, log, f"在 {timeout:g} 秒内没有应答")
        time.sleep(0.05)


# --- redis ----------------------------------------------------------------------------------------

def redis_ping(port: int, timeout: float = 1.0) -> bool:
    """True when a Redis server on 127.0.0.1:port answers PING with PONG (not while loading)."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(directory: Path, port: int, *, durable: bool = True, timeout: float = 30.0) -> Service:
    """redis-server on 127.0.0.1:port with its data in directory/redis (append-only file when
    durable, so a queue survives a restart); returns once it answers PING."""
    binary = redis_binary()
    directory = directory.absolute()       # the server runs in its data directory
    data = directory / "redis"
    data.mkdir(parents=True, exist_ok=True)
    log = directory / "redis.log"
    if not port_free(port):
        raise ServiceError(f"端口 {HOST}:{port} 已被占用：用 --redis-port 指定其他端口。")
    persist = ["--appendonly", "yes", "--save", "3600 1 300 100 60 10000"] if durable else \
        ["--appendonly", "no", "--save", ""]
    args = [str(binary), "--port", str(port), "--bind", HOST, "--protected-mode", "yes", "--dir", str(data),
            "--daemonize", "no", "--logfile", "", *persist]
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=data)
    try:
        _wait_ready(lambda: redis_ping(port), proc, "Redis ", log, timeout)
    except ServiceError:
        _kill_child(proc)
        raise
    ticks = _start_ticks(proc.pid)
    assert ticks is not None
    return Service("redis", proc.pid, ticks, port, redis_url(port), str(log))


def _kill_child(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


# --- postgres -------------------------------------------------------------------------------------

@dataclass
class _RunAs:
    """How to run the server programs: as ourselves, or (as root) as the `postgres` user."""

    prefix: list[str]
    env: dict[str, str]
    uid: int
    gid: int

    @classmethod
    def detect(cls) -> _RunAs:
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        env.setdefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        if os.getuid() != 0:
            return cls([], {**os.environ}, os.getuid(), os.getgid())
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceError("PostgreSQL 不能以 root 运行，而本机没有 postgres 系统用户：请安装 postgresql 软件包"
                               "（apt-get install postgresql 会创建该用户），或以普通用户运行。") from None
        env.update(HOME=user.pw_dir, USER="postgres", LOGNAME="postgres")
        if shutil.which("setpriv"):        # execs in place: the PID we start is the server's
            prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"]
        elif shutil.which("runuser"):
            prefix = ["runuser", "-u", "postgres", "--"]
        else:
            raise ServiceError("以 root 运行 PostgreSQL 需要 setpriv 或 runuser（util-linux）切换到 postgres 用户。")
        return cls(prefix, env, user.pw_uid, user.pw_gid)

    def run(self, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.prefix, *args], cwd=cwd, env=self.env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)


def _prepare_data_dir(data: Path, runas: _RunAs) -> None:
    data.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:
        os.chown(data, runas.uid, runas.gid)
    os.chmod(data, 0o700)
    if runas.prefix and runas.run(["test", "-w", str(data)], cwd=Path("/")).returncode != 0:
        raise ServiceError(f"postgres 用户无法进入 {data}（其上级目录不允许该用户访问）："
                           f"请用 --dir 指定该用户可进入的目录，例如 {default_dir()}。")


def _pg_client_env() -> dict[str, str]:
    return {**os.environ, "PGCONNECT_TIMEOUT": "3"}


def pg_ready(bindir: Path, port: int) -> bool:
    """pg_isready: the server accepts connections on 127.0.0.1:port."""
    res = subprocess.run([str(bindir / "pg_isready"), "-q", "-h", HOST, "-p", str(port), "-U", DB_USER,
                          "-d", "postgres", "-t", "2"], capture_output=True, env=_pg_client_env())
    return res.returncode == 0


def _ensure_database(bindir: Path, port: int, dbname: str, log: Path) -> None:
    common = ["-h", HOST, "-p", str(port), "-U", DB_USER]
    exists = subprocess.run([str(bindir / "psql"), *common, "-d", "postgres", "-tAc",
                             f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"],
                            capture_output=True, text=True, env=_pg_client_env())
    if exists.returncode != 0:
        raise _failed("PostgreSQL ", log, f"无法查询数据库：{exists.stderr.strip()}")
    if exists.stdout.strip() == "1":
        return
    created = subprocess.run([str(bindir / "createdb"), *common, dbname], capture_output=True, text=True,
                             env=_pg_client_env())
    if created.returncode != 0:
        raise _failed("PostgreSQL ", log, f"无法创建数据库 {dbname}：{created.stderr.strip()}")


def start_postgres(directory: Path, port: int, *, durable: bool = True, timeout: float = 60.0,
                   dbname: str = DB_NAME) -> Service:
    """A PostgreSQL cluster in directory/postgres (created by initdb on first use, reused after),
    listening on 127.0.0.1:port only, no Unix socket; database `dbname` owned by superuser `zwgk`.
    durable=False turns fsync off (tests: faster, and a crash may lose the cluster)."""
    directory = directory.absolute()
    data = directory / "postgres"
    log = directory / "postgres.log"
    version_file = data / "PG_VERSION"
    bindir = postgres_bindir(version_file.read_text().strip() if version_file.exists() else None)
    if not port_free(port):
        raise ServiceError(f"端口 {HOST}:{port} 已被占用：用 --pg-port 指定其他端口。")
    runas = _RunAs.detect()
    directory.mkdir(parents=True, exist_ok=True)
    if os.getuid() == 0:                  # the postgres user must be able to pass through `directory`
        directory.chmod(directory.stat().st_mode | 0o011)
    _prepare_data_dir(data, runas)
    if not version_file.exists():
        init = runas.run([str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust", "--no-locale",
                          "-E", "UTF8", *([] if durable else ["--no-sync"])], cwd=data)
        if init.returncode != 0:
            raise ServiceError(f"initdb 失败（{data}）：{(init.stderr or init.stdout).strip()[-800:]}")
    settings = {"listen_addresses": HOST, "unix_socket_directories": "", "logging_collector": "off"}
    if not durable:
        settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
    args = [*runas.prefix, str(bindir / "postgres"), "-D", str(data), "-p", str(port)]
    for key, value in settings.items():
        args += ["-c", f"{key}={value}"]
    with open(log, "ab") as out:
        if os.getuid() == 0:
            os.chown(log, runas.uid, runas.gid)
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, cwd=data, env=runas.env)
    try:
        _wait_ready(lambda: pg_ready(bindir, port), proc, "PostgreSQL ", log, timeout)
        _ensure_database(bindir, port, dbname, log)
        pid = _postmaster_pid(data) or proc.pid      # runuser forks: the postmaster file knows the server
    except ServiceError:
        _kill_child(proc)
        raise
    ticks = _start_ticks(pid)
    assert ticks is not None
    return Service("postgres", pid, ticks, port, postgres_url(port, dbname), str(log))


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --- the service directory (zwgk services start|stop|status) ---------------------------------------

STARTERS = {"redis": start_redis, "postgres": start_postgres}


def _read_state(directory: Path) -> dict[str, Service]:
    try:
        raw = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ServiceError(f"无法读取 {directory / STATE_FILE}：{exc}") from None
    return {name: Service(**entry) for name, entry in raw.get("services", {}).items()}


def _write_state(directory: Path, services: dict[str, Service]) -> None:
    path = directory / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"services": {n: asdict(s) for n, s in services.items()}}, indent=2), encoding="utf-8")
    tmp.replace(path)


def _choose_port(name: str, wanted: int | None, recorded: Service | None) -> int:
    if wanted:
        return wanted
    if recorded is not None:
        return recorded.port               # a restart keeps the URLs the workers were given
    return DEFAULT_PORTS[name] if port_free(DEFAULT_PORTS[name]) else free_port()


@dataclass
class StartResult:
    services: dict[str, Service]
    started: list[str]                     # names started by this call (the others were running)
    seconds: dict[str, float]              # how long each start took, until it answered


def start_services(directory: Path, *, redis_port: int | None = None, pg_port: int | None = None,
                   durable: bool = True, names: Iterable[str] = ("redis", "postgres")) -> StartResult:
    """Start what is not already running from `directory` (data reused); record the PIDs."""
    directory.mkdir(parents=True, exist_ok=True)
    state = _read_state(directory)
    wanted = {"redis": redis_port, "postgres": pg_port}
    result = StartResult({}, [], {})
    for name in names:
        recorded = state.get(name)
        if recorded is not None and _alive(recorded):
            if wanted[name] and wanted[name] != recorded.port:
                raise ServiceError(f"{recorded.label} 已在端口 {recorded.port} 运行；先 zwgk services stop 再换端口。")
            result.services[name] = recorded
            continue
        began = time.monotonic()
        try:
            svc = STARTERS[name](directory, _choose_port(name, wanted[name], recorded), durable=durable)
        except ServiceError:
            for started in result.started:     # leave nothing half-started by this call
                stop_service(result.services[started])
                state.pop(started, None)
            _write_state(directory, state)
            raise
        result.seconds[name] = time.monotonic() - began
        result.services[name] = state[name] = svc
        result.started.append(name)
        _write_state(directory, state)
    return result


def stop_services(directory: Path) -> list[tuple[Service, bool]]:
    """Stop the processes recorded in `directory` (only those); (service, was running) each."""
    # the records stay: status says "not running", and the next start reuses the same ports
    return [(svc, stop_service(svc)) for svc in _read_state(directory).values()]


@dataclass
class Status:
    service: Service
    running: bool          # the recorded process is alive
    answering: bool        # and answers (PING / pg_isready)


def services_status(directory: Path) -> list[Status]:
    out = []
    for svc in _read_state(directory).values():
        running = _alive(svc)
        answering = False
        if running:
            answering = redis_ping(svc.port) if svc.name == "redis" else _pg_answers(directory, svc.port)
        out.append(Status(svc, running, answering))
    return out


def _pg_answers(directory: Path, port: int) -> bool:
    version = directory / "postgres" / "PG_VERSION"
    try:
        return pg_ready(postgres_bindir(version.read_text().strip() if version.exists() else None), port)
    except ServiceError:
        return False
