"""Checking the library serially, in parallel and from a warm cache, measured in the same run.

    python benchmarks/bench_jobs.py [--repeats N] [--jobs N] [PATH ...]

Each configuration runs `symcheck check` in a fresh process (imports included), alternating,
so machine load affects all alike: cold with `-j 1`, cold with `-j N` (default: the machine's
cores), and warm (the cache filled by a previous run). Reports medians and the ratios against
`-j 1`; writes benchmarks/JOBS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str]) -> tuple[float, str]:
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "symcheck", "check", *args], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    return elapsed, out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-200:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("paths", nargs="*", default=["derivations"])
    args = parser.parse_args()
    times: dict[str, list[float]] = {"-j 1": [], f"-j {args.jobs}": [], "warm": []}
    with tempfile.TemporaryDirectory() as cache:
        _run([*args.paths, "--cache-dir", cache])                         # fill the cache once
        runs = {"-j 1": [*args.paths, "--no-cache", "-j", "1"],
                f"-j {args.jobs}": [*args.paths, "--no-cache", "-j", str(args.jobs)],
                "warm": [*args.paths, "--cache-dir", cache]}
        for k in range(args.repeats):
            for name, argv in runs.items():
                seconds, summary = _run(argv)
                times[name].append(seconds)
                print(f"run {k + 1}: {name:6s} {seconds:6.1f} s  {summary}", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    serial = med["-j 1"]
    lines = ["# Checking the library: serial, parallel and warm", "",
             f"`python benchmarks/bench_jobs.py --repeats {args.repeats} --jobs {args.jobs} {' '.join(args.paths)}` "
             f"on {os.cpu_count()} cores; fresh processes, alternating, medians:", "",
             "| run | median | speed-up over -j 1 |", "|---|---|---|"]
    lines += [f"| {name} | {m:.1f} s | {serial / m:.2f}x |" for name, m in med.items()]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "JOBS.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
