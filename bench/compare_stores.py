"""Compare two crawl stores (crawl.sqlite) of the same site: did a change of the crawl's code change what
it stores? Usage: python bench/compare_stores.py A/crawl.sqlite B/crawl.sqlite

Compared per record (site, url, method): everything the crawl stores of a page — status, redirects,
content type, charset, title, meta tags, breadcrumb, error, size, body, its links in order (url, anchor,
kind, hidden, tag, state, reason) and its page facts (decoded) — plus the list coverage rows, the sites'
status and caps, and the frontier rows' kind/state/reason/form.

Not compared: ids, times (fetched_at, elapsed, started/finished, leased_at, seq) and the fields that
depend on which page reached a URL first, which varies between two runs of the same code at
concurrency > 1 — a record's depth and referer, a frontier row's depth, priority, referer and anchor,
and whether a link was cut by a trap budget (state not_checked) or had been requested before the cut.
They are counted (how many differ) so that a change in them is seen, but do not make the stores
different. Exit status 0 when equal, 1 otherwise.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from zwgk.understand.facts import decode

PAGE_COLS = ("final_url, kind, redirects, status, content_type, charset, title, meta, breadcrumb, error_kind, "
             "error, size")
ORDER_DEPENDENT = ("depth", "referer")
TRAP_REASON = "疑似爬虫陷阱"


def _facts(blob: bytes | None) -> Any:
    """A page's stored facts as plain data, whichever layout wrote them (understand/facts.decode)."""
    if blob is None:
        return None
    facts = decode(blob)
    data = [int(facts.words), facts.meta.to_data() if facts.meta is not None else None, facts.text]
    return json.loads(json.dumps(data, ensure_ascii=False))     # (tuples as lists, as either layout reads)


def load(path: Path) -> dict[str, Any]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    pages: dict[tuple[str, str, str], dict[str, Any]] = {}
    loose: dict[tuple[str, str, str], tuple[Any, ...]] = {}
    ids: dict[int, tuple[str, str, str]] = {}
    for row in db.execute(f"SELECT id, site, url, method, {PAGE_COLS}, body, depth, referer FROM pages"):
        pid, site, url, method, *rest = row
        key = (site, url, method)
        names = [c.strip() for c in PAGE_COLS.split(",")]
        rec = dict(zip(names, rest[:len(names)], strict=True))
        body = rest[len(names)]
        rec["body"] = zlib.decompress(body).decode("utf-8") if body is not None else None
        rec["links"] = []
        rec["facts"] = None
        pages[key] = rec
        loose[key] = tuple(rest[len(names) + 1:])
        ids[pid] = key
    trap_cut = 0
    for row in db.execute("SELECT page_id, url, anchor, kind, hidden, tag, state, reason FROM links "
                          "ORDER BY rowid"):
        link = row[1:]
        if link[6] and link[6].startswith(TRAP_REASON):
            link = (*link[:5], None, None)      # whether a trap budget cut this link depends on the order
            trap_cut += 1
        pages[ids[row[0]]]["links"].append(link)
    for pid, blob in db.execute("SELECT page_id, facts FROM page_facts"):
        pages[ids[pid]]["facts"] = _facts(blob)
    # (members: the further list pages in the order they answered, which the fetch order decides: as a set)
    coverage = {(r[0], r[1]): (*r[2:-1], sorted(json.loads(r[-1] or "[]"))) for r in db.execute(
        "SELECT site, url, source, adapter, stated_total, obtained, pages, state, note, stated_pages, members "
        "FROM list_coverage")}
    sites = {r[0]: r[1:] for r in db.execute("SELECT key, name, url, hosts, status, capped, detail FROM sites")}
    frontier = {(r[0], r[1], r[2]): r[3:] for r in db.execute(
        "SELECT site, url, method, kind, state, reason, form FROM frontier")}
    frontier_loose = {(r[0], r[1], r[2]): r[3:] for r in db.execute(
        "SELECT site, url, method, depth, priority, referer, anchor FROM frontier")}
    db.close()
    return {"pages": pages, "trap_cut": trap_cut, "loose": loose, "coverage": coverage, "sites": sites,
            "frontier": frontier, "frontier_loose": frontier_loose}


def compare(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(differences, notes): differences make the stores unequal, notes count order-dependent fields."""
    diffs: list[str] = []
    notes: list[str] = []
    for table in ("pages", "coverage", "sites", "frontier"):
        only_a, only_b = a[table].keys() - b[table].keys(), b[table].keys() - a[table].keys()
        if only_a or only_b:
            diffs.append(f"{table}: {len(only_a)} rows only in A (e.g. {sorted(only_a)[:3]}), "
                         f"{len(only_b)} only in B (e.g. {sorted(only_b)[:3]})")
        changed = Counter()
        example: dict[str, Any] = {}
        for key in a[table].keys() & b[table].keys():
            ra, rb = a[table][key], b[table][key]
            if ra == rb:
                continue
            if isinstance(ra, dict):
                for field in ra:
                    if ra[field] != rb[field]:
                        changed[field] += 1
                        example.setdefault(field, (key, ra[field], rb[field]))
            else:
                changed["row"] += 1
                example.setdefault("row", (key, ra, rb))
        for field, n in changed.most_common():
            key, va, vb = example[field]
            diffs.append(f"{table}.{field}: {n} rows differ, e.g. {key}:\n"
                         f"    A: {str(va)[:300]}\n    B: {str(vb)[:300]}")
    for table, names in (("loose", ORDER_DEPENDENT), ("frontier_loose", ("depth", "priority", "referer", "anchor"))):
        counts = Counter()
        for key in a[table].keys() & b[table].keys():
            for name, va, vb in zip(names, a[table][key], b[table][key], strict=True):
                counts[name] += va != vb
        notes.append(f"{'pages' if table == 'loose' else 'frontier'}: order-dependent fields that differ: "
                     + ", ".join(f"{name} {counts[name]}" for name in names))
    notes.append(f"links cut by a trap budget (their state is not compared): {a['trap_cut']} / {b['trap_cut']}")
    return diffs, notes


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = (load(Path(p)) for p in argv)
    diffs, notes = compare(a, b)
    print(f"A: {argv[0]}\nB: {argv[1]}")
    print(f"records {len(a['pages'])} / {len(b['pages'])}, links {sum(len(p['links']) for p in a['pages'].values())}"
          f" / {sum(len(p['links']) for p in b['pages'].values())}, facts "
          f"{sum(p['facts'] is not None for p in a['pages'].values())} / "
          f"{sum(p['facts'] is not None for p in b['pages'].values())}, list coverage rows {len(a['coverage'])} / "
          f"{len(b['coverage'])}, frontier rows {len(a['frontier'])} / {len(b['frontier'])}")
    for note in notes:
        print("  " + note)
    if diffs:
        print("DIFFERENT:\n" + "\n".join("  " + d for d in diffs))
        return 1
    print("EQUAL (every stored record, link, fact, list coverage row, site and frontier row)")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # `| head` ends quietly
    sys.exit(main(sys.argv[1:]))
