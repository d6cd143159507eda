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
