"""Bundled site specs (YAML), addressable by name from the CLI: `python -m zwgk.portal_sim write bench …`."""

from __future__ import annotations

from pathlib import Path

SPEC_DIR = Path(__file__).parent


def bundled(name: str) -> Path | None:
    path = SPEC_DIR / f"{name}.yaml"
    return path if path.is_file() else None
