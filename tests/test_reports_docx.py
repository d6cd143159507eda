"""通报.docx opened as a document (python-docx): the 公文 parts (版头 placeholders, title, 主送, 正文,
附件说明, 署名 and 成文日期, attachments, 版记), page numbers as a PAGE field, the tables fitted to the
text width, the wording (mainland quotes, one date style, no tool internals), the ranking, the sites
that could not be assessed, the suspected terms, and a user's template keeping its own styles."""

from __future__ import annotations

import re
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from zwgk.reports.bulletin import write_bulletin
from zwgk.reports.options import ReportOptions

from support.reportdata import XSS_TITLE, load, render

HOSTILE_UNIT = "东岚县人民政府办公室 & <b>信息中心</b>"      # markup in a unit name stays plain text
OPTIONS = ReportOptions(deadline=date(2026, 12, 31), issuer="某市政务公开办公室", doc_number="某政公办〔2026〕12号",
                        copies_to=("市政府办公室", "市委网信办"))


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    return Document(str(render(tmp_path_factory.mktemp("docx"), load("hostile-run"), OPTIONS).bulletin))


def styled(doc, style):
    return [p.text for p in doc.paragraphs if p.style.name == style]


def body_text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def all_text(doc) -> str:
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return body_text(doc) + "\n" + "\n".join(cells)


def test_official_parts_in_order(doc):
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:3] == ["某市政务公开办公室", "某政公办〔2026〕12号",
                         "关于2026年第四季度政府网站检查（含恶意内容样例）情况的通报"]
    assert styled(doc, "公文标题") == ["关于2026年第四季度政府网站检查（含恶意内容样例）情况的通报"]
    others = "西崖县人民政府办公室、南坪县人民政府办公室、北岭县人民政府办公室"
    assert styled(doc, "主送机关") == [f"{HOSTILE_UNIT}、{others}："]
    assert styled(doc, "一级标题") == ["一、检查情况", "二、总体情况", "三、存在的主要问题", "四、下一步工作要求"]
    notes = styled(doc, "附件说明")
    assert notes == ["附件：1．2026年第四季度政府网站检查（含恶意内容样例）得分表",
                     "2．2026年第四季度政府网站检查（含恶意内容样例）问题清单"]
    assert styled(doc, "发文机关署名") == ["某市政务公开办公室"]
    assert styled(doc, "成文日期") == ["2026年11月22日"]           # run.finished in Asia/Shanghai
    assert styled(doc, "附件标识") == ["附件1", "附件2"]
    assert [t.split("（")[0] for t in styled(doc, "附件标题")] == ["2026年第四季度政府网站检查"] * 2
    assert texts.index(notes[0]) < texts.index("某市政务公开办公室", 2) < texts.index("附件1")


def test_no_word_builtin_title_or_heading_styles(doc):
    used = {p.style.name for p in doc.paragraphs}
    assert not used & {"Title", "Heading 1", "Heading 2", "Normal"}, used


def test_page_numbers_are_page_fields_odd_right_even_left(doc):
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        para = footer.paragraphs[0]
        instr = [t.text for t in footer._element.iter(qn("w:instrText"))]
        assert [i.strip() for i in instr] == ["PAGE"]
        assert re.fullmatch(r"— 1 —", para.text), para.text
        assert para.alignment == (2 if side == "right" else 0)


def test_record_has_copies_issuer_and_date_between_rules(doc):
    record = doc.tables[-1]
    texts = [c.text for r in record.rows for c in r.cells]
    assert texts[0] == "抄送：市政府办公室，市委网信办。"
    assert texts[-2:] == ["某市政务公开办公室", "2026年11月22日印发"]
    rules = record._tbl.tblPr.find(qn("w:tblBorders"))
    sizes = {el.tag.split("}")[1]: el.get(qn("w:sz")) for el in rules}
    assert sizes["top"] == sizes["bottom"] == "8" and sizes["insideH"] == "6"


def test_tables_fill_the_text_width(doc):
    section = doc.sections[0]
    text_width = round((section.page_width - section.left_margin - section.right_margin) / 635)
    for table in doc.tables[:-1]:                  # the 版记 is set a little narrower (see bulletin._record)
        grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) == text_width, grid
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        first = table.rows[1]._tr
        assert sum(int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in first.tc_lst) == text_width


def test_mainland_quotes_and_one_date_style(doc):
    text = all_text(doc)
    assert "「" not in text and "」" not in text
    assert "““" not in text and "””" not in text                # a quotation in a quotation is ‘’
    assert "“‘一带一路’倡议”" in text or "“一带一路”倡议" in text
    assert not re.search(r"(?<![\d/])\d{4}-\d{2}-\d{2}", text), re.findall(r"\d{4}-\d{2}-\d{2}", text)
    assert "于2026年12月31日前完成整改" in text and "整改时限：2026年12月31日前" in text


PATHLIKE = re.compile(r"zwgk/|\.ya?ml\b|/tmp/|/work/|[A-Za-z]:\\\\|本工具|可配置|待核实|不作引用")
IDLIKE = re.compile(r"\bgk\.[a-z_]+|\b[a-z]+_[a-z_]+\b|\b(?:site|ipv6|https|links|column|homepage|doc|policy|report"
                    r"|guide|interaction|content)\.[a-z]+\b")


def test_no_paths_ids_or_tool_remarks_in_the_text(doc):
    assert not PATHLIKE.search(body_text(doc)), PATHLIKE.findall(body_text(doc))
    assert not IDLIKE.search(body_text(doc)), IDLIKE.findall(body_text(doc))
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            for name, cell in zip(header, row.cells, strict=False):
                if name.startswith("页面"):
                    continue                       # site-relative addresses are what that column holds
                assert not PATHLIKE.search(cell.text), cell.text
                assert not IDLIKE.search(cell.text), cell.text
    assert "Connection" not in all_text(doc) and "timed out" not in all_text(doc)


def test_counts_and_scoring_note(doc):
    text = body_text(doc)
    assert "对4个政府网站开展检查" in text
    assert "完成评估的2个网站中，合格1个、不合格1个，合格率50.0%" in text
    assert "合格网站中，得分最高的是东岚县人民政府（62.9分）" in text
    assert "1个网站因存在单项否决项判定为不合格：西崖县人民政府" in text
    assert "最高69.8" not in text
    assert "共发现问题73个，其中单项否决1个、严重50个、一般22个；另有经批准豁免的问题1个" in text
    assert "另发现疑似错误表述1处，需人工核实，未列入问题数" in text
    note = next(p for p in styled(doc, "正文") if p.startswith("评分说明："))
    assert "由本次检查确定" in note


def test_unassessed_sites_listed_apart_with_reasons(doc):
    text = body_text(doc)
    assert "其中2个网站本次未能完成评估，不评分、不排名：南坪县人民政府（站点无法访问：连接超时）；" in text
    assert "北岭县人民政府（抓取被中断（Ctrl-C））" in text
    assert "待网站恢复访问后补充检查" in text
    scores, apart = doc.tables[0], doc.tables[1]
    assert [c.text for c in apart.rows[0].cells] == ["序号", "网站名称", "责任单位", "原因"]
    assert [r.cells[1].text for r in apart.rows[1:]] == ["南坪县人民政府", "北岭县人民政府"]
    assert all(r.cells[1].text not in ("南坪县人民政府", "北岭县人民政府") for r in scores.rows)


def test_ranking_puts_passing_sites_before_vetoed_ones(doc):
    scores = doc.tables[0]
    assert [c.text for c in scores.rows[0].cells] == ["排名", "网站名称", "责任单位", "得分", "结论", "单项否决项",
                                                      "任务落实率", "问题数"]
    rows = [[c.text for c in r.cells] for r in scores.rows[1:]]
    assert [r[:6] for r in rows] == [["1", "东岚县人民政府", HOSTILE_UNIT, "62.9", "合格", "无"],
                                     ["2", "西崖县人民政府", "西崖县人民政府办公室", "69.8", "不合格", "首页不更新"]]


def test_problems_grouped_with_units_and_plain_citations(doc):
    problems = styled(doc, "二级标题")
    assert problems[0] == "（一）单项否决问题。"
    assert "（三）必设栏目缺失。" in problems
    assert not any("疑似错误表述" in p for p in problems)       # a suspicion is not a problem
    text = body_text(doc)
    assert "2个网站存在此类问题，共25处：西崖县人民政府办公室（西崖县人民政府）13处；" in text
    assert "依据：未见" not in text and "检查词表" not in text
    assert "是否属于错误表述需结合上下文人工核实，核实前不认定为问题" in text


def test_issue_list_grouped_by_site_with_short_paths(doc):
    issues = doc.tables[2]
    assert [c.text for c in issues.rows[0].cells] == ["序号", "问题描述", "页面（站内路径）"]
    rows = [[c.text for c in r.cells] for r in issues.rows[1:]]
    groups = [r[0] for r in rows if len(set(r)) == 1]
    assert groups[0] == f"{HOSTILE_UNIT}（东岚县人民政府）：43个问题"
    assert "北岭县人民政府办公室（北岭县人民政府）：2个问题（未完成评估，以下为已发现的问题）" in groups
    numbered = [r for r in rows if r[0].isdigit()]
    assert len(numbered) == 73                            # live problems; waived and suspected ones are not listed
    assert any(XSS_TITLE in r[1] for r in numbered)       # plain text in Word, not markup
    paths = [r[2].replace("\u200b", "") for r in numbered]
    assert not any(p.startswith("http") for p in paths)
    assert "/zwgk/fdzdgk/zcwj/" in paths or any(p.startswith("/") for p in paths)
    suspected = doc.tables[3]
    assert [c.text for c in suspected.rows[1].cells][1:4] == ["东岚县人民政府", "一带一路战略", "“一带一路”倡议"]


def test_default_deadline_placeholders_and_recipients(tmp_path):
    path = write_bulletin(tmp_path / "t.docx", load("demo-run"))
    out = Document(str(path))
    text = body_text(out)
    assert "于2026年12月22日前完成整改" in text and "报送检查组织单位" in text
    assert [p.text for p in out.paragraphs[:3]] == ["{{发文机关}}", "", "{{文号}}"]
    assert styled(out, "发文机关署名") == ["{{发文机关}}"]


def test_self_check_title_names_the_site_not_its_host(tmp_path):
    results = load("demo-run")
    results["run"]["name"] = "www.example-a.gov.cn网站自查"
    results["sites"] = results["sites"][:1]
    results["ledgers"] = []
    path = write_bulletin(tmp_path / "t.docx", results)
    out = Document(str(path))
    assert styled(out, "公文标题") == ["关于东岚县人民政府网站自查情况的通报"]
    assert "台账" not in body_text(out)                    # judged against the national checks only


def test_user_template_keeps_letterhead_placeholders_and_its_styles(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    template = Document()
    template.add_paragraph("某市人民政府办公室文件（红头）")
    template.add_paragraph("{{文号}}")
    mine = template.styles.add_style("公文标题", WD_STYLE_TYPE.PARAGRAPH)
    mine.font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    mine.font.size = Pt(15)
    template.save(str(tmp_path / "tpl.docx"))
    options = ReportOptions(docx_template=tmp_path / "tpl.docx", doc_number="某政办〔2026〕3号")
    out = Document(str(write_bulletin(tmp_path / "t.docx", load("demo-run"), options)))
    assert [p.text for p in out.paragraphs[:2]] == ["某市人民政府办公室文件（红头）", "某政办〔2026〕3号"]
    title = next(p for p in out.paragraphs if p.text.startswith("关于"))
    assert title.style.name == "公文标题"
    assert title.style.font.color.rgb == RGBColor(0x12, 0x34, 0x56) and title.style.font.size == Pt(15)
    body = next(p for p in out.paragraphs if p.text.startswith("按照"))
    assert body.style.name == "正文" and body.style.base_style is None     # added, not borrowed from Normal
