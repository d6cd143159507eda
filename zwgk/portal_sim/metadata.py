"""Detail-page metadata headers in the real dialects of portal-structures.md §1–2.

Each dialect shows some fields, hides some inside HTML comments (邯郸: 成文日期), and names them
with its own labels. A planted defect can change one field of one document (`Doc.meta_state`):
"absent" (no label at all), "empty" (the label with a blank/dash value, 梁溪区 "—　—", 镇巴县
empty cells) or "commented" (inside <!-- -->, as 邯郸 does with 成文日期). `visible_metadata` says
which canonical fields a reader of the rendered page can see — truth publishes it so extraction and
`doc.metadata` tests have an answer key.
"""

from __future__ import annotations

from collections.abc import Callable

from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.model import Doc

FS = "　"   # full-width space: gov.cn pads labels with it ("索　引　号")
BLANK = "—\xa0\xa0—"   # 梁溪区's placeholder for an empty value
STATES = ("absent", "empty", "commented")
# canonical field -> the key of Doc.fields it is rendered from
SOURCE = {"索引号": "索引号", "主题分类": "主题分类", "发布机构": "发布机构", "成文日期": "成文日期",
          "标题": "标题", "文号": "发文字号", "发布日期": "发布日期", "有效性": "有效性"}


class _Cells:
    """Per-document view of the fields: value to print, and whether to print the label at all."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc

    def state(self, canon: str) -> str:
        return self.doc.meta_state.get(canon, "shown")

    def value(self, canon: str, default: str | None = None) -> str:
        if self.state(canon) == "empty":
            return BLANK
        return default if default is not None else self.doc.fields.get(SOURCE[canon], "")

    def wrap(self, canon: str, html: str) -> str:
        """The rendered label+value, dropped when absent, commented out when commented."""
        state = self.state(canon)
        if state == "absent":
            return ""
        return f"<!--{html}-->" if state == "commented" else html


def _govcn(doc: Doc) -> str:
    c = _Cells(doc)
    colon = "：" if doc.id % 2 else ""   # the colon is sometimes inside the <b>, sometimes absent

    def pair(canon: str, label: str, wide: bool = False) -> str:
        value = e(c.value(canon))
        cell = f'<td colspan="3">{value}</td>' if wide else f'<td width="260">{value}</td>'
        return c.wrap(canon, f'<td width="70"><b>{label}{colon}</b></td>{cell}')

    rows = [pair("索引号", f"索{FS}引{FS}号") + pair("主题分类", "主题分类"),
            pair("发布机构", "发文机关") + pair("成文日期", "成文日期"),
            pair("标题", f"标{FS}{FS}题", wide=True),
            pair("文号", "发文字号") + pair("发布日期", "发布日期")]
    trs = "\n".join(f"<tr>{r}</tr>" for r in rows)
    return (f'<div class="wrap"><table width="100%" border="0" cellspacing="1" cellpadding="0" class="bd1">'
            f"\n{trs}\n</table></div>\n")


def _handan(doc: Doc) -> str:
    c = _Cells(doc)

    def p(canon: str, label: str, value: str | None = None) -> str:
        return c.wrap(canon, f"<p><strong>{label}</strong>：{e(c.value(canon, value))}</p>")

    written = p("成文日期", "成文日期")
    if written and not written.startswith("<!--"):   # 邯郸's template comments 成文日期 out (§1.1c)
        written = f"<!--{written}-->"
    return ('<div class="top cf"><div class="top-l fl">\n'
            f'{p("索引号", "索引号")}\n{p("发布机构", "发布机构")}\n{p("标题", "名称")}\n'
            f'{p("文号", "文号")}\n</div><div class="top-r fr">\n{p("主题分类", "主题分类")}\n'
            f"<!--<p><strong>主题词</strong>：</p>-->\n{written}\n"
            f'{p("发布日期", "发布日期", doc.date.isoformat())}\n<!--<p><strong>有效期</strong>：</p>-->\n'
            "</div></div>\n")


def _wuxi(doc: Doc) -> str:
    c = _Cells(doc)
    iso = doc.date.isoformat()

    def cell(canon: str, label: str, tag: str, value: str | None = None) -> str:
        v = e(c.value(canon, value))
        return c.wrap(canon, f'<td class="t">{label}</td><td><!--<$[{tag}]>-->{v}<!--<$[{tag}]>--></td>')

    return ('<div class="table01"><table width="100%" border="0" cellspacing="0" cellpadding="0">\n'
            f'<tr>{cell("索引号", "信息索引号", "SYH")}'
            f'<td class="t">生成日期</td><td><!--<$[SCRQ]>-->{iso}<!--<$[SCRQ]>--></td>'
            f'{cell("发布日期", "公开日期", "FBRQ", iso)}</tr>\n'
            f'<tr>{cell("文号", "文件编号", "WJBH")}'
            f'{cell("有效性", "效力状况", "XLZK", doc.fields.get("有效性", "有效"))}'
            f'{cell("发布机构", "发布机构", "FBJG")}</tr>\n'
            '<tr><td class="t">公开方式</td><td colspan="5">主动公开</td></tr>\n'
            '<!--<tr><td class="t">附件下载</td><td colspan="5"></td></tr>-->\n</table></div>\n')


def _jiangyin(doc: Doc) -> str:
    c = _Cells(doc)
    iso = doc.date.isoformat()
    cells = [("索引号", "信息索引号", None), (None, "生成日期", iso), ("发布日期", "公开日期", iso),
             ("文号", "文件编号", None), ("成文日期", "发文日期", None), (None, "公开时限", "长期公开"),
             ("发布机构", "发布机构", None)]
    tds = [f'<td class="title">{label}</td><td>{e(value)}</td>' if canon is None else
           c.wrap(canon, f'<td class="title">{label}</td><td>{e(c.value(canon, value))}</td>')
           for canon, label, value in cells]
    tds = [td for td in tds if td]
    rows = "\n".join("<tr>" + "".join(tds[i:i + 2]) + "</tr>" for i in range(0, len(tds), 2))
    return f'<table class="art_xxgktab" width="100%">\n{rows}\n</table>\n'


def _ul(doc: Doc) -> str:
    c = _Cells(doc)
    items = [c.wrap("索引号", f'<li><span>索引号</span>：{e(c.value("索引号"))}</li>'),
             c.wrap("发布机构", f'<li><span class="lab">发布机构：</span><span>{e(c.value("发布机构"))}</span></li>'),
             c.wrap("文号", f'<li><span>发文字号</span>：{e(c.value("文号"))}</li>'),
             c.wrap("成文日期", f'<li><span class="lab">成文日期：</span><span>{e(c.value("成文日期"))}</span></li>'),
             c.wrap("发布日期", f'<li><span>发布日期</span>：{e(c.value("发布日期"))}</li>'),
             c.wrap("主题分类", f'<li><span>主题分类</span>：{e(c.value("主题分类"))}</li>')]
    return '<ul class="xxgk">\n' + "\n".join(i for i in items if i) + "\n</ul>\n"


RENDER: dict[str, Callable[[Doc], str]] = {
    "govcn": _govcn, "handan": _handan, "wuxi": _wuxi, "jiangyin": _jiangyin, "ul": _ul}

# canonical field -> shown? per dialect (what is visible outside comments when nothing is planted)
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
    """Canonical field -> value as a reader of the header sees it: absent when not rendered or
    commented out, "" when the label is there with a blank value."""
    if not doc.fields or doc.dialect not in VISIBLE:
        return {}
    f = doc.fields
    values = {"索引号": f["索引号"], "主题分类": f["主题分类"], "发布机构": f["发布机构"],
              "成文日期": f["成文日期"], "标题": f["标题"], "文号": f["发文字号"],
              "发布日期": f["发布日期"], "有效性": f.get("有效性", "有效")}
    out = {}
    for k in VISIBLE[doc.dialect]:
        state = doc.meta_state.get(k, "shown")
        if state in ("shown", "empty"):
            out[k] = "" if state == "empty" else values[k]
    return out
