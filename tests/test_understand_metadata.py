"""Detail-page metadata dialects (reference/portal-structures.md §1.1c, §1.2, §1.3, §2)."""

from datetime import date
from pathlib import Path

import pytest

from zwgk.understand.metadata import DocMeta, parse_metadata

FIX = Path(__file__).parent / "fixtures" / "html" / "understand"


def meta_of(name: str) -> DocMeta:
    return parse_metadata((FIX / name).read_text(encoding="utf-8"))


def values(doc: DocMeta) -> dict[str, str]:
    return {k: f.value for k, f in doc.fields.items()}


def test_govcn_bd1_table_padded_labels_two_pairs_per_row() -> None:
    doc = meta_of("govcn_detail.html")
    assert values(doc) == {
        "索引号": "000014349/2018-00222",          # label "索&nbsp;引&nbsp;号：", colon inside <b>
        "主题分类": "卫生、体育\\医药管理",
        "发布机构": "国务院办公厅",                  # 发文机关
        "成文日期": "2024年01月05日",
        "标题": "国务院办公厅关于完善国家基本药物制度的意见",   # "标　　题" + colon outside <b>
        "文号": "国办发〔2018〕88号",                # 发文字号, no colon at all
        "发布日期": "2024年01月12日",
    }
    assert doc.fields["发布机构"].label == "发文机关" and doc.fields["文号"].label == "发文字号"
    assert doc.date("成文日期") == date(2024, 1, 5) and doc.date("发布日期") == date(2024, 1, 12)


def test_handan_strong_labels_and_commented_out_fields_are_absent() -> None:
    doc = meta_of("hd_detail.html")
    assert values(doc) == {
        "索引号": "000014348/2020-35147", "发布机构": "邯郸市教育局",
        "标题": "邯郸市教育局关于做好2020年秋季学期开学准备工作的通知", "文号": "无",
        "主题分类": "教育", "发布日期": "2020-08-02",
    }
    assert doc.value("文号") == "无" and doc.filled("文号")           # 无 is a real 文号
    assert doc.value("成文日期") is None and doc.visible("成文日期") is None   # commented out → absent
    assert doc.value("有效性") is None and doc.value("关键词") is None
    assert "成文日期" not in doc.raw and "有效期" not in doc.raw and "主题词" not in doc.raw
    assert doc.fields["标题"].label == "名称"
    assert doc.meta["PubDate"] == "2020年08月02日"
    assert set(doc.raw) == {"索引号", "发布机构", "名称", "文号", "主题分类", "发布日期"}   # menu dt not metadata


def test_wuxi_comment_wrapped_values_and_index_stamp() -> None:
    doc = meta_of("wuxi_detail.html")
    assert values(doc) == {
        "索引号": "014006438/2026-03652", "发布日期": "2026-09-18", "文号": "锡政规〔2026〕5号",
        "有效性": "有效", "发布机构": "无锡市人民政府",
        "标题": "无锡市人民政府关于印发无锡市城市更新管理办法的通知",
    }
    assert doc.value("成文日期") is None                  # 生成日期 is an index stamp, not 成文日期
    assert doc.raw["生成日期"] == "2026-09-17"
    assert doc.raw["公开方式"] == "主动公开"                # colspan value
    assert "附件下载" not in doc.raw                        # commented-out cell
    assert doc.fields["标题"].source == "meta" and doc.fields["标题"].label == "ArticleTitle"
    assert doc.fields["索引号"].label == "信息索引号" and doc.fields["有效性"].label == "效力状况"


def test_xishan_fawen_date_is_the_written_date() -> None:
    doc = meta_of("xishan_detail.html")
    assert doc.value("成文日期") == "2023-06-12" and doc.fields["成文日期"].label == "发文日期"
    assert doc.value("发布日期") == "2023-06-15"
    assert doc.value("文号") == "锡政规〔2023〕2号"
    assert doc.raw["文件下载"] == "锡山区农村集体资产管理办法.pdf"


def test_jiangyin_art_xxgktab_title_cells() -> None:
    doc = meta_of("jiangyin_detail.html")
    assert values(doc) == {"索引号": "01404060-X/2024-00133", "发布日期": "2024-05-22",
                           "文号": "澄政办发〔2024〕21号", "发布机构": "江阴市人民政府办公室"}
    assert doc.raw["公开时限"] == "长期公开" and doc.value("有效性") is None
    assert doc.raw["生成日期"] == "2024-05-20" and doc.value("成文日期") is None


def test_liangxi_placeholder_and_dashes_are_empty() -> None:
    doc = meta_of("liangxi_detail.html")
    assert doc.value("文号") == "" and doc.visible("文号") == ""      # —&nbsp;&nbsp;— : present but empty
    assert not doc.filled("文号")
    assert doc.value("成文日期") == "" and doc.value("有效性") == ""
    assert doc.value("发布日期") == "2026-10-09"


def test_zhenba_labels_present_with_empty_values() -> None:
    doc = meta_of("zhenba_detail.html")
    assert doc.value("主题分类") == "" and doc.value("有效性") == ""
    assert doc.value("文号") == "镇政发〔2024〕6号" and doc.date("成文日期") == date(2024, 4, 6)
    assert doc.value("成文日期") == "2024年04月06日 16:40"
    assert doc.value("索引号") == "6107280000/2024-001005"
    # 发文机构 is empty: 来源 is the fallback, and the evidence says the real label was empty
    f = doc.fields["发布机构"]
    assert (f.value, f.label, f.source, f.empty_label) == ("镇巴县应急管理局", "来源", "fallback-label", True)
    assert doc.raw["发文机构"] == ""
    # 发布日期 label is empty on the page; the PubDate meta fills it, marked as such
    f = doc.fields["发布日期"]
    assert (f.value, f.source, f.empty_label) == ("2024-04-07 09:12", "meta", True)
    assert doc.visible("发布日期") == ""


@pytest.mark.parametrize(("html", "expected"), [
    ("<table><tr><th>发文字号：</th><td>豫政〔2021〕16号</td><th>成文日期：</th><td>2021-06-01</td></tr></table>",
     {"文号": "豫政〔2021〕16号", "成文日期": "2021-06-01"}),
    ("<dl><dt>文号</dt><dd>京政发〔2021〕3号</dd><dt>发布机构</dt><dd>北京市人民政府</dd></dl>",
     {"文号": "京政发〔2021〕3号", "发布机构": "北京市人民政府"}),
    ('<ul class="xxgk"><li><span>发文字号</span>：沪府规〔2022〕5号</li>'
     '<li><span class="lab">发布机构：</span><span>上海市人民政府</span></li></ul>',
     {"文号": "沪府规〔2022〕5号", "发布机构": "上海市人民政府"}),
    ("<table><tr><td>索引号：000014349/2018-00222</td><td>发布日期：2018-12-29</td></tr></table>",
     {"索引号": "000014349/2018-00222", "发布日期": "2018-12-29"}),
    ("<p><strong>索引号</strong>：X-1 <strong>文号</strong>：无</p>", {"索引号": "X-1", "文号": "无"}),
    ("<ul><li>制发机关：某县人民政府</li><li>文件编号：某政发〔2023〕1号</li><li>时效：有效</li>"
     "<li>信息索引号：123/2023-0001</li><li>关键词：耕地保护</li></ul>",
     {"发布机构": "某县人民政府", "文号": "某政发〔2023〕1号", "有效性": "有效", "索引号": "123/2023-0001",
      "关键词": "耕地保护"}),
    ('<div class="info"><span>发布单位：县农业农村局</span> <span>公开时间：2023-05-06</span></div>',
     {"发布机构": "县农业农村局", "发布日期": "2023-05-06"}),
])
def test_generic_dialects(html: str, expected: dict[str, str]) -> None:
    assert values(parse_metadata(f"<html><body>{html}</body></html>")) == expected


def test_article_info_line_splits_at_every_label() -> None:
    doc = parse_metadata("<html><body><div class='article-info'>发布时间：2021-06-01 10:20 来源：县政府办 "
                         "浏览次数：123 字号：大 中 小</div></body></html>")
    assert values(doc) == {"发布日期": "2021-06-01 10:20", "发布机构": "县政府办"}
    assert doc.fields["发布机构"].source == "fallback-label"
    assert "字号" not in doc.raw and doc.value("文号") is None       # the font-size switcher is no 文号


def test_laiyuan_is_only_a_fallback() -> None:
    doc = parse_metadata("<html><body><p>来源：县政府办</p><table><tr><td class='t'>发布机构</td>"
                         "<td>县人民政府</td></tr></table></body></html>")
    assert doc.value("发布机构") == "县人民政府" and doc.fields["发布机构"].source == "label"
    assert doc.raw["来源"] == "县政府办"


def test_generated_date_is_never_the_written_date() -> None:
    doc = parse_metadata("<html><body><table><tr><td class='t'>生成日期</td><td>2024-01-01</td></tr></table>"
                         "</body></html>")
    assert doc.value("成文日期") is None and doc.raw == {"生成日期": "2024-01-01"}


def test_meta_fallbacks_with_evidence() -> None:
    doc = parse_metadata('<html><head><meta name="PubDate" content="2020年08月02日">'
                         '<meta name="ContentSource" content="邯郸市教育局"><meta name="ArticleTitle" content="某通知">'
                         "</head><body><p>正文</p></body></html>")
    assert doc.evidence() == {
        "发布日期": {"value": "2020年08月02日", "label": "PubDate", "source": "meta"},
        "发布机构": {"value": "邯郸市教育局", "label": "ContentSource", "source": "meta"},
        "标题": {"value": "某通知", "label": "ArticleTitle", "source": "meta"},
    }
    assert doc.visible("发布日期") is None and doc.date("发布日期") == date(2020, 8, 2)
    assert doc.title == "某通知"


def test_empty_and_broken_input() -> None:
    assert parse_metadata("").fields == {}
    assert parse_metadata(None).raw == {}
    assert parse_metadata("<?xml version='1.0' encoding='utf-8'?><html><body><p>文号：无</p></body></html>"
                          ).value("文号") == "无"


def test_value_may_contain_a_colon_phrase() -> None:
    doc = parse_metadata("<html><body><p><strong>名称</strong>：图解：《关于加快推进城乡供水一体化的实施意见》</p>"
                         "<ul><li>发布机构：县水利局 文号：县水发〔2026〕3号</li></ul></body></html>")
    assert doc.value("标题") == "图解：《关于加快推进城乡供水一体化的实施意见》"
    assert (doc.value("发布机构"), doc.value("文号")) == ("县水利局", "县水发〔2026〕3号")
