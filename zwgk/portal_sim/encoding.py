"""Which codec each page is written in, and how it declares it (as real county sites do).

GBK-family pages declare `<meta charset="gb2312">` or `<meta http-equiv="Content-Type" content=
"text/html; charset=gbk">` (alternating by path), and about half of them send no charset in the HTTP
Content-Type header, so a client has to read the <meta>. Choices hang on a CRC of the path, so they
are stable across runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from zwgk.portal_sim.model import Resource, Site
from zwgk.portal_sim.spec import GBK_FAMILY, SiteSpec
from zwgk.portal_sim.style import Page


def _crc(path: str) -> int:
    return zlib.crc32(path.encode("utf-8"))


def page_codec(spec: SiteSpec, host: str, path: str) -> str:
    for entry in spec.gbk_paths:
        want_host, _, prefix = entry.rpartition(":") if ":" in entry else ("", "", entry)
        if (not want_host or want_host == host) and path.startswith(prefix):
            return "gbk"
    return spec.encoding


def charset_tag(spec: SiteSpec, codec: str, path: str) -> str:
    if codec not in GBK_FAMILY:
        return f'<meta charset="{codec}">'
    declared = spec.declared_charsets or ("gb2312", "gbk")
    name = declared[_crc(path) % len(declared)]
    if (_crc(path) >> 3) % 2:
        return f'<meta charset="{name}">'
    return f'<meta http-equiv="Content-Type" content="text/html; charset={name}">'


def header_charset(codec: str, path: str) -> bool:
    """UTF-8 pages always say so; GBK-family pages do only some of the time."""
    return codec not in GBK_FAMILY or (_crc(path) >> 5) % 2 == 0


def html_resource(site: Site, host: str, path: str, render: Callable[[Page], str], **kw: object) -> Resource:
    """Render a page for (host, path) in its codec and wrap it as a Resource."""
    codec = page_codec(site.spec, host, path)
    page = Page(site, host, path, charset_tag(site.spec, codec, path))
    body = render(page).encode(codec)
    return Resource(body=body, charset=codec, header_charset=header_charset(codec, path), **kw)  # type: ignore[arg-type]
