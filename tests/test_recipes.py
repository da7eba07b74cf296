"""The CI recipes in the repository: a GitHub Actions workflow that runs what .ci/run runs, and pre-commit hooks."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_workflow_runs_the_ci_script_then_the_library():
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = flow["jobs"]["test"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "bash .ci/run" in runs
    assert any("symcheck check derivations" in r for r in runs) and any("render derivations --check" in r for r in runs)
    assert set(flow[True] if True in flow else flow["on"]) >= {"push", "pull_request"}   # YAML 1.1 reads `on` as True


def test_the_pre_commit_hooks_call_symcheck():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["symcheck-check"]["entry"] == "symcheck check"
    assert hooks["symcheck-render-check"]["entry"].startswith("symcheck render")
    assert all(h["language"] == "python" and h["pass_filenames"] is False for h in hooks.values())
