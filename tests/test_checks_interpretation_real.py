"""policy.interpretation on real list markup: the 解读 a policy's list row carries (NDRC div.popbox
「相关解读」, MIIT hidden dl 相关解读) is an association, as much as a link on either page is."""

from __future__ import annotations

from pathlib import Path

from support.sitebuild import build_site, run

REAL = Path(__file__).parent / "fixtures" / "html" / "real"
NDRC = "https://www.ndrc.gov.cn/"
MIIT = "https://www.miit.gov.cn/"


def real(name: str) -> str:
    return (REAL / name).read_text(encoding="utf-8")


def column_page(html: str, name: str) -> str:
    """A real list as its column page: the snapshot trimmed the page head, which names the column."""
    head = f'<head><meta charset="utf-8"><meta name="ColumnName" content="{name}"><title>{name}</title></head>'
    if "<head>" in html:
        return html.replace('<head><meta charset="utf-8"></head>', head)
    return f"<html>{head}<body>{html}</body></html>"


def document(title: str, body: str = "") -> str:
    return (f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
            f'<meta name="PubDate" content="2026-04-09"><title>{title}</title></head>'
            f"<body><h1>{title}</h1><div class=\"content\"><p>正文。</p>{body}</div></body></html>")


def interpretation_list(url: str, title: str) -> str:
    return column_page(f'<ul class="u-list"><li><a href="{url}" title="{title}">{title}</a>'
                       "<span>2026/04/24</span></li></ul>", "政策解读")


NDRC_POLICIES = {
    "/xxgk/zcfb/fzggwl/202604/t20260409_1404577.html": "《电力重大事故隐患判定标准及治理监督管理规定》 2026年第41号令",
    "/xxgk/zcfb/fzggwl/202602/t20260211_1403694.html": "《粮食流通行政执法办法》 2026年第40号令",
    "/xxgk/zcfb/fzggwl/202601/t20260123_1403413.html": "《国家发展改革委企业技术中心认定管理办法》 2025年第39号令",
}
NDRC_JD = "/xxgk/jd/jd/202604/t20260424_1404868.html"
NDRC_JD_TITLE = "《电力重大事故隐患判定标准及治理监督管理规定》解读"


def ndrc_site(list_html: str) -> dict[str, str]:
    pages = {NDRC + path.lstrip("/"): document(title) for path, title in NDRC_POLICIES.items()}
    pages[NDRC + "xxgk/zcfb/fzggwl/"] = column_page(list_html, "政策文件")
    pages[NDRC + "xxgk/jd/jd/"] = interpretation_list(NDRC_JD, NDRC_JD_TITLE)
    pages[NDRC + NDRC_JD.lstrip("/")] = document(NDRC_JD_TITLE)          # its page links no 原文
    return pages


def test_ndrc_popbox_in_the_list_row_is_the_association(tmp_path: Path) -> None:
    result = run("policy.interpretation", build_site(tmp_path, ndrc_site(real("ndrc_fzggwl_list.html")),
                                                     site=NDRC, name="国家发展和改革委员会"))
    assert result.details["associations"] == {"列表中随文件列出解读": 1}
    assert (result.details["policies"], result.details["paired"]) == (3, 1)
    # the 解读 is associated through the popbox: neither it nor its policy is a finding; the two
    # 令 without any 解读 are the major findings
    assert sorted((f.url, f.target, f.severity) for f in result.findings) == sorted(
        (NDRC + p.lstrip("/"), "no_interpretation_link", "major") for p in list(NDRC_POLICIES)[1:])


def test_without_the_popbox_the_unlinked_interpretation_is_the_finding(tmp_path: Path) -> None:
    plain = real("ndrc_fzggwl_list.html")
    start, end = plain.index('<div class="popbox">'), plain.index("</div>\n        <span>2026/04/09")
    pages = ndrc_site(plain[:start] + plain[end + len("</div>"):])
    result = run("policy.interpretation", build_site(tmp_path, pages, site=NDRC, name="国家发展和改革委员会"))
    first = NDRC + next(iter(NDRC_POLICIES)).lstrip("/")
    assert (NDRC + NDRC_JD.lstrip("/"), "no_policy_link", "minor") in {
        (f.url, f.target, f.severity) for f in result.findings}
    assert first not in {f.url for f in result.findings}          # it has a 解读 (same title): not missing
    jd = next(f for f in result.findings if f.target == "no_policy_link")
    assert jd.evidence["policy"] == first and "仅标题对应" in jd.message


MIIT_TZ = "zwgk/zcwj/wjfb/tz/"
MIIT_POLICIES = {
    "zwgk/zcwj/wjfb/tz/art/2026/art_255ea93df118460fa105c46c2f546d9a.html":
        "工业和信息化部等七部门关于印发《新型电池产业发展“十五五”规划》的通知",
    "zwgk/zcwj/wjfb/tz/art/2026/art_9fb9b35709f941d4805d064092032bd0.html":
        "三部门关于印发《轻工纺织产业发展“十五五”规划》的通知",
}
MIIT_JD = "zwgk/zcjd/art/2026/art_ced716be0a094e82937064b815ecba28.html"


def test_miit_hidden_dl_in_the_list_row_is_the_association(tmp_path: Path) -> None:
    pages = {MIIT + path: document(title) for path, title in MIIT_POLICIES.items()}
    pages[MIIT + MIIT_TZ + "index.html"] = column_page(real("miit_tz_list.html"), "政策文件")
    pages[MIIT + "zwgk/zcjd/"] = interpretation_list("/" + MIIT_JD, "《轻工纺织产业发展“十五五”规划》解读")
    pages[MIIT + MIIT_JD] = document("《轻工纺织产业发展“十五五”规划》解读")
    result = run("policy.interpretation", build_site(tmp_path, pages, site=MIIT, name="工业和信息化部"))
    assert result.details["associations"] == {"列表中随文件列出解读": 1}
    assert [(f.url, f.target, f.severity) for f in result.findings] == [
        (MIIT + next(iter(MIIT_POLICIES)), "no_interpretation_link", "major")]
    # the 依据 says which forms of association count
    basis = result.findings[0].basis
    forms = ("文件页链接解读", "「相关解读」弹出框", "隐藏的相关解读列表", "解读页链接原文")
    assert all(form in basis for form in forms)


def test_miit_interpretation_label_in_the_row_associates_a_title_matched_interpretation(tmp_path: Path) -> None:
    """Without the hidden dl, the row's 「解读」 label still says the document has one; the 解读 whose
    title names it is then associated. Without the label too, that 解读 is linked from neither side."""
    listing = real("miit_tz_list.html")
    no_dl = listing[:listing.index('<dl class="tslb-list"')] + listing[listing.index("</dl>") + len("</dl>"):]
    pages = {MIIT + path: document(title) for path, title in MIIT_POLICIES.items()}
    pages[MIIT + "zwgk/zcjd/"] = interpretation_list("/" + MIIT_JD, "《轻工纺织产业发展“十五五”规划》解读")
    pages[MIIT + MIIT_JD] = document("《轻工纺织产业发展“十五五”规划》解读")

    pages[MIIT + MIIT_TZ + "index.html"] = column_page(no_dl, "政策文件")
    result = run("policy.interpretation", build_site(tmp_path, pages, site=MIIT, name="工业和信息化部"))
    assert [f.target for f in result.findings] == ["no_interpretation_link"]        # only art_255, as above
    assert result.details["associations"] == {"列表中随文件列出解读": 1, "仅标题对应": 1}

    unlabelled = no_dl.replace('<font style="display:none;" class="jd">解读</font>', "")
    pages[MIIT + MIIT_TZ + "index.html"] = column_page(unlabelled, "政策文件")
    result = run("policy.interpretation", build_site(tmp_path, pages, site=MIIT, name="工业和信息化部"))
    assert sorted((f.url, f.target) for f in result.findings) == sorted([
        (MIIT + next(iter(MIIT_POLICIES)), "no_interpretation_link"), (MIIT + MIIT_JD, "no_policy_link")])
