"""The 通报 of `zwgk demo` (two simulated county portals) rendered to PDF by LibreOffice, as an office
would print it: page numbers on the pages, the attachments on pages of their own, and the problem
list (附件2) short enough to print — at most 8 pages for the demo's two sites."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support.runhelp import run_dir, zwgk

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("libreoffice") or not shutil.which("pdftotext"),
                       reason="needs libreoffice-writer-nogui and poppler-utils (.ci/run installs them)"),
]


def to_pdf(docx: Path, outdir: Path) -> Path:
    # A profile of its own: LibreOffice instances sharing one profile refuse to start side by side.
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(["libreoffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(docx)], check=True, capture_output=True, timeout=180)
    return outdir / docx.with_suffix(".pdf").name


def page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout for n in range(1, pages + 1)]


def test_demo_bulletin_prints_as_a_document(tmp_path):
    done = zwgk("demo", "-o", str(tmp_path / "runs"), "--no-screenshots", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    pdf = to_pdf(run_dir(tmp_path / "runs") / "通报.docx", tmp_path)
    pages = page_texts(pdf)
    for n, text in enumerate(pages, 1):                    # “— n —” on every page
        assert re.search(rf"—\s*{n}\s*—", text), (n, text[-200:])
    first = next(n for n, t in enumerate(pages) if t.lstrip().startswith("附件 1") or t.lstrip().startswith("附件1"))
    second = next(n for n, t in enumerate(pages) if t.lstrip().startswith("附件 2") or t.lstrip().startswith("附件2"))
    assert 0 < first < second
    assert "通报" in pages[0] and "印发" in pages[-1]
    annex2 = len(pages) - second
    print(f"通报: {len(pages)} pages; 正文 {first}, 附件1 {second - first}, 附件2 {annex2}")
    assert annex2 <= 8, annex2
    assert "「" not in "".join(pages)
