"""Dates on Chinese government pages, and the index numbers / 文号 that must not be read as dates."""

from datetime import date

import pytest

from zwgk.understand.dates import date_from_url, find_date, find_dates, newest, parse_date


@pytest.mark.parametrize(("text", "expected"), [
    ("2021-06-01", date(2021, 6, 1)),
    ("2021/06/01", date(2021, 6, 1)),
    ("2021.06.01", date(2021, 6, 1)),
    ("2021年6月1日", date(2021, 6, 1)),
    ("2021年06月01日 16:40", date(2021, 6, 1)),
    ("2026-05-15 17:10:41", date(2026, 5, 15)),
    ("2026-\n01-\n23", date(2026, 1, 23)),            # Hanweb XML span.time split over lines
    ("[2021-06-01]", date(2021, 6, 1)),
    ("【2021-06-01】", date(2021, 6, 1)),
    ("２０２１－０６－０１", date(2021, 6, 1)),            # full-width digits
    ("2020年08月02日", date(2020, 8, 2)),
    ("2026/04/09", date(2026, 4, 9)),
])
def test_every_seen_format_parses(text: str, expected: date) -> None:
    assert parse_date(text) == expected
    assert find_date(text) == expected


@pytest.mark.parametrize("trap", [
    "000014348/2020-35428",                 # 邯郸 索引号
    "000014349/2018-00222",                 # gov.cn 索引号
    "2026-02-00018",                        # 索引号 that looks like a date
    "11341700mb1911893j/202211-00054",      # 统一社会信用代码 / yyyymm-seq
    "6107280000/2024-001005",               # 镇巴 索引号
    "113703030042170202/2023-5383128",
    "01404053X/2023-00861",
    "〔2021〕16号",                          # 文号
    "豫政〔2021〕16号",
    "HHCR-2023-01005",                      # 湖南 规范性文件登记号
    "2021-2025年",                          # a period, not a day
    "2021年6月",                            # no day
])
def test_index_numbers_and_doc_numbers_are_not_dates(trap: str) -> None:
    assert find_date(trap) is None
    assert find_date(trap, year=2021) is None
    assert parse_date(trap) is None
    assert find_dates(trap) == []


def test_date_found_after_an_index_number_in_the_same_text() -> None:
    text = "索引号：2026-02-00018 发布日期：2026-02-03 文号：〔2026〕2号"
    assert find_date(text) == date(2026, 2, 3)
    assert find_dates("索引号：000014348/2020-35428 成文日期：2020-07-31 发布日期：2020-08-05") == [
        date(2020, 7, 31), date(2020, 8, 5)]


def test_month_day_needs_a_year() -> None:
    assert find_date("06-01") is None
    assert parse_date("06-01") is None
    assert find_date("06-01", year=2021) == date(2021, 6, 1)
    assert parse_date("06-01", year=2021) == date(2021, 6, 1)
    assert parse_date("6月1日", year=2024) == date(2024, 6, 1)
    assert find_date("[06-31]", year=2021) is None          # impossible day


def test_parse_date_is_whole_string_find_date_searches() -> None:
    assert parse_date("发布日期：2021-06-01") is None
    assert find_date("发布日期：2021-06-01") == date(2021, 6, 1)
    assert parse_date("20210601") == date(2021, 6, 1)
    assert parse_date("") is None and find_date(None) is None


def test_invalid_candidates_are_skipped_not_fatal() -> None:
    assert find_date("2021-13-45 then 2021-12-31") == date(2021, 12, 31)


@pytest.mark.parametrize(("url", "expected"), [
    ("http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html", date(2020, 8, 5)),
    ("https://www.jiangsu.gov.cn/art/2026/1/23/art_64511_5012340.html", date(2026, 1, 23)),
    ("https://www.wuxi.gov.cn/doc/2026/09/16/4831889.shtml", date(2026, 9, 16)),
    ("http://www.gov.cn/zhengce/content/2018-12/29/content_5353307.htm", date(2018, 12, 29)),
    ("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2026/art_5b1f0e3c9a8d4f2e8c7b6a5d4e3f2a1b.html", None),
    ("http://x.gov.cn/col/col64511/index.html", None),
])
def test_date_from_url(url: str, expected: date | None) -> None:
    assert date_from_url(url) == expected


def test_newest_ignores_unknown() -> None:
    assert newest([None, date(2020, 1, 2), date(2021, 1, 1), None]) == date(2021, 1, 1)
    assert newest([None]) is None
