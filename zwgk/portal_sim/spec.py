"""Site specs: what a simulated portal looks like, as data (YAML), validated strictly.

A spec says *what* the site holds (hosts, identity, columns with document counts, planted defects);
`plan.py` turns it into documents and URLs, deterministically for a given spec + seed + as_of.
Unknown keys are errors: a misspelt `defetcs:` must not silently give a clean site.
"""

from __future__ import annotations

import codecs
import dataclasses
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from zwgk.errors import ConfigError
from zwgk.portal_sim.catalogue import COLUMN_CATALOGUE, KIND_DEFAULTS

STYLES = ("trs", "hanweb")
KINDS = ("news", "notice", "policy", "interpretation", "normative", "doc", "system", "annual_report",
         "message", "guide", "index")
DIALECTS = ("govcn", "handan", "wuxi", "jiangyin", "ul")
GBK_FAMILY = ("gbk", "gb18030", "gb2312")


class SpecError(ConfigError):
    """A site spec is invalid; the message names the file and key."""


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    name: str
    slug: str
    kind: str
    area: str = "xxgk"
    parent: str | None = None
    docs: int = 0
    per_page: int = 15
    layout: str = "list"         # list (ul>li>a+span) | table (邯郸 名称|索引号|发布机构|发布日期)
    pager: str = "script"        # script: createPageHTML only (JS; Hanweb: datastore + dataproxy.jsp) |
                                 # links: also rendered <a> pager | jpaas: list from a JSON API (TRS) |
                                 # browser: list built by inline JS (TRS) | text: the count only in 共N页
                                 # text (TRS) | gkmlpt: Guangdong's 公开目录 JSON API (TRS) |
                                 # uid: ?uid=&pageNum= server-rendered pages (Hanweb) | more: page 1 in
                                 # markup with 共N条, the rest added by inline JS (TRS; browser only)
    total: str = "default"       # where the list states its size: default (as the pager/CMS does) |
                                 # script (Hanweb: only in the jpage({totalRecord}) call) | none (nowhere:
                                 # adapters must probe page after page)
    prev_next: bool = False      # detail pages link 上一篇/下一篇 (plain links: gives crawl depth)
    interval: float = 30.0       # mean days between documents
    newest: int = 5              # days between as_of and the newest document
    on_home: str | None = None   # news | notice | tab: shown in a homepage block
    dialects: tuple[str, ...] = ()   # metadata header dialects, cycled per document; () = style default


@dataclass(frozen=True)
class DefectSpec:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratedColumns:
    """Many same-shaped columns (the bench shape); their doc counts come from `--pages N`."""

    count: int
    per_page: int = 20
    docs: int = 0
    parent: str = "gk.statutory"
    pager: str = "links"
    interval: float = 3.0


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    short_name: str
    hosts: dict[str, str]                    # role ("main", "xxgk") -> hostname
    site_id_code: str
    style: str = "trs"
    encoding: str = "utf-8"
    declared_charsets: tuple[str, ...] = ()  # what GBK-family pages claim in <meta>; varies per page
    gbk_paths: tuple[str, ...] = ()          # path prefixes served as GBK on a UTF-8 site
    seed: int = 1
    as_of: date = date(2026, 11, 22)
    sponsor: str = ""                        # 主办单位
    org_code: str = "000014348"              # 索引号 prefix
    phone: str = "0310-0000000"
    address: str = ""
    icp: str = "ICP备00000000号"
    psb: str = "公网安备 00000002000000号"
    robots: dict[str, str] = field(default_factory=dict)   # role or hostname -> robots.txt text
    columns: tuple[ColumnSpec, ...] = ()
    generated: GeneratedColumns | None = None
    defects: tuple[DefectSpec, ...] = ()
    ipv6: str = "same"                       # per-family content hook; only "same" implemented
    hanweb: dict[str, int] = field(default_factory=dict)   # webid, unitid, col_base, id_base
    id_base: int = 3051000                   # first document id (TRS t<date>_<id>)

    @property
    def main_host(self) -> str:
        return self.hosts["main"]

    @property
    def xxgk_host(self) -> str:
        return self.hosts.get("xxgk", self.hosts["main"])

    def column(self, key: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.key == key), None)

    def with_changes(self, **changes: Any) -> SiteSpec:
        return dataclasses.replace(self, **changes)


def _fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _check_keys(where: str, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _column(where: str, raw: dict[str, Any]) -> ColumnSpec:
    if "key" not in raw:
        raise SpecError(f"{where}: a column needs `key`")
    _check_keys(where, raw, _fields(ColumnSpec))
    base = dict(COLUMN_CATALOGUE.get(raw["key"], {}))
    kind = raw.get("kind", base.get("kind"))
    if kind not in KINDS:
        raise SpecError(f"{where}: column {raw['key']!r} needs a `kind` from {KINDS} (got {kind!r})")
    merged = {**KIND_DEFAULTS.get(kind, {}), **base, **raw, "kind": kind}
    for needed in ("name", "slug"):
        if needed not in merged:
            raise SpecError(f"{where}: column {raw['key']!r} is not in the catalogue; give `{needed}`")
    if "dialects" in merged:
        merged["dialects"] = tuple(merged["dialects"])
        bad = set(merged["dialects"]) - set(DIALECTS)
        if bad:
            raise SpecError(f"{where}: unknown metadata dialect(s) {sorted(bad)}; known: {DIALECTS}")
    for opt, allowed in (("layout", ("list", "table")), ("total", ("default", "script", "none")),
                         ("pager", ("script", "links", "jpaas", "browser", "text", "gkmlpt", "uid", "more"))):
        if merged.get(opt, allowed[0]) not in allowed:
            raise SpecError(f"{where}: `{opt}` must be one of {allowed}")
    return ColumnSpec(**merged)


def _defect(where: str, raw: dict[str, Any]) -> DefectSpec:
    from zwgk.portal_sim.defects import DEFECTS  # late import: defects depends on the plan model

    kind = raw.get("kind")
    if kind not in DEFECTS:
        raise SpecError(f"{where}: unknown defect kind {kind!r}; known: {', '.join(sorted(DEFECTS))}")
    return DefectSpec(kind=kind, params={k: v for k, v in raw.items() if k != "kind"})


def spec_from_dict(data: dict[str, Any], *, where: str = "spec", key: str | None = None,
                   as_of: date | None = None) -> SiteSpec:
    allowed = _fields(SiteSpec) - {"generated"} | {"generated_columns"}
    _check_keys(where, data, allowed)
    data = dict(data)
    if data.get("style", "trs") not in STYLES:
        raise SpecError(f"{where}: style must be one of {STYLES}")
    hosts = data.get("hosts")
    if not isinstance(hosts, dict) or "main" not in hosts:
        raise SpecError(f"{where}: `hosts` needs at least `main: www.<name>.gov.cn`")
    code = str(data.get("site_id_code", ""))
    if len(code) != 10:
        raise SpecError(f"{where}: site_id_code must have 10 characters (6-digit area code + 4 digits)")
    if not data.get("name"):
        raise SpecError(f"{where}: `name` (e.g. 某某县人民政府) is required")
    try:
        codecs.lookup(str(data.get("encoding", "utf-8")))
    except LookupError:
        raise SpecError(f"{where}: unknown encoding {data.get('encoding')!r}") from None
    if data.get("ipv6", "same") != "same":
        raise SpecError(f"{where}: ipv6 content variants are not implemented yet (only `same`)")
    cols = tuple(_column(f"{where}: columns[{i}]", c) for i, c in enumerate(data.pop("columns", [])))
    dup = {c.key for c in cols if sum(d.key == c.key for d in cols) > 1}
    if dup:
        raise SpecError(f"{where}: duplicate column key(s) {sorted(dup)}")
    style = data.get("style", "trs")
    for pagers, needs in ((("jpaas", "browser", "text", "gkmlpt", "more"), "trs"), (("uid",), "hanweb")):
        wrong = [c.key for c in cols if c.pager in pagers and style != needs]
        if wrong:
            raise SpecError(f"{where}: `pager: {'|'.join(pagers)}` columns are {needs}-style pages "
                            f"({', '.join(wrong)})")
    wrong = [c.key for c in cols if c.total == "script" and (style != "hanweb" or c.pager != "script")]
    if wrong:
        raise SpecError(f"{where}: `total: script` is the Hanweb jpage() call ({', '.join(wrong)})")
    gen = data.pop("generated_columns", None)
    if gen is not None:
        _check_keys(f"{where}: generated_columns", gen, _fields(GeneratedColumns))
        gen = GeneratedColumns(**gen)
    defects = tuple(_defect(f"{where}: defects[{i}]", d) for i, d in enumerate(data.pop("defects", [])))
    for name in ("declared_charsets", "gbk_paths"):
        if name in data:
            data[name] = tuple(data[name])
    data["site_id_code"] = code
    if as_of is not None:
        data["as_of"] = as_of
    if isinstance(data.get("as_of"), str):
        data["as_of"] = date.fromisoformat(data["as_of"])
    data.setdefault("key", key or hosts["main"])
    data.setdefault("short_name", str(data.get("name", "")).removesuffix("人民政府"))
    return SiteSpec(columns=cols, generated=gen, defects=defects, **data)


def load_spec(path: str | Path, *, as_of: date | None = None) -> SiteSpec:
    """Load a YAML site spec; the file stem is the site key (e.g. `example-a`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read site spec: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a site spec is a YAML mapping")
    return spec_from_dict(data, where=str(path), key=path.stem, as_of=as_of)
