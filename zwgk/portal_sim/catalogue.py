"""Default shape of each column key (DESIGN §7), so a site spec only says what differs.

`slug` is the column's directory under its area root (TRS) — the path segments real county sites use
(portal-structures.md §6). `area` says which host serves it: "main" (www) or "xxgk" (the 信息公开
subdomain when the spec has one, else /xxgk/ on www). `interval`/`newest` are days, used to date
documents backwards from as_of; they are chosen to be inside the update windows of standards.md §1.2.
"""

from __future__ import annotations

from typing import Any

# kind: what a document in the column looks like and how it is rendered
#   news | notice | policy | interpretation | normative | doc | system | annual_report | message
#   guide (a single content page, no documents) | index (lists child columns only)
COLUMN_CATALOGUE: dict[str, dict[str, Any]] = {
    "gk.root": {"name": "政府信息公开", "slug": "", "kind": "index", "area": "xxgk", "parent": None},
    "gk.guide": {"name": "政府信息公开指南", "slug": "xxgkzn", "kind": "guide", "area": "xxgk",
                 "parent": "gk.root"},
    "gk.system": {"name": "政府信息公开制度", "slug": "xxgkzd", "kind": "system", "area": "xxgk",
                  "parent": "gk.root", "interval": 240, "newest": 60},
    "gk.statutory": {"name": "法定主动公开内容", "slug": "fdzdgk", "kind": "index", "area": "xxgk",
                     "parent": "gk.root"},
    "gk.annual_report": {"name": "政府信息公开年报", "slug": "xxgknb", "kind": "annual_report",
                         "area": "xxgk", "parent": "gk.root"},
    "gk.policy": {"name": "政策文件", "slug": "fdzdgk/zcwj", "kind": "policy", "area": "xxgk",
                  "parent": "gk.statutory", "interval": 18, "newest": 6, "on_home": "tab"},
    "gk.interpretation": {"name": "政策解读", "slug": "fdzdgk/zcjd", "kind": "interpretation",
                          "area": "xxgk", "parent": "gk.statutory", "interval": 18, "newest": 5,
                          "on_home": "tab"},
    "gk.normative": {"name": "行政规范性文件", "slug": "fdzdgk/gfxwj", "kind": "normative",
                     "area": "xxgk", "parent": "gk.statutory", "interval": 40, "newest": 20,
                     "on_home": "tab"},
    "gk.planning": {"name": "规划信息", "slug": "fdzdgk/ghxx", "kind": "doc", "area": "xxgk",
                    "parent": "gk.statutory", "interval": 60, "newest": 30},
    "gk.budget": {"name": "财政预决算", "slug": "fdzdgk/czyjs", "kind": "doc", "area": "xxgk",
                  "parent": "gk.statutory", "interval": 25, "newest": 10},
    "gk.notice": {"name": "通知公告", "slug": "fdzdgk/tzgg", "kind": "notice", "area": "xxgk",
                  "parent": "gk.statutory", "interval": 7, "newest": 3, "on_home": "notice"},
    "gk.gazette": {"name": "政府公报", "slug": "fdzdgk/zfgb", "kind": "doc", "area": "xxgk",
                   "parent": "gk.statutory", "interval": 30, "newest": 20},
    "gk.meetings": {"name": "常务会议", "slug": "fdzdgk/cwhy", "kind": "doc", "area": "xxgk",
                    "parent": "gk.statutory", "interval": 20, "newest": 8},
    # Columns ledgers ask for (DESIGN §7); names are the catalogue's canonical ones (rules/columns.yaml).
    "gk.debt": {"name": "政府债务", "slug": "fdzdgk/zfzw", "kind": "doc", "area": "xxgk",
                "parent": "gk.statutory", "interval": 60, "newest": 40},
    "gk.decision": {"name": "重大行政决策", "slug": "fdzdgk/zdxzjc", "kind": "doc", "area": "xxgk",
                    "parent": "gk.statutory", "interval": 45, "newest": 25},
    "gk.solicitation": {"name": "意见征集", "slug": "fdzdgk/yjzj", "kind": "notice", "area": "xxgk",
                        "parent": "gk.statutory", "interval": 30, "newest": 15},
    "gk.proposals": {"name": "建议提案办理", "slug": "fdzdgk/jytabl", "kind": "doc", "area": "xxgk",
                     "parent": "gk.statutory", "interval": 20, "newest": 60},
    "gk.catalog": {"name": "政务公开事项标准目录", "slug": "fdzdgk/bzml", "kind": "doc", "area": "xxgk",
                   "parent": "gk.statutory", "interval": 120, "newest": 90},
    "gk.negative_list": {"name": "市场准入负面清单", "slug": "fdzdgk/fmqd", "kind": "doc", "area": "xxgk",
                         "parent": "gk.statutory", "interval": 200, "newest": 120},
    "gk.enforcement": {"name": "行政执法", "slug": "fdzdgk/xzzf", "kind": "doc", "area": "xxgk",
                       "parent": "gk.statutory", "interval": 15, "newest": 6},
    "gk.public_enterprise": {"name": "公共企事业单位信息公开", "slug": "fdzdgk/ggqsydw", "kind": "doc",
                             "area": "xxgk", "parent": "gk.statutory", "interval": 40, "newest": 12},
    "gk.epidemic": {"name": "疫情防控", "slug": "fdzdgk/yqfk", "kind": "doc", "area": "xxgk",
                    "parent": "gk.statutory", "interval": 90, "newest": 50},
    "gk.power_list": {"name": "权责清单", "slug": "fdzdgk/qzqd", "kind": "doc", "area": "xxgk",
                      "parent": "gk.statutory", "interval": 150, "newest": 70},
    "gk.fees": {"name": "行政事业性收费", "slug": "fdzdgk/sfqd", "kind": "doc", "area": "xxgk",
                "parent": "gk.statutory", "interval": 150, "newest": 80},
    "gk.newmedia": {"name": "政务新媒体", "slug": "zwxmt", "kind": "doc", "area": "main", "parent": None,
                    "interval": 60, "newest": 30},
    "gk.news": {"name": "政务动态", "slug": "zwdt", "kind": "news", "area": "main", "parent": None,
                "interval": 2, "newest": 1, "on_home": "news"},
    "gk.interaction": {"name": "政民互动", "slug": "hdjl", "kind": "message", "area": "main",
                       "parent": None, "interval": 9, "newest": 2},
}

# Per-kind fallbacks for columns not in the catalogue (generated bench columns, custom keys).
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "doc": {"interval": 30, "newest": 10},
    "news": {"interval": 2, "newest": 1},
    "notice": {"interval": 7, "newest": 3},
}

# Fixed 一级栏目 of the 专栏 (国办公开办函〔2019〕61号), in display order.
XXGK_TOP = ("gk.guide", "gk.system", "gk.statutory", "gk.annual_report")
