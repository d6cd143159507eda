"""Choices that belong to the report, not to the findings: 整改时限, 发文单位, the .docx template.

They are not stored in results.json (they are not facts about the sites); every default is derived
from results.json alone, so `zwgk report RUN` renders the same files again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

DEFAULT_RECTIFY_DAYS = 30     # a common 整改 period in 通报; override with --deadline


@dataclass(frozen=True)
class ReportOptions:
    deadline: date | None = None        # 整改时限; default: the run's as_of + rectify_days
    rectify_days: int = DEFAULT_RECTIFY_DAYS
    issuer: str = ""                    # 发文单位: signs the 通报 and receives the 整改 reports
    docx_template: Path | None = None   # a .docx whose styles (and letterhead) the 通报 uses
    doc_number: str = ""                # 发文字号 (文号); empty: the {{文号}} placeholder stays for Word
    recipients: tuple[str, ...] = ()    # 主送机关; default: the units answering for the sites
    copies_to: tuple[str, ...] = ()     # 抄送机关 (版记); default: none

    def deadline_for(self, results: dict[str, Any]) -> date:
        if self.deadline is not None:
            return self.deadline
        as_of = results.get("run", {}).get("as_of") or ""
        try:
            base = date.fromisoformat(as_of[:10])
        except ValueError:
            base = date.today()
        return base + timedelta(days=self.rectify_days)
