"""The demo council end to end: its built-in deterioration is named in the exceptions list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


# ----------------------------------------------------------------------------- published month
# The demo month as `pmf run` published it (outputs/2026-10): the assessed table and the SPC
# table are one judgement, and SPC appears only where Making Data Count says it is valid.

PUBLISHED = ROOT / "outputs" / "2026-10"


def _published():
    if not (PUBLISHED / "spc.parquet").is_file() or not (PUBLISHED / "kpis.parquet").is_file():
        pytest.skip("the demo month is not published: run `pmf run --month 2026-10`")
    return pd.read_parquet(PUBLISHED / "kpis.parquet"), pd.read_parquet(PUBLISHED / "spc.parquet")


def test_published_assessed_rows_agree_with_the_spc_table():
    assessed, spc = _published()
    latest = spc[spc["latest"]].set_index("kpi_id")
    assert set(spc["kpi_id"]) == set(assessed["kpi_id"])
    for _, a in assessed.iterrows():
        kid = a["kpi_id"]
        rows = spc[spc["kpi_id"] == kid]
        assert rows["window"].eq(a["window"]).all(), kid
        assert rows["chart"].eq(a["spc_chart"]).all(), kid
        if kid not in latest.index:
            assert pd.isna(a["spc_rule"]) and np.isnan(a["spc_mean"]), kid
            continue
        p = latest.loc[kid]
        assert pd.Timestamp(a["spc_period_end"]) == pd.Timestamp(p["period_end"]), kid
        for col in ("mean", "upper", "lower", "close_upper", "close_lower"):
            assert np.allclose(a[f"spc_{col}"], p[col], equal_nan=True), (kid, col)
        rule = None if pd.isna(p["rule"]) else p["rule"]
        verdict = None if pd.isna(p["verdict"]) else p["verdict"]
        assert (None if pd.isna(a["spc_rule"]) else a["spc_rule"]) == rule, kid
        assert (None if pd.isna(a["variation"]) else a["variation"]) == verdict, kid
        assert bool(a["spc_trial"]) == bool(p["trial"]) or rule is None, kid


def test_published_spc_only_where_valid():
    assessed, spc = _published()
    # Rolling windows and annual figures: no limits, no rule, no verdict, anywhere.
    for cadence in ("rolling", "annual"):
        part = spc[spc["cadence"] == cadence]
        if cadence == "annual":
            # one point a year (31 March) only; 3 years in the demo: fewer than 7, no SPC
            assert part["period_end"].dt.month.eq(3).all()
        assert part["rule"].isna().all() and part["verdict"].isna().all(), cadence
        assert part["upper"].isna().all() and not part["special_cause"].any(), cadence
    rolling = spc[spc["window"] == "rolling_12m"]
    assert rolling["chart"].eq("trend").all() and rolling["upper"].isna().all()
    a = assessed.set_index("kpi_id")
    for kid in set(spc.loc[spc["cadence"].isin(["rolling", "annual"]), "kpi_id"]):
        assert pd.isna(a.loc[kid, "spc_rule"]) and pd.isna(a.loc[kid, "variation"]), kid
    # Quarterly KPIs: quarter ends only, so 12 points over the demo's 36 months, not 36.
    q = spc[spc["cadence"] == "quarterly"]
    assert q["period_end"].dt.month.isin([3, 6, 9, 12]).all()
    assert q.groupby("kpi_id").size().max() <= 12
    # No expected range from a constant series: wherever there are limits, they are apart.
    lim = spc[spc["upper"].notna()]
    assert (lim["upper"] > lim["lower"]).all()
    # Fewer than 7 points in a segment: no verdict.
    assert spc.loc[spc["points"] < 7, "rule"].isna().all()


def test_published_demo_rebase_gives_the_assessment_chart_two_periods():
    _, spc = _published()
    a45 = spc[spc["kpi_id"] == "assessments_45wd_pct"]
    starts = sorted(set(a45["segment_start"]))
    assert len(starts) == 2 and pd.Timestamp(starts[1]) == pd.Timestamp("2026-04-30")
    means = a45.groupby("segment")["mean"].first()
    assert means.iloc[0] > 80 and means.iloc[1] < 70  # about 85% before, about 60% after
    # Not every point special cause any more (the issue: all 24 were, limits spanning the
    # shift).
    assert not a45["special_cause"].tail(24).all()
