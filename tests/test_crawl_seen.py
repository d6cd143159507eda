"""The crawl's seen sets keep fingerprints, not URLs (zwgk/crawler/seen.py): the same answers as sets."""

from __future__ import annotations

from zwgk.crawler.coverage import ListTracker
from zwgk.crawler.seen import SeenKeys, SeenTexts, key_fingerprint


def test_seen_keys_answer_as_a_set_of_tuples_would():
    keys = [("a", "http://x.gov.cn/1.html", "GET"), ("a", "http://x.gov.cn/1.html", "HEAD"),
            ("b", "http://x.gov.cn/1.html", "GET"), ("a", "http://x.gov.cn/1.html?p=中文", "GET")]
    seen = SeenKeys(keys[:1])
    assert keys[0] in seen and all(k not in seen for k in keys[1:])
    assert [seen.add_new(k) for k in keys] == [False, True, True, True]
    assert all(k in seen for k in keys) and len(seen) == 4
    assert seen.add_new(keys[3]) is False and len(seen) == 4
    # site keys and methods hold no newline: where one ends and the URL begins is never ambiguous
    assert key_fingerprint(("a", "b", "GET")) != key_fingerprint(("a", "GET\nb", "GET"))


def test_seen_texts_count_what_is_new():
    texts = SeenTexts(["u1"])
    assert not SeenTexts() and texts and "u1" in texts and "u2" not in texts
    assert texts.update(["u1", "u2", "u2", "u3"]) == 2 and len(texts) == 3
    texts.add("\udcff")          # a lone surrogate (a URL decoded with surrogateescape) still fingerprints
    assert "\udcff" in texts and len(texts) == 4


def test_list_coverage_counts_distinct_items_and_what_each_source_added():
    tracker = ListTracker()
    state = tracker.open("s", "http://x.gov.cn/list.html", 1, None, ["d1", "d2", "d2"])
    tracker.expect(state, "http://x.gov.cn/list_1.html")
    tracker.credit(state, "http://x.gov.cn/list_1.html", ["d2", "d3", "d4", "d4"], by_adapter=True)
    tracker.rendered("s", "http://x.gov.cn/list.html", ["d1", "d5"])
    cov = state.coverage()
    assert (cov.obtained, state.adapter_items, state.browser_items, cov.source) == (5, 2, 1, "browser")
