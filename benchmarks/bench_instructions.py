"""Instructions the normalizer executes on the inlined layers, against a baseline commit, counted by valgrind.

    python benchmarks/bench_instructions.py [--baseline REF] [--proof LABEL ...]

CPU time on a shared machine varies by ±20% between runs of the same code, which hides a change of a few
per cent. The number of instructions a process executes does not depend on the machine's load: each proof
of `bench_check.INLINED` runs under `valgrind --tool=cachegrind` (no cache simulation) in a fresh process
of each tree, with string hashing fixed (`PYTHONHASHSEED=0`), once to pose the claim only and once to pose
and prove it; the difference is the proof's instructions. Both trees run at once (one process each).
About 50 times slower than a plain run: the pre-LN layer takes a minute, the pre-LN decoder layer about
ten. Needs `valgrind` on the PATH. Writes benchmarks/INSTRUCTIONS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import INLINED, ROOT  # noqa: E402

_PROOF = """
import sys, time
from pathlib import Path
from symcheck.config import Config
from symcheck.engine import attempt_proof
from symcheck.loader import load_file
from symcheck.problem import pose_claim
claim = next(c for c in load_file(Path({path!r})) if c.name == {name!r})
problem = pose_claim(claim, method="normalization")
if {prove}:
    proof = attempt_proof(problem, Config(max_steps=10**6), time.monotonic() + 7200)
    print(proof.steps, proof.proved)
"""


def _instructions(tree: Path, path: str, name: str, prove: bool) -> tuple[int, str]:
    """Instructions executed by a fresh process of `tree` that poses the claim (and proves it if `prove`)."""
    code = _PROOF.format(path=path, name=name, prove=prove)
    out = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                          sys.executable, "-c", code], cwd=tree, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if out.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed in {tree}: {out.stderr.strip()[-400:]}")
    return int(found.group(1).replace(",", "")), out.stdout.strip()


def _proof(tree: Path, path: str, name: str) -> tuple[int, str]:
    """The proof's own instructions (prove minus pose) and what it printed (steps, proved)."""
    full, printed = _instructions(tree, path, name, True)
    pose, _ = _instructions(tree, path, name, False)
    return full - pose, printed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="94ada0b", help="git ref of the baseline (default: end of session 9)")
    parser.add_argument("--proof", action="append", choices=[label for label, _, _ in INLINED],
                        help="an inlined proof to count (repeatable; default: the pre-LN layer)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("bench_instructions: valgrind is not on the PATH (apt-get install valgrind)", file=sys.stderr)
        return 2
    chosen = [p for p in INLINED if p[0] in (args.proof or ["pre-LN layer"])]
    lines = ["# Instructions the normalizer executes on the inlined layers: current against a baseline", "",
             f"`python benchmarks/bench_instructions.py --baseline {args.baseline} "
             + " ".join(f"--proof '{label}'" for label, _, _ in chosen) + "`: each proof's instructions (a process "
             "that poses and proves the claim, minus one that only poses it), counted by valgrind's cachegrind "
             "with `PYTHONHASHSEED=0`; independent of the machine's load, so a change of 1% shows.", "",
             "| proof | baseline | current | current / baseline |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.baseline], cwd=ROOT, check=True)
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                for label, path, name in chosen:
                    old, new = pool.map(lambda tree: _proof(tree, path, name), (base, ROOT))
                    print(f"{label}: baseline {old[0]:,} ({old[1]}), current {new[0]:,} ({new[1]})", flush=True)
                    lines.append(f"| {label} | {old[0] / 1e9:.3f} G ({old[1]}) | {new[0] / 1e9:.3f} G ({new[1]}) "
                                 f"| **{new[0] / old[0]:.3f}** |")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)
    (ROOT / "benchmarks" / "INSTRUCTIONS.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
