"""doc.metadata and policy.interpretation over a small TRS-style 信息公开 section.

The cases the end-to-end comparison with the simulator's truth found: a column's documents are all
the document pages the crawl fetched in it (not only the ones list page 1 shows), and the 政策解读
column's own list page — titled 政策解读 — is not a 解读 document.
"""

from __future__ import annotations

from pathlib import Path

from support.sitebuild import build_site, run

HEAD = ('<html><head><meta charset="utf-8"><title>{title}_某区人民政府</title>'
        '<meta name="ColumnName" content="{column}">{extra}</head><body>{body}</body></html>')


def page(title: str, column: str, body: str, *, article: bool = False) -> str:
    extra = f'<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2026-11-01">' if article else ""
    return HEAD.format(title=title, column=column, extra=extra, body=body)


def header(index: str = "000014348/2026-00001") -> str:
    rows = [("索引号", index), ("发布机构", "某区人民政府"), ("成文日期", "2026年10月28日"),
            ("文号", "某政发〔2026〕1号"), ("发布日期", "2026年11月01日")]
    return '<ul class="xxgk">' + "".join(f"<li><span>{k}</span>：{v}</li>" for k, v in rows if v) + "</ul>"


def listing(column: str, items: list[tuple[str, str, str]]) -> str:
    lis = "".join(f'<li><a href="{href}" title="{t}">{t}</a><span>{d}</span></li>' for href, t, d in items)
    return page(column, column, f'<div class="position">首页 &gt; {column}</div><ul class="list">{lis}</ul>')


POLICY_1 = "关于印发《某区乡村振兴实施方案》的通知"
POLICY_2 = "关于印发《某区安全生产管理办法》的通知"     # on list page 2: not on the page the crawl read
INTERP_1 = "关于《某区乡村振兴实施方案》的解读"
INTERP_2 = "关于《某区安全生产管理办法》的解读"
P1, P2 = "/xxgk/zcwj/202611/t20261101_11.html", "/xxgk/zcwj/202605/t20260501_12.html"
J1, J2 = "/xxgk/zcjd/202611/t20261102_21.html", "/xxgk/zcjd/202605/t20260502_22.html"


def section(*, p2_index: str = "000014348/2026-00002") -> dict[str, str]:
    def related(href: str, title: str, label: str) -> str:
        return f'<div class="xgjd"><h3>{label}</h3><ul><li><a href="{href}">{title}</a></li></ul></div>'

    return {
        "/xxgk/zcwj/": listing("政策文件", [(P1, POLICY_1, "2026-11-01")]),
        "/xxgk/zcjd/": listing("政策解读", [(J1, INTERP_1, "2026-11-02"), (J2, INTERP_2, "2026-05-02")]),
        P1: page(POLICY_1, "政策文件", header() + related(J1, INTERP_1, "相关解读"), article=True),
        P2: page(POLICY_2, "政策文件", header(p2_index) + related(J2, INTERP_2, "相关解读"), article=True),
        J1: page(INTERP_1, "政策解读", "<p>解读正文</p>" + related(P1, POLICY_1, "相关文件"), article=True),
        J2: page(INTERP_2, "政策解读", "<p>解读正文</p>" + related(P2, POLICY_2, "相关文件"), article=True),
    }


def test_metadata_covers_column_documents_beyond_list_page_one(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, section(p2_index=""))
    result = run("doc.metadata", ctx)
    assert [f.url for f in result.findings] == ["http://www.mq.gov.cn" + P2]
    assert result.findings[0].evidence["missing"] == ["索引号"]
    assert result.details["documents"] == 2


def test_back_link_to_a_policy_off_list_page_one_counts(tmp_path: Path) -> None:
    result = run("policy.interpretation", build_site(tmp_path, section()))
    assert result.status == "pass", [f.key for f in result.findings]
    assert result.details["policies"] == 2 and result.details["paired"] == 2


def test_interpretation_column_list_page_is_not_an_interpretation(tmp_path: Path) -> None:
    result = run("policy.interpretation", build_site(tmp_path, section()))
    assert "http://www.mq.gov.cn/xxgk/zcjd/" not in {f.url for f in result.findings}
    assert result.details["interpretations"] == 2


def test_interpretation_filed_elsewhere_is_found_by_title(tmp_path: Path) -> None:
    """A 解读 filed under 政务动态 without a back link: the policy page links it, which is 相互关联
    from one side — no finding; linked from neither side (the policy page drops its link too), it
    is the 解读-side finding, minor, naming the policy its title matches."""
    pages = section()
    moved = "/zwdt/202611/t20261102_31.html"
    pages["/xxgk/zcjd/"] = listing("政策解读", [(J2, INTERP_2, "2026-05-02")])
    del pages[J1]
    pages[moved] = page(INTERP_1, "政务动态", "<p>解读正文</p>", article=True)
    pages[P1] = pages[P1].replace(J1, moved)
    result = run("policy.interpretation", build_site(tmp_path, pages))
    assert (result.status, result.findings) == ("pass", [])
    assert result.details["associations"] == {"文件页链接解读": 2, "解读页链接原文": 1}

    pages[P1] = page(POLICY_1, "政策文件", header(), article=True)
    result = run("policy.interpretation", build_site(tmp_path, pages))
    assert [(f.url, f.target, f.severity) for f in result.findings] == [
        ("http://www.mq.gov.cn" + moved, "no_policy_link", "minor")]
    assert "仅标题对应" in result.findings[0].message
    assert result.findings[0].evidence["policy"] == "http://www.mq.gov.cn" + P1
    assert result.findings[0].evidence["url"] and result.findings[0].evidence["at"]


def test_policy_without_any_interpretation_is_the_major_finding(tmp_path: Path) -> None:
    pages = section()
    pages["/xxgk/zcjd/"] = listing("政策解读", [(J2, INTERP_2, "2026-05-02")])
    del pages[J1]
    pages[P1] = page(POLICY_1, "政策文件", header(), article=True)
    result = run("policy.interpretation", build_site(tmp_path, pages))
    assert [(f.url, f.target, f.severity) for f in result.findings] == [
        ("http://www.mq.gov.cn" + P1, "no_interpretation_link", "major")]
    assert result.findings[0].message == f"政策文件「{POLICY_1}」未找到对应的解读材料"


def test_missing_interpretation_needs_the_interpretation_list(tmp_path: Path) -> None:
    """The 政策解读 column's list was not fetched (a capped crawl): that a policy has no 解读 is not
    known, so it is no finding; the check says why."""
    pages = section()
    del pages["/xxgk/zcjd/"], pages[J1]
    pages[P1] = page(POLICY_1, "政策文件", '<div class="nav"><a href="/xxgk/zcjd/">政策解读</a></div>' + header(),
                     article=True)
    result = run("policy.interpretation", build_site(tmp_path, pages, status="capped"))
    assert (result.status, result.findings) == ("inconclusive", [])
    assert result.details["missing"] == ["column_list"]
    assert result.details["reason"].startswith("「政策解读」栏目页未抓取")


# --- doc.metadata over the whole 政府信息公开 tree -------------------------------------------------

NOTICE = "/xxgk/tzgg/202611/t20261105_41.html"
NEWS = "/zwdt/202611/t20261106_51.html"


def test_metadata_covers_documents_outside_the_policy_columns(tmp_path: Path) -> None:
    """A 通知公告 document carries a metadata block without 成文日期: a finding, like a 政策文件's; a
    news article without any block is not a 公开目录 document and is not judged."""
    pages = section()
    pages["/xxgk/tzgg/"] = listing("通知公告", [(NOTICE, "关于开展2026年度政务公开评议的通知", "2026-11-05")])
    pages[NOTICE] = page("关于开展2026年度政务公开评议的通知", "通知公告",
                         header().replace("<li><span>成文日期</span>：2026年10月28日</li>", ""), article=True)
    pages[NEWS] = page("某区召开政务公开推进会", "政务动态", "<p>发布时间：2026-11-06 来源：区政府办公室</p>",
                       article=True)
    result = run("doc.metadata", build_site(tmp_path, pages))
    assert [(f.url, f.evidence["missing"], f.evidence["column"]) for f in result.findings] == [
        ("http://www.mq.gov.cn" + NOTICE, ["成文日期"], "gk.notice")]
    assert result.details["documents"] == 3       # 2 policies and the notice; the 解读 here carry no block
    assert result.details["columns"] == ["gk.notice", "gk.policy"]

    narrowed = run("doc.metadata", build_site(tmp_path, pages, options={"metadata_columns": ["gk.policy"]}))
    assert (narrowed.status, narrowed.details["documents"]) == ("pass", 2)
