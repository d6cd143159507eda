"""The inspection config (DESIGN §4): load, validate, and explain mistakes by key and line."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from zwgk.errors import ConfigError

DEFAULT_TIMEZONE = "Asia/Shanghai"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")   # a misspelt key is an error, not a silent default


class CrawlSettings(_Strict):
    max_pages: int = Field(5000, ge=1)
    max_depth: int = Field(8, ge=0)
    max_seconds: float = Field(3600, gt=0, description="wall-clock cap per site")
    concurrency_per_site: int = Field(4, ge=1, le=64)
    delay: float = Field(0.25, ge=0)
    render_js: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: render pages whose list only a script builds; always: every page; never")
    paging_adapters: bool = Field(True, description="follow script pagers and list APIs (TRS, Hanweb, jpaas)")
    max_list_pages: int = Field(50, ge=1, description="pages per column followed through a script pager")
    respect_robots: bool = True
    timeout: float = Field(20, gt=0)
    retries: int = Field(1, ge=0, le=5)
    user_agent: str | None = None
    # The browser path (one Chromium for the whole run: these are read from the inspection-wide
    # `crawl:`, per-site overrides do not apply). Never downloaded: Debian's chromium or one on PATH.
    browser_path: str | None = Field(None, description="Chromium executable (default: chromium/google-chrome on PATH)")
    browser_contexts: int = Field(2, ge=1, le=16, description="browser contexts open at once")
    browser_pages_per_context: int = Field(2, ge=1, le=16, description="pages rendering at once per context")
    browser_recycle_pages: int = Field(50, ge=1, description="a fresh browser context every N rendered pages")
    browser_timeout: float = Field(30, gt=0, description="seconds for a page to load in the browser")
    screenshots: bool = Field(True, description="evidence screenshots of failing checks (needs the browser)")
    max_screenshots: int = Field(12, ge=0, le=500, description="screenshots per site at most")


class NetworkSettings(_Strict):
    dns_servers: list[str] = Field(default_factory=list)
    ipv6: bool = True

    @field_validator("dns_servers")
    @classmethod
    def _servers(cls, value: list[str]) -> list[str]:
        for item in value:
            parse_server(item)   # raises ValueError with a readable message
        return value


class ScoringSettings(_Strict):
    profile: str = "national-2019"
    thresholds: dict[str, Any] = Field(default_factory=dict)


class DistributedSettings(_Strict):
    """DESIGN §10: a shared request queue (scrapy-redis) and store (PostgreSQL) for many workers."""
    queue: str | None = Field(None, description="redis://HOST:PORT/DB")
    store: str | None = Field(None, description="postgresql://USER@HOST/DB")


class SiteConfig(_Strict):
    name: str = Field(min_length=1)
    url: str
    unit: str = ""
    hosts: list[str] = Field(default_factory=list, description="extra hosts of the same site (xxgk. subdomain)")
    crawl: dict[str, Any] = Field(default_factory=dict, description="per-site overrides of the crawl settings")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        check_url(value)
        return value

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def all_hosts(self) -> list[str]:
        return sorted({self.host, *(h.lower() for h in self.hosts)})


class Inspection(_Strict):
    name: str = "政府网站检查"
    # None (absent, `as_of:` left empty, a self-check without --as-of) becomes today in `timezone`
    # (_today below): after validation it is always a date
    as_of: date | None = Field(None, description="the date freshness and deadlines are judged against "
                                              "(default: today in `timezone`)")
    timezone: str = Field(DEFAULT_TIMEZONE, description="how times are shown and what 'today' means")
    ledger: str | list[str] | None = None
    sites: list[SiteConfig] = Field(min_length=1)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    scoring: ScoringSettings = Field(default_factory=ScoringSettings)
    waivers: str | None = None
    checks: dict[str, Any] = Field(default_factory=dict, description="options for checks, e.g. content_terms")
    distributed: DistributedSettings | None = None

    # set by the loader, not by the file
    base_dir: Path = Field(default=Path("."), exclude=True)
    digest: str = Field(default="", exclude=True)
    _source: Path | None = PrivateAttr(default=None)        # the YAML file, for messages
    _node: Any = PrivateAttr(default=None)                   # its composed tree: key → line

    def where(self, key: str) -> str:
        """"file: key（第 N 行 / line N）" for a dotted key ("scoring.profile", "sites.0.crawl")."""
        loc = tuple(int(p) if p.isdigit() else p for p in key.split("."))
        line = _line_of(self._node, loc) if self._node is not None else None
        file = f"{self._source}: " if self._source else ""
        return f"{file}{key}" + (f"（第 {line} 行 / line {line}）" if line else "")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        zone_info(value)   # raises ValueError with a readable message
        return value

    @model_validator(mode="after")
    def _today(self) -> Inspection:
        if self.as_of is None:   # "today" is the inspection's day, not the machine's UTC day
            self.as_of = datetime.now(zone_info(self.timezone)).date()
        return self

    @property
    def tz(self) -> ZoneInfo:
        return zone_info(self.timezone)

    @property
    def ledgers(self) -> list[Path]:
        items = [self.ledger] if isinstance(self.ledger, str) else (self.ledger or [])
        return [self.resolve(p) for p in items]

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    def site_crawl(self, site: SiteConfig) -> CrawlSettings:
        """The crawl settings for one site: inspection-wide values with the site's overrides on top."""
        merged = {**self.crawl.model_dump(), **site.crawl}
        try:
            return CrawlSettings(**merged)
        except ValidationError as exc:
            raise ConfigError(f"站点「{site.name}」的 crawl 设置无效 / invalid per-site crawl settings: "
                              f"{_first_error(exc)}") from None


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"未知时区 / unknown time zone: {name!r}（如 Asia/Shanghai）") from None


_SERVER = re.compile(r"^\[?(?P<host>[0-9a-fA-F:.]+?)\]?(?::(?P<port>\d{1,5}))?$")


def parse_server(text: str) -> tuple[str, int]:
    """'127.0.0.1:5353' / '[::1]:53' / '10.0.0.1' → (ip, port)."""
    text = text.strip()
    if text.count(":") > 1 and not text.startswith("["):   # bare IPv6 address, no port
        return text, 53
    m = _SERVER.match(text)
    if not m:
        raise ValueError(f"DNS 服务器地址无效 / bad DNS server address: {text!r} (expected IP[:port])")
    return m.group("host"), int(m.group("port") or 53)


def check_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"网址无效 / bad URL: {value!r} (expected http(s)://host/...)")


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk the composed YAML tree along a pydantic error location; return a 1-based line."""
    best = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, v in node.value if k.value == part), None)
            if nxt is None:
                return best
            best = (key or nxt).start_mark.line + 1
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            best = node.start_mark.line + 1
        else:
            return best
    return best


class ConfigLoader(yaml.SafeLoader):
    """YAML as the config files use it, but dates stay text: pydantic parses them and names the key
    and line of a bad one (`as_of: 2026-13-45`), where PyYAML would raise a bare ValueError."""


ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def yaml_load(text: str) -> tuple[Any, yaml.Node | None]:
    """(data, composed node for line numbers) with ConfigLoader."""
    return yaml.load(text, Loader=ConfigLoader), yaml.compose(text, Loader=ConfigLoader)


def error_message(err: dict[str, Any]) -> str:
    """A pydantic error for people (Chinese first)."""
    msg = str(err["msg"]).replace("Value error, ", "")
    if err["type"] == "extra_forbidden":
        return "未知配置项 / unknown key"
    if err["type"] == "missing":
        return "缺少必填项 / required key missing"
    if str(err["type"]).startswith("date"):
        return f"日期无效，应为 YYYY-MM-DD 的有效日期 / invalid date {err.get('input')!r}: {msg}"
    return msg


def load_inspection(path: str | Path) -> Inspection:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"找不到检查配置文件 / config file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
        data, node = yaml_load(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: 配置文件须为 UTF-8 编码 / config must be UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行 / line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: YAML 语法错误 / YAML syntax error {where}: "
                          f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: 配置应为键值映射（name、sites、crawl …） / expected a mapping at top level")
    try:
        insp = Inspection(**data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"])
            line = _line_of(node, loc)
            key = ".".join(str(p) for p in loc) or "(top)"
            msg = error_message(err)
            lines.append(f"  {key}{f'（第 {line} 行 / line {line}）' if line else ''}: {msg}")
        raise ConfigError(f"{path}: 配置无效 / invalid config:\n" + "\n".join(lines)) from None
    insp.base_dir = path.parent.resolve()
    insp.digest = "sha256:" + hashlib.sha256(raw).hexdigest()[:16]
    insp._source, insp._node = path, node
    return insp


def inspection_for_url(url: str, **crawl: Any) -> Inspection:
    """A one-site inspection with default settings (zwgk check URL)."""
    try:
        check_url(url)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    host = urlsplit(url).hostname or url
    return Inspection(name=f"{host} 自查", sites=[SiteConfig(name=host, url=url)], crawl=CrawlSettings(**crawl))
