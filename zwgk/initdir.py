"""`zwgk init DIR`: a folder a first-time user can start from.

It holds the commented sample inspection.yaml and waivers.yaml shipped in zwgk/config/samples/, and
the ledger package's template (`zwgk ledger template`) as 台账.yaml, the canonical form with example
rows to replace by the unit's own tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from zwgk.errors import ZwgkError

SAMPLES = ("inspection.yaml", "waivers.yaml")
LEDGER = "台账.yaml"
LEDGER_NOTE = """\
# 工作台账模板（台账.yaml）：每项任务一条，按本单位的政务公开工作台账填写；也可以直接使用台账原文件
# （.docx/.xlsx/.xls/.csv/.html/.pdf/.txt，在 inspection.yaml 的 ledger 中写文件名），
# 或用 zwgk ledger template -o 台账.xlsx 取得同样内容的表格模板。
# 运行 zwgk ledger parse 台账.yaml 查看每项任务由哪些检查项核查、哪些需要人工核查。
# checks、coverage、manual_hint 由工具按规则目录填写，可留空。
"""


@dataclass
class Written:
    path: Path
    what: str


def ledger_template() -> str:
    """The canonical ledger template of the ledger package (`zwgk ledger template`), as YAML with a
    note on how to fill it in."""
    from zwgk.rules.ledger import dump_yaml
    from zwgk.rules.ledger.xlsx_io import template_ledger

    return LEDGER_NOTE + dump_yaml(template_ledger())


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
