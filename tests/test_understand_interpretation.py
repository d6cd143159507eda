"""Policy ↔ 解读 pairing: links both ways (incl. list-row pop-ups), then title matching."""

from pathlib import Path

import pytest

from zwgk.store import PageRecord
from zwgk.understand.interpretation import (
    PairingResult,
    interpretation_form,
    is_interpretation_title,
    named_documents,
    normalise_title,
    pair_interpretations,
    relation_links,
)

FIX = Path(__file__).parent / "fixtures" / "html" / "understand"
BASE = "http://www.x.gov.cn"
NAV = f'<div class="nav"><a href="{BASE}/">首页</a><a href="{BASE}/zwgk/zcjd/">政策解读</a></div>'


def doc(path: str, title: str, body: str = "", meta: dict[str, str] | None = None) -> PageRecord:
    html = f"<html><head><title>{title}_某县人民政府</title></head><body>{NAV}<h1>{title}</h1>{body}</body></html>"
    return PageRecord(site="s", url=BASE + path, status=200, title=f"{title}_某县人民政府", meta=meta or {}, body=html)


POLICY = doc("/zwgk/zcwj/202601/t20260105_1.html", "关于印发《某县乡村振兴实施方案》的通知",
             '<div class="content"><p>要做好政策解读工作。</p><p><a href="/files/fj1.pdf">附件1</a></p></div>'
             '<div class="xgjd"><h3>相关解读</h3><ul><li><a href="/zwgk/zcjd/202601/t20260106_2.html">'
             "关于《某县乡村振兴实施方案》的解读</a></li></ul></div>")
INTERP = doc("/zwgk/zcjd/202601/t20260106_2.html", "关于《某县乡村振兴实施方案》的解读",
             '<p>原文链接：<a href="/zwgk/zcwj/202601/t20260105_1.html">关于印发《某县乡村振兴实施方案》的通知</a></p>')


def pairs_of(result: PairingResult, url: str) -> list[tuple[str, str, list[str], bool | None]]:
    pol = next(p for p in result.policies if p.url == url)
    return [(p.interpretation.title, p.interpretation.form, p.how, p.back_link) for p in pol.pairs]


def test_links_both_ways_with_back_link() -> None:
    result = pair_interpretations([POLICY], [INTERP])
    assert pairs_of(result, POLICY.url) == [
        ("关于《某县乡村振兴实施方案》的解读", "文字", ["link_from_policy", "link_from_interpretation"], True)]
    pol = result.policies[0]
    assert pol.paired and pol.back_linked and pol.title == "关于印发《某县乡村振兴实施方案》的通知"
    assert pol.pairs[0].via == [POLICY.url, INTERP.url]
    assert result.unpaired == []


def test_body_text_and_nav_links_are_not_relations() -> None:
    urls = [r.url for r in relation_links(POLICY)]
    assert urls == [BASE + "/zwgk/zcjd/202601/t20260106_2.html"]       # not 附件1, not the nav 政策解读


def test_interpretation_link_only_back_to_policy() -> None:
    policy = doc("/zwgk/zcwj/202602/t20260201_3.html", "某县人民政府关于加快推进数字政府建设的实施意见")
    interp = doc("/zwgk/zcjd/202602/t20260203_4.html", "数字政府建设政策问答",
                 f'<div class="xgwj"><span>相关文件：</span><a href="{policy.url}">点击查看</a></div>')
    result = pair_interpretations([policy], [interp])
    assert pairs_of(result, policy.url) == [("数字政府建设政策问答", "问答", ["link_from_interpretation"], True)]


@pytest.mark.parametrize(("interp_title", "form"), [
    ("《某县全域旅游发展规划》解读", "文字"),
    ("关于《某县全域旅游发展规划》的解读", "文字"),
    ("《某县全域旅游发展规划》政策解读", "文字"),
    ("图解《某县全域旅游发展规划》", "图解"),
    ("图解：《某县全域旅游发展规划》", "图解"),
    ("一图读懂某县全域旅游发展规划", "图解"),
    ("视频解读：《某县全域旅游发展规划》", "视频"),
    ("县文旅局负责同志就《某县全域旅游发展规划》答记者问", "问答"),
])
def test_title_match_forms(interp_title: str, form: str) -> None:
    policy = doc("/zwgk/zcwj/202603/t20260301_5.html", "某县人民政府关于印发《某县全域旅游发展规划》的通知")
    other = doc("/zwgk/zcwj/202603/t20260302_6.html", "某县人民政府关于印发《某县全域旅游发展规划实施细则》的通知")
    interp = doc("/zwgk/zcjd/202603/t20260305_7.html", interp_title)
    result = pair_interpretations([policy, other], [interp])
    assert pairs_of(result, policy.url) == [(interp_title, form, ["title_match"], False)]
    assert pairs_of(result, other.url) == []                # exact name beats the longer 细则 title


def test_short_title_without_book_marks() -> None:
    policy = doc("/zwgk/zcwj/202604/t20260401_8.html", "某县人民政府关于加快推进燃气安全治理的实施意见")
    interp = doc("/zwgk/zcjd/202604/t20260402_9.html", "关于《某县人民政府关于加快推进燃气安全治理》的解读")
    assert pairs_of(pair_interpretations([policy], [interp]), policy.url)[0][2] == ["title_match"]


def test_unrelated_interpretation_is_unpaired() -> None:
    policy = doc("/zwgk/zcwj/202605/t20260501_10.html", "某县人民政府关于做好防汛抗旱工作的通知")
    interp = doc("/zwgk/zcjd/202605/t20260502_11.html", "《某县养老服务体系建设三年行动计划》解读")
    result = pair_interpretations([policy], [interp])
    assert pairs_of(result, policy.url) == [] and not result.policies[0].paired
    assert [i.url for i in result.unpaired] == [interp.url]


def test_sidebar_of_latest_interpretations_is_not_a_relation() -> None:
    policy = doc("/zwgk/zcwj/202606/t20260601_12.html", "某县人民政府关于加强耕地保护工作的通知",
                 '<div class="side-box"><h3>政策解读</h3><ul>'
                 '<li><a href="/zwgk/zcjd/202606/t20260602_13.html">《某县养老服务条例》解读</a></li></ul></div>')
    interp = doc("/zwgk/zcjd/202606/t20260602_13.html", "《某县养老服务条例》解读")
    result = pair_interpretations([policy], [interp])
    assert pairs_of(result, policy.url) == [] and [i.url for i in result.unpaired] == [interp.url]


def test_list_row_popups_pair_uncrawled_interpretations() -> None:
    base = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/"
    listing = PageRecord(site="ndrc", url=base, status=200, body=(FIX / "ndrc_list.html").read_text(encoding="utf-8"))
    policy = PageRecord(site="ndrc", url=base + "202604/t20260409_1404577.html", status=200,
                        meta={"ArticleTitle": "《电力市场运行基本规则》（2026年第12号令）"},
                        body="<html><body></body></html>")
    lone = PageRecord(site="ndrc", url=base + "202603/t20260320_1403988.html", status=200,
                      meta={"ArticleTitle": "《价格违法行为行政处罚规定》（2026年第11号令）"})
    result = pair_interpretations([policy, lone], [], [listing])
    pol = result.policies[0]
    assert [(p.interpretation.url, p.interpretation.form, p.interpretation.crawled, p.how, p.via, p.back_link)
            for p in pol.pairs] == [
        ("https://www.ndrc.gov.cn/xxgk/jd/jd/202604/t20260424_1404868.html", "文字", False, ["link_in_list"],
         [base], None),
        ("https://www.ndrc.gov.cn/xxgk/jd/zctj/202604/t20260425_1404901.html", "图解", False, ["link_in_list"],
         [base], None),
    ]
    assert result.policies[1].pairs == [] and result.unpaired == []


def test_list_popup_pairs_with_crawled_interpretation_and_its_back_link() -> None:
    base = "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/"
    listing = PageRecord(site="ndrc", url=base, status=200, body=(FIX / "ndrc_list.html").read_text(encoding="utf-8"))
    policy = PageRecord(site="ndrc", url=base + "202602/t20260227_1403512.html", status=200,
                        meta={"ArticleTitle": "《企业投资项目核准和备案管理办法》（2026年第10号令）"})
    interp = PageRecord(site="ndrc", url="https://www.ndrc.gov.cn/xxgk/jd/jd/202603/t20260305_1403600.html",
                        status=200,
                        meta={"ArticleTitle": "国家发展改革委有关负责同志就《企业投资项目核准和备案管理办法》答记者问"},
                        body='<html><body><p>相关文件：<a href="../../../zcfb/fzggwl/202602/t20260227_1403512.html">'
                             "《企业投资项目核准和备案管理办法》</a></p></body></html>")
    result = pair_interpretations([policy], [interp], [listing])
    assert pairs_of(result, policy.url) == [
        ("国家发展改革委有关负责同志就《企业投资项目核准和备案管理办法》答记者问", "问答",
         ["link_in_list", "link_from_interpretation"], True)]


def test_policy_without_body_uses_anchor_words() -> None:
    from zwgk.store import Link
    policy = PageRecord(site="s", url=BASE + "/zcwj/a.html", status=200, meta={"ArticleTitle": "某通知"},
                        links=[Link(url=BASE + "/zcjd/b.html", anchor="【图解】某通知", kind="page"),
                               Link(url=BASE + "/zcjd/c.html", anchor="首页", kind="page")])
    result = pair_interpretations([policy], [])
    assert [(p.interpretation.url, p.interpretation.form) for p in result.policies[0].pairs] == [
        (BASE + "/zcjd/b.html", "图解")]


def test_title_helpers() -> None:
    assert normalise_title("关于印发《某县乡村振兴实施方案》的通知") == "某县乡村振兴实施方案"
    assert normalise_title(" 某县人民政府关于加快推进X的实施意见 ") == "某县人民政府关于加快推进X"
    assert named_documents("关于《某县乡村振兴实施方案》的解读") == ["某县乡村振兴实施方案"]
    assert named_documents("关于某县乡村振兴实施方案的解读") == ["某县乡村振兴实施方案"]
    assert named_documents("图解：某县乡村振兴实施方案") == ["某县乡村振兴实施方案"]
    assert is_interpretation_title("一图读懂2026年政府工作报告")
    assert not is_interpretation_title("关于做好防汛工作的通知")
    assert interpretation_form("动漫说政策", "") == "视频"
    assert interpretation_form("解读", "https://www.ndrc.gov.cn/xxgk/jd/zctj/202604/t1.html") == "图解"
    assert interpretation_form("《办法》解读") == "文字"
