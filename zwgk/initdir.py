"""`zwgk init DIR`: a folder a first-time user can start from.

It holds the commented sample inspection.yaml and waivers.yaml shipped in zwgk/config/samples/, and
a ledger template (台账.yaml) in the canonical ledger form with three example tasks: one the website
shows (规划信息), one the network probes decide (IPv6) and one only documents can prove (培训).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from zwgk.errors import ZwgkError

SAMPLES = ("inspection.yaml", "waivers.yaml")
LEDGER = "台账.yaml"
LEDGER_NOTE = """\
# 工作台账模板（台账.yaml）：每项任务一条，按本单位的政务公开工作台账填写，或换成台账原文件
# （.docx/.xlsx/.txt，在 inspection.yaml 的 ledger 中写文件名）。
# 运行 zwgk ledger parse 台账.yaml 查看每项任务由哪些检查项核查、哪些需要人工核查。
# checks、coverage、manual_hint 由工具按规则目录填写，可留空。
"""
# When `zwgk ledger template` (zwgk/rules/ledger) is available, the template should come from it.


@dataclass
class Written:
    path: Path
    what: str


def ledger_template(year: int | None = None) -> str:
    """The ledger template in the canonical YAML form (zwgk/rules/ledger/yaml_io)."""
    from zwgk.rules.ledger.yaml_io import dump_yaml
    from zwgk.rules.models import Deadline, Ledger, Task

    year = year or date.today().year
    tasks = [
        Task(ledger="台账", number="1", section=["一、加强政务公开平台建设"],
             text="在政府门户网站政府信息公开专栏公开国民经济和社会发展规划、专项规划等规划信息，并及时更新。",
             lead_units=["县政府办公室"], responsible_units=["县发展改革局"],
             deadline=Deadline("date", date(year, 12, 31), f"{year}年12月31日前")),
        Task(ledger="台账", number="2", section=["一、加强政务公开平台建设"],
             text="政府门户网站全面支持互联网协议第6版（IPv6）访问。",
             lead_units=["县政府办公室"], responsible_units=["县大数据中心"],
             deadline=Deadline("continuous", None, "长期坚持")),
        Task(ledger="台账", number="3", section=["二、强化政务公开工作保障"],
             text="组织开展政务公开业务培训，全年不少于2次。",
             lead_units=["县政府办公室"], responsible_units=["各乡镇、各部门"],
             deadline=Deadline("date", date(year, 12, 31), f"{year}年12月31日前")),
    ]
    ledger = Ledger(id="台账", title=f"某县{year}年政务公开工作台账", year=year, source="", tasks=tasks)
    return LEDGER_NOTE + dump_yaml(ledger)


def init_folder(folder: Path, *, force: bool = False) -> list[Written]:
    """Write the starter files into `folder` (created if needed); existing files stay unless `force`."""
    targets = [folder / name for name in (*SAMPLES, LEDGER)]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        names = "、".join(p.name for p in existing)
        raise ZwgkError(f"{folder} 中已有 {names}，未覆盖（确需覆盖请加 --force）")
    folder.mkdir(parents=True, exist_ok=True)
    samples = resources.files("zwgk.config") / "samples"
    written = []
    for name, what in (("inspection.yaml", "检查配置：填写要检查的网站名称、网址和责任单位"),
                       ("waivers.yaml", "豁免清单：经批准不计分的问题，可为空")):
        (folder / name).write_text((samples / name).read_text(encoding="utf-8"), encoding="utf-8")
        written.append(Written(folder / name, what))
    (folder / LEDGER).write_text(ledger_template(), encoding="utf-8")
    written.append(Written(folder / LEDGER, "工作台账模板：按本单位台账填写，或换成台账原文件"))
    return written
