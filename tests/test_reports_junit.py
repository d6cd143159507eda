"""junit.xml from stored results: one testcase per site × check, parsed with an XML parser."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from zwgk.reports.junit import render_junit

from support.reportdata import XSS_IMG, load


def suites():
    return ET.fromstring(render_junit(load("hostile-run")))


def test_one_testcase_per_site_and_check():
    root = suites()
    per_site = {s.get("name"): [c.get("name") for c in s.iter("testcase")] for s in root.iter("testsuite")}
    assert len(per_site["东岚县人民政府"]) == len(set(per_site["东岚县人民政府"])) == 18
    assert per_site["南坪县人民政府"] == ["site.reachable"]
    assert int(root.get("tests")) == sum(len(v) for v in per_site.values())


def test_statuses_map_to_failure_error_skipped():
    root = suites()
    a = next(s for s in root.iter("testsuite") if s.get("name") == "东岚县人民政府")
    cases = {c.get("name"): c for c in a.iter("testcase")}
    failure = cases["links.broken"].find("failure")
    assert failure is not None and "7 个问题" in failure.get("message")
    assert XSS_IMG in failure.text                  # the parser gives back the text; the file held it escaped
    assert cases["https.available"].find("skipped").get("message") == "问题均已豁免"
    assert cases["ipv6.aaaa"].find("failure") is None and len(cases["ipv6.aaaa"]) == 0
    c = next(s for s in root.iter("testsuite") if s.get("name") == "南坪县人民政府")
    assert c.find("testcase/error") is not None and c.get("errors") == "1"
    props = {p.get("name"): p.get("value") for p in c.iter("property")}
    assert props["verdict"] == "无法评估"


def test_control_characters_never_reach_the_xml():
    raw = render_junit(load("hostile-run"))
    assert b"\x07" not in raw
    ET.fromstring(raw)
