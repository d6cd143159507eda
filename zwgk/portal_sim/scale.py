"""Size a bench-shaped spec so that its truth holds exactly N pages.

A bench spec has `generated_columns: {count: C, per_page: P, pager: links}`: C same-shaped columns
whose every list page and document is reachable by plain links. With no generated documents the
site has F pages (homepage, fixed columns, one empty list page per generated column …: measured, not
assumed). Each generated document adds one page, plus one list page whenever it starts a new page of
P items; documents are dealt round-robin and the last one is placed so the total lands on N exactly.
"""

from __future__ import annotations

from zwgk.portal_sim.catalogue import COLUMN_CATALOGUE
from zwgk.portal_sim.content import DEPARTMENTS
from zwgk.portal_sim.spec import ColumnSpec, SiteSpec, SpecError


def expand_generated(spec: SiteSpec, docs: list[int] | None = None) -> SiteSpec:
    """Replace `generated_columns` by explicit columns (gen.000 …) holding `docs[i]` documents."""
    gen = spec.generated
    if gen is None:
        return spec
    docs = docs if docs is not None else [gen.docs] * gen.count
    parent_slug = COLUMN_CATALOGUE.get(gen.parent, {}).get("slug", "fdzdgk")
    cols = tuple(
        ColumnSpec(key=f"gen.{i:03d}", name=f"部门文件（{DEPARTMENTS[i % len(DEPARTMENTS)].removeprefix('县')}"
                                           f"{'' if i < len(DEPARTMENTS) else i // len(DEPARTMENTS) + 1}）",
                   slug=f"{parent_slug}/auto{23700 + i}", kind="doc", area="xxgk", parent=gen.parent,
                   docs=docs[i], per_page=gen.per_page, pager=gen.pager, interval=gen.interval, newest=3)
        for i in range(gen.count))
    return spec.with_changes(columns=spec.columns + cols, generated=None)


def _cost(have: int, per_page: int) -> int:
    """Pages added by one more document in a column that holds `have`."""
    return 2 if have and have % per_page == 0 else 1


def distribute(extra: int, columns: int, per_page: int) -> list[int]:
    """Documents per column so that documents + extra list pages == extra."""
    counts, added, i = [0] * columns, 0, 0
    while added < extra:
        c = i % columns
        if added + _cost(counts[c], per_page) <= extra:
            added += _cost(counts[c], per_page)
            counts[c] += 1
            i += 1
            continue
        # one page short and the next document would open a new list page
        room = next((k for k in range(columns) if _cost(counts[k], per_page) == 1), None)
        if room is not None:
            counts[room] += 1
        elif columns >= 2:           # every column ends on a full page: move one doc (-1), open a page (+2)
            donor = (c + 1) % columns
            counts[donor] -= 1
            counts[c] += 1
        else:
            raise SpecError(f"cannot reach exactly {extra} extra pages with one generated column; "
                            f"ask for one page more or less")
        added += 1
    return counts


def scale_to_pages(spec: SiteSpec, pages: int) -> SiteSpec:
    from zwgk.portal_sim.build import build_site  # late: build imports most of the package
    from zwgk.portal_sim.truth import build_truth

    gen = spec.generated
    if gen is None:
        raise SpecError(f"{spec.key}: --pages needs a bench-shaped spec (with `generated_columns`)")
    if gen.pager != "links":
        raise SpecError(f"{spec.key}: --pages needs generated_columns.pager: links (every page reachable)")
    fixed = build_truth(build_site(expand_generated(spec, [0] * gen.count)))["counts"]["pages"]
    if pages < fixed:
        raise SpecError(f"{spec.key}: --pages {pages} is below the {fixed} fixed pages of this spec")
    return expand_generated(spec, distribute(pages - fixed, gen.count, gen.per_page))
