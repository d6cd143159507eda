"""doc.metadata: document pages carry the metadata people use to find and cite them.

Every document page of the site that carries a 公开目录 metadata block (索引号/文号/成文日期/主题分类
labels) is judged, wherever it is filed in the 政府信息公开 tree — 政策文件, 部门信息公开, the
法定主动公开内容 sub-columns, 通知公告 … (`checks.metadata_columns: [gk.policy, …]` narrows it to
those columns' documents). An article without such a block (a news item) is not a 公开目录 document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import PageLabel, SiteContext
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.columns import column_url_of, is_detail, list_key

DEFAULT_FIELDS = ["索引号", "发布机构", "成文日期", "文号", "发布日期"]
POLICY_COLUMNS = ["gk.policy", "gk.normative"]
DEFAULT_LIMIT = 2000


def documents_in(ctx: SiteContext, column_keys: list[str]) -> list[tuple[str, PageRecord]]:
    """(column key, stored detail page) for the documents of the given columns: the items its list
    shows, then the column's other document pages the crawl fetched (reached through 上一篇/下一篇,
    a 解读's 原文链接 or a later list page — a list page shows only its newest items)."""
    return documents_of(ctx, column_keys)[0]


def documents_of(ctx: SiteContext, *column_sets: list[str]) -> list[list[tuple[str, PageRecord]]]:
    """documents_in of each set of columns, from one pass over the pages for all of them."""
    listings = {key: listing for keys in column_sets for key in keys
                if (listing := ctx.column_listing(key)) is not None}
    by_column = _detail_pages_by_column(ctx, {list_key(p.final_url or p.url) for p, _ in listings.values()})
    outs = []
    for keys in column_sets:
        out: list[tuple[str, PageRecord]] = []
        seen: set[str] = set()
        for key in dict.fromkeys(keys):
            if (listing := listings.get(key)) is None:
                continue
            page0 = listing[0]
            filed = by_column.get(list_key(page0.final_url or page0.url), [])
            for page in [p for item in listing[1] if (p := ctx.page_at(item.url)) is not None] + filed:
                if page.url not in seen:
                    seen.add(page.url)
                    out.append((key, page))
        outs.append(out)
    return outs


def _detail_pages_by_column(ctx: SiteContext, wanted: set[str]) -> dict[str, list[PageRecord]]:
    """Stored document pages by the column directory their URL names (TRS /zcwj/2026…/t…html → /zcwj/,
    Hanweb art_<col>_ → /col/col<col>/index.html), in URL order; only the `wanted` columns (list keys)."""
    out: dict[str, list[PageRecord]] = {}
    if not wanted:
        return out

    def in_wanted(label: PageLabel) -> bool:
        return bool((col := column_url_of(label.final_url or label.url)) and list_key(col) in wanted)

    # (the records built only for the pages whose address is in one of the columns)
    for page in ctx.pages_where(in_wanted, order="url"):
        if is_detail(page) and (col := column_url_of(page.final_url or page.url)) and list_key(col) in wanted:
            out.setdefault(list_key(col), []).append(page)
    return out


def metadata_documents(ctx: SiteContext, keep: int | None = None
                       ) -> tuple[list[tuple[str | None, PageRecord]], int]:
    """(column key or None, page) of the document pages that carry a metadata block —
    the policy columns' documents first — the first `keep` of them (all: None), and how many there
    are. `checks.metadata_columns` narrows it to those columns. Pages beyond `keep` are counted, not
    kept (the site's documents are streamed, never all in memory)."""
    out: list[tuple[str | None, PageRecord]] = []
    total = 0

    def full() -> bool:
        return keep is not None and len(out) >= keep

    def take(key: str | None, page: PageRecord) -> None:
        nonlocal total
        total += 1
        if not full():
            out.append((key, page))

    narrowed = ctx.options.get("metadata_columns") or ctx.setting("metadata_columns", None)
    if narrowed:
        for k, p in documents_in(ctx, list(narrowed)):
            if ctx.meta_facts(p).has_block:
                take(k, p)
        return out, total
    seen: set[str] = set()
    for key, page in documents_in(ctx, POLICY_COLUMNS):
        seen.add(page.url)
        if ctx.meta_facts(page).has_block:
            take(key, page)
    column_of = {list_key(hit.url): key for key, hit in ctx.columns.items()}
    # Every other document page with a block, in URL order, read from narrow rows: a page's record is
    # built when it is kept, or to read whether it has a block when the facts kept do not say
    # (block_known); past `keep` a page the facts vouch for is only counted.
    for label in ctx.page_labels(order="url"):
        if label.url in seen or not label.is_detail():
            continue
        known = ctx.block_known(label.url)
        if known is False:
            continue
        if known and full():
            total += 1
            continue
        page = ctx.record(label)
        if ctx.block_words(page) and ctx.meta_facts(page).has_block:
            col = column_url_of(page.final_url or page.url)
            take(column_of.get(list_key(col)) if col else None, page)
    return out, total


@dataclass(frozen=True, slots=True)
class DocJudgement:
    """doc.metadata's reading of one document page that lacks something (kept small: per page)."""
    fields: tuple[str, ...]
    values: tuple[str | None, ...]      # what the page shows under each field's label (None: no label)
    made: date | None
    published: date | None
    title: str | None

    @property
    def seen(self) -> dict[str, str | None]:
        return dict(zip(self.fields, self.values, strict=True))

    @property
    def missing(self) -> list[str]:
        return [f for f, v in zip(self.fields, self.values, strict=True) if not v]

    @property
    def problems(self) -> list[str]:
        out = [f"缺少{f}" for f in self.missing]
        if self.made and self.published and self.made > self.published:
            out.append(f"成文日期 {self.made} 晚于发布日期 {self.published}")
        return out


def judge_metadata(meta: Any, fields: tuple[str, ...]) -> DocJudgement | None:
    """What a document page lacks of the required fields (or a 成文日期 after its 发布日期); None: nothing."""
    judged = DocJudgement(fields, tuple(meta.visible(f) for f in fields), meta.date("成文日期"),
                          meta.date("发布日期"), meta.title)
    return judged if judged.problems else None


@check(id="doc.metadata", title="政府信息公开文件标注规范元数据", severity="minor",
       needs=("document_pages", "column_docs:gk.policy"),
       basis="《政府网站发展指引》（国办发〔2017〕47号）文件资料准确分类、标注废止失效；"
             "各地公开目录规范的索引号、发布机构、成文日期、文号、发布日期等要素（无全国统一清单，可配置）；"
             "检查政府信息公开专栏中带公开目录信息栏（索引号、文号等）的全部文件页面",
       remediation="在文件页面补齐索引号、发布机构、成文日期、文号（无文号的注明「无」）、发布日期等要素。")
def doc_metadata(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    fields = list(ctx.setting("metadata_required_fields", DEFAULT_FIELDS))
    limit = int(ctx.options.get("metadata_max_documents") or DEFAULT_LIMIT)
    docs, total = metadata_documents(ctx, keep=limit)
    if not docs:
        return CheckResult("doc.metadata", "not_applicable", "未找到带公开目录信息栏的文件页面")
    findings = []
    for column, page in docs:
        judged = ctx.doc_judgement(page, fields)
        if judged is not None:
            findings.append(finding(f"文件「{judged.title or page.title}」元数据不全：{'；'.join(judged.problems)}",
                                    page.url, expected="、".join(fields), seen=judged.seen, missing=judged.missing,
                                    column=column, at=page.fetched_at))
    details: dict[str, Any] = {"documents": len(docs), "fields": fields, "incomplete": len(findings),
                               "columns": sorted({c for c, _ in docs if c})}
    if total > limit:
        details["partial"] = f"共 {total} 个文件页面，只检查了前 {limit} 个（checks.metadata_max_documents）"
    if findings:
        return CheckResult("doc.metadata", "fail", f"{len(findings)}/{len(docs)} 个文件页面元数据不全",
                           details=details, findings=findings)
    return CheckResult("doc.metadata", "pass", f"{len(docs)} 个文件页面元数据齐全", details=details,
                       evidence=[{"url": p.url, "expected": "、".join(fields), "seen": "元数据齐全", "at": p.fetched_at}
                                 for _, p in docs[:3]])
