"""The built site: columns and documents (what it says) and resources (what it serves).

`Site.respond` is the one dispatcher: the HTTP server, the static writer and the ground-truth BFS
all go through it, so what is served and what truth assumes cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zwgk.portal_sim.spec import ColumnSpec, SiteSpec


@dataclass
class Link:
    """An extra link planted on a page. `url` is canonical (http://host/path) or a non-http scheme."""

    url: str
    text: str
    hidden: str = ""      # "" visible | "style" (display:none) | "attr" (hidden attribute) | "comment" (<!-- -->)
    note: str = ""        # the defect kind that planted it


@dataclass
class Attachment:
    host: str
    path: str
    label: str
    ext: str
    status: int = 200
    head_status: int | None = None   # e.g. 405: a client must fall back to GET


@dataclass(eq=False)
class Column:
    spec: ColumnSpec
    host: str = ""
    dir: str = ""                  # URL path links use (TRS "/zwdt/"; Hanweb ".../index.html")
    index_path: str = ""           # the file that answers page 1
    colid: int = 0                 # Hanweb column id
    docs: list[Doc] = field(default_factory=list)        # newest first
    children: list[Column] = field(default_factory=list)
    parent: Column | None = None
    list_paths: list[str] = field(default_factory=list)  # every list page the style writes

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def colid_text(self) -> str:
        """The column id a list API names it by (Hanweb/gkmlpt ids; a TRS column's slug)."""
        return str(self.colid) if self.colid else self.spec.slug.replace("/", "_")

    def trail(self) -> list[Column]:
        """Ancestors then self (breadcrumb order, root first)."""
        out, col = [], self
        while col is not None:
            out.append(col)
            col = col.parent
        return out[::-1]


@dataclass(eq=False)
class Doc:
    id: int
    column: Column
    kind: str
    title: str
    date: date
    seq: int = 0                   # position in its column, newest = 0
    host: str = ""
    path: str = ""
    dialect: str = ""
    fields: dict[str, str] = field(default_factory=dict)   # metadata label -> value
    meta_state: dict[str, str] = field(default_factory=dict)   # canonical field -> absent|empty|commented
    attachments: list[Attachment] = field(default_factory=list)
    related: list[Doc] = field(default_factory=list)       # policy -> 解读s, 解读 -> policy
    backlink: bool = True          # a 解读 renders its 相关文件 link
    links: list[Link] = field(default_factory=list)
    malformed: bool = False
    extra: dict[str, object] = field(default_factory=dict)   # kind-specific (留言 answer, year ...)

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


@dataclass(frozen=True)
class ScriptLink:
    """A request a page's own scripts make (what a browser loads beyond the plain links): a TRS pager
    page, a Hanweb record or dataproxy.jsp group, a jpaas list API. The style that writes the script
    declares it here, so the truth's fast-path rule (links.CRAWL_RULE 2b) never parses JavaScript."""

    url: str                        # canonical http://host/path?query
    kind: str = "page"              # page | listing (an API answer holding records)
    method: str = "GET"
    form: str = ""                  # urlencoded POST body (Hanweb dataproxy.jsp)
    same_level: bool = False        # list page N / a list API answer is a sibling of page 1
    via: str = ""                   # trs_pager | hanweb_records | hanweb_dataproxy | jpaas_api | listing
    page: int = 1                   # first list page it loads (the crawler follows max_list_pages of them)


@dataclass
class Resource:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html"
    charset: str | None = None      # the codec the body is encoded in
    header_charset: bool = True     # send "; charset=" in Content-Type
    location: str | None = None     # redirect target (path or absolute URL)
    delay: float = 0.0              # seconds to sleep before answering
    drip: float = 0.0               # seconds between bytes of the body (a slow-drip answer)
    head_status: int | None = None  # HEAD answers this status instead (405 Method Not Allowed)
    kind: str = "page"              # page | attachment | robots | asset | error | xml | json
    dynamic: bool = False           # produced by a handler; skipped by the static writer
    scripted: tuple[ScriptLink, ...] = ()   # requests the page's list scripts make (fast-path rule)
    rendered: tuple[str, ...] = ()  # canonical URLs of links only a browser sees (built by inline JS)

    def content_type_header(self) -> str:
        if self.charset and self.header_charset:
            return f"{self.content_type}; charset={self.charset}"
        return self.content_type


@dataclass(frozen=True)
class Request:
    method: str
    host: str
    path: str
    query: str = ""
    body: bytes = b""
    family: str = "v4"              # v4 | v6


Handler = Callable[["Site", Request, "re.Match[str]"], Resource | None]


@dataclass
class Route:
    pattern: re.Pattern[str]
    handler: Handler
    methods: tuple[str, ...] = ("GET", "HEAD")


FamilyHook = Callable[[Request, Resource], Resource]


def same_for_all_families(request: Request, resource: Resource) -> Resource:
    """Default per-family hook: ::1 and 127.0.0.1 see the same bytes (spec `ipv6: same`)."""
    return resource


@dataclass(eq=False)
class Site:
    spec: SiteSpec
    columns: dict[str, Column] = field(default_factory=dict)
    docs: list[Doc] = field(default_factory=list)
    home_links: list[Link] = field(default_factory=list)     # planted extras on the homepage
    dead_hosts: list[str] = field(default_factory=list)       # same-site names that do not resolve
    resources: dict[tuple[str, str], Resource] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    robots: dict[str, str] = field(default_factory=dict)     # host -> robots.txt text
    planted: list[dict[str, object]] = field(default_factory=list)   # what defects did (for truth)
    knobs: dict[str, object] = field(default_factory=dict)           # defect knobs read by the planner
    trap_patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)   # (label, URL regex)
    family_hook: FamilyHook = same_for_all_families
    not_found: Resource | None = None

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def hosts(self) -> list[str]:
        return list(dict.fromkeys(self.spec.hosts.values()))

    def column(self, key: str) -> Column | None:
        return self.columns.get(key)

    def add(self, host: str, path: str, resource: Resource) -> None:
        self.resources[(host, path)] = resource

    def lookup(self, host: str, path: str) -> Resource | None:
        """Static lookup; a directory answers with its index.html, as nginx does."""
        if path.endswith("/"):
            path += "index.html"
        return self.resources.get((host, path))

    def respond(self, request: Request) -> Resource:
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match and request.method in route.methods:
                found = route.handler(self, request, match)
                if found is not None:
                    return self.family_hook(request, found)
        resource = self.lookup(request.host, request.path)
        if resource is None:
            resource = self.not_found or Resource(status=404, body=b"Not Found", content_type="text/plain")
        elif request.method not in ("GET", "HEAD"):
            resource = Resource(status=405, body=b"Method Not Allowed", content_type="text/plain")
        return self.family_hook(request, resource)
