"""The assessed KPI table on small hand-built tidy tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pmf_lib.assess.assessed import (
    ASSESSED_COLUMNS,
    assess_month,
    exceptions_list,
    good_practice_list,
    headline_window,
)
from pmf_lib.assess.spc import SpcOptions
from pmf_lib.assess.spc_table import kpi_spc, spc_table
from pmf_lib.assess.targets import parse_targets
from pmf_lib.compute.registry import KpiMeta
from pmf_lib.errors import PmfError


def meta(kpi_id, polarity, windows, unit="percent", title=None, cadence="monthly") -> KpiMeta:
    return KpiMeta(
        cadence=cadence,
        id=kpi_id,
        title=title or kpi_id,
        area="test",
        unit=unit,
        polarity=polarity,
        windows=tuple(windows),
        source="test",
        definition="test",
        numerator="n",
        denominator="d" if unit == "percent" else None,
    )


A45 = meta(
    "assessments_45wd_pct",
    "higher_is_better",
    ("month", "rolling_12m"),
    title="Assessments completed within 45 working days",
)
CLA = meta("cla_count", "neutral", ("snapshot",), unit="count", title="Children looked after")

# 24 months, Nov 2023 - Oct 2025. Assessments within 45 working days: 18 months alternating
# 84/86 of 100 (mean 85), then the demo's built-in deterioration: six months at 70, 68, 66, 64,
# 62, 60 (each of 100 assessments).
ENDS = pd.date_range("2023-11-30", periods=24, freq="ME")
A45_VALUES = [84.0, 86.0] * 9 + [70.0, 68.0, 66.0, 64.0, 62.0, 60.0]
CLA_VALUES = [300.0, 304.0] * 12


def tidy() -> pd.DataFrame:
    rows = []
    for i, end in enumerate(ENDS):
        v = A45_VALUES[i]
        rows.append(("assessments_45wd_pct", end, "month", v, v, 100.0))
        # rolling_12m: made-up but distinct so we can see it is carried alongside
        rows.append(("assessments_45wd_pct", end, "rolling_12m", 80.0 + i / 10, 0.0, 0.0))
        rows.append(("cla_count", end, "snapshot", CLA_VALUES[i], CLA_VALUES[i], np.nan))
    return pd.DataFrame(
        rows, columns=["kpi_id", "period_end", "window", "value", "numerator", "denominator"]
    )


KNOWN = {"assessments_45wd_pct": "higher_is_better", "cla_count": "neutral"}
TARGETS = parse_targets(
    {
        "assessments_45wd_pct": [
            {"from": "2023-04-01", "target": 80, "amber_tolerance": 5},
            {"from": "2025-04-01", "target": 85, "amber_tolerance": 5},
        ],
        "cla_count": [],
    },
    KNOWN,
)
METAS = {"assessments_45wd_pct": A45, "cla_count": CLA}


def test_headline_windows():
    assert headline_window(A45) == "month"
    assert headline_window(CLA) == "snapshot"
    assert headline_window(meta("r", "neutral", ("rolling_12m",), unit="rate_10k")) == (
        "rolling_12m"
    )


def test_one_row_per_kpi_with_value_numerator_denominator_and_rolling():
    out = assess_month(tidy(), METAS, "2025-10", targets=TARGETS)
    assert out.columns.tolist() == ASSESSED_COLUMNS
    assert out["kpi_id"].tolist() == ["assessments_45wd_pct", "cla_count"]
    a = out.iloc[0]
    assert (a["window"], a["value"], a["numerator"], a["denominator"]) == ("month", 60, 60, 100)
    assert a["previous_value"] == 62
    assert a["rolling_12m_value"] == pytest.approx(82.3)  # i = 23
    c = out.iloc[1]
    assert (c["window"], c["value"]) == ("snapshot", 304)
    assert np.isnan(c["rolling_12m_value"])


def test_the_built_in_deterioration_is_an_exception_with_a_sentence():
    out = assess_month(tidy(), METAS, "2025-10-31", targets=TARGETS)
    a = out.set_index("kpi_id").loc["assessments_45wd_pct"]
    # Limits over all 24 points: mean = (18 × 85 + 390) / 24 = 80; moving ranges: 17 of 2,
    # 86 -> 70 = 16, then five of 2 -> mR̄ = (34 + 16 + 10) / 23 = 2.609; limits ± 6.94:
    # 73.06 .. 86.94. October (60) is below the lower limit: outside_limits, low.
    assert a["spc_mean"] == pytest.approx(80.0)
    assert a["spc_lower"] == pytest.approx(80 - 2.66 * 60 / 23)
    assert a["spc_rule"] == "outside_limits" and a["spc_direction"] == "low"
    assert a["variation"] == "special cause concern"
    # Target 85 from April 2025 (tolerance 5): 60 is Red; May-Oct 2025 all Red (70 .. 60 < 80),
    # April 2025 (86) was Green -> six months off target.
    assert a["target"] == 85 and a["rag"] == "Red" and a["months_off_target"] == 6
    # Target 85 lies inside the limits 73.06 .. 86.94 -> hit and miss.
    assert a["assurance"] == "hit and miss"
    # Six falls in a row (70 > 68 > ... > 60; 86 -> 70 also a fall): months_worse = 6.
    assert a["months_worse"] == 6
    assert a["exception_flags"] == "red; special_cause_concern; worsened_3_months"
    listed = exceptions_list(out)
    assert listed["kpi_id"].tolist() == ["assessments_45wd_pct"]
    # October 2024 (i = 11) was 86.0%: the sentence sets it beside October's 60.0%.
    assert listed["sentence"].iloc[0] == (
        "Assessments completed within 45 working days fell for the sixth month running, to 60.0% "
        "in October 2025 (86.0% a year earlier), below the 85% target for the sixth month "
        "running; this is below the lower process limit of 73.1%, too far out to be noise."
    )


def test_a_past_month_is_judged_against_the_target_in_force_then():
    # March 2025 is i = 16 (value 84): the target then was 80 -> Green, although the same 84
    # under the 85 target in force from April 2025 would be Amber.
    out = assess_month(tidy(), METAS, "2025-03", targets=TARGETS)
    a = out.iloc[0]
    assert a["period_end"] == pd.Timestamp("2025-03-31") and a["value"] == 84
    assert (a["target"], a["rag"]) == (80, "Green")
    assert a["target_from"] == pd.Timestamp("2023-04-01")
    apr = assess_month(tidy(), METAS, "2025-04", targets=TARGETS).iloc[0]
    assert (apr["value"], apr["target"], apr["rag"]) == (86, 85, "Green")
    # A month before any target: No target, never Red.
    early = parse_targets(
        {"assessments_45wd_pct": [{"from": "2025-04-01", "target": 85, "amber_tolerance": 5}]},
        KNOWN,
    )
    assert assess_month(tidy(), METAS, "2025-03", targets=early).iloc[0]["rag"] == "No target"


def test_neutral_kpi_is_not_flagged_and_has_no_assurance():
    out = assess_month(tidy(), METAS, "2025-10", targets=TARGETS)
    c = out.set_index("kpi_id").loc["cla_count"]
    assert c["rag"] == "No target" and pd.isna(c["assurance"])
    assert not c["exception"] and not c["good_practice"]
    assert c["variation"] == "common cause"
    # 300 -> 304 is +1.3 %, under the 2 % travel threshold: "No change" in the table, so the
    # sentence says "little changed", not "rose".
    assert c["sentence"].startswith(
        "Children looked after was little changed at 304 in October 2025 (300 in September 2025);"
    )


def test_spc_options_rebase_and_baseline():
    # Rebase on 2025-04-01: April 2025 (86) and the six falling months (70 .. 60) form their
    # own segment of 7 points: mean (86 + 390) / 7 = 68, trial limits (fewer than 12).
    opts = SpcOptions(rebase={"assessments_45wd_pct": ["2025-04-01"]})
    a = assess_month(tidy(), METAS, "2025-10", spc_options=opts).iloc[0]
    assert a["spc_points"] == 7 and bool(a["spc_trial"])
    assert a["spc_mean"] == pytest.approx(68.0)
    # Rebased a month later, the segment has 6 points: fewer than the 7 the run rules need,
    # so no limits and no SPC verdict at all (not "common cause").
    opts = SpcOptions(rebase={"assessments_45wd_pct": ["2025-05-01"]})
    a = assess_month(tidy(), METAS, "2025-10", spc_options=opts).iloc[0]
    assert pd.isna(a["spc_rule"]) and pd.isna(a["variation"]) and np.isnan(a["spc_mean"])
    assert a["spc_note"] == "fewer than 7 points" and a["spc_points"] == 6
    # Baseline fixed from the first 12 points (84/86: mean 85, mR̄ 2 -> lower 79.68).
    b = assess_month(tidy(), METAS, "2025-10", spc_options=SpcOptions(baseline_points=12)).iloc[0]
    assert b["spc_mean"] == 85 and b["spc_lower"] == pytest.approx(85 - 5.32)
    assert not bool(b["spc_trial"])


def test_good_practice_from_comparators_and_travel_columns_are_added():
    comparators = pd.DataFrame(
        {
            "kpi_id": ["assessments_45wd_pct"],
            "quartile": ["B"],
            "previous_quartile": ["C"],
            "england": [82.0],
            "title": ["Assessments (LAIT)"],
        }
    )
    travel = pd.DataFrame(
        {
            "kpi_id": ["assessments_45wd_pct", "cla_count"],
            "window": ["rolling_12m", "snapshot"],
            "previous_label": ["Worsening", "Up"],
        }
    )
    # March 2025 (i = 16): 84.0%, Green against the 80 target, 86.0% in February ("Worsening",
    # -2 pp) but 84.0% a year earlier ("No change"): not worsening on both, no exception, so
    # the move up from C to B is good practice. (In October 2025, Red and worse on both, it
    # would not be.)
    out = assess_month(
        tidy(), METAS, "2025-03", targets=TARGETS, comparators=comparators, travel=travel
    )
    a = out.set_index("kpi_id").loc["assessments_45wd_pct"]
    assert a["good_practice_flags"] == "moved_up_quartile"
    assert "it has moved up from quartile C to B against comparators" in a["sentence"]
    assert a["england"] == 82 and a["comparator_title"] == "Assessments (LAIT)"
    assert a["travel_window"] == "rolling_12m" and a["previous_label"] == "Worsening"
    assert good_practice_list(out)["kpi_id"].tolist() == ["assessments_45wd_pct"]
    c = out.set_index("kpi_id").loc["cla_count"]
    assert pd.isna(c["england"]) and c["previous_label"] == "Up"


def test_quartile_d_is_an_exception():
    comparators = pd.DataFrame({"kpi_id": ["assessments_45wd_pct"], "quartile": ["D"]})
    out = assess_month(tidy(), METAS, "2025-04", comparators=comparators)
    a = out.iloc[0]
    assert a["exception_flags"] == "quartile_d"
    assert a["sentence"].endswith("it is in the bottom quartile (D) against comparators.")


def test_missing_kpi_and_missing_month_give_no_figure():
    m = {**METAS, "icpc_15wd_pct": meta("icpc_15wd_pct", "higher_is_better", ("month",))}
    t = tidy()
    t = t[~((t["kpi_id"] == "cla_count") & (t["period_end"] == ENDS[-1]))]
    out = assess_month(t, m, "2025-10").set_index("kpi_id")
    assert np.isnan(out.loc["cla_count", "value"]) and pd.isna(out.loc["cla_count", "spc_rule"])
    assert out.loc["cla_count", "previous_value"] == 300
    assert np.isnan(out.loc["icpc_15wd_pct", "value"])
    assert out.loc["icpc_15wd_pct", "sentence"] == ("icpc_15wd_pct had no figure for October 2025.")


def test_a_gap_month_breaks_the_worsening_run():
    t = tidy()
    t = t[~((t["kpi_id"] == "assessments_45wd_pct") & (t["period_end"] == ENDS[-3]))]
    a = assess_month(t, METAS, "2025-10").iloc[0]
    assert a["months_worse"] == 1  # 62 -> 60 only; August 2025 is absent


def test_rolling_only_kpi_is_rag_rated_without_spc():
    r = meta("rr", "lower_is_better", ("rolling_12m",))
    t = pd.DataFrame(
        {
            "kpi_id": "rr",
            "period_end": ENDS,
            "window": "rolling_12m",
            "value": 20.0,
            "numerator": 20.0,
            "denominator": 100.0,
        }
    )
    targets = parse_targets({"rr": [{"from": "2020-04-01", "target": 22}]}, {"rr": "x"})
    a = assess_month(t, {"rr": r}, "2025-10", targets=targets).iloc[0]
    assert a["rag"] == "Green" and pd.isna(a["spc_rule"]) and pd.isna(a["variation"])
    assert a["spc_chart"] == "trend" and np.isnan(a["spc_upper"]) and pd.isna(a["assurance"])


def test_bad_inputs_are_pmf_errors():
    with pytest.raises(PmfError, match="lacks column"):
        assess_month(tidy().drop(columns="numerator"), METAS, "2025-10")
    with pytest.raises(PmfError, match="more than one row"):
        assess_month(pd.concat([tidy(), tidy().iloc[:1]]), METAS, "2025-10")
    bad_targets = parse_targets({"cla_count": [{"from": "2020-01-01", "target": 1}]}, ["cla_count"])
    with pytest.raises(PmfError, match="neutral") as e:
        assess_month(tidy(), METAS, "2025-10", targets=bad_targets)
    assert e.value.field == "cla_count"
    with pytest.raises(PmfError, match="travel"):
        assess_month(tidy(), METAS, "2025-10", travel=pd.DataFrame({"k": [1]}))


def test_the_spc_table_carries_the_target_in_force():
    chart = spc_table(tidy(), {"a": A45}, "2025-10", targets=TARGETS)
    assert len(chart) == 24 and chart["period_end"].iloc[-1] == ENDS[-1]
    assert chart["target"].iloc[16] == 80 and chart["target"].iloc[17] == 85  # Mar / Apr 2025
    assert chart["rule"].iloc[-1] == "outside_limits" and chart["latest"].iloc[-1]
    assert len(spc_table(tidy(), {"a": A45}, "2025-04")) == 18


def test_assessed_spc_columns_are_the_latest_point_of_the_spc_table():
    # One judgement: the assessed row's mean, limits, rule and verdict are those of the last
    # point of the KPI's chart in the SPC table.
    opts = SpcOptions(rebase={"assessments_45wd_pct": ["2025-04-01"]})
    out = assess_month(tidy(), METAS, "2025-10", targets=TARGETS, spc_options=opts)
    t = tidy().assign(period_end=lambda d: pd.to_datetime(d["period_end"]))
    for _, a in out.iterrows():
        last = kpi_spc(t, METAS[a["kpi_id"]], ENDS[-1], opts, TARGETS).iloc[-1]
        assert a["spc_period_end"] == last["period_end"]
        for col in ("mean", "upper", "lower", "close_upper", "close_lower"):
            assert a[f"spc_{col}"] == pytest.approx(last[col], nan_ok=True)
        assert (a["spc_rule"], a["variation"]) == (last["rule"], last["verdict"])
        assert a["spc_chart"] == last["chart"] and a["spc_points"] == last["points"]


def quarterly_table(values) -> pd.DataFrame:
    # A quarter window at every month end from Jan 2023, as the KPI table holds it.
    ends = pd.date_range("2023-01-31", periods=len(values), freq="ME")
    return pd.DataFrame(
        {
            "kpi_id": "q",
            "period_end": ends,
            "window": "quarter",
            "value": values,
            "numerator": values,
            "denominator": np.nan,
        }
    )


def test_quarterly_kpi_is_judged_on_quarter_ends_only():
    # 46 month ends, Jan 2023 - Oct 2026. The windows at quarter ends alternate 50/60; every
    # other month end holds 100 (overlapping windows). Charted at the 15 quarter ends only:
    # mean 55 - 5/15 (8 at 50, 7 at 60 -> 54.67), mR̄ 10, limits 54.67 ± 26.6; no 100 is used.
    # October 2026 is not a quarter end, so the verdict is September 2026's (60: common cause).
    ends = pd.date_range("2023-01-31", periods=46, freq="ME")
    quarter_ends = [e for e in ends if e.month in (3, 6, 9, 12)]
    values = []
    k = 0
    for e in ends:
        if e.month in (3, 6, 9, 12):
            values.append(50.0 if k % 2 == 0 else 60.0)
            k += 1
        else:
            values.append(100.0)
    q = meta("q", "neutral", ("quarter",), unit="count", cadence="quarterly")
    a = assess_month(quarterly_table(values), {"q": q}, "2026-10").iloc[0]
    assert a["spc_period_end"] == pd.Timestamp("2026-09-30") == quarter_ends[-1]
    assert a["spc_points"] == 15
    assert a["spc_mean"] == pytest.approx((8 * 50 + 7 * 60) / 15)
    assert a["spc_upper"] == pytest.approx(a["spc_mean"] + 26.6)
    assert a["spc_rule"] == "common_cause" and a["variation"] == "common cause"


def test_annual_kpi_gets_no_monthly_spc():
    # An OC2 figure repeated at every month end for 3 years (88.9 from Mar 2026, 90.7 before,
    # 91.0 before that): charted once a year (each 31 March), 3 points, fewer than 7 -> no
    # SPC verdict, no limits, so no "special cause" from the repeated values.
    ends = pd.date_range("2023-11-30", "2026-10-31", freq="ME")
    values = [91.0 if e < pd.Timestamp("2025-03-31") else 90.7 for e in ends]
    later = [e >= pd.Timestamp("2026-03-31") for e in ends]
    values = [88.9 if b else v for b, v in zip(later, values, strict=True)]
    t = pd.DataFrame(
        {
            "kpi_id": "h",
            "period_end": ends,
            "window": "snapshot",
            "value": values,
            "numerator": 1.0,
            "denominator": 1.0,
        }
    )
    h = meta("h", "higher_is_better", ("snapshot",), cadence="annual")
    a = assess_month(t, {"h": h}, "2026-10").iloc[0]
    assert a["spc_chart"] == "trend" and a["spc_period_end"] == pd.Timestamp("2026-03-31")
    assert pd.isna(a["spc_rule"]) and pd.isna(a["variation"]) and not a["spc_special_cause"]
    assert np.isnan(a["spc_upper"]) and a["spc_points"] == 3
    assert "expected range" not in a["sentence"]


def test_constant_series_makes_no_expected_range_claim():
    # 11 every month for 24 months: mR̄ = 0. No limits ("11 to 11"), no verdict.
    t = tidy()
    t = t[t["kpi_id"] == "cla_count"].assign(value=11.0, numerator=11.0)
    a = assess_month(t, {"cla_count": CLA}, "2025-10").iloc[0]
    assert pd.isna(a["spc_rule"]) and np.isnan(a["spc_lower"]) and np.isnan(a["spc_upper"])
    assert "expected range" not in a["sentence"] and "11 to 11" not in a["sentence"]
