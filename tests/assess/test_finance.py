"""The finance judgements (issue 16) on hand-built data: the month's budget lines and which
placements are high cost, with the verdicts worked out in comments."""

from __future__ import annotations

import math

import pandas as pd

from pmf_lib.assess.finance import (
    BUDGET_COLUMNS,
    HIGH_COST_COLUMNS,
    FinanceTables,
    budget_lines,
    finance_tables,
    high_cost_placements,
)
from pmf_lib.compute.kpis._local import local_frame, local_inputs
from pmf_lib.compute.registry import all_kpis
from pmf_lib.config import FinanceSettings
from pmf_lib.dates import Window

END = "2026-10-31"


def _budget():
    return local_frame(
        "budget_monitoring",
        month=["2026-10-31", "2026-10-31", "2026-10-31", "2026-09-30"],
        service_line=["Placements", "Staffing", "Early help", "Placements"],
        budget=[1_000_000.0, 400_000.0, 200_000.0, 1.0],
        actual_to_date=[600_000.0, 230_000.0, 110_000.0, 1.0],
        forecast_outturn=[1_120_000.0, 390_000.0, None, 1.0],
    )


def _placements():
    return local_frame(
        "placement_costs",
        placement_id=["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
        child_id=["A", "B", "C", "D", "E", "F", "G"],
        placement_type=["K2", "K2", "U4", "K1", "K2", "H5", "K2"],
        provider=["Home Ltd", "Home Ltd", "Council", "Secure", "Home Ltd", "Flat Ltd", "Home Ltd"],
        start_date=["2026-03-01", "2026-06-01", "2026-01-01", "2026-01-01", "2026-11-01",
                    "2025-06-01", "2026-02-01"],
        end_date=[None, None, None, "2026-10-31", None, None, None],
        weekly_cost=[6_000.0, 7_500.0, 5_000.0, 9_000.0, 8_000.0, 5_200.0, None],
        next_review_date=["2026-12-01", "2026-10-15", None, None, None, None, "2026-12-01"],
    )  # fmt: skip


def test_budget_lines_with_their_variance_and_a_total():
    t = budget_lines(_budget(), END)
    assert list(t.columns) == BUDGET_COLUMNS
    got = {r.service_line: (r.variance, r.variance_pct) for r in t.itertuples()}
    # Placements: 1,120,000 - 1,000,000 = +120,000 (+12%); Staffing: 390,000 - 400,000 =
    # -10,000 (-2.5%); Early help has no forecast: its variance is missing and it is out of
    # the total -> Total: 1,510,000 - 1,400,000 = +110,000, 110,000 / 1,400,000 = 7.857%
    assert got["Placements"] == (120_000.0, 12.0)
    assert got["Staffing"] == (-10_000.0, -2.5)
    assert math.isnan(got["Early help"][0]) and math.isnan(got["Early help"][1])
    assert got["Total"][0] == 110_000.0
    assert round(got["Total"][1], 3) == 7.857
    # September's row is not the month's; the total's actual to date is the lines' kept
    assert len(t) == 4
    assert t.loc[t["service_line"] == "Total", "actual_to_date"].item() == 830_000.0


def test_budget_lines_for_a_month_without_rows_is_empty_and_without_data_none():
    assert budget_lines(_budget(), "2026-08-31").empty
    assert budget_lines(None, END) is None


def test_high_cost_placements_are_open_and_strictly_above_the_threshold():
    t = high_cost_placements(_placements(), END, 5_000)
    assert list(t.columns) == HIGH_COST_COLUMNS
    # P1 6,000 and P2 7,500 (open, above); P6 5,200 (open since 2025, above);
    # not P3 (5,000 is the threshold, not above), P4 (ended on 31 Oct), P5 (starts 1 Nov),
    # P7 (no readable cost). Costliest first: P2, P1, P6
    assert t["placement_id"].tolist() == ["P2", "P1", "P6"]
    assert t["weekly_cost"].tolist() == [7_500.0, 6_000.0, 5_200.0]
    # next review: P2's (15 Oct) is past, P6 has none -> both due; P1's (1 Dec) is ahead
    assert t["review_overdue"].tolist() == [True, False, True]
    assert t.loc[0, "placement_type_label"] == (
        "Children's homes subject to children's homes regulations"
    )
    assert t.loc[0, "start_date"] == pd.Timestamp("2026-06-01")


def test_the_list_and_the_kpi_agree_on_what_is_high_cost():
    # the list's 3 placements are the KPI's numerator; its denominator the open placements
    # with a cost: P1, P2, P3, P6 (P4 ended on the day, P5 has not started, P7 has no cost)
    inputs = local_inputs(placement_costs=_placements())
    inputs.settings["finance"] = FinanceSettings(high_cost_weekly_threshold=5_000)
    f = all_kpis()["fin_high_cost_pct"](inputs, Window.of("snapshot", END))
    assert (f.numerator, f.denominator) == (3, 4)
    assert len(high_cost_placements(_placements(), END, 5_000)) == f.numerator


def test_no_threshold_or_no_dataset_gives_no_list():
    assert high_cost_placements(_placements(), END, None) is None
    assert high_cost_placements(None, END, 5_000) is None


def test_finance_tables_from_the_local_datasets():
    t = finance_tables({"placement_costs": _placements()}, END, 5_000)
    assert t.budget is None and len(t.high_cost) == 3 and t.threshold == 5_000
    assert finance_tables({"contacts": pd.DataFrame()}, END, 5_000) is None
    # a file read without a required column gives no table (its KPIs are missing too)
    lacking = _placements()
    lacking.attrs["missing_columns"] = ["weekly_cost"]
    t = finance_tables({"placement_costs": lacking, "budget_monitoring": _budget()}, END, 5_000)
    assert t.high_cost is None and len(t.budget) == 4


def test_members_and_the_public_get_no_high_cost_list():
    t = FinanceTables(budget_lines(_budget(), END), high_cost_placements(_placements(), END, 5e3))
    members = t.for_audience(True)
    assert members.high_cost is None
    assert members.budget is t.budget  # the council's budget lines are for every audience
    assert t.for_audience(False).high_cost is t.high_cost
