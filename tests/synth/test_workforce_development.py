"""The demo's workforce development snapshot: its layout, a clean read, agreement with the
monthly workforce return (months, teams, cases) and plausible ASYE, training, supervision
and caseload figures. Figures are recomputed from the files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.read.local import read_table
from pmf_lib.synth import local_span
from pmf_lib.synth.teams import TEAMS
from pmf_lib.synth.workforce import simulate_workforce
from pmf_lib.synth.workforce_development import simulate_development
from pmf_lib.validate.schema import table_issues


@pytest.fixture(scope="module")
def snapshot(demo_dir):
    t = read_table(demo_dir / "local" / "workforce_development.csv", "workforce_development")
    return t


@pytest.fixture(scope="module")
def monthly(demo_dir) -> pd.DataFrame:
    return pd.read_csv(demo_dir / "workforce" / "workforce_monthly.csv")


def test_reads_clean_with_every_column(snapshot):
    assert snapshot.missing_columns == [] and snapshot.absent_columns == []
    assert table_issues(snapshot, snapshot.data["month"].max()) == []
    ids = snapshot.data["worker_id"].astype(str)
    assert ids.str.fullmatch(r"E\d{5}").all()  # staff numbers, never names


def test_months_and_teams_are_the_monthly_returns(snapshot, monthly):
    d = snapshot.data
    months = sorted(d["month"].dt.strftime("%Y-%m-%d").unique())
    assert months == sorted(monthly["Month"].unique())
    assert set(d["team"]) <= set(TEAMS) and set(d["team"]) == set(monthly["Team"])


def test_employees_hold_at_most_their_teams_cases(snapshot, monthly):
    d = snapshot.data
    held = d.groupby([d["month"].dt.strftime("%Y-%m-%d"), "team"])["cases_held"].sum()
    team = monthly.set_index(["Month", "Team"])["Cases held"]
    both = pd.concat([held.rename("workers"), team.rename("team")], axis=1).dropna()
    # agency social workers hold the rest: employees hold most, never more than the team
    assert (both["workers"] <= both["team"]).all()
    assert both["workers"].sum() > 0.7 * both["team"].sum()


def test_in_post_caseloads_are_spread_not_flat(snapshot):
    d = snapshot.data
    last = d[(d["month"] == d["month"].max()) & d["leaving_date"].isna()]
    holders = last.loc[last["cases_held"] > 0, "cases_held"].astype(float)
    assert 100 < len(holders) < 250
    assert 12 <= holders.median() <= 22
    assert holders.quantile(0.9) - holders.quantile(0.1) >= 8  # a distribution, not one value


def test_asye_records_are_consistent(snapshot):
    d = snapshot.data
    s = d["asye_status"]
    on = d[s == "in_programme"]
    assert len(on) and on["asye_start_date"].notna().all() and on["asye_end_date"].isna().all()
    done = d[s == "completed"]
    years = (done["asye_end_date"] - done["asye_start_date"]).dt.days
    assert len(done) and years.between(350, 420).all()
    out = d[s == "not_completed"]
    assert out["asye_end_date"].notna().all()
    # every ASYE started on the worker's first day
    assert (d.loc[s.notna(), "asye_start_date"] == d.loc[s.notna(), "start_date"]).all()


def test_training_and_supervision_are_plausible(snapshot):
    d = snapshot.data
    assert (d["training_completed"] <= d["training_due"]).all()
    share = (d["training_completed"] >= d["training_due"]).mean()
    assert 0.7 < share < 0.95
    end = d["month"] + pd.offsets.MonthEnd(0)
    gap = (end - d["last_supervision_date"]).dt.days.dropna()
    assert (gap >= 0).all()
    assert 0.7 < (gap <= 28).mean() < 0.97
    left = d["leaving_date"].dropna()
    assert (left <= end[left.index]).all() and (
        left > end[left.index] - pd.Timedelta(days=31)
    ).all()


def test_same_seed_same_rows_other_seed_other_rows():
    span, months = local_span("2024-01", 3)
    cases = np.full((len(months), len(TEAMS)), 150)
    wf = simulate_workforce(5, months, cases, span.detail_from)
    a, b = simulate_development(5, wf, span), simulate_development(5, wf, span)
    c = simulate_development(6, wf, span)
    assert all((a[k] == b[k]).all() for k in a)
    assert not (a["cases_held"] == c["cases_held"]).all()
    assert (a["worker_id"] == c["worker_id"]).all()  # the workers are the model's
