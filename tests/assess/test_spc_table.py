"""The SPC table: each KPI charted at its cadence, on independent points only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.spc import SpcOptions
from pmf_lib.assess.spc_table import (
    CHART_SPC,
    CHART_TREND,
    SPC_TABLE_COLUMNS,
    kpi_spc,
    latest_point,
    rebase_proposals,
    spc_table,
    suppress_spc_table,
)
from pmf_lib.compute.registry import KpiMeta


def meta(kid, cadence, windows, polarity="higher_is_better", unit="percent") -> KpiMeta:
    return KpiMeta(
        id=kid,
        title=kid,
        area="a",
        unit=unit,
        polarity=polarity,
        windows=tuple(windows),
        source="s",
        definition="d",
        numerator="n",
        cadence=cadence,
    )


def table(kid, window, ends, values) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi_id": kid,
            "window": window,
            "period_end": pd.DatetimeIndex(ends),
            "value": np.asarray(values, dtype=float),
            "numerator": 1.0,
            "denominator": 1.0,
        }
    )


MONTHS_36 = pd.date_range("2023-11-30", "2026-10-31", freq="ME")


def test_monthly_kpi_uses_every_month_end():
    # 36 monthly points alternating 10/12: mean 11, mR̄ 2, limits 11 ± 5.32, common cause.
    m = meta("m", "monthly", ("month", "rolling_12m"), polarity="neutral", unit="count")
    c = kpi_spc(table("m", "month", MONTHS_36, [10, 12] * 18), m, "2026-10")
    assert len(c) == 36 and c["chart"].eq(CHART_SPC).all()
    assert c["mean"].iloc[-1] == 11 and c["upper"].iloc[-1] == pytest.approx(16.32)
    assert c["verdict"].eq("common cause").all()
    assert c.columns.tolist() == SPC_TABLE_COLUMNS


def test_quarterly_kpi_uses_quarter_ends_only():
    # Quarter windows at all 36 month ends; only Dec, Mar, Jun and Sep are SPC points: 11
    # quarter ends from Dec 2023 to Jun 2026 plus Sep 2026 = 12. The other month ends hold 999,
    # which must not reach the chart. The latest point in October is September's.
    values = [(5.0 if e.month in (3, 9) else 7.0) if e.month % 3 == 0 else 999 for e in MONTHS_36]
    q = meta("q", "quarterly", ("quarter", "rolling_12m"), polarity="neutral", unit="count")
    c = kpi_spc(table("q", "quarter", MONTHS_36, values), q, "2026-10")
    assert sorted(set(c["period_end"].dt.month)) == [3, 6, 9, 12] and len(c) == 12
    assert 999 not in c["value"].tolist()
    # 6 at 5 and 6 at 7: mean 6, mR̄ 2 (11 moving ranges of 2) -> limits 6 ± 5.32.
    assert c["mean"].iloc[0] == 6 and c["upper"].iloc[0] == pytest.approx(11.32)
    assert c.loc[c["latest"], "period_end"].tolist() == [pd.Timestamp("2026-09-30")]
    # In December the latest point is December itself.
    assert latest_point(q, "2026-12-31") == pd.Timestamp("2026-12-31")


def test_annual_kpi_is_one_point_a_year_and_no_spc_from_repeated_values():
    # The figure of the 31 March return, repeated for the 11 month ends after it: 91.0, 90.7,
    # 88.9. A monthly XmR would see three flat stretches (limits 90.09 .. 90.55 in the issue
    # and "special cause concern"). Charted yearly, 3 points: fewer than 7, no verdict.
    values = [91.0] * 16 + [90.7] * 12 + [88.9] * 8
    h = meta("h", "annual", ("snapshot",))
    c = kpi_spc(table("h", "snapshot", MONTHS_36, values), h, "2026-10")
    assert c["period_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-31",
        "2025-03-31",
        "2026-03-31",
    ]
    assert c["value"].tolist() == [91.0, 90.7, 88.9]
    assert c["chart"].eq(CHART_TREND).all() and c["rule"].isna().all()
    assert c["upper"].isna().all() and not c["special_cause"].any()
    assert c["verdict"].isna().all() and c["note"].eq("fewer than 7 yearly points").all()


def test_annual_kpi_with_seven_years_gets_yearly_spc():
    # Seven 31 March points 80, 82, 80, 82, 80, 82, 80: mean 80.857, mR̄ 2 -> limits ± 5.32,
    # trial (fewer than 12), common cause.
    ends = pd.date_range("2020-03-31", "2026-10-31", freq="ME")
    years = {2020: 80, 2021: 82, 2022: 80, 2023: 82, 2024: 80, 2025: 82, 2026: 80}
    values = [years[e.year if e.month >= 3 else e.year - 1] for e in ends]
    h = meta("h", "annual", ("snapshot",))
    c = kpi_spc(table("h", "snapshot", ends, values), h, "2026-10")
    assert len(c) == 7 and c["chart"].eq(CHART_SPC).all() and c["trial"].all()
    assert c["upper"].iloc[-1] - c["mean"].iloc[-1] == pytest.approx(5.32)
    assert c["verdict"].eq("common cause").all()


def test_rolling_window_is_a_trend_line_with_no_limits_or_signals():
    # A rolling 12-month rate rising every month: a monthly XmR would call it a trend (special
    # cause). Rolling windows overlap: no limits, no rule, no special cause, no verdict.
    r = meta("r", "rolling", ("rolling_12m",), polarity="lower_is_better", unit="rate_10k")
    c = kpi_spc(table("r", "rolling_12m", MONTHS_36, range(36)), r, "2026-10")
    assert c["chart"].eq(CHART_TREND).all() and len(c) == 36
    assert c[["mean", "upper", "lower"]].isna().all().all()
    assert c["rule"].isna().all() and not c["special_cause"].any() and c["verdict"].isna().all()
    # A monthly KPI whose headline window is rolling is a trend line too.
    m = meta("m", "monthly", ("rolling_12m",))
    assert (
        kpi_spc(table("m", "rolling_12m", MONTHS_36, range(36)), m, "2026-10")["chart"]
        .eq(CHART_TREND)
        .all()
    )


def test_rebase_gives_two_segments_with_their_own_limits():
    # 24 months alternating 84/86 (mean 85, mR̄ 2), then 12 alternating 59/61 (mean 60, mR̄ 2),
    # rebased from 2025-11-01: each segment has its own mean and limits and no point is special
    # cause. Without the rebase every point is (a shift either side of the overall mean).
    values = [84.0, 86.0] * 12 + [59.0, 61.0] * 6
    m = meta("m", "monthly", ("month",))
    t = table("m", "month", MONTHS_36, values)
    c = kpi_spc(t, m, "2026-10", SpcOptions(rebase={"m": ["2025-11-01"]}))
    assert c["segment"].tolist() == [0] * 24 + [1] * 12
    assert c.groupby("segment")["mean"].first().tolist() == [85, 60]
    assert c.groupby("segment")["upper"].first().tolist() == pytest.approx([90.32, 65.32])
    assert c["segment_start"].iloc[-1] == pd.Timestamp("2025-11-30")
    assert not c["special_cause"].any() and c["points"].tolist() == [24] * 24 + [12] * 12
    assert kpi_spc(t, m, "2026-10")["special_cause"].all()


def test_constant_series_gives_no_special_cause_claim():
    # 11 every month: no variation, so no limits ("11 to 11") and no verdict.
    m = meta("m", "monthly", ("snapshot",), polarity="neutral", unit="count")
    c = kpi_spc(table("m", "snapshot", MONTHS_36, [11.0] * 36), m, "2026-10")
    assert c["chart"].eq(CHART_TREND).all() and c["upper"].isna().all()
    assert c["rule"].isna().all() and c["verdict"].isna().all()


def test_improvement_and_concern_verdicts_follow_polarity():
    # 18 alternating 84/86 then 8 points at 60: the last 8 are below the mean
    # (a shift, and 60 is below the lower limit). Higher is better: concern; lower: improvement.
    ends = pd.date_range("2024-01-31", periods=26, freq="ME")
    values = [84.0, 86.0] * 9 + [60.0] * 8
    for polarity, verdict in (
        ("higher_is_better", "special cause concern"),
        ("lower_is_better", "special cause improvement"),
        ("neutral", "special cause low"),
    ):
        m = meta("m", "monthly", ("month",), polarity=polarity)
        c = kpi_spc(table("m", "month", ends, values), m, ends[-1])
        assert c["verdict"].iloc[-1] == verdict


def test_a_missing_latest_month_has_no_latest_point():
    m = meta("m", "monthly", ("month",))
    c = kpi_spc(table("m", "month", MONTHS_36[:-1], [10, 12] * 17 + [10]), m, "2026-10")
    assert not c["latest"].any()


def test_spc_table_stacks_kpis_in_order():
    m = meta("m", "monthly", ("month",))
    r = meta("r", "rolling", ("rolling_12m",))
    t = pd.concat(
        [
            table("m", "month", MONTHS_36, [10, 12] * 18),
            table("r", "rolling_12m", MONTHS_36, range(36)),
        ]
    )
    out = spc_table(t, {"r": r, "m": m}, "2026-10")
    assert out["kpi_id"].drop_duplicates().tolist() == ["r", "m"]
    assert out.groupby("kpi_id")["latest"].sum().to_dict() == {"m": 1, "r": 1}


def test_rebase_proposal_at_the_first_point_of_a_sustained_shift():
    # 29 months alternating 84/86, then 7 months at 60/61: over all 36 the mean is 80.4, so the
    # last 7 are below it and the run reaches the latest month: propose a rebase from
    # 2026-04-01 (the day after March 2026, the point before the shift). Once declared, the new
    # segment has its own mean and the proposal goes.
    values = [84.0, 86.0] * 14 + [84.0] + [60.0, 61.0] * 3 + [60.0]
    m = meta("m", "monthly", ("month",))
    t = table("m", "month", MONTHS_36, values)
    p = rebase_proposals(spc_table(t, {"m": m}, "2026-10"))
    assert p[["kpi_id", "shift_from", "rebase_from", "points", "side"]].to_dict("records") == [
        {
            "kpi_id": "m",
            "shift_from": pd.Timestamp("2026-04-30"),
            "rebase_from": pd.Timestamp("2026-04-01"),
            "points": 7,
            "side": "below",
        }
    ]
    opts = SpcOptions(rebase={"m": [p["rebase_from"].iloc[0]]})
    assert rebase_proposals(spc_table(t, {"m": m}, "2026-10", spc_options=opts)).empty


def test_no_rebase_proposal_for_common_cause_or_trend_charts():
    m = meta("m", "monthly", ("month",))
    r = meta("r", "rolling", ("rolling_12m",))
    t = pd.concat(
        [
            table("m", "month", MONTHS_36, [10, 12] * 18),
            table("r", "rolling_12m", MONTHS_36, [1.0] * 20 + [9.0] * 16),
        ]
    )
    assert rebase_proposals(spc_table(t, {"m": m, "r": r}, "2026-10")).empty


def test_suppressed_view_withholds_the_point_and_the_limits_that_would_reveal_it():
    m = meta("m", "monthly", ("month",), unit="count", polarity="neutral")
    t = table("m", "month", MONTHS_36, [10, 12] * 18)
    out = spc_table(t, {"m": m}, "2026-10")
    hidden = t[["kpi_id", "window", "period_end"]].assign(suppressed=False)
    hidden.loc[5, "suppressed"] = True
    s = suppress_spc_table(out, hidden)
    assert np.isnan(s["value"].iloc[5]) and pd.isna(s["verdict"].iloc[5])
    assert s["mean"].isna().all() and s["upper"].isna().all() and s["chart"].eq("trend").all()
    # Nothing withheld: the table is unchanged.
    same = suppress_spc_table(out, hidden.assign(suppressed=False))
    pd.testing.assert_frame_equal(same, out)
