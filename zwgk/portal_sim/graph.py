"""Walk a built Site the way the crawler does (links.CRAWL_RULE) and record the link graph.

Works on canonical URLs (http://host/path, no port) and asks `Site.respond` for every request, i.e.
the same dispatcher the server uses; `truth.py` turns the graph into the published answer key.
Three rules: plain links only (adapters=False), plus what the fast-path adapters follow (the
script links each list page declares, the default), plus links only a browser sees (render=True).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from protego import Protego

from zwgk.portal_sim.links import (
    MAX_REDIRECTS,
    REDIRECT_CODES,
    TRAP_BUDGET,
    URL_LIMIT,
    extract_links,
    is_attachment,
)
from zwgk.portal_sim.model import Request, Resource, ScriptLink, Site

MAX_LIST_PAGES = 50        # crawl.max_list_pages default: pages per column followed through a script pager


@dataclass
class Fetched:
    url: str
    depth: int
    status: int | None = None
    error: str | None = None            # dns (host does not resolve)
    resource: Resource | None = None
    location: str | None = None         # absolute canonical redirect target
    method: str = "GET"
    via: str = ""                       # for listings: the adapter that requests it


@dataclass
class AttachmentCheck:
    url: str
    depth: int
    status: int
    head_status: int
    content_type: str


@dataclass
class Edge:
    source: str
    target: str
    kind: str            # page | attachment | external | not_followed | robots | redirect | listing |
                         # invalid (no browser can open it) | too_long | trap (over a trap budget)
    hidden: bool = False
    visible: bool = False
    scheme: str = "http"


@dataclass
class CrawlGraph:
    start: str
    pages: dict[str, Fetched] = field(default_factory=dict)
    attachments: dict[str, AttachmentCheck] = field(default_factory=dict)
    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    robots_blocked: dict[str, int] = field(default_factory=dict)      # url -> depth it was met at
    listings: dict[str, Fetched] = field(default_factory=dict)       # list API answers (fast-path rule)
    trap_admitted: dict[str, set[str]] = field(default_factory=dict)  # trap label -> URLs requested
    trap_cut: dict[str, set[str]] = field(default_factory=dict)       # trap label -> URLs over its budget


@lru_cache(maxsize=65536)
def split(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path or "/", parts.query


def crawl(site: Site, *, adapters: bool = True, render: bool = False,
          max_list_pages: int = MAX_LIST_PAGES) -> CrawlGraph:
    """adapters: follow what list pages' scripts load (Resource.scripted: pager pages, records, list
    APIs); render: also the links only a browser sees (Resource.rendered)."""
    served, same_site = set(site.hosts), set(site.hosts) | set(site.dead_hosts)
    robots = {h: Protego.parse(text) for h, text in site.robots.items()}
    graph = CrawlGraph(start=f"http://{site.spec.main_host}/")
    # (url, depth, the list API request when the entry is one); 0-1 BFS: same-level hops go first
    queue: deque[tuple[str, int, ScriptLink | None]] = deque([(graph.start, 0, None)])

    def edge(source: str, target: str, kind: str, hidden: bool = False, scheme: str = "http") -> None:
        e = graph.edges.setdefault((source, target), Edge(source, target, kind, scheme=scheme))
        e.hidden |= hidden
        e.visible |= not hidden

    def trapped(source: str, target: str, hidden: bool) -> bool:
        """Rule 2e: a URL of a crawl-trap pattern beyond that pattern's budget is not requested."""
        for label, pattern in site.trap_patterns:
            if pattern.search(target):
                admitted = graph.trap_admitted.setdefault(label, set())
                if target in admitted or target in graph.pages:
                    return False
                if len(admitted) >= TRAP_BUDGET:
                    graph.trap_cut.setdefault(label, set()).add(target)
                    edge(source, target, "trap", hidden)
                    return True
                admitted.add(target)
                return False
        return False

    def follow(source: str, target: str, depth: int, hidden: bool, *, redirect: bool = False,
               script: ScriptLink | None = None) -> None:
        """Classify one same-site-or-not http URL met at `depth` (the depth the target would get)."""
        host = split(target)[0]
        if host not in same_site:
            edge(source, target, "external", hidden)
            return
        if len(target) > URL_LIMIT:
            edge(source, target, "too_long", hidden)
            return
        parser = robots.get(host)
        if parser is not None and not parser.can_fetch(target, "*"):
            edge(source, target, "robots", hidden)
            graph.robots_blocked[target] = min(depth, graph.robots_blocked.get(target, depth))
            return
        if is_attachment(target):
            edge(source, target, "attachment", hidden)
            if target not in graph.attachments:
                graph.attachments[target] = check_attachment(site, target, depth)
            graph.attachments[target].depth = min(depth, graph.attachments[target].depth)
            return
        listing = script is not None and script.kind == "listing"
        if script is None and not redirect and trapped(source, target, hidden):
            return
        edge(source, target, "redirect" if redirect else "listing" if listing else "page", hidden)
        if redirect or (script is not None and script.same_level):
            queue.appendleft((target, depth, script if listing else None))   # same depth (0-1 BFS)
        else:
            queue.append((target, depth, script if listing else None))

    def follow_scripts(url: str, res: Resource, depth: int) -> None:
        for sl in res.scripted:
            if sl.page <= max_list_pages:
                follow(url, sl.url, depth if sl.same_level else depth + 1, False, script=sl)

    while queue:
        url, depth, api = queue.popleft()
        if url in (graph.listings if api else graph.pages):
            continue
        host, path, query = split(url)
        got = Fetched(url, depth)
        if api is not None:
            # a list API answer: its records are documents one level down
            got.method, got.via = api.method, api.via
            graph.listings[url] = got
            res = site.respond(Request(api.method, host, path, query, api.form.encode()))
            got.status, got.resource = res.status, res
            if res.status == 200:
                follow_scripts(url, res, depth)
            continue
        graph.pages[url] = got
        if host not in served:
            got.error = "dns"
            continue
        res = site.respond(Request("GET", host, path, query))
        got.status, got.resource = res.status, res
        if res.status in REDIRECT_CODES and res.location:
            got.location = urljoin(url, res.location)
            follow(url, got.location, depth, False, redirect=True)
        elif res.status == 200 and res.content_type == "text/html":
            for link in extract_links(res.body, res.charset or "utf-8", url):
                if link.scheme == "invalid":
                    edge(url, link.url, "invalid", link.hidden, link.scheme)
                elif link.scheme not in ("http", "https"):
                    edge(url, link.url, "not_followed", link.hidden, link.scheme)
                else:
                    follow(url, link.url, depth + 1, link.hidden)
            if adapters:
                follow_scripts(url, res, depth)
            if render:
                for target in res.rendered:
                    follow(url, target, depth + 1, False)
    return graph


def check_attachment(site: Site, url: str, depth: int) -> AttachmentCheck:
    """HEAD, and GET when HEAD is refused with 405 (what a careful link checker does)."""
    host, path, query = split(url)
    res = site.respond(Request("HEAD", host, path, query))
    head = res.head_status or res.status
    status = head
    if head == 405:
        status = site.respond(Request("GET", host, path, query)).status
    return AttachmentCheck(url, depth, status, head, res.content_type)


def redirect_chain(graph: CrawlGraph, url: str, limit: int = MAX_REDIRECTS) -> tuple[list[str], str | None, str | None]:
    """(hops from url, final url or None, error) following recorded redirects."""
    chain, current = [url], url
    while True:
        got = graph.pages.get(current)
        if got is None or got.location is None:
            return chain, current, None
        nxt = got.location
        if nxt in chain:
            return [*chain, nxt], None, "redirect_loop"
        if len(chain) > limit:
            return chain, None, "too_many_redirects"
        chain.append(nxt)
        if nxt not in graph.pages:          # left the site, or robots-blocked
            return chain, nxt, None
        current = nxt
