"""policy.interpretation: policy documents have a 解读, published with them and associated with them
(三同步: 同步起草、同步审签、同步发布; 政策文件与解读材料相互关联).

Association counts from either side, in any of the forms portals use: the policy page links the 解读
(相关解读 block), the policy's row in its column list carries it (NDRC div.popbox 「相关解读」, MIIT
hidden dl 相关解读, a sibling 解读 link, a 解读 label in the row), or the 解读 page links the policy
(原文链接 / 相关文件). Findings: a policy with no 解读 at all (the major one; "not found", so it needs
the 政策解读 column's whole list), and a 解读 that exists but is linked from neither side.
"""

from __future__ import annotations

import re
from typing import Any

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import SiteContext
from zwgk.checks.documents import documents_in, documents_of
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.columns import is_detail, list_key
from zwgk.understand.interpretation import (
    INTERP_TITLE,
    is_interpretation_title,
    pair_interpretations,
    relation_links,
)

DEFAULT_POLICY_COLUMNS = ["gk.policy", "gk.normative"]
HOW_LABELS = {"link_from_policy": "文件页链接解读", "link_in_list": "列表中随文件列出解读",
              "link_from_interpretation": "解读页链接原文", "title_match": "仅标题对应"}
# the alternatives of INTERP_TITLE (a pattern of plain words): a title it matches contains one of them
INTERP_WORDS = tuple(INTERP_TITLE.pattern.split("|"))
assert all(re.escape(w) == w for w in INTERP_WORDS), "INTERP_TITLE is no longer a list of plain words"
# A 解读 page's relation link to its document (not to another 解读): 原文链接 / 相关文件 / 政策原文 …
_DOCUMENT_LINK = re.compile(r"原文|相关文件|相关政策|关联文件|政策文件|文件链接|文件全文")


def _interpretations(ctx: SiteContext, filed: list[tuple[str, PageRecord]] | None = None) -> list[PageRecord]:
    """The 解读 pages: the 政策解读 column's documents (`filed`: documents_in of it, if known), then
    document pages titled as a 解读."""
    if filed is None:
        filed = documents_in(ctx, ["gk.interpretation"])
    pages = {p.url: p for _, p in filed}
    for page in ctx.pages_mentioning(INTERP_WORDS):
        # A 解读 filed elsewhere (图解 news …) is found by its title; only document pages count —
        # the 政策解读 column's own list page is titled 政策解读 too.
        if page.url not in pages and is_detail(page) and is_interpretation_title(page.title or ""):
            pages[page.url] = page
    return list(pages.values())


def _links_a_document(page: PageRecord, interpretation_keys: set[str]) -> bool:
    """The 解读 page links the document it interprets (whether or not that document was crawled)."""
    return any(_DOCUMENT_LINK.search(rel.label) and list_key(rel.url) not in interpretation_keys
               for rel in relation_links(page))


@check(id="policy.interpretation", title="政策文件有解读材料，文件与解读相互关联", severity="major",
       needs=("document_pages", "column_docs:gk.policy", "column_docs:gk.normative"),
       absence=("column_items:gk.interpretation",),
       basis="国办发〔2016〕80号《〈关于全面推进政务公开工作的意见〉实施细则》：政策解读与文件同步组织、同步审签、同步部署；"
             "国办秘函〔2019〕19号 解读回应类指标：政策文件与解读材料应相互关联。"
             "关联的认定：文件页链接解读（相关解读）、栏目列表中文件条目所带的解读（如「相关解读」弹出框、"
             "隐藏的相关解读列表、条目中的解读链接或标签），或解读页链接原文（原文链接、相关文件），任一方向即为关联；"
             "无解读为严重问题，有解读但两方向均未链接为一般问题",
       remediation="为政策文件发布解读材料，并在文件页、栏目列表或解读页建立文件与解读之间的链接（「相关解读」「原文链接」）。")
def policy_interpretation(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    columns = list(ctx.setting("interpretation_policy_columns", DEFAULT_POLICY_COLUMNS))
    # (the policy columns' documents and the 解读 column's from one pass over the pages)
    documents, filed = documents_of(ctx, columns, ["gk.interpretation"])
    policies = [p for _, p in documents if not is_interpretation_title(p.title or "")]
    if not policies:
        return CheckResult("policy.interpretation", "not_applicable", "未找到政策文件页面")
    fetched = {p.final_url or p.url: p.fetched_at for p in policies}
    interps = _interpretations(ctx, filed)
    lists = [lp for key in columns for lp in ctx.column_list_pages(key)]
    listing = ctx.column_listing("gk.interpretation")
    listed = [(i.url, i.title) for i in (listing[1] if listing else [])]
    result = pair_interpretations(policies, interps, lists, listed)
    findings = []
    forms: dict[str, int] = {}
    hows: dict[str, int] = {}
    associated: set[str] = set()        # list_key of every 解读 linked from either side
    for pol in result.policies:
        for pair in pol.pairs:
            forms[pair.interpretation.form] = forms.get(pair.interpretation.form, 0) + 1
            for how in pair.how:
                hows[how] = hows.get(how, 0) + 1
        for pair in pol.associated:
            associated.add(list_key(pair.interpretation.url))
        if pol.pairs:
            continue
        findings.append(finding(f"政策文件「{pol.title}」未找到对应的解读材料", pol.url,
                                target="no_interpretation_link", absent=True,
                                expected="政策文件有解读材料，并与解读相互关联",
                                seen="文件页、栏目列表及政策解读栏目中均未见对应的解读", reason="no_interpretation",
                                at=fetched.get(pol.url)))
    interp_keys = {list_key(p.final_url or p.url) for p in interps}
    matched = {list_key(p.interpretation.url): pol for pol in result.policies for p in pol.pairs}
    for page in interps:
        key = list_key(page.final_url or page.url)
        if key in associated or _links_a_document(page, interp_keys):
            continue
        pol = matched.get(key)
        named = f"（对应文件「{pol.title}」，仅标题对应）" if pol else ""
        findings.append(finding(f"解读「{page.title}」与所解读的政策文件未相互关联{named}", page.url,
                                target="no_policy_link", severity="minor",
                                expected="文件页、栏目列表或解读页至少一处链接文件与解读（相关解读/原文链接）",
                                seen="文件页、栏目列表和解读页均未链接", reason="no_policy_link",
                                policy=pol.url if pol else None, at=page.fetched_at))
    paired = sum(1 for p in result.policies if p.paired)
    details = {"policies": len(result.policies), "paired": paired, "interpretations": len(interps),
               "listed_interpretations": len(listed), "forms": forms,
               "associations": {HOW_LABELS.get(k, k): v for k, v in sorted(hows.items())},
               "unpaired_interpretations": [i.url for i in result.unpaired]}
    if findings:
        return CheckResult("policy.interpretation", "fail",
                           f"{len(result.policies)} 个政策文件中 {paired} 个有解读；{len(findings)} 处问题",
                           details=details, findings=findings)
    return CheckResult("policy.interpretation", "pass", f"{len(result.policies)} 个政策文件均有解读并相互关联",
                       details=details,
                       evidence=[{"url": p.url, "expected": "文件与解读相互关联",
                                  "seen": f"解读：{p.pairs[0].interpretation.title}"
                                          f"（{'、'.join(HOW_LABELS.get(h, h) for h in p.pairs[0].how)}）",
                                  "at": fetched.get(p.url)}
                                 for p in result.policies[:3] if p.pairs])
