"""Write a built site as static files (for nginx in the benchmark) plus truth.json.

Layout: OUTDIR/<hostname>/<path> (a directory URL is its index.html), so one nginx server block per
host with `root OUTDIR/<hostname>;` serves it. Dynamic routes (dataproxy.jsp, the calendar trap) and
non-200 resources (planted 410/500, redirects) cannot be static files and are skipped — they are
listed in skipped.txt; a missing file is simply nginx's 404.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zwgk.portal_sim.model import Site
from zwgk.portal_sim.rebase import Rebaser
from zwgk.portal_sim.server import TEXT_TYPES
from zwgk.portal_sim.truth import build_truth

NGINX_SERVER = """server {{
    listen {port};
    listen [::1]:{port};
    server_name {host};
    root {root};
    index index.html;
    charset off;            # GBK pages declare their charset in <meta>; some send none, as real sites do
}}
"""


def write_static(site: Site, outdir: Path, base_urls: dict[str, str]) -> dict[str, int]:
    rb = Rebaser(base_urls)
    written, skipped = 0, []
    made: set[Path] = set()
    for (host, path), res in sorted(site.resources.items()):
        if res.dynamic or res.status != 200:
            skipped.append(f"{res.status} http://{host}{path}")
            continue
        target = outdir / host / path.lstrip("/")
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(rb.body(res.body) if res.content_type in TEXT_TYPES else res.body)
        written += 1
    skipped += [f"dynamic {r.pattern.pattern}" for r in site.routes]
    (outdir / "skipped.txt").write_text("\n".join(skipped) + "\n", encoding="utf-8")
    return {"files": written, "skipped": len(skipped)}


def nginx_conf(site: Site, outdir: Path, port: int) -> str:
    return "".join(NGINX_SERVER.format(port=port, host=h, root=(outdir / h).resolve()) for h in site.hosts)


def write_site(site: Site, outdir: Path, *, port: int = 80) -> dict[str, Any]:
    """Static files + truth.json + nginx.conf for serving on `port`; returns a summary."""
    outdir.mkdir(parents=True, exist_ok=True)
    suffix = "" if port == 80 else f":{port}"
    base_urls = {h: f"http://{h}{suffix}" for h in site.hosts}
    stats = write_static(site, outdir, base_urls)
    truth = build_truth(site, base_urls)
    (outdir / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    (outdir / "nginx.conf").write_text(nginx_conf(site, outdir, port), encoding="utf-8")
    return {**stats, "pages": truth["counts"]["pages"], "truth": str(outdir / "truth.json")}
