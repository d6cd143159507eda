"""Build a Site from a spec: plan documents, plant defects, render every page into Resources.

`build_site(spec)` is pure and deterministic: the same spec (incl. seed and as_of) gives the same
bytes. The served port is not part of the build: links to another of the site's hosts are written
as `http://host/...` and rebased to `http://host:port/...` when served (see `rebase.py`).
"""

from __future__ import annotations

import re

from zwgk.portal_sim import pages, search
from zwgk.portal_sim.defects import DEFECTS, DefectContext
from zwgk.portal_sim.encoding import html_resource
from zwgk.portal_sim.model import Column, Doc, Resource, Site
from zwgk.portal_sim.plan import plan_site
from zwgk.portal_sim.spec import SiteSpec
from zwgk.portal_sim.style import Style
from zwgk.portal_sim.templates_hanweb import HanwebStyle
from zwgk.portal_sim.templates_trs import TrsStyle

STYLES: dict[str, type[Style]] = {"trs": TrsStyle, "hanweb": HanwebStyle}

ATTACHMENT_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword", "wps": "application/kswps",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel", "et": "application/kset",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip", "rar": "application/x-rar-compressed", "ofd": "application/ofd",
    "txt": "text/plain",
}
MAGIC = {"pdf": b"%PDF-1.4\n", "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "et": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
         "docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "zip": b"PK\x03\x04", "ofd": b"PK\x03\x04",
         "rar": b"Rar!\x1a\x07\x00"}
# 1x1 transparent PNG: logos and badges are <img>, never followed, but a browser should not 404
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4e50000000049454e44ae426082")
ASSETS = {"/images/logo.png": PNG, "/images/dzjgbs.png": PNG, "/images/ga.png": PNG,
          "/images/jiucuo.png": PNG, "/images/tujie.png": PNG}


def build_site(spec: SiteSpec) -> Site:
    style = STYLES[spec.style]()
    site = Site(spec=spec)
    for host in site.hosts:
        text = spec.robots.get(host) or next((t for role, t in spec.robots.items() if spec.hosts.get(role) == host),
                                             None)
        if text:
            site.robots[host] = text
    for d in spec.defects:
        if DEFECTS[d.kind].prepare:
            DEFECTS[d.kind].prepare(site, d.params)
    plan_site(spec, style, site)
    ctx = DefectContext(site, style)
    for d in spec.defects:
        DEFECTS[d.kind].apply(ctx, d.params)
    render(site, style)
    return site


def render(site: Site, style: Style) -> None:
    main = site.spec.main_host
    site.add(main, "/index.html", html_resource(site, main, "/", lambda p: pages.render_home(style, p)))
    site.add(main, "/bsfw/index.html", html_resource(site, main, "/bsfw/", lambda p: pages.render_service(style, p)))
    for col in site.columns.values():
        _render_column(site, style, col)
    for doc in site.docs:
        site.add(doc.host, doc.path, _detail(site, style, doc))
        for att in doc.attachments:
            if att.status == 200:
                site.add(att.host, att.path, attachment_resource(att.ext, att.label, att.head_status))
            elif att.status != 404:
                site.add(att.host, att.path, Resource(status=att.status, body=b"error", kind="error"))
    for host in site.hosts:
        for path, data in ASSETS.items():
            site.add(host, path, Resource(body=data, content_type="image/png", kind="asset"))
        site.add(host, "/images/style.css", Resource(body=b"body{font-size:14px}", content_type="text/css",
                                                     kind="asset"))
        if host in site.robots:
            site.add(host, "/robots.txt", Resource(body=site.robots[host].encode(), content_type="text/plain",
                                                   kind="robots"))
    home = f"http://{main}/"
    site.not_found = Resource(status=404, body=pages.render_not_found(site.spec.name, home).encode(),
                              charset="utf-8", kind="error")
    site.routes += style.routes(site) + search.routes(site, style)


def _render_column(site: Site, style: Style, col: Column) -> None:
    kind = col.spec.kind
    if col.spec.pager == "uid":       # its pages are a route: ?uid=&pageNum= (templates_hanweb.uid_page)
        return
    for i, path in enumerate(col.list_paths):
        if kind == "index":
            res = html_resource(site, col.host, path, lambda p, c=col: pages.render_index(style, p, c))
        elif kind == "guide":
            res = html_resource(site, col.host, path, lambda p, c=col: pages.render_guide(style, p, c))
        elif kind == "message":
            if i == 0:
                write = pages.write_path(col)
                site.add(col.host, write, html_resource(site, col.host, write,
                                                        lambda p, c=col: pages.render_write(style, p, c)))
            pp = col.spec.per_page
            res = html_resource(site, col.host, path, lambda p, c=col, i=i, pp=pp: pages.render_messages(
                style, p, c, c.docs[i * pp:(i + 1) * pp], style.pager(c, i)))
        else:
            res = html_resource(site, col.host, path, lambda p, c=col, i=i: style.render_list(p, c, i))
            res.scripted = style.script_links(site, col, i)
            res.rendered = style.rendered_links(site, col, i)
        site.add(col.host, path, res)


def _detail(site: Site, style: Style, doc: Doc) -> Resource:
    def render(page):  # type: ignore[no-untyped-def]
        html = style.render_detail(page, doc)
        return malform(html) if doc.malformed else html
    return html_resource(site, doc.host, doc.path, render)


def malform(html: str) -> str:
    """Unclosed <p>/<li>/<div>, a stray </span>, no </body></html>: still parseable, as browsers do."""
    html = re.sub(r"</(p|li|td|tr)>", "", html)
    html = html.replace('<div class="TRS_Editor">', '<div class="TRS_Editor"></span><table><tr><td>', 1)
    html = html.replace('<div id="zoom">', '<div id="zoom"></span><table><tr><td>', 1)
    cut = html.rfind('<div class="footer">')
    head, tail = html[:cut], html[cut:]
    for _ in range(3):                     # the article's last closing </div>s go missing
        at = head.rfind("</div>")
        head = head[:at] + head[at + 6:]
    return head + tail.replace("</body>\n</html>\n", "")


def attachment_resource(ext: str, label: str, head_status: int | None) -> Resource:
    body = MAGIC.get(ext, b"") + f"{label}\n".encode() + b"\x00" * 64
    if ext == "pdf":
        body += b"\n%%EOF\n"
    return Resource(body=body, content_type=ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
                    head_status=head_status, kind="attachment")
