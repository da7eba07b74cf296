"""The `symcheck` command: check, show, render, replay. Errors become one line and exit code 2."""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import partial
from pathlib import Path

from tqdm import tqdm

from . import __version__
from .config import Config
from .engine import check
from .errors import SymcheckError, UsageError
from .cache import DEFAULT_DIR, ProofCache
from .loader import load, load_surviving, select
from .phases import DETAILS
from .report import as_json, as_junit, header, row, show, summary_line
from .runner import check_all, default_jobs

__all__ = ["main"]

DEFAULT_PATH = "derivations"


class _Parser(argparse.ArgumentParser):
    def error(self, message):          # one line, exit 2, no usage dump
        raise UsageError(f"{message} (see 'symcheck {self.prog.split()[-1]} --help')"
                         if " " in self.prog else f"{message} (see 'symcheck --help')")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="symcheck", description="Prove or refute equivalence claims between sequence architectures.")
    p.add_argument("--version", action="version", version=f"symcheck {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def budget(sp_):
        sp_.add_argument("--seed", type=int, default=0, help="seed of the falsifier's random inputs (default 0)")
        sp_.add_argument("--max-steps", type=int, default=Config.max_steps, help="rewrite steps per side")
        sp_.add_argument("--max-seconds", type=float, default=Config.max_seconds, help="wall time per claim")
        sp_.add_argument("-k", dest="pattern", help="select claims: a dotted name, a claim or module name, or a glob")

    def running(sp_):
        sp_.add_argument("-j", "--jobs", type=int, default=default_jobs(),
                         help=f"claims checked in parallel processes (default: the machine's {default_jobs()} cores)")
        sp_.add_argument("--no-cache", action="store_true", help="check every claim, ignoring the proof cache")
        sp_.add_argument("--cache-dir", default=DEFAULT_DIR, help=f"where decided claims are cached (default {DEFAULT_DIR}/)")

    c = sub.add_parser("check", help="check every claim; one row per claim, then 'N passed, M failed'")
    c.add_argument("paths", nargs="*", help=f"derivation files or directories (default: {DEFAULT_PATH}/)")
    c.add_argument("--json", dest="json_out", metavar="FILE", help="write results as JSON ('-' for stdout)")
    c.add_argument("--junit", metavar="FILE", help="write results as JUnit XML")
    c.add_argument("--certificates", metavar="DIR", help="write one JSON certificate per proved claim")
    running(c)
    ls = sub.add_parser("list", help="list the claims (name, expected verdict, file:line) without checking them")
    ls.add_argument("paths", nargs="*", help=f"derivation files or directories (default: {DEFAULT_PATH}/)")
    ls.add_argument("-k", dest="pattern", help="select claims: a dotted name, a claim or module name, or a glob")
    budget(c)
    s = sub.add_parser("show", help="print the proof trace or the counterexample of one claim")
    s.add_argument("name", help="dotted claim name, e.g. sdnc.causal_attention_is_sdnc")
    s.add_argument("paths", nargs="*", help=f"where to look for it (default: {DEFAULT_PATH}/)")
    s.add_argument("--detail", choices=DETAILS, default="full", help="full (default): every rule application; "
                   "paper: one line per phase, as in the appendix; sketch: the unfolded and the normal forms")
    budget(s)
    r = sub.add_parser("render", help="LaTeX appendix: one .tex per checked claim and appendix.tex")
    r.add_argument("paths", nargs="*", help=f"derivation files or directories (default: {DEFAULT_PATH}/)")
    where = r.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="write the .tex files here")
    where.add_argument("--check", metavar="DIR", help="exit 1 if DIR differs from what would be rendered now")
    r.add_argument("--templates", metavar="DIR", help="templates that override the bundled ones, by file name")
    r.add_argument("--detail", choices=DETAILS, default="paper", help="paper (default): one line per phase; "
                   "full: every rule application; sketch: the unfolded and the normal forms")
    budget(r)
    running(r)
    rp = sub.add_parser("replay", help="re-check certificates with the independent checker")
    rp.add_argument("certs", nargs="+", help="certificate files, or directories of them")
    rp.add_argument("--seed", type=int, default=0, help="seed of the checker's random sizes and inputs")
    rp.add_argument("-j", "--jobs", type=int, default=1, help="replay in this many worker processes (output "
                    "in file order all the same)")
    rp.add_argument("--against", metavar="PATH", help="derivation files or a directory: each certificate must "
                    "prove the claim of its name posed there (by digest), not only the claim it states")
    return p


def _config(args) -> Config:
    if args.max_steps < 1 or args.max_seconds <= 0:
        raise UsageError("--max-steps and --max-seconds must be positive")
    return Config().with_(seed=args.seed, max_steps=args.max_steps, max_seconds=args.max_seconds)


def _run(args, config: Config, claims, table) -> list:
    """Check `claims` as the options say (jobs, cache), printing each row as soon as it is in order."""
    width = max(len(c.qualname) for c in claims)
    cache = None if args.no_cache else ProofCache(args.cache_dir)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    colour = table.isatty() and not os.environ.get("NO_COLOR")          # https://no-color.org
    print(header(width), file=table, flush=True)
    with _progress(len(claims), table) as bar:
        def shown(r, hit):
            bar.write(row(r, width, cached=hit, colour=colour), file=table)
            bar.update()
        return check_all(claims, config, jobs=args.jobs, cache=cache, proofs=bool(args.certificates), on_result=shown)


def _progress(total: int, stream) -> tqdm:
    """A progress bar below the rows, on a terminal only: piped output stays plain rows."""
    return tqdm(total=total, file=stream, disable=not stream.isatty(), leave=False, unit="claim", dynamic_ncols=True)


def _cmd_check(args) -> int:
    config = _config(args)
    start = time.monotonic()
    claims, failures = load_surviving(args.paths or [DEFAULT_PATH])
    claims = select(claims, args.pattern)
    if not claims and not failures:
        raise UsageError("no claims to check" + (f" match -k {args.pattern!r}" if args.pattern else ""))
    table = sys.stderr if args.json_out == "-" else sys.stdout
    print(f"symcheck {__version__}: {len(claims)} claims; seed={config.seed} max_steps={config.max_steps} "
          f"max_seconds={config.max_seconds} max_size={config.max_size}; jobs={args.jobs}", file=table, flush=True)
    for f in failures:
        print(f"{f.file}: error: {f.message}", file=table, flush=True)
    results = _run(args, config, claims, table) if claims else []
    _write(args.json_out, as_json(results, config, failures))
    _write(args.junit, as_junit(results, failures))
    if args.certificates:
        from .certificate import write_certificates
        written, skipped = write_certificates(results, args.certificates)
        print(f"{len(written)} certificates written to {args.certificates}", file=table)
        for r, why in skipped:
            print(f"no certificate for {r.name}: {why}", file=table)
    for r in results:
        if r.verdict == "error":
            kind = "internal error" if r.error_kind == "internal" else "error"
            print(f"symcheck: {kind}: {r.claim.file}: {r.name}: {r.reason}", file=sys.stderr)
    for f in failures:
        print(f"symcheck: error: {f.message}", file=sys.stderr)
    print(summary_line(results, failures, time.monotonic() - start), file=table, flush=True)
    return exit_code(results, failures)


def exit_code(results, failures=()) -> int:
    """The worst outcome: 3 an internal error (a bug, a failed soundness check), 2 a malformed
    claim or a file that does not load, 1 a verdict not as expected, 0 all as expected."""
    kinds = {r.error_kind for r in results if r.verdict == "error"}
    if "internal" in kinds:
        return 3
    if kinds or failures:
        return 2
    return 0 if all(r.ok for r in results) else 1


def _cmd_list(args) -> int:
    claims, failures = load_surviving(args.paths or [DEFAULT_PATH])
    claims = select(claims, args.pattern)
    width = max((len(c.qualname) for c in claims), default=0)
    for c in claims:
        print(f"{c.qualname:<{width}}  {c.expect:<9}  {c.file}")
    for f in failures:
        print(f"symcheck: error: {f.message}", file=sys.stderr)
    print(f"{len(claims)} claims" + (f", {len(failures)} files that do not load" if failures else ""))
    return 2 if failures else 0


def _write(target: str | None, content: str):
    if not target:
        return
    if target == "-":
        sys.stdout.write(content + "\n")
        return
    try:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(content + "\n")
    except OSError as err:
        raise UsageError(f"cannot write {target}: {err.strerror}") from None


def _cmd_show(args) -> int:
    config = _config(args)
    claims = [c for c in load(args.paths or [DEFAULT_PATH]) if c.qualname == args.name or c.name == args.name]
    if not claims:
        raise UsageError(f"no claim named {args.name!r} (try 'symcheck check' to list them)")
    if len(claims) > 1:
        raise UsageError(f"{args.name!r} is ambiguous: {', '.join(c.qualname for c in claims)}")
    r = check(claims[0], config)
    print(show(r, config, args.detail))
    return exit_code([r])


def _cmd_render(args) -> int:
    from .render import check_current, render, write
    config = _config(args)
    claims = select(load(args.paths or [DEFAULT_PATH]), args.pattern)
    if not claims:
        raise UsageError("no claims to render")
    with _progress(len(claims), sys.stderr) as bar:
        results = check_all(claims, config, jobs=args.jobs, cache=None if args.no_cache else ProofCache(args.cache_dir),
                            on_result=lambda r, hit: bar.update())
    rendered = render(results, config, args.templates, args.detail)
    for r in rendered.skipped:
        print(f"symcheck: not rendered: {r.name}: {r.verdict}, expected {r.claim.expect}", file=sys.stderr)
    if args.check:
        problems = check_current(rendered, args.check)
        for p in problems:
            print(p)
        if not problems:
            print(f"{args.check}: current ({len(rendered.files)} files)")
        return 1 if problems or rendered.skipped else 0
    for path in write(rendered, args.out):
        print(path)
    return 1 if rendered.skipped else 0


def _cmd_replay(args) -> int:
    from .recheck import replay_files
    files = []
    for raw in args.certs:
        p = Path(raw)
        if p.is_dir():
            files += sorted(p.glob("*.json"))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{raw}: no such file or directory")
    if not files:
        raise UsageError("no certificates to replay")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    posed = {c.qualname: c for c in load([args.against])} if args.against else None
    belongs = partial(_belongs, posed=posed, where=args.against) if posed is not None else None
    valid = list(replay_files(files, args.seed, belongs, partial(print, flush=True), args.jobs))
    bad = valid.count(False)
    print(f"{len(files) - bad} valid, {bad} rejected")
    return 1 if bad else 0


def _belongs(cert, posed: dict, where: str) -> None:
    """The certificate's digest is the digest of the claim of its name, re-posed from `where`."""
    from .certificate import posed_digest
    from .replay import Rejected
    name = cert.get("claim", {}).get("name") if isinstance(cert.get("claim"), dict) else None
    if name not in posed:
        raise Rejected(f"names claim {name!r}, which is not in {where}")
    kind = "composition" if cert.get("kind") == "composition" else "flat"
    try:
        digest = posed_digest(posed[name], kind)
    except SymcheckError as err:
        raise Rejected(f"claim {name} in {where} cannot be posed: {err}") from None
    if cert["claim"].get("digest") != digest:
        raise Rejected(f"is not a certificate of the claim {name} in {where} (digest differs)")


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            _parser().print_help()
            return 2
        return {"check": _cmd_check, "list": _cmd_list, "show": _cmd_show, "render": _cmd_render,
                "replay": _cmd_replay}[args.command](args)
    except SymcheckError as err:
        print(f"symcheck: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug in symcheck, not in the input: say so in one line
        if os.environ.get("SYMCHECK_DEBUG"):
            raise
        print(f"symcheck: internal error: {type(err).__name__}: {err} "
              "(set SYMCHECK_DEBUG=1 for the traceback, and please report it)", file=sys.stderr)
        return 3
