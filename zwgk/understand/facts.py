"""Per-page facts the checks need of every page, read once from the crawler's parse of the page.

The evaluation needs two things of (nearly) every stored HTML page: a document's metadata block
(doc.metadata counts every document with one, site.search wants the newest 发布日期) and the page's
visible text (content.terms). Re-reading them after the crawl means decompressing and parsing every
body again; the crawler already holds each page's tree (`parse_html`, its one parse), so it takes
them from that tree and the store keeps them with the page (`page_facts` table). The evaluation reads
these small rows and falls back to reading the body for a page stored without them (a store written
by an older version). Both ways use the functions below on the same `parse_html` tree, so a stored
fact is exactly what the fallback would compute.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from lxml import etree

from zwgk.understand._html import holders, parse_html, squeeze
from zwgk.understand.metadata import BLOCK_WORDS, DocMeta, MetaField, parse_metadata

if TYPE_CHECKING:
    from zwgk.store import PageRecord

# Elements whose text a reader does not see (comments and processing instructions are skipped too;
# the text after any of them is kept).
NOT_TEXT = frozenset({"script", "style", "noscript", "template", "object", "embed", "iframe", "svg"})


@dataclass
class PageFacts:
    words: bool                 # a metadata block's label word is in the HTML (the scan's pre-filter)
    meta: DocMeta | None        # the metadata block of a document page (is_detail); None for others
    text: str                   # the visible text, whitespace removed (what content.terms searches)


def squeezed_text(root: etree._Element | None) -> str:
    """The visible text of a parsed page (title and body) with all whitespace removed.

    A subtree without an element of NOT_TEXT is read by libxml2 in one call (its text nodes in
    document order: comments and processing instructions have none, their tails are text nodes);
    only the elements above a NOT_TEXT element are walked here. (A loop, not recursion: a hostile
    page may nest elements thousands deep.)"""
    if root is None or not isinstance(root.tag, str):
        return ""
    # the elements holding a NOT_TEXT element somewhere below: walked; any other subtree read whole
    not_text_below = holders(root.iter(*NOT_TEXT))
    if root not in not_text_below:
        return squeeze(etree.tostring(root, method="text", encoding=str, with_tail=False))
    out: list[str] = [root.text] if root.text else []
    stack: list[tuple[Iterator[etree._Element], etree._Element | None]] = [(iter(root), None)]
    while stack:
        children, owner = stack[-1]
        for child in children:
            if isinstance(child.tag, str) and child.tag not in NOT_TEXT:
                if child in not_text_below:
                    if child.text:
                        out.append(child.text)
                    stack.append((iter(child), child))      # its tail comes after its subtree
                    break
                out.append(etree.tostring(child, method="text", encoding=str, with_tail=False))
            if child.tail:                              # a comment's or a skipped element's tail is text
                out.append(child.tail)
        else:
            stack.pop()
            if owner is not None and owner.tail:
                out.append(owner.tail)
    return squeeze("".join(out))


def squeezed_text_of(html: str | None) -> str:
    return squeezed_text(parse_html(html))


def has_block_words(html: str | None) -> bool:
    return bool(html) and any(w in html for w in BLOCK_WORDS)   # type: ignore[operator]


def page_facts(rec: PageRecord, root: etree._Element | None) -> PageFacts | None:
    """The facts of a fetched HTML page from its tree (`root` = parse_html(rec.body)); None if they
    cannot be read (the evaluation then reads the page itself, and says what went wrong)."""
    from zwgk.understand.columns import is_detail

    html = rec.body or ""
    try:
        return PageFacts(has_block_words(html), parse_metadata(html, root) if is_detail(rec) else None,
                         squeezed_text(root))
    except Exception:                   # a hostile page must not cost the crawl the page
        return None


# The stored layout (version 2): MARK, the lengths of two JSON parts, then
#   [words, the metadata block's fields or null]   read by the scan for every page
#   [its raw labels, its <meta> tags] or nothing     rarely read: decoded when first asked for
#   the visible text, UTF-8                          no JSON string to unescape, no zlib to inflate
# Reading the text and the fields is most of the page scan: version 1 (zlib'd JSON of everything,
# stores written before it) cost about three times as much to decode. Its blobs start with zlib's
# header byte (0x78), never with MARK, so both are read.
MARK = b"\x02"
_LENGTHS = struct.Struct("<II")
_HEAD = len(MARK) + _LENGTHS.size


def encode(facts: PageFacts) -> bytes:
    meta = facts.meta
    first = _json([int(facts.words), _fields_data(meta) if meta is not None else None])
    second = _json([meta.raw, meta.meta]) if meta is not None else b""
    return b"".join((MARK, _LENGTHS.pack(len(first), len(second)), first, second, facts.text.encode("utf-8")))


def decode(blob: bytes) -> PageFacts:
    if blob[:1] != MARK:                                # version 1
        words, data, text = json.loads(zlib.decompress(blob))
        return PageFacts(bool(words), DocMeta.from_data(data) if data is not None else None, text)
    first, second = _LENGTHS.unpack_from(blob, len(MARK))
    view = memoryview(blob)
    words, fields = json.loads(view[_HEAD:_HEAD + first].tobytes())
    start = _HEAD + first + second
    meta = None if fields is None else StoredMeta.of(fields, view[_HEAD + first:start].tobytes())
    return PageFacts(bool(words), meta, str(view[start:], "utf-8"))


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _fields_data(meta: DocMeta) -> dict[str, list[object]]:
    return {k: [f.value, f.label, f.source, f.empty_label] for k, f in meta.fields.items()}


class _Later:
    """DocMeta.raw / .meta of a StoredMeta: both decoded on first use, then plain attributes (a
    non-data descriptor: the instance's own value, once set, is found before it)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: StoredMeta | None, owner: type | None = None) -> Any:
        if obj is None:
            return self
        raw, meta = json.loads(obj.__dict__.pop("_later"))
        obj.__dict__.update(raw=raw, meta=meta)
        return obj.__dict__[self.name]


class StoredMeta(DocMeta):
    """A stored page's metadata block (a DocMeta, equal to the one parsed): its fields decoded, the raw
    labels and <meta> tags only when first read — the page scan reads the fields alone."""

    raw = _Later()          # type: ignore[assignment]
    meta = _Later()         # type: ignore[assignment]

    @classmethod
    def of(cls, fields: dict[str, list[Any]], later: bytes) -> StoredMeta:
        obj = cls.__new__(cls)
        obj.__dict__.update(fields={k: MetaField(*v) for k, v in fields.items()}, _later=later)
        return obj

    def date(self, name: str) -> date | None:
        # (the scan asks for 发布日期 twice: MetaFacts and doc.metadata's judgement)
        dates = self.__dict__.setdefault("_dates", {})
        if name not in dates:
            dates[name] = super().date(name)
        return dates[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocMeta):
            return NotImplemented
        return (self.fields, self.raw, self.meta) == (other.fields, other.raw, other.meta)

    __hash__ = None         # type: ignore[assignment] (as DocMeta's: mutable)
