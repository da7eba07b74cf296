"""Replaying the library's certificates against checking the library, current and baseline, same run.

    python benchmarks/bench_replay.py [--baseline REF] [PATH ...]

For each tree (the baseline unpacked from git into a temporary directory, and this one), in
fresh processes one after the other: `symcheck check PATH --certificates DIR`, then
`symcheck replay DIR --against PATH`. Reports wall and CPU time (the children's user + system
time, which a shared machine's load disturbs least) and the ratio replay / check of each tree;
writes benchmarks/REPLAY.md.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _timed(tree: Path, *args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, last line of output) of `python -m symcheck ARGS` run in `tree`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "symcheck", *args], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(tree)})
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr.strip()[-200:]
    return wall, cpu, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="db2ef24", help="git ref of the old checker (default: before issue 16)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the current tree (default: this one; a snapshot "
                                                                  "keeps edits made meanwhile out of the run)")
    parser.add_argument("paths", nargs="*", default=["derivations"])
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(base, filter="data")
        for name, tree in (("baseline", base), ("current", args.tree)):
            certs = Path(tmp) / f"certs-{name}"
            check = _timed(tree, "check", *args.paths, "--certificates", str(certs))
            replay = _timed(tree, "replay", str(certs), "--against", *args.paths)
            rows.append((name, check, replay))
            print(f"{name}: check {check[0]:.1f} s wall {check[1]:.1f} s CPU ({check[2]}); "
                  f"replay {replay[0]:.1f} s wall {replay[1]:.1f} s CPU ({replay[2]})", flush=True)
    lines = ["# Replaying the library against checking it", "",
             f"`python benchmarks/bench_replay.py --baseline {args.baseline} {' '.join(args.paths)}`: fresh processes, "
             "same machine, same run; CPU time is user + system of the process.", "",
             "| tree | check: wall, CPU | replay: wall, CPU | replay / check (CPU) | last lines |", "|---|---|---|---|---|"]
    for name, check, replay in rows:
        lines.append(f"| {name} | {check[0]:.1f} s, {check[1]:.1f} s | {replay[0]:.1f} s, {replay[1]:.1f} s | "
                     f"**{replay[1] / check[1]:.2f}** | {check[2]}; {replay[2]} |")
    (ROOT / "benchmarks" / "REPLAY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
