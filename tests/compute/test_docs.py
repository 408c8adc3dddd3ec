"""docs/kpis.md is generated from the registry and must not be stale."""

from __future__ import annotations

from pathlib import Path

from pmf_lib.compute.docs import render_kpi_docs, write_kpi_docs
from pmf_lib.compute.registry import all_kpis

ROOT = Path(__file__).resolve().parents[2]


def test_committed_kpi_docs_are_current():
    committed = (ROOT / "docs" / "kpis.md").read_text(encoding="utf-8")
    assert committed == render_kpi_docs(), "docs/kpis.md is stale: run `pmf docs`"


def test_every_kpi_has_an_entry_with_its_metadata():
    text = render_kpi_docs()
    for k in all_kpis().values():
        m = k.meta
        assert f"### `{m.id}`" in text
        assert m.definition in text and m.numerator in text
        if m.comparator:
            assert f"LAIT `{m.comparator}`" in text
        # its declared inputs, each described in its own entry
        entry = text.split(f"### `{m.id}`", 1)[1].split("\n### ", 1)[0]
        assert m.inputs, m.id
        for f in m.inputs:
            assert f.describe() in entry, (m.id, f)


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    out = write_kpi_docs(tmp_path / "sub" / "kpis.md")
    assert out.read_text(encoding="utf-8") == render_kpi_docs()
    assert sorted(p.name for p in out.parent.iterdir()) == ["kpis.md"]
