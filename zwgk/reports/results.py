"""results.json (DESIGN §5): the single source of truth every report is rendered from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zwgk import __version__
from zwgk.errors import RunDirError

SCHEMA = 1


def new_results(run_id: str, started: str, finished: str, as_of: str, digest: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "run": {"id": run_id, "started": started, "finished": finished, "as_of": as_of,
                "tool_version": __version__, "config_digest": digest},
        "sites": [],
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)      # never leave a half-written results.json behind


def load_results(path: Path) -> dict[str, Any]:
    if path.is_dir():
        path = path / "results.json"
    if not path.is_file():
        raise RunDirError(f"找不到 results.json / no results.json: {path}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("schema") != SCHEMA:
        raise RunDirError(f"{path}: 不支持的结果版本 / unsupported results schema {data.get('schema')!r}")
    return data
