"""Chinese labels for what results.json stores as ids. Ids stay ids in the data; people read these.

Kept in one place so the HTML, the 通报, the 问题清单 and the terminal name things the same way.
"""

from __future__ import annotations

from functools import cache

from zwgk.checks.base import SEVERITIES, SEVERITY_LABELS, STATUS_LABELS

__all__ = ["CHECK_STATUS_LABELS", "CRAWL_LABELS", "DIFF_LABELS", "SEVERITIES", "SEVERITY_LABELS",
           "TASK_STATUSES", "TASK_STATUS_LABELS", "VERDICTS", "check_title", "problem_label"]

CHECK_STATUS_LABELS = STATUS_LABELS
CRAWL_LABELS = {"complete": "完成", "capped": "达到上限", "unreachable": "无法访问", "interrupted": "中断",
                "running": "进行中", "pending": "未开始"}
VERDICTS = ("合格", "不合格", "无法评估")
TASK_STATUSES = ("fulfilled", "partial", "unfulfilled", "not_due", "manual", "inconclusive")
TASK_STATUS_LABELS = {"fulfilled": "已落实", "partial": "部分落实", "unfulfilled": "未落实",
                      "not_due": "未到期", "manual": "需人工核查", "inconclusive": "无法判定"}
DIFF_LABELS = {"new": "新增", "open": "仍存在", "fixed": "已整改", "unverified": "未能复查", "waived": "已豁免"}

# A 通报 names problems, not requirements: check titles say what is verified ("必设栏目已开设"),
# these say what was found. Neutral wording: no adjectives, the numbers carry the weight.
PROBLEM_LABELS = {
    "site.reachable": "站点无法访问",
    "ipv6.aaaa": "域名无IPv6解析记录",
    "ipv6.reachable": "首页IPv6访问异常或内容不一致",
    "ipv6.links": "二、三级页面IPv6支持率不足",
    "https.available": "未启用HTTPS或证书无效",
    "links.broken": "存在不可用链接",
    "column.missing": "必设栏目缺失",
    "column.empty": "栏目空白",
    "column.stale": "栏目未按时更新",
    "homepage.stale": "首页未按时更新",
    "doc.metadata": "政策文件元数据不全",
    "policy.interpretation": "政策文件与解读材料未关联",
    "report.annual": "政府信息公开年报缺失或不规范",
    "guide.content": "政府信息公开指南要素不全",
    "site.identity": "网站标识不全",
    "site.search": "站内搜索不可用",
    "interaction.reply": "留言未按时答复或无咨询渠道",
    "content.terms": "疑似错误表述（需人工确认）",
}


@cache
def _catalogue_titles() -> dict[str, str]:
    # The check catalogue is the source of check titles; an old results.json with an id the
    # catalogue no longer knows still renders (the id is shown instead).
    try:
        from zwgk.checks.registry import all_checks
    except ImportError:  # pragma: no cover - reports stay usable without the checks package
        return {}
    return {cid: chk.meta.title for cid, chk in all_checks().items()}


def check_title(check_id: str) -> str:
    return _catalogue_titles().get(check_id, check_id)


def problem_label(check_id: str) -> str:
    return PROBLEM_LABELS.get(check_id) or check_title(check_id)
