"""Ground truth for a built site, derived from its served link graph (never hand-maintained).

`build_truth(site, base_urls)` walks the site with the crawl rule (links.CRAWL_RULE: plain links plus
the fast-path adapters by default; adapters=False is the plain rule, render=True adds what only a
browser sees) and reports every URL with the origin it is served on (base_urls: host ->
"http://host:port"). Keys:

  pages             url -> {status, depth, role, charset?, header_charset?, delay?, redirects?, final?,
                            final_status?, error?, hidden_only?, hop_only?}  every same-site non-attachment
                    request; hop_only: reached only as a redirect hop (a crawler that follows redirects
                    inside one record never lists it); status is the first response's (301 …),
                    final_status the status after redirects
  attachments       url -> {status (after HEAD->GET fallback), head_status, depth, content_type}
  broken            [{source, target, status, error}]  link targets ending >= 400 or in an error
  hidden_links      [{source, target, kind}]           links inside hidden markup (followed anyway)
  listings          url -> {status, depth, method, via}  list API answers the adapters request (not pages)
  rule              {adapters, render, max_list_pages}   which crawl rule the key is for
  external / not_followed / robots_disallowed          [{source, target(, scheme)}]
  invalid           [{source, target}]                 hrefs no browser can open (rule 2d), never requested
  unchecked         [{source, target, why}]            real addresses not requested: too_long (rule 2d),
                                                        trap (over a trap budget, rule 2e)
  trap_budgets      [{pattern, requested, cut}]        each trap pattern: URLs requested (= TRAP_BUDGET
                                                        when it is endless), URLs left unrequested
  encodings         url -> codec of each HTML page;  depth: url -> link distance from /
  documents/columns what the site holds (reachable or not), metadata as a reader sees it
  findings          check id -> expected findings, each {url, target, …} as the check keys it
                    (expected.py: every check id of DESIGN §6, derived from the site as served)
  planted, traps    what the spec's defects did; the crawl trap is never expanded (robots.txt)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zwgk.portal_sim.dns import records_for
from zwgk.portal_sim.expected import expected_findings
from zwgk.portal_sim.graph import MAX_LIST_PAGES, CrawlGraph, crawl, redirect_chain
from zwgk.portal_sim.links import CRAWL_RULE, REDIRECT_CODES
from zwgk.portal_sim.metadata import visible_metadata
from zwgk.portal_sim.model import Doc, Site
from zwgk.portal_sim.rebase import Rebaser


def _visible_reach(graph: CrawlGraph) -> set[str]:
    """Pages reachable from / without ever following a link that is only in hidden markup."""
    nxt: dict[str, list[str]] = {}
    for e in graph.edges.values():
        if e.visible and e.kind in ("page", "redirect", "listing"):
            nxt.setdefault(e.source, []).append(e.target)
    seen, stack = {graph.start}, [graph.start]
    while stack:
        for t in nxt.get(stack.pop(), ()):
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return seen


def _outcome(graph: CrawlGraph, url: str) -> tuple[int | None, str | None]:
    """Final status / error of requesting url (after redirects)."""
    if url in graph.attachments:
        return graph.attachments[url].status, None
    _, final, error = redirect_chain(graph, url)
    if error:
        return graph.pages[url].status, error
    got = graph.pages.get(final or url)
    return (got.status, got.error) if got else (None, None)


def _role(site: Site, url: str, docs: dict[str, Doc], lists: dict[str, str], status: int | None) -> str:
    if url == f"http://{site.spec.main_host}/":
        return "home"
    if url in docs:
        return f"detail:{docs[url].kind}"
    if url in lists:
        return f"list:{lists[url]}"
    if status in REDIRECT_CODES:
        return "redirect"
    return "page" if status == 200 else "error"


def build_truth(site: Site, base_urls: dict[str, str] | None = None, *, extra_columns: Iterable[str] = (),
                dns: dict[str, dict[str, list[str]]] | None = None, adapters: bool = True, render: bool = False,
                max_list_pages: int = MAX_LIST_PAGES) -> dict[str, Any]:
    """The answer key; `extra_columns` are column keys a ledger asks for (column.missing), `dns` the
    records the resolver serves (default: every served host has A + AAAA); `adapters`/`render`/
    `max_list_pages` pick the crawl rule (crawl.paging_adapters, a working browser, crawl.max_list_pages)."""
    rb = Rebaser(base_urls or {h: f"http://{h}" for h in site.hosts})
    dns = records_for(site.hosts) if dns is None else dns
    u = rb.url
    graph = crawl(site, adapters=adapters, render=render, max_list_pages=max_list_pages)
    docs = {d.url: d for d in site.docs}
    lists = {f"http://{c.host}{p}": c.key for c in site.columns.values() for p in (c.dir, *c.list_paths)}
    visible = _visible_reach(graph)
    linked = {e.target for e in graph.edges.values() if e.kind == "page"} | {graph.start}

    pages: dict[str, dict[str, Any]] = {}
    for url, got in graph.pages.items():
        entry: dict[str, Any] = {"status": got.status, "depth": got.depth,
                                 "role": _role(site, url, docs, lists, got.status)}
        res = got.resource
        if got.error:
            entry["error"] = got.error
        if res is not None and res.status == 200 and res.content_type == "text/html":
            entry.update(charset=res.charset, header_charset=res.header_charset)
        if res is not None and res.delay:
            entry["delay"] = res.delay
        if res is not None and res.drip:
            entry["drip"] = round(res.drip * len(res.body), 1)     # seconds to send the whole body
        if got.location:
            chain, final, error = redirect_chain(graph, url)
            final_status = graph.pages[final].status if final in graph.pages else None
            entry.update(redirects=[u(x) for x in chain], final=u(final) if final else None,
                         final_status=final_status, error=error)
        if url not in visible:
            entry["hidden_only"] = True
        if url not in linked:       # requested only as a redirect hop (no <a> points at it)
            entry["hop_only"] = True
        pages[u(url)] = entry

    edges = sorted(graph.edges.values(), key=lambda e: (e.source, e.target))
    broken = []
    for e in edges:
        if e.kind in ("page", "attachment"):
            status, error = _outcome(graph, e.target)
            if error or (status is not None and status >= 400):
                broken.append({"source": u(e.source), "target": u(e.target), "status": status, "error": error})

    def pairs(kind: str, **extra: str) -> list[dict[str, str]]:
        return [{"source": u(e.source), "target": u(e.target), **{k: getattr(e, v) for k, v in extra.items()}}
                for e in edges if e.kind == kind]

    start = u(graph.start)
    truth: dict[str, Any] = {
        "schema": 1, "site": site.key, "name": site.spec.name, "style": site.spec.style,
        "as_of": site.spec.as_of.isoformat(), "start": start,
        "hosts": {h: rb.origin(h) for h in site.hosts}, "dead_hosts": list(site.dead_hosts),
        "robots": {h: f"{rb.origin(h)}/robots.txt" for h in site.robots},
        "crawl_rule": CRAWL_RULE,
        "pages": dict(sorted(pages.items())),
        "attachments": {u(a.url): {"status": a.status, "head_status": a.head_status, "depth": a.depth,
                                   "content_type": a.content_type}
                        for a in sorted(graph.attachments.values(), key=lambda a: a.url)},
        "broken": broken,
        "hidden_links": [{"source": u(e.source), "target": u(e.target), "kind": e.kind} for e in edges if e.hidden],
        "listings": {u(url): {"status": got.status, "depth": got.depth, "method": got.method, "via": got.via}
                     for url, got in sorted(graph.listings.items())},
        "rule": {"adapters": adapters, "render": render, "max_list_pages": max_list_pages},
        "external": pairs("external"),
        "not_followed": pairs("not_followed", scheme="scheme"),
        "robots_disallowed": pairs("robots"),
        "invalid": pairs("invalid"),
        "unchecked": [{"source": u(e.source), "target": u(e.target), "why": e.kind} for e in edges
                      if e.kind in ("too_long", "trap")],
        "trap_budgets": [{"pattern": label, "requested": len(graph.trap_admitted.get(label, ())),
                          "cut": len(graph.trap_cut.get(label, ()))} for label, _ in site.trap_patterns],
        "encodings": {url: p["charset"] for url, p in sorted(pages.items()) if "charset" in p},
        "depth": {url: p["depth"] for url, p in sorted(pages.items())},
        "documents": _documents(site, graph, u),
        "columns": _columns(site, graph, u),
        "planted": [{k: u(v) if isinstance(v, str) else v for k, v in p.items()} for p in site.planted],
        "traps": [{"url": u(str(p["target"])), "kind": "calendar", "robots": True,
                   "note": "infinite next-month chain behind robots.txt; truth never expands it"}
                  for p in site.planted if p["kind"] == "crawl_trap"],
    }
    truth["findings"] = expected_findings(site, graph, u, broken, extra_columns=extra_columns, dns=dns)
    truth["counts"] = {k: len(truth[k]) for k in ("pages", "attachments", "broken", "hidden_links", "external",
                                                   "not_followed", "robots_disallowed", "documents", "listings",
                                                   "invalid", "unchecked")}
    truth["counts"].update(
        pages_ok=sum(p["status"] == 200 for p in pages.values()),
        documents_reachable=sum(d["reachable"] for d in truth["documents"].values()),
        max_depth=max(p["depth"] for p in pages.values()))
    return truth


def _documents(site: Site, graph: CrawlGraph, u: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for d in sorted(site.docs, key=lambda d: d.url):
        got = graph.pages.get(d.url)
        out[u(d.url)] = {
            "column": d.column.key, "kind": d.kind, "title": d.title, "date": d.date.isoformat(),
            "reachable": got is not None, "depth": got.depth if got else None, "dialect": d.dialect or None,
            "metadata": visible_metadata(d), "attachments": [u(f"http://{a.host}{a.path}") for a in d.attachments],
            "related": [u(r.url) for r in d.related if d.kind != "interpretation" or d.backlink]}
    return out


def _columns(site: Site, graph: CrawlGraph, u: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for c in site.columns.values():
        url = f"http://{c.host}{c.dir}"
        out[c.key] = {"name": c.name, "url": u(url), "kind": c.spec.kind, "reachable": url in graph.pages,
                      "list_pages": [u(f"http://{c.host}{p}") for p in c.list_paths], "docs": len(c.docs),
                      "newest": c.docs[0].date.isoformat() if c.docs else None,
                      "parent": c.parent.key if c.parent else None}
    return out
