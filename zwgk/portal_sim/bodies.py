"""Article bodies per document kind, and the blocks around them (相关解读, 附件, planted links).

The annual report carries the 30号文 section headings and 表二 rows; the guide carries 申请渠道,
信息处理费 and 联系方式 — the elements `report.annual` and `guide.content` look for.
"""

from __future__ import annotations

from zwgk.portal_sim import content as C
from zwgk.portal_sim.chrome import e
from zwgk.portal_sim.model import Doc, Link
from zwgk.portal_sim.spec import SiteSpec
from zwgk.portal_sim.style import Page

REPLY = "您好，您反映的问题已转相关部门处理，感谢您的关注。"
REPORT_SECTIONS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                   "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")


def link_href(page: Page, url: str) -> str:
    """A canonical http://host/path on one of the site's hosts becomes what the CMS would write."""
    if url.startswith("http://"):
        host, _, path = url[7:].partition("/")
        if host in page.site.hosts:
            return page.href(host, "/" + path)
    return url


def links_block(page: Page, links: list[Link], cls: str = "xglj") -> str:
    """Planted links: visible ones in a 相关链接 box, hidden ones in display:none / hidden markup."""
    if not links:
        return ""
    out = []
    for link in links:
        a = f'<a href="{e(link_href(page, link.url))}">{e(link.text)}</a>'
        if link.hidden == "style":
            a = f'<div class="mobile-menu" style="display: none;">{a}</div>'
        elif link.hidden == "attr":
            a = f"<div hidden>{a}</div>"
        elif link.hidden == "comment":      # a link an editor took out of the template: not a link
            out.append(f"<!--<li>{a}</li>-->")
            continue
        out.append(f"<li>{a}</li>")
    return f'<div class="{cls}"><h4>相关链接</h4><ul>{"".join(out)}</ul></div>\n'


def related_block(page: Page, doc: Doc, *, relative: bool) -> str:
    if doc.kind in ("policy", "normative") and doc.related:
        lis = "".join(f'<li><a href="{page.doc_href(d, relative=relative)}" title="{e(d.title)}" '
                      f'target="_blank">{e(d.title)}</a></li>' for d in doc.related)
        return f'<div class="xgjd"><h3>相关解读</h3><ul>{lis}</ul></div>\n'
    if doc.kind == "interpretation" and doc.related and doc.backlink:
        pol = doc.related[0]
        return (f'<div class="xgwj">相关文件：<a href="{page.doc_href(pol, relative=relative)}" '
                f'title="{e(pol.title)}" target="_blank">原文链接：{e(pol.title)}</a></div>\n')
    return ""


def attachments_block(page: Page, doc: Doc, *, relative: bool) -> str:
    if not doc.attachments:
        return ""
    ps = "".join(f'<p><a href="{page.href(a.host, a.path, relative=relative)}" target="_blank">{e(a.label)}</a></p>'
                 for a in doc.attachments)
    return f'<div class="fj"><p>附件：</p>{ps}</div>\n'


def article_body(doc: Doc, spec: SiteSpec) -> str:
    """Inner HTML of the content area (div.TRS_Editor / div#zoom)."""
    county, area = spec.short_name, spec.phone.split("-")[0]
    r = C.rng(spec.seed, "body", doc.id)
    if doc.kind == "annual_report":
        return annual_report(doc, county, r.randint(20, 60))
    if doc.kind == "message":
        x = doc.extra
        return ('<table class="ly" width="100%">'
                f"<tr><th>留言标题</th><td>{e(doc.title)}</td></tr>"
                f"<tr><th>留言人</th><td>{e(x['asker'])}</td></tr>"
                f"<tr><th>提问日期</th><td>{doc.date.isoformat()}</td></tr>"
                f"<tr><th>留言内容</th><td>{e(x['question'])}</td></tr>"
                f"<tr><th>答复单位</th><td>{e(x['answer_unit'])}</td></tr>"
                f"<tr><th>答复日期</th><td>{x['answer_date'] or ''}</td></tr>"
                f"<tr><th>答复内容</th><td>{e(REPLY if x['answer_date'] else '')}"
                "</td></tr></table>\n")
    paras = C.paragraphs(r, doc.title, county, n=r.randint(3, 5))
    if doc.kind == "interpretation":
        pol = doc.related[0].title if doc.related else doc.title
        paras = [f"近日，《{C.short_title(pol)}》正式印发。现就有关内容解读如下。",
                 "一、出台背景", *paras[1:3], "二、主要内容", *paras[3:],
                 f"三、政策咨询：{county}人民政府办公室，咨询电话：{area}-{r.randint(6000000, 6999999)}。"]
        if doc.title.startswith("图解"):
            paras.insert(0, '<img src="/images/tujie.png" alt="图解">')
    elif doc.kind == "news":
        paras.append(f"（来源：{county}融媒体中心）")
    elif doc.kind in ("policy", "normative"):
        paras.append(f"{county}人民政府<br>{C.cn_date(doc.date)}<br>（此件公开发布）")
        paras.append(f"政策咨询：{county}人民政府办公室，联系电话：{area}-{r.randint(6000000, 6999999)}")
    for term in doc.extra.get("terms", ()):    # wrong_term: an editor's slip (terms.yaml)
        paras.insert(2, f"会议要求，要深刻认识{term}的重大意义，推动各项工作取得新成效。")
    return "\n".join(p if p.startswith("<img") else f"<p>{p}</p>" for p in paras) + "\n"


def annual_report(doc: Doc, county: str, n: int) -> str:
    """The 2021-format report (国办公开办函〔2021〕30号): six sections, 表二 to 表四 under 二 to 四.
    A planted defect may leave sections out (`doc.extra["omit_sections"]`)."""
    year = doc.extra.get("year", doc.date.year - 1)
    omit = set(doc.extra.get("omit_sections", ()))     # type: ignore[arg-type]
    intro = (f"<p>本报告根据《中华人民共和国政府信息公开条例》和《国务院办公厅政府信息与政务公开办公室关于印发"
             f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求编制。"
             f"报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。</p>\n")
    sec1 = ("<p>（一）主动公开。全年主动公开政府信息" f"{n * 37}条。</p>\n"
            f"<p>（二）依申请公开。全年共受理政府信息公开申请{n}件。</p>\n<p>（三）政府信息管理。</p>\n"
            "<p>（四）政府信息公开平台建设。</p>\n<p>（五）监督保障。</p>\n")
    table2 = ("<table border=\"1\" class=\"nb-table\">\n"
              "<tr><td colspan=\"4\">第二十条第（一）项</td></tr>\n"
              "<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>\n"
              f"<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>\n"
              f"<tr><td>行政规范性文件</td><td>{n % 9}</td><td>{n % 3}</td><td>{n}</td></tr>\n"
              "<tr><td colspan=\"4\">第二十条第（五）项</td></tr>\n"
              f"<tr><td>信息内容</td><td colspan=\"3\">本年处理决定数量</td></tr>\n"
              f"<tr><td>行政许可</td><td colspan=\"3\">{n * 41}</td></tr>\n"
              "<tr><td colspan=\"4\">第二十条第（六）项</td></tr>\n"
              f"<tr><td>行政处罚</td><td colspan=\"3\">{n * 3}</td></tr>\n"
              f"<tr><td>行政强制</td><td colspan=\"3\">{n % 7}</td></tr>\n"
              "<tr><td colspan=\"4\">第二十条第（八）项</td></tr>\n"
              "<tr><td>信息内容</td><td colspan=\"3\">本年收费金额（单位：万元）</td></tr>\n"
              "<tr><td>行政事业性收费</td><td colspan=\"3\">0</td></tr>\n</table>\n")
    done, carried = n - n % 4, n % 4
    table3 = ("<table border=\"1\" class=\"nb-table\">\n"
              "<tr><td colspan=\"2\">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>"
              "<td>申请人情况 总计</td></tr>\n"
              f"<tr><td colspan=\"2\">一、本年新收政府信息公开申请数量</td><td>{n}</td></tr>\n"
              f"<tr><td colspan=\"2\">二、上年结转政府信息公开申请数量</td><td>{carried}</td></tr>\n"
              f"<tr><td rowspan=\"2\">三、本年度办理结果</td><td>（一）予以公开</td><td>{done}</td></tr>\n"
              f"<tr><td>（二）部分公开</td><td>{carried}</td></tr>\n"
              f"<tr><td colspan=\"2\">四、结转下年度继续办理</td><td>{carried}</td></tr>\n</table>\n")
    table4 = ("<table border=\"1\" class=\"nb-table\">\n"
              "<tr><td colspan=\"5\">行政复议</td><td colspan=\"5\">行政诉讼</td></tr>\n"
              "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2
              + "</tr>\n<tr>" + f"<td>{n % 2}</td><td>0</td><td>0</td><td>0</td><td>{n % 2}</td>" * 2
              + "</tr>\n</table>\n")
    bodies = {REPORT_SECTIONS[0]: sec1, REPORT_SECTIONS[1]: table2, REPORT_SECTIONS[2]: table3,
              REPORT_SECTIONS[3]: table4}
    out = intro
    for title in REPORT_SECTIONS:
        if title in omit:
            continue
        body = bodies.get(title) or f"<p>{county}{year}年度{title[2:]}详见下表及说明。</p>\n"
        out += f"<h3>{title}</h3>\n{body}"
    return out


# Omittable 指南 parts: their words appear in no other part (the 主动公开 part also says
# "20个工作日", and 邮政编码 reads as a 信函 channel), so leaving one out removes that element.
GUIDE_OMITTABLE = ("信息处理费", "救济方式")


def guide_parts(spec: SiteSpec) -> dict[str, str]:
    """The 指南 by element (条例第十二、二十九、三十三、四十二、五十一条), in page order."""
    county, phone, address = spec.short_name, spec.phone, spec.address
    email = "xxgk@" + spec.main_host.removeprefix("www.")
    return {
        "主动公开": ("<h3>一、主动公开</h3>\n<p>（一）公开范围。（二）公开方式和时限：政府信息自形成"
                 "或者变更之日起20个工作日内予以公开。</p>\n<h3>二、依申请公开</h3>\n"),
        "受理机构及联系方式": (f"<p>（一）受理机构：{county}人民政府办公室。办公地址：{e(address)}。"
                      f"办公时间：工作日上午8:30—12:00，下午14:30—17:30。联系电话：{e(phone)}。邮政编码：061000。"
                      f"电子邮箱：{email}。</p>\n"),
        "依申请公开渠道": "<p>（二）申请渠道：当面申请、邮寄申请、传真申请、网上申请。</p>\n",
        "办理时限": ("<p>（三）申请的处理：能够当场答复的当场答复；不能当场答复的，"
                 "自收到申请之日起20个工作日内予以答复。</p>\n"),
        "信息处理费": ("<p>（四）信息处理费：依照《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"
                  "执行。</p>\n"),
        "救济方式": ("<h3>三、监督和救济</h3>\n<p>公民、法人或者其他组织认为行政机关在政府信息公开工作中"
                 "侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。</p>\n"),
    }


def guide_body(spec: SiteSpec, omit: tuple[str, ...] = ()) -> str:
    parts = "".join(html for name, html in guide_parts(spec).items() if name not in omit)
    return ("<p>为保障公民、法人和其他组织依法获取政府信息，根据《中华人民共和国政府信息公开条例》，"
            f"编制本指南。</p>\n{parts}")
