"""The reports in a real browser (Debian's chromium through Playwright), opened from file://.

No console errors, no request leaves the file system, the XSS page title renders as text (and no
dialog opens), a filter and the sortable ranking work, the ledger sections open when a filter picks
their tasks, technical detail stays folded, CJK text renders with a CJK font, and a screenshot of
each page kind (summary, site, site not assessed, 复查) is saved under $ZWGK_SCREENSHOT_DIR when set,
else the test's tmp directory — to be looked at, not compared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.reportdata import XSS_TITLE, load, render

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from zwgk.reports.diff import compare

    old, new = load("hostile-run"), load("hostile-run")
    new["sites"][0]["findings"] = new["sites"][0]["findings"][2:]      # two fixed since the last run
    new["diff"] = compare(old, new)
    return render(tmp_path_factory.mktemp("browser"), new)


@pytest.fixture(scope="module")
def browser():
    # installed with the [browser] extra: a missing install fails here instead of skipping
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console messages, page errors, dialogs and every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    pg = context.new_page()
    pg.events = {"console": [], "errors": [], "dialogs": [], "requests": []}

    def on_request(route):
        pg.events["requests"].append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", on_request)
    pg.on("console", lambda m: pg.events["console"].append((m.type, m.text)))
    pg.on("pageerror", lambda e: pg.events["errors"].append(str(e)))
    pg.on("dialog", lambda d: (pg.events["dialogs"].append(d.message), d.dismiss()))
    yield pg
    context.close()


def assert_clean(pg) -> None:
    assert pg.events["errors"] == []
    assert [m for m in pg.events["console"] if m[0] in ("error", "warning")] == []
    assert pg.events["dialogs"] == []
    assert all(url.startswith("file://") for url in pg.events["requests"]), pg.events["requests"]


def screenshot_dir(tmp_path: Path) -> Path:
    where = Path(os.environ.get("ZWGK_SCREENSHOT_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where


def test_summary_opens_offline_and_sorts(reports, page, tmp_path):
    page.goto(reports.index.as_uri())
    assert page.locator("h1").inner_text().startswith("2026年第四季度政府网站检查")
    assert page.locator("svg.chart").count() == 3
    names = page.locator("#ranking-table tbody tr td:nth-child(2) a:first-child")
    assert names.all_inner_texts() == ["东岚县人民政府", "西崖县人民政府"]      # 合格 before a vetoed 不合格
    page.locator("#ranking-table th", has_text="得分").click()          # ascending by points
    assert names.all_inner_texts()[0] == "东岚县人民政府"
    page.locator("#ranking-table th", has_text="得分").click()
    assert names.all_inner_texts()[0] == "西崖县人民政府"
    apart = page.locator("#unassessed-table tbody tr td:nth-child(1) a:first-child")
    assert apart.all_inner_texts() == ["南坪县人民政府", "北岭县人民政府"]
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '政务公开')")
    page.screenshot(path=str(screenshot_dir(tmp_path) / "summary.png"), full_page=True)
    assert_clean(page)


def test_site_page_escapes_xss_and_filters(reports, page, tmp_path):
    page.goto((reports.outdir / "sites" / "www.example-a.gov.cn.html").as_uri())
    assert page.get_by_text(XSS_TITLE, exact=False).count() >= 1         # shown as text...
    assert page.evaluate("document.querySelectorAll('script').length") == 1   # ...never run as a script
    assert page.locator("a[href^='javascript']").count() == 0
    findings = page.locator("#finding-list .finding")
    total = findings.count()
    page.select_option("select[data-for='finding-list'][data-attr='severity']", "major")
    visible = page.locator("#finding-list .finding:visible")
    assert 0 < visible.count() < total
    assert all(s == "major" for s in [visible.nth(i).get_attribute("data-severity") for i in range(visible.count())])
    assert page.locator("[data-count-for='finding-list']").inner_text() == f"显示 {visible.count()} / {total}"
    assert page.locator("#task-list tr[data-item]:visible").count() == 0     # sections start folded
    page.select_option("select[data-for='task-list']", "manual")
    rows = page.locator("#task-list tr[data-item]:visible")
    assert rows.count() >= 1 and all(rows.nth(i).get_attribute("data-status") == "manual" for i in range(rows.count()))
    assert page.locator("details.tech[open]").count() == 0                  # technical detail stays folded
    page.select_option("select[data-for='finding-list'][data-attr='severity']", "minor")
    tech = page.locator("#finding-list .finding:visible .msg details.tech")
    assert tech.count() >= 1 and "DNS lookup failed" not in page.locator("#finding-list .msg").first.inner_text()
    tech.first.locator("summary").click()
    assert "DNS lookup failed" in tech.first.inner_text()
    xss = page.locator("#finding-list .finding:visible", has_text=XSS_TITLE)
    assert xss.count() == 1                              # the page title is a minor doc.metadata finding
    xss.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -300)")
    shot = screenshot_dir(tmp_path) / "site.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert_clean(page)


def test_unassessed_site_and_review_pages(reports, page, tmp_path):
    page.goto((reports.outdir / "sites" / "www.example-d.gov.cn.html").as_uri())
    assert page.locator(".unassessed").is_visible()
    assert "本次未能完成评估" in page.locator(".unassessed").inner_text()
    page.screenshot(path=str(screenshot_dir(tmp_path) / "site-unassessed.png"), full_page=True)
    assert_clean(page)
    page.goto(reports.diff.as_uri())
    assert int(page.locator(".card.d-fixed b").inner_text()) >= 1
    page.screenshot(path=str(screenshot_dir(tmp_path) / "diff.png"), full_page=True)
    assert_clean(page)


def test_print_media_hides_filters(reports, page):
    page.goto((reports.outdir / "sites" / "www.example-b.gov.cn.html").as_uri())
    page.emulate_media(media="print")
    assert not page.locator(".filters").first.is_visible()
    assert page.locator("h2", has_text="结论与得分").is_visible()
    assert_clean(page)
