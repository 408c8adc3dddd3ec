"""Pipeline stages import one way: read -> validate -> compute -> assess -> render -> publish.

A lower stage never imports a higher one; the stage-neutral modules (errors, dates,
config) import no stage at all, and the demo generator imports no pipeline stage.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

STAGES = ["read", "validate", "compute", "assess", "render", "publish"]
NEUTRAL = {
    "errors",
    "dates",
    "config",
    "data",
    "formatting",
    "textio",
    "codes",
    "atomic",
    "yamlio",
    "age",
    "feeds",
    "schedule",
}
PKG = ROOT / "pmf_lib"


def _imported_pmf_parts(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for n in names:
            parts = n.split(".")
            if parts[0] == "pmf_lib" and len(parts) > 1:
                found.add(parts[1])
    return found


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        yield rel.parts[0].removesuffix(".py"), path


@pytest.mark.parametrize("owner,path", list(_modules()), ids=lambda v: str(v))
def test_no_upward_imports(owner, path):
    imported = _imported_pmf_parts(path)
    if owner in STAGES:
        rank = STAGES.index(owner)
        higher = {s for s in imported if s in STAGES and STAGES.index(s) > rank}
        assert not higher, f"{path.relative_to(ROOT)} ({owner}) imports higher stage(s) {higher}"
    elif owner in NEUTRAL:
        assert not (imported & set(STAGES)), f"{path.relative_to(ROOT)} imports a stage"
    elif owner == "synth":
        bad = imported & (set(STAGES) - {"read"})
        assert not bad, f"{path.relative_to(ROOT)} (synth) imports pipeline stage(s) {bad}"
