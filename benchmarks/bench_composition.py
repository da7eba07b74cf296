"""Benchmark: layer-sized proofs by composition (lemmas per block), against one normalization
of the whole inlined layer (the baseline, what symcheck did before compositions).

Both are measured in the same run, each in a fresh process (no shared caches), with a
time limit per proof. Usage: python benchmarks/bench_composition.py [--limit SECONDS]
Writes benchmarks/COMPOSITION.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "COMPOSITION.md"

CASES = [   # (label, derivation file, claim name)
    ("pre-LN encoder layer", "derivations/layer.py", "pre_ln_layer_is_sdnc_step"),
    ("post-LN encoder layer", "derivations/layer.py", "post_ln_layer_is_sdnc_step"),
    ("pre-LN decoder layer", "derivations/encoder_decoder.py", "pre_ln_decoder_layer_is_sdnc_step"),
    ("post-LN decoder layer", "derivations/encoder_decoder.py", "post_ln_decoder_layer_is_sdnc_step"),
    ("encoder–decoder layer", "derivations/encoder_decoder.py", "encoder_decoder_is_sdnc_pair"),
]

_ONE = """
import dataclasses, json, sys, time
sys.path.insert(0, {root!r})
from symcheck import Config, check
from symcheck.loader import load_file
from pathlib import Path
claim = next(c for c in load_file(Path({path!r})) if c.name == {name!r})
claim = dataclasses.replace(claim, method={method!r})
start = time.perf_counter()
r = check(claim, Config(max_seconds={limit}))
print(json.dumps({{"verdict": r.verdict, "steps": r.steps, "seconds": time.perf_counter() - start,
                  "reason": r.reason}}))
"""


def run(path: str, name: str, method: str, limit: float) -> dict:
    code = _ONE.format(root=str(ROOT), path=str(ROOT / path), name=name, method=method, limit=limit)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=limit + 120)
    except subprocess.TimeoutExpired:
        return {"verdict": "timeout", "steps": None, "seconds": limit, "reason": "killed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def cell(r: dict, limit: float) -> str:
    if r["verdict"] != "proved":
        return f"not proved within {limit:.0f} s ({r['verdict']})"
    return f"{r['seconds']:.2f} s, {r['steps']} steps"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=float, default=600.0, help="seconds per proof (default 600)")
    args = ap.parse_args(argv)
    lines = ["# Proofs by composition against one normalization (same run)", "",
             f"Each proof in a fresh process; limit {args.limit:.0f} s per proof. "
             "Steps by composition count every lemma's rewrite steps. "
             "Ratio = normalization time / composition time.", "",
             "| proof | by composition | by normalization (baseline) | ratio |", "|---|---|---|---|"]
    for label, path, name in CASES:
        comp = run(path, name, "auto", args.limit)
        flat = run(path, name, "normalization", args.limit)
        ratio = (f"{flat['seconds'] / comp['seconds']:.0f}x" if flat["verdict"] == "proved"
                 else f"over {args.limit / comp['seconds']:.0f}x")
        lines.append(f"| {label} | {cell(comp, args.limit)} | {cell(flat, args.limit)} | {ratio} |")
        print(lines[-1], flush=True)
    lines += ["", "The stacks (`derivations/stacks.py`) have no baseline: a stack of symbolic depth L has no "
              "entry formula to normalize. By composition they take as long as one layer."]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
