"""Find the catalogue's columns (政策文件, 政策解读, 政府信息公开年报 …) among a site's crawled pages.

Evidence, strongest first: a page's <meta name="ColumnName">, the last breadcrumb segment, a <title>
segment, the anchor text of links that point at the column (menus, tab strips), URL path segments.
Names come from the catalogue (rules/columns.yaml), never from code.

A label names a column when, after removing spaces, quotes and a trailing "（…）", it equals a name or
alias, or ends with one after a place/unit prefix ("邯郸市政府信息公开", "县政府文件"). The alias must
end the label because the head noun of a Chinese label is at its end: "政府信息公开年报" is a 年报 even
though it contains 信息公开, and "近期信息公开" (prefix 近期 is no place) names no column at all. Of
two aliases that end a label the longer wins (政策文件 vs 文件 …).

Columns may sit on another host of the same government (邯郸's 政策解读 is on www.hd.gov.cn while the
信息公开 platform is hdzfxxgk.hd.gov.cn): links count when their host is under a domain of the site.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from zwgk.rules.columns import ColumnDef, load_columns, normalize_label
from zwgk.store import PageRecord

STRENGTH = {"meta": 5, "breadcrumb": 4, "title": 3, "anchor": 2, "url": 1}
# A place or unit name before an alias; no digits, so "2023年政府信息公开年报" (a document) is no column.
_PREFIX_OK = re.compile(r"^([^\d]{0,16}(省|市|县|区|州|盟|旗|镇|乡|街道|人民政府|政府|办公室|办公厅|局|委员会|委|厅|"
                        r"部门|部|署|中心|级))?$")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[)）]$")
_TITLE_SEP = re.compile(r"\s*[-_|｜—–·»>]+\s*|\s{2,}|\s+")
_CRUMB_TAIL = {"正文", "详情", "内容", "正文内容", "详细内容", "文章", "详细信息", "浏览", "阅读"}
_INDEX_FILE = re.compile(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", re.I)
_DETAIL_URL = re.compile(
    r"/t\d{8}_\d+\.|/art/\d{4}/|/doc/\d{4}/|content_\d+|post_\d+|/content\.s?html?$|doc_[0-9a-f]{16,}|"
    r"/[0-9a-f]{32}\.s?html?$|/show/\d+|/info/\d+/\d+\.htm", re.I)
_DATE_DIR = re.compile(r"^(\d{6}|\d{8}|\d{4}-\d{2}|\d{1,2}|\d{4})$")
_HANWEB_ART = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_(\d+)_\d+\.html", re.I)
_GK_HOST = re.compile(r"^(zf)?xxgk\.|^(gk|zwgk|gongkai)\.|xxgk\.", re.I)
_MAX_ANCHOR = 24
_ORIGIN = re.compile(r"[^/?#]*//[^/?#]*")      # a URL up to its path
_ABS_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)")
_DOC_YEAR = re.compile(r"/doc/\d{4}/")
_MAX_EVIDENCE = 5                                   # per column and kind, to keep results small


@dataclass
class Evidence:
    kind: str          # meta | breadcrumb | title | anchor | url
    page: str          # the page the evidence was read on
    text: str          # the label or URL segment that matched
    target: str        # the list page this evidence points to


@dataclass
class ColumnHit:
    key: str
    name: str
    url: str                                              # the column's list page (best candidate)
    evidence: list[Evidence] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)   # candidate list pages, best first

    @property
    def strongest(self) -> str:
        return max((e.kind for e in self.evidence), key=STRENGTH.__getitem__, default="")


# --- labels --------------------------------------------------------------------------------------


_DERIVED: list[tuple[dict[str, ColumnDef], dict[str, dict[str, str]]]] = []   # catalogue -> its indexes


def _catalogue_index(cols: dict[str, ColumnDef], name: str) -> dict[str, str]:
    """An index of a catalogue ("aliases": normalised name/alias -> key, "segments": URL segment ->
    key), built once per catalogue object. Found by identity: hashing the catalogue's dataclasses on
    every label (an lru_cache on them) cost more than the matching itself."""
    entry = next((d for known, d in _DERIVED if known is cols), None)
    if entry is None:
        entry = {}
        _DERIVED[:] = [*_DERIVED[-7:], (cols, entry)]
    if name not in entry:
        if name == "aliases":
            entry[name] = {normalize_label(label): c.key for c in cols.values() for label in c.names}
        else:
            entry[name] = {s.strip("/"): c.key for c in cols.values() for s in c.url_segments}
    return entry[name]


def match_label(text: str, columns: dict[str, ColumnDef] | None = None) -> str | None:
    """The column key a label names (exact name/alias, or place/unit prefix + alias), else None."""
    cols = columns if columns is not None else load_columns()
    exact = _catalogue_index(cols, "aliases")
    label = normalize_label(_TRAILING_NOTE.sub("", (text or "").strip()))
    if not label or len(label) > _MAX_ANCHOR:
        return None
    if label in exact:
        return exact[label]
    # the longest alias ending the label wins: its suffixes, longest first (an alias has 2+ characters)
    for start in range(1, len(label) - 1):
        key = exact.get(label[start:])
        if key is not None and _PREFIX_OK.match(label[:start]):
            return key
    return None


# --- URLs ----------------------------------------------------------------------------------------


def gov_domain(url_or_host: str) -> str:
    """The registrable domain of a government host: hdzfxxgk.hd.gov.cn → hd.gov.cn."""
    if "//" in url_or_host:         # a URL: its origin decides (one cached answer per origin)
        origin = _ORIGIN.match(url_or_host)
        return _origin_domain(origin.group(0) if origin else url_or_host)
    return _origin_domain(url_or_host)


@lru_cache(maxsize=1024)
def _origin_domain(url_or_host: str) -> str:
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host.split(":")[0]
    host = (host or "").lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 3 or host.replace(".", "").isdigit():
        return host
    if labels[-2] in ("gov", "com", "org", "net", "edu", "ac") and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@lru_cache(maxsize=4096)           # (asked again and again of the same column addresses)
def list_key(url: str) -> str:
    """A list page's identity: no fragment, no index file ("/zcjd/index.html" = "/zcjd/")."""
    parts = urlsplit(url)
    path = _INDEX_FILE.sub("/", parts.path or "/")
    return urlunsplit((parts.scheme.lower(), (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else ""),
                       path, parts.query, ""))


def is_detail(page: PageRecord) -> bool:
    """A document page rather than a list (article meta tags, or a CMS document URL)."""
    return detail_by_meta(page.meta) or detail_by_url(page.final_url or page.url)


def detail_by_meta(meta: dict[str, str]) -> bool:
    """is_detail's first test: the page carries article meta tags."""
    return bool(meta.get("ArticleTitle") or meta.get("PubDate"))


def detail_by_url(address: str) -> bool:
    """is_detail's second test: the page's address (final URL, else URL) is a CMS document URL."""
    return bool(_DETAIL_URL.search(_split(address)[2]))


def _split(url: str) -> tuple[str, str, str]:
    """(scheme, netloc, path) as urlsplit gives them; a plain absolute URL (what the store holds) is
    cut with one regex — the checks ask this of every document page on several passes."""
    m = _ABS_URL.match(url)
    if m is not None and url[0] > " " and "\t" not in url and "\n" not in url and "\r" not in url:
        return m.group(1).lower(), m.group(2), m.group(3)
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


def _address(scheme: str, netloc: str, path: str) -> str:
    """urlunsplit((scheme, netloc, path, "", "")) of an absolute path: what it gives when both scheme and
    netloc are there, joined without its generic checks (asked of every URL segment a column names)."""
    if scheme and netloc:
        return f"{scheme}://{netloc}{path}"
    return urlunsplit((scheme, netloc, path, "", ""))


@lru_cache(maxsize=4096)           # (recognition asks it for the same document up to three times)
def column_url_of(url: str) -> str | None:
    """The column directory a document URL sits in (TRS /zcjd/202101/t…html → /zcjd/; Hanweb art_C_ → col)."""
    scheme, netloc, path = _split(url)
    if m := _HANWEB_ART.search(path):
        return urlunsplit((scheme, netloc, f"/col/col{m.group(1)}/index.html", "", ""))
    if _DOC_YEAR.search(path):        # 无锡: the path names no column
        return None
    dirs = path.split("/")[1:-1]
    if path.endswith(("/content.html", "/content.shtml")) and dirs:
        dirs = dirs[:-1]
    while dirs and (_DATE_DIR.match(dirs[-1]) or dirs[-1].lower() in ("art", "content")):
        dirs = dirs[:-1]
    if not dirs:
        return None
    return _address(scheme, netloc, "/" + "/".join(dirs) + "/")


def _segment_targets(url: str, columns: dict[str, ColumnDef]) -> list[tuple[str, str, str]]:
    """(key, segment, list URL) for each catalogue segment in the URL's directories."""
    scheme, netloc, path = _split(url)
    out = _dir_segment_targets(scheme, netloc, path, columns)
    if "gk.root" in columns and path in ("", "/"):
        host = urlsplit(url).hostname or ""
        if _GK_HOST.search(host):
            out.append(("gk.root", host, urlunsplit((scheme, netloc, "/", "", ""))))
    return out


def _dir_segment_targets(scheme: str, netloc: str, path: str, columns: dict[str, ColumnDef]
                         ) -> list[tuple[str, str, str]]:
    """_segment_targets but gk.root's: read from the path's directories (the same for every path up
    to its last "/")."""
    seg_index = _catalogue_index(columns, "segments")
    dirs = path.split("/")[1:-1]
    out = []
    for i, d in enumerate(dirs):
        if d.lower() in seg_index:
            target = _address(scheme, netloc, "/" + "/".join(dirs[: i + 1]) + "/")
            out.append((seg_index[d.lower()], f"/{d}/", target))
    return out


def _directory(path: str) -> str:
    """A URL path up to its last "/" (all _dir_segment_targets reads of it)."""
    return path[: path.rfind("/") + 1]


# --- recognition ---------------------------------------------------------------------------------


def _page_url(page: PageRecord) -> str:
    return page.final_url or page.url


class _Targets:
    """Where a label on one page points: the page itself (a list page), or for a document the link
    whose anchor is the label (a breadcrumb segment: the column's address), else its directory.
    `links`: the page's (url, anchor) of kind page or external, in order; `normalize`: normalize_label,
    or a cached copy of it (menus repeat their anchors on every page)."""

    def __init__(self, page: PageRecord, links: Sequence[tuple[str, str]],
                 normalize: Callable[[str], str] = normalize_label):
        self.page = page
        self.links = links
        self.normalize = normalize
        self._detail: bool | None = None
        self._anchors: dict[str, str] | None = None

    def __call__(self, text: str) -> str | None:
        page = self.page
        if self._detail is None:
            self._detail = is_detail(page)
        if not self._detail:
            return _page_url(page)
        normalize = self.normalize
        if self._anchors is None:           # the first link with an anchor wins
            self._anchors = {}
            for url, anchor in self.links:
                self._anchors.setdefault(normalize(anchor), url)
        return self._anchors.get(normalize(text)) or column_url_of(_page_url(page))


def _title_segments(title: str) -> list[str]:
    segments = [s for s in _TITLE_SEP.split(title or "") if s]
    return segments[:-1] if len(segments) > 1 else segments   # the last one is the site name


class _Tally:
    """The evidence of one column, aggregated as it comes (the whole of it grows with the site): per
    target (its list key) the kinds seen, a count up to what scoring reads and the first evidence's
    target; per kind the first _MAX_EVIDENCE evidences, with their arrival order."""

    def __init__(self) -> None:
        self.targets: dict[str, tuple[set[str], list[int], str]] = {}    # list key -> (kinds, [count], target)
        self.kept: dict[str, list[tuple[int, Evidence]]] = defaultdict(list)
        self.arrived = 0

    def saturated(self, kind: str, key: str) -> bool:
        """Whether one more evidence of this kind and target (list key) could change nothing but the
        kinds set."""
        if len(self.kept[kind]) < _MAX_EVIDENCE:
            return False
        entry = self.targets.get(key)
        return entry is not None and entry[1][0] >= _MAX_COUNTED

    def add(self, e: Evidence, key: str) -> None:
        entry = self.targets.get(key)
        if entry is None:
            self.targets[key] = ({e.kind}, [1], e.target)
        else:
            entry[0].add(e.kind)
            entry[1][0] = min(entry[1][0] + 1, _MAX_COUNTED)
        if len(self.kept[e.kind]) < _MAX_EVIDENCE:
            self.kept[e.kind].append((self.arrived, e))
        self.arrived += 1


_MAX_COUNTED = 20           # scoring counts a target's evidences up to 20


LINK_KINDS = ("page", "external")     # the links whose anchors and addresses are evidence


def page_links(page: PageRecord) -> list[tuple[str, str]]:
    """(url, anchor) of the page's links recognition reads (LINK_KINDS), in order."""
    return [(lk.url, lk.anchor) for lk in page.links if lk.kind in LINK_KINDS]


def recognise_columns(pages: Iterable[PageRecord], columns: dict[str, ColumnDef] | None = None,
                      domains: set[str] | None = None, *,
                      linked: Iterable[tuple[PageRecord, Sequence[tuple[str, str]]]] | None = None,
                      addresses: Callable[[], Iterable[str]] | None = None) -> dict[str, ColumnHit]:
    """Column key → ColumnHit for every catalogue column the pages give evidence of.

    `pages` is read three times (own domains, evidence, crawled list pages) and may be a stream:
    what is kept is bounded per column and target, not per page. `linked`: the same pages, each with
    its page_links (a store's records come without their links: they are read apart), for the evidence
    pass; default from `pages`. `addresses`: a new iteration of the ok pages' addresses (final URL,
    else URL) for the two other passes, which read nothing else; default read from `pages`."""
    cols = columns if columns is not None else load_columns()

    def page_addresses(ok_only: bool) -> Iterable[str]:
        return addresses() if addresses is not None else (_page_url(p) for p in pages if p.ok or not ok_only)

    own = set(domains or ()) | {gov_domain(url) for url in page_addresses(ok_only=False)}

    # per target URL (menus repeat on every page): its segments' targets — worked out once per directory
    # (a site's documents are many, their directories few) —; its list key, if it is ours
    @lru_cache(maxsize=8192)
    def in_directory(scheme: str, netloc: str, directory: str) -> tuple[tuple[str, str, str], ...]:
        return tuple(_dir_segment_targets(scheme, netloc, directory, cols))

    @lru_cache(maxsize=8192)
    def segment_targets(url: str) -> tuple[tuple[str, str, str], ...]:
        scheme, netloc, path = _split(url)
        if path in ("", "/"):
            return tuple(_segment_targets(url, cols))
        return in_directory(scheme, netloc, _directory(path))

    target_key = lru_cache(maxsize=8192)(lambda url: list_key(url) if gov_domain(url) in own else None)
    found: dict[str, _Tally] = {}
    seen: set[tuple[str, str, str, str]] = set()
    labels: dict[str, str | None] = {}

    def match(text: str) -> str | None:
        if text not in labels:
            labels[text] = match_label(text, cols)
        return labels[text]

    def add(key: str | None, kind: str, page: PageRecord, text: str, target_of: _Targets) -> None:
        # (where a label points is worked out only for a label that names a column)
        if not (key and key in cols) or not (target := target_of(text)) or (listed := target_key(target)) is None:
            return
        add_listed(key, listed, kind, page, text, target)

    # A link's evidence (its anchor's, its URL segments') needs only the link: menus repeat on every
    # page, so whether it gives any, and under which list key, is worked out once per link (bounded).
    @lru_cache(maxsize=8192)
    def anchor_evidence(url: str, anchor: str) -> tuple[str, str] | None:
        key = match(anchor)
        if not (key and key in cols and url) or (listed := target_key(url)) is None:
            return None
        return key, listed

    @lru_cache(maxsize=8192)
    def segment_evidence(key: str, target: str) -> str | None:
        return target_key(target) if key and key in cols and target else None

    # (column, list key, kind) whose evidence can change nothing any more: saturated, its kind noted
    spent: set[tuple[str, str, str]] = set()

    def add_listed(key: str, listed: str, kind: str, page: PageRecord, text: str, target: str) -> None:
        if (key, listed, kind) in spent:
            return
        tally = found.get(key)
        if tally is not None and tally.saturated(kind, listed):
            tally.targets[listed][0].add(kind)     # (the kinds set is all it can still change)
            spent.add((key, listed, kind))         # (… and stays saturated: kept and counts only grow)
            return
        if (mark := (key, kind, _page_url(page), target)) not in seen:
            seen.add(mark)
            found.setdefault(key, _Tally()).add(Evidence(kind, _page_url(page), text, target), listed)

    normalize = lru_cache(maxsize=16384)(normalize_label)
    for page, links in linked if linked is not None else ((p, page_links(p)) for p in pages):
        if not page.ok:
            continue                                  # error pages (404 "页面不存在") say nothing about columns
        target_of = _Targets(page, links, normalize)
        if name := page.meta.get("ColumnName"):
            add(match(name), "meta", page, name, target_of)
        crumbs = [c.strip() for c in (page.breadcrumb or "").split(">") if c.strip()]
        while crumbs and crumbs[-1] in _CRUMB_TAIL:
            crumbs.pop()
        if len(crumbs) > 1 or (crumbs and crumbs[0] != "首页"):
            add(match(crumbs[-1]), "breadcrumb", page, crumbs[-1], target_of)
        for seg in _title_segments(page.title or ""):
            add(match(seg), "title", page, seg, target_of)
        # (a page's identical evidences count once: each distinct one is added once, in order)
        for link in dict.fromkeys(lk for lk in links if lk[1] and len(lk[1]) <= _MAX_ANCHOR):
            if (given := anchor_evidence(*link)) is not None:
                add_listed(given[0], given[1], "anchor", page, link[1], link[0])
        triples: dict[tuple[str, str, str], None] = {}
        for url in dict.fromkeys([_page_url(page), *(lk[0] for lk in links)]):
            for triple in segment_targets(url):
                triples[triple] = None
        for key, segment, target in triples:
            if (listed := segment_evidence(key, target)) is not None:
                add_listed(key, listed, "url", page, segment, target)
    wanted = {k for tally in found.values() for k in tally.targets}
    # (a list key keeps its URL's directory: a URL in none of theirs is none of them — most are documents)
    directories = {_directory(urlsplit(k).path or "/") for k in wanted}
    crawled: dict[str, str] = {}
    for url in page_addresses(ok_only=True):
        if _directory(_split(url)[2] or "/") in directories and (k := list_key(url)) in wanted:
            crawled[k] = url
    return {key: _hit(cols[key], tally, crawled) for key, tally in found.items()}


def _hit(col: ColumnDef, tally: _Tally, crawled: dict[str, str]) -> ColumnHit:
    def score(item: tuple[str, tuple[set[str], list[int], str]]) -> float:
        kinds, count = item[1][0], item[1][1][0]
        return sum(STRENGTH[k] for k in kinds) + 0.1 * min(count, 20) + (0.5 if item[0] in crawled else 0)

    ranked = sorted(tally.targets.items(), key=score, reverse=True)
    candidates = [crawled.get(k) or v[2] for k, v in ranked]
    # strongest kinds first, each kind's first evidences in the order they came (a stable sort did that)
    kept = [e for _, e in sorted((item for items in tally.kept.values() for item in items),
                                 key=lambda item: (-STRENGTH[item[1].kind], item[0]))]
    return ColumnHit(key=col.key, name=col.name, url=candidates[0], evidence=kept, candidates=candidates)
