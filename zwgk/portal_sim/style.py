"""What a CMS dialect decides: URL layout, list markup, detail markup, dynamic routes.

`Style` is the seam for new dialects (gkmlpt, jpaas, …): subclass it in its own module and register
it in `STYLES`. Shared chrome (head, nav, footer) lives in chrome.py and is used by every style.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zwgk.portal_sim.model import Column, Doc, Route, ScriptLink, Site


@dataclass
class Page:
    """Where a page is being rendered: links are written relative to it (as the CMS would)."""

    site: Site
    host: str
    path: str
    charset_tag: str = '<meta charset="utf-8">'

    def href(self, host: str, path: str, *, relative: bool = False) -> str:
        """Same host: root-relative (or ./-relative); another host: absolute, as CMSs write them."""
        if host != self.host:
            return f"http://{host}{path}"
        return relative_href(self.path, path) if relative else path

    def doc_href(self, doc: Doc, *, relative: bool = False) -> str:
        return self.href(doc.host, doc.path, relative=relative)

    def col_href(self, col: Column, *, relative: bool = False) -> str:
        return self.href(col.host, col.dir, relative=relative)


def relative_href(from_path: str, to_path: str) -> str:
    """`./202611/t…html`, `../`, `../../zcjd/` — the relative forms TRS templates emit."""
    here = from_path.split("/")[1:-1]            # directories of the page
    there = to_path.split("/")[1:]               # target segments; last is a file or "" (a directory)
    common = 0
    for a, b in zip(here, there[:-1], strict=False):
        if a != b:
            break
        common += 1
    rest = "/".join(there[common:])
    up = len(here) - common
    return "../" * up + rest if up else "./" + rest


class Style:
    name = ""
    default_dialects: tuple[str, ...] = ()

    # -- URL layout -------------------------------------------------------------------------------
    def place_column(self, site: Site, col: Column, index: int) -> None:
        raise NotImplementedError

    def place_doc(self, site: Site, doc: Doc) -> None:
        raise NotImplementedError

    def attachment_path(self, site: Site, doc: Doc, n: int, ext: str, token: str) -> str:
        raise NotImplementedError

    def list_paths(self, col: Column) -> list[str]:
        """Every list page file of a column; page 1 first."""
        raise NotImplementedError

    # -- rendering --------------------------------------------------------------------------------
    def render_list(self, page: Page, col: Column, index: int) -> str:
        raise NotImplementedError

    def render_detail(self, page: Page, doc: Doc) -> str:
        raise NotImplementedError

    def breadcrumb(self, page: Page, trail: list[tuple[str, str, str]]) -> str:
        """trail: (host, path, label) from 首页 down; the last one is the current column."""
        raise NotImplementedError

    def trail(self, page: Page, col: Column) -> list[tuple[str, str, str]]:
        spec = page.site.spec
        return [(spec.main_host, "/", "首页")] + [(c.host, c.dir, c.name) for c in col.trail()]

    def pager(self, col: Column, index: int) -> str:
        """Pager markup under a list (empty where the style pages by XHR)."""
        return ""

    def routes(self, site: Site) -> list[Route]:
        return []

    def script_links(self, site: Site, col: Column, index: int) -> tuple[ScriptLink, ...]:
        """Requests list page `index`'s scripts make (pager pages, records, list APIs): the truth's
        fast-path rule follows these instead of parsing JavaScript."""
        return ()

    def rendered_links(self, site: Site, col: Column, index: int) -> tuple[str, ...]:
        """Canonical URLs of links that exist only after the page's scripts ran (browser only)."""
        return ()


def area_root(site: Site, area: str) -> tuple[str, str]:
    """Host and path prefix of an area: the 信息公开 subdomain, or /xxgk on www when there is none."""
    spec = site.spec
    if area == "xxgk":
        if "xxgk" in spec.hosts:
            return spec.hosts["xxgk"], ""
        return spec.main_host, "/xxgk"
    return spec.main_host, ""


def ym(d: date) -> str:
    return f"{d.year}{d.month:02d}"
