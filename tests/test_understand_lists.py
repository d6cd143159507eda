"""List pages of every dialect in reference/portal-structures.md §1, §4 (fixtures are trimmed replicas)."""

from datetime import date
from pathlib import Path

from zwgk.understand.lists import parse_list

FIX = Path(__file__).parent / "fixtures" / "html" / "understand"


def load(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def test_handan_table_reads_date_column_never_index_column() -> None:
    page = parse_list(load("hd_list.html"), "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/")
    assert page.has_list and page.containers == ["table"]
    assert [(i.date, i.date_source) for i in page.items] == [
        (date(2020, 8, 5), "row"), (date(2020, 8, 2), "row"), (date(2020, 7, 30), "row"),
        (date(2020, 7, 29), "url"),                      # empty date cell: from /t20200729_ in the URL
    ]
    # the cut title ("…") is replaced by title=; the nav menu (指南, 制度 …) is not a list item
    assert page.items[0].title == "邯郸市教育局关于公布2020年度市级示范性家长学校名单的通知"
    assert page.items[0].url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    assert len(page.items) == 4 and page.newest == date(2020, 8, 5)
    assert all(not i.hidden for i in page.items)


def test_handan_countpage_script_pager() -> None:
    pager = parse_list(load("hd_list.html"), "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html").pager
    assert pager is not None
    assert (pager.scheme, pager.page_count, pager.current, pager.total_records) == ("countPage", 56, 1, 6348)
    urls = pager.page_urls("http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html")
    assert urls[0] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_1.html"
    assert urls[-1] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html" and len(urls) == 55


def test_handan_index_hidden_tab_panes_are_counted_and_flagged() -> None:
    page = parse_list(load("hd_index.html"), "http://hdzfxxgk.hd.gov.cn/")
    assert len(page.items) == 10
    hidden = [i.title for i in page.items if i.hidden]
    assert hidden == ["邯郸市人民政府办公室关于加强农村人居环境整治工作的通知",
                      "邯郸市人民政府办公室关于印发邯郸市防汛应急预案的通知",
                      "邯郸市城市绿化管理办法（市政府令第178号）",
                      "邯郸市人民政府关于废止和修改部分市政府规章的决定"]
    # the title sits in a <p> inside the link; dates come from the trailing span
    assert page.items[0].title == "邯郸市人民政府关于2020年度市级重点项目调整的通知"
    assert page.items[0].date == date(2020, 7, 29)       # span date, not the URL's 20200731
    titles = {i.title for i in page.items}
    assert not titles & {"政府信息公开指南", "政策解读", "财政预决算", "依申请公开", "市政府文件"}


def test_ndrc_popbox_interpretations_attach_to_their_row() -> None:
    page = parse_list(load("ndrc_list.html"), "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/")
    assert len(page.items) == 6                          # li.empty spacers ignored, 解读 not items
    first = page.items[0]
    assert first.title == "《电力市场运行基本规则》（2026年第12号令）"
    assert first.url == "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/202604/t20260409_1404577.html"
    assert first.date == date(2026, 4, 9) and not first.hidden
    assert [(lk.url, lk.anchor, lk.hidden) for lk in first.interpretation_links] == [
        ("https://www.ndrc.gov.cn/xxgk/jd/jd/202604/t20260424_1404868.html", "《电力市场运行基本规则》解读", True),
        ("https://www.ndrc.gov.cn/xxgk/jd/zctj/202604/t20260425_1404901.html", "一图读懂《电力市场运行基本规则》",
         True),
    ]
    third = page.items[2]
    assert third.title == "《企业投资项目核准和备案管理办法》（2026年第10号令）"   # from title=, text was cut
    assert [lk.url for lk in third.interpretation_links] == [
        "https://www.ndrc.gov.cn/xxgk/jd/jd/202603/t20260305_1403600.html"]
    assert all("/jd/" not in i.url for i in page.items)
    assert page.items[1].interpretation_links == []
    assert page.newest == date(2026, 4, 9)


def test_ndrc_create_page_html_four_arguments() -> None:
    pager = parse_list(load("ndrc_list.html"), "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/").pager
    assert pager is not None
    assert (pager.scheme, pager.page_count, pager.current, pager.prefix, pager.ext) == (
        "createPageHTML4", 9, 1, "index", "html")
    assert pager.page_urls("https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/", limit=3) == [
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/index_1.html",
        "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/index_2.html"]


def test_miit_json_wrapped_list_hidden_font_labels_and_dl_popup() -> None:
    page = parse_list(load("miit_list.json"), "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/")
    assert [(i.title, i.date) for i in page.items] == [
        ("工业和信息化部关于开展2026年新能源汽车下乡活动的通知", date(2026, 9, 28)),
        ("工业和信息化部关于印发《电子信息制造业数字化转型实施方案》的通知", date(2026, 9, 22)),
        ("工业和信息化部办公厅关于组织开展2026年工业互联网试点示范项目遴选工作的通知", date(2026, 9, 15)),
    ]
    links = page.items[1].interpretation_links
    assert [(lk.url, lk.hidden) for lk in links] == [
        ("https://www.miit.gov.cn/zwgk/zcjd/art/2026/art_7a6b5c4d3e2f41a0b9c8d7e6f5a4b3c2.html", True)]
    pager = page.pager
    assert pager is not None
    assert (pager.scheme, pager.page_count, pager.total_records, pager.per_page, pager.current) == (
        "pagination", 119, 2846, 24, 1)
    assert pager.page_urls("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/") == []   # API-driven, no static pages


def test_miit_shell_without_js_has_no_list() -> None:
    shell = """<html><head><title>通知 - 工业和信息化部</title></head><body>
    <div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a></div>
    <div class="page-content"><script parseType="buildstatic"
      url="/api-gateway/jpaas-publish-server/front/page/build/unit" querydata="{'pageId':'a5b6'}"></script>
    </div></body></html>"""
    page = parse_list(shell, "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/")
    assert (page.has_list, page.items) == (False, [])


def test_hanweb_datastore_records_are_items() -> None:
    page = parse_list(load("hanweb_col.html"), "https://www.jiangsu.gov.cn/col/col64511/index.html")
    assert page.has_list and page.containers == ["datastore"]
    assert [(i.date, i.source) for i in page.items] == [
        (date(2026, 1, 23), "datastore"), (date(2026, 1, 9), "datastore"), (date(2025, 12, 30), "datastore")]
    assert page.items[0].date_source == "row"             # span.time split over lines was read
    assert page.items[1].title == "省政府办公厅关于加快发展银发经济增进老年人福祉的实施意见"
    assert [lk.url for lk in page.items[0].interpretation_links] == [
        "https://www.jiangsu.gov.cn/art/2026/1/25/art_84243_5012777.html"]
    assert page.pager is not None and page.pager.scheme == "datastore"
    assert page.pager.next_url is not None and "dataproxy.jsp?page=1" in page.pager.next_url
    # the header nav (要闻动态, 政务公开 …) is not read as items
    assert all("/art/" in i.url for i in page.items)


def test_hanweb_dataproxy_xml_answer() -> None:
    page = parse_list(load("hanweb_dataproxy.xml"), "https://www.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp")
    assert [i.url for i in page.items] == [
        "https://www.jiangsu.gov.cn/art/2025/12/15/art_64511_5003320.html",
        "https://www.jiangsu.gov.cn/art/2025/12/2/art_64511_5001187.html"]
    assert page.pager is not None
    assert (page.pager.page_count, page.pager.total_records) == (9, 128)


def test_hanweb_datastore_without_records_is_an_empty_list() -> None:
    html = "<html><body><script type='text/xml'><datastore><recordset></recordset></datastore></script></body></html>"
    page = parse_list(html, "https://x.gov.cn/col/col1/index.html")
    assert (page.has_list, page.items) == (True, [])


def test_wuxi_rows_without_dates_take_the_url_date() -> None:
    page = parse_list(load("wuxi_list.html"), "https://www.wuxi.gov.cn/zfxxgk/gfxwj/index.shtml")
    assert [(i.date, i.date_source) for i in page.items] == [
        (date(2026, 9, 16), "url"), (date(2026, 8, 29), "url"), (date(2026, 7, 3), "url")]
    assert page.items[1].title == "无锡市人民政府办公室关于印发无锡市公共租赁住房管理办法的通知"
    pager = page.pager
    assert pager is not None and (pager.scheme, pager.page_count) == ("vars", 12)
    assert pager.page_urls("https://www.wuxi.gov.cn/zfxxgk/gfxwj/index.shtml") == []   # numbering unknown


def test_csrc_create_page_html_six_arguments() -> None:
    page = parse_list(load("csrc_list.html"), "http://www.csrc.gov.cn/csrc/c101953/fg.shtml")
    assert [i.date for i in page.items] == [date(2026, 3, 28), date(2026, 3, 12), date(2026, 2, 20)]
    pager = page.pager
    assert pager is not None
    assert (pager.scheme, pager.page_count, pager.current, pager.prefix, pager.ext, pager.total_records) == (
        "createPageHTML6", 5, 1, "fg", "shtml", 89)
    assert pager.page_urls("http://www.csrc.gov.cn/csrc/c101953/fg.shtml", limit=3) == [
        "http://www.csrc.gov.cn/csrc/c101953/fg_2.shtml", "http://www.csrc.gov.cn/csrc/c101953/fg_3.shtml"]


def test_table_header_picks_publish_date_over_written_date() -> None:
    html = """<html><body><table class="list">
      <tr><td>序号</td><td>标题</td><td>成文日期</td><td>发布日期</td></tr>
      <tr><td>1</td><td><a href="/a/1.html">某县人民政府关于加强耕地保护工作的通知</a></td>
        <td>2024-01-02</td><td>2024-01-10</td></tr>
      <tr><td>2</td><td><a href="/a/2.html">某县人民政府关于做好防汛抗旱工作的通知</a></td>
        <td>2024-02-03</td><td>2024-02-20</td></tr>
    </table></body></html>"""
    page = parse_list(html, "http://www.x.gov.cn/zcwj/")
    assert [i.date for i in page.items] == [date(2024, 1, 10), date(2024, 2, 20)]


def test_undated_document_rows_still_make_a_list() -> None:
    html = """<html><body><div class="nav"><a href="/">首页</a></div><ul class="list">
      <li><a href="/zcwj/content_101.html">某县人民政府关于加强耕地保护工作的通知</a></li>
      <li><a href="/zcwj/content_102.html">某县人民政府关于做好防汛抗旱工作的通知</a></li>
      <li><a href="/zcwj/content_103.html">某县人民政府关于推进乡村振兴工作的通知</a></li>
    </ul></body></html>"""
    page = parse_list(html, "http://www.x.gov.cn/zcwj/")
    assert page.has_list and len(page.items) == 3 and len(page.undated) == 3 and page.newest is None


def test_navigation_menus_and_detail_pages_are_not_lists() -> None:
    nav_only = """<html><body><div class="main"><ul class="col-list">
      <li><a href="/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zfxxgkzd/">政府信息公开制度</a></li>
      <li><a href="/fdzdgknr/">法定主动公开内容</a></li><li><a href="/zfxxgknb/">政府信息公开年报</a></li>
    </ul></div></body></html>"""
    assert parse_list(nav_only, "http://x.gov.cn/").has_list is False
    detail = parse_list(load("hd_detail.html"),
                        "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")
    assert (detail.has_list, detail.items) == (False, [])


def test_empty_marker_means_a_list_area_without_items() -> None:
    html = "<html><body><div class='list'><ul></ul><p>暂无信息</p></div></body></html>"
    page = parse_list(html, "http://x.gov.cn/zcwj/")
    assert (page.has_list, page.empty_marker, page.items) == (True, True, [])


def test_hidden_tab_duplicate_keeps_one_visible_item() -> None:
    html = """<html><body><div class="tabs">
      <ul class="tab-list"><li><a href="/a/t20240105_1.html">某县人民政府关于加强耕地保护工作的通知</a>
        <span>2024-01-05</span></li></ul>
      <ul class="tab-list" style="display:none">
        <li><a href="/a/t20240105_1.html">某县人民政府关于加强耕地保护工作的通知</a><span>2024-01-05</span></li>
        <li><a href="/b/t20231201_2.html">某县人民政府关于做好冬季供暖工作的通知</a><span>2023-12-01</span></li>
      </ul>
    </div></body></html>"""
    page = parse_list(html, "http://x.gov.cn/")
    assert [(i.url.rsplit("/", 1)[-1], i.hidden) for i in page.items] == [
        ("t20240105_1.html", False), ("t20231201_2.html", True)]


def test_empty_input() -> None:
    assert parse_list("", "http://x.gov.cn/").has_list is False
    assert parse_list(None, "http://x.gov.cn/").items == []


def test_header_named_date_column_wins_over_a_later_dated_cell() -> None:
    # 名称|发布日期|索引号: the last date-looking cell is the 索引号 column, which the header rules out
    html = """<html><body><table>
      <tr><th>名称</th><th>发布日期</th><th>索引号</th></tr>
      <tr><td><a href="/a/1.html">某县人民政府关于加强耕地保护工作的通知</a></td><td>2023-06-05</td>
          <td>2023.06.30</td></tr>
    </table></body></html>"""
    assert [i.date for i in parse_list(html, "http://x.gov.cn/").items] == [date(2023, 6, 5)]


def test_headerless_table_skips_index_numbers() -> None:
    html = """<html><body><table>
      <tr><td><a href="/a/1.html">某县人民政府关于加强耕地保护工作的通知</a></td><td>000014348/2020-35428</td>
          <td>2020-08-05</td><td>6107280000/2024-001005</td></tr>
    </table></body></html>"""
    assert [i.date for i in parse_list(html, "http://x.gov.cn/").items] == [date(2020, 8, 5)]


def test_article_sentence_with_zanwu_is_not_an_empty_list() -> None:
    html = ("<html><body><div class='article'><p>经核查，目前暂无相关政策出台，我局将持续关注上级部署，"
            "及时做好政策衔接和宣传解读工作。</p></div></body></html>")
    assert parse_list(html, "http://x.gov.cn/zcwj/202401/t20240101_1.html").has_list is False


def test_server_rendered_pager_links() -> None:
    html = """<html><body><ul class="list">
      <li><a href="./202611/t20261116_1.html">基准县人民政府办公室关于进一步加强大气污染防治工作的通知</a>
        <span>2026-11-16</span></li>
    </ul>
    <div class="pagination"><span>1</span> <a href="index_1.html">2</a> <a href="index_2.html">3</a>
      <a href="index_1.html">下一页</a></div></body></html>"""
    pager = parse_list(html, "http://www.x.gov.cn/zcwj/").pager
    assert pager is not None
    assert (pager.scheme, pager.page_count, pager.next_url) == ("text", 3, "http://www.x.gov.cn/zcwj/index_1.html")
    assert pager.page_urls("http://www.x.gov.cn/zcwj/") == [
        "http://www.x.gov.cn/zcwj/index_1.html", "http://www.x.gov.cn/zcwj/index_2.html"]


# --- a tree parsed once, handed in ------------------------------------------------------------------------

def _parse_counted(monkeypatch) -> list[int]:
    from zwgk.understand import _html

    calls: list[int] = []
    monkeypatch.setattr(_html, "parse_hooks", [lambda: calls.append(1)])
    return calls


def _same(a, b) -> bool:
    return ([(i.url, i.title, i.date, i.hidden) for i in a.items], a.containers, a.has_list, a.empty_marker,
            a.pager) == ([(i.url, i.title, i.date, i.hidden) for i in b.items], b.containers, b.has_list,
                         b.empty_marker, b.pager)


BODY_RECORDS = """<html><body><div class="list"><datastore><totalrecord>2</totalrecord><recordset>
<record><![CDATA[<li><a href="/art/2026/11/2/art_1_2.html">第二份文件</a><span>2026-11-02</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2026/11/1/art_1_1.html">第一份文件</a><span>2026-11-01</span></li>]]></record>
</recordset></datastore></div><div class="pages">共1页</div></body></html>"""


def test_a_tree_handed_in_is_read_instead_of_parsing_again(monkeypatch) -> None:
    from zwgk.understand._html import parse_html

    real = Path(__file__).parent / "fixtures" / "html" / "real"
    cases = [(load("hd_list.html"), "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/", 0),
             (load("ndrc_list.html"), "https://www.ndrc.gov.cn/xxgk/zcfb/fzggwl/", 0),
             # Hanweb records inside <script type="text/xml">: the page's tree is the tree without them
             (load("hanweb_col.html"), "https://www.jiangsu.gov.cn/col/col64511/index.html", 0),
             # a page that is nothing but records (no tree is left without them)
             ((real / "hanweb_nantong_col31685.html").read_text(encoding="utf-8"),
              "https://www.nantong.gov.cn/col/col31685/index.html", 0),
             # records in the body, outside any script: removing them changes the tree, so it is parsed again
             (BODY_RECORDS, "https://www.x.gov.cn/col/col1/index.html", 1),
             # a JSON answer: the HTML inside it is another document
             (load("miit_list.json"), "https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/", 1)]
    for html, url, again in cases:
        want = parse_list(html, url)
        root = parse_html(html)
        calls = _parse_counted(monkeypatch)
        got = parse_list(html, url, root)
        assert _same(got, want) and want.items, url
        assert len(calls) == again, url
