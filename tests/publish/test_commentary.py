"""`pmf commentary` files: a section per exception, never overwriting what was written."""

from __future__ import annotations

import pandas as pd

from pmf_lib.config import Area, Config, Council, DataSources
from pmf_lib.publish.commentary import write_commentary_files
from pmf_lib.render.commentary import read_commentary


def test_files_per_area_with_exception_sections(tmp_path):
    cfg = Config(
        council=Council(code=938, name="T"),
        data=DataSources(ssda903="a", cin_census="b", population="p.csv"),
        areas={"a": Area(title="A", kpis=["k1", "k2"]), "b": Area(title="B", kpis=["k3"])},
        base_dir=tmp_path,
    )
    assessed = pd.DataFrame(
        {
            "kpi_id": ["k1", "k2", "k3"],
            "title": ["K one", "K two", "K three"],
            "exception": [True, False, False],
            "sentence": ["K one fell.", "", ""],
        }
    )
    written, kept = write_commentary_files(cfg, "2026-10", assessed)
    assert [p.name for p in written] == ["a.md", "b.md"] and not kept
    folder = tmp_path / "commentary" / "2026-10"
    c = read_commentary(folder, "a", "2026-10")
    assert [s.heading for s in c.sections if s.heading != "Overall"][-1] == "Exception: K one"
    assert not any(s.filled for s in c.sections if s.heading.startswith("Exception"))
    b = read_commentary(folder, "b", "2026-10")
    assert [s.heading for s in b.sections if s.heading.startswith("Exception")] == []
    # A Head of Service writes in it; a second run keeps it.
    (folder / "a.md").write_text((folder / "a.md").read_text() + "\nAll in hand.\n")
    written, kept = write_commentary_files(cfg, "2026-10", assessed)
    assert not written and [p.name for p in kept] == ["a.md", "b.md"]
    assert "All in hand." in (folder / "a.md").read_text()
