"""Time to check the bundled library, against a baseline commit measured in the same run.

    python benchmarks/bench_check.py [--baseline REF] [--repeats N] [PATH ...]
    python benchmarks/bench_check.py --normalizer [--baseline REF] [--repeats N] [--limit SECONDS]

The baseline is checked out into a temporary git worktree and both trees run
`symcheck check derivations` in fresh processes (cold: import and sympy caches
included), alternating, so machine load affects both alike. Reports the median
wall time of each and the ratio; writes benchmarks/CHECK.md.

`--normalizer` instead times the normalizer alone on the inlined layers (each proof one
normalization of the whole layer, no lemmas), in fresh processes alternating between the
trees: rewrite steps per CPU second, each proof stopped at `--limit` seconds; writes
benchmarks/NORMALIZER.md.
"""

from __future__ import annotations

import argparse
import json
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


INLINED = [   # (label, derivation file, claim): each proved by one normalization of the inlined layer
    ("pre-LN layer", "derivations/layer.py", "pre_ln_layer_is_sdnc_step_by_normalization"),
    ("pre-LN decoder layer", "derivations/slow/decoder.py", "pre_ln_decoder_layer_by_normalization"),
    ("post-LN decoder layer", "derivations/encoder_decoder.py", "post_ln_decoder_layer_is_sdnc_step"),
]

_NORMALIZE = """
import json, sys, time
from pathlib import Path
from symcheck import budget
from symcheck.budget import BudgetExceeded, interrupt_at
from symcheck.config import Config
from symcheck.engine import attempt_proof
from symcheck.loader import load_file
from symcheck.problem import pose_claim
spent, spend = [0], budget.StepBudget.spend
def counted(self):      # the rewrite steps budgeted so far, so that a stopped proof reports how far it got
    spent[0] += 1
    spend(self)
budget.StepBudget.spend = counted
claim = next(c for c in load_file(Path({path!r})) if c.name == {name!r})
problem = pose_claim(claim, method="normalization")
wall, cpu = time.monotonic(), time.process_time()
try:
    with interrupt_at(wall + {limit}):
        proof = attempt_proof(problem, Config(max_steps=10**6), wall + {limit})
    verdict, steps = ("proved" if proof.proved else "not proved"), proof.steps
except BudgetExceeded:
    verdict, steps = "stopped", spent[0]
print(json.dumps({{"verdict": verdict, "steps": steps, "cpu": time.process_time() - cpu,
                  "seconds": time.monotonic() - wall}}))
"""


def _normalize(tree: Path, path: str, name: str, limit: float) -> dict:
    """One inlined proof in a fresh process of `tree`: verdict, steps, CPU and wall seconds."""
    code = _NORMALIZE.format(path=path, name=name, limit=limit)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                         capture_output=True, text=True, timeout=limit + 600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cell(r: dict, limit: float) -> str:
    rate = f"{r['steps'] / r['cpu']:,.0f} steps/s"
    if r["verdict"] != "proved":
        return f"{r['verdict']} at {limit:.0f} s after {r['steps']:,} steps ({r['cpu']:.1f} s CPU), {rate}"
    return f"{r['steps']:,} steps, {r['cpu']:.1f} s CPU ({r['seconds']:.1f} s wall), {rate}"


def _ratio(med: dict) -> str:
    """CPU time current / baseline for two proofs; for a proof stopped by the limit, the inverse ratio of
    steps per CPU second (how much longer a step takes now), marked as such."""
    cur, base = med["current"], med["baseline"]
    if cur["verdict"] == base["verdict"] == "proved":
        return f"**{cur['cpu'] / base['cpu']:.2f}**"
    if base["steps"] and cur["steps"]:
        return f"**{(base['steps'] / base['cpu']) / (cur['steps'] / cur['cpu']):.2f}** (per step)"
    return "-"


def normalizer(base: Path, args) -> list[str]:
    """The inlined layers, old and current code alternating in fresh processes; the median run by CPU time."""
    lines = ["# The normalizer on the inlined layers: current against a baseline", "",
             f"`python benchmarks/bench_check.py --normalizer --baseline {args.baseline} --repeats {args.repeats} "
             f"--limit {args.limit:.0f}`: each proof one normalization of the whole inlined layer (no lemmas), in a "
             "fresh process, alternating between the trees, same machine, same run; median run by CPU time "
             "(what a shared machine's load disturbs least; wall times on a machine shared with other sessions are "
             "noisy); steps/s = rewrite steps per CPU second; a proof stopped by the limit is compared by steps "
             "per CPU second.", "",
             "| proof | baseline | current | CPU time current / baseline |", "|---|---|---|---|"]
    for label, path, name in INLINED:
        runs = {"baseline": [], "current": []}
        for k in range(args.repeats):
            for tree_name, tree in (("baseline", base), ("current", ROOT)):
                runs[tree_name].append(_normalize(tree, path, name, args.limit))
                print(f"run {k + 1}: {label} {tree_name:8s} {_cell(runs[tree_name][-1], args.limit)}", flush=True)
        med = {t: sorted(rs, key=lambda r: r["cpu"])[len(rs) // 2] for t, rs in runs.items()}
        lines.append(f"| {label} | {_cell(med['baseline'], args.limit)} | {_cell(med['current'], args.limit)} "
                     f"| {_ratio(med)} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="82cb649", help="git ref of the baseline (default: before issue 9)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--normalizer", action="store_true", help="time the normalizer on the inlined layers")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per inlined proof (--normalizer)")
    parser.add_argument("paths", nargs="*", default=["derivations"],
                        help="derivation files or directories, relative to each tree (default: derivations); "
                             "name the baseline's files to compare like with like when the library has grown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(base), args.baseline], cwd=ROOT, check=True)
        try:
            if args.normalizer:
                lines = normalizer(base, args)
                (ROOT / "benchmarks" / "NORMALIZER.md").write_text("\n".join(lines) + "\n")
                print("\n".join(lines))
                return 0
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
