"""Red-team of `symcheck replay -j N` (`recheck.py`): the same lines and exit code as with one job.

One attack worked: a directory holding a dangling link `x.json` made `-j 2` stop with an internal error (exit 3),
since the schedule read every file's size in the parent, while one job rejects that file and goes on. Now an
unreadable file is scheduled last and rejected by its replay. The rest pin that a forged certificate among valid
ones is rejected, in file order, whatever the number of jobs.
"""

from __future__ import annotations

import json

import pytest

from symcheck import Claim, Config, check, from_index, matrix, sizes
from symcheck.certificate import certificate
from symcheck.cli import main

T, d = sizes("T d")
X = matrix("X", T, d)


@pytest.fixture(scope="module")
def cert():
    claim = Claim("twice", from_index(T, d, lambda t, b: X[t, b] + X[t, b]), from_index(T, d, lambda t, b: 2 * X[t, b]),
                  statement="s")
    return certificate(check(claim, Config(max_seconds=20)))


def _replay(argv, capsys) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().out.splitlines()


def test_a_dangling_link_is_rejected_with_several_jobs_as_with_one(tmp_path, cert, capsys):
    for name in ("a", "b"):
        (tmp_path / f"{name}.json").write_text(json.dumps(cert))
    (tmp_path / "c.json").symlink_to(tmp_path / "nowhere")
    one = _replay(["replay", str(tmp_path), "-j", "1"], capsys)
    assert one[0] == 1 and one[1][-2:] == [f"REJECTED  {tmp_path / 'c.json'}: cannot read: No such file or directory",
                                           "2 valid, 1 rejected"]
    assert _replay(["replay", str(tmp_path), "-j", "2"], capsys) == one


def test_a_forged_certificate_among_valid_ones_is_rejected_in_file_order(tmp_path, cert, capsys):
    forged = json.loads(json.dumps(cert))
    forged["rhs"]["start"] = forged["rhs"]["start"].replace("Integer(2)", "Integer(3)")
    for name, c in (("a", cert), ("b", forged), ("c", cert)):
        (tmp_path / f"{name}.json").write_text(json.dumps(c))
    one = _replay(["replay", str(tmp_path), "-j", "1"], capsys)
    assert one[0] == 1 and one[1][1].startswith(f"REJECTED  {tmp_path / 'b.json'}: the claim's digest does not match")
    assert _replay(["replay", str(tmp_path), "-j", "3"], capsys) == one
