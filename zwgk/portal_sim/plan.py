"""Spec -> Site skeleton: columns, documents (titles, dates, metadata, attachments) and their URLs.

Nothing is rendered here. Dates run backwards from as_of at each column's rhythm; ids increase with
date across the site (as CMS ids do); each column draws from its own seeded Random, so resizing one
column leaves the others' text unchanged.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from zwgk.portal_sim import content as C
from zwgk.portal_sim.catalogue import COLUMN_CATALOGUE
from zwgk.portal_sim.model import Attachment, Column, Doc, Site
from zwgk.portal_sim.spec import ColumnSpec, SiteSpec, SpecError
from zwgk.portal_sim.style import Style

METADATA_KINDS = ("policy", "normative", "interpretation", "doc", "system", "notice", "annual_report")
SYSTEM_TITLES = ("政府信息主动公开制度", "依申请公开政府信息办理制度", "政府信息公开保密审查制度",
                 "政府信息公开工作考核制度", "政策解读工作制度", "政府信息公开社会评议制度",
                 "政府信息公开责任追究制度", "政务舆情回应制度")
# (kind -> candidate extensions); most documents carry one attachment, some two
ATTACH_EXTS = {"policy": ("pdf", "doc", "docx", "ofd"), "normative": ("pdf", "wps"),
               "doc": ("xls", "xlsx", "pdf", "zip", "et"), "annual_report": ("pdf",),
               "notice": ("docx", "xls", "rar", "txt")}


def columns_of(spec: SiteSpec, extra: tuple[str, ...] = ()) -> list[ColumnSpec]:
    """The spec's columns, catalogue columns a defect adds (`extra`), and the index columns they
    hang under (gk.root, gk.statutory)."""
    cols = list(spec.columns)
    have = {c.key for c in cols}
    for key in extra:
        if key not in have:
            if key not in COLUMN_CATALOGUE:
                raise SpecError(f"{spec.key}: a defect names column {key!r}, which is not in the catalogue")
            cols.append(ColumnSpec(key=key, **COLUMN_CATALOGUE[key]))
            have.add(key)
    if "gk.root" not in have:
        cols.insert(0, ColumnSpec(key="gk.root", **{k: v for k, v in COLUMN_CATALOGUE["gk.root"].items()}))
        have.add("gk.root")
    i = 0
    while i < len(cols):
        parent = cols[i].parent
        if parent and parent not in have:
            if parent not in COLUMN_CATALOGUE:
                raise SpecError(f"{spec.key}: column {cols[i].key} has unknown parent {parent!r}")
            cols.append(ColumnSpec(key=parent, **COLUMN_CATALOGUE[parent]))
            have.add(parent)
        i += 1
    return cols


def plan_site(spec: SiteSpec, style: Style, site: Site) -> None:
    """Fill `site` (which may already hold defect knobs) with columns and documents."""
    overrides: dict[str, dict[str, object]] = site.knobs.get("columns", {})   # type: ignore[assignment]
    for i, cs in enumerate(columns_of(spec, tuple(overrides))):
        if cs.key in overrides:          # empty_column / stale_column: same column, other contents
            cs = dataclasses.replace(cs, **overrides[cs.key])   # type: ignore[arg-type]
        if not cs.dialects:
            cs = dataclasses.replace(cs, dialects=style.default_dialects)
        col = Column(spec=cs)
        style.place_column(site, col, i)
        site.columns[cs.key] = col
    for col in site.columns.values():
        if col.spec.parent:
            col.parent = site.columns[col.spec.parent]
            col.parent.children.append(col)
    titles = C.TitleMaker(spec.short_name)
    for col in site.columns.values():
        if col.spec.kind not in ("guide", "index", "interpretation"):
            col.docs = _make_docs(spec, col, titles, site.knobs)
    _pair_interpretations(site, titles)
    _assign_ids(site)
    for doc in site.docs:
        style.place_doc(site, doc)
        _attach(site, style, doc)
    for col in site.columns.values():
        col.list_paths = style.list_paths(col)


def _dates(spec: SiteSpec, cs: ColumnSpec, n: int) -> list[date]:
    r = C.rng(spec.seed, "dates", cs.key)
    d = spec.as_of - timedelta(days=cs.newest)
    out = []
    for i in range(n):
        if i:
            d -= timedelta(days=round(r.uniform(0.5, 1.5) * cs.interval) or (0 if cs.interval < 2 else 1))
        out.append(d)
    return out


def _make_docs(spec: SiteSpec, col: Column, titles: C.TitleMaker, knobs: dict[str, object]) -> list[Doc]:
    cs, kind = col.spec, col.spec.kind
    r = C.rng(spec.seed, "docs", cs.key)
    unanswered: list[int] = []
    if kind == "annual_report":
        years = [spec.as_of.year - 1 - i for i in range(cs.docs)]
        dates = [date(y + 1, 1, 15 + r.randint(0, 12)) for y in years]
    else:
        dates = _dates(spec, cs, cs.docs)
    if kind == "message" and knobs.get("unanswered"):
        # unanswered_message: the oldest messages become ones asked `days` ago and never answered
        unanswered = list(knobs["unanswered"])[: len(dates)]   # type: ignore[call-overload]
        for i, days in enumerate(unanswered):
            dates[len(dates) - 1 - i] = spec.as_of - timedelta(days=days)
        dates.sort(reverse=True)
    late = {spec.as_of - timedelta(days=d) for d in unanswered}
    docs = []
    for seq, d in enumerate(dates):
        if kind == "annual_report":
            title = f"{spec.name}{d.year - 1}年政府信息公开工作年度报告"
        elif kind == "system":
            title = titles.unique(f"{spec.short_name}{SYSTEM_TITLES[seq % len(SYSTEM_TITLES)]}")
        elif kind == "message":
            title, question = C.message_text(r)
            title = titles.unique(title)
        else:
            title = titles.make(kind, r, d.year)
        doc = Doc(id=0, column=col, kind=kind, title=title, date=d, seq=seq)
        doc.dialect = cs.dialects[seq % len(cs.dialects)] if cs.dialects else ""
        if kind == "annual_report":
            doc.extra["year"] = d.year - 1
        if kind == "message":
            answered = None if d in late else min(spec.as_of, d + timedelta(days=r.randint(1, 9)))
            doc.extra.update(question=question, asker=C.person_name(r), answer_date=answered,
                             answer_unit=r.choice(C.DEPARTMENTS))
        docs.append(doc)
    return docs


INTERPRETED = ("gk.policy", "gk.normative")   # 三同步 applies to 政策文件 and 行政规范性文件 (standards A17)


def _pair_interpretations(site: Site, titles: C.TitleMaker) -> None:
    """Each 解读 interprets one policy or 规范性文件 (三同步: dated 0–2 days after it); policies are
    served first, then 规范性文件, while 解读 last; some documents get none (planted)."""
    interp = site.column("gk.interpretation")
    if interp is None:
        return
    spec = site.spec
    from zwgk.portal_sim.defects import unpaired_seqs  # late: defects imports the plan's model users

    candidates = [p for key in INTERPRETED if (col := site.column(key))
                  for p in col.docs if p.seq not in unpaired_seqs(site, key)]
    if interp.spec.docs > len(candidates):
        raise SpecError(f"{spec.key}: gk.interpretation has {interp.spec.docs} docs but only "
                        f"{len(candidates)} policies can take a 解读; lower its `docs`")
    r = C.rng(spec.seed, "docs", "gk.interpretation")
    for seq, pol in enumerate(candidates[: interp.spec.docs]):
        d = min(spec.as_of, pol.date + timedelta(days=r.randint(0, 2)))
        doc = Doc(id=0, column=interp, kind="interpretation", title=titles.interpretation(pol.title, r),
                  date=d, seq=seq, related=[pol])
        doc.dialect = interp.spec.dialects[seq % len(interp.spec.dialects)]
        pol.related.append(doc)
        interp.docs.append(doc)
    interp.docs.sort(key=lambda d: d.date, reverse=True)
    for col in (interp, _file_elsewhere(site, interp)):
        for seq, doc in enumerate(col.docs if col else []):
            doc.seq = seq


def _file_elsewhere(site: Site, interp: Column) -> Column | None:
    """interpretation_elsewhere: the n-th newest 解读 is filed in another column (政务动态 …), as
    portals do with 图解 news; it is a 解读 only by its title (and its links)."""
    move = site.knobs.get("interpretation_elsewhere")
    if not move:
        return None
    target = site.column(str(move["column"]))   # type: ignore[index]
    if target is None or not interp.docs:
        raise SpecError(f"{site.key}: interpretation_elsewhere needs column {move!r} and 解读 to move")
    doc = interp.docs.pop(min(int(move.get("n", 0)), len(interp.docs) - 1))   # type: ignore[union-attr]
    doc.column = target
    target.docs.append(doc)
    target.docs.sort(key=lambda d: d.date, reverse=True)
    return target


def _assign_ids(site: Site) -> None:
    spec = site.spec
    order = {key: i for i, key in enumerate(site.columns)}
    docs = [d for c in site.columns.values() for d in c.docs]
    docs.sort(key=lambda d: (d.date, order[d.column.key], -d.seq))
    r = C.rng(spec.seed, "ids")
    next_id, per_year = spec.id_base, {}
    for doc in docs:
        next_id += r.randint(1, 37)
        doc.id = next_id
        per_year[doc.date.year] = per_year.get(doc.date.year, 0) + r.randint(1, 9)
        if doc.kind in METADATA_KINDS:
            doc.fields = _fields(spec, doc, per_year[doc.date.year])
    site.docs = docs


def _fields(spec: SiteSpec, doc: Doc, seq: int) -> dict[str, str]:
    r = C.rng(spec.seed, "fields", doc.id)
    publisher = {"policy": spec.name, "system": spec.short_name + "人民政府办公室"}.get(
        doc.kind, spec.short_name + r.choice(C.DEPARTMENTS).removeprefix("县"))
    written = doc.date - timedelta(days=r.randint(1, 6))
    fields = {"索引号": C.index_number(spec.org_code, doc.date.year, seq), "发布机构": publisher,
              "主题分类": r.choice(C.THEMES),
              "发文字号": C.doc_number(spec.short_name, doc.kind, doc.date.year, r.randint(1, 40)),
              "成文日期": C.cn_date(written), "发布日期": C.cn_date(doc.date), "标题": doc.title}
    if doc.kind == "normative":
        fields["有效性"] = "有效"
    return fields


def _attach(site: Site, style: Style, doc: Doc) -> None:
    exts = ATTACH_EXTS.get(doc.kind)
    if not exts:
        return
    r = C.rng(site.spec.seed, "attach", doc.id)
    count = 1 if doc.kind == "annual_report" else r.choice((0, 1, 1, 1, 2))
    for n in range(1, count + 1):
        ext = r.choice(exts)
        token = "".join(str(r.randint(0, 9)) for _ in range(12))
        label = f"{C.short_title(doc.title)}.{ext}" if count == 1 else f"附件{n}：{C.short_title(doc.title)}.{ext}"
        doc.attachments.append(Attachment(host=doc.host, path=style.attachment_path(site, doc, n, ext, token),
                                          label=label, ext=ext))
