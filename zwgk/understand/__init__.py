"""Page understanding: pure functions over stored pages (no network, no database).

* dates          find_date / parse_date / date_from_url — Chinese date forms, 索引号/文号 traps
* lists          parse_list(html, base_url) → ListPage (items, dates, hidden tabs, 解读 pop-ups, pager)
* metadata       parse_metadata(html) → DocMeta (索引号, 发布机构, 成文日期, 文号, 发布日期 …)
* columns        recognise_columns(pages) → {column key: ColumnHit}
* interpretation pair_interpretations(policies, 解读 pages, list pages) → PairingResult
"""

from zwgk.understand.columns import ColumnHit, Evidence, match_label, recognise_columns
from zwgk.understand.dates import date_from_url, find_date, find_dates, newest, parse_date
from zwgk.understand.interpretation import (
    Interpretation,
    Pair,
    PairingResult,
    PolicyPairs,
    interpretation_form,
    pair_interpretations,
)
from zwgk.understand.lists import ListItem, ListPage, newest_date, parse_list
from zwgk.understand.metadata import DocMeta, MetaField, parse_metadata
from zwgk.understand.pager import Pager

__all__ = [
    "ColumnHit", "DocMeta", "Evidence", "Interpretation", "ListItem", "ListPage", "MetaField", "Pager", "Pair",
    "PairingResult", "PolicyPairs", "date_from_url", "find_date", "find_dates", "interpretation_form", "match_label",
    "newest", "newest_date", "pair_interpretations", "parse_date", "parse_list", "parse_metadata",
    "recognise_columns",
]
