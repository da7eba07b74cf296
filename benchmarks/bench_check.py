"""Time to check the bundled library, against a baseline commit measured in the same run.

    python benchmarks/bench_check.py [--baseline REF] [--repeats N] [PATH ...]

The baseline is checked out into a temporary git worktree and both trees run
`symcheck check derivations` in fresh processes (cold: import and sympy caches
included), alternating, so machine load affects both alike. Reports the median
wall time of each and the ratio; writes benchmarks/CHECK.md.
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


def _run(tree: Path, paths: list[str]) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    # a tree with the proof cache and worker processes is timed cold and serial, like one without them
    serial = ["--no-cache", "-j", "1"] if "--no-cache" in (tree / "symcheck" / "cli.py").read_text() else []
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "symcheck", "check", *paths, *serial], cwd=tree, env=env,
                         capture_output=True, text=True)
    elapsed = time.monotonic() - start
    summary = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-200:]
    return elapsed, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="82cb649", help="git ref of the baseline (default: before issue 9)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("paths", nargs="*", default=["derivations"],
                        help="derivation files or directories, relative to each tree (default: derivations); "
                             "name the baseline's files to compare like with like when the library has grown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.baseline], cwd=ROOT, check=True)
        try:
            times = {"baseline": [], "current": []}
            summaries = {}
            for k in range(args.repeats):
                for name, tree in (("baseline", base), ("current", ROOT)):
                    seconds, summaries[name] = _run(tree, args.paths)
                    times[name].append(seconds)
                    print(f"run {k + 1}: {name:8s} {seconds:6.1f} s  {summaries[name]}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["current"] / med["baseline"]
    lines = ["# Checking the bundled library: current against a baseline", "",
             f"`python benchmarks/bench_check.py --baseline {args.baseline} --repeats {args.repeats} "
             f"{' '.join(args.paths)}`: "
             "fresh processes, alternating, same machine, same run.", "",
             "| tree | median wall time | runs | last summary |", "|---|---|---|---|"]
    for name in ("baseline", "current"):
        lines.append(f"| {name} | {med[name]:.1f} s | {', '.join(f'{t:.1f}' for t in times[name])} | "
                     f"{summaries[name]} |")
    lines += ["", f"Ratio current / baseline: **{ratio:.2f}**."]
    (ROOT / "benchmarks" / "CHECK.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
