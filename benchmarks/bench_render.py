"""Benchmark: rendering the bundled library's appendix, against checking it (the baseline).

`symcheck render` = check + render; the render part is what this issue adds. Both are
measured in the same run, on the same results. Usage: python benchmarks/bench_render.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from symcheck import check  # noqa: E402
from symcheck.loader import load  # noqa: E402
from symcheck.render import render, write  # noqa: E402


def main() -> int:
    claims = load([str(ROOT / "derivations")])
    start = time.perf_counter()
    results = [check(c) for c in claims]
    checking = time.perf_counter() - start
    rows = []
    for label, subset in (("whole library", results),
                          ("without the layer claims", [r for r in results if r.claim.module != "layer"])):
        start = time.perf_counter()
        rendered = render(subset)
        with tempfile.TemporaryDirectory() as out:
            write(rendered, out)
        seconds = time.perf_counter() - start
        rows.append((label, len(rendered.files), seconds))
    print(f"checking the library ({len(claims)} claims), the baseline: {checking:.2f} s")
    print("| rendered | files | render seconds | render / check |")
    print("|---|---|---|---|")
    for label, files, seconds in rows:
        print(f"| {label} | {files} | {seconds:.2f} | {seconds / checking:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
