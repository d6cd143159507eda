"""Scoring arithmetic: what is deducted and what is only listed."""

from __future__ import annotations

from zwgk.checks.base import CheckResult, Finding
from zwgk.config.profile import load_profile
from zwgk.reports.scoring import score_site

HOME = "http://www.mq.gov.cn/"


def _term(confirm: bool) -> Finding:
    evidence = {"url": HOME + "a.html", "term": "以法治国"}
    if confirm:
        evidence["needs_confirmation"] = True
    return Finding("content.terms", "minor", "疑似错误表述", HOME + "a.html", target="以法治国", evidence=evidence)


def test_a_suspected_term_is_listed_for_review_but_not_deducted() -> None:
    profile = load_profile("national-2019")
    result = CheckResult("content.terms", "fail", "", severity="minor")
    suspected = score_site(profile, [result], [_term(confirm=True)], HOME)
    certain = score_site(profile, [result], [_term(confirm=False)], HOME)
    assert suspected.score == 100
    assert not [d for d in suspected.to_dict()["deductions"] if d["check"] == "content.terms"]
    assert certain.score is not None and certain.score < 100


# --- a verdict stands only if the checks that could not be judged cannot change it ---------------

def _broken_links(n: int) -> list[Finding]:
    return [Finding("links.broken", "major", "链接无法打开", HOME + f"p{i}.html", target=HOME + f"x{i}",
                    evidence={"url": HOME + f"p{i}.html"}) for i in range(n)]


def test_a_pass_that_unknown_checks_cannot_overturn_stands_and_says_so() -> None:
    profile = load_profile("national-2019")
    results = [CheckResult("links.broken", "fail", "", severity="major"),
               CheckResult("doc.metadata", "inconclusive", "无法判定", severity="minor")]
    scored = score_site(profile, results, _broken_links(1), HOME)
    assert scored.verdict == "合格" and scored.score is not None
    assert "政府信息公开文件标注规范元数据" in scored.reason and "结论不变" in scored.reason


def test_a_pass_that_unknown_checks_could_overturn_is_not_given() -> None:
    profile = load_profile("national-2019")
    unknown = ["column.missing", "policy.interpretation", "doc.metadata", "report.annual", "guide.content"]
    results = [CheckResult("links.broken", "fail", "", severity="major"),
               *(CheckResult(c, "inconclusive", "无法判定", severity="major") for c in unknown)]
    known = score_site(profile, results[:1], _broken_links(40), HOME)
    scored = score_site(profile, results, _broken_links(40), HOME)
    assert known.verdict == "合格"                       # on what was judged alone …
    assert scored.verdict == "无法评估" and scored.score is None   # … but the unknowns could sink it
    assert "最多还可扣" in scored.reason


def test_an_unknown_veto_check_leaves_a_pass_undecided_but_not_a_fail() -> None:
    profile = load_profile("national-2019")
    veto_check = profile.vetoes[-1]["check"]
    unknown = CheckResult(veto_check, "inconclusive", "无法判定", severity="veto")
    undecided = score_site(profile, [unknown], [], HOME)
    assert undecided.verdict == "无法评估" and "单项否决" in undecided.reason
    many = [Finding(c, "major", "问题", HOME + f"{c}/{i}.html", target=str(i))
            for c in ("links.broken", "column.missing", "column.stale", "policy.interpretation", "report.annual",
                      "content.terms") for i in range(100)]
    failing = score_site(profile, [unknown], many, HOME)
    assert failing.verdict == "不合格"                   # unknowns only take points off


def test_a_count_veto_is_out_of_reach_when_too_few_columns_are_unknown() -> None:
    profile = load_profile("national-2019")
    limit = int(profile.setting("empty_columns_veto", 0))
    one = [CheckResult("column.empty", "inconclusive", "无法判定", severity="major", params={"column": "gk.guide"})]
    assert score_site(profile, one, [], HOME).verdict == "合格"
    many = [CheckResult("column.empty", "inconclusive", "无法判定", severity="major", params={"column": f"gk.{i}"})
            for i in range(limit)]
    undecided = score_site(profile, many, [], HOME)
    assert undecided.verdict == "无法评估" and "单项否决" in undecided.reason
