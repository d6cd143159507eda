"""A unit's 整改 replies: the 问题清单.xlsx it sends back, read into the run as feedback.json.

`zwgk feedback RUN 问题清单.xlsx` reads every site sheet of the returned workbook: the four columns
the unit fills in (整改情况, 整改完成时间, 责任人, 备注), matched to the findings by the hidden 问题编号
column (or, when a unit deleted it, by 页面地址 and 问题描述 within the site's sheet). Columns are found
by their header text, so a unit that moves or adds columns is still read. The next 复查 (diff) shows
each reply beside what the new crawl verified.

feedback.json: {"schema": 1, "source": file name, "read_at": ISO time,
                "items": {finding key: {"site", "check", "reply", "done", "owner", "note", "claimed"}},
                "unmatched": rows with a reply that matched no finding}
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from zwgk.errors import ZwgkError
from zwgk.reports.issues_xlsx import FILL_IN, KEY_HEADER, sheet_names
from zwgk.reports.text import clean, human

FEEDBACK = "feedback.json"
FIELDS = {"整改情况": "reply", "整改完成时间": "done", "责任人": "owner", "备注": "note"}
NOT_DONE = ("未整改", "未完成", "暂未", "无法整改", "申请豁免")


class FeedbackError(ZwgkError):
    exit_code = 2


@dataclass
class Feedback:
    source: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    sheets: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"schema": 1, "source": self.source, "read_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "items": self.items, "unmatched": self.unmatched}


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return clean(value).strip()


def _claimed(reply: str, done: str) -> bool:
    """The unit says the problem is fixed: a completion date, or a reply that does not say otherwise."""
    if any(word in reply for word in NOT_DONE):
        return False
    return bool(done or reply)


def read_feedback(path: Path, results: dict[str, Any]) -> Feedback:
    """The replies in a returned 问题清单.xlsx, matched to the findings of `results`."""
    try:
        wb = load_workbook(path, data_only=True, read_only=False)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise FeedbackError(f"无法读取整改反馈表 {path.name}：不是有效的 .xlsx 文件（{type(exc).__name__}）") from None
    sites = results.get("sites", [])
    by_sheet = dict(zip(sheet_names(results), sites, strict=True))
    findings = {f["key"]: (s, f) for s in sites for f in s.get("findings", [])}
    out = Feedback(path.name)
    for ws in wb.worksheets:
        header = [_text(c.value) for c in next(ws.iter_rows(min_row=1, max_row=1))] if ws.max_row else []
        if "整改情况" not in header:
            continue                                  # the summary, the task sheet, a unit's own notes
        out.sheets += 1
        site = by_sheet.get(ws.title)
        col = {name: header.index(name) for name in (*FILL_IN, KEY_HEADER, "页面地址", "问题描述") if name in header}
        local = {(f.get("url"), human(f.get("message"))): f for f in (site or {}).get("findings", [])}
        for row in ws.iter_rows(min_row=2, values_only=True):
            values = {FIELDS[name]: _text(row[col[name]]) if col.get(name) is not None and col[name] < len(row) else ""
                      for name in FILL_IN}
            if not any(values.values()):
                continue
            key = _text(row[col[KEY_HEADER]]) if KEY_HEADER in col else ""
            found = findings.get(key)
            if found is None and "页面地址" in col:
                f = _match_by_text(local, row, col)
                found = (site, f) if f is not None and site is not None else None
            if found is None:
                out.unmatched.append({"sheet": ws.title, **values})
                continue
            owner_site, finding = found
            out.items[finding["key"]] = {"site": owner_site.get("key") or owner_site.get("url"),
                                         "check": finding["check"], **values,
                                         "claimed": _claimed(values["reply"], values["done"])}
    if not out.sheets:
        raise FeedbackError(f"{path.name} 中没有找到含“整改情况”列的工作表：请使用本次检查生成的《问题清单》填写后返回")
    return out


def _match_by_text(local: dict[tuple[Any, str], dict[str, Any]], row: tuple[Any, ...],
                   col: dict[str, int]) -> dict[str, Any] | None:
    url = _text(row[col["页面地址"]])
    message = _text(row[col["问题描述"]]) if "问题描述" in col else ""
    exact = [f for (u, m), f in local.items() if u == url and (not message or message in m or m in message)]
    return exact[0] if len(exact) == 1 else None


def write_feedback(run_dir: Path, feedback: Feedback) -> Path:
    """feedback.json in the run directory; replies read earlier for other findings are kept."""
    path = run_dir / FEEDBACK
    merged = load_feedback(run_dir)
    items = {**(merged.get("items") or {}), **feedback.items}
    data = {**feedback.to_dict(), "items": items}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def load_feedback(run: Path | None) -> dict[str, Any]:
    """The run's feedback.json ({} when none was read): `run` is a run directory or its results.json."""
    if run is None:
        return {}
    folder = run if run.is_dir() else run.parent
    path = folder / FEEDBACK
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def summary(feedback: Feedback, results: dict[str, Any]) -> list[str]:
    """What `zwgk feedback` prints: replies per site, claimed fixes, rows it could not match."""
    names = {s.get("key") or s.get("url"): s.get("name") for s in results.get("sites", [])}
    per: dict[str, list[dict[str, Any]]] = {}
    for item in feedback.items.values():
        per.setdefault(item["site"], []).append(item)
    lines = [f"读取 {feedback.source}：{len(feedback.items)} 条整改反馈"]
    for site, items in per.items():
        claimed = sum(1 for i in items if i["claimed"])
        lines.append(f"  {names.get(site, site)}：反馈 {len(items)} 条，其中称已整改 {claimed} 条")
    if feedback.unmatched:
        lines.append(f"  另有 {len(feedback.unmatched)} 行填写了反馈，但对应不到本次检查的问题（问题编号被修改或删除）")
    return lines
