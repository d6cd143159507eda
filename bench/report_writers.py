"""Time the report writers (issue 12): write_all on a stored results.json, each run in a fresh process
(imports count: in an audit the report libraries are not loaded yet).

    python bench/report_writers.py RESULTS.json [RESULTS.json …] [--repeat 5] [--processes 1 2]
                                   [--checks-loaded] [--code DIR] [--out DIR]

--code DIR runs another checkout of the project instead of this one (e.g. `git archive BASE | tar -x
-C DIR`), for before/after numbers on the same machine. Runs alternate between the inputs and the
process counts. --checks-loaded imports every check before the clock starts, as in an audit (the
report libraries are still imported on the clock). Printed per case: the median and the lowest of
wall time and of CPU time (this process and its forked writer), from importing
zwgk.reports.writer to write_all's return.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ONE_RUN = r"""
import json, resource, sys, time
from pathlib import Path
if sys.argv[4] == "1":          # as in an audit: the checks (and what they import) are loaded already
    from zwgk.checks.registry import all_checks
    all_checks()
t0, c0 = time.perf_counter(), time.process_time()
from zwgk.reports.results import load_results
from zwgk.reports.writer import write_all
results = load_results(Path(sys.argv[1]))
write_all(Path(sys.argv[2]), results, processes=int(sys.argv[3]))
child = resource.getrusage(resource.RUSAGE_CHILDREN)  # the forked writer (started after t0)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "child_cpu": child.ru_utime + child.ru_stime}))
"""


def one_run(results: Path, outdir: Path, processes: int, code: Path | None, checks: bool) -> dict[str, float]:
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(results), str(outdir), str(processes), str(int(checks))],
                          capture_output=True, text=True, env=env, cwd=code or Path.cwd(), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--code", type=Path, help="another checkout to time instead of this one")
    parser.add_argument("--checks-loaded", action="store_true",
                        help="import every check first, untimed (what an audit has loaded when it writes reports)")
    parser.add_argument("--out", type=Path, help="where the reports go (default: a temporary directory)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="zwgk-report-bench-"))
    runs: dict[tuple[str, int], list[dict[str, float]]] = {}
    for _ in range(args.repeat):
        for results in args.results:
            for processes in args.processes:
                target = out / f"{results.stem}-p{processes}"
                runs.setdefault((results.name, processes), []).append(
                    one_run(results.resolve(), target, processes, args.code, args.checks_loaded))
    print(f"{'results':24} {'proc':>4} {'wall med':>9} {'wall min':>9} {'cpu med':>8} {'cpu min':>8}  (cpu = this"
          " process + forked writer)")
    for (name, processes), samples in runs.items():
        walls = [s["wall"] for s in samples]
        cpus = [s["cpu"] + s["child_cpu"] for s in samples]
        print(f"{name:24} {processes:>4} {statistics.median(walls):9.2f} {min(walls):9.2f} "
              f"{statistics.median(cpus):8.2f} {min(cpus):8.2f}")
    print(f"reports in {out}; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
