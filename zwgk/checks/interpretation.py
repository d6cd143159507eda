"""policy.interpretation: policy documents and their 解读 are published together and link each other
(三同步: 同步起草、同步审签、同步发布)."""

from __future__ import annotations

from typing import Any

from zwgk.checks.base import CheckResult, finding
from zwgk.checks.context import SiteContext
from zwgk.checks.documents import documents_in
from zwgk.checks.registry import check
from zwgk.store import PageRecord
from zwgk.understand.columns import is_detail
from zwgk.understand.interpretation import is_interpretation_title, pair_interpretations

DEFAULT_POLICY_COLUMNS = ["gk.policy", "gk.normative"]


def _interpretations(ctx: SiteContext) -> list[PageRecord]:
    pages = {p.url: p for _, p in documents_in(ctx, ["gk.interpretation"])}
    for page in ctx.pages:
        # A 解读 filed elsewhere (图解 news …) is found by its title; only document pages count —
        # the 政策解读 column's own list page is titled 政策解读 too.
        if page.url not in pages and is_detail(page) and is_interpretation_title(page.title or ""):
            pages[page.url] = page
    return list(pages.values())


@check(id="policy.interpretation", title="政策文件与解读材料同步发布并相互关联", severity="major",
       basis="国办发〔2016〕80号《〈关于全面推进政务公开工作的意见〉实施细则》：政策解读与文件同步组织、同步审签、同步部署；"
             "国办秘函〔2019〕19号 解读回应类指标：政策文件与解读材料应相互关联",
       remediation="为政策文件发布解读材料，并在文件页和解读页相互添加「相关解读」「原文链接」。")
def policy_interpretation(ctx: SiteContext, params: dict[str, Any]) -> CheckResult:
    columns = list(ctx.setting("interpretation_policy_columns", DEFAULT_POLICY_COLUMNS))
    policies = [p for _, p in documents_in(ctx, columns) if not is_interpretation_title(p.title or "")]
    if not policies:
        return CheckResult("policy.interpretation", "not_applicable", "未找到政策文件页面")
    fetched = {p.final_url or p.url: p.fetched_at for p in policies}
    interps = _interpretations(ctx)
    lists = [listing[0] for key in columns if (listing := ctx.column_listing(key))]
    result = pair_interpretations(policies, interps, lists)
    findings = []
    forms: dict[str, int] = {}
    backed: set[str] = set()
    for pol in result.policies:
        linked = [p for p in pol.pairs if "link_from_policy" in p.how]
        for pair in pol.pairs:
            forms[pair.interpretation.form] = forms.get(pair.interpretation.form, 0) + 1
            if pair.back_link:
                backed.add(pair.interpretation.url)
        if linked:
            continue
        named = [p.interpretation for p in pol.pairs]
        seen = (f"有解读《{named[0].title}》但文件页未链接" if named else "未找到对应的解读材料")
        findings.append(finding(f"政策文件「{pol.title}」{seen}", pol.url, target="no_interpretation_link",
                                expected="文件页或列表中链接到解读材料", seen=seen, reason="no_interpretation_link",
                                interpretations=[i.url for i in named], at=fetched.get(pol.url)))
    for page in interps:
        url = page.final_url or page.url
        if url in backed or page.url in backed:
            continue
        findings.append(finding(f"解读「{page.title}」未链接到所解读的政策文件", page.url, target="no_policy_link",
                                expected="解读页链接原文（原文链接/相关文件）", seen="解读页未见原文链接",
                                reason="no_policy_link", at=page.fetched_at))
    paired = sum(1 for p in result.policies if p.paired)
    details = {"policies": len(result.policies), "paired": paired, "interpretations": len(interps),
               "forms": forms, "unpaired_interpretations": [i.url for i in result.unpaired]}
    if findings:
        return CheckResult("policy.interpretation", "fail",
                           f"{len(result.policies)} 个政策文件中 {paired} 个有解读；{len(findings)} 处未相互关联",
                           details=details, findings=findings)
    return CheckResult("policy.interpretation", "pass", f"{len(result.policies)} 个政策文件均有解读并相互关联",
                       details=details,
                       evidence=[{"url": p.url, "expected": "文件与解读相互链接",
                                  "seen": f"解读：{p.pairs[0].interpretation.title}", "at": fetched.get(p.url)}
                                 for p in result.policies[:3] if p.pairs])
