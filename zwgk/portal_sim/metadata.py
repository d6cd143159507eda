"""Detail-page metadata headers in the real dialects of portal-structures.md §1–2.

Each dialect shows some fields, hides some inside HTML comments (邯郸: 成文日期), and names them
with its own labels. `visible_metadata` says which canonical fields a reader of the rendered page
can see — truth publishes it so extraction and `doc.metadata` tests have an answer key.
"""

from __future__ import annotations

from collections.abc import Callable

from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.model import Doc

FS = "　"   # full-width space: gov.cn pads labels with it ("索　引　号")


def _govcn(doc: Doc) -> str:
    f = doc.fields
    colon = "：" if doc.id % 2 else ""   # the colon is sometimes inside the <b>, sometimes absent

    def pair(label: str, value: str, wide: bool = False) -> str:
        cell = f'<td colspan="3">{e(value)}</td>' if wide else f'<td width="260">{e(value)}</td>'
        return f'<td width="70"><b>{label}{colon}</b></td>{cell}'

    rows = [pair(f"索{FS}引{FS}号", f["索引号"]) + pair("主题分类", f["主题分类"]),
            pair("发文机关", f["发布机构"]) + pair("成文日期", f["成文日期"]),
            pair(f"标{FS}{FS}题", f["标题"], wide=True),
            pair("发文字号", f["发文字号"]) + pair("发布日期", f["发布日期"])]
    trs = "\n".join(f"<tr>{r}</tr>" for r in rows)
    return (f'<div class="wrap"><table width="100%" border="0" cellspacing="1" cellpadding="0" class="bd1">'
            f"\n{trs}\n</table></div>\n")


def _handan(doc: Doc) -> str:
    f = doc.fields

    def p(label: str, value: str) -> str:
        return f"<p><strong>{label}</strong>：{e(value)}</p>"

    published = doc.date.isoformat()
    return ('<div class="top cf"><div class="top-l fl">\n'
            f'{p("索引号", f["索引号"])}\n{p("发布机构", f["发布机构"])}\n{p("名称", f["标题"])}\n'
            f'{p("文号", f["发文字号"])}\n</div><div class="top-r fr">\n{p("主题分类", f["主题分类"])}\n'
            f"<!--<p><strong>主题词</strong>：</p>-->\n<!--{p('成文日期', f['成文日期'])}-->\n"
            f'{p("发布日期", published)}\n<!--<p><strong>有效期</strong>：</p>-->\n</div></div>\n')


def _wuxi(doc: Doc) -> str:
    f = doc.fields

    def v(tag: str, value: str) -> str:
        return f"<!--<$[{tag}]>-->{e(value)}<!--<$[{tag}]>-->"

    iso = doc.date.isoformat()
    return ('<div class="table01"><table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            f'<tr><td class="t">信息索引号</td><td>{v("SYH", f["索引号"])}</td>'
            f'<td class="t">生成日期</td><td>{v("SCRQ", iso)}</td>'
            f'<td class="t">公开日期</td><td>{v("FBRQ", iso)}</td></tr>\n'
            f'<tr><td class="t">文件编号</td><td>{v("WJBH", f["发文字号"])}</td>'
            f'<td class="t">效力状况</td><td>{v("XLZK", f.get("有效性", "有效"))}</td>'
            f'<td class="t">发布机构</td><td>{v("FBJG", f["发布机构"])}</td></tr>\n'
            '<tr><td class="t">公开方式</td><td colspan="5">主动公开</td></tr>\n'
            '<!--<tr><td class="t">附件下载</td><td colspan="5"></td></tr>-->\n</table></div>\n')


def _jiangyin(doc: Doc) -> str:
    f = doc.fields
    cells = [("信息索引号", f["索引号"]), ("生成日期", doc.date.isoformat()), ("公开日期", doc.date.isoformat()),
             ("文件编号", f["发文字号"]), ("发文日期", f["成文日期"]), ("公开时限", "长期公开"),
             ("发布机构", f["发布机构"])]
    tds = [f'<td class="title">{k}</td><td>{e(val)}</td>' for k, val in cells]
    rows = "\n".join("<tr>" + "".join(tds[i:i + 2]) + "</tr>" for i in range(0, len(tds), 2))
    return f'<table class="art_xxgktab" width="100%">\n{rows}\n</table>\n'


def _ul(doc: Doc) -> str:
    f = doc.fields
    items = [f'<li><span>索引号</span>：{e(f["索引号"])}</li>',
             f'<li><span class="lab">发布机构：</span><span>{e(f["发布机构"])}</span></li>',
             f'<li><span>发文字号</span>：{e(f["发文字号"])}</li>',
             f'<li><span class="lab">成文日期：</span><span>{e(f["成文日期"])}</span></li>',
             f'<li><span>发布日期</span>：{e(f["发布日期"])}</li>',
             f'<li><span>主题分类</span>：{e(f["主题分类"])}</li>']
    return '<ul class="xxgk">\n' + "\n".join(items) + "\n</ul>\n"


RENDER: dict[str, Callable[[Doc], str]] = {
    "govcn": _govcn, "handan": _handan, "wuxi": _wuxi, "jiangyin": _jiangyin, "ul": _ul}

# canonical field -> shown? per dialect (what is visible outside comments)
VISIBLE: dict[str, tuple[str, ...]] = {
    "govcn": ("索引号", "主题分类", "发布机构", "成文日期", "标题", "文号", "发布日期"),
    "handan": ("索引号", "发布机构", "标题", "文号", "主题分类", "发布日期"),
    "wuxi": ("索引号", "发布日期", "文号", "有效性", "发布机构"),
    "jiangyin": ("索引号", "发布日期", "文号", "成文日期", "发布机构"),
    "ul": ("索引号", "发布机构", "文号", "成文日期", "发布日期", "主题分类"),
}


def render_metadata(doc: Doc) -> str:
    if not doc.fields or doc.dialect not in RENDER:
        return ""
    return RENDER[doc.dialect](doc)


def visible_metadata(doc: Doc) -> dict[str, str]:
    """Canonical field -> value as a reader of the page sees it (absent when commented out)."""
    if not doc.fields or doc.dialect not in VISIBLE:
        return {}
    f = doc.fields
    values = {"索引号": f["索引号"], "主题分类": f["主题分类"], "发布机构": f["发布机构"],
              "成文日期": f["成文日期"], "标题": f["标题"], "文号": f["发文字号"],
              "发布日期": f["发布日期"], "有效性": f.get("有效性", "有效")}
    return {k: values[k] for k in VISIBLE[doc.dialect]}
