"""通报.docx from stored results: the official sections, counts, problems by unit, attachments."""

from __future__ import annotations

from datetime import date

import pytest
from docx import Document

from zwgk.reports.bulletin import write_bulletin
from zwgk.reports.options import ReportOptions

from support.reportdata import XSS_TITLE, load, render


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    paths = render(tmp_path_factory.mktemp("docx"), load("hostile-run"),
                   ReportOptions(deadline=date(2026, 12, 31), issuer="某市政务公开办公室"))
    return Document(str(paths.bulletin))


def paragraphs(doc, style=None):
    return [p.text for p in doc.paragraphs if style is None or p.style.name == style]


def test_official_structure(doc):
    assert paragraphs(doc, "Title") == ["关于2026年第四季度政府网站检查（含恶意内容样例）情况的通报"]
    assert paragraphs(doc, "Heading 1") == ["一、检查情况", "二、总体情况", "三、存在的主要问题", "四、下一步工作要求"]
    assert paragraphs(doc, "附件标注") == ["附件1", "附件2"]
    assert [t.endswith(("得分表", "问题清单")) for t in paragraphs(doc, "附件标题")] == [True, True]
    assert "某市政务公开办公室" in paragraphs(doc, "落款")


def test_overall_counts_and_pass_rate(doc):
    text = "\n".join(paragraphs(doc))
    assert "对3个政府网站开展了" in text
    assert "完成评估的2个网站中，合格1个、不合格1个，合格率50.0%" in text
    assert "其中1个网站未能完成评估：南坪县人民政府（首页无法访问：连接超时）" in text
    assert "共发现问题71个，其中单项否决1个、严重50个、一般20个、提示0个；另有经批准豁免的问题1个" in text
    assert "落实率35.7%" in text


def test_problems_grouped_with_units_named(doc):
    problems = paragraphs(doc, "Heading 2")
    assert problems[0] == "（一）单项否决问题。"
    assert "（三）必设栏目缺失。" in problems
    text = "\n".join(paragraphs(doc))
    assert "2个网站存在此类问题，共25处：西崖县人民政府办公室（西崖县人民政府）13处；" in text
    assert "西崖县人民政府办公室（西崖县人民政府）：首页不更新" in text


def test_requirements_carry_the_deadline(doc):
    text = "\n".join(paragraphs(doc))
    assert "于2026年12月31日前完成整改，并将整改情况报送某市政务公开办公室" in text
    assert "西崖县人民政府办公室（西崖县人民政府）应优先整改单项否决问题" in text


def test_attachment_tables(doc):
    scores, issues = doc.tables
    header = [c.text for c in scores.rows[0].cells]
    assert header == ["序号", "网站名称", "责任单位", "得分", "结论", "单项否决项", "任务落实率", "问题数"]
    first = [c.text for c in scores.rows[1].cells][:6]
    assert first == ["1", "西崖县人民政府", "西崖县人民政府办公室", "69.8", "不合格", "首页不更新"]
    assert [c.text for c in scores.rows[3].cells][3:5] == ["—", "无法评估"]
    header = [c.text for c in issues.rows[0].cells]
    assert header == ["序号", "责任单位", "网站", "问题类型", "问题描述", "链接", "整改时限"]
    assert len(issues.rows) == 1 + 71                             # live findings only; the waived one is not listed
    descriptions = [r.cells[4].text for r in issues.rows[1:]]
    assert any(XSS_TITLE in d for d in descriptions)             # plain text in Word, not markup
    assert all("\x07" not in d for d in descriptions)
    assert {r.cells[6].text for r in issues.rows[1:]} == {"2026-12-31"}


def test_default_deadline_is_thirty_days_after_as_of(tmp_path):
    path = write_bulletin(tmp_path / "t.docx", load("demo-run"))
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "于2026年12月22日前完成整改" in text and "报送检查组织单位" in text


def test_user_template_keeps_letterhead_and_styles(tmp_path):
    template = Document()
    template.add_paragraph("某市人民政府办公室文件（红头）")
    template.save(str(tmp_path / "tpl.docx"))
    path = write_bulletin(tmp_path / "t.docx", load("demo-run"), ReportOptions(docx_template=tmp_path / "tpl.docx"))
    out = Document(str(path))
    assert out.paragraphs[0].text == "某市人民政府办公室文件（红头）"
    assert out.paragraphs[1].style.name == "Title"
