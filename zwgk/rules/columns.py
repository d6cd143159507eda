"""The column catalogue (columns.yaml): column keys of DESIGN §7, their Chinese names and URL marks.

The crawler recognises columns by `aliases` (link and heading text) and `url_segments`; the checks
read `update_window` and `required`. The loader is strict: a misspelt key or a bad value stops the
load with an error naming the file, the column and the key, instead of quietly dropping data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml

from zwgk.errors import ZwgkError

UpdateWindow = Literal["two_weeks", "six_months", "one_year", "static", "annual", "as_needed"]
UPDATE_WINDOWS: tuple[str, ...] = get_args(UpdateWindow)
# Windows with a freshness rule (column.stale applies); the day counts live in the scoring profile.
FRESHNESS_WINDOWS: frozenset[str] = frozenset({"two_weeks", "six_months", "one_year"})

COLUMNS_FILE = Path(__file__).with_name("columns.yaml")

_KEY_RE = re.compile(r"^gk\.[a-z][a-z_]*$")
_SEGMENT_RE = re.compile(r"^/[a-z0-9_-]+/$")
_FIELDS = {"name", "aliases", "url_segments", "update_window", "required", "basis"}
_REQUIRED_FIELDS = ("name", "update_window", "required")
# Stripped from a label before it is compared with names and aliases.
_LABEL_NOISE_RE = re.compile(r"[\s\u3000“”\"'‘’「」『』【】\[\]<>《》>»·•|]+")


@dataclass(frozen=True)
class ColumnDef:
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    url_segments: tuple[str, ...] = ()
    update_window: UpdateWindow = "as_needed"
    required: bool = False
    basis: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name first, then the aliases."""
        return (self.name, *self.aliases)

    @property
    def has_freshness(self) -> bool:
        """True when column.stale applies (the window is a number of days, not static/annual/as needed)."""
        return self.update_window in FRESHNESS_WINDOWS


# --- strict YAML -----------------------------------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers the line it started on (for error messages)."""

    line: int = 0


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML silently keeps the last one) and keeps lines."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    result = _Mapping()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_strict_yaml(path: Path) -> Any:
    """Read a YAML data file, rejecting duplicate keys; errors name the file (and line)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ZwgkError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)   # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ZwgkError(f"{path}: invalid YAML: {exc}") from exc


def where(path: Path, data: Any) -> str:
    """"file:line" for a mapping read by read_strict_yaml, else just the file."""
    line = getattr(data, "line", 0)
    return f"{path}:{line}" if line else str(path)


# --- loading ---------------------------------------------------------------------------------------


def _str_list(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings, got {value!r}")
    return tuple(v.strip() for v in value)


def _parse_column(key: str, data: Any) -> ColumnDef:
    if not isinstance(data, dict):
        raise ValueError(f"must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - _FIELDS, key=str)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_FIELDS))})")
    missing = [f for f in _REQUIRED_FIELDS if f not in data]
    if missing:
        raise ValueError(f"missing key {missing[0]!r}")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"key 'name' must be a non-empty string, got {name!r}")
    segments = _str_list(data.get("url_segments", []), "key 'url_segments'")
    for seg in segments:
        if not _SEGMENT_RE.match(seg):
            raise ValueError(f"key 'url_segments': {seg!r} is not a lowercase path segment like '/zcwj/'")
    window = data["update_window"]
    if window not in UPDATE_WINDOWS:
        raise ValueError(f"key 'update_window': {window!r} is not one of {', '.join(UPDATE_WINDOWS)}")
    required = data["required"]
    if not isinstance(required, bool):
        raise ValueError(f"key 'required' must be true or false, got {required!r}")
    basis = data.get("basis", "")
    if not isinstance(basis, str):
        raise ValueError(f"key 'basis' must be a string, got {basis!r}")
    return ColumnDef(key=key, name=name.strip(), aliases=_str_list(data.get("aliases", []), "key 'aliases'"),
                     url_segments=segments, update_window=window, required=required, basis=basis.strip())


def _check_unique(columns: dict[str, ColumnDef], path: Path) -> None:
    labels: dict[str, str] = {}
    segments: dict[str, str] = {}
    for col in columns.values():
        for label in col.names:
            norm = normalize_label(label)
            if labels.setdefault(norm, col.key) != col.key:
                raise ZwgkError(f"{path}: column {col.key}: name {label!r} is already used by {labels[norm]}")
        for seg in col.url_segments:
            if segments.setdefault(seg, col.key) != col.key:
                raise ZwgkError(f"{path}: column {col.key}: url segment {seg!r} is already used by "
                                f"{segments[seg]}")


def parse_columns(data: Any, path: Path) -> dict[str, ColumnDef]:
    if not isinstance(data, dict) or set(data) != {"columns"}:
        keys = sorted(data, key=str) if isinstance(data, dict) else type(data).__name__
        raise ZwgkError(f"{where(path, data)}: expected one top-level key 'columns', got {keys}")
    entries = data["columns"]
    if not isinstance(entries, dict) or not entries:
        raise ZwgkError(f"{where(path, entries)}: 'columns' must be a non-empty mapping of column keys")
    columns: dict[str, ColumnDef] = {}
    for key, entry in entries.items():
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ZwgkError(f"{where(path, entry)}: column key {key!r} must look like 'gk.some_name'")
        try:
            columns[key] = _parse_column(key, entry)
        except ValueError as exc:
            raise ZwgkError(f"{where(path, entry)}: column {key}: {exc}") from None
    _check_unique(columns, path)
    return columns


@lru_cache(maxsize=8)
def _load(path: Path) -> tuple[ColumnDef, ...]:
    return tuple(parse_columns(read_strict_yaml(path), path).values())


def load_columns(path: str | Path | None = None) -> dict[str, ColumnDef]:
    """Column key -> ColumnDef, from columns.yaml (or `path`). Raises ZwgkError on any schema error."""
    cols = _load(Path(path) if path else COLUMNS_FILE)
    return {c.key: c for c in cols}


# --- matching helpers ------------------------------------------------------------------------------


def normalize_label(text: str) -> str:
    """A column label as compared: no spaces, quotes, brackets or breadcrumb arrows."""
    return _LABEL_NOISE_RE.sub("", text)


@lru_cache(maxsize=8)
def _label_index(cols: tuple[ColumnDef, ...]) -> dict[str, str]:
    return {normalize_label(label): c.key for c in cols for label in c.names}


@lru_cache(maxsize=8)
def _segment_index(cols: tuple[ColumnDef, ...]) -> dict[str, str]:
    return {seg.strip("/"): c.key for c in cols for seg in c.url_segments}


def _cols(columns: dict[str, ColumnDef] | None) -> tuple[ColumnDef, ...]:
    return tuple(columns.values()) if columns is not None else _load(COLUMNS_FILE)


def match_column(text: str, columns: dict[str, ColumnDef] | None = None) -> str | None:
    """The column key whose name or alias equals `text` (spaces/quotes ignored), else None."""
    return _label_index(_cols(columns)).get(normalize_label(text))


def match_url(url: str, columns: dict[str, ColumnDef] | None = None) -> str | None:
    """The column key marked by the deepest known directory segment of `url`'s path, else None.

    "/xxgk/zcwj/index.html" -> gk.policy (zcwj is deeper than xxgk); the file name is not a segment.
    """
    index = _segment_index(_cols(columns))
    parts = urlsplit(url).path.split("/")[:-1]
    for part in reversed(parts):
        if part.lower() in index:
            return index[part.lower()]
    return None
