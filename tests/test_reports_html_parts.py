"""The shared HTML pieces (html_parts.py) render what the Jinja macros they replaced rendered."""

from __future__ import annotations

import copy
import re
from zoneinfo import ZoneInfo

from zwgk.reports.html import environment
from zwgk.reports.html_parts import evidence_value, link, say, screenshot_html

from support.reportdata import load, render, visible_text

NESTED = {"expected": "首页在 15 秒内打开",
          "seen": {"成文日期": None, "title": "「标题」<b>",
                   "links": ["http://a.example/x?a=1&b=2", "javascript:alert(1)"],
                   "nested": {"deep": [1, True, {"code": "refused"}]}},
          "at": "2026-11-22T11:08:58+00:00",
          "visits": [{"status": 200, "error": "连接被拒绝 / refused: [Errno 111] Connection refused"}], "empty": ""}
# What the `evidence` macro of _macros.html.j2 rendered for NESTED (commit 97de124), byte for byte.
NESTED_HTML = (
    '<dl class="ev"><dt>应当</dt><dd>首页在 15 秒内打开</dd><dt>实际所见</dt><dd><dl class'
    '="ev"><dt title="成文日期">成文日期</dt><dd><span class="badge st-fail">未见</span'
    '></dd><dt title="title">标题</dt><dd>“标题”&lt;b&gt;</dd><dt title="links">l'
    'inks</dt><dd><a class="url" href="http://a.example/x?a=1&amp;b=2" rel="n'
    'oreferrer nofollow">http://a.example/x?a=1&amp;b=2</a>；javascript:alert('
    '1)</dd><dt title="nested">nested</dt><dd><dl class="ev"><dt title="deep"'
    '>deep</dt><dd>1；是；<dl class="ev"><dt title="code">code</dt><dd>连接被拒绝</dd'
    '></dl></dd></dl></dd></dl></dd><dt>检查时间</dt><dd>2026-11-22 19:08:58 +08:'
    '00</dd></dl><details class="more"><summary>更多证据</summary><dl class="ev">'
    '<dt title="visits">访问次数</dt><dd><dl class="ev"><dt title="status">状态码</d'
    't><dd>200</dd><dt title="error">错误</dt><dd>连接被拒绝 <details class="tech"><'
    'summary>技术细节</summary><pre>refused: [Errno 111] Connection refused</pre>'
    '</details></dd></dl></dd></dl></details>')


def test_nested_evidence_renders_as_the_macro_did() -> None:
    assert environment().from_string("{{ evidence(f) }}").render(f=NESTED) == NESTED_HTML


def test_parts_escape_what_they_show() -> None:
    assert link("javascript:alert(1)") == ('<span class="nolink" title="非 http/https 地址，不作链接">'
                                           "javascript:alert(1)</span>")
    assert link('http://a.example/"><script>') == ('<a class="url" href="http://a.example/&#34;&gt;&lt;script&gt;" '
                                                   'rel="noreferrer nofollow">http://a.example/&#34;&gt;&lt;script&gt;</a>')
    assert say("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert say("refused: [Errno 111] Connection refused") == (
        '其他原因（见技术细节） <details class="tech"><summary>技术细节</summary>'
        "<pre>refused: [Errno 111] Connection refused</pre></details>")
    tz = ZoneInfo("UTC")
    assert evidence_value(["a", [], None, False, 2.5], tz) == "a；；；否；2.5"
    assert screenshot_html({"shot": {"path": "../../etc/passwd"}, "first": None}, tz) == ""


def test_evidence_times_in_the_inspection_time_zone(tmp_path) -> None:
    """Every time on a site page, the findings' evidence included, in the run's zone (the macros showed
    evidence times in Asia/Shanghai whatever the zone)."""
    results = copy.deepcopy(load("hostile-run"))
    results["run"]["timezone"] = "UTC"
    paths = render(tmp_path, results)
    for page in paths.sites:
        text = visible_text(page.read_text(encoding="utf-8"))
        stamps = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}", text)
        assert stamps and all(s.endswith("+00:00") for s in stamps), page.name
