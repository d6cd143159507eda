"""`python -m zwgk.portal_sim serve|write|truth` — the simulator's own command line.

    serve SPEC… [--port 0] [--dns] [--as-of D]   prints "<host> http://<host>:<port>/" per host
                                                 (and "dns 127.0.0.1:<port>"), serves until SIGTERM
    write SPEC OUTDIR [--pages N] [--port 80]     static files + truth.json + nginx.conf
    truth SPEC [--port 80] [--pages N]            the ground truth as JSON on stdout

SPEC is a YAML path or the name of a bundled spec (zwgk/portal_sim/specs/, e.g. `bench`).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from zwgk.errors import ZwgkError
from zwgk.portal_sim.build import build_site
from zwgk.portal_sim.running import RunningPortal
from zwgk.portal_sim.scale import expand_generated, scale_to_pages
from zwgk.portal_sim.spec import SiteSpec, SpecError, load_spec
from zwgk.portal_sim.specs import bundled
from zwgk.portal_sim.truth import build_truth
from zwgk.portal_sim.writer import write_site


def resolve_spec(name: str, as_of: date | None = None, pages: int | None = None) -> SiteSpec:
    path = Path(name)
    if not path.is_file():
        path = bundled(name) or path
    if not path.is_file():
        raise SpecError(f"{name}: no such spec file or bundled spec")
    spec = load_spec(path, as_of=as_of)
    return scale_to_pages(spec, pages) if pages is not None else expand_generated(spec)


def _serve(args: argparse.Namespace) -> int:
    specs = [resolve_spec(s, args.as_of) for s in args.specs]
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with RunningPortal(specs, port=args.port) as portal:
        for host in portal.hosts:
            print(f"{host} http://{host}:{portal.port}/", flush=True)
        dns = portal.dns().start() if args.dns else None
        if dns is not None:
            print(f"dns {dns.address}", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        finally:
            if dns is not None:
                dns.stop()
    return 0


def _write(args: argparse.Namespace) -> int:
    started = time.monotonic()
    site = build_site(resolve_spec(args.spec, args.as_of, args.pages))
    summary = write_site(site, Path(args.outdir), port=args.port)
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _truth(args: argparse.Namespace) -> int:
    site = build_site(resolve_spec(args.spec, args.as_of, args.pages))
    suffix = "" if args.port == 80 else f":{args.port}"
    truth = build_truth(site, {h: f"http://{h}{suffix}" for h in site.hosts})
    json.dump(truth, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m zwgk.portal_sim", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve specs on 127.0.0.1 and ::1")
    serve.add_argument("specs", nargs="+")
    serve.add_argument("--port", type=int, default=0)
    serve.add_argument("--dns", action="store_true", help="also run a DNS server for the hosts")
    serve.set_defaults(run=_serve)
    write = sub.add_parser("write", help="write static files + truth.json")
    write.add_argument("spec")
    write.add_argument("outdir")
    write.add_argument("--pages", type=int, help="size a bench-shaped spec to exactly N truth pages")
    write.add_argument("--port", type=int, default=80, help="port the files will be served on")
    write.set_defaults(run=_write)
    truth = sub.add_parser("truth", help="print the ground truth JSON")
    truth.add_argument("spec")
    truth.add_argument("--pages", type=int)
    truth.add_argument("--port", type=int, default=80)
    truth.set_defaults(run=_truth)
    for sp in (serve, write, truth):
        sp.add_argument("--as-of", type=date.fromisoformat, help="override the spec's as_of (YYYY-MM-DD)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ZwgkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
