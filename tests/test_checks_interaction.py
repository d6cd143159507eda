"""interaction.reply: 咨询 channel present and working; 留言 unanswered beyond 90 days within a year."""

from __future__ import annotations

from pathlib import Path

from support.sitebuild import AS_OF, FETCHED, SITE, build_site, run

ZXZX = "/hdjl/zxzx/"
ZXZX_OPEN = "/hdjl/zxzx/202605/t20260510_3001.html"
LDXX = "/hdjl/ldxx/"
LDXX_OPEN = "/hdjl/ldxx/202607/t20260701_3101.html"
FULL_SITE = {"/": "home.html", ZXZX: "messages_list.html", ZXZX_OPEN: "message_detail.html",
             LDXX: "mailbox_list.html", LDXX_OPEN: "mailbox_detail.html", "/hdjl/wsxf/": "petition_list.html"}


def url(path: str) -> str:
    return SITE.rstrip("/") + path


def test_overdue_messages_one_finding_each(tmp_path: Path) -> None:
    result = run("interaction.reply", build_site(tmp_path, FULL_SITE))
    assert result.status == "fail"
    assert result.severity == "veto"
    # 2026-05-10 (table row + its detail page, merged) and 2026-07-01 (mailbox row + detail page).
    # Not flagged: the 2025-06-01 row (outside the year), the 2026-10-30 row (23 days), the 网上信访
    # row, and the row whose only date-like value is the 索引号 2026-02-00018.
    assert [(f.url, f.target) for f in result.findings] == [(url(ZXZX_OPEN), None), (url(LDXX_OPEN), None)]
    first = result.findings[0]
    assert first.evidence["days"] == 196 and first.evidence["asked"] == "2026-05-10"
    assert first.evidence["at"] == FETCHED and first.evidence["expected"] == "90 天内答复"
    assert "办理中" in first.message
    assert result.details["messages"] == 7 and result.details["in_window"] == 6
    assert result.details["pending_within_limit"] == 1
    assert [m["title"] for m in result.details["late_replies"]] == ["关于公交线路调整的建议"]


def test_no_consultation_channel_fails(tmp_path: Path) -> None:
    # 网上信访 and 纪检举报 links do not count as a 咨询 channel.
    result = run("interaction.reply", build_site(tmp_path, {"/": "home_bare.html"}))
    assert result.status == "fail"
    assert [(f.url, f.target) for f in result.findings] == [(SITE, "channel")]
    assert result.findings[0].evidence["seen"] == "全站未见咨询/留言/信箱/建言入口"


def test_broken_channels_do_not_count(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, {"/": "home.html"}, failed={url(LDXX): 404, url(ZXZX): 500})
    result = run("interaction.reply", ctx)
    assert result.status == "fail"
    assert [f.target for f in result.findings] == ["channel"]
    assert {b["anchor"] for b in result.findings[0].evidence["broken"]} == {"区长信箱", "在线咨询"}


def test_channel_without_readable_messages_is_inconclusive(tmp_path: Path) -> None:
    result = run("interaction.reply", build_site(tmp_path, {"/": "home.html"}))
    assert result.status == "inconclusive" and not result.findings


def test_all_answered_passes(tmp_path: Path) -> None:
    page = ('<html><head><title>在线咨询_某区人民政府</title></head><body><table>'
            '<tr><th>标题</th><th>留言时间</th><th>回复时间</th></tr>'
            '<tr><td><a href="/hdjl/zxzx/1.html">关于医保报销的咨询</a></td><td>2026-09-01</td><td>2026-09-03</td></tr>'
            '<tr><td><a href="/hdjl/zxzx/2.html">关于社保转移的咨询</a></td><td>2026-10-08</td><td>2026-10-09</td></tr>'
            '</table></body></html>')
    result = run("interaction.reply", build_site(tmp_path, {"/": "home.html", ZXZX: page}))
    assert result.status == "pass", result.summary
    assert result.details["in_window"] == 2 and not result.findings


def test_lookback_and_limit_come_from_the_profile(tmp_path: Path) -> None:
    ctx = build_site(tmp_path, FULL_SITE)
    ctx.profile.override({"unanswered_message_days": 200})
    result = run("interaction.reply", ctx)
    assert result.status == "pass"                      # 196 and 144 days are within 200
    assert result.details["limit_days"] == 200


def test_channel_links_first_qualifying_link_wins(tmp_path: Path) -> None:
    # channels(): a target counts once, with its first link (page order, then the page's own order)
    # whose anchor names a channel; links of a raw fetch a successful render stands for do not count.
    from zwgk.checks.context import SiteContext
    from zwgk.checks.interaction import channels
    from zwgk.config.profile import load_profile
    from zwgk.store import Link, PageRecord, Store

    store = Store(tmp_path / "crawl.sqlite")
    store.upsert_site("mq", "某区人民政府", SITE, "区政府办公室", [SITE.split("/")[2]])
    x, y, z, w = url("/zxzx/"), url("/ldxx/"), url("/wszx/"), url("/wyxx/")

    def page(path: str, links: list[tuple[str, str]], method: str = "GET", title: str = "某页") -> None:
        store.save_page(PageRecord(site="mq", url=url(path), method=method, status=200, content_type="text/html",
                                   title=title, body="<html><body>x</body></html>", fetched_at=FETCHED,
                                   links=[Link(u, a, "page") for u, a in links]))

    page("/a/", [(x, "在线咨询")])                           # superseded by its render below
    page("/b/", [(url("/xxgk/"), "政府信息公开"), (url("/tel/"), "咨询电话"), (x, "咨询热线"),
                 (y, "领导 信箱"), (x, "在线咨询"), (x, "咨询服务")])
    page("/c/", [(x, "留言板"), (z, "网上咨询"), (y, "建言献策")])
    page("/a/", [(w, "我要写信")], method="RENDER")
    page("/d/", [], title="留言咨询_某区人民政府")               # named so, linked from nowhere
    store.save_page(PageRecord(site="mq", url=z, status=404, fetched_at=FETCHED))
    site = next(s for s in store.sites() if s["key"] == "mq")
    ctx = SiteContext(store, site, AS_OF, load_profile("national-2019"))
    ok, broken = channels(ctx)
    assert [(e["anchor"], e["url"], e["on"]) for e in ok] == [
        ("领导信箱", y, url("/b/")), ("在线咨询", x, url("/b/")), ("我要写信", w, url("/a/")),
        ("留言咨询", url("/d/"), url("/d/"))]
    assert [(e["anchor"], e["url"], e["on"], e["status"]) for e in broken] == [("网上咨询", z, url("/c/"), 404)]
