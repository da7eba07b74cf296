"""The long fuzz run of issue 9: random claims, symcheck's verdicts, and the brute-force oracle.

    python benchmarks/fuzz.py --claims 500 --seed 1

Prints one line per claim (or per finding with --quiet) and a summary, then writes
benchmarks/FUZZ.md: the counts, and every false proof, vacuous proof, wrong
refutation and bad counterexample with a reproducer. Exit code 1 if any of those
was found.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symcheck.config import Config  # noqa: E402
from symcheck.fuzz import PROBLEMS, generate, reproducer, run_claim, summarize  # noqa: E402


def _generic(reason: str) -> str:
    """A reason without the claim's name, so that equal reasons group."""
    return re.sub(r"fuzz_\d+_\d+", "<claim>", reason)


def _line(k: int, n: int, o) -> str:
    flag = f"  <-- {o.problem.upper()}" if o.problem else ""
    return f"[{k + 1:>5}/{n}] {o.claim.name:<16} {o.claim.family:<15} {o.verdict:<9} {o.truth:<7} {o.seconds:6.2f}s{flag}"


def _report(outcomes, summary, args, config, seconds: float) -> str:
    lines = ["# Fuzzing symcheck's verdicts (issue 9)", "",
             f"`python benchmarks/fuzz.py --claims {args.claims} --seed {args.seed}"
             + (f" --minutes {args.minutes}" if args.minutes else "") + f"`: {summary['claims']} random "
             f"claims in {seconds:.0f} s; symcheck run with `Config(max_seconds={config.max_seconds}, "
             f"max_steps={config.max_steps})`.", "",
             "A claim's *truth* is the brute-force oracle's (`symcheck/fuzz.py`): every size assignment with "
             "sizes in 1..5 (at most 40), four input draws each for `proved` claims (two, sizes up to 4, for the "
             "others, which are checked only to count them).", "",
             "| verdict | count | of which true | of which false |", "|---|---:|---:|---:|"]
    for v in ("proved", "refuted", "undecided", "error", "crash"):
        n = summary["verdicts"].get(v, 0)
        lines.append(f"| {v} | {n} | {summary['by_truth'].get(f'true/{v}', 0)} | "
                     f"{summary['by_truth'].get(f'false/{v}', 0)} |")
    lines += ["", f"- false proofs: **{summary['false_proofs']}**; vacuous proofs (empty domain): "
                  f"**{summary['vacuous_proofs']}**; wrong refutations: **{summary['wrong_refutations']}**",
              f"- completeness (informative): {summary['true_proved']} of {summary['true']} claims the oracle "
              f"found true were proved",
              f"- problems: {summary['problems'] or 'none'}", ""]
    by_family = Counter((o.claim.family, o.verdict) for o in outcomes)
    families = sorted({f for f, _ in by_family})
    lines += ["| family | proved | refuted | undecided | error | crash |", "|---|---:|---:|---:|---:|---:|"]
    for f in families:
        lines.append(f"| {f} | " + " | ".join(str(by_family[(f, v)]) for v in
                                               ("proved", "refuted", "undecided", "error", "crash")) + " |")
    crashes = Counter(_generic(o.reason)[:90] for o in outcomes if o.verdict == "crash")
    errors = Counter(_generic(o.reason)[:90] for o in outcomes if o.verdict == "error")
    if crashes or errors:
        lines += ["", "Exceptions from `check` (crash) and `error` reasons, most frequent first:", ""]
        lines += [f"- crash `{k}`: {n}" for k, n in crashes.most_common(8)]
        lines += [f"- error `{k}`: {n}" for k, n in errors.most_common(8)]
    found = [o for o in outcomes if o.problem in PROBLEMS]
    groups: dict = {}
    for o in found:
        groups.setdefault((o.problem, o.claim.family), []).append(o)
    lines += ["", "## Findings", ""] + (["None."] if not found else
                                        ["Grouped by problem and family; two reproducers per group, the other "
                                         "claims by name.", ""])
    for (problem, family), group in sorted(groups.items()):
        lines += [f"## {problem} — {family} ({len(group)})", ""]
        for o in group[:2]:
            lines += [f"#### {o.claim.name}: {o.problem} ({o.claim.family}: {o.claim.note})", "", o.detail, "",
                      "```python", reproducer(o.claim, config), "```", ""]
        if len(group) > 2:
            lines += ["Also: " + ", ".join(o.claim.name for o in group[2:]), ""]
    informative = {
        "sympy fold": ("Proved after sympy's constructors changed the claim (x / x -> 1, 0 / 0 -> nan)",
                       "The claim as written is false; `reciprocal` avoids the fold."),
        "tree differs": ("Proved, true as written, but the built trees differ in value",
                         "A constructor changed the claim (a guard rewritten at construction); the proof is "
                         "right only because both sides changed alike."),
        "latent false proof": ("False claims whose normal forms meet (the verdict was error or crash)",
                               "The normalizer would prove these; only the numeric cross-check or the evaluator "
                               "stopped it."),
    }
    for problem, (title, text) in informative.items():
        group = [o for o in outcomes if o.problem == problem]
        if not group:
            continue
        lines += ["", f"## {title} ({len(group)})", "", text, ""]
        for o in group[:12]:
            where = f", where `{o.claim.where_src}`" if o.claim.where else ""
            lines += [f"- {o.claim.name} ({o.claim.note}): `{o.claim.lhs_src}` vs `{o.claim.rhs_src}`{where}; "
                      f"{o.detail}"]
        if len(group) > 12:
            lines += [f"- ... and {len(group) - 12} more"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="index of the first claim of the stream")
    ap.add_argument("--max-seconds", type=float, default=3.0, help="symcheck's time budget per claim")
    ap.add_argument("--max-steps", type=int, default=3000, help="symcheck's step budget per claim")
    ap.add_argument("--minutes", type=float, default=None, help="stop after this long (the claims done are reported)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "FUZZ.md"))
    ap.add_argument("--quiet", action="store_true", help="print findings only")
    args = ap.parse_args(argv)
    config = Config(max_seconds=args.max_seconds, max_steps=args.max_steps)
    claims = generate(args.seed, args.claims, args.start)
    outcomes, start = [], time.monotonic()
    for k, fc in enumerate(claims):
        if args.minutes is not None and time.monotonic() - start > 60 * args.minutes:
            print(f"time budget of {args.minutes} minutes reached after {k} claims", flush=True)
            break
        o = run_claim(fc, config)
        outcomes.append(o)
        if not args.quiet or o.problem in PROBLEMS:
            print(_line(k, len(claims), o), flush=True)
        if o.problem in PROBLEMS:
            print(f"        {o.detail}\n" + "\n".join("        " + x for x in reproducer(fc, config).splitlines()),
                  flush=True)
    seconds = time.monotonic() - start
    summary = summarize(outcomes)
    print(f"\n{summary['claims']} claims in {seconds:.0f} s")
    print(f"verdicts: {summary['verdicts']}")
    print(f"by truth: {summary['by_truth']}")
    print(f"problems: {summary['problems']}")
    print(f"false proofs {summary['false_proofs']}, vacuous proofs {summary['vacuous_proofs']}, "
          f"wrong refutations {summary['wrong_refutations']}; "
          f"true claims proved {summary['true_proved']}/{summary['true']}")
    Path(args.out).write_text(_report(outcomes, summary, args, config, seconds))
    print(f"wrote {args.out}")
    return 1 if any(o.problem in PROBLEMS for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
