"""One run = one directory: the crawl store, the config snapshot, the crawl log and the reports."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from zwgk.config.inspection import Inspection
from zwgk.errors import RunDirError


@dataclass
class RunDir:
    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def store(self) -> Path | str:
        """The crawl store: the run's SQLite file, or (distributed mode) the PostgreSQL URL in store.url
        (its password, if any, is not written: it comes from the environment, see zwgk/db/postgres.py)."""
        url = self.path / "store.url"
        if url.is_file():
            return url.read_text(encoding="utf-8").strip()
        return self.path / "crawl.sqlite"

    @property
    def queue(self) -> str | None:
        """The shared queue of a distributed run (queue.url, without a password), else None."""
        url = self.path / "queue.url"
        return url.read_text(encoding="utf-8").strip() if url.is_file() else None

    def set_distributed(self, queue: str, store: str) -> None:
        """Record a distributed run's queue and store URLs (passwords already removed)."""
        (self.path / "queue.url").write_text(queue + "\n", encoding="utf-8")
        (self.path / "store.url").write_text(store + "\n", encoding="utf-8")

    @property
    def jobdir(self) -> Path:
        """Scrapy's JOBDIR of runs written before the frontier became the resume state (removed on resume)."""
        return self.path / "job"

    @property
    def log(self) -> Path:
        return self.path / "crawl.log"

    @property
    def config(self) -> Path:
        return self.path / "inspection.json"

    @property
    def results(self) -> Path:
        return self.path / "results.json"

    @property
    def index_html(self) -> Path:
        return self.path / "index.html"

    @classmethod
    def create(cls, outdir: str | Path, inspection: Inspection) -> RunDir:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(outdir) / f"{stamp}-{secrets.token_hex(2)}"
        path.mkdir(parents=True, exist_ok=False)
        run = cls(path)
        run.save_config(inspection)
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        run = cls(Path(path))
        if not run.config.is_file():
            raise RunDirError(f"不是有效的运行目录（缺少 inspection.json）/ not a run directory: {path}")
        return run

    def save_config(self, inspection: Inspection) -> None:
        data = inspection.model_dump(mode="json")
        data["_base_dir"] = str(inspection.base_dir)
        data["_digest"] = inspection.digest
        self.config.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    def load_config(self) -> Inspection:
        data = json.loads(self.config.read_text(encoding="utf-8"))
        base, digest = Path(data.pop("_base_dir", ".")), data.pop("_digest", "")
        insp = Inspection(**data)
        insp.base_dir, insp.digest = base, digest
        return insp
