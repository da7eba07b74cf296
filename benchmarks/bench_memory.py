"""Evaluating both sides of `causal_attention ≡ sdnc_read` at real sizes, against plain numpy and the old code.

    python benchmarks/bench_memory.py [--baseline REF] [--branch-point REF] [--repeats N] [--threads N]

Each measurement is a fresh process (its own peak memory), alternating between the kinds so
that machine load affects all alike: symcheck's evaluator on the attention side and on the
sDNC side at T = 4096, d = 64; the reference, plain numpy written for the purpose (masked
softmax attention; an sDNC loop writing slot t and reading by content); and, at sizes the old
code can still run, the baseline commit (the memory history it kept grows as T^2 d); and both sides
at the branch point (the code before the blocked reads). Reports median wall and CPU time (the CPU time
is what a shared machine's load disturbs least; one BLAS thread by default, since idle BLAS threads spin
on a loaded machine), the rise of peak resident memory during the evaluation, and the ratios of CPU
times; writes benchmarks/MEMORY.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"large": (4096, 64), "small": (128, 32)}     # (T, d): the target size; one the old code can run


def _child(kind: str, T: int, d: int) -> dict:
    """One evaluation in this process: seconds and the rise of peak resident memory (MiB)."""
    import numpy as np
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((T, d)) for _ in range(3))
    if kind.startswith("numpy"):
        run = (lambda: _numpy_attention(q, k, v)) if kind == "numpy attention" else (lambda: _numpy_sdnc(q, k, v))
    else:
        from sympy import sqrt
        from symcheck import causal_attention, matrix, sdnc_read, sizes
        from symcheck.model_ops import evaluate_model
        Ts, ds, dvs, Ns = sizes("T d d_v N")
        Q, K, V = matrix("Q", Ts, ds), matrix("K", Ts, ds), matrix("V", Ts, dvs)
        model = causal_attention(Q, K, V) if kind == "attention" else sdnc_read(Q, K, V, slots=Ns, strength=1 / sqrt(ds))
        run = lambda: evaluate_model(model, {"T": T, "d": d, "d_v": d, "N": T}, {"Q": q, "K": k, "V": v})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    out = run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rise = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return {"seconds": seconds, "cpu": cpu, "mib": rise, "checksum": float(np.abs(out).sum())}


def _numpy_attention(q, k, v):
    import numpy as np
    s = q @ k.T / np.sqrt(q.shape[1])
    s = np.where(np.tri(len(q), dtype=bool), s, -np.inf)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True) @ v


def _numpy_sdnc(q, k, v):
    import numpy as np
    mk, mv, out = np.zeros_like(k), np.zeros_like(v), np.empty_like(v)
    for t in range(len(q)):
        mk[t], mv[t] = k[t], v[t]                                       # write slot t, then read slots 1..t
        e = np.exp(mk[:t + 1] @ q[t] / np.sqrt(q.shape[1]))
        out[t] = e / e.sum() @ mv[:t + 1]
    return out


def _measure(tree: Path | None, kind: str, T: int, d: int, threads: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree or ROOT), "OPENBLAS_NUM_THREADS": str(threads),
           "OMP_NUM_THREADS": str(threads)}
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(T), str(d)], env=env, cwd=tree or ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _extract(ref: str, into: Path) -> Path:
    """The tree of commit `ref`, from `git archive` (the package imported by path, as the current one is)."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="db2ef24", help="git ref of the old code (default: before issue 16)")
    parser.add_argument("--branch-point", default="3131cfc", help="git ref of the code before the blocked reads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of every child (default 1: on a shared "
                        "machine, idle BLAS threads spin and CPU time stops measuring work)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "T", "D"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), int(args.child[2]))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        old, branch = (_extract(ref, Path(tmp) / name) for ref, name in ((args.baseline, "old"),
                                                                          (args.branch_point, "branch")))
        codes = {None: "current", branch: "branch point", old: "old code"}
        plan = [("large", None, kind) for kind in ("attention", "sdnc", "numpy attention", "numpy sdnc")]
        plan += [("large", branch, kind) for kind in ("attention", "sdnc")]
        plan += [("small", tree, "sdnc") for tree in (None, old)] + [("small", None, "numpy sdnc")]
        runs: dict[tuple, list[dict]] = {}
        for k in range(args.repeats):
            for size, tree, kind in plan:
                got = _measure(tree, kind, *SIZES[size], args.threads)
                runs.setdefault((size, codes[tree], kind), []).append(got)
                print(f"run {k + 1}: {size} {codes[tree]:12s} {kind:16s} "
                      f"{got['seconds']:7.2f} s wall {got['cpu']:7.2f} s CPU {got['mib']:7.0f} MiB", flush=True)
    med = {key: (statistics.median(r["cpu"] for r in rs), statistics.median(r["seconds"] for r in rs),
                 max(r["mib"] for r in rs)) for key, rs in runs.items()}
    (T, d), (Ts, ds) = SIZES["large"], SIZES["small"]
    large = lambda code, kind: med[("large", code, kind)]                                    # noqa: E731
    both = lambda code, k: large(code, "attention")[k] + large(code, "sdnc")[k]              # noqa: E731
    ref = large("current", "numpy attention")[0] + large("current", "numpy sdnc")[0]
    lines = ["# Numeric semantics of memories at real sizes", "",
             f"`python benchmarks/bench_memory.py --baseline {args.baseline} --branch-point {args.branch_point} "
             f"--repeats {args.repeats} --threads {args.threads}`: fresh processes, alternating, same machine, same "
             f"run, {args.threads} BLAS thread(s) in every process; median CPU and wall time, largest rise of peak "
             "memory. CPU time is the figure to compare (a shared machine's load disturbs it least).", "",
             "| size | code | evaluation | CPU time | wall time | memory |", "|---|---|---|---|---|---|"]
    for (size, code, kind), (cpu, seconds, mib) in sorted(med.items()):
        code = "reference" if kind.startswith("numpy") else code
        lines.append(f"| T = {SIZES[size][0]}, d = {SIZES[size][1]} | {code} | {kind} | {cpu:.2f} s | {seconds:.2f} s "
                     f"| {mib:.0f} MiB |")
    old_cpu, new_cpu = med[("small", "old code", "sdnc")][0], med[("small", "current", "sdnc")][0]
    lines += ["", f"At T = {T}, d = {d}: both sides {both('current', 0):.2f} s CPU ({both('current', 1):.2f} s wall, "
              f"at most {max(large('current', k)[2] for k in ('attention', 'sdnc')):.0f} MiB), the numpy reference "
              f"{ref:.2f} s: ratio **{both('current', 0) / ref:.2f}** (sDNC side alone "
              f"{large('current', 'sdnc')[0] / large('current', 'numpy sdnc')[0]:.2f}, attention side "
              f"{large('current', 'attention')[0] / large('current', 'numpy attention')[0]:.2f}); the branch point "
              f"{both('branch point', 0):.2f} s: ratio **{both('current', 0) / both('branch point', 0):.2f}**; the old "
              f"code cannot run it (its history is (T+1)·T·d floats: {(T + 1) * T * d * 8 / 2**30:.0f} GiB).",
              f"At T = {Ts}, d = {ds}: the sDNC side takes {new_cpu:.2f} s, the old code {old_cpu:.2f} s: ratio "
              f"**{new_cpu / old_cpu:.2f}**."]
    (ROOT / "benchmarks" / "MEMORY.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
