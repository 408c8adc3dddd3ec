"""The demo council end to end: its built-in deterioration is named in the exceptions list."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmf_lib.assess.assessed import assess_month, exceptions_list
from pmf_lib.assess.targets import load_targets
from pmf_lib.compute.engine import compute_kpi_table
from pmf_lib.compute.registry import KpiInputs, all_kpis
from pmf_lib.dates import month_ends
from pmf_lib.read.cin_census import read_cin_census
from pmf_lib.read.population import read_population
from pmf_lib.read.ssda903 import read_ssda903

ROOT = Path(__file__).resolve().parents[2]


def test_demo_deterioration_is_an_exception_with_a_sentence(demo_dir):
    # The demo (pmf_lib.synth) lowers assessments within 45 working days from about 85% to
    # about 60% over its last six months: the latest month must be Red against the 85% target
    # and special-cause concern, and the exceptions list must say so in a sentence.
    cin = read_cin_census(sorted((demo_dir / "cin_census").glob("*.xml")))
    cla = read_ssda903(sorted(p for p in (demo_dir / "ssda903").rglob("*") if p.is_file()))
    pop = read_population(demo_dir / "population.csv", la_code=938)
    last = pd.to_datetime(cin.returns["reference_date"]).max()
    ends = month_ends(last - pd.DateOffset(months=35), last)
    ends = ends[ends <= last]
    ids = ["assessments_45wd_pct", "icpc_15wd_pct"]
    table = compute_kpi_table(KpiInputs(cin=cin, cla=cla, population=pop), ends, ids)
    registry = all_kpis()
    meta = {k: registry[k].meta for k in ids}
    targets = load_targets(ROOT / "parameters" / "targets.yaml", list(registry))
    out = assess_month(table, meta, ends[-1], targets=targets).set_index("kpi_id")
    a = out.loc["assessments_45wd_pct"]
    assert a["value"] < 70 and a["rag"] == "Red"
    assert a["variation"] == "special cause concern"
    listed = exceptions_list(out.reset_index()).set_index("kpi_id")
    assert "assessments_45wd_pct" in listed.index
    sentence = listed.loc["assessments_45wd_pct", "sentence"]
    assert sentence.startswith("Assessments completed within 45 working days ")
    assert f"{a['value']:.1f}%" in sentence and "below the 85% target" in sentence
    assert f"{ends[-1]:%B %Y}" in sentence
